// GpuOnnxExecutor's plans made as make_plan() makes them but with a host arena, and run on the
// host launch by launch (run_on_host(); long means as their split kernels run them,
// run_split_mean_on_host()) in program order or in a random order that the schedule allows:
// shared by the plan emulation and traffic tests.
#pragma once

#include "gpu_onnx_batching.h"
#include "gpu_onnx_launches.h"
#include "gpu_onnx_layout.h"
#include "gpu_onnx_program.h"
#include "gpu_onnx_schedule.h"
#include "onnx_split_mean_elements.h"

#include "../phy/nn/onnx_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace airan::gpu::detail::test_plans {

using phy::nn::shape_num_elements;
using phy::nn::test::Dense;

/// A plan made as make_plan() makes it, with a host arena.
struct HostPlan {
  PlanLayout layout;
  std::deque<std::vector<float>> derived; ///< Constants the launches derived.
  std::vector<float> arena;
  std::vector<Launch> launches;
  std::vector<std::size_t> launch_steps;
  LaunchSchedule schedule;
  std::vector<double> reduction_partials;   ///< SplitReduction::partials of every long mean.
  std::vector<unsigned> reduction_counters; ///< SplitReduction::counters (zero between runs).
};

/// The split reduction of \p launch when its launcher runs it split (launch_reduce_mean(),
/// launch_region()), else nullptr.
template <class LaunchRef> auto* split_of(LaunchRef& launch) {
  using Split =
      std::conditional_t<std::is_const_v<LaunchRef>, const SplitReduction, SplitReduction>;
  Split* split = nullptr;
  if (auto* mean = std::get_if<ReduceMeanLaunch>(&launch)) {
    split = reduction_splits(mean->geometry.reduced_count) > 0 ? &mean->split : nullptr;
  } else if (auto* region = std::get_if<RegionLaunch>(&launch)) {
    split = region->reduce && reduction_splits(region->geometry.reduced_count) > 0 ? &region->split
                                                                                   : nullptr;
  }
  return split;
}

/// Output elements and reduced elements per output element of a mean launch.
inline std::pair<int, int> mean_extent(const Launch& launch) {
  if (const auto* mean = std::get_if<ReduceMeanLaunch>(&launch)) {
    return {mean->count, mean->geometry.reduced_count};
  }
  const auto& region = std::get<RegionLaunch>(launch);
  return {region.count, region.geometry.reduced_count};
}

/// Gives every long mean of \p plan its partials (poisoned) and counters (zero) in host memory,
/// as make_plan() does in device memory (allocate_split_reductions()).
inline void allocate_host_split_reductions(HostPlan& plan) {
  std::size_t partials = 0;
  std::size_t counters = 0;
  for (const Launch& launch : plan.launches) {
    if (split_of(launch) != nullptr) {
      const auto [count, reduced] = mean_extent(launch);
      partials +=
          static_cast<std::size_t>(count) * static_cast<std::size_t>(reduction_splits(reduced));
      counters += static_cast<std::size_t>(count);
    }
  }
  plan.reduction_partials.assign(partials, std::nan(""));
  plan.reduction_counters.assign(counters, 0U);
  std::size_t next_partials = 0;
  std::size_t next_counter = 0;
  for (Launch& launch : plan.launches) {
    if (SplitReduction* split = split_of(launch)) {
      const auto [count, reduced] = mean_extent(launch);
      split->splits = reduction_splits(reduced);
      split->partials = plan.reduction_partials.data() + next_partials;
      split->counters = plan.reduction_counters.data() + next_counter;
      next_partials += static_cast<std::size_t>(count) * static_cast<std::size_t>(split->splits);
      next_counter += static_cast<std::size_t>(count);
    }
  }
}

/// The grid's blocks in the order they finish (reach their count): 0, 1, ... with \p seed == 0,
/// else shuffled.
inline std::vector<int> block_finish_order(int blocks, unsigned seed) {
  std::vector<int> order(static_cast<std::size_t>(blocks));
  std::iota(order.begin(), order.end(), 0);
  if (seed != 0) {
    std::mt19937 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
  }
  return order;
}

/// Split mean \p p (a ReduceMeanLaunch or a RegionLaunch with its SplitReduction set) as
/// reduce_mean_split_kernel / region_mean_split_kernel run it, with the functions of
/// onnx_split_mean_elements.h: every block of its grid (splits per output element) in
/// \p finish_order (a permutation of the grid), thread by thread in the kernel's summation
/// order. Blocks run whole, one after another: a block counts itself done only after storing
/// its partial, and the last block reads the partials only after all counts, so the partials,
/// the counters and the output depend on the device's interleaving only through the order of
/// the counts, which \p finish_order stands for.
template <class L> void run_split_mean_on_host(const L& p, std::span<const int> finish_order) {
  const SplitReduction& split = p.split;
  ASSERT_TRUE(split.partials != nullptr && split.counters != nullptr && split.splits >= 1)
      << "a long mean without its plan's split scratch";
  ASSERT_EQ(finish_order.size(), static_cast<std::size_t>(split.splits) * p.count);
  std::vector<double> values(split_mean_threads);
  std::vector<int> finished(static_cast<std::size_t>(p.count), 0); // last blocks per element
  for (const int block : finish_order) {
    const SplitMeanBlock b = split_mean_block(p.geometry.reduced_count, split.splits, block);
    ASSERT_TRUE(b.element >= 0 && b.element < p.count && b.split >= 0 && b.split < split.splits)
        << "block " << block;
    const int base = onnx::reduce_base_offset(p.geometry, b.element);
    for (int t = 0; t < split_mean_threads; ++t) {
      values[static_cast<std::size_t>(t)] = split_mean_thread_sum(p, b, base, t);
    }
    double* partials = split_mean_partials(split, b.element);
    partials[b.split] = split_mean_block_sum(values.data()); // thread 0
    const unsigned previous = split.counters[b.element]++;   // atomicAdd
    if (!split_mean_is_last(split, previous)) {
      continue;
    }
    for (int t = 0; t < split_mean_threads; ++t) {
      values[static_cast<std::size_t>(t)] =
          split_mean_partials_sum(split.splits, t, [&](int k) { return partials[k]; });
    }
    const double total = split_mean_block_sum(values.data());
    finish_split_mean(split, p.out, b.element, total, p.geometry.reduced_count); // thread 0
    ++finished[static_cast<std::size_t>(b.element)];
  }
  // One last block per element: two would race on the device (one with partials unwritten).
  for (std::size_t e = 0; e < finished.size(); ++e) {
    EXPECT_EQ(finished[e], 1) << "output element " << e << " of a split mean finished "
                              << finished[e] << " times";
  }
}

/// \p launch as the device runs it: a long mean split over blocks (finishing in the order of
/// \p seed, block_finish_order()), anything else with run_on_host(). Returns whether it was a
/// split mean.
inline bool run_launch_on_host(const Launch& launch, unsigned seed) {
  if (const SplitReduction* split = split_of(launch)) {
    const auto [count, reduced] = mean_extent(launch);
    const std::vector<int> order = block_finish_order(split->splits * count, seed);
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, ReduceMeanLaunch> || std::is_same_v<T, RegionLaunch>) {
            run_split_mean_on_host(p, order);
          }
        },
        launch);
    return true;
  }
  run_on_host(launch);
  return false;
}

struct PlanOptions {
  ProgramFusions fusions;
  bool concat_in_place = true;
  int max_streams = 8;
  std::string label;
  bool ones_planes = false; ///< As GpuOnnxExecutorOptions::gemm_epilogue lays out.
  bool batch = true;        ///< GpuOnnxExecutorOptions::batch_launches
};

inline HostPlan make_host_plan(const Program& program, std::span<const TensorShape> shapes,
                               const PlanOptions& options) {
  HostPlan plan;
  plan.layout = layout_plan(program, shapes, options.concat_in_place, options.ones_planes);
  // Poisoned, so that reading what nothing wrote shows.
  plan.arena.assign(static_cast<std::size_t>(plan.layout.arena_size), std::nanf(""));
  std::vector<float*> constants(program.values.size(), nullptr);
  for (std::size_t v = 0; v < program.values.size(); ++v) {
    const phy::nn::Tensor* constant = program.values[v].constant;
    if (constant != nullptr && constant->data_type == phy::nn::TensorDataType::float32) {
      constants[v] = const_cast<float*>(constant->floats.data());
    }
  }
  const DerivedConstantStore store = [&](std::vector<float> values) -> const float* {
    return plan.derived.emplace_back(std::move(values)).data();
  };
  plan.launches =
      build_launches(program, plan.layout, plan.arena.data(), constants, plan.launch_steps, store);
  allocate_host_split_reductions(plan);
  const std::vector<LaunchAccess> accesses = launch_accesses(program, plan.layout);
  EXPECT_EQ(accesses.size(), plan.launches.size()) << options.label;
  for (std::size_t i = 0; i < std::min(accesses.size(), plan.launch_steps.size()); ++i) {
    EXPECT_EQ(accesses[i].step, plan.launch_steps[i]) << options.label << ": launch " << i;
  }
  if (options.batch) {
    // As make_plan() batches (the device pointers stay null: run_on_host() runs the host copy).
    BatchedLaunches batched =
        batch_launches(std::move(plan.launches), plan.launch_steps, accesses, true);
    plan.launches = std::move(batched.launches);
    plan.launch_steps = std::move(batched.steps);
    plan.schedule =
        schedule_dependencies(batched.dependencies, batched.main_stream_only, options.max_streams);
  } else {
    plan.schedule = schedule_launches(accesses, options.max_streams);
  }
  return plan;
}

/// An order of the launches that the schedule allows: after the previous launch of its stream
/// and every launch it waits for; with \p seed == 0 program order, else random among the ready.
inline std::vector<std::size_t> execution_order(const LaunchSchedule& schedule, unsigned seed) {
  const std::size_t n = schedule.stream.size();
  std::vector<std::vector<std::size_t>> successors(n);
  std::vector<std::size_t> pending(n, 0);
  std::vector<std::ptrdiff_t> last(static_cast<std::size_t>(schedule.num_streams), -1);
  for (std::size_t j = 0; j < n; ++j) {
    auto& previous = last[static_cast<std::size_t>(schedule.stream[j])];
    if (previous >= 0) {
      successors[static_cast<std::size_t>(previous)].push_back(j);
      ++pending[j];
    }
    previous = static_cast<std::ptrdiff_t>(j);
    for (const std::size_t w : schedule.waits[j]) {
      successors[w].push_back(j);
      ++pending[j];
    }
  }
  std::vector<std::size_t> ready;
  for (std::size_t j = 0; j < n; ++j) {
    if (pending[j] == 0) {
      ready.push_back(j);
    }
  }
  std::mt19937 rng(seed);
  std::vector<std::size_t> order;
  while (!ready.empty()) {
    std::size_t pick = 0;
    if (seed != 0) {
      pick = std::uniform_int_distribution<std::size_t>(0, ready.size() - 1)(rng);
    } else {
      pick = static_cast<std::size_t>(std::min_element(ready.begin(), ready.end()) - ready.begin());
    }
    const std::size_t j = ready[pick];
    ready.erase(ready.begin() + static_cast<std::ptrdiff_t>(pick));
    order.push_back(j);
    for (const std::size_t s : successors[j]) {
      if (--pending[s] == 0) {
        ready.push_back(s);
      }
    }
  }
  return order;
}

/// Output 0 of \p plan run on \p inputs in the order of \p seed (the launches', and the blocks'
/// of split means). The arena and the partials are poisoned first; the counters are left as the
/// previous run left them (zero), as on the device. \p split_launches: set to the split means run.
inline Dense run_host_plan(const Program& program, HostPlan& plan, const std::vector<Dense>& inputs,
                           unsigned seed, std::size_t* split_launches = nullptr) {
  std::fill(plan.arena.begin(), plan.arena.end(), std::nanf(""));
  std::fill(plan.reduction_partials.begin(), plan.reduction_partials.end(), std::nan(""));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::int64_t offset = plan.layout.offsets[program.input_ids[i]];
    std::copy(inputs[i].data.begin(), inputs[i].data.end(),
              plan.arena.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  const std::vector<std::size_t> order = execution_order(plan.schedule, seed);
  EXPECT_EQ(order.size(), plan.launches.size());
  std::size_t splits = 0;
  for (const std::size_t j : order) {
    const auto block_seed = static_cast<unsigned>(seed == 0 ? 0 : std::size_t{seed} * 7919 + j);
    splits += run_launch_on_host(plan.launches[j], block_seed) ? 1 : 0;
  }
  for (const unsigned counter : plan.reduction_counters) {
    EXPECT_EQ(counter, 0U) << "a split mean's counter not set back to zero";
  }
  if (split_launches != nullptr) {
    *split_launches = splits;
  }
  const std::size_t out = program.output_ids[0];
  const std::int64_t offset = plan.layout.offsets[out];
  const auto count = static_cast<std::ptrdiff_t>(shape_num_elements(plan.layout.shapes[out]));
  const auto first = plan.arena.begin() + static_cast<std::ptrdiff_t>(offset);
  return {plan.layout.shapes[out], std::vector<float>(first, first + count)};
}

} // namespace airan::gpu::detail::test_plans
