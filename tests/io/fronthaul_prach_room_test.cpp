// Room for PRACH occasions: FronthaulPrachAssembler refuses (and counts) a new occasion rather
// than push out one whose window is still open; an occasion delivers every receive antenna, so
// one the DU did not ask for counts as missing; RuPrachEmulator's buffers and
// oran_prach_sizing() follow the formats the carrier can carry.
#include "airan/io/oran_prach_sizing.h"
#include "airan/io/ru_prach_emulator.h"
#include "fronthaul_prach_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using namespace airan::test::prach;

// max_occasions 2: a third occasion whose windows are all to come is refused, nothing leaves
// partial; once advance() passed the first two windows (before their deadline), the oldest
// leaves partial for a new one.
TEST(FronthaulPrachRoom, AnOccasionWhoseWindowIsOpenIsNotPushedOut) {
  const PrachCarrier s = format0(1, bfp9);
  auto assembler = make(s, 2);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 10, 0).cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 10, 1).cplane(0)), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 11, 2).cplane(0)), 0U);
  EXPECT_EQ(assembler.pending(), 2U);
  EXPECT_EQ(assembler.counters().partial, 0U);
  EXPECT_EQ(assembler.counters().expect_refused, 1U);
  EXPECT_EQ(assembler.counters().no_room, 1U);
  // In slot 10, before the windows end (0.9 ms in): still no room.
  assembler.advance(s.clock().slot_start_ns(epoch, 10) + 500'000, epoch);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 11, 2).cplane(0)), 0U);
  EXPECT_EQ(assembler.counters().no_room, 2U);
  // Slot 11 starts: both windows ended, their deadline (+0.5 ms) not yet.
  assembler.advance(s.clock().slot_start_ns(epoch, 11), epoch);
  EXPECT_EQ(assembler.pending(), 2U);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 11, 2).cplane(0)), 1U);
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_EQ(taken[0].occasion.section_id, 0);
  EXPECT_EQ(taken[0].occasion.missing_prbs, 72U);
  EXPECT_EQ(assembler.pending(), 2U);
}

// The DU asked antenna 0 of 2 only (antenna 1's section refused, or its C-plane lost): antenna
// 0's U-plane does not make the occasion complete; it leaves partial, antenna 1 zero and missing.
TEST(FronthaulPrachRoom, AnAntennaNotAskedForCountsAsMissing) {
  const PrachCarrier s = format0(2, none);
  const Occasion occasion(s, 30, 5);
  auto assembler = make(s);
  EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0)), 1U);
  EXPECT_TRUE(assembler.push(occasion.uplane({{0, 0, 0, 72}}), 0));
  EXPECT_EQ(assembler.pending(), 1U);
  EXPECT_EQ(assembler.next_occasion(), nullptr);
  assembler.flush();
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_FALSE(taken[0].occasion.complete());
  EXPECT_EQ(taken[0].occasion.missing_prbs, 72U);
  EXPECT_EQ(taken[0].occasion.num_antennas, 2U);
  EXPECT_TRUE(std::all_of(taken[0].values.begin() + 864, taken[0].values.end(),
                          [](cf32 x) { return x == cf32{}; }));
  EXPECT_EQ(assembler.counters().complete, 0U);
  EXPECT_EQ(assembler.counters().partial, 1U);
}

// Occasions share the values arena: one that does not fit is refused (counted); a freed one's
// room is taken again.
TEST(FronthaulPrachRoom, TheValuesArenaRefusesWhatDoesNotFit) {
  const PrachCarrier s = format0(1, none);
  // 72 PRB-periods per format 0 occasion; 2 x 384 are added for the dispatched ones.
  FronthaulPrachAssembler assembler(s.cell, s.num_rx, s.config, 16, 72);
  unsigned taken = 0;
  for (std::uint16_t id = 0; id < 12; ++id) {
    taken += assembler.expect_cplane_frame(Occasion(s, 10, id).cplane(0));
  }
  EXPECT_EQ(taken, (72U + 2 * 384) / 72);
  EXPECT_EQ(assembler.counters().no_room, 12U - taken);
  assembler.flush();
  EXPECT_EQ(drain(assembler).size(), taken);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(s, 11, 0).cplane(0)), 1U);
}

// Every entry in use (three occasions waiting to be taken, one pending) and the arena full: an
// occasion without room is refused before anything is pushed out for it. (Pushing out the
// oldest waiting one, 96 units, would not have made room for 384 and lost it for nothing.)
TEST(FronthaulPrachRoom, NoRoomForTheValuesPushesNothingOut) {
  PrachCarrier small = format0(1, none);
  small.cell.numerology = 2;
  small.cell.num_prbs = 66;
  PrachCarrier large = small;
  large.prach.format = airan::phy::PrachFormat::f2;
  const Occasion a(small, 9, 0);
  ASSERT_EQ(std::size_t{a.request.num_prbs} * a.num_periods, 96U);
  // max_occasions 2: four entries; the arena: 480 + 2 x 384 = 96 + 3 x 384 units.
  FronthaulPrachAssembler assembler(small.cell, small.num_rx, small.config, 2, 480);
  const auto expect_whole = [&](const Occasion& occasion) {
    EXPECT_EQ(assembler.expect_cplane_frame(occasion.cplane(0)), 1U);
    for (const Bytes& frame : occasion.all_frames(1, 1)) {
      EXPECT_TRUE(assembler.push(frame, 0));
    }
  };
  expect_whole(a);
  for (std::uint16_t id = 1; id <= 2; ++id) {
    expect_whole(Occasion(large, 9, id));
  }
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(large, 9, 3).cplane(0)), 1U);
  EXPECT_EQ(assembler.pending(), 1U);
  EXPECT_EQ(assembler.expect_cplane_frame(Occasion(large, 9, 4).cplane(0)), 0U);
  EXPECT_EQ(assembler.counters().no_room, 1U);
  EXPECT_EQ(assembler.counters().dropped, 0U);
  const auto taken = drain(assembler);
  ASSERT_EQ(taken.size(), 3U);
  EXPECT_EQ(taken[0].occasion.section_id, 0);
  EXPECT_EQ(taken[0].values, a.values);
  EXPECT_EQ(assembler.counters().complete, 3U);
}

// At 120 kHz only the short formats are: a request's buffer holds their longest window and a
// slot to spare (a DU may place a window later than airan's requests do), not 4 ms.
TEST(RuPrachEmulatorRoom, At120KhzARequestHoldsAboutTwoSlots) {
  airan::phy::CellConfig cell;
  cell.numerology = 3;
  cell.num_prbs = 66;
  FronthaulConfig config;
  const RuPrachEmulator emulator(cell, 4, config, 8);
  const auto numerology = airan::phy::carrier_numerology(cell);
  std::size_t longest_slot = 0;
  for (unsigned slot = 0; slot < numerology.slots_per_subframe(); ++slot) {
    longest_slot = std::max<std::size_t>(longest_slot, numerology.slot_length(slot));
  }
  const OranPrachSizing sizing = oran_prach_sizing(cell, 0);
  EXPECT_GE(emulator.window_capacity(), sizing.longest_window + numerology.slot_length(0));
  EXPECT_LE(emulator.window_capacity(), 2 * longest_slot);
  EXPECT_FALSE(sizing.long_formats);
  EXPECT_EQ(sizing.window_slots, 1U);
  EXPECT_EQ(sizing.max_prb_periods, 144U); // B4: 12 PRBs x 12 periods
  // A 15 kHz carrier keeps room for any window a request may ask for (4 ms).
  const PrachCarrier long_carrier = format0(1, none);
  const RuPrachEmulator long_emulator(long_carrier.cell, 1, long_carrier.config, 1);
  const std::size_t four_ms = std::size_t{4} * long_carrier.numerology().slot_length(0);
  EXPECT_GE(long_emulator.window_capacity(), four_ms);
  EXPECT_LE(long_emulator.window_capacity(), four_ms + 1); // 4 ms of samples, rounded up
  const OranPrachSizing long_sizing = oran_prach_sizing(long_carrier.cell, 8);
  EXPECT_TRUE(long_sizing.long_formats);
  EXPECT_GE(long_sizing.window_slots, 4U);
}

// FAPI's 64 occasions per slot fit in flight, for the C-plane's lead and the window.
TEST(OranPrachSizing, ASlotOfFapiOccasionsFitsForTheLead) {
  airan::phy::CellConfig cell;
  cell.numerology = 1;
  cell.num_prbs = 106;
  const OranPrachSizing sizing = oran_prach_sizing(cell, 8);
  EXPECT_TRUE(sizing.short_formats);
  EXPECT_TRUE(sizing.long_formats);
  EXPECT_GE(sizing.occasions_in_flight, 64U * (8 + 1 + 1));
  EXPECT_GE(sizing.prb_periods_in_flight, std::size_t{64} * 24 * (8 + 1 + 1));
  EXPECT_EQ(sizing.max_prb_periods, 288U); // format 2: 72 PRBs x 4 periods
}

} // namespace
