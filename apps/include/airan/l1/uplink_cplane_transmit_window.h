/// \file
/// \brief A live L1's uplink C-plane transmit window (O-RAN T1a_max_cp_ul .. T1a_min_cp_ul,
/// io::FronthaulConfig): the C-plane of a slot leaves t1a_max_cp_ul_ns before the slot starts
/// on air, all of it at once, rather than when the UL_TTI.request came (a MAC schedules slots
/// ahead: an O-RU would count that C-plane early, and may drop it). A slot whose C-plane only
/// leaves after t1a_min_cp_ul_ns before its start (its UL_TTI.request came that late) is counted
/// late by whoever sends it (count_sent()); it still leaves.
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
#include <utility>

namespace airan::l1 {

/// Releases each slot's C-plane from a CplaneFrameQueue (take_due()) at its window's opening.
class UplinkCplaneTransmitWindow final : public CplaneSlotRelease {
public:
  /// CLOCK_REALTIME ns now (io::realtime_ns(); a test's own clock).
  using WallClock = std::function<std::int64_t()>;

  /// Slots of numerology \p mu with cyclic prefix \p cp on \p timeline, the window of \p config.
  /// \throws std::invalid_argument for an invalid window or timeline.
  UplinkCplaneTransmitWindow(unsigned mu, phy::CyclicPrefix cp, const io::AirTimeline& timeline,
                             const io::FronthaulConfig& config, WallClock now = io::realtime_ns);

  /// True once slot (\p sfn, \p slot)'s window has opened (the slot of that address nearest the
  /// one on air).
  bool due(std::uint16_t sfn, std::uint16_t slot) override;
  /// Counts slot (\p sfn, \p slot)'s C-plane, sent now, on time or late (after its window
  /// closed). A window of no width (min = max) is met only by a send at that very nanosecond.
  void count_sent(std::uint16_t sfn, std::uint16_t slot);

  /// Slots whose C-plane was sent within their window.
  [[nodiscard]] std::uint64_t slots_on_time() const { return on_time_; }
  /// Slots whose C-plane was sent after their window closed.
  [[nodiscard]] std::uint64_t slots_late() const { return late_; }
  /// The window (T1a_max_cp_ul, T1a_min_cp_ul), in air time before the slot's start.
  [[nodiscard]] const io::CplaneWindow& window() const { return window_; }

private:
  /// Air time now, and the start of slot (\p sfn, \p slot) nearest the one then on air.
  [[nodiscard]] std::pair<std::int64_t, std::int64_t> now_and_slot_start(std::uint16_t sfn,
                                                                         std::uint16_t slot) const;

  io::FronthaulSlotClock clock_;
  io::AirTimeline timeline_;
  io::CplaneWindow window_;
  WallClock now_;
  std::uint64_t on_time_ = 0;
  std::uint64_t late_ = 0;
};

} // namespace airan::l1
