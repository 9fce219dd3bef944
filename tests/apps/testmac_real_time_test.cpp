// The L1 on a wall-clock slot clock, end to end with the test MAC. Its own program, run serially
// (AIRAN_TESTS_IN_REAL_TIME): under the sanitizers on a 2-core machine, a test running beside it
// could hold the feeder back for more than a 20 ms slot, and the L1 rightly calls those slots late.
#include "airan/l1/test_mac.h"

#include "../support/run_airan.h"
#include "../support/sanitizer_sweeps.h"
#include "four_ue_pattern.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>

namespace airan::l1 {
namespace {

using airan::test::four_ue_pattern;

/// How much slower than the air interface the real-time cases run: 40 (20 ms slots at 30 kHz),
/// 80 in the sanitizer tree. There the test MAC takes ~15 ms to generate a four-UE slot through
/// TDL-C (p50 of its latency, `airan testmac --pattern configs/patterns/four_ue_harq.yaml` in
/// build-asan; ~1.1 ms optimised), three quarters of a 20 ms slot: a CI run whose host held it
/// back for a few slots sent four UL_TTI.requests late (MSG_SLOT_ERR) and lost their TBs.
constexpr double real_time_scale = airan::test::built_with_sanitizers ? 80.0 : 40.0;

/// The real-time clock \p scale times slower than the air interface; with \p slot_ahead > 0, on
/// the GPS timeline, the MAC scheduling that many slots ahead.
TestMacOptions real_time_options(unsigned slot_ahead, double scale = real_time_scale) {
  TestMacOptions options;
  options.clock = SlotClockMode::real_time;
  options.period_scale = scale;
  options.slot_ahead = slot_ahead;
  if (slot_ahead > 0) {
    options.slot_timeline = io::AirTimeline{io::gps_frame_epoch_ns, options.period_scale};
  }
  return options;
}

/// The run passed, each mismatch reported.
void expect_real_time_run_passed(const TestMacReport& report) {
  EXPECT_TRUE(report.passed()) << report.mismatches;
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
}

TEST(TestMacEndToEnd, RealTimeClockPacesTheSlotsAndEveryTbArrives) {
  // The L1's slots end on wall-clock time (1 ms / 2^mu x 40 = 20 ms a slot here, 40 ms in the
  // sanitizer tree), not when their samples are in.
  LaunchPattern pattern = four_ue_pattern();
  pattern.num_slots = 30;
  const TestMacOptions options = real_time_options(0);
  const auto start = std::chrono::steady_clock::now();
  const TestMacReport report = run_test_mac_session(pattern, options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  expect_real_time_run_passed(report);
  EXPECT_EQ(report.new_tbs, report.tbs_delivered);
  EXPECT_EQ(report.l1.late_samples, 0U);
  EXPECT_EQ(report.l1.slots_without_samples, 0U);
  // 30 slots and the drain on a 20 ms (or 40 ms) clock: well over half a second of wall time.
  EXPECT_GE(elapsed, std::chrono::milliseconds(600));
  EXPECT_GE(report.l1.slot_indications_sent, 30U);
}

TEST(TestMacEndToEnd, OnTheGpsTimelineTheSessionStartsAtTheSlotOnAirAndSchedulesAhead) {
  // A live L1's clock counts from the fronthaul's epoch: its first SLOT.indication is the slot
  // on air (here GPS time slowed real_time_scale times), not SFN 0, and the MAC schedules 2 slots
  // ahead.
  LaunchPattern pattern = four_ue_pattern();
  pattern.num_slots = 30;
  const TestMacOptions options = real_time_options(2);
  const io::AirTimeline timeline = *options.slot_timeline;
  const io::FronthaulSlotClock air(pattern.cell.numerology, pattern.cell.cyclic_prefix);
  const std::int64_t on_air =
      air.absolute_slot_at(io::gps_frame_epoch_ns, timeline.air_ns(io::realtime_ns()));
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_real_time_run_passed(report);
  EXPECT_EQ(report.new_tbs, report.tbs_delivered);
  EXPECT_GE(report.new_tbs, 30U);
  EXPECT_EQ(report.l1.late_samples, 0U);
  EXPECT_EQ(report.l1.ul_tti_late, 0U);
  EXPECT_EQ(report.l1.ul_tti_too_early, 0U);
  const std::int64_t on_air_after =
      air.absolute_slot_at(io::gps_frame_epoch_ns, timeline.air_ns(io::realtime_ns()));
  ASSERT_TRUE(report.first_slot.has_value());
  // The first slot is the one on air when START came: after the run began (the L1's CONFIG
  // takes a few slots), and its slots handled end no later than the slot on air after the run.
  const std::uint64_t first = nearest_absolute_slot(static_cast<std::uint64_t>(on_air),
                                                    *report.first_slot, air.slots_per_frame());
  EXPECT_GE(first, static_cast<std::uint64_t>(on_air));
  EXPECT_LE(first + report.slots, static_cast<std::uint64_t>(on_air_after) + 1);
  EXPECT_GE(report.slots, pattern.num_slots + options.slot_ahead);
  // Each slot's samples went in two slots before it was on air: from them to its CRC at the
  // MAC is more than one and a half slots (at once, it would be less than one plus the
  // receiver's time).
  const double slot_us = 1000.0 / (1U << pattern.cell.numerology) * options.period_scale;
  EXPECT_GT(report.mac_latency.p50_us, 1.5 * slot_us);
}

TEST(TestMacEndToEnd, PrachOnTheGpsTimelineFromAnySlot) {
  // The pattern's PRACH slots count from the first slot scheduled, wherever GPS time puts it in
  // its frame; a format 0 occasion spans two slots, each RACH.indication is checked at the L1's
  // (SFN, slot).
  LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/prach.yaml");
  pattern.num_slots = 16;
  // real_time_scale: in the sanitizer tree the MAC's PRACH slots (format 0 in the time domain
  // through three TDL-C realisations) take up to ~56 ms (stepped, p99 of the MAC's latency),
  // against the 40 ms that two 20 ms slots ahead leave at 40 x; a CI run lost all four PRACH
  // slots' UL_TTI.requests once (MSG_SLOT_ERR).
  const TestMacOptions options = real_time_options(2);
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_real_time_run_passed(report);
  EXPECT_EQ(report.prach_pdus, 4U); // prach.yaml: every 4th slot
  EXPECT_EQ(report.prach_reports, report.prach_occasions);
  EXPECT_EQ(report.preambles_detected, report.preambles_sent);
  EXPECT_EQ(report.new_tbs, report.tbs_delivered);
  EXPECT_EQ(report.l1.late_samples, 0U);
}

TEST(TestMacEndToEnd, SlotAheadNeedsTheRealTimeClock) {
  // The stepped clock ends a slot when its samples are in: a MAC scheduling ahead would wait
  // for slots that never end.
  LaunchPattern pattern = four_ue_pattern();
  pattern.num_slots = 2;
  TestMacOptions options;
  options.slot_ahead = 1;
  EXPECT_THROW(static_cast<void>(run_test_mac_session(pattern, options)), std::invalid_argument);
  options.clock = SlotClockMode::real_time;
  options.slot_ahead = 9; // more than an L1 takes a UL_TTI.request ahead
  EXPECT_THROW(static_cast<void>(run_test_mac_session(pattern, options)), std::invalid_argument);
}

TEST(TestMacEndToEnd, SlotTimelineNeedsItsScaleAsThePeriodScale) {
  LaunchPattern pattern = four_ue_pattern();
  pattern.num_slots = 2;
  TestMacOptions options;
  options.clock = SlotClockMode::real_time;
  options.period_scale = 40.0;
  options.slot_timeline = io::AirTimeline{io::gps_frame_epoch_ns, 20.0};
  EXPECT_THROW(static_cast<void>(run_test_mac_session(pattern, options)), std::invalid_argument);
  options.clock = SlotClockMode::stepped;
  options.slot_timeline->scale = 40.0;
  EXPECT_THROW(static_cast<void>(run_test_mac_session(pattern, options)), std::invalid_argument);
}

} // namespace
} // namespace airan::l1
