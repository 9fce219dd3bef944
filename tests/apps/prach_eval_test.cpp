// PRACH evaluation (apps/prach_evaluation.h, `airan prach-eval`): the counts add up, a strong
// preamble is detected every time (it alone: TS 38.104's error cases) with a small timing error and
// the right SNR (format 0, a short format, and through TDLC300-100), noise alone is reported as a
// false alarm no more often than the detector's target, the delays follow TS 38.141-1's cycle,
// results do not depend on the thread count, and bad configurations are refused with a reason. A
// few dozen occasions per check (the CI has 2 cores and runs this at -O0 and under ASan).
#include "airan/apps/prach_evaluation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

using namespace airan;

/// Format 0 with TS 38.141-1's test preamble on a 25-PRB 15 kHz carrier, 2 Rx, AWGN.
apps::PrachEvaluationConfig prach_eval_config() {
  apps::PrachEvaluationConfig config;
  config.link.prach.format = phy::PrachFormat::f0;
  config.link.prach.cyclic_shift_length = 13;
  config.link.prach.root_sequence_index = 22;
  config.preamble_index = 32;
  config.snr_db = {0.0};
  config.trials = 24;
  config.false_alarm_trials = 0;
  config.num_threads = 2;
  return config;
}

/// Format A1 at 30 kHz on a 25-PRB 30 kHz carrier with the test preamble.
apps::PrachEvaluationConfig prach_eval_short_config() {
  apps::PrachEvaluationConfig config = prach_eval_config();
  config.link.numerology = 1;
  config.link.prach.format = phy::PrachFormat::a1;
  config.link.prach.short_format_numerology = 1;
  config.link.prach.cyclic_shift_length = 46;
  config.link.prach.root_sequence_index = 0;
  config.preamble_index = 0;
  return config;
}

void expect_all_detected(const apps::PrachEvaluationPoint& point, double snr_db,
                         double snr_tolerance_db) {
  EXPECT_EQ(point.detected, point.trials);
  EXPECT_EQ(point.missed, 0U);
  EXPECT_EQ(point.timing_failures, 0U);
  EXPECT_DOUBLE_EQ(point.pd(), 1.0);
  EXPECT_NEAR(point.mean_snr_estimate_db(), snr_db, snr_tolerance_db);
}

TEST(PrachEvaluation, CountsAddUp) {
  apps::PrachEvaluationConfig config = prach_eval_config();
  config.snr_db = {-24.0, -10.0};
  config.trials = 30;
  config.false_alarm_trials = 20;
  const auto points = apps::run_prach_evaluation(config);
  ASSERT_EQ(points.size(), 2U);
  for (const auto& p : points) {
    EXPECT_EQ(p.trials, 30U);
    EXPECT_EQ(p.detected + p.timing_failures + p.wrong_preamble + p.missed, p.trials);
    EXPECT_EQ(p.false_alarm_trials, 20U);
    EXPECT_LE(p.mean_timing_error_s(), p.timing_error_max_s);
  }
  EXPECT_GT(points[0].missed, 0U); // 10 dB below the requirement: some misses
  EXPECT_EQ(points[1].detected, 30U);
}

// TS 38.104 8.4.1.1's error cases, each occasion in one: another preamble reported beside the
// sent one voids the detection ("detecting different preamble than the one that was sent").
TEST(PrachEvaluation, ADetectionIsTheSentPreambleAloneWithinTheTolerance) {
  const auto preamble = [](unsigned index, double delay_s) {
    phy::PrachDetectedPreamble p;
    p.index = index;
    p.delay_s = delay_s;
    p.snr_db = 3.0F;
    return p;
  };
  const double delay = 5e-6;
  const double tolerance = 1.04e-6;
  apps::PrachEvaluationPoint counts;
  const auto score = [&](std::vector<phy::PrachDetectedPreamble> preambles) {
    phy::PrachDetectionResult result;
    result.preambles = std::move(preambles);
    apps::score_prach_detection(result, 32, delay, tolerance, counts);
  };
  score({preamble(32, delay + 0.5e-6)});                    // detected
  score({preamble(12, delay), preamble(32, delay)});        // wrong: another beside it
  score({preamble(32, delay), preamble(40, delay + 3e-6)}); // wrong
  score({preamble(32, delay + 2e-6)});                      // timing
  score({preamble(32, delay - 2e-6), preamble(33, delay)}); // timing (the sent one late)
  score({preamble(31, delay)});                             // missed: another alone
  score({});                                                // missed
  EXPECT_EQ(counts.trials, 7U);
  EXPECT_EQ(counts.detected, 1U);
  EXPECT_EQ(counts.wrong_preamble, 2U);
  EXPECT_EQ(counts.timing_failures, 2U);
  EXPECT_EQ(counts.missed, 2U);
  EXPECT_EQ(counts.reported(), 5U);
  EXPECT_DOUBLE_EQ(counts.pd(), 1.0 / 7.0);
  EXPECT_DOUBLE_EQ(counts.timing_error_max_s, 2e-6);
  EXPECT_NEAR(counts.timing_error_sum_s, 4.5e-6, 1e-15);
}

TEST(PrachEvaluation, StrongLongPreambleIsDetectedWithItsDelayAndSnr) {
  const auto points = apps::run_prach_evaluation(prach_eval_config());
  ASSERT_EQ(points.size(), 1U);
  expect_all_detected(points[0], 0.0, 0.5);
  EXPECT_EQ(points[0].wrong_preamble, 0U);
  EXPECT_LT(points[0].timing_error_max_s, 0.3e-6);
}

TEST(PrachEvaluation, StrongShortPreambleIsDetectedWithItsDelayAndSnr) {
  const auto points = apps::run_prach_evaluation(prach_eval_short_config());
  ASSERT_EQ(points.size(), 1U);
  expect_all_detected(points[0], 0.0, 0.5);
  EXPECT_LT(points[0].timing_error_max_s, 0.1e-6);
}

TEST(PrachEvaluation, FadingPreambleIsDetectedWithinItsTolerance) {
  apps::PrachEvaluationConfig config = prach_eval_config();
  config.link.channel = apps::PrachChannelModel::tdlc300_100;
  config.link.cfo_hz = 400.0;
  config.snr_db = {10.0};
  config.delay_mode = apps::PrachDelayMode::random;
  const auto points = apps::run_prach_evaluation(config);
  ASSERT_EQ(points.size(), 1U);
  EXPECT_EQ(points[0].detected, points[0].trials);
  EXPECT_LT(points[0].timing_error_max_s, apps::prach_evaluation_tolerance_s(config));
}

TEST(PrachEvaluation, NoiseAloneRaisesFalseAlarmsWithinTheDetectorsTarget) {
  apps::PrachEvaluationConfig config = prach_eval_config();
  config.trials = 0;
  config.false_alarm_trials = 40;
  const auto quiet = apps::run_prach_evaluation(config);
  ASSERT_EQ(quiet.size(), 1U);
  EXPECT_EQ(quiet[0].false_alarm_trials, 40U);
  EXPECT_EQ(quiet[0].false_alarms, 0U); // a target of 0.1% or less
  // A target of 90% (a union bound over the lags: the detector stays below it) alarms often.
  config.link.detector.false_alarm_probability = 0.9;
  const auto noisy = apps::run_prach_evaluation(config);
  EXPECT_GT(noisy[0].false_alarms, 0U);
  EXPECT_LE(noisy[0].false_alarms, 36U);
  EXPECT_EQ(noisy[0].trials, 0U);
}

TEST(PrachEvaluation, ResultsDoNotDependOnTheThreadCount) {
  apps::PrachEvaluationConfig config = prach_eval_config();
  config.snr_db = {-18.0, -14.0};
  config.trials = 20;
  config.false_alarm_trials = 10;
  config.link.detector.false_alarm_probability = 0.9;
  config.num_threads = 1;
  const auto one = apps::run_prach_evaluation(config);
  config.num_threads = 3;
  EXPECT_EQ(apps::run_prach_evaluation(config), one);
}

TEST(PrachEvaluation, DelaysFollowTheConformanceCycle) {
  apps::PrachEvaluationConfig config = prach_eval_config();
  const double base = 6.5 / (839.0 * 1250.0); // N_CS / 2 lags
  EXPECT_NEAR(apps::prach_evaluation_delay_s(config, 0), base, 1e-12);
  EXPECT_NEAR(apps::prach_evaluation_delay_s(config, 13), base + 0.3e-6, 1e-12);
  const apps::PrachEvaluationConfig short_config = prach_eval_short_config();
  EXPECT_NEAR(apps::prach_evaluation_delay_s(short_config, 8), 0.8e-6, 1e-12);
  EXPECT_NEAR(apps::prach_evaluation_delay_s(short_config, 9), 0.0, 1e-12);
  config.delay_mode = apps::PrachDelayMode::random;
  for (std::uint64_t t = 0; t < 20; ++t) {
    const double delay = apps::prach_evaluation_delay_s(config, t);
    EXPECT_GE(delay, 0.0);
    EXPECT_LT(delay, 13.0 / (839.0 * 1250.0));
  }
}

TEST(PrachEvaluation, TestPreamblesAndTolerancesAreTheStandardsOnes) {
  const auto long_test = apps::prach_test_preamble(phy::PrachFormat::f0, 1250);
  EXPECT_EQ(long_test.cyclic_shift_length, 13U);
  EXPECT_EQ(long_test.root_sequence_index, 22U);
  EXPECT_EQ(long_test.preamble_index, 32U);
  EXPECT_EQ(apps::prach_test_preamble(phy::PrachFormat::b4, 15000).cyclic_shift_length, 23U);
  EXPECT_EQ(apps::prach_test_preamble(phy::PrachFormat::a1, 30000).cyclic_shift_length, 46U);
  using apps::PrachChannelModel;
  EXPECT_NEAR(
      apps::prach_time_error_tolerance_s(phy::PrachFormat::f0, 1250, PrachChannelModel::awgn),
      1.04e-6, 1e-12);
  EXPECT_NEAR(apps::prach_time_error_tolerance_s(phy::PrachFormat::f0, 1250,
                                                 PrachChannelModel::tdlc300_100),
              2.55e-6, 1e-12);
  EXPECT_NEAR(apps::prach_time_error_tolerance_s(phy::PrachFormat::b4, 15000,
                                                 PrachChannelModel::tdlc300_100),
              2.03e-6, 1e-12);
  EXPECT_NEAR(
      apps::prach_time_error_tolerance_s(phy::PrachFormat::a1, 30000, PrachChannelModel::awgn),
      0.26e-6, 1e-12);
}

TEST(PrachEvaluation, RefusesBadConfigurationsWithAReason) {
  apps::PrachEvaluationConfig config = prach_eval_config();
  config.preamble_index = 64;
  config.snr_db = {3.0, 1.0};
  config.delay_mode = apps::PrachDelayMode::fixed;
  config.delay_s = 20e-6;
  const std::string problems = apps::validate_prach_evaluation(config);
  EXPECT_NE(problems.find("preamble index 64 is over 63"), std::string::npos) << problems;
  EXPECT_NE(problems.find("must rise strictly"), std::string::npos) << problems;
  EXPECT_NE(problems.find("outside the zero-correlation window"), std::string::npos) << problems;
  EXPECT_THROW(static_cast<void>(apps::run_prach_evaluation(config)), std::invalid_argument);

  apps::PrachEvaluationConfig short_config = prach_eval_short_config();
  short_config.link.prach.short_format_numerology = 3; // 120 kHz PRACH on a 30 kHz carrier
  EXPECT_NE(apps::validate_prach_evaluation(short_config).find("Table 6.3.3.2-1"),
            std::string::npos);
  short_config = prach_eval_short_config();
  short_config.link.num_rx_antennas = 0;
  short_config.trials = 0;
  const std::string none = apps::validate_prach_evaluation(short_config);
  EXPECT_NE(none.find("receive antennas"), std::string::npos) << none;
  EXPECT_NE(none.find("nothing to simulate"), std::string::npos) << none;
  short_config = prach_eval_short_config();
  short_config.trials = std::numeric_limits<std::uint64_t>::max(); // the sum would wrap to 0
  short_config.false_alarm_trials = 1;
  EXPECT_NE(apps::validate_prach_evaluation(short_config).find("exceed 2^64 - 1"),
            std::string::npos);
  EXPECT_THROW(static_cast<void>(apps::parse_prach_channel("rayleigh")), std::invalid_argument);
  EXPECT_EQ(apps::parse_prach_channel("tdlc300-100"), apps::PrachChannelModel::tdlc300_100);
}

} // namespace
