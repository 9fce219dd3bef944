/// \file
/// \brief FronthaulLinkReceiver with C-plane: the L1's own C-plane frames (requests to the slot
/// assembler, PRACH expectations), the slots handed to the source in the L1's order (empty ones,
/// lost ones), and the 7.2x PRACH occasions that go with them.
#include "airan/l1/fronthaul_link_receiver.h"

#include <algorithm>

namespace airan::l1 {
namespace {

/// The values \p prach's section holds: antennas x periods x REs.
std::size_t prach_value_count(const ReceivedPrach& prach) {
  return std::size_t{prach.section.num_antennas} * prach.section.num_periods *
         prach.section.num_res;
}

} // namespace

ReceivedPrach to_received_prach(const io::AssembledPrach& occasion) {
  ReceivedPrach received;
  received.cycle_slot = occasion.cycle_slot;
  received.start_symbol = occasion.start_symbol;
  received.section_id = occasion.section_id;
  received.frequency_offset = occasion.frequency_offset;
  received.section = {occasion.num_antennas,
                      occasion.num_periods,
                      occasion.num_res,
                      occasion.frequency_offset / 2,
                      {},
                      occasion.missing_prbs};
  return received;
}

void FronthaulLinkReceiver::take_prach_occasions() {
  while (const io::AssembledPrach* occasion = prach_->next_occasion()) {
    if (prach_ready_.size() == max_prach_occasions ||
        prach_values_.size() + occasion->values.size() > prach_values_limit_) {
      ++counters_.prach_dropped; // no room until the next slot takes the others
      prach_->release(occasion);
      continue;
    }
    prach_ready_.push_back(to_received_prach(*occasion));
    prach_offsets_.push_back(prach_values_.size());
    prach_values_.insert(prach_values_.end(), occasion->values.begin(), occasion->values.end());
    prach_->release(occasion);
  }
}

std::span<const ReceivedPrach> FronthaulLinkReceiver::ready_prach(std::int64_t absolute) {
  // The occasions of slot \p absolute and before: the L1 knows a later slot's only once it
  // closes that slot.
  prach_out_.clear();
  prach_out_index_.clear();
  const std::int64_t now_slot = session_base_ + absolute;
  for (std::size_t i = 0; i < prach_ready_.size(); ++i) {
    if (assembler_.clock().resolve(prach_ready_[i].cycle_slot, now_slot) > now_slot) {
      continue;
    }
    ReceivedPrach& out = prach_out_.emplace_back(prach_ready_[i]);
    out.section.values = std::span<const phy::cf32>(prach_values_)
                             .subspan(prach_offsets_[i], prach_value_count(prach_ready_[i]));
    prach_out_index_.push_back(i);
  }
  return prach_out_;
}

void FronthaulLinkReceiver::prepare_prach(std::int64_t absolute) {
  if (prach_) {
    // Occasions whose window ended a slot or more before this slot starts are overdue.
    const std::int64_t epoch = *config_.epoch_ns;
    prach_->advance(assembler_.clock().slot_start_ns(epoch, session_base_ + absolute) + 1, epoch);
    take_prach_occasions();
  }
}

void FronthaulLinkReceiver::prach_handed_over(bool taken) {
  if (prach_out_index_.empty() || !taken) {
    return; // a refused slot leaves them for the next one
  }
  counters_.prach_occasions += prach_out_index_.size();
  for (auto index = prach_out_index_.rbegin(); index != prach_out_index_.rend(); ++index) {
    prach_ready_.erase(prach_ready_.begin() + static_cast<std::ptrdiff_t>(*index));
    prach_offsets_.erase(prach_offsets_.begin() + static_cast<std::ptrdiff_t>(*index));
  }
  prach_out_.clear();
  prach_out_index_.clear();
  // The values of the occasions still waiting move down over those handed over (in order:
  // each moves to or below where it was), so that the space of the others is free again.
  std::size_t end = 0;
  for (std::size_t i = 0; i < prach_ready_.size(); ++i) {
    const std::size_t count = prach_value_count(prach_ready_[i]);
    if (prach_offsets_[i] != end) {
      const auto from = prach_values_.begin() + static_cast<std::ptrdiff_t>(prach_offsets_[i]);
      std::copy(from, from + static_cast<std::ptrdiff_t>(count),
                prach_values_.begin() + static_cast<std::ptrdiff_t>(end));
    }
    prach_offsets_[i] = end;
    end += count;
  }
  prach_values_.resize(end);
}

void FronthaulLinkReceiver::on_cplane_frame(std::span<const std::uint8_t> frame) {
  cplane_seen_ = true;
  ++counters_.cplane_frames;
  cplane_requests_.clear();
  cplane_prach_requests_.clear();
  // Type 3 PRACH requests are taken too (counted), for the PRACH assembler below.
  const io::RuCplaneTally tally =
      io::take_cplane_frame(frame, link_, cplane_scope_, assembler_.clock(), cplane_requests_,
                            prach_ ? &cplane_prach_requests_ : nullptr);
  counters_.cplane_sections += tally.sections_taken;
  counters_.cplane_ignored += tally.messages_ignored + tally.sections_ignored;
  if (prach_) {
    prach_->expect_cplane_frame(frame);
    take_prach_occasions(); // occasions it dispatched to make room
  }
  for (const auto& [cycle_slot, requests] : cplane_requests_) {
    assembler_.expect_sections(cycle_slot, requests);
    // What this slot's C-plane asked for decides how it is handed over, whatever the assembler
    // made of it (refused requests leave it expecting the whole carrier).
    if (std::ranges::find(requested_cycle_slots_, cycle_slot) == requested_cycle_slots_.end() &&
        requested_cycle_slots_.size() < requested_cycle_slots_.capacity()) {
      requested_cycle_slots_.push_back(cycle_slot);
    }
  }
  deliver(); // requests that a slot's units already met dispatched it
}

void FronthaulLinkReceiver::on_cplane_slot_done(std::uint16_t sfn, std::uint16_t slot) {
  if (slot >= slots_per_frame_) {
    return;
  }
  cplane_seen_ = true;
  // The L1's own slots move the count: the O-RU's next frames are near them, however many
  // slots it sent nothing for. Live, the slot on air now is the reference.
  if (timeline_) {
    count_ = std::max(count_, air_slot_at(io::realtime_ns()));
  }
  const auto absolute = static_cast<std::int64_t>(
      nearest_absolute_slot(static_cast<std::uint64_t>(std::max<std::int64_t>(count_, 0)),
                            {sfn, slot}, slots_per_frame_));
  count_ = started_ ? std::max(count_, absolute) : absolute;
  started_ = true;
  const auto cycle_slot = static_cast<unsigned>(((sfn % 256U) * slots_per_frame_ + slot) %
                                                assembler_.clock().slots_per_cycle());
  const auto marked = std::ranges::find(requested_cycle_slots_, cycle_slot);
  const bool requested = marked != requested_cycle_slots_.end();
  if (requested) {
    requested_cycle_slots_.erase(marked);
  }
  if (std::ranges::find(delivered_early_, absolute) != delivered_early_.end()) {
    return; // its U-plane came, whole, before its C-plane was done, and went to the source
  }
  if (handovers_.size() == handovers_.capacity()) {
    hand_over_empty(handovers_.front()); // a MAC this far ahead: the oldest goes now
    handovers_.erase(handovers_.begin());
  }
  // In slot order: a MAC may send its UL_TTI.requests, and so the C-plane, out of slot order.
  const auto later = std::ranges::find_if(
      handovers_, [&](const Handover& queued) { return queued.absolute > absolute; });
  handovers_.insert(later, {absolute, {sfn, slot}, requested, SteadyClock::now()});
  hand_over_in_order();
}

void FronthaulLinkReceiver::hand_over_empty(const Handover& handover) {
  prepare_prach(handover.absolute);
  const bool taken = target_.push_empty(handover.address.sfn, handover.address.slot,
                                        ready_prach(handover.absolute), push_timeout_);
  prach_handed_over(taken);
  if (!taken) {
    ++counters_.empty_slots_refused;
  } else if (handover.requested) {
    ++counters_.slots_lost; // asked for, and nothing of it came
  } else {
    ++counters_.slots_empty;
  }
  if (handover.requested) {
    // Given up: its late U-plane counts as too late, and its requests do not wait for the same
    // slot of a later cycle.
    assembler_.give_up(session_base_ + handover.absolute);
    assembler_.drop_requests(static_cast<unsigned>(
        ((handover.address.sfn % 256U) * slots_per_frame_ + handover.address.slot) %
        assembler_.clock().slots_per_cycle()));
  }
}

void FronthaulLinkReceiver::hand_over_in_order() {
  // Slots asked nothing of follow the slots before them: the source fills in the L1's order.
  while (!handovers_.empty() && !handovers_.front().requested) {
    hand_over_empty(handovers_.front());
    handovers_.erase(handovers_.begin());
  }
}

void FronthaulLinkReceiver::hand_over_before(std::int64_t absolute) {
  // The slots the L1's C-plane finished before it are over: empty ones, and requested ones whose
  // U-plane never came.
  while (!handovers_.empty() && handovers_.front().absolute < absolute) {
    hand_over_empty(handovers_.front());
    handovers_.erase(handovers_.begin());
  }
}

void FronthaulLinkReceiver::note_delivered(std::int64_t absolute) {
  const auto queued = std::ranges::find_if(
      handovers_, [&](const Handover& handover) { return handover.absolute == absolute; });
  if (queued != handovers_.end()) {
    handovers_.erase(queued);
  } else if (cplane_seen_) {
    delivered_early_[delivered_early_next_] = absolute; // its C-plane is not done yet
    delivered_early_next_ = (delivered_early_next_ + 1) % delivered_early_.size();
  }
}

bool FronthaulLinkReceiver::release_lost_if_quiet(SteadyClock::time_point now) {
  // Slots asked for of which none came, the link quiet since their C-plane: over.
  bool released = false;
  while (!handovers_.empty() && assembler_.pending_slots() == 0 &&
         now - std::max(last_frame_at_, handovers_.front().queued_at) >=
             std::max<SteadyClock::duration>(quiet_timeout_, lost_after)) {
    hand_over_empty(handovers_.front());
    handovers_.erase(handovers_.begin());
    hand_over_in_order();
    released = true;
  }
  return released;
}

void FronthaulLinkReceiver::forget_cplane() {
  handovers_.clear();
  requested_cycle_slots_.clear();
  delivered_early_.fill(never_delivered);
  delivered_early_next_ = 0;
  cplane_seen_ = false;
}

} // namespace airan::l1
