#include "airan/l1/slot_clock.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::l1 {

SlotClockMode parse_slot_clock_mode(const char* text) {
  const std::string mode = text;
  if (mode == "stepped") {
    return SlotClockMode::stepped;
  }
  if (mode == "real-time" || mode == "real_time") {
    return SlotClockMode::real_time;
  }
  throw std::invalid_argument("slot clock '" + mode + "' is neither 'stepped' nor 'real-time'");
}

FapiSlotAddress to_slot_address(std::uint64_t absolute_slot, unsigned slots_per_frame) {
  const std::uint64_t period = 1024ULL * slots_per_frame;
  const std::uint64_t in_period = absolute_slot % period;
  return {static_cast<std::uint16_t>(in_period / slots_per_frame),
          static_cast<std::uint16_t>(in_period % slots_per_frame)};
}

std::int64_t absolute_slot_near_air(const io::FronthaulSlotClock& clock, std::int64_t epoch_ns,
                                    std::int64_t air_ns, FapiSlotAddress address) {
  const std::int64_t on_air = std::max<std::int64_t>(clock.absolute_slot_at(epoch_ns, air_ns), 0);
  return static_cast<std::int64_t>(
      nearest_absolute_slot(static_cast<std::uint64_t>(on_air), address, clock.slots_per_frame()));
}

std::uint64_t nearest_absolute_slot(std::uint64_t reference, FapiSlotAddress address,
                                    unsigned slots_per_frame) {
  const auto period = static_cast<std::int64_t>(1024ULL * slots_per_frame);
  const auto target = static_cast<std::int64_t>(address.sfn) * slots_per_frame + address.slot;
  const auto here = static_cast<std::int64_t>(reference % static_cast<std::uint64_t>(period));
  std::int64_t diff = target - here;
  if (diff >= period / 2) {
    diff -= period;
  } else if (diff < -period / 2) {
    diff += period;
  }
  if (diff < 0 && static_cast<std::uint64_t>(-diff) > reference) {
    diff += period; // Before the first slot: the next occurrence instead.
  }
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(reference) + diff);
}

SlotClock::SlotClock(unsigned numerology, SlotClockMode mode, double period_scale)
    : mode_(mode), numerology_(numerology), slots_per_frame_(10U << numerology) {
  if (numerology > 4) {
    throw std::invalid_argument("slot clock: numerology " + std::to_string(numerology) +
                                " (0 .. 4)");
  }
  // At most 1000, as AirTimeline's: the period in ns must fit its int64 (1e300 did not).
  if (!(period_scale > 0.0 && period_scale <= 1000.0)) {
    throw std::invalid_argument("slot clock: the period scale must be in (0, 1000]");
  }
  period_ = std::chrono::nanoseconds(
      static_cast<std::int64_t>(1e6 / static_cast<double>(1U << numerology) * period_scale));
}

void SlotClock::start(SteadyClock::time_point now) {
  start_ = now;
  first_ = 0;
  current_ = 0;
  timeline_.reset();
}

void SlotClock::start_on(const io::AirTimeline& timeline, SteadyClock::time_point now,
                         std::int64_t wall_now_ns) {
  // Equal slot lengths of 1 ms / 2^mu air ns from the epoch: within 0.52 us of the O-RU's
  // (io::FronthaulSlotClock's CP rule for mu >= 2), far below any slot-level decision.
  const std::int64_t air_since_epoch = timeline.air_ns(wall_now_ns) - timeline.epoch_ns;
  if (air_since_epoch < 0) {
    throw std::invalid_argument("slot clock: the wall clock is before the fronthaul's epoch");
  }
  timeline_ = timeline;
  first_ = static_cast<std::uint64_t>(air_since_epoch / slot_air_ns());
  current_ = first_;
  first_wall_ns_ = slot_start_wall_ns(first_);
  start_ = now - std::chrono::nanoseconds(wall_now_ns - first_wall_ns_);
}

std::int64_t SlotClock::slot_air_ns() const {
  return static_cast<std::int64_t>(1'000'000) >> numerology_;
}

std::int64_t SlotClock::slot_start_wall_ns(std::uint64_t slot) const {
  return timeline_->wall_ns(timeline_->epoch_ns + static_cast<std::int64_t>(slot) * slot_air_ns());
}

SteadyClock::time_point SlotClock::current_slot_end() const {
  if (timeline_) {
    // Each end from the timeline itself: a scale whose period is no whole number of ns does not
    // drift from the O-RU's slots.
    return start_ + std::chrono::nanoseconds(slot_start_wall_ns(current_ + 1) - first_wall_ns_);
  }
  return start_ + period_ * static_cast<std::int64_t>(current_ - first_ + 1);
}

ClockPair read_clock_pair() {
  // The wall clock between two steady reads; the closest of a few tries (a preemption between
  // the reads would move every slot of the session by as much).
  ClockPair best;
  SteadyClock::duration best_gap = SteadyClock::duration::max();
  for (int attempt = 0; attempt < 8; ++attempt) {
    const auto before = SteadyClock::now();
    const std::int64_t wall = io::realtime_ns();
    const auto after = SteadyClock::now();
    if (after - before < best_gap) {
      best_gap = after - before;
      best = {before + (after - before) / 2, wall};
    }
    if (best_gap < std::chrono::microseconds(2)) {
      break;
    }
  }
  return best;
}

bool SlotClock::current_slot_ended(SteadyClock::time_point now, IqSource& source) const {
  if (mode_ == SlotClockMode::real_time) {
    return now >= current_slot_end();
  }
  const FapiSlotAddress address = current_address();
  return source.wait_for(address.sfn, address.slot, std::chrono::microseconds(0));
}

} // namespace airan::l1
