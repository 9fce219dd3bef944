/// \file
/// \brief A PUCCH link for the format 2, 3 and 4 tests: a carrier that starts at CRB 10, a PUCCH
/// in a BWP from CRB 13, a channel per receive antenna and subcarrier, AWGN, a round trip through
/// the format's writer and receiver, and noise-only trials.
#pragma once

#include "airan/phy/awgn.h"
#include "airan/phy/pucch_format2.h"
#include "airan/phy/pucch_format34.h"
#include "airan/phy/uci_polar_code.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <span>

namespace airan::test {

using phy::BitVector;
using phy::cf32;
using phy::PucchResult;
using phy::ResourceGrid;

inline constexpr unsigned test_slot = 7;

/// A 51-PRB carrier that starts at CRB 10 (so CRB and carrier PRB numbers differ).
inline phy::CellConfig test_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 51;
  cell.grid_start_crb = 10;
  cell.numerology = 1;
  return cell;
}

/// A format 2 PUCCH of \p payload_bits bits (split into HARQ-ACK, SR and CSI part 1) on
/// \p num_prbs PRBs and \p num_symbols symbols, in a BWP that starts at CRB 13.
inline phy::PucchConfig test_pucch(unsigned payload_bits, unsigned num_prbs, unsigned num_symbols,
                                   bool hopping) {
  phy::PucchConfig p;
  p.format = phy::PucchFormat::format2;
  p.rnti = 0x4601;
  p.bwp_start = 13;
  p.bwp_size = 48;
  p.prb_start = 3;
  p.num_prbs = num_prbs;
  p.start_symbol = 12;
  p.num_symbols = num_symbols;
  p.intra_slot_hopping = hopping;
  p.second_hop_prb = 48 - num_prbs;
  p.scrambling_id = 517;
  p.dmrs_scrambling_id = 40001;
  p.harq_bits = std::min(payload_bits, 2U);
  p.sr_bits = std::min(payload_bits - p.harq_bits, 1U);
  p.csi_part1_bits = payload_bits - p.harq_bits - p.sr_bits;
  return p;
}

/// The UCI parts of \p pucch taken from \p payload.
inline phy::PucchUciBits parts_of(const phy::PucchConfig& pucch, const BitVector& payload) {
  const std::span<const phy::bit_t> all(payload);
  return {all.first(pucch.harq_bits), all.subspan(pucch.harq_bits, pucch.sr_bits),
          all.subspan(pucch.harq_bits + pucch.sr_bits, pucch.csi_part1_bits)};
}

/// True when the payload of \p pucch can be coded into its bits.
inline bool codable(const phy::PucchConfig& pucch) {
  const unsigned a = pucch.payload_bits();
  return a < phy::uci_polar_min_payload_bits ||
         phy::uci_polar_size_error(a, 16U * pucch.num_prbs * pucch.num_symbols).empty();
}

/// Channel coefficient of receive antenna a on grid subcarrier k.
using Channel = std::function<cf32(unsigned a, unsigned k)>;

/// The one-port transmit grid through \p channel to \p num_rx antennas, plus noise. Only the
/// slot symbols from \p first_symbol on go through the channel (the others stay empty).
inline ResourceGrid through_channel(const ResourceGrid& tx, unsigned num_rx, const Channel& channel,
                                    float noise_variance, std::uint64_t seed,
                                    unsigned first_symbol = 0) {
  ResourceGrid rx(num_rx, tx.num_symbols(), tx.num_subcarriers());
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned l = first_symbol; l < tx.num_symbols(); ++l) {
      for (unsigned k = 0; k < tx.num_subcarriers(); ++k) {
        rx.at(a, l, k) = channel(a, k) * tx.at(0, l, k);
      }
    }
  }
  phy::AwgnGenerator(seed).add(rx, noise_variance);
  return rx;
}

/// A channel of gain 1.
inline cf32 unit_channel(unsigned /*a*/, unsigned /*k*/) {
  return {1.0F, 0.0F};
}

/// A zero grid of \p ports ports for \p cell.
inline ResourceGrid empty_grid(const phy::CellConfig& cell, unsigned ports = 1) {
  return {ports, 14, 12 * cell.num_prbs};
}

/// Transmits \p payload on a PUCCH of format 2, 3 or 4 and receives it through \p channel.
inline PucchResult round_trip(const phy::CellConfig& cell, const phy::PucchConfig& pucch,
                              const BitVector& payload, unsigned num_rx, const Channel& channel,
                              float noise_variance, std::uint64_t seed,
                              const phy::PucchConfig* rx_pucch = nullptr) {
  const bool format2 = pucch.format == phy::PucchFormat::format2;
  ResourceGrid tx = empty_grid(cell);
  if (format2) {
    phy::write_pucch_format2(cell, test_slot, pucch, parts_of(pucch, payload), tx);
  } else {
    phy::write_pucch_format34(cell, test_slot, pucch, parts_of(pucch, payload), tx);
  }
  const ResourceGrid rx =
      through_channel(tx, num_rx, channel, noise_variance, seed, pucch.start_symbol);
  const phy::PucchConfig& expected = rx_pucch != nullptr ? *rx_pucch : pucch;
  PucchResult result;
  if (format2) {
    phy::PucchFormat2Receiver(num_rx).receive(rx, cell, test_slot, expected, result);
  } else {
    phy::PucchFormat34Receiver(num_rx).receive(rx, cell, test_slot, expected, result);
  }
  return result;
}

/// Detections out of \p trials slots of unit-variance noise alone on the symbols of \p pucch
/// (seeds \p seed + t), and how many results had crc_ok different from detected.
struct NoiseTrials {
  unsigned detected = 0;
  unsigned inconsistent = 0;
};
template <typename Receiver>
NoiseTrials noise_trials(Receiver& receiver, const phy::CellConfig& cell,
                         const phy::PucchConfig& pucch, unsigned num_rx, unsigned trials,
                         std::uint64_t seed) {
  ResourceGrid grid = empty_grid(cell, num_rx);
  NoiseTrials out;
  for (unsigned t = 0; t < trials; ++t) {
    phy::AwgnGenerator noise(seed + t);
    for (unsigned antenna = 0; antenna < num_rx; ++antenna) {
      for (unsigned l = 0; l < pucch.num_symbols; ++l) {
        const std::span<cf32> row = grid.symbol(antenna, pucch.start_symbol + l);
        std::fill(row.begin(), row.end(), cf32(0.0F, 0.0F));
        noise.add(row, 1.0F);
      }
    }
    PucchResult r;
    receiver.receive(grid, cell, test_slot, pucch, r);
    out.detected += r.detected ? 1U : 0U;
    out.inconsistent += r.crc_ok != r.detected ? 1U : 0U;
  }
  return out;
}

/// True when \p result holds the bits of \p payload.
inline bool same_bits(const PucchResult& result, const BitVector& payload) {
  const std::size_t a =
      std::size_t{result.num_harq_bits} + result.num_sr_bits + result.num_csi_part1_bits;
  return a == payload.size() && std::equal(payload.begin(), payload.end(), result.bits.begin());
}

} // namespace airan::test
