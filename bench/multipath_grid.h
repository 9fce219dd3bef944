// Benchmark support: a received grid of a transmitted one through a fixed-profile multipath
// channel, shared by the front-end and channel-estimator benchmarks so that they measure the
// same slot.
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <complex>
#include <numbers>
#include <random>
#include <vector>

namespace airan::bench {

/// \p tx (its first \p num_layers ports) through a 3-tap channel per receive antenna and port
/// (delays 0, 100 and 300 ns, amplitudes 0.8, 0.5 and 0.33, complex Gaussian gains drawn from
/// \p rng) plus complex AWGN of variance 0.001, at subcarrier spacing \p scs_hz:
/// \p num_rx antennas.
inline phy::ResourceGrid multipath_grid(const phy::ResourceGrid& tx, unsigned num_rx,
                                        unsigned num_layers, double scs_hz, std::mt19937& rng) {
  using phy::cf32;
  const unsigned width = tx.num_subcarriers();
  const double delays[] = {0.0, 100e-9, 300e-9};
  const float amplitudes[] = {0.8F, 0.5F, 0.33F};
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::normal_distribution<float> noise(0.0F, std::sqrt(0.001F / 2.0F));
  phy::ResourceGrid grid(num_rx, tx.num_symbols(), width);
  std::vector<cf32> h(std::size_t{num_layers} * width);
  for (unsigned rx = 0; rx < num_rx; ++rx) {
    for (unsigned p = 0; p < num_layers; ++p) {
      cf32 gains[3];
      for (unsigned t = 0; t < 3; ++t) {
        gains[t] = amplitudes[t] * cf32(normal(rng), normal(rng)) / std::numbers::sqrt2_v<float>;
      }
      for (unsigned k = 0; k < width; ++k) {
        std::complex<double> sum = 0.0;
        for (unsigned t = 0; t < 3; ++t) {
          sum += std::complex<double>(gains[t]) *
                 std::polar(1.0, -2.0 * std::numbers::pi * k * scs_hz * delays[t]);
        }
        h[p * width + k] = cf32(static_cast<float>(sum.real()), static_cast<float>(sum.imag()));
      }
    }
    for (unsigned l = 0; l < tx.num_symbols(); ++l) {
      for (unsigned k = 0; k < width; ++k) {
        cf32 y(noise(rng), noise(rng));
        for (unsigned p = 0; p < num_layers; ++p) {
          y += h[p * width + k] * tx.at(p, l, k);
        }
        grid.at(rx, l, k) = y;
      }
    }
  }
  return grid;
}

/// A full-band PUSCH slot at 30 kHz as the CPU benchmarks receive it: \p num_prbs PRBs,
/// \p num_layers layers (DMRS type 1, 2 CDM groups without data, 256-QAM MCS 27), a random TB
/// sent in slot \p slot_number and received on \p num_rx antennas through multipath_grid();
/// with \p ptrs, PT-RS on DMRS port 0 on every data symbol (L 1) and every other PRB (K 2).
struct MultipathSlot {
  phy::CellConfig cell;
  phy::PuschConfig pusch;
  phy::ResourceGrid grid;
};

inline MultipathSlot multipath_slot(unsigned num_prbs, unsigned num_layers, unsigned num_rx,
                                    unsigned slot_number, bool ptrs = false) {
  MultipathSlot r;
  r.cell.num_prbs = num_prbs;
  r.cell.n_cell_id = 500;
  r.cell.num_antenna_ports = num_layers;
  r.pusch.rnti = 17921;
  r.pusch.bwp_size = r.pusch.prb_size = num_prbs;
  r.pusch.num_layers = num_layers;
  r.pusch.dmrs_ports = static_cast<std::uint16_t>((1U << num_layers) - 1);
  r.pusch.num_dmrs_cdm_groups_no_data = 2;
  r.pusch.dmrs_scrambling_id = 500;
  r.pusch.mcs_table = phy::McsTable::qam256;
  r.pusch.mcs_index = 27;
  r.pusch.data_scrambling_id = 500;
  r.pusch.ptrs.enabled = ptrs;
  phy::PuschTransmitter transmitter(r.cell);
  phy::ResourceGrid tx = transmitter.make_grid();
  std::mt19937 rng(42);
  phy::BitVector tb(transmitter.transport_block_size(r.pusch));
  for (auto& bit : tb) {
    bit = static_cast<phy::bit_t>(rng() & 1U);
  }
  transmitter.transmit(tb, r.pusch, slot_number, tx);
  r.grid =
      multipath_grid(tx, num_rx, num_layers, phy::subcarrier_spacing_hz(r.cell.numerology), rng);
  return r;
}

} // namespace airan::bench
