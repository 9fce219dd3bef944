#include "airan/l1/l1_counters.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

namespace airan::l1 {

LatencySummary summarize_latency(std::span<const double> samples_us) {
  LatencySummary summary;
  if (samples_us.empty()) {
    return summary;
  }
  std::vector<double> sorted(samples_us.begin(), samples_us.end());
  std::ranges::sort(sorted);
  const auto at = [&](double q) {
    const auto index = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(index, 1, sorted.size()) - 1];
  };
  summary.count = sorted.size();
  summary.p50_us = at(0.50);
  summary.p99_us = at(0.99);
  summary.max_us = sorted.back();
  summary.mean_us =
      std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(sorted.size());
  return summary;
}

std::string format_latency(const LatencySummary& summary) {
  char text[160];
  std::snprintf(text, sizeof(text), "p50 %.1f us, p99 %.1f us, max %.1f us, mean %.1f us (%zu)",
                summary.p50_us, summary.p99_us, summary.max_us, summary.mean_us, summary.count);
  return text;
}

} // namespace airan::l1
