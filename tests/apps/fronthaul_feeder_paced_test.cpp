// The O-RU end of a fronthaul link on an air timeline (FronthaulSampleFeeder with an
// io::AirTimeline, FronthaulPacedSender): a slot's frames leave at their nominal transmit times,
// converted to wall-clock time, in time order, the same frames an RuEmulator builds; frames of a
// slot already past go at once and are counted late. With C-plane the O-RU end is a live O-RU
// on a thread of its own: each symbol goes with the C-plane that came in its window.
#include "../support/sanitizer_sweeps.h"
#include "airan/io/cplane_timing_window.h"
#include "airan/io/oran_cplane_generator.h"
#include "airan/io/ru_cplane_requests.h"
#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/fronthaul_paced_sender.h"
#include "airan/l1/fronthaul_sample_feeder.h"
#include "airan/l1/slot_clock.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace airan::l1 {
namespace {

constexpr unsigned paced_rx = 2;
/// A frame leaves no later than this after its time (a loaded CI machine's scheduling).
constexpr std::int64_t paced_bound_ns = 50'000'000;

phy::CellConfig paced_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  return cell;
}

io::FronthaulConfig paced_config() {
  io::FronthaulConfig config;
  config.mode = io::FronthaulIngestMode::frequency_domain;
  config.compression = {io::CompressionMethod::block_floating_point, 9};
  return config;
}

phy::ResourceGrid paced_grid(std::uint32_t seed) {
  phy::ResourceGrid grid(paced_rx, 14, 12 * paced_cell().num_prbs);
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0F, 0.1F);
  for (auto& value : grid.elements()) {
    value = {normal(generator), normal(generator)};
  }
  return grid;
}

/// One frame the link sent, and when (CLOCK_REALTIME ns).
struct PacedRecord {
  std::int64_t sent_ns = 0;
  std::vector<std::uint8_t> bytes;
};

/// A link that records what it sends (from the feeder's sender thread) and when.
class PacedRecordingLink final : public FronthaulFrameLink {
public:
  bool send(std::span<const std::uint8_t> frame) override {
    const std::int64_t now = io::realtime_ns();
    const std::lock_guard lock(mutex_);
    records_.push_back({now, {frame.begin(), frame.end()}});
    return !refuse_;
  }
  std::uint64_t end_of_slot() override {
    const std::lock_guard lock(mutex_);
    ++flushes_;
    sent_at_last_flush_ = records_.size();
    return 0;
  }
  [[nodiscard]] std::vector<PacedRecord> records() const {
    const std::lock_guard lock(mutex_);
    return records_;
  }
  [[nodiscard]] unsigned flushes() const {
    const std::lock_guard lock(mutex_);
    return flushes_;
  }
  /// Frames sent when end_of_slot() was last called.
  [[nodiscard]] std::size_t sent_at_last_flush() const {
    const std::lock_guard lock(mutex_);
    return sent_at_last_flush_;
  }
  void refuse() {
    const std::lock_guard lock(mutex_);
    refuse_ = true;
  }
  /// Frames from the far end (the DU's C-plane) for the next receive().
  void deliver(const std::vector<std::vector<std::uint8_t>>& frames) {
    const std::lock_guard lock(mutex_);
    inbox_.insert(inbox_.end(), frames.begin(), frames.end());
  }
  unsigned receive(FronthaulFrameHandler& handler) override {
    std::vector<std::vector<std::uint8_t>> frames;
    {
      const std::lock_guard lock(mutex_);
      frames.swap(inbox_);
    }
    for (const auto& frame : frames) {
      handler.on_frame(frame);
    }
    return static_cast<unsigned>(frames.size());
  }

private:
  mutable std::mutex mutex_;
  std::vector<std::vector<std::uint8_t>> inbox_;
  std::vector<PacedRecord> records_;
  unsigned flushes_ = 0;
  std::size_t sent_at_last_flush_ = 0;
  bool refuse_ = false;
};

/// A frame an RuEmulator built, and its nominal transmit time (air ns).
struct PacedExpected {
  std::int64_t tx_ns = 0;
  std::vector<std::uint8_t> bytes;
};

/// What a fresh RuEmulator (the feeder's configuration) sends for \p grid as absolute slot
/// \p absolute on \p epoch_ns (only \p requests when given).
std::vector<PacedExpected> paced_reference(const phy::ResourceGrid& grid, std::int64_t absolute,
                                           std::int64_t epoch_ns,
                                           std::span<const io::RuSectionRequest> requests = {}) {
  io::RuEmulator emulator(paced_cell(), paced_rx, stepped_link_config(paced_config()));
  io::TestVectorSlot slot;
  slot.grid = grid;
  slot.slot = emulator.clock().slot_in_frame(absolute);
  slot.absolute_slot = static_cast<std::uint64_t>(absolute);
  std::vector<PacedExpected> out;
  emulator.packetize_slot(
      slot, absolute, epoch_ns,
      [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
        out.push_back({tx_ns, {frame.begin(), frame.end()}});
      },
      requests);
  return out;
}

TEST(FronthaulFeederPaced, FramesLeaveAtTheirTimesInOrder) {
  // 20 times slower than the air: a 0.5 ms slot takes 10 ms of wall time.
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 20.0};
  PacedRecordingLink link;
  FronthaulSampleFeeder feeder(paced_cell(), paced_rx, paced_config(), link, false, 0, timeline);
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  // A slot 100 ms of wall time ahead of the one on air (room to build its frames).
  const std::int64_t target =
      clock.absolute_slot_at(timeline.epoch_ns, timeline.air_ns(io::realtime_ns())) + 10;
  const FapiSlotAddress address =
      to_slot_address(static_cast<std::uint64_t>(target), clock.slots_per_frame());
  const phy::ResourceGrid grid = paced_grid(7);
  ASSERT_TRUE(feeder.push_grid(address.sfn, address.slot, grid, std::chrono::milliseconds(100)));
  const std::int64_t pushed_ns = io::realtime_ns();
  feeder.finish();
  const std::vector<PacedRecord> sent = link.records();
  const std::vector<PacedExpected> expected = paced_reference(grid, target, timeline.epoch_ns);
  ASSERT_GT(expected.size(), 14U);
  ASSERT_EQ(sent.size(), expected.size());
  const FronthaulFeederCounters counters = feeder.counters();
  EXPECT_EQ(counters.uplane_frames, expected.size());
  EXPECT_EQ(counters.uplane_sent_late, 0U);
  EXPECT_EQ(counters.link_dropped, 0U);
  // The link flushed the frames as they went (a batching link sends each run of them), the
  // last ones included.
  EXPECT_GE(link.flushes(), 2U);
  EXPECT_EQ(link.sent_at_last_flush(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    // The same frames (the slot's frameId, subframe and slot: the absolute slot on the epoch).
    EXPECT_EQ(sent[i].bytes, expected[i].bytes) << "frame " << i;
    const std::int64_t due = timeline.wall_ns(expected[i].tx_ns);
    EXPECT_GT(due, pushed_ns) << "frame " << i; // queued before its time
    EXPECT_GE(sent[i].sent_ns, due) << "frame " << i << " left early";
    EXPECT_LE(sent[i].sent_ns, due + paced_bound_ns) << "frame " << i;
    if (i > 0) {
      EXPECT_GE(sent[i].sent_ns, sent[i - 1].sent_ns) << "frame " << i;
      EXPECT_GE(expected[i].tx_ns, expected[i - 1].tx_ns) << "frame " << i;
    }
  }
  // The symbols' frames spread over the slot: the last leaves about 13 symbols after the first.
  EXPECT_GT(sent.back().sent_ns - sent.front().sent_ns,
            timeline.wall_ns(expected.back().tx_ns) - timeline.wall_ns(expected.front().tx_ns) -
                paced_bound_ns / 10);
}

TEST(FronthaulFeederPaced, FramesOfASlotAlreadyPastGoAtOnceCountedLate) {
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 20.0};
  PacedRecordingLink link;
  FronthaulSampleFeeder feeder(paced_cell(), paced_rx, paced_config(), link, false, 0, timeline);
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t target =
      clock.absolute_slot_at(timeline.epoch_ns, timeline.air_ns(io::realtime_ns())) - 3;
  const FapiSlotAddress address =
      to_slot_address(static_cast<std::uint64_t>(target), clock.slots_per_frame());
  const std::int64_t start_ns = io::realtime_ns();
  ASSERT_TRUE(feeder.push_empty(address.sfn, address.slot, std::chrono::milliseconds(100)));
  feeder.finish();
  const std::vector<PacedRecord> sent = link.records();
  const std::vector<PacedExpected> expected = paced_reference(
      phy::ResourceGrid(paced_rx, 14, 12 * paced_cell().num_prbs), target, timeline.epoch_ns);
  ASSERT_EQ(sent.size(), expected.size());
  const FronthaulFeederCounters counters = feeder.counters();
  EXPECT_EQ(counters.uplane_frames, expected.size());
  EXPECT_EQ(counters.uplane_sent_late, expected.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].bytes, expected[i].bytes) << "frame " << i; // resolved to the past slot
    EXPECT_LE(sent[i].sent_ns, start_ns + paced_bound_ns) << "frame " << i; // not held back
  }
}

TEST(FronthaulFeederPaced, SenderOrdersFramesByTimeAndCountsDrops) {
  PacedRecordingLink link;
  FronthaulPacedSender sender(link, 64, 4);
  const std::int64_t now = io::realtime_ns();
  const std::vector<std::uint8_t> b(10, 0xB);
  const std::vector<std::uint8_t> a(20, 0xA);
  const std::vector<std::uint8_t> c(30, 0xC);
  // Hundreds of ms apart: the queuing thread may be held back that long on a loaded machine.
  sender.queue(b, now + 400'000'000);
  sender.queue(a, now + 200'000'000); // queued later, due earlier: leaves first
  sender.queue(c, now + 400'000'000); // the same time as b: after it
  sender.queue(b, now - 1);           // already due: at once, late
  sender.queue(a, now + 600'000'000); // a fifth frame, in the buffer the late one freed
  sender.finish();
  const std::vector<PacedRecord> sent = link.records();
  ASSERT_EQ(sent.size(), 5U);
  EXPECT_EQ(sent[0].bytes, b);
  EXPECT_EQ(sent[1].bytes, a);
  EXPECT_EQ(sent[2].bytes, b);
  EXPECT_EQ(sent[3].bytes, c);
  EXPECT_EQ(sent[4].bytes, a);
  EXPECT_GE(sent[1].sent_ns, now + 200'000'000);
  EXPECT_GE(sent[3].sent_ns, now + 400'000'000);
  EXPECT_GE(sent[4].sent_ns, now + 600'000'000);
  EXPECT_EQ(sender.frames_queued(), 5U);
  EXPECT_EQ(sender.frames_late(), 1U);
  EXPECT_EQ(sender.frames_dropped(), 0U);
  EXPECT_LE(sender.peak_queued(), 4U);
  link.refuse();
  sender.queue(c, now);
  sender.finish();
  EXPECT_EQ(sender.frames_dropped(), 1U);
  EXPECT_THROW(sender.queue(std::vector<std::uint8_t>(65, 0), now), std::length_error);
}

TEST(FronthaulFeederPaced, DiscardDropsWhatIsQueuedAndFreesItsBuffers) {
  PacedRecordingLink link;
  FronthaulPacedSender sender(link, 64, 3);
  const std::int64_t later = io::realtime_ns() + 3'600'000'000'000LL; // an hour ahead
  const std::vector<std::uint8_t> frame(16, 0x5);
  for (int i = 0; i < 3; ++i) {
    sender.queue(frame, later); // the queue full
  }
  EXPECT_EQ(sender.discard(), 3U);
  sender.finish(); // nothing left to wait for
  EXPECT_TRUE(link.records().empty());
  // Every buffer free again: three more queue without waiting, and go at once.
  for (int i = 0; i < 3; ++i) {
    sender.queue(frame, io::realtime_ns() - 1);
  }
  sender.finish();
  EXPECT_EQ(link.records().size(), 3U);
  EXPECT_EQ(sender.frames_late(), 3U);
  EXPECT_EQ(sender.discard(), 0U);
}

/// The DU's C-plane of absolute slot \p absolute for each antenna: PRBs 0-5 over the whole slot
/// (a message for symbol 0) and PRB 20 on symbols 12-13 (a message for symbol 12).
std::pair<std::vector<std::vector<std::uint8_t>>, std::vector<std::vector<std::uint8_t>>>
live_oru_cplane(std::int64_t absolute) {
  const io::FronthaulConfig config = paced_config();
  io::UplinkCplaneConfig link;
  link.ethernet = {config.du_mac, config.ru_mac, config.vlan};
  link.compression = config.compression;
  link.carrier_prbs = static_cast<std::uint16_t>(paced_cell().num_prbs);
  io::UplinkCplaneGenerator generator(link, 16);
  std::vector<io::UplinkAllocation> allocations;
  for (std::uint16_t rx = 0; rx < paced_rx; ++rx) {
    const auto eaxc = io::pack_eaxc_id({0, 0, 0, rx}, config.eaxc_layout);
    allocations.push_back({eaxc, 0, 6, 0, 14, 0});
    allocations.push_back({eaxc, 20, 1, 12, 2, 0});
  }
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const io::OranTimingHeader timing = clock.timing_header(static_cast<std::uint64_t>(absolute), 0);
  std::vector<std::uint8_t> buffer(16384);
  std::vector<std::span<const std::uint8_t>> frames(16);
  const auto result = generator.generate({timing.frame_id, timing.subframe_id, timing.slot_id},
                                         allocations, buffer, frames);
  EXPECT_TRUE(result.ok());
  std::pair<std::vector<std::vector<std::uint8_t>>, std::vector<std::vector<std::uint8_t>>> out;
  for (std::size_t f = 0; f < result.num_frames; ++f) {
    const auto start = io::first_cplane_message_start(frames[f], clock);
    EXPECT_TRUE(start.has_value());
    (start && start->symbol == 12 ? out.second : out.first)
        .emplace_back(frames[f].begin(), frames[f].end());
  }
  return out;
}

/// Sleeps until wall-clock time \p wall_ns.
void sleep_until_wall(std::int64_t wall_ns) {
  const std::int64_t left = wall_ns - io::realtime_ns();
  if (left > 0) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(left));
  }
}

TEST(FronthaulFeederLiveOru, EachSymbolIsSentWithTheCplaneThatCameInItsWindow) {
  // A live O-RU 40 times slower than the air, 80 in the sanitizer tree (each window 15 or 30 ms
  // of wall time wide: room for a loaded machine). The DU's C-plane for symbol 12 comes in
  // symbol 12's window, after the slot's first symbols were final: the O-RU has sent those
  // already and still serves the later request, as an O-RU with per-symbol windows does.
  const io::AirTimeline timeline{io::gps_frame_epoch_ns,
                                 airan::test::built_with_sanitizers ? 80.0 : 40.0};
  PacedRecordingLink link;
  FronthaulSampleFeeder feeder(paced_cell(), paced_rx, paced_config(), link, true, 0, timeline);
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t target =
      clock.absolute_slot_at(timeline.epoch_ns, timeline.air_ns(io::realtime_ns())) + 10;
  const FapiSlotAddress address =
      to_slot_address(static_cast<std::uint64_t>(target), clock.slots_per_frame());
  const phy::ResourceGrid grid = paced_grid(11);
  const std::int64_t before_push = io::realtime_ns();
  feeder.ul_tti_sent(address.sfn, address.slot, 2);
  ASSERT_TRUE(feeder.push_grid(address.sfn, address.slot, grid, std::chrono::milliseconds(100)));
  // The MAC's push hands the slot over: it does not wait for the C-plane (10 slots ahead).
  EXPECT_LT(io::realtime_ns() - before_push, 100'000'000);
  const auto [first, last] = live_oru_cplane(target);
  ASSERT_EQ(first.size(), paced_rx);
  ASSERT_EQ(last.size(), paced_rx);
  const io::FronthaulConfig config = paced_config();
  // 50 us of air into each window.
  const auto in_window = [&](unsigned symbol) {
    return timeline.wall_ns(clock.symbol_start_ns(timeline.epoch_ns, target, symbol) -
                            config.t2a_max_cp_ul_ns + 50'000);
  };
  sleep_until_wall(in_window(0));
  link.deliver(first);
  sleep_until_wall(in_window(12));
  // By now the slot's first symbols' windows have closed (symbol 0's 125 us before the slot,
  // symbol 12's opens 72 us before it).
  ASSERT_GT(timeline.air_ns(io::realtime_ns()),
            clock.symbol_start_ns(timeline.epoch_ns, target, 0) - config.t2a_min_cp_ul_ns);
  link.deliver(last);
  feeder.finish();
  // What an O-RU that had every request before the slot would send.
  io::RuEmulator reference(paced_cell(), paced_rx, stepped_link_config(config));
  io::RuRequestsBySlot requests(4, 8);
  for (const auto* frames : {&first, &last}) {
    for (const auto& frame : *frames) {
      io::take_cplane_frame(frame, reference.link_config(), reference.cplane_scope(), clock,
                            requests);
    }
  }
  const auto key = static_cast<unsigned>(target % clock.slots_per_cycle());
  const auto found = requests.find(key);
  const std::vector<io::RuSectionRequest> asked(found.begin(), found.end());
  ASSERT_EQ(asked.size(), 2U * paced_rx);
  const std::vector<PacedExpected> expected =
      paced_reference(grid, target, timeline.epoch_ns, asked);
  const std::vector<PacedRecord> sent = link.records();
  ASSERT_EQ(sent.size(), expected.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].bytes, expected[i].bytes) << "frame " << i;
  }
  const FronthaulFeederCounters counters = feeder.counters();
  EXPECT_EQ(counters.slots, 1U);
  EXPECT_EQ(counters.cplane_frames, 2U * paced_rx);
  EXPECT_EQ(counters.cplane_on_time, 2U * paced_rx); // each message against its own symbol
  EXPECT_EQ(counters.cplane_early + counters.cplane_late + counters.cplane_missing, 0U);
  EXPECT_EQ(counters.uplane_sent_late, 0U);
}

TEST(FronthaulFeederLiveOru, NoCplaneSendsNothingAndAStopDropsTheSlotsAhead) {
  const io::AirTimeline timeline{io::gps_frame_epoch_ns, 20.0};
  PacedRecordingLink link;
  FronthaulSampleFeeder feeder(paced_cell(), paced_rx, paced_config(), link, true, 0, timeline);
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t on_air =
      clock.absolute_slot_at(timeline.epoch_ns, timeline.air_ns(io::realtime_ns()));
  const auto push = [&](std::int64_t absolute, unsigned num_pdus) {
    const FapiSlotAddress address =
        to_slot_address(static_cast<std::uint64_t>(absolute), clock.slots_per_frame());
    feeder.ul_tti_sent(address.sfn, address.slot, num_pdus);
    return feeder.push_grid(address.sfn, address.slot, paced_grid(3),
                            std::chrono::milliseconds(100));
  };
  // Two slots just past: one had PDUs and no C-plane came (missing), one asked for nothing.
  ASSERT_TRUE(push(on_air - 2, 1));
  ASSERT_TRUE(push(on_air - 1, 0));
  feeder.finish();
  FronthaulFeederCounters counters = feeder.counters();
  EXPECT_EQ(counters.slots, 2U);
  EXPECT_EQ(counters.cplane_missing, 1U);
  EXPECT_TRUE(link.records().empty());
  // Slots a second ahead wait in the O-RU's ring; a STOP drops them.
  ASSERT_TRUE(push(on_air + 100, 1));
  ASSERT_TRUE(push(on_air + 101, 1));
  feeder.session_stopped();
  feeder.finish(); // nothing left to wait for
  counters = feeder.counters();
  EXPECT_EQ(counters.slots_discarded_at_stop, 2U);
  EXPECT_EQ(counters.slots, 2U);
  // The ring is bounded: a full one refuses a push after its timeout.
  for (std::size_t i = 0; i < FronthaulSampleFeeder::live_slot_capacity; ++i) {
    ASSERT_TRUE(push(on_air + 200 + static_cast<std::int64_t>(i), 1));
  }
  EXPECT_FALSE(push(on_air + 300, 1));
  EXPECT_EQ(feeder.counters().slots_refused, 1U);
}

} // namespace
} // namespace airan::l1
