/// \file
/// \brief batch_launches(): independent launches of one dependency level as one BatchLaunch.
#include "gpu_onnx_batching.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace airan::gpu::detail {

std::vector<std::size_t> dependency_levels(std::span<const std::vector<std::size_t>> dependencies) {
  std::vector<std::size_t> level(dependencies.size(), 0);
  for (std::size_t j = 0; j < dependencies.size(); ++j) {
    for (const std::size_t i : dependencies[j]) {
      if (i >= j) {
        throw std::logic_error("GPU ONNX plan: launch " + std::to_string(j) +
                               " depends on a later one");
      }
      level[j] = std::max(level[j], level[i] + 1);
    }
  }
  return level;
}

BatchedLaunches batch_launches(std::vector<Launch> launches, std::span<const std::size_t> steps,
                               std::span<const LaunchAccess> accesses, bool batch) {
  const std::size_t n = launches.size();
  if (steps.size() != n || accesses.size() != n) {
    throw std::logic_error("GPU ONNX plan: " + std::to_string(n) + " launches, " +
                           std::to_string(steps.size()) + " steps, " +
                           std::to_string(accesses.size()) + " accesses");
  }
  const std::vector<std::vector<std::size_t>> dependencies = launch_dependencies(accesses);
  const std::vector<std::size_t> level = dependency_levels(dependencies);

  // Groups of launches that become one launch each, keyed by (level, first source): every
  // batchable launch of a level joins that level's group, the others stay alone.
  std::vector<BatchMember> members(n);
  std::map<std::pair<std::size_t, std::size_t>, std::vector<std::size_t>> groups;
  std::map<std::size_t, std::size_t> batch_of_level; // level -> its group's first source
  for (std::size_t j = 0; j < n; ++j) {
    if (batch && make_batch_member(launches[j], members[j])) {
      const auto [it, fresh] = batch_of_level.try_emplace(level[j], j);
      groups[{level[j], it->second}].push_back(j);
    } else {
      groups[{level[j], j}].push_back(j);
    }
  }

  BatchedLaunches out;
  std::vector<std::size_t> unit_of(n, 0);
  for (auto& [key, sources] : groups) {
    const std::size_t unit = out.launches.size();
    for (const std::size_t j : sources) {
      unit_of[j] = unit;
    }
    if (sources.size() == 1) {
      out.launches.push_back(std::move(launches[sources.front()]));
    } else {
      BatchLaunch batched;
      for (const std::size_t j : sources) {
        batched.members.push_back(members[j]);
      }
      std::vector<int> block_members;
      lay_out_batch(batched, block_members);
      out.launches.emplace_back(std::move(batched));
    }
    out.steps.push_back(steps[sources.front()]);
    out.main_stream_only.push_back(sources.size() == 1 &&
                                   accesses[sources.front()].main_stream_only);
    out.sources.push_back(std::move(sources));
  }
  out.dependencies.resize(out.launches.size());
  for (std::size_t u = 0; u < out.launches.size(); ++u) {
    std::vector<std::size_t>& after = out.dependencies[u];
    for (const std::size_t j : out.sources[u]) {
      for (const std::size_t i : dependencies[j]) {
        after.push_back(unit_of[i]);
      }
    }
    std::sort(after.begin(), after.end());
    after.erase(std::unique(after.begin(), after.end()), after.end());
    if (!after.empty() && after.back() >= u) {
      throw std::logic_error("GPU ONNX plan: batched launch " + std::to_string(u) +
                             " depends on a later one");
    }
  }
  return out;
}

} // namespace airan::gpu::detail
