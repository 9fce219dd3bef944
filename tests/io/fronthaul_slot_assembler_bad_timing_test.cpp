// Bad timing never costs more than the packets that carry it: one frame with a timestamp 100 s
// off is placed by its timing header (its slot still completes, the clock that drives deadlines
// does not move), a jump of the whole stream's clock is followed after a few frames, a stray
// first packet with a wrong frameId does not fix a wrong learned epoch, and push() says whether
// a frame went into a slot.
#include "fronthaul_test_helpers.h"

#include <gtest/gtest.h>

namespace {

using namespace airan::io;
using airan::test::CapturedFrame;

constexpr std::int64_t epoch = 1'700'000'000'000'000'000;
constexpr std::int64_t second = 1'000'000'000;

FronthaulConfig config_with(bool learned_epoch) {
  FronthaulConfig config;
  config.mode = FronthaulIngestMode::frequency_domain;
  config.compression = {CompressionMethod::block_floating_point, 9};
  if (!learned_epoch) {
    config.epoch_ns = epoch;
  }
  return config;
}

struct Fixture {
  explicit Fixture(bool learned_epoch)
      : reader(airan::test::committed_vector(airan::test::vector_2ue)),
        config(config_with(learned_epoch)),
        emulator(reader.header().cell, reader.header().num_rx_antennas, config),
        assembler(reader.header().cell, reader.header().num_rx_antennas, config) {
    reader.read_slot(0, slot);
  }
  /// Frames of slots first, first + 10, ... (absolute, as sent; slot 0 of every frame, the
  /// vector slot's), in sending order.
  std::vector<CapturedFrame> capture(std::int64_t first, int count) {
    std::vector<CapturedFrame> frames;
    for (int i = 0; i < count; ++i) {
      airan::test::capture_slot(emulator, slot, first + 10 * i, epoch, frames);
    }
    return frames;
  }
  /// Pushes like a capture replay (advance() on the running clock after each accepted frame);
  /// returns the slots handed out, oldest first.
  std::vector<AssembledSlot> replay(const std::vector<CapturedFrame>& frames) {
    std::vector<AssembledSlot> out;
    for (const auto& frame : frames) {
      if (assembler.push(frame.bytes, frame.tx_ns)) {
        assembler.advance(*assembler.arrival_clock_ns());
      }
      drain(out);
    }
    assembler.flush();
    drain(out);
    return out;
  }
  void drain(std::vector<AssembledSlot>& out) {
    while (const AssembledSlot* s = assembler.next_slot()) {
      out.push_back(*s);
      assembler.release(s);
    }
  }

  TestVectorReader reader;
  FronthaulConfig config;
  RuEmulator emulator;
  FronthaulSlotAssembler assembler;
  TestVectorSlot slot;
};

class WildTimestamp : public ::testing::TestWithParam<bool> {};

TEST_P(WildTimestamp, OneFrameFarOffInTimeStillLandsInItsSlot) {
  for (const std::int64_t offset : {100 * second, -100 * second}) {
    Fixture f(GetParam());
    auto frames = f.capture(1000, 4);
    const std::size_t wild = frames.size() / 4 + 10; // in the second slot
    frames[wild].tx_ns += offset;
    const auto slots = f.replay(frames);
    ASSERT_EQ(slots.size(), 4U) << offset;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      EXPECT_TRUE(slots[i].complete()) << "slot " << i << ", offset " << offset;
      EXPECT_EQ(slots[i].reason, SlotDispatchReason::complete) << "slot " << i;
      EXPECT_EQ(slots[i].absolute_slot - slots[0].absolute_slot, 10 * std::int64_t(i));
    }
    const auto& c = f.assembler.counters();
    EXPECT_EQ(c.arrival_outliers, 1U);
    EXPECT_EQ(c.clock_resyncs, 0U);
    EXPECT_EQ(c.too_late + c.too_early + c.epoch_mismatch + c.missing_units, 0U);
    EXPECT_EQ(c.early + c.on_time + c.late, frames.size());
    EXPECT_EQ(*f.assembler.arrival_clock_ns(), frames.back().tx_ns);
    EXPECT_NE(to_string(c).find("arrival_outliers 1\n"), std::string::npos);
  }
}

// The whole stream 60 s later (a capture spliced from two): the first resync_after - 1 frames
// after the jump are outliers placed against the old clock (dropped: too early or too late),
// then the clock follows and every later slot is complete again.
TEST_P(WildTimestamp, AJumpOfTheWholeStreamIsFollowedAfterAFewFrames) {
  Fixture f(GetParam());
  auto frames = f.capture(1000, 2);
  const std::size_t per_slot = frames.size() / 2;
  auto later = f.capture(1000 + 60'000, 3);
  frames.insert(frames.end(), later.begin(), later.end());
  const auto slots = f.replay(frames);
  const auto& c = f.assembler.counters();
  EXPECT_EQ(c.clock_resyncs, 1U);
  EXPECT_EQ(c.arrival_outliers, FronthaulSlotAssembler::resync_after - 1);
  EXPECT_EQ(*f.assembler.arrival_clock_ns(), frames.back().tx_ns);
  ASSERT_GE(slots.size(), 5U);
  const auto& last = slots.back();
  EXPECT_TRUE(last.complete());
  EXPECT_TRUE(slots[slots.size() - 2].complete());
  EXPECT_EQ(last.stats.packets, per_slot);
  EXPECT_EQ(c.too_late + c.too_early + c.epoch_mismatch + c.early + c.on_time + c.late,
            frames.size());
}

// A stray first packet (another frameId) fixes a learned epoch 500 slots off: the good packets
// are dropped as epoch mismatches until resync_after of them in a row re-learn it; the stray's
// slot is discarded, and everything after the re-learning is assembled.
TEST(FronthaulSlotAssemblerEpoch, AStrayFirstPacketIsOutvotedByTheGoodOnes) {
  Fixture f(true);
  auto frames = f.capture(1000, 3);
  const std::size_t per_slot = frames.size() / 3;
  auto stray = f.capture(1500, 1);
  stray[0].tx_ns = frames[0].tx_ns - 1000;
  frames.insert(frames.begin(), stray[0]);
  const auto slots = f.replay(frames);
  const auto& c = f.assembler.counters();
  EXPECT_EQ(c.epoch_relearns, 1U);
  EXPECT_EQ(c.slots_discarded, 1U);
  EXPECT_EQ(c.epoch_mismatch, FronthaulSlotAssembler::resync_after); // 7 good ones + the stray
  EXPECT_EQ(c.too_late + c.too_early, 0U);
  EXPECT_EQ(c.early + c.on_time + c.late, frames.size() - c.epoch_mismatch);
  ASSERT_EQ(slots.size(), 3U);
  EXPECT_FALSE(slots[0].complete());
  EXPECT_EQ(slots[0].stats.packets, per_slot - (FronthaulSlotAssembler::resync_after - 1));
  EXPECT_TRUE(slots[1].complete());
  EXPECT_TRUE(slots[2].complete());
  EXPECT_EQ(slots[1].absolute_slot, slots[0].absolute_slot + 10);
  // The slots carry the good packets' timing header fields.
  const OranTimingHeader ids =
      f.assembler.clock().timing_header(1010 % f.assembler.clock().slots_per_cycle(), 0);
  EXPECT_EQ(slots[1].frame_id, ids.frame_id);
  EXPECT_EQ(slots[1].subframe_id, ids.subframe_id);
  EXPECT_EQ(slots[1].slot_id, ids.slot_id);
}

// A configured epoch is never re-learned: far-off packets are just too early or too late.
TEST(FronthaulSlotAssemblerEpoch, AConfiguredEpochIsKept) {
  Fixture f(false);
  auto frames = f.capture(1000, 2);
  auto stray = f.capture(1500, 1);
  for (std::size_t i = 0; i < 20; ++i) {
    stray[i].tx_ns = frames[0].tx_ns;
    frames.insert(frames.begin(), stray[i]);
  }
  const auto slots = f.replay(frames);
  const auto& c = f.assembler.counters();
  EXPECT_EQ(c.epoch_relearns + c.epoch_mismatch, 0U);
  EXPECT_EQ(c.too_early, 20U);
  ASSERT_EQ(slots.size(), 2U);
  EXPECT_TRUE(slots[0].complete());
  EXPECT_TRUE(slots[1].complete());
}

TEST(FronthaulSlotAssemblerPush, SaysWhetherTheFrameWentIntoASlot) {
  Fixture f(false);
  const auto frames = f.capture(1000, 1);
  std::vector<std::uint8_t> garbage(frames[0].bytes.begin(), frames[0].bytes.begin() + 20);
  EXPECT_FALSE(f.assembler.push(garbage, frames[0].tx_ns));
  EXPECT_FALSE(f.assembler.arrival_clock_ns().has_value());
  EXPECT_TRUE(f.assembler.push(frames[0].bytes, frames[0].tx_ns));
  EXPECT_EQ(f.assembler.arrival_clock_ns(), frames[0].tx_ns);
  // 1 s late, into the slot still being assembled: taken (late), but its time is not.
  EXPECT_TRUE(f.assembler.push(frames[1].bytes, frames[1].tx_ns + second));
  EXPECT_EQ(f.assembler.arrival_clock_ns(), frames[0].tx_ns);
  EXPECT_EQ(f.assembler.counters().late, 1U);
  f.assembler.flush();
  f.assembler.release(f.assembler.next_slot());
  EXPECT_FALSE(f.assembler.push(frames[2].bytes, frames[2].tx_ns)); // its slot left: too late
  EXPECT_EQ(f.assembler.counters().too_late, 1U);
}

INSTANTIATE_TEST_SUITE_P(ConfiguredAndLearnedEpoch, WildTimestamp, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? std::string("Learned") : std::string("Configured");
                         });

} // namespace
