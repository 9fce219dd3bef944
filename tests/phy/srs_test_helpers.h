/// \file
/// \brief Helpers of the SRS tests (srs_*_test.cpp): a cell, a transmitted SRS grid, a channel
/// applied per receive antenna, port and subcarrier, random gains, the per-port NMSE of an
/// estimate, the true SNR per RE, and an independent Gold sequence.
#pragma once

#include "airan/phy/awgn.h"
#include "airan/phy/numerology.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/srs_config.h"
#include "airan/phy/srs_estimator.h"
#include "airan/phy/types.h"

#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <vector>

namespace airan::test {

/// A carrier of \p num_prbs PRBs at 30 kHz (numerology 1), normal cyclic prefix, starting at CRB
/// \p grid_start_crb.
inline phy::CellConfig srs_test_cell(unsigned num_prbs = 52, unsigned grid_start_crb = 0) {
  phy::CellConfig cell;
  cell.num_prbs = num_prbs;
  cell.grid_start_crb = grid_start_crb;
  cell.numerology = 1;
  cell.n_cell_id = 7;
  return cell;
}

/// An SRS on the cell's whole carrier as BWP: comb \p comb, \p ports ports, \p symbols symbols
/// ending the slot, C_SRS \p c_srs with B_SRS = 0 (no hopping).
inline phy::SrsConfig srs_test_config(const phy::CellConfig& cell, unsigned c_srs, unsigned comb,
                                      unsigned ports, unsigned symbols = 1) {
  phy::SrsConfig srs;
  srs.bwp_start = cell.grid_start_crb;
  srs.bwp_size = cell.num_prbs;
  srs.num_ports = ports;
  srs.num_symbols = symbols;
  srs.repetition = 1;
  srs.start_symbol = 14 - symbols;
  srs.c_srs = c_srs;
  srs.b_srs = 0;
  srs.comb_size = comb;
  srs.sequence_id = 321;
  srs.hopping_bandwidth = 3;
  return srs;
}

/// write_srs() into a zero grid of the cell's shape with the SRS's ports.
inline phy::ResourceGrid srs_transmit(const phy::CellConfig& cell, unsigned sfn, unsigned slot,
                                      const phy::SrsConfig& srs) {
  phy::ResourceGrid grid(srs.num_ports, phy::symbols_per_slot(cell.cyclic_prefix),
                         phy::subcarriers_per_prb * cell.num_prbs);
  phy::write_srs(cell, sfn, slot, srs, grid);
  return grid;
}

/// rx(r, l, k) = sum_p h(r, p, k) tx(p, l, k) on \p num_rx antennas, plus AWGN of
/// \p noise_variance (none when 0).
template <typename Channel>
phy::ResourceGrid srs_receive(const phy::ResourceGrid& tx, unsigned num_rx, Channel&& h,
                              float noise_variance = 0.0F, std::uint64_t noise_seed = 1) {
  phy::ResourceGrid rx(num_rx, tx.num_symbols(), tx.num_subcarriers());
  for (unsigned r = 0; r < num_rx; ++r) {
    for (unsigned l = 0; l < tx.num_symbols(); ++l) {
      for (unsigned k = 0; k < tx.num_subcarriers(); ++k) {
        phy::cf32 sum(0.0F, 0.0F);
        for (unsigned p = 0; p < tx.num_ports(); ++p) {
          sum += h(r, p, k) * tx.at(p, l, k);
        }
        rx.at(r, l, k) = sum;
      }
    }
  }
  if (noise_variance > 0.0F) {
    phy::AwgnGenerator(noise_seed).add(rx, noise_variance);
  }
  return rx;
}

/// A random complex Gaussian gain of unit power per receive antenna and port (or CRB).
inline std::vector<phy::cf32> srs_random_gains(std::size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  std::vector<phy::cf32> gains(count);
  for (phy::cf32& g : gains) {
    g = {normal(rng), normal(rng)};
  }
  return gains;
}

/// The true channel of each PRB of the SRS, the mean of \p h(rx, port, k) over the port's REs
/// of the PRB; NMSE of the estimate against it per port, over every antenna and SRS PRB.
template <typename Channel>
std::vector<double> srs_port_nmse(const phy::CellConfig& cell, const phy::SrsConfig& srs,
                                  const phy::SrsEstimatorResult& result, Channel&& h) {
  std::vector<double> error(srs.num_ports, 0.0);
  std::vector<double> power(srs.num_ports, 0.0);
  for (unsigned p = 0; p < srs.num_ports; ++p) {
    const unsigned k0 = phy::srs_first_subcarrier(srs, cell, p, 0);
    for (unsigned rx = 0; rx < result.num_rx_antennas; ++rx) {
      for (unsigned i = 0; i < srs.num_prbs(); ++i) {
        std::complex<double> truth(0.0, 0.0);
        const unsigned res = 12 / srs.comb_size;
        for (unsigned t = 0; t < res; ++t) {
          truth += std::complex<double>(h(rx, p, k0 + 12 * i + srs.comb_size * t));
        }
        truth /= static_cast<double>(res);
        const unsigned prb = k0 / 12 + cell.grid_start_crb - srs.bwp_start + i;
        error[p] += std::norm(std::complex<double>(result.channel_at(rx, p, prb)) - truth);
        power[p] += std::norm(truth);
      }
    }
  }
  for (unsigned p = 0; p < srs.num_ports; ++p) {
    error[p] = 10.0 * std::log10(error[p] / power[p]);
  }
  return error;
}

/// The SNR per RE of \p srs through \p h on \p num_rx antennas (no hopping): the mean over its
/// REs and antennas of sum_p |h(rx, p, k)|^2 / N_ap over the ports on the RE's comb, over \p noise
/// (what SrsEstimatorResult::wideband_snr_db estimates), in dB.
template <typename Channel>
double srs_true_snr_db(const phy::CellConfig& cell, const phy::SrsConfig& srs, unsigned num_rx,
                       Channel&& h, float noise) {
  double power = 0.0;
  unsigned count = 0;
  for (unsigned comb = 0; comb < srs.comb_size; ++comb) {
    for (unsigned p = 0; p < srs.num_ports; ++p) {
      if (srs.port_comb(p) != comb) {
        continue;
      }
      const unsigned k0 = phy::srs_first_subcarrier(srs, cell, p, 0);
      for (unsigned rx = 0; rx < num_rx; ++rx) {
        for (unsigned k = 0; k < srs.sequence_length(); ++k) {
          power += std::norm(h(rx, p, k0 + srs.comb_size * k)) / srs.num_ports;
        }
      }
    }
    const bool used = srs.port_comb(0) == comb || srs.port_comb(srs.num_ports - 1) == comb;
    count += used ? num_rx * srs.sequence_length() : 0U;
  }
  return 10.0 * std::log10(power / count / noise);
}

/// c(n), n = offset .. offset + count - 1, of TS 38.211 5.2.1 straight from its definition: two
/// m-sequences bit by bit, N_C = 1600 (independent of phy's GoldSequenceGenerator).
inline std::vector<unsigned> srs_reference_gold(std::uint32_t c_init, unsigned offset,
                                                unsigned count) {
  const unsigned nc = 1600;
  const unsigned total = nc + offset + count;
  std::vector<unsigned> x1(total + 31, 0);
  std::vector<unsigned> x2(total + 31, 0);
  x1[0] = 1;
  for (unsigned i = 0; i < 31; ++i) {
    x2[i] = (c_init >> i) & 1U;
  }
  for (unsigned n = 0; n < total; ++n) {
    x1[n + 31] = (x1[n + 3] + x1[n]) % 2;
    x2[n + 31] = (x2[n + 3] + x2[n + 2] + x2[n + 1] + x2[n]) % 2;
  }
  std::vector<unsigned> c(count);
  for (unsigned n = 0; n < count; ++n) {
    c[n] = (x1[n + offset + nc] + x2[n + offset + nc]) % 2;
  }
  return c;
}

} // namespace airan::test
