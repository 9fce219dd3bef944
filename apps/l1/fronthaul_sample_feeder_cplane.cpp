/// \file
/// \brief FronthaulSampleFeeder's O-RU end on C-plane: the DU's C-plane frames taken (requests by
/// slot, PRACH expectations), a slot's C-plane complete, and, over a link, received until a
/// slot's C-plane is in.
#include "airan/l1/fronthaul_sample_feeder.h"

#include "airan/io/cplane_timing_window.h"
#include "airan/io/fronthaul_address_filter.h"
#include "airan/l1/slot_clock.h"

#include <algorithm>
#include <thread>

namespace airan::l1 {

void FronthaulSampleFeeder::ul_tti_sent(std::uint16_t sfn, std::uint16_t slot, unsigned num_pdus) {
  if (link_out_ == nullptr || !use_cplane_ || num_pdus > 0) {
    return;
  }
  const std::lock_guard lock(mutex_);
  const auto& clock = emulator_.clock();
  nothing_asked_.insert(static_cast<unsigned>(((sfn % 256U) * clock.slots_per_frame() + slot) %
                                              clock.slots_per_cycle()));
}

void FronthaulSampleFeeder::on_cplane_frame(std::span<const std::uint8_t> frame) {
  const std::lock_guard lock(mutex_);
  if (io::match_frame_address(frame, config_, io::FronthaulEnd::ru) !=
      io::FrameAddressMatch::ours) {
    ++counters_.cplane_other_links; // another DU's C-plane for its own O-RU
    return;
  }
  ++counters_.cplane_frames;
  if (timeline_) { // a live O-RU: when it came, against its reception window
    const io::CplaneArrivalTally arrival = io::tally_cplane_arrival(
        frame, emulator_.clock(), timeline_->epoch_ns, timeline_->air_ns(io::realtime_ns()),
        {config_.t2a_max_cp_ul_ns, config_.t2a_min_cp_ul_ns});
    counters_.cplane_on_time += arrival.on_time;
    counters_.cplane_early += arrival.early;
    counters_.cplane_late += arrival.late;
    counters_.cplane_unclassified += arrival.unclassified;
  }
  const bool prach = ru_prach_ != nullptr;
  const io::RuCplaneTally tally =
      io::take_cplane_frame(frame, link_, emulator_.cplane_scope(), emulator_.clock(), cplane_,
                            prach ? &cplane_prach_ : nullptr);
  if (tally.messages == 0 || tally.messages_ignored != 0 || tally.sections_ignored != 0) {
    ++counters_.cplane_ignored;
  }
  if (prach_assembler_ != nullptr) {
    prach_assembler_->expect_cplane_frame(frame); // what the DU asked for, it expects
  }
}

void FronthaulSampleFeeder::on_cplane_slot_done(std::uint16_t sfn, std::uint16_t slot) {
  const std::lock_guard lock(mutex_);
  const auto& clock = emulator_.clock();
  cplane_done_.insert(static_cast<unsigned>(((sfn % 256U) * clock.slots_per_frame() + slot) %
                                            clock.slots_per_cycle()));
  cplane_arrived_.notify_all();
}

void FronthaulSampleFeeder::forget_cplane_through(unsigned key) {
  const auto& clock = emulator_.clock();
  // Entries of this slot and of slots before it (within half a cycle): a C-plane that came after
  // its slot's wait timed out would otherwise release that slot's wait a cycle later.
  const auto stale = [&](unsigned k) { return clock.cycle_distance(k, key) <= 0; };
  cplane_done_.erase_if(stale);
  cplane_.erase_if(stale);
  cplane_prach_.erase_if(stale);
}

bool FronthaulSampleFeeder::receive_link_cplane(unsigned key, std::chrono::microseconds limit) {
  const auto& clock = emulator_.clock();
  const auto start = SteadyClock::now();
  auto last_frame = start;
  const auto our_cplane_frames = [&] {
    const std::lock_guard lock(mutex_);
    return counters_.cplane_frames;
  };
  for (;;) {
    // Quiet means no C-plane of this link: other links' frames and other traffic on a shared
    // segment do not hold the wait open (nor past its limit).
    const std::uint64_t before = our_cplane_frames();
    const bool received = link_out_->receive(*this) > 0;
    const auto now = SteadyClock::now();
    if (received && our_cplane_frames() != before) {
      last_frame = now;
    }
    {
      const std::lock_guard lock(mutex_);
      const auto has_key = [&](const auto& by_slot) { return by_slot.contains(key); };
      const auto later = [&](const auto& by_slot) {
        return std::ranges::any_of(by_slot, [&](const auto& entry) {
          return clock.cycle_distance(entry.cycle_slot, key) > 0;
        });
      };
      if (later(cplane_) || later(cplane_prach_) ||
          ((has_key(cplane_) || has_key(cplane_prach_)) && now - last_frame >= link_cplane_quiet)) {
        return true;
      }
    }
    if (now - start >= limit) {
      return false;
    }
    if (!received) {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }
}

} // namespace airan::l1
