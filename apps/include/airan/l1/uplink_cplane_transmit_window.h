/// \file
/// \brief A live L1's uplink C-plane transmit window (O-RAN T1a_max_cp_ul .. T1a_min_cp_ul,
/// io::FronthaulConfig), taken per message as O-RAN CUS timing relations are: before the air
/// time of the first symbol a message is for (its startSymbolId), so that a message for symbol
/// 12 of a slot leaves 12 symbols after one for symbol 0 rather than with it (an O-RU counts a
/// message that comes before its window early, and may drop it).
///
/// Two steps use it: a slot is handed over from the CplaneFrameQueue (due()) once the window of
/// its symbol 0 opens, the earliest any of its messages may leave; each frame (one C-plane
/// message: the generator groups sections per eAxC and start symbol) then leaves once its own
/// window opens (UplinkCplanePacer, frame_window()), and is counted on time or late when it
/// leaves (count_sent()). A message that can only leave after its window closed (its
/// UL_TTI.request came that late) still leaves, counted late.
///
/// Times are on the live link's timeline (io::AirTimeline): with a slowed-down clock the window
/// is slowed down with it.
#pragma once

#include "airan/io/cplane_timing_window.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/l1/cplane_frame_queue.h"
#include "airan/phy/numerology.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

namespace airan::l1 {

/// The transmit window of one C-plane frame's first message, in air time (ns).
struct CplaneFrameWindow {
  std::int64_t absolute_slot = 0; ///< Its cycle slot's absolute slot nearest the one on air.
  unsigned symbol = 0;            ///< Its startSymbolId.
  std::uint16_t eaxc_id = 0;      ///< Its eAxC (ecpriRtcid): its ecpriSeqid's stream.
  std::int64_t symbol_start_ns = 0;
  std::int64_t opens_ns = 0;  ///< symbol_start_ns - T1a_max_cp_ul: the earliest it may leave.
  std::int64_t closes_ns = 0; ///< symbol_start_ns - T1a_min_cp_ul: the latest, on time.

  /// Whether the window has opened at air time \p air_ns.
  [[nodiscard]] bool opened(std::int64_t air_ns) const { return air_ns >= opens_ns; }
};

/// Releases each slot's C-plane from a CplaneFrameQueue (take_due()) when the window of its
/// symbol 0 opens; gives each frame its own window and counts the messages sent on time or late.
class UplinkCplaneTransmitWindow final : public CplaneSlotRelease {
public:
  /// CLOCK_REALTIME ns now (io::realtime_ns(); a test's own clock).
  using WallClock = std::function<std::int64_t()>;

  /// Slots of numerology \p mu with cyclic prefix \p cp on \p timeline, the window of \p config.
  /// \throws std::invalid_argument for an invalid window or timeline.
  UplinkCplaneTransmitWindow(unsigned mu, phy::CyclicPrefix cp, const io::AirTimeline& timeline,
                             const io::FronthaulConfig& config, WallClock now = io::realtime_ns);

  /// True once the window of symbol 0 of slot (\p sfn, \p slot) has opened (the slot of that
  /// address nearest the one on air): the earliest any of its messages may leave.
  bool due(std::uint16_t sfn, std::uint16_t slot) override;

  /// Air time now (ns, on the timeline).
  [[nodiscard]] std::int64_t air_now() const;
  /// The window of Ethernet \p frame's first C-plane message (io::first_cplane_message_start():
  /// its cycle slot taken nearest the slot on air now); nullopt when the frame does not parse or
  /// names no slot and symbol.
  [[nodiscard]] std::optional<CplaneFrameWindow>
  frame_window(std::span<const std::uint8_t> frame) const;
  /// frame_window() with its cycle slot taken nearest the slot on air at air time \p air_ns.
  [[nodiscard]] std::optional<CplaneFrameWindow> frame_window(std::span<const std::uint8_t> frame,
                                                              std::int64_t air_ns) const;

  /// Counts a message sent now against \p window: on time, late (after it closed), early
  /// (before it opened: a pacer never sends so), or unclassified when there is no window.
  void count_sent(const std::optional<CplaneFrameWindow>& window);
  /// count_sent() for a message sent at air time \p air_ns.
  void count_sent(const std::optional<CplaneFrameWindow>& window, std::int64_t air_ns);

  /// Messages sent within their window.
  [[nodiscard]] std::uint64_t messages_on_time() const { return on_time_; }
  /// Messages sent after their window closed.
  [[nodiscard]] std::uint64_t messages_late() const { return late_; }
  /// Messages sent before their window opened.
  [[nodiscard]] std::uint64_t messages_early() const { return early_; }
  /// Frames sent without a window (they did not parse): neither on time nor late.
  [[nodiscard]] std::uint64_t messages_unclassified() const { return unclassified_; }
  /// The window (T1a_max_cp_ul, T1a_min_cp_ul), in air time before a message's first symbol.
  [[nodiscard]] const io::CplaneWindow& window() const { return window_; }

private:
  /// The absolute slot on air at air time \p air_ns (0 before the epoch).
  [[nodiscard]] std::int64_t slot_on_air(std::int64_t air_ns) const;

  io::FronthaulSlotClock clock_;
  io::AirTimeline timeline_;
  io::CplaneWindow window_;
  WallClock now_;
  std::uint64_t on_time_ = 0;
  std::uint64_t late_ = 0;
  std::uint64_t early_ = 0;
  std::uint64_t unclassified_ = 0;
};

} // namespace airan::l1
