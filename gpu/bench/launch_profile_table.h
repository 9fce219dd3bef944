// Shared by the GPU benchmarks: prints LaunchProfiler results of repeated runs of the same work
// as one row per launch, in launch order, with the median device time over the runs.
#pragma once

#include "airan/gpu/launch_profiler.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace airan::bench {

/// One row per launch of \p runs (each the LaunchProfiler::collect() of one run of the same
/// work): name and median device time, then the sum of the medians.
inline void print_launch_profile(const char* title,
                                 const std::vector<std::vector<gpu::LaunchTime>>& runs) {
  std::printf("\n%s (median of %zu runs, event after each launch)\n", title, runs.size());
  if (runs.empty()) {
    return;
  }
  const std::vector<gpu::LaunchTime>& first = runs.front();
  float total = 0.0F;
  for (std::size_t l = 0; l < first.size(); ++l) {
    std::vector<float> times;
    times.reserve(runs.size());
    for (const auto& run : runs) {
      if (l < run.size() && run[l].name == first[l].name) {
        times.push_back(run[l].device_us);
      }
    }
    std::sort(times.begin(), times.end());
    const float median = times.empty() ? 0.0F : times[times.size() / 2];
    total += median;
    std::printf("  %-40s %10.1f us\n", first[l].name.c_str(), median);
  }
  std::printf("  %-40s %10.1f us\n", "sum", total);
}

} // namespace airan::bench
