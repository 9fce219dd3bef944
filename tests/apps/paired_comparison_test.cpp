// The exact sign test against hand-computed binomial tails, and the sweep sums of paired
// outcomes over points.
#include "airan/apps/paired_comparison.h"

#include "airan/apps/bler_evaluation.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>

namespace airan::apps {
namespace {

TEST(PairedComparison, SignTestPValues) {
  EXPECT_EQ(sign_test_p_value(0, 0), 1.0);
  EXPECT_NEAR(sign_test_p_value(0, 5), 2.0 / 32.0, 1e-12);          // 2 P(X = 0), n = 5
  EXPECT_NEAR(sign_test_p_value(9, 1), 2.0 * 11.0 / 1024.0, 1e-12); // 2 P(X <= 1), n = 10
  EXPECT_EQ(sign_test_p_value(5, 5), 1.0);                          // capped
  EXPECT_NEAR(sign_test_p_value(20, 40), 0.0134893, 1e-6);          // n = 60: 2 P(X <= 20)
  const double lopsided = sign_test_p_value(300, 812);
  EXPECT_GT(lopsided, 0.0);
  EXPECT_LT(lopsided, 1e-40);
  // Beyond double's range the log stays exact: 0 against 1100 is 2 (1/2)^1100.
  EXPECT_NEAR(sign_test_log10_p_value(0, 1100), -1099.0 * std::log10(2.0), 1e-9);
  EXPECT_EQ(sign_test_p_value(0, 1100), 0.0);
  // 25 against 0 (the EVALUATION.md example): 2^-24.
  EXPECT_NEAR(sign_test_log10_p_value(25, 0), -24.0 * std::log10(2.0), 1e-12);
}

TEST(PairedComparison, SweepSumsEverySimulatedPointOfTheFirstReceiver) {
  const std::array<std::string, 2> receivers = {"a", "b"};
  std::vector<EvaluationPoint> points;
  for (int snr = 0; snr < 3; ++snr) {
    for (const auto& name : receivers) {
      EvaluationPoint p;
      p.receiver = name;
      p.snr_db = snr;
      p.paired.resize(2);
      const std::uint64_t only_a = std::uint64_t{10} * static_cast<std::uint64_t>(snr + 1);
      p.paired[name == "a" ? 1 : 0] = {100, name == "a" ? only_a : 2U, name == "a" ? 2U : only_a};
      p.simulated = snr < 2; // the last point was skipped by early stopping
      points.push_back(p);
    }
  }
  const PairedSweep sweep = paired_over_sweep(points, receivers, 0, 1);
  EXPECT_EQ(sweep.a, "a");
  EXPECT_EQ(sweep.b, "b");
  EXPECT_EQ(sweep.common_slots, 200U);
  EXPECT_EQ(sweep.only_a_failed, 30U);
  EXPECT_EQ(sweep.only_b_failed, 4U);
  EXPECT_EQ(sweep.p_value, sign_test_p_value(30, 4));
  EXPECT_EQ(sweep.log10_p_value, sign_test_log10_p_value(30, 4));
  const PairedSweep reverse = paired_over_sweep(points, receivers, 1, 0);
  EXPECT_EQ(reverse.only_a_failed, 4U);
  EXPECT_EQ(reverse.only_b_failed, 30U);
  const auto all = paired_sweeps(points, receivers);
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].only_a_failed, sweep.only_a_failed);
  const std::array<std::string, 3> three = {"a", "b", "c"};
  const auto pairs = paired_sweeps({}, three);
  ASSERT_EQ(pairs.size(), 3U);
  EXPECT_EQ(pairs[0].a + pairs[0].b + pairs[1].a + pairs[1].b + pairs[2].a + pairs[2].b, "abacbc");
}

} // namespace
} // namespace airan::apps
