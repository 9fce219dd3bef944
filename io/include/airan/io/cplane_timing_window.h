/// \file
/// \brief O-RAN uplink C-plane timing windows: the DU's transmit window (T1a_max_cp_ul ..
/// T1a_min_cp_ul) and the O-RU's reception window (T2a_max_cp_ul .. T2a_min_cp_ul), both taken
/// before the air time of the first symbol a message is for (its startSymbolId: O-RAN CUS
/// timing relations are per symbol, so a message for symbol 10 has a window 10 symbols later
/// than one for symbol 0 of the same slot), and the O-RU's count of the C-plane messages that
/// arrive on time, early or late (the RX_ON_TIME_C, RX_EARLY_C and RX_LATE_C counters of an
/// O-RU's M-plane).
#pragma once

#include "airan/io/fronthaul_timing.h"

#include <cstdint>
#include <optional>
#include <span>

namespace airan::io {

/// Where a time falls against a window.
enum class CplaneTiming : std::uint8_t { early, on_time, late };

/// A window [symbol start - max_ns, symbol start - min_ns]; 0 <= min_ns <= max_ns.
struct CplaneWindow {
  std::int64_t max_ns = 0; ///< Opens this long before the symbol's start on air.
  std::int64_t min_ns = 0; ///< Closes this long before it.

  /// When the window of the symbol that starts at \p symbol_start_ns opens.
  [[nodiscard]] std::int64_t opens(std::int64_t symbol_start_ns) const {
    return symbol_start_ns - max_ns;
  }
  /// When it closes.
  [[nodiscard]] std::int64_t closes(std::int64_t symbol_start_ns) const {
    return symbol_start_ns - min_ns;
  }
  /// Where \p time_ns falls against the window of the symbol that starts at \p symbol_start_ns
  /// (both ends on time).
  [[nodiscard]] CplaneTiming classify(std::int64_t time_ns, std::int64_t symbol_start_ns) const {
    if (time_ns < opens(symbol_start_ns)) {
      return CplaneTiming::early;
    }
    return time_ns > closes(symbol_start_ns) ? CplaneTiming::late : CplaneTiming::on_time;
  }
};

/// Where a C-plane message's windows are taken: its slot in the 256-frame cycle and its
/// startSymbolId; and the eAxC (ecpriRtcid) whose ecpriSeqid order it keeps.
struct CplaneMessageStart {
  unsigned cycle_slot = 0;
  unsigned symbol = 0;
  std::uint16_t eaxc_id = 0;
  friend bool operator==(const CplaneMessageStart&, const CplaneMessageStart&) = default;
};

/// The start of the first C-plane message of Ethernet \p frame (the eCPRI concatenation
/// chain; U-plane messages are skipped) on \p clock; nullopt when the frame does not parse or
/// carries no C-plane message that parses and names a slot and symbol of the clock.
std::optional<CplaneMessageStart> first_cplane_message_start(std::span<const std::uint8_t> frame,
                                                             const FronthaulSlotClock& clock);

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
/// messages are not counted), which arrived at \p arrival_ns, against \p window of the symbol
/// its timing header names (startSymbolId of the absolute slot of that cycle slot nearest the
/// arrival, on \p clock from \p epoch_ns). A frame that does not parse counts one unclassified
/// message.
CplaneArrivalTally tally_cplane_arrival(std::span<const std::uint8_t> frame,
                                        const FronthaulSlotClock& clock, std::int64_t epoch_ns,
                                        std::int64_t arrival_ns, const CplaneWindow& window);

} // namespace airan::io
