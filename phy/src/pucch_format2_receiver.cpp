// PucchFormat2Receiver: DMRS channel and noise estimation, maximal-ratio combining into QPSK
// LLRs, descrambling and the short-block or polar decoding of a format 2 PUCCH (see the class
// comment in pucch_format2.h for the estimators).
#include "airan/phy/numerology.h"
#include "airan/phy/pucch_detection.h"
#include "airan/phy/pucch_format2.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// Subcarrier of DMRS i within its PRB, and the PRB centre the averages refer to.
constexpr float format2_dmrs_subcarrier(unsigned i) {
  return static_cast<float>(3 * i + 1);
}
constexpr float format2_prb_centre = 5.5F;
/// The data subcarriers of a PRB, in mapping order.
constexpr std::array<unsigned, pucch_format2_data_res_per_prb> format2_data_subcarriers = {
    0, 2, 3, 5, 6, 8, 9, 11};
/// Degrees of freedom of the residual of 4 DMRS estimates around their average.
constexpr float format2_residual_dof = pucch_format2_dmrs_res_per_prb - 1;
constexpr unsigned format2_residual_groups = pucch_format2_dmrs_res_per_prb - 1;
/// Highest SNR the noise floor allows (60 dB), and the sinr_db range.
constexpr float format2_min_relative_noise = 1e-6F;
constexpr float format2_sinr_limit_db = 60.0F;
/// 2 sqrt(2): the QPSK LLR of a unit-variance-noise sample is 2 sqrt(2) times its real part.
constexpr float format2_qpsk_llr_gain = 2.8284271247461903F;

std::string format2_rx_error(const std::string& what) {
  return "PUCCH format 2 receiver: " + what;
}

void check_format2_rx(const ResourceGrid& grid, const CellConfig& cell, const PucchConfig& pucch,
                      unsigned max_rx_antennas) {
  if (pucch.format != PucchFormat::format2) {
    throw std::invalid_argument(format2_rx_error("not a format 2 PUCCH"));
  }
  if (pucch.num_prbs == 0 || pucch.num_prbs > PucchConfig::max_format2_prbs ||
      pucch.num_symbols == 0 || pucch.num_symbols > pucch_format2_max_symbols ||
      (pucch.intra_slot_hopping && pucch.num_symbols != 2)) {
    throw std::invalid_argument(format2_rx_error("1..16 PRBs and 1..2 symbols (2 with hopping)"));
  }
  const unsigned a = pucch.payload_bits();
  if (a < 3 || a > PucchConfig::max_payload_bits) {
    throw std::invalid_argument(
        format2_rx_error("format 2 carries 3..1706 bits, not " + std::to_string(a)));
  }
  if (a >= uci_polar_min_payload_bits) {
    if (std::string error = uci_polar_size_error(a, pucch_format2_coded_bits(pucch));
        !error.empty()) {
      throw std::invalid_argument(format2_rx_error(error));
    }
  }
  if (grid.num_ports() == 0 || grid.num_ports() > max_rx_antennas ||
      grid.num_symbols() != symbols_per_slot(cell.cyclic_prefix) ||
      grid.num_subcarriers() != subcarriers_per_prb * cell.num_prbs) {
    throw std::invalid_argument(
        format2_rx_error("the grid is not 1.." + std::to_string(max_rx_antennas) + " antennas x " +
                         std::to_string(symbols_per_slot(cell.cyclic_prefix)) + " symbols x " +
                         std::to_string(subcarriers_per_prb * cell.num_prbs) + " subcarriers"));
  }
  if (std::size_t{pucch.start_symbol} + pucch.num_symbols > grid.num_symbols()) {
    throw std::invalid_argument(format2_rx_error("symbols outside the slot"));
  }
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const unsigned crb = pucch.first_crb_of(l);
    if (crb < cell.grid_start_crb ||
        std::size_t{crb} - cell.grid_start_crb + pucch.num_prbs > cell.num_prbs) {
      throw std::invalid_argument(format2_rx_error("PRBs outside the carrier"));
    }
  }
}

/// e^{j angle}.
cf32 format2_rotation(float angle) {
  return {std::cos(angle), std::sin(angle)};
}

} // namespace

PucchFormat2Receiver::PucchFormat2Receiver(unsigned max_rx_antennas)
    : max_rx_antennas_(max_rx_antennas),
      ls_(std::size_t{max_rx_antennas} * pucch_format2_max_symbols * max_dmrs_per_symbol),
      prb_channel_(std::size_t{max_rx_antennas} * pucch_format2_max_symbols *
                   PucchConfig::max_format2_prbs) {
  if (max_rx_antennas == 0) {
    throw std::invalid_argument(format2_rx_error("at least one receive antenna"));
  }
}

void PucchFormat2Receiver::receive(const ResourceGrid& grid, const CellConfig& cell, unsigned slot,
                                   const PucchConfig& pucch, PucchResult& result) {
  check_format2_rx(grid, cell, pucch, max_rx_antennas_);
  num_antennas_ = grid.num_ports();
  estimate_channel(grid, cell, slot, pucch);
  compute_llrs(grid, cell, pucch);
  decode(pucch, result);
}

void PucchFormat2Receiver::estimate_channel(const ResourceGrid& grid, const CellConfig& cell,
                                            unsigned slot, const PucchConfig& pucch) {
  const unsigned slot_symbols = symbols_per_slot(cell.cyclic_prefix);
  const unsigned num_dmrs = pucch_format2_dmrs_res_per_prb * pucch.num_prbs;
  // Least-squares estimates (|r| = 1) and the correlation of neighbours 3 subcarriers apart.
  std::complex<double> neighbour_correlation = 0.0;
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const unsigned crb = pucch.first_crb_of(l);
    pucch_format2_dmrs(slot_symbols, slot, pucch.start_symbol + l, pucch.dmrs_scrambling_id, crb,
                       std::span<cf32>(dmrs_.data(), num_dmrs));
    const std::size_t first = std::size_t{subcarriers_per_prb} * (crb - cell.grid_start_crb);
    for (unsigned a = 0; a < num_antennas_; ++a) {
      const std::span<const cf32> row = grid.symbol(a, pucch.start_symbol + l);
      cf32* h = ls(a, l);
      for (unsigned m = 0; m < num_dmrs; ++m) {
        h[m] = row[first + 3 * std::size_t{m} + 1] * std::conj(dmrs_[m]);
      }
      for (unsigned m = 0; m + 1 < num_dmrs; ++m) {
        neighbour_correlation += std::complex<double>(h[m + 1] * std::conj(h[m]));
      }
    }
  }
  const float slope = static_cast<float>(std::arg(neighbour_correlation) / 3.0);

  // The slope is a fitted parameter: on noise, or on a flat channel at low SNR, it follows the
  // noise and the de-rotated averages lose signal. It is kept only when it makes the PRB
  // averages hold more energy than without it by more than 2 noise variances (the Akaike
  // criterion for one parameter). sum_i |h_i - mean|^2 = sum_i |h_i|^2 - |sum_i h_i|^2 / 4: the
  // residual is the energy less the coherent part, and maximising one minimises the other.
  std::array<cf32, pucch_format2_dmrs_res_per_prb> derotate{};
  for (unsigned i = 0; i < derotate.size(); ++i) {
    derotate[i] = format2_rotation(-slope * (format2_dmrs_subcarrier(i) - format2_prb_centre));
  }
  double energy = 0.0;
  double coherent_flat = 0.0;
  double coherent_sloped = 0.0;
  for (unsigned a = 0; a < num_antennas_; ++a) {
    for (unsigned l = 0; l < pucch.num_symbols; ++l) {
      const cf32* h = ls(a, l);
      for (unsigned p = 0; p < pucch.num_prbs; ++p) {
        cf32 flat = 0.0F;
        cf32 sloped = 0.0F;
        for (unsigned i = 0; i < derotate.size(); ++i) {
          const cf32 value = h[pucch_format2_dmrs_res_per_prb * p + i];
          energy += std::norm(value);
          flat += value;
          sloped += value * derotate[i];
        }
        coherent_flat += std::norm(flat) / pucch_format2_dmrs_res_per_prb;
        coherent_sloped += std::norm(sloped) / pucch_format2_dmrs_res_per_prb;
      }
    }
  }
  const double averages = static_cast<double>(num_antennas_) * pucch.num_symbols * pucch.num_prbs;
  const double sloped_noise = (energy - coherent_sloped) / (format2_residual_dof * averages);
  const bool use_slope = coherent_sloped - coherent_flat > 2.0 * sloped_noise;
  phase_slope_ = use_slope ? slope : 0.0F;
  const double coherent = use_slope ? coherent_sloped : coherent_flat;

  // The PRB averages (at the PRB centre) with the slope chosen.
  for (unsigned a = 0; a < num_antennas_; ++a) {
    for (unsigned l = 0; l < pucch.num_symbols; ++l) {
      const cf32* h = ls(a, l);
      cf32* average = prb_channel(a, l);
      for (unsigned p = 0; p < pucch.num_prbs; ++p) {
        cf32 sum = 0.0F;
        for (unsigned i = 0; i < derotate.size(); ++i) {
          const cf32 value = h[pucch_format2_dmrs_res_per_prb * p + i];
          sum += use_slope ? value * derotate[i] : value;
        }
        average[p] = sum / static_cast<float>(pucch_format2_dmrs_res_per_prb);
      }
    }
  }
  // The DMRS gate's statistic: the share of the DMRS energy the plain PRB averages hold (no
  // slope: a fitted and chosen slope would bias it on noise), Beta(groups, 3 groups) on noise
  // alone.
  dmrs_share_ = energy > 0.0 ? coherent_flat / energy : 0.0;
  dmrs_groups_ = static_cast<unsigned>(averages);
  // coherent / 4 per group is |mean|^2; energy - coherent the residual.
  const double mean_power = coherent / (pucch_format2_dmrs_res_per_prb * averages);
  double noise = std::max(energy - coherent, 0.0) / (format2_residual_dof * averages);
  // The average of 4 estimates keeps a quarter of the noise: E|mean|^2 = |h|^2 + noise / 4.
  const double signal = std::max(mean_power - noise / pucch_format2_dmrs_res_per_prb, 0.0);
  noise = std::max(
      {noise, format2_min_relative_noise * mean_power, double{std::numeric_limits<float>::min()}});
  noise_variance_ = static_cast<float>(noise);
  const double sinr = std::max(signal / noise, double{format2_min_relative_noise});
  sinr_db_ = std::min(static_cast<float>(10.0 * std::log10(sinr)), format2_sinr_limit_db);
}

void PucchFormat2Receiver::compute_llrs(const ResourceGrid& grid, const CellConfig& cell,
                                        const PucchConfig& pucch) {
  std::array<cf32, pucch_format2_data_res_per_prb> rotate_back{};
  for (unsigned j = 0; j < rotate_back.size(); ++j) {
    // conj(e^{j slope (k - centre)}): the combining weight's share of the slope.
    rotate_back[j] = format2_rotation(
        -phase_slope_ * (static_cast<float>(format2_data_subcarriers[j]) - format2_prb_centre));
  }
  const float scale = format2_qpsk_llr_gain / noise_variance_;
  std::size_t bit = 0;
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const std::size_t first =
        std::size_t{subcarriers_per_prb} * (pucch.first_crb_of(l) - cell.grid_start_crb);
    for (unsigned p = 0; p < pucch.num_prbs; ++p) {
      const std::size_t prb_first = first + std::size_t{subcarriers_per_prb} * p;
      for (unsigned j = 0; j < format2_data_subcarriers.size(); ++j) {
        cf32 combined = 0.0F;
        for (unsigned a = 0; a < num_antennas_; ++a) {
          const cf32 y =
              grid.symbol(a, pucch.start_symbol + l)[prb_first + format2_data_subcarriers[j]];
          combined += std::conj(prb_channel(a, l)[p]) * y;
        }
        combined *= rotate_back[j] * scale;
        llrs_[bit] = combined.real();
        llrs_[bit + 1] = combined.imag();
        bit += 2;
      }
    }
  }
}

void PucchFormat2Receiver::decode(const PucchConfig& pucch, PucchResult& result) {
  const PucchDmrsEvidence evidence{
      .share = dmrs_share_,
      .groups = dmrs_groups_,
      .residual_dimensions = format2_residual_groups * dmrs_groups_,
  };
  uci_decoder_.decode(pucch, std::span<float>(llrs_.data(), pucch_format2_coded_bits(pucch)),
                      evidence, sinr_db_, result);
}

} // namespace airan::phy
