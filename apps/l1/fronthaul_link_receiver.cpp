#include "airan/l1/fronthaul_link_receiver.h"

#include "airan/io/ecpri.h"
#include "airan/io/fronthaul_address_filter.h"
#include "airan/io/fronthaul_timing.h"
#include "airan/io/oran_common.h"
#include "airan/io/oran_prach_sizing.h"
#include "airan/l1/slot_clock.h"

#include <algorithm>
#include <stdexcept>

namespace airan::l1 {

namespace {

/// Clock anchor of a stepped link: any fixed time works, frames carry their own ids.
constexpr std::int64_t stepped_epoch_ns = 1'700'000'000'000'000'000;

} // namespace

io::FronthaulConfig stepped_link_config(io::FronthaulConfig config) {
  config.epoch_ns = stepped_epoch_ns;
  config.slot_deadline_ns = 1'000'000'000;
  // A frame is stamped at its symbol's start: on time, whatever the O-RU's window says.
  config.ta4_min_ns = std::min<std::int64_t>(config.ta4_min_ns, 0);
  config.ta4_max_ns = 1'000'000'000;
  return config;
}

io::FronthaulConfig live_link_config(io::FronthaulConfig config, const io::AirTimeline& timeline) {
  config.epoch_ns = timeline.epoch_ns;
  return config;
}

FronthaulLinkReceiver::FronthaulLinkReceiver(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                             const io::FronthaulConfig& config,
                                             InMemoryIqSource& target,
                                             std::chrono::microseconds push_timeout,
                                             std::chrono::milliseconds quiet_timeout,
                                             std::optional<io::AirTimeline> timeline)
    : config_(timeline ? live_link_config(config, *timeline) : stepped_link_config(config)),
      target_(target), cell_(cell), push_timeout_(push_timeout), quiet_timeout_(quiet_timeout),
      assembler_(cell, num_rx_antennas, config_),
      slots_per_frame_(assembler_.clock().slots_per_frame()), num_rx_(num_rx_antennas),
      timeline_(timeline) {
  if (timeline && !timeline->validate().empty()) {
    throw std::invalid_argument("FronthaulLinkReceiver: " + timeline->validate());
  }
  link_.eaxc_layout = config_.eaxc_layout;
  link_.uplane.compression = config_.compression;
  link_.uplane.ud_comp_hdr_present = config_.dynamic_compression_header;
  link_.uplane.carrier_prbs = static_cast<std::uint16_t>(cell.num_prbs);
  last_arrival_ns_ = *config_.epoch_ns;
  cplane_scope_.du_port = config_.du_port;
  cplane_scope_.band_sector = config_.band_sector;
  cplane_scope_.cc = config_.cc;
  cplane_scope_.num_ru_ports = num_rx_antennas;
  cplane_scope_.carrier_prbs = cell.num_prbs;
  cplane_scope_.symbols_per_slot = assembler_.clock().symbols_per_slot();
  cplane_scope_.prach_first_ru_port = config_.prach_first_ru_port(num_rx_antennas);
  handovers_.reserve(64);
  requested_cycle_slots_.reserve(64);
  delivered_early_.fill(never_delivered);
}

bool FronthaulLinkReceiver::took_other_links_frame(std::span<const std::uint8_t> frame) {
  if (io::match_frame_address(frame, config_) == io::FrameAddressMatch::ours) {
    return false;
  }
  ++counters_.frames_for_other_links;
  assembler_.push(frame, last_arrival_ns_); // which counts it (other_destination, other_vlan)
  return true;
}

bool FronthaulLinkReceiver::took_frame_outside_session(std::span<const std::uint8_t> frame) {
  if (took_other_links_frame(frame)) {
    return true;
  }
  if (in_session_ && !in_session_()) {
    ++counters_.frames_outside_session;
    return true;
  }
  return false;
}

std::optional<std::int64_t>
FronthaulLinkReceiver::nominal_arrival(std::span<const std::uint8_t> frame) {
  const auto ecpri = io::parse_ecpri_frame(frame);
  if (!ecpri.ok() || ecpri.frame.message.header.type != io::EcpriMessageType::iq_data ||
      ecpri.frame.message.application_payload.size() < io::oran_timing_header_size) {
    return last_arrival_ns_; // the assembler counts what is wrong with it
  }
  // Another carrier's or antenna's U-plane neither moves the count nor counts against it: the
  // assembler filters and counts it.
  const io::EaxcId eaxc = io::unpack_eaxc_id(ecpri.frame.message.header.eaxc_id, link_.eaxc_layout);
  if (eaxc.du_port != config_.du_port || eaxc.band_sector != config_.band_sector ||
      eaxc.cc != config_.cc || eaxc.ru_port >= num_rx_) {
    return last_arrival_ns_;
  }
  const io::OranTimingHeader timing =
      io::read_oran_timing_header(ecpri.frame.message.application_payload.data());
  const io::FronthaulSlotClock& clock = assembler_.clock();
  const auto cycle_slot = clock.cycle_slot(timing);
  if (!cycle_slot) {
    return last_arrival_ns_;
  }
  // The first frame fixes the count's origin (its cycle slot); later ones resolve to the slot
  // of their cycle nearest the count, which follows the slots that complete (deliver()), so that
  // no single frame moves it.
  const std::int64_t absolute =
      started_ ? clock.resolve(*cycle_slot, count_) : std::int64_t{*cycle_slot};
  const std::int64_t window = std::int64_t{window_frames} * slots_per_frame_;
  if (started_ && (absolute > count_ + window || absolute < count_ - window)) {
    ++counters_.frames_out_of_window;
    const bool follows = out_in_row_ > 0 && absolute >= out_slot_ && absolute <= out_slot_ + 1;
    out_in_row_ = follows ? out_in_row_ + 1 : 1;
    out_slot_ = absolute;
    if (out_in_row_ < resync_after) {
      return std::nullopt;
    }
    ++counters_.count_resyncs; // the stream really moved: the count goes with it
    count_ = absolute;
  }
  if (!started_) {
    count_ = absolute;
  }
  started_ = true;
  out_in_row_ = 0;
  last_arrival_ns_ =
      clock.symbol_start_ns(*config_.epoch_ns, session_base_ + absolute, timing.symbol_id);
  return last_arrival_ns_;
}

std::int64_t FronthaulLinkReceiver::air_slot_at(std::int64_t wall_ns) const {
  return assembler_.clock().absolute_slot_at(*config_.epoch_ns, timeline_->air_ns(wall_ns));
}

void FronthaulLinkReceiver::on_frame(std::span<const std::uint8_t> frame,
                                     std::int64_t wall_arrival_ns) {
  if (!timeline_) {
    on_frame(frame);
    return;
  }
  ++counters_.frames;
  if (took_frame_outside_session(frame)) {
    return;
  }
  last_frame_at_ = SteadyClock::now();
  // Live: the frame's real arrival on the air timeline; the assembler places it by its header
  // next to the slot of that time, against the Ta4 window, and slots count from the epoch.
  const std::int64_t arrival = timeline_->air_ns(wall_arrival_ns);
  count_ = std::max(count_, assembler_.clock().absolute_slot_at(*config_.epoch_ns, arrival));
  started_ = true;
  if (prach_ && prach_->push(frame, arrival)) {
    take_prach_occasions();
  }
  assembler_.push(frame, arrival);
  deliver();
}

bool FronthaulLinkReceiver::poll(std::int64_t wall_now_ns) {
  if (!timeline_) {
    return false;
  }
  const std::uint64_t delivered = counters_.slots_delivered + counters_.slots_refused;
  const std::int64_t now = timeline_->air_ns(wall_now_ns);
  count_ = std::max(count_, assembler_.clock().absolute_slot_at(*config_.epoch_ns, now));
  started_ = true;
  if (prach_) {
    prach_->advance(now, *config_.epoch_ns); // occasions past their deadline, partial
    take_prach_occasions();
  }
  assembler_.advance(now); // slots past their deadline leave partial
  deliver();
  const bool lost = release_lost_after_deadline(now);
  return lost || counters_.slots_delivered + counters_.slots_refused != delivered;
}

bool FronthaulLinkReceiver::release_lost_after_deadline(std::int64_t air_now_ns) {
  // A requested slot still queued once its deadline passed got nothing at all (the assembler
  // dispatches a slot with any unit in at its deadline).
  bool released = false;
  const io::FronthaulSlotClock& clock = assembler_.clock();
  while (!handovers_.empty() &&
         clock.slot_start_ns(*config_.epoch_ns, handovers_.front().absolute + 1) +
                 config_.slot_deadline_ns <
             air_now_ns) {
    hand_over_empty(handovers_.front());
    handovers_.erase(handovers_.begin());
    hand_over_in_order();
    released = true;
  }
  return released;
}

void FronthaulLinkReceiver::on_frame(std::span<const std::uint8_t> frame) {
  if (timeline_) {
    on_frame(frame, io::realtime_ns());
    return;
  }
  ++counters_.frames;
  if (took_frame_outside_session(frame)) {
    return;
  }
  last_frame_at_ = SteadyClock::now();
  if (const auto arrival = nominal_arrival(frame)) {
    if (prach_ && prach_->push(frame, *arrival)) {
      take_prach_occasions(); // it goes with the next slot handed over
    }
    assembler_.push(frame, *arrival); // which counts a PRACH frame as filtered
    deliver();
  }
}

void FronthaulLinkReceiver::expect_prach() {
  if (config_.mode != io::FronthaulIngestMode::frequency_domain) {
    throw std::invalid_argument("FronthaulLinkReceiver: PRACH over 7.2x needs the 7.2x mode");
  }
  // An occasion is overdue one slot after its window (the L1's grace is about two).
  io::FronthaulConfig prach_config = config_;
  prach_config.slot_deadline_ns = std::int64_t{1'000'000} >> cell_.numerology;
  // Expected from the C-plane, which leads the slot, to a slot past the window: as many as the
  // carrier's formats and FAPI's occasions per slot can have in flight.
  const io::OranPrachSizing sizing = io::oran_prach_sizing(cell_, prach_cplane_lead_slots);
  prach_ = std::make_unique<io::FronthaulPrachAssembler>(cell_, num_rx_, prach_config,
                                                         std::max(sizing.occasions_in_flight, 1U),
                                                         sizing.prb_periods_in_flight);
  prach_ready_.reserve(max_prach_occasions);
  prach_offsets_.reserve(max_prach_occasions);
  prach_out_.reserve(max_prach_occasions);
  prach_out_index_.reserve(max_prach_occasions);
  // What completes before the next slot: a slot's occasions, twice.
  prach_values_limit_ = 2 * std::max<std::size_t>(sizing.prb_periods_per_slot, 1) * num_rx_ *
                        phy::subcarriers_per_prb;
  prach_values_.reserve(prach_values_limit_);
}

void FronthaulLinkReceiver::flush() {
  if (prach_) {
    prach_->flush(); // partial occasions go with the slots flushed now
    take_prach_occasions();
  }
  assembler_.flush();
  deliver();
  while (!handovers_.empty()) { // the link is over: what was asked for will not come
    hand_over_empty(handovers_.front());
    handovers_.erase(handovers_.begin());
  }
  counters_.prach_dropped += prach_ready_.size(); // no slot left to go with
  prach_ready_.clear();
  prach_offsets_.clear();
  prach_values_.clear();
}

void FronthaulLinkReceiver::reset() {
  // The session is over: slots still open are past the last one its L1 ran.
  assembler_.flush();
  while (const io::AssembledSlot* slot = assembler_.next_slot()) {
    ++counters_.slots_dropped_at_reset;
    assembler_.release(slot);
  }
  assembler_.drop_requests(); // C-plane of slots the session did not reach
  forget_cplane();
  if (prach_) { // and its PRACH occasions
    prach_->flush();
    while (const io::AssembledPrach* occasion = prach_->next_occasion()) {
      ++counters_.prach_dropped;
      prach_->release(occasion);
    }
    counters_.prach_dropped += prach_ready_.size();
    prach_ready_.clear();
    prach_offsets_.clear();
    prach_values_.clear();
  }
  if (started_ && !timeline_) {
    // The assembler's time goes on: the next session's slots count from the next whole cycle,
    // where their frameIds resolve to themselves. (A live link keeps the epoch's numbering.)
    // Past every slot the assembler is done with, too: the slots just flushed may lie beyond
    // the count (frames of the next cycle's first slots came), and the assembler dispatches no
    // slot twice, so a new slot on one of them would be dropped as too late.
    const std::int64_t cycle = assembler_.clock().slots_per_cycle();
    const std::int64_t last = std::max<std::int64_t>(
        count_, assembler_.dispatch_horizon().value_or(session_base_) - session_base_);
    session_base_ += (std::max<std::int64_t>(last, 0) / cycle + 1) * cycle;
  }
  started_ = false;
  count_ = 0;
  out_in_row_ = 0;
}

bool FronthaulLinkReceiver::flush_if_quiet(SteadyClock::time_point now) {
  if (assembler_.pending_slots() == 0 || now - last_frame_at_ < quiet_timeout_) {
    // With C-plane: requested slots of which nothing came.
    if (!release_lost_if_quiet(now)) {
      return false;
    }
    ++counters_.quiet_flushes;
    return true;
  }
  ++counters_.quiet_flushes;
  if (prach_) {
    prach_->flush(); // partial occasions go with the slots flushed now
    take_prach_occasions();
  }
  assembler_.flush();
  deliver();
  release_lost_if_quiet(now);
  return true;
}

void FronthaulLinkReceiver::deliver() {
  while (const io::AssembledSlot* slot = assembler_.next_slot()) {
    // With C-plane, slots the L1 asked for before this one that are still being assembled go
    // first, partial: handed over as lost they would lose what did come.
    if (!handovers_.empty() && handovers_.front().requested &&
        handovers_.front().absolute + session_base_ < slot->absolute_slot &&
        assembler_.dispatch_pending_before(slot->absolute_slot)) {
      while (const io::AssembledSlot* older = assembler_.next_slot_before(slot->absolute_slot)) {
        deliver_one(older); // oldest first; newer slots already queued wait for the outer loop
      }
    }
    deliver_one(slot);
  }
}

void FronthaulLinkReceiver::deliver_one(const io::AssembledSlot* slot) {
  const std::int64_t absolute = slot->absolute_slot - session_base_;
  if (absolute < 0) { // a slot of an earlier session, or before this one's first frame
    ++counters_.slots_before_start;
    assembler_.release(slot);
    return;
  }
  const FapiSlotAddress address =
      to_slot_address(static_cast<std::uint64_t>(absolute), slots_per_frame_);
  hand_over_before(absolute); // with C-plane: the L1's earlier slots first, in its order
  note_delivered(absolute);
  prepare_prach(absolute);
  // The samples change hands without a copy: the assembler fills the source entry's old
  // buffer next.
  io::AssembledSlot& samples = assembler_.held_slot(slot);
  const bool taken = slot->mode == io::FronthaulIngestMode::time_domain
                         ? target_.exchange_iq(address.sfn, address.slot, samples.iq, push_timeout_)
                         : target_.exchange_grid(address.sfn, address.slot, samples.grid,
                                                 ready_prach(absolute), push_timeout_);
  if (slot->mode == io::FronthaulIngestMode::frequency_domain) {
    prach_handed_over(taken);
  }
  // Whole slots move the count on, and partial ones that at least resync_after frames came for:
  // a stream whose slots never complete (an O-RU sending fewer antennas or PRBs than configured,
  // a lossy link) fell out of the window every 4 frames, each time dropping good frames until a
  // resync; a lone wild frame's slot still never moves it.
  if (slot->reason == io::SlotDispatchReason::complete || slot->stats.packets >= resync_after) {
    count_ = std::max(count_, absolute);
  }
  if (taken) {
    ++counters_.slots_delivered;
    counters_.slots_partial += slot->reason == io::SlotDispatchReason::complete ? 0 : 1;
  } else {
    ++counters_.slots_refused;
  }
  assembler_.release(slot);
  hand_over_in_order();
}

} // namespace airan::l1
