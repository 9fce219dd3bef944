// The exact sign test and the sweep sums of paired receiver outcomes (paired_comparison.h).
#include "airan/apps/paired_comparison.h"

#include "airan/apps/bler_evaluation.h"

#include <algorithm>
#include <cmath>

namespace airan::apps {

double sign_test_p_value(std::uint64_t only_a_failed, std::uint64_t only_b_failed) {
  const std::uint64_t n = only_a_failed + only_b_failed;
  if (n == 0) {
    return 1.0;
  }
  // 2 P(X <= min) for X ~ Binomial(n, 1/2), the terms in log space (n may be large).
  const std::uint64_t smaller = std::min(only_a_failed, only_b_failed);
  const double log_n_factorial = std::lgamma(double(n) + 1.0);
  const double log_half_power = double(n) * std::log(0.5);
  double tail = 0.0;
  for (std::uint64_t k = 0; k <= smaller; ++k) {
    tail += std::exp(log_n_factorial - std::lgamma(double(k) + 1.0) -
                     std::lgamma(double(n - k) + 1.0) + log_half_power);
  }
  return std::min(1.0, 2.0 * tail);
}

PairedSweep paired_over_sweep(std::span<const EvaluationPoint> points,
                              std::span<const std::string> receivers, std::size_t a,
                              std::size_t b) {
  PairedSweep sweep;
  sweep.a = receivers[a];
  sweep.b = receivers[b];
  for (const EvaluationPoint& p : points) {
    if (p.receiver != sweep.a || !p.simulated || b >= p.paired.size()) {
      continue;
    }
    sweep.common_slots += p.paired[b].common_slots;
    sweep.only_a_failed += p.paired[b].only_this_failed;
    sweep.only_b_failed += p.paired[b].only_other_failed;
  }
  sweep.p_value = sign_test_p_value(sweep.only_a_failed, sweep.only_b_failed);
  return sweep;
}

} // namespace airan::apps
