/// \file
/// \brief Private: the counter moves of a slot the assembler drops while it is being assembled
/// (never dispatched), shared by discard_pending_slots() and give_up().
#pragma once

#include "airan/io/fronthaul_counters.h"
#include "airan/io/fronthaul_slot_assembler.h"

#include <cstdint>

namespace airan::io::detail {

/// Moves the accepted packets of a dropped slot (\p stats) out of their Ta4 classes (early,
/// on_time, late) into \p outcome (epoch_mismatch, too_late), so that every packet still counts
/// once.
inline void uncount_dropped_slot(FronthaulCounters& counters, const AssembledSlotStats& stats,
                                 std::uint64_t FronthaulCounters::*outcome) {
  counters.early -= stats.early;
  counters.on_time -= stats.on_time;
  counters.late -= stats.late;
  counters.*outcome += stats.packets;
}

} // namespace airan::io::detail
