// The fronthaul slot clock: timing header <-> cycle slot, CP-exact symbol times, the frameId
// wrap, and anchors (given or learned).
#include "airan/io/fronthaul_timing.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace {

using namespace airan::io;
using airan::phy::CyclicPrefix;

TEST(FronthaulSlotClock, CycleSlotFromTheTimingHeaderAndBack) {
  const FronthaulSlotClock clock(1, CyclicPrefix::normal);
  EXPECT_EQ(clock.slots_per_cycle(), 256U * 20);
  OranTimingHeader t;
  t.frame_id = 255;
  t.subframe_id = 9;
  t.slot_id = 1;
  t.symbol_id = 13;
  EXPECT_EQ(clock.cycle_slot(t), 5119U);
  EXPECT_EQ(clock.timing_header(5119, 13), t);
  EXPECT_EQ(clock.timing_header(5120 + 5119, 13), t); // absolute slots wrap
  t.slot_id = 2;                                      // mu 1 has 2 slots per subframe
  EXPECT_FALSE(clock.cycle_slot(t));
  t.slot_id = 0;
  t.subframe_id = 10;
  EXPECT_FALSE(clock.cycle_slot(t));
  t.subframe_id = 0;
  t.symbol_id = 14;
  EXPECT_FALSE(clock.cycle_slot(t));
  const FronthaulSlotClock extended(2, CyclicPrefix::extended);
  t.symbol_id = 12;
  EXPECT_FALSE(extended.cycle_slot(t));
  t.symbol_id = 11;
  EXPECT_TRUE(extended.cycle_slot(t));
}

// 38.211 5.3.1: at 15 kHz a symbol is 2048 + 144 samples of T_s = 1/30.72 MHz (71.354 us), the
// first of each half subframe 16 samples longer (71.875 us); every half subframe is 0.5 ms.
TEST(FronthaulSlotClock, SymbolTimesFollowTheCyclicPrefixLengths) {
  const FronthaulSlotClock mu0(0, CyclicPrefix::normal);
  EXPECT_EQ(mu0.symbol_offset_ns(3, 0), 0);
  EXPECT_EQ(mu0.symbol_duration_ns(3, 0), 71875); // (2048 + 160) / 30.72 MHz
  EXPECT_EQ(mu0.symbol_offset_ns(3, 1), 71875);
  EXPECT_EQ(mu0.symbol_offset_ns(3, 2), 143229); // 4400 samples = 143229.17 ns
  EXPECT_EQ(mu0.symbol_offset_ns(3, 7), 500000);
  EXPECT_EQ(mu0.symbol_duration_ns(3, 7), 71875);
  EXPECT_EQ(mu0.symbol_offset_ns(3, 14), 1000000);
  // mu 1: every slot is a half subframe, its symbol 0 is the long one.
  const FronthaulSlotClock mu1(1, CyclicPrefix::normal);
  for (unsigned slot : {0U, 1U, 19U}) {
    EXPECT_EQ(mu1.symbol_duration_ns(slot, 0), 36198) << slot; // 2224 / 61.44 MHz = 36197.9
    EXPECT_EQ(mu1.symbol_duration_ns(slot, 1), 35677) << slot; // 2192 / 61.44 MHz = 35677.1
    EXPECT_EQ(mu1.symbol_offset_ns(slot, 14), 500000);
  }
  // mu 2: only the first slot of each half subframe has a long symbol; slots differ by 0.52 us.
  const FronthaulSlotClock mu2(2, CyclicPrefix::normal);
  EXPECT_GT(mu2.symbol_duration_ns(0, 0), mu2.symbol_duration_ns(1, 0));
  EXPECT_GT(mu2.symbol_duration_ns(2, 0), mu2.symbol_duration_ns(3, 0));
  EXPECT_EQ(mu2.symbol_offset_ns(0, 14) + mu2.symbol_offset_ns(1, 14), 500000);
  EXPECT_EQ(mu2.symbol_offset_ns(0, 14) - mu2.symbol_offset_ns(1, 14), 520); // 16 kappa T_c, 520.8
  EXPECT_EQ(mu2.slot_start_ns(0, 1), mu2.symbol_offset_ns(0, 14));
  EXPECT_EQ(mu2.slot_start_ns(0, 2), 500000);
  EXPECT_EQ(mu2.slot_start_ns(0, 4), 1000000);
  EXPECT_EQ(mu2.symbol_start_ns(0, 5, 1),
            1000000 + mu2.symbol_offset_ns(0, 14) + mu2.symbol_duration_ns(1, 0));
  // Extended CP: all symbols equal, 12 per slot.
  const FronthaulSlotClock ext(2, CyclicPrefix::extended);
  EXPECT_EQ(ext.symbols_per_slot(), 12U);
  EXPECT_EQ(ext.symbol_offset_ns(0, 12), 250000);
  EXPECT_EQ(ext.symbol_duration_ns(0, 0), ext.symbol_duration_ns(1, 5));
  EXPECT_THROW(FronthaulSlotClock(1, CyclicPrefix::extended), std::invalid_argument);
  for (const unsigned mu : {7U, 40U}) { // refused before anything is shifted by mu
    EXPECT_THROW(FronthaulSlotClock(mu, CyclicPrefix::normal), std::invalid_argument) << mu;
  }
}

TEST(FronthaulSlotClock, AbsoluteSlotsFromTimesAndAcrossTheWrap) {
  const FronthaulSlotClock clock(1, CyclicPrefix::normal);
  const std::int64_t epoch = 1'000'000'000'000;
  EXPECT_EQ(clock.absolute_slot_at(epoch, epoch), 0);
  EXPECT_EQ(clock.absolute_slot_at(epoch, epoch + 499'999), 0);
  EXPECT_EQ(clock.absolute_slot_at(epoch, epoch + 500'000), 1);
  EXPECT_EQ(clock.absolute_slot_at(epoch, epoch - 1), -1);
  EXPECT_EQ(clock.absolute_slot_at(epoch, epoch + oran_cycle_ns), 5120);
  const FronthaulSlotClock mu2(2, CyclicPrefix::normal);
  EXPECT_EQ(mu2.absolute_slot_at(0, mu2.slot_start_ns(0, 1)), 1);
  EXPECT_EQ(mu2.absolute_slot_at(0, mu2.slot_start_ns(0, 1) - 1), 0);
  EXPECT_EQ(mu2.absolute_slot_at(0, mu2.slot_start_ns(0, 7)), 7);
  // Nearest congruent slot: cycle slot 5119 seen just after the wrap is the slot before it.
  EXPECT_EQ(clock.resolve(5119, 5120 * 7 + 2), 5120 * 7 - 1);
  EXPECT_EQ(clock.resolve(3, 5120 * 7 - 2), 5120 * 7 + 3);
  EXPECT_EQ(clock.resolve(100, 100), 100);
  EXPECT_EQ(clock.resolve(2560, 0), 2560); // tie: the later one
  EXPECT_EQ(clock.cycle_distance(1, 5119), 2);
  EXPECT_EQ(clock.cycle_distance(5119, 1), -2);
  EXPECT_EQ(clock.cycle_distance(2560, 0), -2560);
}

TEST(FronthaulSlotClock, AnchorsGivenOrLearned) {
  const FronthaulSlotClock clock(1, CyclicPrefix::normal);
  // A live DU and RU both use CLOCK_REALTIME with epoch 0: frame numbers follow from the time.
  const std::int64_t now = 1'764'300'000'123'456'789;
  const std::int64_t slot = clock.absolute_slot_at(0, now);
  const OranTimingHeader t = clock.timing_header(static_cast<std::uint64_t>(slot), 0);
  EXPECT_EQ(t.frame_id, (now / 10'000'000) % 256);
  EXPECT_EQ(t.subframe_id, (now / 1'000'000) % 10);
  EXPECT_EQ(t.slot_id, (now / 500'000) % 2);
  // Learned: the epoch that puts symbol 5 of cycle slot 77 at a given time.
  const std::int64_t start = 5'000'000'000;
  const std::int64_t epoch = clock.epoch_for(77, 5, start);
  EXPECT_EQ(clock.symbol_start_ns(epoch, 77, 5), start);
  EXPECT_EQ(clock.absolute_slot_at(epoch, start), 77);
}

TEST(FronthaulSlotClock, GpsAnchorNumbersFramesFromGpsTime) {
  // 2027-01-15T08:00:00 UTC (Unix 1800000000) is GPS second 1484035218 (18 leap seconds):
  // GPS frame 148403521800, SFN 264, frameId 8; 12.345678 ms later, SFN 265 slot 4 at mu = 1.
  const FronthaulSlotClock clock(1, CyclicPrefix::normal);
  const std::int64_t utc_ns = 1'800'000'000LL * 1'000'000'000;
  const std::int64_t slot = clock.absolute_slot_at(gps_frame_epoch_ns, utc_ns);
  EXPECT_EQ(slot, 148'403'521'800LL * 20);
  EXPECT_EQ(clock.timing_header(static_cast<std::uint64_t>(slot), 0).frame_id, 8);
  EXPECT_EQ((slot / 20) % 1024, 264);
  const std::int64_t later = clock.absolute_slot_at(gps_frame_epoch_ns, utc_ns + 12'345'678);
  EXPECT_EQ((later / 20) % 1024, 265);
  EXPECT_EQ(later % 20, 4);
}

TEST(AirTimeline, ScaledTimeRunsSlowerFromTheEpochAndInvertsExactly) {
  const AirTimeline same;
  const std::int64_t now = 1'800'000'000'123'456'789;
  EXPECT_EQ(same.air_ns(now), now);
  EXPECT_EQ(same.wall_ns(now), now);
  const AirTimeline slow{gps_frame_epoch_ns, 40.0};
  EXPECT_EQ(slow.air_ns(gps_frame_epoch_ns), gps_frame_epoch_ns);
  // 40 ms of wall time after the epoch are 1 ms of air time.
  EXPECT_EQ(slow.air_ns(gps_frame_epoch_ns + 40'000'000), gps_frame_epoch_ns + 1'000'000);
  EXPECT_EQ(slow.wall_ns(gps_frame_epoch_ns + 1'000'000), gps_frame_epoch_ns + 40'000'000);
  // Decades after the epoch the mapping still resolves single ns both ways.
  const std::int64_t air = slow.air_ns(now);
  EXPECT_EQ(air, gps_frame_epoch_ns + (now - gps_frame_epoch_ns) / 40);
  EXPECT_LE(std::abs(slow.wall_ns(air) - now), 40);
  EXPECT_EQ(slow.air_ns(slow.wall_ns(air)), air);
  const AirTimeline odd{gps_frame_epoch_ns, 2.5};
  EXPECT_EQ(odd.wall_ns(gps_frame_epoch_ns + 2), gps_frame_epoch_ns + 5);
  // Only slow-downs of at most 1000 on an epoch within 2^62 ns.
  EXPECT_EQ(slow.validate(), "");
  EXPECT_EQ(same.validate(), "");
  EXPECT_NE(AirTimeline({gps_frame_epoch_ns, 0.5}).validate(), "");
  EXPECT_NE(AirTimeline({gps_frame_epoch_ns, 1001.0}).validate(), "");
  EXPECT_NE(AirTimeline({-1, 1.0}).validate(), "");
  EXPECT_NE(AirTimeline({(std::int64_t{1} << 62) + 1, 1.0}).validate(), "");
}

} // namespace
