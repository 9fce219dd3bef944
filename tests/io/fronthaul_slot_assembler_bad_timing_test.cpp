// Bad timing never costs more than the packets that carry it: one frame with a timestamp 100 s
// off is placed by its timing header (its slot still completes, the clock that drives deadlines
// does not move), a jump of the whole stream's clock, forward or back, is followed after a few
// frames, a stray first packet with a wrong frameId does not fix a wrong learned epoch, while
// one frame of many concatenated stray messages, or stray packets that disagree with each
// other, never re-learn it; push() says whether a frame went into a slot.
#include "fronthaul_test_helpers.h"

#include <gtest/gtest.h>

namespace {

using namespace airan::io;
using airan::test::CapturedFrame;

constexpr std::int64_t timing_epoch = 1'700'000'000'000'000'000;
constexpr std::int64_t second = 1'000'000'000;

FronthaulConfig bfp9_config(bool learned_epoch) {
  FronthaulConfig config;
  config.mode = FronthaulIngestMode::frequency_domain;
  config.compression = {CompressionMethod::block_floating_point, 9};
  if (!learned_epoch) {
    config.epoch_ns = timing_epoch;
  }
  return config;
}

struct Fixture {
  explicit Fixture(bool learned_epoch)
      : reader(airan::test::committed_vector(airan::test::vector_2ue)),
        config(bfp9_config(learned_epoch)),
        emulator(reader.header().cell, reader.header().num_rx_antennas, config),
        assembler(reader.header().cell, reader.header().num_rx_antennas, config) {
    reader.read_slot(0, slot);
  }
  /// Frames of slots first, first + 10, ... (absolute, as sent; slot 0 of every frame, the
  /// vector slot's), in sending order.
  std::vector<CapturedFrame> capture(std::int64_t first, int count) {
    std::vector<CapturedFrame> frames;
    for (int i = 0; i < count; ++i) {
      airan::test::capture_slot(emulator, slot, first + std::int64_t{10} * i, timing_epoch, frames);
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

/// One frame carrying the eCPRI messages of \p frames (C bit, 4-byte aligned), sent at the
/// first one's time.
CapturedFrame concatenate(const std::vector<CapturedFrame>& frames) {
  constexpr std::size_t ethernet = 14; // no VLAN tag from the emulator
  CapturedFrame joined{frames[0].bytes, frames[0].tx_ns};
  for (std::size_t i = 1; i < frames.size(); ++i) {
    joined.bytes[ethernet] |= 0x01; // the C bit of every message but the last
    while ((joined.bytes.size() - ethernet) % 4 != 0) {
      joined.bytes.push_back(0);
    }
    const std::size_t start = joined.bytes.size();
    joined.bytes.insert(joined.bytes.end(), frames[i].bytes.begin() + ethernet,
                        frames[i].bytes.end());
    if (i + 1 < frames.size()) {
      joined.bytes[start] |= 0x01;
    }
  }
  return joined;
}

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

// The whole stream's times step back by a frameId cycle (2.56 s; a sender whose clock wraps
// with the cycle) in the middle of a slot while the headers go on: the clock follows after
// resync_after frames, the slots being assembled are flushed at once (their missing packets
// are not coming: nothing waits for a deadline 2.56 s away), and the later slots are complete.
TEST_P(WildTimestamp, AStepBackOfTheWholeStreamIsFollowedToo) {
  Fixture f(GetParam());
  auto frames = f.capture(1000, 3);
  const std::size_t per_slot = frames.size() / 3;
  frames.resize(2 * per_slot + per_slot / 2); // slot 1020 half sent
  const std::int64_t cycle_ns = 2'560'000'000;
  for (auto frame : f.capture(1030, 3)) {
    frame.tx_ns -= cycle_ns;
    frames.push_back(frame);
  }
  const auto slots = f.replay(frames);
  const auto& c = f.assembler.counters();
  EXPECT_EQ(c.clock_resyncs, 1U);
  EXPECT_EQ(c.arrival_outliers, FronthaulSlotAssembler::resync_after - 1);
  EXPECT_EQ(*f.assembler.arrival_clock_ns(), frames.back().tx_ns);
  EXPECT_EQ(c.slots_pool_pressure + c.too_late + c.too_early, 0U) << to_string(c);
  // 1000, 1010, 1020 (half), 1030 (the outliers, against the old clock), 1030 (the rest, on
  // the new one: partial at its deadline), 1040, 1050.
  ASSERT_EQ(slots.size(), 7U);
  EXPECT_EQ(c.slots_flushed, 2U);
  EXPECT_EQ(slots[3].reason, SlotDispatchReason::flush);
  EXPECT_EQ(slots[4].reason, SlotDispatchReason::deadline);
  EXPECT_EQ(slots[2].reason, SlotDispatchReason::flush);
  EXPECT_EQ(slots[2].stats.packets, per_slot / 2);
  EXPECT_EQ(slots[3].stats.packets + slots[4].stats.packets, per_slot);
  for (const std::size_t i : {0, 1, 5, 6}) {
    EXPECT_TRUE(slots[i].complete()) << i;
    EXPECT_EQ(slots[i].reason, SlotDispatchReason::complete) << i;
  }
  const std::int64_t cycle_slots = f.assembler.clock().slots_per_cycle();
  EXPECT_EQ(slots[3].absolute_slot, slots[0].absolute_slot + 30);
  EXPECT_EQ(slots[6].absolute_slot, slots[0].absolute_slot + 50 - cycle_slots);
  EXPECT_EQ(c.early + c.on_time + c.late, frames.size());
}

// One frame carrying resync_after or more messages with an outlying time is one frame: it does
// not move the clock; its messages are placed by their headers.
TEST_P(WildTimestamp, ManyOutlyingMessagesInOneFrameAreOneVote) {
  Fixture f(GetParam());
  auto frames = f.capture(1000, 3);
  const std::size_t per_slot = frames.size() / 3;
  const auto first = frames.begin() + static_cast<std::ptrdiff_t>(per_slot + 2);
  const std::vector<CapturedFrame> inner(first, first + std::ptrdiff_t{2} *
                                                            FronthaulSlotAssembler::resync_after);
  CapturedFrame joined = concatenate(inner);
  joined.tx_ns += 60 * second;
  frames.erase(first, first + static_cast<std::ptrdiff_t>(inner.size()));
  frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(per_slot + 2), joined);
  const auto slots = f.replay(frames);
  const auto& c = f.assembler.counters();
  EXPECT_EQ(c.clock_resyncs, 0U);
  EXPECT_EQ(c.arrival_outliers, inner.size());
  EXPECT_EQ(c.concatenated_messages, inner.size() - 1);
  ASSERT_EQ(slots.size(), 3U);
  for (const auto& slot : slots) {
    EXPECT_TRUE(slot.complete());
  }
}

// Two bad frames never re-learn a learned epoch: one stamped 0.5 s ahead with a header that
// fits its time (taken: it moves the clock), one 50 ms behind the clock whose frameId implies
// an epoch 0.5 s on; the good frames after them are outliers placed at the clock's time, whose
// slots then look far off too, but a replaced time says nothing about the epoch. The clock
// comes back after resync_after good frames and the later slots are complete.
TEST(FronthaulSlotAssemblerEpoch, OutliersPlacedAtTheClocksTimeDoNotRelearn) {
  Fixture f(true);
  auto frames = f.capture(1000, 4);
  const std::size_t per_slot = frames.size() / 4;
  CapturedFrame ahead = f.capture(1510, 1)[0];
  CapturedFrame implies_later_epoch = f.capture(960, 1)[0];
  implies_later_epoch.tx_ns += second / 2;
  const auto at = frames.begin() + static_cast<std::ptrdiff_t>(per_slot + 3);
  frames.insert(at, {ahead, implies_later_epoch});
  const auto slots = f.replay(frames);
  const auto& c = f.assembler.counters();
  EXPECT_EQ(c.epoch_relearns + c.slots_discarded, 0U) << to_string(c);
  EXPECT_EQ(c.clock_resyncs, 1U);
  ASSERT_GE(slots.size(), 2U);
  EXPECT_TRUE(slots.front().complete());
  EXPECT_TRUE(slots.back().complete());
  EXPECT_TRUE(slots[slots.size() - 2].complete());
  EXPECT_EQ(slots.back().absolute_slot, slots.front().absolute_slot + 30);
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

// One frame carrying resync_after or more stray messages (another frameId) is one frame: it
// does not re-learn the epoch (nor throw away the slot being assembled).
TEST(FronthaulSlotAssemblerEpoch, ManyStrayMessagesInOneFrameAreOneVote) {
  Fixture f(true);
  auto frames = f.capture(1000, 3);
  const std::size_t per_slot = frames.size() / 3;
  auto stray = f.capture(1500, 1);
  stray.resize(std::size_t{2} * FronthaulSlotAssembler::resync_after);
  CapturedFrame joined = concatenate(stray);
  joined.tx_ns = frames[per_slot + 3].tx_ns;
  frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(per_slot + 3), joined);
  const auto slots = f.replay(frames);
  const auto& c = f.assembler.counters();
  EXPECT_EQ(c.concatenated_messages, stray.size() - 1);
  EXPECT_EQ(c.epoch_relearns + c.slots_discarded, 0U);
  EXPECT_EQ(c.epoch_mismatch, stray.size());
  ASSERT_EQ(slots.size(), 3U);
  for (const auto& slot : slots) {
    EXPECT_TRUE(slot.complete());
  }
}

// Stray packets that each imply another epoch (scattered bad frameIds) never re-learn it, however
// many come in a row.
TEST(FronthaulSlotAssemblerEpoch, StrayPacketsThatDisagreeDoNotRelearn) {
  Fixture f(true);
  auto frames = f.capture(1000, 2);
  const std::size_t per_slot = frames.size() / 2;
  std::vector<CapturedFrame> strays;
  for (int i = 0; i < 3 * int(FronthaulSlotAssembler::resync_after); ++i) {
    auto stray = f.capture(1500 + 40 * i, 1);
    stray[0].tx_ns = frames[per_slot + 1].tx_ns;
    strays.push_back(stray[0]);
  }
  frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(per_slot + 1), strays.begin(),
                strays.end());
  const auto slots = f.replay(frames);
  const auto& c = f.assembler.counters();
  EXPECT_EQ(c.epoch_relearns + c.slots_discarded, 0U);
  EXPECT_EQ(c.epoch_mismatch, strays.size());
  ASSERT_EQ(slots.size(), 2U);
  EXPECT_TRUE(slots[0].complete());
  EXPECT_TRUE(slots[1].complete());
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
