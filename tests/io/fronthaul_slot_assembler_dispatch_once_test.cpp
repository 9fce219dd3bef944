// No slot leaves the assembler twice: with a deadline long enough never to pass (the stepped L1
// link's 1 s, a replay config's), a copy of a frame of a slot dispatched many slots earlier is
// too late instead of reopening it as a second, partial slot; a slot further behind the newest
// dispatched one than the reorder window is too late as well, while slots reordered inside the
// window still open and complete. FronthaulDispatchRecord on its own: the horizon, the window
// sliding behind it, clear().
#include "fronthaul_test_helpers.h"

#include "airan/io/fronthaul_dispatch_record.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace airan::io::dispatch_once_test {

using airan::test::CapturedFrame;

constexpr std::int64_t dispatch_epoch = 1'700'000'000'000'000'000;

TEST(FronthaulDispatchRecord, RecordsTheHorizonAndTheWindowBehindIt) {
  FronthaulDispatchRecord record(8);
  EXPECT_EQ(record.window_slots(), 8);
  EXPECT_FALSE(record.horizon());
  EXPECT_FALSE(record.done(-100)); // nothing is done before the first slot
  record.record(100);
  EXPECT_EQ(record.horizon(), 100);
  EXPECT_TRUE(record.done(100));
  EXPECT_FALSE(record.done(101));
  for (std::int64_t slot = 93; slot < 100; ++slot) { // the window: not recorded, not done
    EXPECT_FALSE(record.done(slot)) << slot;
  }
  EXPECT_TRUE(record.done(92)); // window_slots() behind the horizon and further
  EXPECT_TRUE(record.done(-5));
  record.record(97); // behind the horizon, inside the window
  EXPECT_TRUE(record.done(97));
  EXPECT_EQ(record.horizon(), 100);
  record.record(50); // behind the window: done already, nothing changes
  EXPECT_EQ(record.horizon(), 100);
  EXPECT_FALSE(record.done(98));
  // The window slides: slots it takes in are not done (their bits held 93 .. 96 before).
  record.record(104);
  EXPECT_EQ(record.horizon(), 104);
  for (const std::int64_t slot : {101, 102, 103, 98, 99}) {
    EXPECT_FALSE(record.done(slot)) << slot;
  }
  EXPECT_TRUE(record.done(97));
  EXPECT_TRUE(record.done(100));
  EXPECT_TRUE(record.done(96)); // now behind the window
  // A jump past the whole window leaves only the new horizon recorded.
  record.record(1000);
  EXPECT_TRUE(record.done(1000));
  EXPECT_FALSE(record.done(999));
  EXPECT_FALSE(record.done(993));
  EXPECT_TRUE(record.done(992));
  record.clear();
  EXPECT_FALSE(record.horizon());
  EXPECT_FALSE(record.done(1000));
  EXPECT_FALSE(record.done(0));
  record.record(-3); // negative slots map into the window like the others
  EXPECT_TRUE(record.done(-3));
  EXPECT_FALSE(record.done(-4));
  EXPECT_FALSE(record.done(-10));
  EXPECT_TRUE(record.done(-11));
  EXPECT_THROW((void)FronthaulDispatchRecord(0), std::invalid_argument);
}

/// The committed 2-UE vector's grid (106 PRB, mu 0, 2 Rx) sent as any absolute slot.
class DispatchOnceBench {
public:
  explicit DispatchOnceBench(std::int64_t slot_deadline_ns)
      : reader_(airan::test::committed_vector(airan::test::vector_2ue)),
        config_(make_config(slot_deadline_ns)),
        emulator_(reader_.header().cell, reader_.header().num_rx_antennas, config_),
        assembler(reader_.header().cell, reader_.header().num_rx_antennas, config_) {
    reader_.read_slot(0, slot_, {true, false, false});
  }

  /// Every frame of absolute slot \p absolute, stamped at its transmit time.
  std::vector<CapturedFrame> frames_of(std::int64_t absolute) {
    slot_.slot = emulator_.clock().slot_in_frame(absolute);
    std::vector<CapturedFrame> frames;
    airan::test::capture_slot(emulator_, slot_, absolute, dispatch_epoch, frames);
    return frames;
  }
  /// Pushes \p frames and returns the absolute slots dispatched meanwhile, in order.
  std::vector<std::int64_t> push(const std::vector<CapturedFrame>& frames) {
    for (const auto& frame : frames) {
      assembler.push(frame.bytes, frame.tx_ns);
    }
    return drain();
  }
  std::vector<std::int64_t> drain() {
    std::vector<std::int64_t> dispatched;
    while (const AssembledSlot* slot = assembler.next_slot()) {
      dispatched.push_back(slot->absolute_slot);
      EXPECT_EQ(slot->reason, SlotDispatchReason::complete) << slot->absolute_slot;
      assembler.release(slot);
    }
    return dispatched;
  }

private:
  static FronthaulConfig make_config(std::int64_t slot_deadline_ns) {
    FronthaulConfig config;
    config.compression = {CompressionMethod::block_floating_point, 9};
    config.epoch_ns = dispatch_epoch;
    config.slot_deadline_ns = slot_deadline_ns;
    return config;
  }

  TestVectorReader reader_;
  FronthaulConfig config_;
  RuEmulator emulator_;
  TestVectorSlot slot_;

public:
  FronthaulSlotAssembler assembler;
};

constexpr std::int64_t one_second = 1'000'000'000;

// The review's case: 20 whole slots, then one more copy of a frame of slot 2. The assembler
// remembered only the last 2 x pool_size() dispatches, and the 1 s deadline had not passed:
// slot 2 opened again and flush() dispatched it a second time, partial.
TEST(FronthaulSlotAssemblerDispatchOnce, ACopyOfAFrameOfALongDispatchedSlotIsTooLate) {
  DispatchOnceBench bench(one_second);
  std::vector<CapturedFrame> slot_2;
  std::int64_t last_tx_ns = 0;
  for (std::int64_t absolute = 0; absolute < 20; ++absolute) {
    const auto frames = bench.frames_of(absolute);
    EXPECT_EQ(bench.push(frames), std::vector<std::int64_t>{absolute});
    last_tx_ns = frames.back().tx_ns;
    if (absolute == 2) {
      slot_2 = frames;
    }
  }
  EXPECT_EQ(bench.assembler.dispatch_horizon(), 19);
  ASSERT_GT(20, 2 * static_cast<int>(bench.assembler.pool_size())); // beyond the old memory
  CapturedFrame copy = slot_2.front();
  copy.tx_ns = last_tx_ns + 1000; // it comes after slot 19's frames
  EXPECT_FALSE(bench.assembler.push(copy.bytes, copy.tx_ns));
  EXPECT_EQ(bench.assembler.pending_slots(), 0U);
  bench.assembler.flush();
  EXPECT_TRUE(bench.drain().empty());
  const FronthaulCounters& c = bench.assembler.counters();
  EXPECT_EQ(c.too_late, 1U);
  EXPECT_EQ(c.slots_complete, 20U);
  EXPECT_EQ(c.slots_flushed + c.missing_units + c.late, 0U) << to_string(c);
}

// Reordering inside the window is what it was: a slot whose frames all come after those of the
// next few slots opens and completes, once; a copy of one of its frames afterwards is too late.
TEST(FronthaulSlotAssemblerDispatchOnce, SlotsReorderedInsideTheWindowStillOpen) {
  DispatchOnceBench bench(one_second);
  const std::int64_t window = bench.assembler.reorder_window_slots();
  EXPECT_EQ(window, 1000 + 4 + 3); // 1 s of 1 ms slots, max_slots_in_flight 4, 3 to spare
  const auto held_back = bench.frames_of(5);
  for (std::int64_t absolute = 0; absolute < 30; ++absolute) {
    if (absolute != 5) {
      EXPECT_EQ(bench.push(bench.frames_of(absolute)), std::vector<std::int64_t>{absolute});
    }
  }
  EXPECT_EQ(bench.push(held_back), std::vector<std::int64_t>{5}); // 24 slots behind: in
  EXPECT_EQ(bench.push({held_back.back()}), std::vector<std::int64_t>{});
  bench.assembler.flush();
  EXPECT_TRUE(bench.drain().empty());
  const FronthaulCounters& c = bench.assembler.counters();
  EXPECT_EQ(c.slots_complete, 30U);
  EXPECT_EQ(c.too_late, 1U);
  EXPECT_EQ(c.slots_flushed, 0U);
}

// With the default 500 us deadline (a window of 1 + 4 + 3 slots at mu 0), a slot never seen but
// further behind the newest dispatched one than that is too late, even when its frames' own
// times put them before its deadline (a capture's timestamps stepping back): the stream left it
// behind.
TEST(FronthaulSlotAssemblerDispatchOnce, ASlotBehindTheWindowIsTooLateEvenIfNeverSeen) {
  DispatchOnceBench bench(500'000);
  EXPECT_EQ(bench.assembler.reorder_window_slots(), 8);
  for (const std::int64_t absolute : {0, 10, 20}) {
    EXPECT_EQ(bench.push(bench.frames_of(absolute)), std::vector<std::int64_t>{absolute});
  }
  const auto behind = bench.frames_of(12); // 8 slots behind slot 20
  const auto inside = bench.frames_of(13); // 7 behind: inside the window
  EXPECT_FALSE(bench.assembler.push(behind.front().bytes, behind.front().tx_ns));
  EXPECT_EQ(bench.push(inside), std::vector<std::int64_t>{13});
  const FronthaulCounters& c = bench.assembler.counters();
  EXPECT_EQ(c.too_late, 1U);
  EXPECT_EQ(c.slots_complete, 4U);
}

} // namespace airan::io::dispatch_once_test
