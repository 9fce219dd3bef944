// The exact sign test and the sweep sums of paired receiver outcomes (paired_comparison.h).
#include "airan/apps/paired_comparison.h"

#include "airan/apps/bler_evaluation.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace airan::apps {

double sign_test_log10_p_value(std::uint64_t only_a_failed, std::uint64_t only_b_failed) {
  const std::uint64_t n = only_a_failed + only_b_failed;
  if (n == 0) {
    return 0.0;
  }
  // 2 P(X <= m) for X ~ Binomial(n, 1/2), m = min: the terms' logs, summed relative to the
  // largest (k = m, as m <= n / 2) from it downwards until they no longer count.
  const std::uint64_t m = std::min(only_a_failed, only_b_failed);
  const double log_n_factorial = std::lgamma(double(n) + 1.0);
  const double log_half_power = double(n) * std::log(0.5);
  const auto log_term = [&](std::uint64_t k) {
    return log_n_factorial - std::lgamma(double(k) + 1.0) - std::lgamma(double(n - k) + 1.0) +
           log_half_power;
  };
  const double log_largest = log_term(m);
  double relative_sum = 0.0;
  for (std::uint64_t k = m + 1; k-- > 0;) {
    const double relative = std::exp(log_term(k) - log_largest);
    relative_sum += relative;
    if (relative < 1e-17 * relative_sum) {
      break; // the terms fall faster than geometrically from here
    }
  }
  const double log_p = std::log(2.0) + log_largest + std::log(relative_sum);
  return std::min(0.0, log_p / std::log(10.0));
}

double sign_test_p_value(std::uint64_t only_a_failed, std::uint64_t only_b_failed) {
  return std::pow(10.0, sign_test_log10_p_value(only_a_failed, only_b_failed));
}

PairedSweep paired_over_sweep(std::span<const EvaluationPoint> points,
                              std::span<const std::string> receivers, std::size_t a,
                              std::size_t b) {
  PairedSweep sweep;
  sweep.a = receivers[a];
  sweep.b = receivers[b];
  std::map<std::uint64_t, std::int64_t> net; // per slot: points only a failed - only b failed
  for (const EvaluationPoint& p : points) {
    if (p.receiver != sweep.a || !p.simulated || b >= p.paired.size()) {
      continue;
    }
    const PairedOutcome& pair = p.paired[b];
    // Each receiver's slots at a point are its first ones, so the common ones are too.
    sweep.common_slots = std::max(sweep.common_slots, pair.common_slots);
    sweep.slot_points += pair.common_slots;
    sweep.only_a_failed += pair.only_this_failed;
    sweep.only_b_failed += pair.only_other_failed;
    for (const std::uint64_t slot : pair.only_this_failed_slots) {
      ++net[slot];
    }
    for (const std::uint64_t slot : pair.only_other_failed_slots) {
      --net[slot];
    }
  }
  for (const auto& [slot, count] : net) {
    sweep.a_worse_slots += count > 0 ? 1 : 0;
    sweep.b_worse_slots += count < 0 ? 1 : 0;
  }
  sweep.log10_p_value = sign_test_log10_p_value(sweep.a_worse_slots, sweep.b_worse_slots);
  sweep.p_value = std::pow(10.0, sweep.log10_p_value);
  return sweep;
}

std::vector<PairedSweep> paired_sweeps(std::span<const EvaluationPoint> points,
                                       std::span<const std::string> receivers) {
  std::vector<PairedSweep> sweeps;
  for (std::size_t a = 0; a < receivers.size(); ++a) {
    for (std::size_t b = a + 1; b < receivers.size(); ++b) {
      sweeps.push_back(paired_over_sweep(points, receivers, a, b));
    }
  }
  return sweeps;
}

} // namespace airan::apps
