/// \file
/// \brief The format 3 and 4 PUCCHs of the PUCCH format 3/4 tests, on the link of
/// pucch_format2_link.h (whose round_trip() takes them).
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

} // namespace airan::test
