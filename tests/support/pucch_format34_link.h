/// \file
/// \brief A format 3 or 4 PUCCH link for the PUCCH format 3/4 tests, on the carrier, channels and
/// noise of pucch_format2_link.h: a round trip through write_pucch_format34() and
/// PucchFormat34Receiver.
#pragma once

#include "airan/phy/pucch_format34.h"

#include "pucch_format2_link.h"

#include <algorithm>
#include <cstdint>

namespace airan::test {

/// A format 3 (\p num_prbs PRBs) or format 4 (\p occ_length, \p occ_index) PUCCH of
/// \p payload_bits bits on \p num_symbols symbols from symbol 14 - num_symbols, in the BWP of
/// test_pucch(), with group hopping.
inline phy::PucchConfig test_pucch34(phy::PucchFormat format, unsigned payload_bits,
                                     unsigned num_prbs, unsigned num_symbols, bool hopping,
                                     unsigned occ_length = 2, unsigned occ_index = 0) {
  phy::PucchConfig p = test_pucch(payload_bits, 1, 1, hopping);
  p.format = format;
  p.num_prbs = format == phy::PucchFormat::format4 ? 1 : num_prbs;
  p.num_symbols = num_symbols;
  p.start_symbol = 14 - num_symbols;
  p.second_hop_prb = 48 - p.num_prbs;
  p.group_hopping = phy::PucchGroupHopping::enable;
  p.hopping_id = 611;
  p.pre_dft_occ_length = occ_length;
  p.pre_dft_occ_index = occ_index;
  return p;
}

/// Transmits \p payload on a format 3/4 PUCCH and receives it through \p channel.
inline PucchResult round_trip34(const phy::CellConfig& cell, const phy::PucchConfig& pucch,
                                const BitVector& payload, unsigned num_rx, const Channel& channel,
                                float noise_variance, std::uint64_t seed,
                                const phy::PucchConfig* rx_pucch = nullptr) {
  ResourceGrid tx = empty_grid(cell);
  phy::write_pucch_format34(cell, test_slot, pucch, parts_of(pucch, payload), tx);
  const ResourceGrid rx =
      through_channel(tx, num_rx, channel, noise_variance, seed, pucch.start_symbol);
  phy::PucchFormat34Receiver receiver(num_rx);
  PucchResult result;
  receiver.receive(rx, cell, test_slot, rx_pucch != nullptr ? *rx_pucch : pucch, result);
  return result;
}

} // namespace airan::test
