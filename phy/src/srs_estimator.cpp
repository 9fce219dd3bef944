/// \file
/// \brief SrsEstimator: per-port channel, noise, SNR and timing offset of an SRS PDU (TS 38.211
/// 6.4.1.4) from a received grid; the algorithm is described in srs_estimator.h.
#include "airan/phy/srs_estimator.h"

#include "srs_phasors.h"

#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/numerology.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned srs_max_prbs = 272; // the widest m_SRS,0 of Table 6.4.1.4.3-1
constexpr unsigned srs_max_sequence_length = srs_max_prbs * subcarriers_per_prb / 2;
constexpr unsigned srs_max_combs = 2;
constexpr unsigned srs_max_bwp_prbs = 275; // the rows of SrsEstimatorResult::prb_snr_db
constexpr float srs_max_snr_db = 100.0F;
constexpr float srs_min_snr_db = -64.0F;

/// 10 log10(signal / noise) within [srs_min_snr_db, srs_max_snr_db].
float srs_snr_db(double signal, double noise) {
  if (signal <= 0.0) {
    return srs_min_snr_db;
  }
  if (noise <= 0.0) {
    return srs_max_snr_db;
  }
  const double ratio = std::clamp(signal / noise, 1e-7, 1e11); // within the dB limits
  return std::clamp(10.0F * std::log10(static_cast<float>(ratio)), srs_min_snr_db, srs_max_snr_db);
}

/// sum_k z(k + lag) conj(z(k)), k = 0 .. length - lag - 1, in four partial sums (independent
/// chains of additions).
cf32 lag_correlation(const cf32* z, unsigned length, unsigned lag) {
  std::array<float, 8> partial{}; // real, imaginary of four lanes
  const unsigned count = length - lag;
  unsigned k = 0;
  for (; k + 4 <= count; k += 4) {
    for (std::size_t lane = 0; lane < 4; ++lane) {
      const cf32 term = srs_detail::multiply_conj(z[k + lane + lag], z[k + lane]);
      partial[2 * lane] += term.real();
      partial[2 * lane + 1] += term.imag();
    }
  }
  for (; k < count; ++k) {
    const cf32 term = srs_detail::multiply_conj(z[k + lag], z[k]);
    partial[0] += term.real();
    partial[1] += term.imag();
  }
  return {(partial[0] + partial[2]) + (partial[4] + partial[6]),
          (partial[1] + partial[3]) + (partial[5] + partial[7])};
}

} // namespace

/// The ports of one comb.
struct SrsEstimator::CombPorts {
  unsigned count = 0;
  std::array<unsigned, SrsConfig::max_ports> ports{};
};

/// What process() derives from the PDU before reading the grid.
struct SrsEstimator::Layout {
  unsigned length = 0;         ///< M = M_sc,b^SRS: comb REs per symbol and comb.
  unsigned res_per_prb = 0;    ///< 12 / K_TC.
  unsigned num_combs = 1;      ///< 2 when a 4-port SRS splits over two combs.
  unsigned ports_per_comb = 1; ///< P.
  unsigned block = 0;          ///< B: comb REs over which the ports are separated.
  std::array<CombPorts, srs_max_combs> combs{};
  std::array<std::array<unsigned, srs_max_combs>, SrsConfig::max_symbols> k0{};
  std::array<unsigned, SrsConfig::max_symbols> first_prb{}; ///< Relative to the BWP start.
  std::array<LowPaprSequenceId, SrsConfig::max_symbols> ids{};
  /// Per port and class r: e^{-j (alpha_p - alpha_0) r} sqrt(N_ap) / B (alpha_0: the first port
  /// of the port's comb), the factors of g_p from the class sums.
  std::array<std::array<cf32, SrsConfig::max_ports>, SrsConfig::max_ports> unshift{};
};

/// What separate_ports() summed over the PDU.
struct SrsEstimator::Sums {
  double power = 0.0;          ///< |y|^2 over every RE, antenna and symbol.
  double residual = 0.0;       ///< |d(k' - P) + d(k' + P) - 2 d(k')|^2.
  double residual_terms = 0.0; ///< Its expectation per unit noise variance.
};

SrsEstimator::SrsEstimator(const CellConfig& cell, unsigned num_rx_antennas)
    : cell_(cell), num_rx_antennas_(num_rx_antennas), sequence_(srs_max_sequence_length),
      despread_(std::size_t{num_rx_antennas} * SrsConfig::max_symbols * srs_max_combs *
                srs_max_sequence_length),
      derotation_(std::size_t{srs_max_combs} * srs_max_sequence_length),
      slope_(srs_max_sequence_length), prb_slope_(srs_max_prbs),
      prb_power_(std::size_t{SrsConfig::max_symbols} * srs_max_bwp_prbs),
      prb_symbols_(srs_max_bwp_prbs) {
  if (std::string error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("SrsEstimator: " + error);
  }
  if (num_rx_antennas == 0) {
    throw std::invalid_argument("SrsEstimator: no receive antenna");
  }
}

void SrsEstimator::process(const ResourceGrid& grid, unsigned sfn, unsigned slot,
                           const SrsConfig& srs, SrsEstimatorResult& result) {
  const unsigned slot_symbols = symbols_per_slot(cell_.cyclic_prefix);
  if (grid.num_ports() != num_rx_antennas_ || grid.num_symbols() != slot_symbols ||
      grid.num_subcarriers() != subcarriers_per_prb * cell_.num_prbs) {
    throw std::invalid_argument("SrsEstimator::process: the grid does not have the cell's shape");
  }
  if (std::string error = srs.validate(cell_); !error.empty()) {
    result.error = std::move(error);
    return;
  }
  result.error.clear();

  Layout layout;
  layout.length = srs.sequence_length();
  layout.res_per_prb = subcarriers_per_prb / srs.comb_size;
  for (unsigned port = 0; port < srs.num_ports; ++port) {
    const unsigned comb = srs.port_comb(port) == srs.comb_offset ? 0U : 1U;
    CombPorts& ports = layout.combs[comb];
    ports.ports[ports.count++] = port;
  }
  layout.num_combs = layout.combs[1].count > 0 ? 2U : 1U;
  layout.ports_per_comb = layout.combs[0].count;
  layout.block = std::lcm(layout.res_per_prb, layout.ports_per_comb);
  const srs_detail::CyclicShiftPhasors& shifts = srs_detail::cyclic_shift_phasors(srs.comb_size);
  const auto gain = static_cast<float>(std::sqrt(static_cast<double>(srs.num_ports)) /
                                       static_cast<double>(layout.block));
  for (unsigned c = 0; c < layout.num_combs; ++c) {
    const unsigned first_shift = srs.port_cyclic_shift(layout.combs[c].ports[0]);
    for (unsigned i = 0; i < layout.combs[c].count; ++i) {
      const unsigned port = layout.combs[c].ports[i];
      const unsigned relative = (srs.port_cyclic_shift(port) + shifts.size() - first_shift);
      for (unsigned r = 0; r < layout.ports_per_comb; ++r) {
        layout.unshift[port][r] = gain * shifts.backward((relative * r) % shifts.size());
      }
    }
  }
  srs_sequence_ids(srs, slot_symbols, slot, layout.ids);
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    const unsigned n_srs =
        srs_hopping_counter(srs, slots_per_frame(cell_.numerology), sfn, slot, l);
    for (unsigned c = 0; c < layout.num_combs; ++c) {
      layout.k0[l][c] = srs_first_subcarrier(srs, cell_, layout.combs[c].ports[0], n_srs);
    }
    layout.first_prb[l] = srs_first_crb(srs, n_srs) - srs.bwp_start;
  }

  const std::complex<double> correlation = despread(grid, srs, layout);
  // arg(C) = P theta with theta = -2 pi K_TC delta_f tau, the channel's phase per comb RE.
  const double lag_phase = std::arg(correlation);
  const double lag_hz = static_cast<double>(subcarrier_spacing_hz(cell_.numerology)) *
                        srs.comb_size * layout.ports_per_comb;
  result.delay_s = static_cast<float>(-lag_phase / (2.0 * std::numbers::pi * lag_hz));
  prepare_derotation(srs, layout, lag_phase / layout.ports_per_comb);

  result.num_symbols = srs.num_symbols;
  result.bwp_size = srs.bwp_size;
  result.num_rx_antennas = num_rx_antennas_;
  result.num_ports = srs.num_ports;
  const std::size_t channel_size = std::size_t{num_rx_antennas_} * srs.num_ports * srs.bwp_size;
  if (result.channel.capacity() < channel_size) {
    // Once for the largest PDU this estimator can see, so that later PDUs do not allocate.
    result.channel.reserve(std::size_t{num_rx_antennas_} * SrsConfig::max_ports * srs_max_bwp_prbs);
  }
  result.channel.assign(channel_size, cf32(0.0F, 0.0F));
  const Sums sums = separate_ports(srs, layout, result);
  report(srs, layout, sums, result);
}

std::complex<double> SrsEstimator::despread(const ResourceGrid& grid, const SrsConfig& srs,
                                            const Layout& layout) {
  const unsigned length = layout.length;
  const unsigned lag = layout.ports_per_comb;
  const std::span<cf32> sequence(sequence_.data(), length);
  const srs_detail::CyclicShiftPhasors& shifts = srs_detail::cyclic_shift_phasors(srs.comb_size);
  std::complex<double> correlation(0.0, 0.0);
  LowPaprSequenceId generated{low_papr_num_groups, 0}; // no sequence yet
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    if (!(layout.ids[l] == generated)) {
      generate_low_papr_sequence(layout.ids[l].u, layout.ids[l].v, 0.0F, sequence);
      generated = layout.ids[l];
    }
    for (unsigned c = 0; c < layout.num_combs; ++c) {
      // Every port of the comb turns by alpha_0 P over the lag.
      const unsigned first_shift = srs.port_cyclic_shift(layout.combs[c].ports[0]);
      const cf32 lag_turn = shifts.backward((first_shift * lag) % shifts.size());
      for (unsigned rx = 0; rx < num_rx_antennas_; ++rx) {
        const cf32* y = grid.symbol(rx, srs.start_symbol + l).data() + layout.k0[l][c];
        cf32* z = despread_.data() +
                  ((std::size_t{rx} * SrsConfig::max_symbols + l) * srs_max_combs + c) *
                      srs_max_sequence_length;
        for (unsigned k = 0; k < length; ++k) {
          z[k] = srs_detail::multiply_conj(y[std::size_t{srs.comb_size} * k], sequence[k]);
        }
        const cf32 turned = srs_detail::multiply(lag_correlation(z, length, lag), lag_turn);
        correlation += std::complex<double>(turned.real(), turned.imag());
      }
    }
  }
  return correlation;
}

void SrsEstimator::prepare_derotation(const SrsConfig& srs, const Layout& layout, double theta) {
  const unsigned length = layout.length;
  srs_detail::fill_phase_ramp(theta, std::span<cf32>(slope_.data(), length));
  const srs_detail::CyclicShiftPhasors& shifts = srs_detail::cyclic_shift_phasors(srs.comb_size);
  for (unsigned c = 0; c < layout.num_combs; ++c) {
    const unsigned first_shift = srs.port_cyclic_shift(layout.combs[c].ports[0]);
    cf32* out = derotation_.data() + std::size_t{c} * srs_max_sequence_length;
    unsigned phase = 0; // n_SRS^cs,0 k' mod n_SRS^cs,max
    for (unsigned k = 0; k < length; ++k) {
      out[k] = srs_detail::multiply(std::conj(slope_[k]), shifts.backward(phase));
      phase = shifts.next(phase, first_shift);
    }
  }
  // The slope's mean over each PRB: e^{j theta k'} over its res_per_prb comb REs.
  for (unsigned prb = 0; prb < length / layout.res_per_prb; ++prb) {
    cf32 sum(0.0F, 0.0F);
    for (unsigned t = 0; t < layout.res_per_prb; ++t) {
      sum += slope_[prb * layout.res_per_prb + t];
    }
    prb_slope_[prb] = sum / static_cast<float>(layout.res_per_prb);
  }
}

SrsEstimator::Sums SrsEstimator::separate_ports(const SrsConfig& srs, const Layout& layout,
                                                SrsEstimatorResult& result) {
  const unsigned length = layout.length;
  const unsigned lag = layout.ports_per_comb;
  std::fill_n(prb_power_.begin(), std::size_t{srs.num_symbols} * srs_max_bwp_prbs, 0.0F);
  std::fill_n(prb_symbols_.begin(), srs.bwp_size, 0U);
  Sums sums;
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    float* power = prb_power_.data() + std::size_t{l} * srs_max_bwp_prbs + layout.first_prb[l];
    for (unsigned prb = 0; prb < length / layout.res_per_prb; ++prb) {
      ++prb_symbols_[layout.first_prb[l] + prb];
    }
    for (unsigned c = 0; c < layout.num_combs; ++c) {
      const cf32* rotation = derotation_.data() + std::size_t{c} * srs_max_sequence_length;
      for (unsigned rx = 0; rx < num_rx_antennas_; ++rx) {
        cf32* d = despread_.data() +
                  ((std::size_t{rx} * SrsConfig::max_symbols + l) * srs_max_combs + c) *
                      srs_max_sequence_length;
        // d = z e^{-j (theta + alpha_0) k'}; |d|^2 = |y|^2 per PRB.
        for (unsigned prb = 0; prb < length / layout.res_per_prb; ++prb) {
          float energy = 0.0F;
          for (unsigned t = prb * layout.res_per_prb; t < (prb + 1) * layout.res_per_prb; ++t) {
            d[t] = srs_detail::multiply(d[t], rotation[t]);
            energy += std::norm(d[t]);
          }
          power[prb] += energy;
          sums.power += energy;
        }
        // Noise: second differences along each class k' mod P within each block (whose PRBs
        // the channel estimate treats together), which cancel a channel linear over the block.
        double curvature = 0.0;
        for (unsigned start = 0; start < length; start += layout.block) {
          float block_sum = 0.0F; // a short chain per block: the blocks overlap in the pipeline
          for (unsigned k = start + lag; k + lag < start + layout.block; ++k) {
            const cf32 e = d[k - lag] + d[k + lag] - 2.0F * d[k];
            block_sum += std::norm(e);
          }
          curvature += block_sum;
        }
        sums.residual += curvature;
        // E|e|^2 = 6 sigma^2 on each of the B - 2 P differences of each block.
        const unsigned blocks = length / layout.block; // a whole number
        sums.residual_terms += 6.0 * blocks * (layout.block - 2 * lag);
        cf32* channel = result.channel.data() + std::size_t{rx} * srs.num_ports * srs.bwp_size +
                        layout.first_prb[l];
        if (lag == 1) {
          add_single_port_channel(layout, d, channel);
        } else {
          add_port_channels(srs, layout, layout.combs[c], d, channel);
        }
      }
    }
  }
  return sums;
}

void SrsEstimator::add_single_port_channel(const Layout& layout, const cf32* d,
                                           cf32* channel) const {
  // The mean of z e^{-j alpha_0 k'} = d e^{j theta k'} over the PRB: the channel's own mean.
  const float scale = 1.0F / static_cast<float>(layout.res_per_prb);
  for (unsigned prb = 0; prb < layout.length / layout.res_per_prb; ++prb) {
    cf32 sum(0.0F, 0.0F);
    for (unsigned t = prb * layout.res_per_prb; t < (prb + 1) * layout.res_per_prb; ++t) {
      sum += srs_detail::multiply(d[t], slope_[t]);
    }
    channel[prb] += sum * scale;
  }
}

void SrsEstimator::add_port_channels(const SrsConfig& srs, const Layout& layout,
                                     const CombPorts& ports, const cf32* d, cf32* channel) const {
  const unsigned block = layout.block;
  const unsigned classes = layout.ports_per_comb; // 2 or 4: k' mod P is k' & (P - 1)
  const unsigned prbs_per_block = block / layout.res_per_prb;
  const std::size_t port_stride = srs.bwp_size;
  unsigned first_prb = 0;
  for (unsigned start = 0; start < layout.length; start += block, first_prb += prbs_per_block) {
    std::array<cf32, SrsConfig::max_ports> sum{};
    for (unsigned t = 0; t < block; ++t) {
      sum[t & (classes - 1)] += d[start + t];
    }
    // g_q = sqrt(N_ap) (1/P) sum_r mean_r e^{-j (alpha_q - alpha_0) r} (the factors are in
    // unshift), put on the block's PRBs with the slope's mean over each.
    for (unsigned i = 0; i < ports.count; ++i) {
      const unsigned port = ports.ports[i];
      const std::array<cf32, SrsConfig::max_ports>& unshift = layout.unshift[port];
      cf32 coefficient = srs_detail::multiply(sum[0], unshift[0]);
      for (unsigned r = 1; r < classes; ++r) {
        coefficient += srs_detail::multiply(sum[r], unshift[r]);
      }
      cf32* port_channel = channel + port * port_stride;
      for (unsigned prb = first_prb; prb < first_prb + prbs_per_block; ++prb) {
        port_channel[prb] += srs_detail::multiply(coefficient, prb_slope_[prb]);
      }
    }
  }
}

void SrsEstimator::report(const SrsConfig& srs, const Layout& layout, const Sums& sums,
                          SrsEstimatorResult& result) const {
  const double noise = sums.residual_terms > 0.0 ? sums.residual / sums.residual_terms : 0.0;
  const double res_per_symbol =
      static_cast<double>(num_rx_antennas_) * layout.num_combs * layout.length;
  const double mean_power = sums.power / (res_per_symbol * srs.num_symbols);
  result.noise_variance = static_cast<float>(noise);
  result.rsrp = static_cast<float>(std::max(mean_power - noise, 0.0));
  result.wideband_snr_db = srs_snr_db(mean_power - noise, noise);

  std::fill(result.prb_snr_db.begin(), result.prb_snr_db.end(), SrsEstimatorResult::no_snr);
  const double res_per_prb =
      static_cast<double>(num_rx_antennas_) * layout.num_combs * layout.res_per_prb;
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    for (unsigned prb = 0; prb < layout.length / layout.res_per_prb; ++prb) {
      const unsigned bwp_prb = layout.first_prb[l] + prb;
      const std::size_t index = std::size_t{l} * srs_max_bwp_prbs + bwp_prb;
      result.prb_snr_db[index] = srs_snr_db(prb_power_[index] / res_per_prb - noise, noise);
    }
  }
  for (unsigned row = 0; row < num_rx_antennas_ * srs.num_ports; ++row) {
    cf32* channel = result.channel.data() + std::size_t{row} * srs.bwp_size;
    for (unsigned prb = 0; prb < srs.bwp_size; ++prb) {
      if (prb_symbols_[prb] > 1) {
        channel[prb] /= static_cast<float>(prb_symbols_[prb]);
      }
    }
  }
}

} // namespace airan::phy
