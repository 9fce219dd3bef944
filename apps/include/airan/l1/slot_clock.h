/// \file
/// \brief The L1's slot clock: which slot is on air, when it ends, and the mapping between the
/// L1's absolute slot count and FAPI's (SFN, slot).
///
/// Two modes. **real_time**: slot boundaries every 1 ms / 2^mu of wall time (optionally scaled,
/// e.g. x4 for a CPU receiver that cannot keep up with the air interface). **stepped**: a slot
/// ends when its received samples are complete in the IqSource, the way a radio's sample stream
/// defines the boundaries; this runs as fast as the MAC and the receiver allow and makes tests
/// deterministic. On a live fronthaul the real-time clock counts from the fronthaul's epoch
/// (start_on()), so that its SFN is the O-RU's (GPS time for O-RAN).
#pragma once

#include "airan/io/fronthaul_timing.h"
#include "airan/l1/iq_source.h"

#include <chrono>
#include <cstdint>
#include <optional>

namespace airan::l1 {

/// How slot boundaries are decided.
enum class SlotClockMode : std::uint8_t {
  stepped,   ///< A slot ends when its samples are complete in the IqSource.
  real_time, ///< A slot ends every slot duration (x period_scale) of wall-clock time.
};

/// Parses "stepped" or "real-time". \throws std::invalid_argument.
SlotClockMode parse_slot_clock_mode(const char* text);

/// FAPI slot address.
struct FapiSlotAddress {
  std::uint16_t sfn = 0;  ///< 0 .. 1023.
  std::uint16_t slot = 0; ///< 0 .. slots per frame - 1.
  friend bool operator==(const FapiSlotAddress&, const FapiSlotAddress&) = default;
};

/// (SFN, slot) of absolute slot \p absolute_slot (SFN wraps after 1024 frames).
FapiSlotAddress to_slot_address(std::uint64_t absolute_slot, unsigned slots_per_frame);

/// The absolute slot closest to \p reference whose (SFN, slot) is \p address: within half the
/// SFN period (1024 frames) before or after it. \pre address.slot < slots_per_frame.
std::uint64_t nearest_absolute_slot(std::uint64_t reference, FapiSlotAddress address,
                                    unsigned slots_per_frame);

/// On a live link (its epoch is frame 0 of the SFN period: absolute slot n is SFN n / slots mod
/// 1024, slot n mod slots): the absolute slot whose (SFN, slot) is \p address nearest to the slot
/// on air at air time \p air_ns on \p clock from \p epoch_ns (slot 0 before the epoch).
std::int64_t absolute_slot_near_air(const io::FronthaulSlotClock& clock, std::int64_t epoch_ns,
                                    std::int64_t air_ns, FapiSlotAddress address);

/// The steady clock and CLOCK_REALTIME read at (nearly) the same instant.
struct ClockPair {
  SteadyClock::time_point steady{};
  std::int64_t wall_ns = 0;
};

/// Reads both clocks a few times and keeps the pair read closest together (within 2 us when
/// the thread is not preempted): SlotClock::start_on()'s anchor.
ClockPair read_clock_pair();

/// Counts slots from START. Not thread-safe (the L1's slot thread owns it).
class SlotClock {
public:
  /// \param numerology mu (slot duration 1 ms / 2^mu). \param period_scale real_time only: the
  /// slot period is multiplied by it (>= 1 slows the clock down).
  SlotClock(unsigned numerology, SlotClockMode mode, double period_scale = 1.0);

  [[nodiscard]] SlotClockMode mode() const { return mode_; }
  [[nodiscard]] unsigned slots_per_frame() const { return slots_per_frame_; }
  /// Wall-clock slot period (real_time), slot duration x period_scale.
  [[nodiscard]] std::chrono::nanoseconds period() const { return period_; }

  /// Restarts at absolute slot 0 = (SFN 0, slot 0), which begins at \p now.
  void start(SteadyClock::time_point now);
  /// real_time on a live fronthaul: restarts at the slot on air at \p wall_now_ns (CLOCK_REALTIME
  /// ns, read together with \p now) on \p timeline, counted from its epoch (absolute slot n =
  /// SFN n / slots per frame mod 1024, the O-RU's numbering); the slot started before \p now.
  /// \pre timeline.scale is the clock's period scale.
  void start_on(const io::AirTimeline& timeline, SteadyClock::time_point now,
                std::int64_t wall_now_ns);
  /// Absolute slot now on air.
  [[nodiscard]] std::uint64_t current() const { return current_; }
  [[nodiscard]] FapiSlotAddress current_address() const {
    return to_slot_address(current_, slots_per_frame_);
  }
  /// real_time: when the current slot ends. stepped: meaningless.
  [[nodiscard]] SteadyClock::time_point current_slot_end() const;
  /// real_time: true once the current slot's end has passed. stepped: true once \p source holds
  /// the current slot's samples.
  [[nodiscard]] bool current_slot_ended(SteadyClock::time_point now, IqSource& source) const;
  /// Moves to the next slot.
  void advance() { ++current_; }

private:
  [[nodiscard]] std::int64_t slot_air_ns() const;
  /// start_on(): CLOCK_REALTIME ns at which absolute slot \p slot starts on the timeline.
  [[nodiscard]] std::int64_t slot_start_wall_ns(std::uint64_t slot) const;

  SlotClockMode mode_;
  unsigned numerology_;
  unsigned slots_per_frame_;
  std::chrono::nanoseconds period_;
  SteadyClock::time_point start_{}; ///< When slot first_ began.
  std::uint64_t first_ = 0;
  std::optional<io::AirTimeline> timeline_; ///< start_on()'s.
  std::int64_t first_wall_ns_ = 0;          ///< When slot first_ began, CLOCK_REALTIME.
  std::uint64_t current_ = 0;
};

} // namespace airan::l1
