/// \file
/// \brief FronthaulSampleFeeder's live O-RU (C-plane over a link on an air timeline): the MAC's
/// pushes hand slots to a thread of the O-RU's own, which reads the DU's C-plane as it comes and
/// sends each symbol's requested sections once its reception window has closed.
#include "airan/l1/fronthaul_sample_feeder.h"

#include "airan/l1/fronthaul_paced_sender.h"

#include <chrono>
#include <utility>

namespace airan::l1 {

bool FronthaulSampleFeeder::hand_to_live_oru(std::uint16_t sfn, std::uint16_t slot,
                                             std::chrono::microseconds timeout, bool from_iq,
                                             bool empty) {
  const std::int64_t absolute = absolute_slot(sfn, slot);
  const auto key = static_cast<unsigned>(absolute % emulator_.clock().slots_per_cycle());
  std::unique_lock lock(mutex_);
  const bool room = live_changed_.wait_for(
      lock, timeout, [&] { return live_count_ < live_slots_.size() || live_stop_; });
  if (live_error_) { // the O-RU's thread failed (before or during the wait): the failure is the
    std::rethrow_exception(live_error_); // MAC's, as it was before
  }
  const bool asked_nothing = nothing_asked_.erase(key); // a refused slot's mark goes too
  if (!room || live_stop_) {
    ++counters_.slots_refused;
    return false;
  }
  // The entry after the thread's is the MAC's until it is counted in.
  LiveSlot& entry = live_slots_[(live_head_ + live_count_) % live_slots_.size()];
  lock.unlock();
  if (!empty) {
    std::swap(entry.samples.grid, slot_.grid); // the buffers go round the ring: no copy
    std::swap(entry.samples.iq, slot_.iq);
    entry.samples.iq_samples_per_antenna = slot_.iq_samples_per_antenna;
  }
  entry.samples.slot = slot;
  entry.samples.absolute_slot = static_cast<std::uint64_t>(absolute);
  entry.from_iq = from_iq;
  entry.asked_nothing = asked_nothing;
  entry.empty = empty;
  entry.next_symbol = 0;
  entry.requested = false;
  entry.frames = 0;
  lock.lock();
  ++live_count_;
  return true;
}

void FronthaulSampleFeeder::run_live_oru() {
  for (;;) {
    LiveSlot* head = nullptr;
    {
      std::unique_lock lock(mutex_);
      if (live_stop_) {
        return;
      }
      if (live_discard_) {     // STOP.request: the slots scheduled ahead are nobody's
        if (live_count_ > 0) { // the frames the head slot had queued already
          counters_.uplane_frames += live_slots_[live_head_].frames;
        }
        counters_.slots_discarded_at_stop += live_count_;
        if (live_count_ > 0) { // their C-plane is nobody's either
          const LiveSlot& last = live_slots_[(live_head_ + live_count_ - 1) % live_slots_.size()];
          forget_cplane_through(static_cast<unsigned>(last.samples.absolute_slot %
                                                      emulator_.clock().slots_per_cycle()));
        }
        live_head_ = (live_head_ + live_count_) % live_slots_.size();
        live_count_ = 0;
        live_discard_ = false;
        live_changed_.notify_all();
      }
      if (live_count_ > 0) {
        head = &live_slots_[live_head_];
      }
    }
    // The DU's C-plane as it comes (on_cplane_frame() counts its arrival against T2a). The air
    // time that decides which symbols are final is read before the link: a frame that comes
    // while receive() runs, before a window closes, must not find that window taken as closed.
    unsigned received = 0;
    bool finished = false;
    bool advanced = false;
    try {
      const std::int64_t air_now = timeline_->air_ns(io::realtime_ns());
      received = link_out_->receive(*this);
      advanced = head != nullptr && advance_live_slot(*head, air_now);
    } catch (...) { // e.g. a slot the O-RU cannot send: the MAC's next push or finish() throws it
      const std::lock_guard lock(mutex_);
      live_error_ = std::current_exception();
      live_stop_ = true;
      live_changed_.notify_all();
      return;
    }
    if (advanced) {
      const std::lock_guard lock(mutex_);
      live_head_ = (live_head_ + 1) % live_slots_.size();
      --live_count_;
      finished = true;
      live_changed_.notify_all();
    }
    if (received == 0 && !finished) {
      // With a slot in hand, symbols become final every 36 us (30 kHz) at full speed; with none
      // (between sessions) a slower poll: the MAC hands a slot over slots before its C-plane.
      std::this_thread::sleep_for(std::chrono::microseconds(head != nullptr ? 20 : 200));
    }
  }
}

bool FronthaulSampleFeeder::advance_live_slot(LiveSlot& entry, std::int64_t air_now) {
  const auto& clock = emulator_.clock();
  const auto absolute = static_cast<std::int64_t>(entry.samples.absolute_slot);
  const auto key = static_cast<unsigned>(absolute % clock.slots_per_cycle());
  const std::int64_t epoch_ns = timeline_->epoch_ns;
  const unsigned symbols = clock.symbols_per_slot();
  unsigned final_end = entry.empty ? symbols : entry.next_symbol;
  // Symbol l's C-plane is final once its reception window has closed.
  while (final_end < symbols && air_now >= clock.symbol_start_ns(epoch_ns, absolute, final_end) -
                                               config_.t2a_min_cp_ul_ns) {
    ++final_end;
  }
  if (final_end == entry.next_symbol && !entry.empty) {
    return false;
  }
  const auto out = [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
    paced_->queue(frame, timeline_->wall_ns(tx_ns)); // the sender counts what is late
    ++entry.frames;
  };
  if (!entry.empty) {
    {
      const std::lock_guard lock(mutex_);
      const auto requests = cplane_.find(key);
      live_requests_.assign(requests.begin(), requests.end());
    }
    if (!live_requests_.empty()) {
      entry.requested = true;
      emulator_.packetize_symbols(entry.samples, absolute, epoch_ns, out, live_requests_,
                                  entry.next_symbol, final_end);
    }
  }
  entry.next_symbol = final_end;
  if (final_end < symbols) {
    return false;
  }
  // The slot is over: the PRACH occasions its type 3 requests ask for, those it completes.
  std::uint64_t refused = 0;
  std::uint64_t prach_frames = 0;
  {
    const std::lock_guard lock(mutex_);
    const auto prach_requests = cplane_prach_.find(key);
    live_prach_requests_.assign(prach_requests.begin(), prach_requests.end());
  }
  if (ru_prach_ != nullptr && !entry.empty) {
    for (const io::RuPrachRequest& request : live_prach_requests_) {
      refused += ru_prach_->add_request(absolute, request).empty() ? 0 : 1;
    }
    if (entry.from_iq) {
      const std::uint64_t before = entry.frames;
      ru_prach_->add_slot(absolute, epoch_ns, entry.samples.iq, out);
      prach_frames = entry.frames - before;
    }
  }
  const std::lock_guard lock(mutex_);
  if (!entry.empty && !entry.asked_nothing && !entry.requested && live_prach_requests_.empty()) {
    ++counters_.cplane_missing; // PDUs were scheduled, nothing was asked for in time
  }
  forget_cplane_through(key);
  ++counters_.slots;
  counters_.uplane_frames += entry.frames; // as over a link without the thread: PRACH's too
  counters_.prach_frames += prach_frames;
  counters_.prach_refused += refused;
  return true;
}

void FronthaulSampleFeeder::stop_live_oru() {
  if (!live_oru_.joinable()) {
    return;
  }
  {
    const std::lock_guard lock(mutex_);
    live_stop_ = true;
    live_changed_.notify_all();
  }
  live_oru_.join();
}

} // namespace airan::l1
