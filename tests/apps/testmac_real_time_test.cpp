// The L1 on a wall-clock slot clock, end to end with the test MAC. Its own program, run serially
// (AIRAN_TESTS_IN_REAL_TIME): under the sanitizers on a 2-core machine, a test running beside it
// could hold the feeder back for more than a 20 ms slot, and the L1 rightly calls those slots late.
#include "airan/l1/test_mac.h"

#include "four_ue_pattern.h"

#include <gtest/gtest.h>

#include <chrono>

namespace airan::l1 {
namespace {

using airan::test::four_ue_pattern;

TEST(TestMacEndToEnd, RealTimeClockPacesTheSlotsAndEveryTbArrives) {
  // The L1's slots end on wall-clock time (1 ms / 2^mu x 40 = 20 ms a slot here, room for a
  // sanitised receiver on a loaded machine), not when their samples are in.
  LaunchPattern pattern = four_ue_pattern();
  pattern.num_slots = 30;
  TestMacOptions options;
  options.clock = SlotClockMode::real_time;
  options.period_scale = 40.0;
  const auto start = std::chrono::steady_clock::now();
  const TestMacReport report = run_test_mac_session(pattern, options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(report.passed()) << report.mismatches;
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_EQ(report.new_tbs, report.tbs_delivered);
  EXPECT_EQ(report.l1.late_samples, 0U);
  EXPECT_EQ(report.l1.slots_without_samples, 0U);
  // 30 slots and the drain on a 20 ms clock: well over half a second of wall time.
  EXPECT_GE(elapsed, std::chrono::milliseconds(600));
  EXPECT_GE(report.l1.slot_indications_sent, 30U);
}

} // namespace
} // namespace airan::l1
