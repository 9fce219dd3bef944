// A live L1's uplink C-plane leaves in its T1a window, taken per message before the air time of
// its first symbol: a slot's frames are held in the CplaneFrameQueue until the window of the
// slot's symbol 0 opens, then go in order with the slot's end; each frame gets the window of its
// own first symbol and is counted on time, late, or (no window) unclassified when sent.
#include "airan/io/fronthaul_frame.h"
#include "airan/l1/cplane_frame_queue.h"
#include "airan/l1/uplink_cplane_transmit_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

namespace airan::l1 {
namespace {

/// Records frames (their size and first byte) and slot ends, in the order handed over.
struct WindowRecord final : CplaneQueueVisitor {
  std::vector<int> events; ///< Frame: size * 1000 + first byte; slot end: -(slot + 1).
  void on_frame(std::span<const std::uint8_t> frame) override {
    events.push_back(static_cast<int>(frame.size()) * 1000 + frame[0]);
  }
  void on_slot_done(std::uint16_t /*sfn*/, std::uint16_t slot) override {
    events.push_back(-(slot + 1));
  }
};

/// Releases the slots below a limit (the test moves it).
struct SlotsBelow final : CplaneSlotRelease {
  std::uint16_t limit = 0;
  std::vector<std::uint16_t> asked;
  bool due(std::uint16_t /*sfn*/, std::uint16_t slot) override {
    asked.push_back(slot);
    return slot < limit;
  }
};

int frame_event(std::size_t size, int first) {
  return static_cast<int>(size) * 1000 + first;
}

TEST(CplaneFrameQueueTakeDue, HoldsEachSlotUntilItIsDueAndKeepsTheOrder) {
  CplaneFrameQueue queue(8, 1); // small: holding back and appending must grow it
  WindowRecord record;
  SlotsBelow release;
  queue.add_frame(std::vector<std::uint8_t>(20, 1));
  queue.add_frame(std::vector<std::uint8_t>(21, 2));
  queue.add_slot_done(0, 0);
  queue.add_frame(std::vector<std::uint8_t>(30, 3));
  queue.add_slot_done(0, 1);
  queue.add_frame(std::vector<std::uint8_t>(40, 4)); // slot 2's end is not queued yet
  EXPECT_EQ(queue.take_due(record, release), 0U);
  EXPECT_TRUE(record.events.empty());
  // Each slot whose end is queued is asked about; slot 2's frame waits for its end.
  EXPECT_EQ(release.asked, (std::vector<std::uint16_t>{0, 1}));
  release.limit = 1;
  EXPECT_EQ(queue.take_due(record, release), 3U);
  EXPECT_EQ(record.events, (std::vector<int>{frame_event(20, 1), frame_event(21, 2), -1}));
  // What was held stays in front of what comes after it.
  queue.add_frame(std::vector<std::uint8_t>(41, 5));
  queue.add_slot_done(0, 2);
  queue.add_slot_done(0, 3); // a slot with no frame
  release.limit = 10;
  EXPECT_EQ(queue.take_due(record, release), 6U);
  EXPECT_EQ(record.events,
            (std::vector<int>{frame_event(20, 1), frame_event(21, 2), -1, frame_event(30, 3), -2,
                              frame_event(40, 4), frame_event(41, 5), -3, -4}));
  // clear() drops what is held back too, and what is still queued, and counts the frames.
  queue.add_frame(std::vector<std::uint8_t>(9, 6));
  queue.add_slot_done(0, 20);
  EXPECT_EQ(queue.take_due(record, release), 0U);
  queue.add_frame(std::vector<std::uint8_t>(9, 7));
  queue.add_frame(std::vector<std::uint8_t>(9, 8));
  EXPECT_EQ(queue.clear(), 3U);
  release.limit = 100;
  EXPECT_EQ(queue.take_due(record, release), 0U);
  EXPECT_EQ(queue.take_all(record), 0U);
  EXPECT_EQ(queue.clear(), 0U);
}

/// Releases the slots in a set.
struct SlotsIn final : CplaneSlotRelease {
  std::vector<std::uint16_t> slots;
  bool due(std::uint16_t /*sfn*/, std::uint16_t slot) override {
    return std::ranges::find(slots, slot) != slots.end();
  }
};

TEST(CplaneFrameQueueTakeDue, ASlotQueuedOutOfOrderIsNotHeldBackByALaterOne) {
  CplaneFrameQueue queue(8, 1);
  WindowRecord record;
  SlotsIn release;
  // The MAC sent slot 3's UL_TTI.request before slot 2's.
  queue.add_frame(std::vector<std::uint8_t>(30, 3));
  queue.add_slot_done(0, 3);
  queue.add_frame(std::vector<std::uint8_t>(20, 2));
  queue.add_slot_done(0, 2);
  queue.add_frame(std::vector<std::uint8_t>(40, 4)); // slot 4's end not queued yet
  release.slots = {2, 4};
  EXPECT_EQ(queue.take_due(record, release), 2U); // slot 2 goes; slot 3 is not due yet
  EXPECT_EQ(record.events, (std::vector<int>{frame_event(20, 2), -3}));
  EXPECT_EQ(queue.take_due(record, release), 0U); // nothing twice
  queue.add_slot_done(0, 4);
  queue.add_frame(std::vector<std::uint8_t>(50, 5));
  queue.add_slot_done(0, 5);
  release.slots = {2, 3, 4};
  EXPECT_EQ(queue.take_due(record, release), 4U);
  EXPECT_EQ(record.events, (std::vector<int>{frame_event(20, 2), -3, frame_event(30, 3), -4,
                                             frame_event(40, 4), -5}));
  // take_all() hands over the rest (slot 5), not again what take_due() handed over.
  EXPECT_EQ(queue.take_all(record), 2U);
  EXPECT_EQ(record.events.size(), 8U);
  EXPECT_EQ(record.events[6], frame_event(50, 5));
  EXPECT_EQ(queue.take_all(record), 0U);
}

TEST(CplaneFrameQueueTakeDue, ClearCountsOnlyTheFramesNotHandedOver) {
  CplaneFrameQueue queue(8, 1);
  WindowRecord record;
  SlotsIn release;
  queue.add_frame(std::vector<std::uint8_t>(30, 3));
  queue.add_slot_done(0, 3);
  queue.add_frame(std::vector<std::uint8_t>(20, 2));
  queue.add_frame(std::vector<std::uint8_t>(21, 2));
  queue.add_slot_done(0, 2);
  queue.add_frame(std::vector<std::uint8_t>(40, 4));
  release.slots = {2};
  EXPECT_EQ(queue.take_due(record, release), 3U);    // slot 2 handed over ahead of slot 3
  queue.add_frame(std::vector<std::uint8_t>(41, 4)); // not gathered yet
  EXPECT_EQ(queue.clear(), 3U);                      // slot 3's frame and slot 4's two
  release.slots = {2, 3, 4};
  queue.add_slot_done(0, 4);
  EXPECT_EQ(queue.take_due(record, release), 1U); // only the end queued after clear()
  EXPECT_EQ(record.events.size(), 4U);
}

TEST(CplaneFrameQueueTakeDue, ReleasesInOrderWhileAnotherThreadQueues) {
  CplaneFrameQueue queue(16, 2);
  WindowRecord record;
  SlotsBelow release;
  std::thread producer([&] {
    for (std::uint16_t slot = 0; slot < 200; ++slot) {
      queue.add_frame(std::vector<std::uint8_t>(40 + slot, static_cast<std::uint8_t>(slot)));
      queue.add_frame(std::vector<std::uint8_t>(41 + slot, static_cast<std::uint8_t>(slot)));
      queue.add_slot_done(0, slot);
    }
  });
  while (record.events.size() < 600) {
    release.limit = static_cast<std::uint16_t>(std::min<std::size_t>(200, release.limit + 3));
    queue.take_due(record, release);
  }
  producer.join();
  ASSERT_EQ(record.events.size(), 600U);
  for (std::size_t slot = 0; slot < 200; ++slot) {
    const int id = static_cast<int>(slot);
    EXPECT_EQ(record.events[3 * slot], frame_event(40 + slot, id));
    EXPECT_EQ(record.events[3 * slot + 1], frame_event(41 + slot, id));
    EXPECT_EQ(record.events[3 * slot + 2], -(id + 1));
  }
}

/// A window on a timeline whose epoch is 1 s, with a clock the test sets.
struct WindowFixture {
  explicit WindowFixture(double scale = 1.0) {
    timeline.epoch_ns = 1'000'000'000;
    timeline.scale = scale;
  }
  UplinkCplaneTransmitWindow make(const io::FronthaulConfig& config = {}) {
    return {1, phy::CyclicPrefix::normal, timeline, config, [this] { return now; }};
  }
  /// The wall time of air time \p air_from_epoch ns after the epoch.
  std::int64_t wall(std::int64_t air_from_epoch) const {
    return timeline.wall_ns(timeline.epoch_ns + air_from_epoch);
  }
  /// The wall time of absolute air time \p air_ns.
  std::int64_t wall_at_air(std::int64_t air_ns) const { return timeline.wall_ns(air_ns); }
  io::AirTimeline timeline;
  std::int64_t now = 0;
};

/// A one-section uplink C-plane frame (mu 1) whose message starts at \p symbol of \p slot.
std::vector<std::uint8_t> transmit_window_test_frame(std::uint64_t slot, unsigned symbol) {
  io::CplaneMessageHeader header;
  header.timing = io::FronthaulSlotClock(1, phy::CyclicPrefix::normal).timing_header(slot, symbol);
  io::CplaneSection section;
  section.num_prbs = 10;
  std::vector<std::uint8_t> bytes(512);
  bytes.resize(io::write_cplane_frame(bytes, io::FronthaulFrameHeader{}, header, {&section, 1}));
  EXPECT_FALSE(bytes.empty());
  return bytes;
}

TEST(UplinkCplaneTransmitWindow, ASlotIsDueWhenItsSymbol0sWindowOpens) {
  WindowFixture f;
  auto window = f.make(); // 500 us .. 285 us
  // mu 1: SFN 3 slot 5 is absolute slot 65, which starts 32.5 ms after the epoch.
  const std::int64_t start = 32'500'000;
  f.now = f.wall(start - 1'500'000); // two slots ahead, as a MAC schedules
  EXPECT_FALSE(window.due(3, 5));
  f.now = f.wall(start - 500'001);
  EXPECT_FALSE(window.due(3, 5));
  f.now = f.wall(start - 500'000);
  EXPECT_TRUE(window.due(3, 5));
  f.now = f.wall(start + 100'000); // the slot has begun: still due (its C-plane leaves, late)
  EXPECT_TRUE(window.due(3, 5));
  // due() counts nothing.
  EXPECT_EQ(window.messages_on_time() + window.messages_late() + window.messages_unclassified(),
            0U);
}

TEST(UplinkCplaneTransmitWindow, EachFrameGetsTheWindowOfItsFirstSymbol) {
  WindowFixture f;
  auto window = f.make(); // 500 us .. 285 us
  const io::FronthaulSlotClock clock(1, phy::CyclicPrefix::normal);
  const std::int64_t epoch = f.timeline.epoch_ns;
  const std::int64_t symbol0 = clock.symbol_start_ns(epoch, 65, 0);
  const std::int64_t symbol10 = clock.symbol_start_ns(epoch, 65, 10);
  EXPECT_EQ(symbol0, epoch + 32'500'000);
  EXPECT_EQ(symbol10 - symbol0, clock.symbol_offset_ns(5, 10)); // 10 symbols, CPs included
  f.now = f.wall(32'500'000 - 1'500'000);                       // two slots ahead
  const auto first = window.frame_window(transmit_window_test_frame(65, 0));
  const auto tenth = window.frame_window(transmit_window_test_frame(65, 10));
  ASSERT_TRUE(first && tenth);
  EXPECT_EQ(first->absolute_slot, 65);
  EXPECT_EQ(first->symbol, 0U);
  EXPECT_EQ(first->symbol_start_ns, symbol0);
  EXPECT_EQ(first->opens_ns, symbol0 - 500'000);
  EXPECT_EQ(first->closes_ns, symbol0 - 285'000);
  EXPECT_EQ(tenth->absolute_slot, 65);
  EXPECT_EQ(tenth->symbol, 10U);
  EXPECT_EQ(tenth->symbol_start_ns, symbol10);
  EXPECT_EQ(tenth->opens_ns, symbol10 - 500'000);
  EXPECT_EQ(tenth->closes_ns, symbol10 - 285'000);
  EXPECT_FALSE(first->opened(window.air_now()));
  // Sent at symbol 10's window's last instant: on time for it, late for symbol 0's.
  f.now = f.wall_at_air(tenth->closes_ns);
  EXPECT_EQ(window.air_now(), tenth->closes_ns);
  window.count_sent(tenth);
  window.count_sent(first);
  EXPECT_EQ(window.messages_on_time(), 1U);
  EXPECT_EQ(window.messages_late(), 1U);
  f.now = f.wall_at_air(tenth->closes_ns + 1);
  window.count_sent(tenth);
  EXPECT_EQ(window.messages_late(), 2U);
  f.now = f.wall_at_air(first->opens_ns); // both ends on time
  window.count_sent(first);
  EXPECT_EQ(window.messages_on_time(), 2U);
  f.now = f.wall_at_air(tenth->opens_ns - 1); // before its window: early, not on time
  window.count_sent(tenth);
  EXPECT_EQ(window.messages_early(), 1U);
  EXPECT_EQ(window.messages_on_time(), 2U);
  EXPECT_EQ(window.messages_unclassified(), 0U);
}

TEST(UplinkCplaneTransmitWindow, AFrameThatDoesNotParseIsCountedUnclassified) {
  WindowFixture f;
  auto window = f.make();
  f.now = f.wall(32'000'000);
  const std::vector<std::uint8_t> runt(10, 0);
  EXPECT_FALSE(window.frame_window(runt));
  auto cut = transmit_window_test_frame(65, 0);
  cut.resize(cut.size() - 3); // its section cut short
  EXPECT_FALSE(window.frame_window(cut));
  window.count_sent(window.frame_window(runt));
  window.count_sent(std::nullopt);
  EXPECT_EQ(window.messages_unclassified(), 2U);
  EXPECT_EQ(window.messages_on_time() + window.messages_late() + window.messages_early(), 0U);
}

TEST(UplinkCplaneTransmitWindow, SlowsDownWithTheTimelineAndFollowsTheSfnWrap) {
  WindowFixture f(40.0);
  io::FronthaulConfig config;
  config.t1a_max_cp_ul_ns = 400'000;
  config.t1a_min_cp_ul_ns = 100'000;
  auto window = f.make(config);
  // SFN 0 slot 0 of the second SFN cycle (absolute slot 20480, 10.24 s of air after the epoch),
  // asked for while SFN 1023 slot 19 is on air.
  const std::int64_t start = 10'240'000'000;
  f.now = f.wall(start - 400'001);
  EXPECT_FALSE(window.due(0, 0));
  f.now = f.wall(start - 400'000); // 16 ms of wall time before the slot's wall start
  EXPECT_TRUE(window.due(0, 0));
  EXPECT_EQ(f.wall(start) - f.now, 16'000'000);
  // Its frame (cycle slot 0 of the 256-frame cycle) resolves to the same slot, not to cycle 0.
  const auto frame_window = window.frame_window(transmit_window_test_frame(20480, 0));
  ASSERT_TRUE(frame_window);
  EXPECT_EQ(frame_window->absolute_slot, 20480);
  EXPECT_EQ(frame_window->opens_ns, f.timeline.epoch_ns + start - 400'000);
  window.count_sent(frame_window);
  EXPECT_EQ(window.messages_on_time(), 1U);
}

TEST(UplinkCplaneTransmitWindow, RefusesAWindowThatEndsBeforeItOpens) {
  WindowFixture f;
  io::FronthaulConfig config;
  config.t1a_min_cp_ul_ns = config.t1a_max_cp_ul_ns + 1;
  EXPECT_THROW(f.make(config), std::invalid_argument);
}

} // namespace
} // namespace airan::l1
