/// \file
/// \brief Stream assignment and event waits of a plan's launches (list scheduling at unit cost,
/// waits reduced with the set of launches each launch is already ordered after).
#include "gpu_onnx_schedule.h"

#include <algorithm>
#include <cstdint>

namespace airan::gpu::detail {
namespace {

/// A set of launch indices.
class LaunchSet {
public:
  explicit LaunchSet(std::size_t size = 0) : words_((size + 63) / 64, 0) {}
  void insert(std::size_t i) { words_[i / 64] |= std::uint64_t{1} << (i % 64); }
  [[nodiscard]] bool contains(std::size_t i) const {
    return ((words_[i / 64] >> (i % 64)) & 1U) != 0;
  }
  void merge(const LaunchSet& other) {
    for (std::size_t w = 0; w < words_.size(); ++w) {
      words_[w] |= other.words_[w];
    }
  }

private:
  std::vector<std::uint64_t> words_;
};

} // namespace

bool overlaps(const MemoryRange& a, const MemoryRange& b) {
  return a.begin < b.end && b.begin < a.end && a.begin < a.end && b.begin < b.end;
}

bool depends_on(const LaunchAccess& later, const LaunchAccess& earlier) {
  if (later.step == earlier.step) {
    return false;
  }
  if (overlaps(later.write, earlier.write)) {
    return true;
  }
  for (const MemoryRange& read : later.reads) {
    if (overlaps(read, earlier.write)) {
      return true;
    }
  }
  for (const MemoryRange& read : earlier.reads) {
    if (overlaps(read, later.write)) {
      return true;
    }
  }
  return false;
}

std::vector<std::vector<std::size_t>> launch_dependencies(std::span<const LaunchAccess> launches) {
  std::vector<std::vector<std::size_t>> dependencies(launches.size());
  for (std::size_t j = 0; j < launches.size(); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      if (depends_on(launches[j], launches[i])) {
        dependencies[j].push_back(i);
      }
    }
  }
  return dependencies;
}

LaunchSchedule schedule_launches(std::span<const LaunchAccess> launches, int max_streams) {
  std::vector<bool> main_stream_only(launches.size(), false);
  for (std::size_t j = 0; j < launches.size(); ++j) {
    main_stream_only[j] = launches[j].main_stream_only;
  }
  return schedule_dependencies(launch_dependencies(launches), main_stream_only, max_streams);
}

LaunchSchedule schedule_dependencies(std::span<const std::vector<std::size_t>> dependencies,
                                     const std::vector<bool>& main_stream_only, int max_streams) {
  const std::size_t n = dependencies.size();
  const auto streams = static_cast<std::size_t>(std::max(1, max_streams));
  LaunchSchedule schedule;
  schedule.stream.assign(n, 0);
  schedule.waits.assign(n, {});
  schedule.waited_on.assign(n, false);
  std::vector<std::size_t> chain(n, 1); // launches on the longest chain ending here
  for (std::size_t j = 0; j < n; ++j) {
    for (const std::size_t i : dependencies[j]) {
      chain[j] = std::max(chain[j], chain[i] + 1);
    }
    schedule.depth = std::max(schedule.depth, chain[j]);
  }

  // Unit-time simulation: finish[i] is when launch i ends, free[k] when stream k's last launch
  // does; before[i] the launches that end before launch i starts, by stream order and waits.
  std::vector<std::size_t> finish(n, 0);
  std::vector<std::size_t> free(streams, 0);
  std::vector<std::ptrdiff_t> last(streams, -1);
  std::vector<LaunchSet> before(n, LaunchSet(n));
  std::size_t used = 1;
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t ready = 0;
    std::ptrdiff_t latest = -1;
    for (const std::size_t i : dependencies[j]) {
      if (latest < 0 || finish[i] >= ready) {
        ready = finish[i];
        latest = static_cast<std::ptrdiff_t>(i);
      }
    }
    std::size_t stream = 0;
    if (!main_stream_only.at(j) && streams > 1) {
      const auto continues = [&](std::size_t k) { return latest >= 0 && last[k] == latest; };
      std::size_t best = streams;
      for (std::size_t k = 0; k < used && best == streams; ++k) {
        best = continues(k) ? k : best;
      }
      for (std::size_t k = 0; k < used && best == streams; ++k) {
        best = free[k] <= ready ? k : best;
      }
      if (best == streams && used < streams) {
        best = used++;
      }
      if (best == streams) {
        best = static_cast<std::size_t>(std::min_element(free.begin(), free.begin() + used) -
                                        free.begin());
      }
      stream = best;
    }
    schedule.stream[j] = static_cast<int>(stream);
    LaunchSet& covered = before[j];
    if (last[stream] >= 0) {
      const auto previous = static_cast<std::size_t>(last[stream]);
      covered.merge(before[previous]);
      covered.insert(previous);
    }
    // Latest dependencies first: waiting for one covers what it was ordered after.
    for (auto it = dependencies[j].rbegin(); it != dependencies[j].rend(); ++it) {
      if (!covered.contains(*it)) {
        schedule.waits[j].push_back(*it);
        schedule.waited_on[*it] = true;
        covered.merge(before[*it]);
        covered.insert(*it);
      }
    }
    finish[j] = std::max(ready, free[stream]) + 1;
    free[stream] = finish[j];
    last[stream] = static_cast<std::ptrdiff_t>(j);
    schedule.makespan = std::max(schedule.makespan, finish[j]);
  }
  schedule.num_streams = static_cast<int>(used);
  return schedule;
}

} // namespace airan::gpu::detail
