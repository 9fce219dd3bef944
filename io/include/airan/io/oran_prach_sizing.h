/// \file
/// \brief How much a carrier's O-RAN 7.2x PRACH stream (section type 3, oran_prach.h) can need
/// at once: the longest window an O-RU keeps samples for, the largest section, and the occasions
/// (and their PRBs) in flight between the DU's C-plane and the end of their windows, from the
/// formats the carrier can carry and the FAPI limits of one slot.
///
/// Per slot, FAPI allows fapi_max_prach_occasions occasions (fapi_max_prach_pdus PDUs): short
/// formats inside their slot (a PDU's occasions follow one another, so their sequence periods add
/// up to a slot's symbols at most), long formats one per PDU and subframe. An occasion is in
/// flight from its C-plane, which leads its slot by up to the MAC's lead, to the end of its window
/// plus one slot (the deadline).
#pragma once

#include "airan/phy/pusch_config.h"

#include <cstddef>
#include <cstdint>

namespace airan::io {

/// What a carrier's PRACH stream can need (see the file comment).
struct OranPrachSizing {
  /// One past the last sample, from the start of its slot, of the latest-ending window of any
  /// occasion the carrier can carry (short formats inside their slot; long formats: format 2's
  /// 3.5 ms); 0 when the carrier can carry none.
  std::uint64_t longest_window = 0;
  /// Slots the longest-spanning window touches, its own first.
  unsigned window_slots = 0;
  /// Largest numPrbc x numSymbol of one occasion.
  unsigned max_prb_periods = 0;
  bool long_formats = false;  ///< Whether the carrier can carry a long format (0-3).
  bool short_formats = false; ///< Whether it can carry a short one (A1 .. C2).
  /// PRB-periods (numPrbc x numSymbol, per antenna) of the occasions of one slot at most.
  std::size_t prb_periods_per_slot = 0;
  /// Occasions requested and not yet over at once (see oran_prach_sizing()).
  unsigned occasions_in_flight = 0;
  /// Their PRB-periods (per antenna) at most.
  std::size_t prb_periods_in_flight = 0;
};

/// The sizing of \p cell's PRACH stream when the DU's C-plane leads its slot by up to
/// \p lead_slots slots. \throws std::invalid_argument for an invalid cell.
[[nodiscard]] OranPrachSizing oran_prach_sizing(const phy::CellConfig& cell, unsigned lead_slots);

} // namespace airan::io
