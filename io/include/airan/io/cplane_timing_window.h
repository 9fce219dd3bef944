/// \file
/// \brief O-RAN uplink C-plane timing windows: the DU's transmit window (T1a_max_cp_ul ..
/// T1a_min_cp_ul) and the O-RU's reception window (T2a_max_cp_ul .. T2a_min_cp_ul), both taken
/// here before the start of the slot a message is for (its first symbol on air), and the O-RU's
/// count of the C-plane messages that arrive on time, early or late (the RX_ON_TIME_C,
/// RX_EARLY_C and RX_LATE_C counters of an O-RU's M-plane).
#pragma once

#include "airan/io/fronthaul_timing.h"

#include <cstdint>
#include <span>

namespace airan::io {

/// Where a time falls against a window.
enum class CplaneTiming : std::uint8_t { early, on_time, late };

/// A window [slot start - max_ns, slot start - min_ns]; 0 <= min_ns <= max_ns.
struct CplaneWindow {
  std::int64_t max_ns = 0; ///< Opens this long before the slot's start.
  std::int64_t min_ns = 0; ///< Closes this long before it.

  /// When the window of the slot that starts at \p slot_start_ns opens.
  [[nodiscard]] std::int64_t opens(std::int64_t slot_start_ns) const {
    return slot_start_ns - max_ns;
  }
  /// When it closes.
  [[nodiscard]] std::int64_t closes(std::int64_t slot_start_ns) const {
    return slot_start_ns - min_ns;
  }
  /// Where \p time_ns falls against the window of the slot that starts at \p slot_start_ns
  /// (both ends on time).
  [[nodiscard]] CplaneTiming classify(std::int64_t time_ns, std::int64_t slot_start_ns) const {
    if (time_ns < opens(slot_start_ns)) {
      return CplaneTiming::early;
    }
    return time_ns > closes(slot_start_ns) ? CplaneTiming::late : CplaneTiming::on_time;
  }
};

/// C-plane messages by where their arrival fell against the reception window.
struct CplaneArrivalTally {
  std::uint64_t on_time = 0;
  std::uint64_t early = 0;
  std::uint64_t late = 0;
  /// Not classified: the frame or message did not parse, or its timing header names no slot.
  std::uint64_t unclassified = 0;

  /// Adds \p other's counts to these.
  CplaneArrivalTally& operator+=(const CplaneArrivalTally& other);
  /// Messages counted, classified or not.
  [[nodiscard]] std::uint64_t total() const { return on_time + early + late + unclassified; }
};

/// Classifies each C-plane message of Ethernet \p frame (the eCPRI concatenation chain; U-plane
/// messages are not counted), which arrived at \p arrival_ns, against \p window of the slot its
/// timing header names: the absolute slot of that cycle slot nearest the arrival, on \p clock
/// from \p epoch_ns. A frame that does not parse counts one unclassified message.
CplaneArrivalTally tally_cplane_arrival(std::span<const std::uint8_t> frame,
                                        const FronthaulSlotClock& clock, std::int64_t epoch_ns,
                                        std::int64_t arrival_ns, const CplaneWindow& window);

} // namespace airan::io
