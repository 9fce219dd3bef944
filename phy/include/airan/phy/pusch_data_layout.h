/// \file
/// \brief PuschDataLayout: where a PDU's data REs lie, in the order the front end writes LLRs
/// (symbol by symbol, subcarrier by subcarrier), as a few plain numbers that a CUDA kernel takes
/// by value; locate_data_re() maps a data RE's index back to its symbol and subcarrier on the
/// host and on the device.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/ptrs_pusch.h"

namespace airan::phy {

struct PuschReMapping;

/// The data REs of one layer of a PDU.
struct PuschDataLayout {
  static constexpr unsigned max_symbols = 14;
  unsigned num_data_symbols = 0;
  unsigned data_symbols[max_symbols] = {}; ///< Slot symbols that carry data, in order.
  unsigned first_re[max_symbols + 1] = {}; ///< RE offsets; first_re[num_data_symbols] = total.
  unsigned dmrs_mask = 0;                  ///< Bit l: slot symbol l carries DMRS.
  unsigned data_per_prb = 0;               ///< Data subcarriers per PRB on DMRS symbols.
  unsigned data_index[12] = {};            ///< Their positions within the PRB.
  PtrsPattern ptrs;                        ///< PT-RS REs, which carry no data.

  /// Data REs of one layer.
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned num_res() const { return first_re[num_data_symbols]; }
};

/// The layout of \p mapping (pusch_re_mapper.h).
PuschDataLayout make_pusch_data_layout(const PuschReMapping& mapping);

/// Slot symbol and allocated subcarrier (relative to the allocation) of data RE \p re
/// (< d.num_res()).
AIRAN_HOST_DEVICE inline void locate_data_re(const PuschDataLayout& d, unsigned re,
                                             unsigned& symbol, unsigned& k) {
  unsigned n = 0;
  while (n + 1 < d.num_data_symbols && re >= d.first_re[n + 1]) {
    ++n;
  }
  symbol = d.data_symbols[n];
  const unsigned j = re - d.first_re[n];
  if (((d.dmrs_mask >> symbol) & 1U) != 0) {
    k = (j / d.data_per_prb) * 12 + d.data_index[j % d.data_per_prb];
  } else if (d.ptrs.on_symbol(symbol)) {
    k = d.ptrs.data_subcarrier(j);
  } else {
    k = j;
  }
}

} // namespace airan::phy
