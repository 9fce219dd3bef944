// The exact sign test against hand-computed binomial tails, and the sweep test over points:
// each slot once, by its net count of points where only one receiver failed.
#include "airan/apps/paired_comparison.h"

#include "airan/apps/bler_evaluation.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

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

/// Slots first, first + step, ... (count of them).
std::vector<std::uint64_t> slot_run(std::uint64_t first, std::uint64_t count,
                                    std::uint64_t step = 1) {
  std::vector<std::uint64_t> slots;
  for (std::uint64_t i = 0; i < count; ++i) {
    slots.push_back(first + i * step);
  }
  return slots;
}

/// One receiver's point against the other (index \p other of two).
EvaluationPoint point(const std::string& name, double snr, std::size_t other,
                      std::uint64_t common_slots, std::vector<std::uint64_t> only_this,
                      std::vector<std::uint64_t> only_other, bool simulated = true) {
  EvaluationPoint p;
  p.receiver = name;
  p.snr_db = snr;
  p.simulated = simulated;
  p.paired.resize(2);
  PairedOutcome& pair = p.paired[other];
  pair.common_slots = common_slots;
  pair.only_this_failed = only_this.size();
  pair.only_other_failed = only_other.size();
  pair.only_this_failed_slots = std::move(only_this);
  pair.only_other_failed_slots = std::move(only_other);
  return p;
}

// Each slot counts once over the sweep: slots 0..9 where only a failed at all three points, and
// slots 50, 51 where only b failed at one: a worse on 10 slots, b on 2 (not 30 against 2).
// Slot 60, where only a failed at one point and only b at another, is a tie and counts for
// neither. A point skipped by early stopping counts for nothing.
TEST(PairedComparison, SweepCountsEachSlotOnceAcrossThePoints) {
  const std::array<std::string, 2> receivers = {"a", "b"};
  std::vector<EvaluationPoint> points;
  for (int snr = 0; snr < 4; ++snr) {
    std::vector<std::uint64_t> only_a = snr < 3 ? slot_run(0, 10) : slot_run(200, 40);
    std::vector<std::uint64_t> only_b =
        snr == 1 ? std::vector<std::uint64_t>{50, 51} : std::vector<std::uint64_t>{};
    if (snr == 0) {
      only_a.push_back(60);
    }
    if (snr == 2) {
      only_b.push_back(60);
    }
    const std::uint64_t common = 100 + 10 * static_cast<std::uint64_t>(snr);
    const bool simulated = snr < 3; // the last point was skipped by early stopping
    points.push_back(point("a", snr, 1, common, only_a, only_b, simulated));
    points.push_back(point("b", snr, 0, common, only_b, only_a, simulated));
  }
  const PairedSweep sweep = paired_over_sweep(points, receivers, 0, 1);
  EXPECT_EQ(sweep.a, "a");
  EXPECT_EQ(sweep.b, "b");
  EXPECT_EQ(sweep.common_slots, 120U) << "distinct slots: the largest point's";
  EXPECT_EQ(sweep.slot_points, 330U);
  EXPECT_EQ(sweep.only_a_failed, 31U);
  EXPECT_EQ(sweep.only_b_failed, 3U);
  EXPECT_EQ(sweep.a_worse_slots, 10U);
  EXPECT_EQ(sweep.b_worse_slots, 2U);
  EXPECT_EQ(sweep.p_value, sign_test_p_value(10, 2));
  EXPECT_EQ(sweep.log10_p_value, sign_test_log10_p_value(10, 2));
  EXPECT_GT(sweep.p_value, 0.03) << "10 against 2 is p = 0.039, not the 1e-6 of 31 against 3";
  const PairedSweep reverse = paired_over_sweep(points, receivers, 1, 0);
  EXPECT_EQ(reverse.a_worse_slots, 2U);
  EXPECT_EQ(reverse.b_worse_slots, 10U);
  EXPECT_EQ(reverse.only_a_failed, 3U);
  EXPECT_EQ(reverse.p_value, sweep.p_value);
  const auto all = paired_sweeps(points, receivers);
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].a_worse_slots, sweep.a_worse_slots);
  const std::array<std::string, 3> three = {"a", "b", "c"};
  const auto pairs = paired_sweeps({}, three);
  ASSERT_EQ(pairs.size(), 3U);
  EXPECT_EQ(pairs[0].a + pairs[0].b + pairs[1].a + pairs[1].b + pairs[2].a + pairs[2].b, "abacbc");
}

} // namespace
} // namespace airan::apps
