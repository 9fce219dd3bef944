// GpuOnnxExecutor's plans made as make_plan() makes them but with a host arena, and run on the
// host launch by launch (run_on_host()) in program order or in a random order that the schedule
// allows: shared by the plan emulation and traffic tests.
#pragma once

#include "gpu_onnx_batching.h"
#include "gpu_onnx_launches.h"
#include "gpu_onnx_layout.h"
#include "gpu_onnx_program.h"
#include "gpu_onnx_schedule.h"

#include "../phy/nn/onnx_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>
#include <span>
#include <string>
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
};

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

/// Output 0 of \p plan run on \p inputs in the order of \p seed.
inline Dense run_host_plan(const Program& program, HostPlan& plan, const std::vector<Dense>& inputs,
                           unsigned seed) {
  std::fill(plan.arena.begin(), plan.arena.end(), std::nanf(""));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::int64_t offset = plan.layout.offsets[program.input_ids[i]];
    std::copy(inputs[i].data.begin(), inputs[i].data.end(),
              plan.arena.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  const std::vector<std::size_t> order = execution_order(plan.schedule, seed);
  EXPECT_EQ(order.size(), plan.launches.size());
  for (const std::size_t j : order) {
    run_on_host(plan.launches[j]);
  }
  const std::size_t out = program.output_ids[0];
  const std::int64_t offset = plan.layout.offsets[out];
  const auto count = static_cast<std::ptrdiff_t>(shape_num_elements(plan.layout.shapes[out]));
  const auto first = plan.arena.begin() + static_cast<std::ptrdiff_t>(offset);
  return {plan.layout.shapes[out], std::vector<float>(first, first + count)};
}

} // namespace airan::gpu::detail::test_plans
