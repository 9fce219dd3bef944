// The test MAC's check of the SLOT.indication sequence, against a scripted L1 (scripted_l1.h):
// after the session's first, each SLOT.indication must be the slot after the previous one,
// across the SFN wrap too. A gap (on the real-time clock a dropped SLOT.indication leaves its
// slot unscheduled), a repeat or a jump back is counted and a mismatch; before, the run took
// whatever slot came and passed with fewer slots scheduled.
#include "scripted_l1.h"

#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace airan::l1::testmac_slot_sequence_test {

using scripted_l1::consecutive_slots;
using scripted_l1::ScriptedL1;

/// 6 slots of a 30 kHz carrier (20 slots a frame) in which its one UE is never scheduled: the
/// run owes nothing, so only the SLOT.indications are judged.
LaunchPattern idle_pattern() {
  return parse_launch_pattern("cell: {num_prbs: 24, numerology: 1}\nnum_slots: 6\n"
                              "drain_slots: 0\nues:\n  - rnti: 1\n    period_slots: 100\n"
                              "    offset_slots: 50\n    pusch: {prb_size: 4}\n",
                              "idle");
}

/// run_test_mac() against a scripted L1 that sends \p slots at START.
TestMacReport run_with_slots(const std::vector<FapiSlotAddress>& slots) {
  ScriptedL1 l1;
  l1.slots = slots;
  TestMacOptions options;
  options.silence_timeout = std::chrono::milliseconds(200); // a script that ran out
  return run_test_mac(idle_pattern(), l1, l1, options);
}

/// True when one of \p report's mismatch details contains \p text.
bool has_detail(const TestMacReport& report, const std::string& text) {
  for (const std::string& detail : report.mismatch_details) {
    if (detail.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(TestMacSlotSequence, ConsecutiveSlotsAcrossTheSfnWrapAreInSequence) {
  const TestMacReport report = run_with_slots(consecutive_slots({1023, 17}, 8, 20));
  EXPECT_EQ(report.slot_indications_out_of_sequence, 0U);
  EXPECT_EQ(report.mismatches, 0U);
  for (const std::string& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  ASSERT_TRUE(report.first_slot.has_value());
  EXPECT_EQ(report.first_slot->sfn, 1023U);
  EXPECT_EQ(report.slots, 7U); // the 7th (pattern slot 6) ends the scheduling
}

TEST(TestMacSlotSequence, AGapARepeatAndAJumpBackAreEachAMismatch) {
  const std::vector<FapiSlotAddress> slots{{7, 0}, {7, 1}, {7, 3}, {7, 3}, {7, 2},
                                           {7, 4}, {7, 5}, {7, 6}, {7, 7}};
  const TestMacReport report = run_with_slots(slots);
  EXPECT_EQ(report.slot_indications_out_of_sequence, 3U);
  EXPECT_EQ(report.mismatches, 3U);
  EXPECT_TRUE(has_detail(report, "SLOT.indication of SFN 7 slot 3 after SFN 7 slot 1: 1 slot(s) "
                                 "never indicated"));
  EXPECT_TRUE(has_detail(report, "SLOT.indication of SFN 7 slot 3 after SFN 7 slot 3: a repeat"));
  EXPECT_TRUE(has_detail(report, "SLOT.indication of SFN 7 slot 2 after SFN 7 slot 3: a jump "
                                 "back of 1 slot(s)"));
  // The repeat and the jump back were not scheduled again: slots 7.0, 7.1, 7.3 .. 7.6 were.
  EXPECT_EQ(report.slots, 6U);
  EXPECT_FALSE(report.passed());
}

TEST(TestMacSlotSequence, AGapAcrossTheSfnWrapIsCounted) {
  const std::vector<FapiSlotAddress> slots{{1023, 18}, {1023, 19}, {0, 1}, {0, 2},
                                           {0, 3},     {0, 4},     {0, 5}, {0, 6}};
  const TestMacReport report = run_with_slots(slots);
  EXPECT_EQ(report.slot_indications_out_of_sequence, 1U);
  EXPECT_EQ(report.mismatches, 1U);
  EXPECT_TRUE(has_detail(report, "SLOT.indication of SFN 0 slot 1 after SFN 1023 slot 19: 1 "
                                 "slot(s) never indicated"));
}

} // namespace airan::l1::testmac_slot_sequence_test
