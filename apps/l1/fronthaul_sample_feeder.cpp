#include "airan/l1/fronthaul_sample_feeder.h"

#include "airan/io/oran_prach_sizing.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/fronthaul_paced_sender.h"
#include "airan/l1/slot_clock.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace airan::l1 {
namespace {

/// A paced link's queue: frames of up to max_frame_size bytes of Ethernet payload with room for
/// the headers, as many as fit in 16 MiB (at least 1024: a 100 MHz 4-antenna slot at 1500 bytes
/// is a few hundred frames, and the MAC keeps a few slots ahead).
constexpr std::size_t paced_header_room = 64;
constexpr std::size_t paced_queue_bytes = std::size_t{16} << 20;
constexpr std::size_t paced_min_frames = 1024;

} // namespace

FronthaulSampleFeeder::FronthaulSampleFeeder(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                             const io::FronthaulConfig& config, bool use_cplane,
                                             InMemoryIqSource& target, unsigned max_prach_occasions)
    : FronthaulSampleFeeder(cell, num_rx_antennas, config, use_cplane, &target, nullptr,
                            max_prach_occasions, std::nullopt) {}

FronthaulSampleFeeder::FronthaulSampleFeeder(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                             const io::FronthaulConfig& config,
                                             FronthaulFrameLink& link, bool use_cplane,
                                             unsigned max_prach_occasions,
                                             std::optional<io::AirTimeline> timeline)
    : FronthaulSampleFeeder(cell, num_rx_antennas, config, use_cplane, nullptr, &link,
                            max_prach_occasions, timeline) {
  if (timeline_) {
    if (!timeline_->validate().empty()) {
      throw std::invalid_argument("FronthaulSampleFeeder: " + timeline_->validate());
    }
    const std::size_t frame_bytes = config_.max_frame_size + paced_header_room;
    paced_ = std::make_unique<FronthaulPacedSender>(
        link, frame_bytes, std::max(paced_min_frames, paced_queue_bytes / frame_bytes));
    if (use_cplane) { // a live O-RU: its own thread reads the C-plane and sends the slots
      live_slots_.resize(live_slot_capacity);
      for (LiveSlot& entry : live_slots_) {
        entry.samples.grid = slot_.grid; // the shapes push_grid() and push_iq() fill in
        entry.samples.iq.reserve(slot_.iq.capacity());
      }
      live_requests_.reserve(cplane_requests_per_slot);
      live_prach_requests_.reserve(64);
      live_oru_ = std::thread([this] { run_live_oru(); });
    }
  }
}

FronthaulSampleFeeder::~FronthaulSampleFeeder() {
  stop_live_oru();
}

void FronthaulSampleFeeder::finish() {
  if (!live_slots_.empty()) {
    // Each slot goes at its last symbol's time: a MAC at most max_advance_slots ahead is done
    // well within the bound (which only keeps a clock gone wrong from hanging the run).
    std::unique_lock lock(mutex_);
    live_changed_.wait_for(lock, std::chrono::seconds(30),
                           [&] { return live_count_ == 0 || live_stop_; });
    if (live_error_) {
      std::rethrow_exception(live_error_);
    }
  }
  if (paced_ != nullptr) {
    paced_->finish();
  }
}

void FronthaulSampleFeeder::session_stopped() {
  if (!live_slots_.empty()) { // the O-RU's thread drops its slots (it may be sending one now)
    std::unique_lock lock(mutex_);
    live_discard_ = true;
    live_changed_.wait(lock, [&] { return !live_discard_ || live_stop_; });
  }
  if (paced_ != nullptr) {
    const std::size_t dropped = paced_->discard();
    const std::lock_guard lock(mutex_);
    counters_.discarded_at_stop += dropped;
  }
}

FronthaulSampleFeeder::FronthaulSampleFeeder(const phy::CellConfig& cell, unsigned num_rx_antennas,
                                             const io::FronthaulConfig& config, bool use_cplane,
                                             InMemoryIqSource* target, FronthaulFrameLink* link,
                                             unsigned max_prach_occasions,
                                             std::optional<io::AirTimeline> timeline)
    // One slot at a time, dispatched when complete or by flush(): no deadline may cut it short.
    : config_(stepped_link_config(config)), use_cplane_(use_cplane), target_(target),
      link_out_(link), timeline_(timeline), emulator_(cell, num_rx_antennas, config_),
      assembler_(cell, num_rx_antennas, config_) {
  if (use_cplane && config_.mode != io::FronthaulIngestMode::frequency_domain) {
    // The emulated O-RU answers section requests with PRBs; time-domain IQ has none to select.
    throw std::invalid_argument("C-plane needs 7.2x (frequency domain), not time-domain IQ");
  }
  if (max_prach_occasions > 0 && config_.mode == io::FronthaulIngestMode::frequency_domain) {
    // The O-RU takes a slot's requests when the slot comes: max_prach_occasions per antenna
    // (each with room for the longest window of the carrier's formats).
    ru_prach_ = std::make_unique<io::RuPrachEmulator>(cell, num_rx_antennas, config_,
                                                      max_prach_occasions * num_rx_antennas);
    if (target_ != nullptr) { // in-process, the DU's end too (over a link, the far end's)
      // The DU expects them from its C-plane on, which leads the slot: as many as the carrier's
      // formats and FAPI's occasions per slot can have in flight.
      const io::OranPrachSizing sizing =
          io::oran_prach_sizing(cell, FronthaulLinkReceiver::prach_cplane_lead_slots);
      prach_assembler_ = std::make_unique<io::FronthaulPrachAssembler>(
          cell, num_rx_antennas, config_, std::max(max_prach_occasions, sizing.occasions_in_flight),
          sizing.prb_periods_in_flight);
    }
  }
  received_prach_.reserve(64);
  prach_requests_.reserve(64);
  requests_.reserve(cplane_requests_per_slot);
  link_.eaxc_layout = config_.eaxc_layout;
  link_.uplane.compression = config_.compression;
  link_.uplane.ud_comp_hdr_present = config_.dynamic_compression_header;
  link_.uplane.carrier_prbs = static_cast<std::uint16_t>(cell.num_prbs);
  slot_.grid =
      phy::ResourceGrid(num_rx_antennas, emulator_.clock().symbols_per_slot(), 12 * cell.num_prbs);
  const auto numerology = phy::carrier_numerology(cell);
  std::size_t longest = 0;
  for (unsigned s = 0; s < numerology.slots_per_frame(); ++s) {
    longest = std::max<std::size_t>(longest, numerology.slot_length(s));
  }
  if (config_.mode == io::FronthaulIngestMode::time_domain) {
    modulator_ = std::make_unique<phy::OfdmModulator>(numerology, cell.num_prbs);
    slot_.iq.reserve(longest * num_rx_antennas);
  } else {
    demodulator_ = std::make_unique<phy::OfdmDemodulator>(numerology, cell.num_prbs);
    if (ru_prach_ != nullptr) { // push_iq() keeps a PRACH slot's samples for the O-RU's PRACH
      slot_.iq.reserve(longest * num_rx_antennas);
    }
  }
}

bool FronthaulSampleFeeder::push_grid(std::uint16_t sfn, std::uint16_t slot,
                                      const phy::ResourceGrid& grid,
                                      std::chrono::microseconds timeout) {
  slot_.iq.clear();
  slot_.iq_fft_size = 0;
  slot_.iq_samples_per_antenna = 0;
  if (grid.size() != slot_.grid.size()) {
    return false;
  }
  if (modulator_ != nullptr) {
    const std::size_t length = modulator_->numerology().slot_length(slot);
    slot_.iq.resize(length * grid.num_ports());
    for (unsigned rx = 0; rx < grid.num_ports(); ++rx) {
      modulator_->modulate_slot(grid, rx, slot, std::span(slot_.iq).subspan(rx * length, length));
    }
    slot_.iq_samples_per_antenna = length;
    slot_.iq_fft_size = 0;
    return send(sfn, slot, timeout, false);
  }
  std::ranges::copy(grid.elements(), slot_.grid.elements().begin());
  if (!live_slots_.empty()) {
    return hand_to_live_oru(sfn, slot, timeout, false, false);
  }
  return send(sfn, slot, timeout, false);
}

bool FronthaulSampleFeeder::push_iq(std::uint16_t sfn, std::uint16_t slot,
                                    std::span<const phy::cf32> iq,
                                    std::chrono::microseconds timeout) {
  slot_.iq.assign(iq.begin(), iq.end());
  slot_.iq_samples_per_antenna = iq.size() / slot_.grid.num_ports();
  slot_.iq_fft_size = 0;
  if (demodulator_ != nullptr) { // the O-RU's FFT
    const std::size_t length = slot_.iq_samples_per_antenna;
    for (unsigned rx = 0; rx < slot_.grid.num_ports(); ++rx) {
      demodulator_->demodulate_slot(
          std::span<const phy::cf32>(slot_.iq).subspan(rx * length, length), slot, slot_.grid, rx);
    }
  }
  if (!live_slots_.empty()) {
    return hand_to_live_oru(sfn, slot, timeout, true, false);
  }
  return send(sfn, slot, timeout, true);
}

bool FronthaulSampleFeeder::push_empty(std::uint16_t sfn, std::uint16_t slot,
                                       std::chrono::microseconds timeout) {
  if (link_out_ == nullptr) {
    return target_->push_empty(sfn, slot, timeout);
  }
  if (!live_slots_.empty()) { // the O-RU's thread forgets the slot's C-plane in its turn
    return hand_to_live_oru(sfn, slot, timeout, false, true);
  }
  if (use_cplane_) {
    // Nothing was scheduled, nothing is asked for: the O-RU sends nothing. What C-plane came is
    // taken off the link, and forgotten with the slot.
    // What is on the link now, for at most the push's timeout (link_cplane_quiet at least): a
    // segment that never falls quiet (other links' traffic) does not hold the slot.
    const auto until = SteadyClock::now() + std::max(timeout, link_cplane_quiet);
    while (link_out_->receive(*this) > 0 && SteadyClock::now() < until) {
    }
    const std::lock_guard lock(mutex_);
    const auto& clock = emulator_.clock();
    const auto key = static_cast<unsigned>(absolute_slot(sfn, slot) % clock.slots_per_cycle());
    nothing_asked_.erase(key);
    forget_cplane_through(key);
    ++counters_.slots;
    return true;
  }
  // Over a link the slot still goes out, as zeros: an O-RU without C-plane sends every slot,
  // and the far end's clock steps on it.
  slot_.iq.clear();
  slot_.iq_fft_size = 0;
  slot_.iq_samples_per_antenna = 0;
  if (modulator_ != nullptr) {
    const std::size_t length = modulator_->numerology().slot_length(slot);
    slot_.iq.assign(length * slot_.grid.num_ports(), phy::cf32{});
    slot_.iq_samples_per_antenna = length;
  } else {
    std::ranges::fill(slot_.grid.elements(), phy::cf32{});
  }
  return send(sfn, slot, timeout, false);
}

std::int64_t FronthaulSampleFeeder::slot_count(std::uint16_t sfn, std::uint16_t slot) {
  const auto& clock = emulator_.clock();
  const auto cycle = static_cast<std::int64_t>(clock.slots_per_cycle());
  // frameId wraps every 256 frames; the O-RU's PRACH windows and the assemblers' clocks need a
  // count that only grows: a slot more than half a cycle behind the last is in the next cycle.
  std::int64_t count =
      cycle_base_ + static_cast<std::int64_t>((sfn % 256U) * clock.slots_per_frame() + slot);
  if (any_slot_sent_ && count + cycle / 2 < last_slot_count_) {
    cycle_base_ += cycle;
    count += cycle;
  }
  any_slot_sent_ = true;
  last_slot_count_ = count;
  return count;
}

std::int64_t FronthaulSampleFeeder::absolute_slot(std::uint16_t sfn, std::uint16_t slot) {
  if (!timeline_) {
    return slot_count(sfn, slot);
  }
  // The MAC's slots are a few slots from the one on air.
  return absolute_slot_near_air(emulator_.clock(), timeline_->epoch_ns,
                                timeline_->air_ns(io::realtime_ns()), {sfn, slot});
}

bool FronthaulSampleFeeder::send(std::uint16_t sfn, std::uint16_t slot,
                                 std::chrono::microseconds timeout, bool from_iq) {
  const auto& clock = emulator_.clock();
  const std::int64_t absolute = absolute_slot(sfn, slot);
  slot_.slot = slot;
  slot_.absolute_slot = static_cast<std::uint64_t>(absolute);
  requests_.clear();
  prach_requests_.clear();
  if (use_cplane_) {
    const auto key = static_cast<unsigned>(absolute % clock.slots_per_cycle());
    bool asked_nothing = false;
    {
      const std::lock_guard lock(mutex_);
      asked_nothing = nothing_asked_.erase(key);
    }
    // Over a link: a slot whose UL_TTI.request had no PDU gets no C-plane to wait for.
    const bool came = link_out_ == nullptr ||
                      (asked_nothing ? (link_out_->receive(*this), true)
                                     : receive_link_cplane(key, std::min<std::chrono::microseconds>(
                                                                    timeout, link_cplane_wait)));
    std::unique_lock lock(mutex_);
    if (!came || (link_out_ == nullptr && !cplane_arrived_.wait_for(lock, timeout, [&] {
          return cplane_done_.contains(key);
        }))) {
      ++counters_.cplane_missing;
    }
    const auto requests = cplane_.find(key);
    requests_.assign(requests.begin(), requests.end());
    const auto prach_requests = cplane_prach_.find(key);
    prach_requests_.assign(prach_requests.begin(), prach_requests.end());
    forget_cplane_through(key);
  }
  std::uint64_t refused = 0;
  for (const io::RuPrachRequest& request : prach_requests_) {
    refused += ru_prach_->add_request(absolute, request).empty() ? 0 : 1;
  }
  const std::int64_t epoch_ns = timeline_ ? timeline_->epoch_ns : *config_.epoch_ns;
  std::uint64_t frames = 0;
  if (link_out_ != nullptr) {
    std::uint64_t dropped = 0;
    const auto out = [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
      if (paced_ != nullptr) { // at its time on the timeline (the sender counts what it drops)
        paced_->queue(frame, timeline_->wall_ns(tx_ns));
      } else {
        dropped += link_out_->send(frame) ? 0 : 1;
      }
      ++frames;
    };
    // On C-plane, a slot with no type 1 request (PRACH only, or nothing) sends no U-plane.
    if (!use_cplane_ || !requests_.empty()) {
      emulator_.packetize_slot(slot_, absolute, epoch_ns, out, requests_);
    }
    // The PRACH occasions this slot completes (7.2x: the O-RU's FFTs of the slot's IQ).
    std::uint64_t prach_frames = 0;
    if (ru_prach_ != nullptr && from_iq) {
      prach_frames = ru_prach_->add_slot(absolute, epoch_ns, slot_.iq, out);
    }
    if (paced_ == nullptr) {
      dropped += link_out_->end_of_slot();
    }
    const std::lock_guard lock(mutex_);
    ++counters_.slots;
    counters_.uplane_frames += frames;
    counters_.prach_frames += prach_frames;
    counters_.prach_refused += refused;
    counters_.link_dropped += dropped;
    return dropped == 0;
  }
  emulator_.packetize_slot(
      slot_, absolute, epoch_ns,
      [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
        assembler_.push(frame, tx_ns);
        ++frames;
      },
      requests_);
  assembler_.flush();
  // The O-RU's PRACH stream: the occasions this slot completes (FFTs and framing without the
  // lock, which the L1's C-plane thread takes), then into the DU's PRACH assembler, whose
  // occasions are copied out before the slot goes to the L1.
  std::uint64_t prach_frames = 0;
  received_prach_.clear();
  if (ru_prach_ != nullptr) {
    prach_frame_bytes_.clear();
    prach_frame_ends_.clear();
    prach_frame_tx_.clear();
    if (from_iq) {
      prach_frames = ru_prach_->add_slot(
          absolute, epoch_ns, slot_.iq, [&](std::span<const std::uint8_t> frame, std::int64_t tx) {
            prach_frame_bytes_.insert(prach_frame_bytes_.end(), frame.begin(), frame.end());
            prach_frame_ends_.push_back(prach_frame_bytes_.size());
            prach_frame_tx_.push_back(tx);
          });
    }
    const std::lock_guard lock(mutex_);
    std::size_t begin = 0;
    for (std::size_t f = 0; f < prach_frame_ends_.size(); ++f) {
      prach_assembler_->push(std::span<const std::uint8_t>(prach_frame_bytes_)
                                 .subspan(begin, prach_frame_ends_[f] - begin),
                             prach_frame_tx_[f]);
      begin = prach_frame_ends_[f];
    }
    prach_assembler_->advance(clock.slot_start_ns(epoch_ns, absolute + 1), epoch_ns);
    prach_values_.clear();
    while (const io::AssembledPrach* occasion = prach_assembler_->next_occasion()) {
      prach_values_.insert(prach_values_.end(), occasion->values.begin(), occasion->values.end());
      received_prach_.push_back(to_received_prach(*occasion));
      prach_assembler_->release(occasion);
    }
  }
  std::size_t offset = 0;
  for (ReceivedPrach& received : received_prach_) {
    const std::size_t size = std::size_t{received.section.num_antennas} *
                             received.section.num_periods * received.section.num_res;
    received.section.values = std::span<const phy::cf32>(prach_values_).subspan(offset, size);
    offset += size;
  }
  bool delivered = false;
  while (const io::AssembledSlot* assembled = assembler_.next_slot()) {
    delivered = assembled->mode == io::FronthaulIngestMode::time_domain
                    ? target_->push_iq(sfn, slot, assembled->iq, timeout)
                    : target_->push_grid(sfn, slot, assembled->grid, received_prach_, timeout);
    assembler_.release(assembled);
  }
  const std::lock_guard lock(mutex_);
  ++counters_.slots;
  counters_.uplane_frames += frames + prach_frames;
  counters_.prach_frames += prach_frames;
  counters_.prach_sections += received_prach_.size();
  counters_.prach_refused += refused;
  return delivered;
}

FronthaulFeederCounters FronthaulSampleFeeder::counters() const {
  FronthaulFeederCounters out;
  {
    const std::lock_guard lock(mutex_);
    out = counters_;
  }
  if (paced_ != nullptr) {
    out.link_dropped += paced_->frames_dropped();
    out.uplane_sent_late = paced_->frames_late();
  }
  return out;
}

} // namespace airan::l1
