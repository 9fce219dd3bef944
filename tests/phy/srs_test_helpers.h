/// \file
/// \brief Helpers of the SRS tests (srs_*_test.cpp): a cell, a transmitted SRS grid, a channel
/// applied per receive antenna, port and subcarrier, and an independent Gold sequence.
#pragma once

#include "airan/phy/awgn.h"
#include "airan/phy/numerology.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/srs_config.h"
#include "airan/phy/srs_estimator.h"
#include "airan/phy/types.h"

#include <cstdint>
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
