/// \file
/// \brief The fronthaul slot clock: O-RAN timing header (frameId mod 256, subframeId, slotId,
/// symbol) to a slot index within the 256-frame (2.56 s) cycle, to an absolute slot count from
/// an anchor, and to nominal times in ns that follow the real cyclic-prefix lengths (the longer
/// first symbol of every half subframe).
///
/// Times: subframe n (absolute, counted from the anchor) starts at epoch + n ms; the slots and
/// symbols in it follow TS 38.211 5.3.1's CP and symbol lengths in T_c units, rounded to the
/// nearest ns (so with mu >= 2 and the normal CP the first slot of each half subframe is 16 kappa
/// T_c = 0.52 us longer than the others); subframe and cycle lengths are exact (1 ms, 2.56 s). A
/// packet's cycle slot is resolved to the absolute slot nearest to a reference (the slot of its
/// arrival time), which handles the wrap of frameId.
#pragma once

#include "airan/io/oran_common.h"
#include "airan/phy/numerology.h"

#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace airan::io {

/// Frames in one frameId cycle (8 bits).
inline constexpr unsigned oran_frames_per_cycle = 256;
/// Length of the frameId cycle: 256 frames of 10 ms.
inline constexpr std::int64_t oran_cycle_ns = 2'560'000'000;

/// CLOCK_REALTIME now, in ns: the clock a live DU and RU share (a live link's frame 0 is at the
/// GPS epoch by default, gps_frame_epoch_ns).
inline std::int64_t realtime_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

/// Leap seconds between GPS time and UTC (TAI - 19 s - UTC; 18 since 2017-01-01).
inline constexpr std::int64_t gps_utc_leap_seconds = 18;
/// CLOCK_REALTIME ns (UTC, as a PTP-disciplined clock runs it) at which a GPS frame starts that
/// is frame 0 of both the 256-frame frameId cycle and the 1024-frame SFN cycle: the GPS epoch
/// (1980-01-06T00:00:00, Unix second 315964800) moved by the leap seconds since, so that O-RAN's
/// frameId = floor(GPS time / 10 ms) mod 256 (CUS 9.7.2 with the M-plane's gps-Alpha and
/// gps-Beta at 0) and SFN = floor(GPS time / 10 ms) mod 1024 hold for times after the last leap
/// second.
inline constexpr std::int64_t gps_frame_epoch_ns =
    (315'964'800 - gps_utc_leap_seconds) * std::int64_t{1'000'000'000};

/// The time the slot clocks of a live link run on ("air time") against wall-clock time
/// (CLOCK_REALTIME ns): the same at scale 1; at scale s > 1 the air interface runs s times
/// slower (a CPU receiver that cannot keep up with 1 ms / 2^mu slots, tests on loaded machines).
/// Both are anchored at epoch_ns, so that every process with the same timeline numbers the same
/// frames at the same wall-clock time.
struct AirTimeline {
  std::int64_t epoch_ns = gps_frame_epoch_ns; ///< Wall = air here: frame 0's start.
  double scale = 1.0;                         ///< Wall-clock ns per air ns (> 0).

  /// Largest slow-down (scale) a timeline takes.
  static constexpr double max_scale = 1000.0;

  /// Empty when usable, else the problem: scale in [1, max_scale] (a slow-down), epoch_ns in
  /// [0, 2^62] (so that wall - epoch and its scaled air time stay within 64 bits).
  [[nodiscard]] std::string validate() const {
    if (!(scale >= 1.0 && scale <= max_scale)) {
      return "the timeline's scale must lie in [1, 1000]";
    }
    if (epoch_ns < 0 || epoch_ns > (std::int64_t{1} << 62)) {
      return "the timeline's epoch must lie in [0, 2^62] ns";
    }
    return {};
  }

  /// Air time at wall-clock time \p wall_ns (exact at scale 1; within 1 ns otherwise).
  [[nodiscard]] std::int64_t air_ns(std::int64_t wall_ns) const {
    if (scale == 1.0) {
      return wall_ns;
    }
    return epoch_ns + static_cast<std::int64_t>(static_cast<long double>(wall_ns - epoch_ns) /
                                                static_cast<long double>(scale));
  }
  /// Wall-clock time of air time \p air_ns (the inverse of air_ns()).
  [[nodiscard]] std::int64_t wall_ns(std::int64_t air_ns) const {
    if (scale == 1.0) {
      return air_ns;
    }
    return epoch_ns + static_cast<std::int64_t>(static_cast<long double>(air_ns - epoch_ns) *
                                                static_cast<long double>(scale));
  }
};

/// Slot clock of one numerology.
class FronthaulSlotClock {
public:
  /// \throws std::invalid_argument for mu > 6 or an extended CP with mu != 2.
  FronthaulSlotClock(unsigned mu, phy::CyclicPrefix cp);

  [[nodiscard]] unsigned mu() const { return mu_; }
  [[nodiscard]] unsigned symbols_per_slot() const { return symbols_per_slot_; }
  [[nodiscard]] unsigned slots_per_frame() const { return phy::slots_per_frame(mu_); }
  /// Slots in the 256-frame cycle.
  [[nodiscard]] unsigned slots_per_cycle() const {
    return oran_frames_per_cycle * slots_per_frame();
  }
  /// 1 ms / 2^mu in ns: the mean slot length (see the file comment).
  [[nodiscard]] std::int64_t slot_duration_ns() const { return slot_ns_; }

  /// Slot index in the cycle (frame_id * slots per frame + subframe_id * 2^mu + slot_id), or
  /// nullopt when subframeId >= 10, slotId >= 2^mu or the symbol is past the slot.
  [[nodiscard]] std::optional<unsigned> cycle_slot(const OranTimingHeader& timing) const;
  /// Timing header fields (uplink, symbol \p symbol) of absolute or cycle slot \p slot.
  [[nodiscard]] OranTimingHeader timing_header(std::uint64_t slot, unsigned symbol) const;
  /// Slot number within its frame (what DMRS and CP lengths depend on).
  [[nodiscard]] unsigned slot_in_frame(std::int64_t absolute_slot) const;

  /// Start of symbol \p symbol (its cyclic prefix) from the start of slot \p slot_in_frame.
  [[nodiscard]] std::int64_t symbol_offset_ns(unsigned slot_in_frame, unsigned symbol) const;
  /// Length of symbol \p symbol with its cyclic prefix.
  [[nodiscard]] std::int64_t symbol_duration_ns(unsigned slot_in_frame, unsigned symbol) const;

  /// Start of absolute slot \p absolute_slot: the start of its subframe + the lengths of the
  /// slots before it in the subframe.
  [[nodiscard]] std::int64_t slot_start_ns(std::int64_t epoch_ns, std::int64_t absolute_slot) const;
  /// Start of symbol \p symbol of \p absolute_slot.
  [[nodiscard]] std::int64_t symbol_start_ns(std::int64_t epoch_ns, std::int64_t absolute_slot,
                                             unsigned symbol) const;
  /// The absolute slot that contains \p time_ns (floor; negative before the epoch).
  [[nodiscard]] std::int64_t absolute_slot_at(std::int64_t epoch_ns, std::int64_t time_ns) const;

  /// The absolute slot congruent to \p cycle_slot modulo the cycle that is nearest to
  /// \p reference_absolute_slot (ties resolve to the later one).
  [[nodiscard]] std::int64_t resolve(unsigned cycle_slot,
                                     std::int64_t reference_absolute_slot) const;

  /// Signed distance a - b between two cycle slots across the wrap, in
  /// [-slots_per_cycle / 2, slots_per_cycle / 2).
  [[nodiscard]] std::int64_t cycle_distance(unsigned a, unsigned b) const;

  /// The epoch that makes \p cycle_slot absolute slot \p cycle_slot and puts the start of its
  /// \p symbol at \p symbol_start_ns: how a replay learns its anchor from the first packet.
  [[nodiscard]] std::int64_t epoch_for(unsigned cycle_slot, unsigned symbol,
                                       std::int64_t symbol_start_ns) const;

private:
  unsigned mu_;
  unsigned symbols_per_slot_;
  std::int64_t slot_ns_;
  /// Start of each slot of a subframe from the subframe start, one more entry for its end.
  std::array<std::int64_t, (1U << phy::max_numerology) + 1> slot_offsets_{};
  /// Symbol start offsets (ns) of the first slot of a half subframe and of the others, with one
  /// more entry for the slot end.
  std::array<std::int64_t, phy::max_symbols_per_slot + 1> first_slot_offsets_{};
  std::array<std::int64_t, phy::max_symbols_per_slot + 1> other_slot_offsets_{};
};

} // namespace airan::io
