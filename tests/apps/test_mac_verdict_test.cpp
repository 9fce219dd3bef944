// The test MAC's verdict on the control channels' decoding outcomes (judge_decoding()): a share
// of wrong outcomes above the budget fails the run, as a lost TB does. A PUCCH-only run whose
// every PUCCH was missed passed before (its reports alone counted as "something checked"). And
// on the faults the counters show at a session's end (judge_session_counters(),
// judge_external_counters()).
#include "airan/l1/test_mac.h"

#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

namespace airan::l1 {
namespace test_mac_verdict_test {

/// A PUCCH-only run: \p sent PDUs, all reported, \p missed of them missed.
TestMacReport pucch_only_run(std::uint64_t sent, std::uint64_t missed) {
  TestMacReport report;
  report.slots = sent;
  report.pucch_sent = sent;
  report.pucch_reports = sent;
  report.pucch_missed = missed;
  report.pucch_ok = sent - missed;
  return report;
}

TEST(TestMacVerdict, ControlChannelErrorsUpToTheBudgetPassAndAboveItFail) {
  TestMacReport within = pucch_only_run(200, 2); // 1%: the default budget's limit
  judge_decoding(within, 0.01);
  EXPECT_TRUE(within.decode_shortfalls.empty());
  EXPECT_TRUE(within.passed());
  for (const unsigned percent : {29U, 41U, 57U, 58U, 69U, 82U}) { // budget x 100 rounds down
    TestMacReport at = pucch_only_run(100, percent);
    judge_decoding(at, percent / 100.0);
    EXPECT_TRUE(at.decode_shortfalls.empty()) << percent << "% of 100 at a budget of as much";
  }
  TestMacReport above = pucch_only_run(200, 3);
  judge_decoding(above, 0.01);
  ASSERT_EQ(above.decode_shortfalls.size(), 1U);
  EXPECT_EQ(above.decode_shortfalls[0],
            "PUCCH PDUs missed or wrong: 3 of 200 (1.50%, above the 1.00% allowed)");
  EXPECT_FALSE(above.passed());
  EXPECT_EQ(above.mismatches, 0U); // a decoding outcome, not a protocol fault
}

TEST(TestMacVerdict, EveryPucchMissedFailsUnlessNothingIsJudged) {
  TestMacReport all_missed = pucch_only_run(40, 40);
  judge_decoding(all_missed, 0.01);
  EXPECT_FALSE(all_missed.passed());
  judge_decoding(all_missed, 1.0); // a budget of 100%: the reports alone count, as before
  EXPECT_TRUE(all_missed.decode_shortfalls.empty());
  EXPECT_TRUE(all_missed.passed());
}

TEST(TestMacVerdict, EachChannelIsJudgedOnItsOwnOutcomes) {
  TestMacReport report;
  report.tbs_delivered = 10;
  report.uci_payloads_ok = 98; // 2 of 100 wrong or not decoded
  report.uci_payloads_wrong = 1;
  report.uci_payloads_failed = 1;
  report.preambles_sent = 0; // a false preamble where none was sent: 1 of 1
  report.preambles_false = 1;
  report.srs_reports = 50; // 1 of 50 with a wrong TA: 2%
  report.srs_wrong_ta = 1;
  judge_decoding(report, 0.02);
  ASSERT_EQ(report.decode_shortfalls.size(), 1U);
  EXPECT_EQ(
      report.decode_shortfalls[0].rfind("preambles missed, with a wrong TA or false: 1 of 1", 0),
      0U)
      << report.decode_shortfalls[0];
  judge_decoding(report, 0.01);
  EXPECT_EQ(report.decode_shortfalls.size(), 3U); // UCI, PRACH and SRS
  EXPECT_FALSE(report.passed());
}

TEST(TestMacVerdict, ABudgetOutsideZeroToOneIsRefused) {
  TestMacReport report;
  EXPECT_THROW(judge_decoding(report, -0.01), std::invalid_argument);
  EXPECT_THROW(judge_decoding(report, 1.5), std::invalid_argument);
}

// In process, a message the L1's transport refused is lost (only P5 responses are retried): a
// SLOT.indication lost leaves its slot unscheduled, an RX_DATA lost turns passed CRCs into failed
// ones that HARQ may cover. Before, the count was printed and the run could pass.
TEST(TestMacVerdict, TheInProcessL1sSendFailuresAreMismatches) {
  TestMacReport report;
  report.tbs_delivered = 10;
  judge_session_counters(report);
  EXPECT_EQ(report.mismatches, 0U);
  EXPECT_TRUE(report.passed());
  report.l1.send_failures = 2;
  judge_session_counters(report);
  EXPECT_EQ(report.mismatches, 2U);
  ASSERT_EQ(report.mismatch_details.size(), 1U);
  EXPECT_EQ(report.mismatch_details[0],
            "the L1's transport refused 2 message(s) (send failures: lost)");
  EXPECT_FALSE(report.passed());
}

// In process, each fronthaul fault counts once, PRACH requests the O-RU refused among them.
TEST(TestMacVerdict, TheInProcessFronthaulFaultsAreMismatches) {
  TestMacReport report;
  report.tbs_delivered = 10;
  report.fronthaul.prach_refused = 1;
  report.cplane_build_failures = 2;
  report.l1.prach_failed = 1;
  judge_session_counters(report);
  EXPECT_EQ(report.mismatches, 4U);
  ASSERT_EQ(report.mismatch_details.size(), 2U);
  EXPECT_NE(report.mismatch_details[0].find("2 slot(s) or PRACH occasion(s) the L1 built no "
                                            "C-plane for"),
            std::string::npos)
      << report.mismatch_details[0];
  EXPECT_NE(report.mismatch_details[0].find("1 PRACH request(s) the O-RU refused"),
            std::string::npos)
      << report.mismatch_details[0];
  EXPECT_EQ(report.mismatch_details[1], "the L1 failed 1 PRACH occasion(s) (samples missing or no "
                                        "room)");
}

// Against an L1 in another process, a PRACH request the emulated O-RU refused (late, or a window
// off its carrier) fails the occasion in the L1, which still reports it without preambles: an
// occasion no UE used passed as a clean report. Now it is a mismatch, as in process.
TEST(TestMacVerdict, AnExternalRunsPrachRequestsTheOruRefusedAreMismatches) {
  TestMacReport report;
  report.external_l1 = true;
  report.prach_reports = 4;
  judge_external_counters(report);
  EXPECT_EQ(report.mismatches, 0U);
  EXPECT_TRUE(report.passed());
  report.fronthaul.prach_refused = 1;
  report.fronthaul.link_dropped = 2;
  judge_external_counters(report);
  EXPECT_EQ(report.mismatches, 3U);
  ASSERT_EQ(report.mismatch_details.size(), 2U);
  EXPECT_EQ(report.mismatch_details[0], "fronthaul: 1 PRACH request(s) the O-RU refused");
  EXPECT_EQ(report.mismatch_details[1],
            "fronthaul: the link dropped 2 U-plane frame(s) (their slots are counted as well)");
  EXPECT_FALSE(report.passed());
}

// Through the CLI: one format 1 UE alone at -30 dB, where almost every PUCCH is missed. The run
// fails by default, naming the channel; with --decode-error-budget 100 it passes on its reports.
TEST(TestMacVerdict, ThePucchOnlyRunOfAnUnreadableUeFailsOnTheCommandLine) {
  const auto path = airan::test::scratch_dir("testmac_verdict") / "pucch_only.yaml";
  {
    std::ofstream file(path);
    file << "cell: {num_prbs: 24, numerology: 1}\nnum_rx_antennas: 1\nsnr_db: -30\n"
            "num_slots: 8\nues:\n  - rnti: 5\n    pucch: {format: 1, num_symbols: 14, "
            "harq_bits: 2}\n";
  }
  const auto judged = airan::test::run_airan("testmac --quiet --pattern " + path.string());
  EXPECT_EQ(judged.status, 1) << judged.output;
  EXPECT_NE(judged.output.find("  decoding: PUCCH PDUs missed or wrong: "), std::string::npos)
      << judged.output;
  EXPECT_NE(judged.output.find("FAIL: 0 mismatch(es), 1 channel(s) over the decoding error "
                               "budget"),
            std::string::npos)
      << judged.output;
  const auto unjudged = airan::test::run_airan("testmac --quiet --decode-error-budget 100 "
                                               "--pattern " +
                                               path.string());
  EXPECT_EQ(unjudged.status, 0) << unjudged.output;
  EXPECT_NE(unjudged.output.find("PASS: 0 mismatch(es)\n"), std::string::npos) << unjudged.output;
  const auto refused =
      airan::test::run_airan("testmac --decode-error-budget 101 --pattern " + path.string());
  EXPECT_NE(refused.status, 0) << refused.output;
  EXPECT_NE(refused.output.find("--decode-error-budget: must be a number in"), std::string::npos)
      << refused.output;
}

} // namespace test_mac_verdict_test
} // namespace airan::l1
