// FronthaulPrachAssembler on real occasions (format 0 on a 15 kHz 52-PRB carrier, B4 on a 30 kHz
// 106-PRB carrier): the DU's type 3 C-plane opens the expectations, hand-made PRACH U-plane
// frames fill them in any order and split; exact values (no compression, and BFP 9 against its
// own round trip), duplicates, the deadline, flush and the pool. Bad input:
// fronthaul_prach_assembler_bad_input_test.cpp.
#include "../support/allocation_counter.h"
#include "fronthaul_prach_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace {

using namespace airan::test::prach;

TEST(FronthaulPrachAssembler, Format0ArrivesCompleteWithTheExactValuesWithoutAllocating) {
  const PrachCarrier s = format0(2, none);
  const std::int64_t slot = 5 * 2560 + 1234; // past several frameId wraps
  const Occasion occasion(s, slot, 0x123);
  auto assembler = make(s);
  const Bytes c0 = occasion.cplane(0);
  const Bytes c1 = occasion.cplane(1);
  const auto frames = occasion.all_frames(1, 1);
  ASSERT_EQ(frames.size(), 2U);
  const long before = airan::test::allocation_count();
  EXPECT_EQ(assembler.expect_cplane_frame(c0), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(c1), 1U);
  EXPECT_EQ(assembler.pending(), 1U);
  EXPECT_TRUE(assembler.push(frames[1], 0));
  EXPECT_EQ(assembler.next_occasion(), nullptr);
  EXPECT_TRUE(assembler.push(frames[0], 0));
  EXPECT_EQ(assembler.pending(), 0U);
  const AssembledPrach* o = assembler.next_occasion();
  EXPECT_EQ(airan::test::allocation_count(), before);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->complete());
  EXPECT_EQ(o->cycle_slot, 1234U);
  EXPECT_EQ(o->section_id, 0x123);
  EXPECT_EQ(o->filter_index, 1);
  EXPECT_EQ(o->start_symbol, 0);
  EXPECT_EQ(o->frequency_offset, occasion.request.frequency_offset);
  EXPECT_EQ(o->num_antennas, 2U);
  EXPECT_EQ(o->num_periods, 1U);
  EXPECT_EQ(o->num_res, 864U); // 72 PRBs of 1.25 kHz
  ASSERT_EQ(o->values.size(), occasion.values.size());
  EXPECT_TRUE(std::equal(o->values.begin(), o->values.end(), occasion.values.begin()));
  EXPECT_TRUE(std::equal(o->at(1, 0).begin(), o->at(1, 0).end(), occasion.values.begin() + 864));
  assembler.release(o);
  EXPECT_EQ(assembler.next_occasion(), nullptr);
  const auto& c = assembler.counters();
  EXPECT_EQ(c.expected, 1U);
  EXPECT_EQ(c.messages, 2U);
  EXPECT_EQ(c.prbs, 144U);
  EXPECT_EQ(c.complete, 1U);
  EXPECT_EQ(c.partial + c.malformed + c.unexpected + c.outside_section + c.unknown_eaxc, 0U);
}

// B4: 12 periods of 12 PRBs on 4 antennas, BFP 9 with udCompHdr per section, every row in 3
// sections, 5 sections per message (symInc across periods), frames shuffled, two of them in one
// eCPRI concatenation chain, plus duplicates.
TEST(FronthaulPrachAssembler, B4InAnyOrderAndSplitWithDuplicates) {
  const PrachCarrier s = b4(4, bfp9);
  const Occasion occasion(s, 77, 9, 2);
  auto assembler = make(s);
  for (unsigned a = 0; a < 4; ++a) {
    EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(a)), 1U);
  }
  auto frames = occasion.all_frames(3, 5);
  ASSERT_EQ(frames.size(), 4U * 8);
  std::mt19937 rng(3);
  std::shuffle(frames.begin(), frames.end(), rng);
  // Frames 0 and 1 as one chain (the C bit, the second 4-byte aligned).
  constexpr std::size_t ethernet = 14;
  Bytes chain = frames[0];
  chain[ethernet] |= 0x01;
  while ((chain.size() - ethernet) % 4 != 0) {
    chain.push_back(0);
  }
  chain.insert(chain.end(), frames[1].begin() + ethernet, frames[1].end());
  EXPECT_TRUE(assembler.push(chain, 0));
  EXPECT_TRUE(assembler.push(frames[2], 0));
  EXPECT_TRUE(assembler.push(frames[2], 0)); // a duplicate
  for (std::size_t i = 3; i < frames.size(); ++i) {
    EXPECT_TRUE(assembler.push(frames[i], 0));
  }
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 1U);
  const AssembledPrach& o = taken[0].occasion;
  EXPECT_TRUE(o.complete());
  EXPECT_EQ(o.filter_index, 3);
  EXPECT_EQ(o.start_symbol, 2);
  EXPECT_EQ(o.num_periods, 12U);
  EXPECT_EQ(o.num_res, 144U);
  EXPECT_EQ(taken[0].values, occasion.expected());
  const auto& c = assembler.counters();
  EXPECT_EQ(c.prbs, 4U * 12 * 12);
  EXPECT_GT(c.duplicate_prbs, 0U);
  EXPECT_EQ(c.complete, 1U);
  // After dispatch, more of it is unexpected.
  EXPECT_FALSE(assembler.push(frames[0], 0));
  EXPECT_GE(assembler.counters().unexpected, 1U);
}

// advance(): partial one ns after the window's end + slot_deadline_ns, missing PRBs zero.
TEST(FronthaulPrachAssembler, TheDeadlineDispatchesPartialWithTheMissingPrbsZero) {
  const PrachCarrier s = format0(2, none);
  const std::int64_t slot = 3 * 2560 + 2559; // the last slot of a frameId cycle
  const Occasion occasion(s, slot, 4);
  auto assembler = make(s);
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(1)), 1U);
  EXPECT_TRUE(assembler.push(occasion.uplane({{0, 0, 0, 50}}), 0));
  EXPECT_TRUE(assembler.push(occasion.uplane({{1, 0, 0, 72}}), 0));
  const FronthaulSlotClock clock = s.clock();
  CplaneMessageHeader header;
  CplaneSection section;
  fill_prach_cplane(occasion.request, none, 4, header, section);
  const auto window = oran_prach_window(s.numerology(), s.cell.num_prbs, header, section).window;
  const auto rate = static_cast<std::uint64_t>(s.numerology().sample_rate_hz());
  const std::int64_t deadline =
      clock.slot_start_ns(epoch, slot) +
      static_cast<std::int64_t>((window.end() * 1'000'000'000U + rate - 1) / rate) +
      s.config.slot_deadline_ns;
  assembler.advance(deadline, epoch);
  EXPECT_EQ(assembler.pending(), 1U);
  assembler.advance(deadline + 1, epoch);
  EXPECT_EQ(assembler.pending(), 0U);
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_FALSE(taken[0].occasion.complete());
  EXPECT_EQ(taken[0].occasion.missing_prbs, 22U);
  std::vector<cf32> expected = occasion.values;
  std::fill(expected.begin() + 600, expected.begin() + 864, cf32{});
  EXPECT_EQ(taken[0].values, expected);
  EXPECT_EQ(assembler.counters().partial, 1U);
  EXPECT_EQ(assembler.counters().missing_prbs, 22U);
  // The next occasion reuses the entry: nothing of the last one is left in it.
  const Occasion next(s, slot + 1, 4, 7);
  EXPECT_EQ(assembler.expect_cplane_frame(next.cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(next.cplane(1)), 1U);
  EXPECT_TRUE(assembler.push(next.uplane({{1, 0, 0, 72}}), 0));
  assembler.flush();
  const auto again = drain(assembler);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].occasion.missing_prbs, 72U);
  expected = next.values;
  std::fill(expected.begin(), expected.begin() + 864, cf32{});
  EXPECT_EQ(again[0].values, expected);
}

TEST(FronthaulPrachAssembler, FlushDispatchesEveryPendingOccasionPartial) {
  const PrachCarrier s = b4(2, none);
  auto assembler = make(s);
  const Occasion first(s, 40, 1);
  const Occasion second(s, 41, 1);
  EXPECT_EQ(assembler.expect_cplane_frame(first.cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(second.cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(second.cplane(1)), 1U);
  EXPECT_TRUE(assembler.push(second.uplane({{1, 11, 0, 12}}), 0));
  assembler.flush();
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 2U);
  EXPECT_EQ(taken[0].occasion.cycle_slot, 40U);
  EXPECT_EQ(taken[0].occasion.missing_prbs, 2U * 12 * 12);      // antenna 1 was not asked
  EXPECT_EQ(taken[1].occasion.missing_prbs, 2U * 12 * 12 - 12); // period 11 of antenna 1 came
  constexpr std::size_t antenna1_period11 = std::size_t{12 + 11} * 144;
  EXPECT_EQ(taken[1].values[antenna1_period11], second.values[antenna1_period11]);
  EXPECT_EQ(assembler.counters().missing_prbs, 2U * 12 * 12 + 2 * 12 * 12 - 12);
}

// max_occasions 2 (4 entries): once the windows ended (advance() past them, before their
// deadline), a third expectation dispatches the oldest partial; once every other entry holds an
// untaken occasion, the oldest of those is dropped.
TEST(FronthaulPrachAssembler, PoolPressureDispatchesTheOldestAndDropsUntakenOnes) {
  const PrachCarrier s = format0(1, bfp9);
  auto assembler = make(s, 2);
  // Slot 10's format 0 window ends 0.9 ms into it, its deadline 0.5 ms later.
  assembler.advance(s.clock().slot_start_ns(epoch, 11), epoch);
  for (std::uint16_t id = 0; id < 3; ++id) {
    EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 10, id).cplane(0)), 1U);
  }
  EXPECT_EQ(assembler.pending(), 2U);
  EXPECT_EQ(assembler.counters().partial, 1U);
  EXPECT_EQ(assembler.counters().missing_prbs, 72U);
  for (std::uint16_t id = 3; id < 5; ++id) {
    EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 10, id).cplane(0)), 1U);
  }
  EXPECT_EQ(assembler.counters().partial, 3U);
  EXPECT_EQ(assembler.counters().dropped, 1U); // occasion 0
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 2U);
  EXPECT_EQ(taken[0].occasion.section_id, 1);
  EXPECT_EQ(taken[1].occasion.section_id, 2);
  // The consumer holds every entry: no room.
  assembler.flush();
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 10, 5).cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 10, 6).cplane(0)), 1U);
  assembler.flush();
  std::vector<const AssembledPrach*> held;
  while (const AssembledPrach* o = assembler.next_occasion()) {
    held.push_back(o);
  }
  ASSERT_EQ(held.size(), 4U);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 10, 7).cplane(0)), 0U);
  EXPECT_EQ(assembler.counters().expect_refused, 1U);
  EXPECT_EQ(assembler.counters().no_room, 1U);
  for (const AssembledPrach* o : held) {
    assembler.release(o);
  }
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 10, 7).cplane(0)), 1U);
}

// Formats 0-2 on a 60 kHz carrier: 2 PUSCH PRBs of 48 PRACH PRBs, a 96-PRB section (format 2
// with its 4 periods, 384 PRBs in all, the largest of any format) is taken and assembled.
TEST(FronthaulPrachAssembler, SixtyKhzLongFormatsFit) {
  PrachCarrier s = format0(2, bfp9);
  s.cell.numerology = 2;
  s.cell.num_prbs = 66;
  s.prach.format = airan::phy::PrachFormat::f2;
  const Occasion occasion(s, 9, 4);
  ASSERT_EQ(occasion.request.num_prbs, 96);
  ASSERT_EQ(occasion.request.num_symbols, 4);
  auto assembler = make(s);
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(1)), 1U);
  for (const Bytes& frame : occasion.all_frames(1, 1)) {
    EXPECT_TRUE(assembler.push(frame, 0));
  }
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_EQ(taken[0].occasion.missing_prbs, 0U);
  EXPECT_EQ(taken[0].occasion.num_res, 96U * 12U);
}

} // namespace
