// GpuOnnxExecutor's plans run whole on the host (CPU, in CI): the program with its fusions, the
// arena layout with Concat inputs in place, the launch records the kernels receive (their
// per-element functions, run_on_host()) and the stream schedule, executed one launch after
// another and in random orders that respect only the schedule's stream order and event waits.
// The outputs must reproduce the CPU executor and PyTorch's reference tensors within the CUDA
// path's 1e-4, so that a wrong offset, a missing dependency or a wrong fusion fails here before
// any GPU runs it.
#include "gpu_onnx_batching.h"
#include "gpu_onnx_launches.h"
#include "gpu_onnx_layout.h"
#include "gpu_onnx_program.h"
#include "gpu_onnx_schedule.h"

#include "airan/io/npy.h"
#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/nn/onnx_model.h"

#include "../phy/nn/onnx_test_graphs.h"
#include "gpu_onnx_test_support.h"
#include "onnx_region_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <random>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace airan::gpu::detail {
namespace {

using phy::nn::OnnxModel;
using phy::nn::read_onnx_model;
using phy::nn::shape_num_elements;
using phy::nn::test::Dense;

const std::filesystem::path models_dir(AIRAN_MODELS_DIR);

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

HostPlan make_host_plan(const Program& program, std::span<const TensorShape> shapes,
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
std::vector<std::size_t> execution_order(const LaunchSchedule& schedule, unsigned seed) {
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
Dense run_host_plan(const Program& program, HostPlan& plan, const std::vector<Dense>& inputs,
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

/// Runs \p model's plans for every option set, in program order and three scheduled random
/// orders, and expects each within 1e-4 of \p expected.
void expect_plans_reproduce(const OnnxModel& model, const std::vector<Dense>& inputs,
                            const Dense& expected, const std::string& label) {
  std::vector<TensorShape> shapes;
  shapes.reserve(inputs.size());
  for (const Dense& input : inputs) {
    shapes.push_back(input.shape);
  }
  const std::vector<PlanOptions> option_sets{
      {{}, true, 8, "default"},
      {{.relu = true, .residual = false, .regions = false}, false, 1, "plain"},
      {{}, false, 4, "Concat copies, 4 streams"},
      {{.relu = false, .residual = true}, true, 16, "no Relu fusion, 16 streams"},
      {{.relu = true, .residual = true, .regions = false}, true, 8, "no regions"},
      {{}, true, 8, "planes of ones (GEMM epilogues)", true},
      {{}, true, 8, "unbatched", false, false},
      {{}, true, 1, "batched, 1 stream"}};
  for (const PlanOptions& options : option_sets) {
    const Program program = compile_program(model, options.fusions);
    HostPlan plan = make_host_plan(program, shapes, options);
    for (const unsigned seed : {0U, 1U, 2U, 3U}) {
      const std::string what = label + ", " + options.label + ", order " + std::to_string(seed);
      const double error =
          test::relative_max_error(run_host_plan(program, plan, inputs, seed), expected, what);
      EXPECT_LE(error, 1e-4) << what;
    }
  }
}

/// Elements a read through \p map touches over \p count iterations (broadcast axes once).
double footprint(const onnx::IndexMap& map, double count) {
  if (map.contiguous) {
    return count;
  }
  double elements = 1.0;
  for (int d = 0; d < map.rank; ++d) {
    elements *= map.strides[d] != 0 ? map.dims[d] : 1;
  }
  return elements;
}

/// Bytes a launch must read and write at least (each tensor once; weights and biases left out);
/// with \p gemm_epilogues a pointwise Conv that cuBLASLt can take whole (FusedGemm::make's
/// rule) has no epilogue pass.
double compulsory_bytes(const Launch& launch, bool gemm_epilogues);

/// A batch member's record as the launch it came from.
Launch member_launch(const BatchMember& m) {
  switch (m.kind) {
  case BatchedKind::unary:
    return m.record.unary;
  case BatchedKind::binary:
    return m.record.binary;
  case BatchedKind::strided_copy:
    return m.record.strided_copy;
  case BatchedKind::conv:
    return m.record.conv;
  case BatchedKind::reduce_mean:
    return m.record.reduce_mean;
  case BatchedKind::gemm:
    return m.record.gemm;
  case BatchedKind::matmul:
    return m.record.matmul;
  case BatchedKind::region:
    break;
  }
  return m.record.region;
}

double compulsory_bytes(const Launch& launch, bool gemm_epilogues) {
  if (const auto* batch = std::get_if<BatchLaunch>(&launch)) {
    double bytes = 0.0;
    for (const BatchMember& member : batch->members) {
      bytes += compulsory_bytes(member_launch(member), gemm_epilogues);
    }
    return bytes;
  }
  return 4.0 * std::visit(
                   [&](const auto& p) -> double {
                     using T = std::decay_t<decltype(p)>;
                     if constexpr (std::is_same_v<T, UnaryLaunch>) {
                       return 2.0 * p.count;
                     } else if constexpr (std::is_same_v<T, BinaryLaunch>) {
                       return p.count + footprint(p.map_a, p.count) + footprint(p.map_b, p.count);
                     } else if constexpr (std::is_same_v<T, StridedCopyLaunch>) {
                       return p.count + footprint(p.map, p.count);
                     } else if constexpr (std::is_same_v<T, DeviceCopyLaunch>) {
                       return 2.0 * static_cast<double>(p.rows * p.row_bytes) / 4.0;
                     } else if constexpr (std::is_same_v<T, ConvLaunch>) {
                       const auto& g = p.geometry;
                       return p.count + static_cast<double>(p.count) /
                                            (g.out_channels * g.out_h * g.out_w) * g.in_channels *
                                            g.in_h * g.in_w;
                     } else if constexpr (std::is_same_v<T, PointwiseConvLaunch>) {
                       const double x = double(p.batch) * p.in_channels * p.pixels;
                       const double y = double(p.batch) * p.out_channels * p.pixels;
                       const bool fused = gemm_epilogues && p.batch == 1 && p.bias == nullptr &&
                                          (p.residual == nullptr || p.residual_map.contiguous);
                       const bool epilogue =
                           !fused && (p.bias != nullptr || p.relu || p.residual != nullptr);
                       return x + y + (epilogue ? 2.0 * y : 0.0) +
                              (p.residual != nullptr ? footprint(p.residual_map, y) : 0.0);
                     } else if constexpr (std::is_same_v<T, ReduceMeanLaunch>) {
                       return p.count * (1.0 + p.geometry.reduced_count);
                     } else if constexpr (std::is_same_v<T, RegionLaunch>) {
                       const double iterations =
                           p.count * (p.reduce ? double(p.geometry.reduced_count) : 1.0);
                       double total = p.count;
                       for (int leaf = 0; leaf < onnx::max_region_leaves; ++leaf) {
                         if (p.expression.leaves[leaf] != nullptr) {
                           total += footprint(p.expression.maps[leaf], iterations);
                         }
                       }
                       return total;
                     } else if constexpr (std::is_same_v<T, BatchLaunch>) {
                       return 0.0; // above
                     } else {
                       return static_cast<double>(p.count);
                     }
                   },
                   launch);
}

TEST(GpuOnnxPlanEmulation, PlansMoveLessMemoryWithFusions) {
  // A traffic model, not a measurement: what each launch must read and write at least, summed
  // over the plan of the committed model at 273 PRB, and the time that takes at HBM bandwidth.
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  std::vector<TensorShape> shapes;
  for (const auto& input : model.graph.inputs) {
    shapes.push_back({1, input.dims.at(1).value_or(1), 14, std::int64_t{12} * 273});
  }
  double plain_bytes = 0.0;
  double previous_bytes = INFINITY;
  std::size_t unbatched_launches = 0;
  std::size_t unbatched_makespan = 0;
  for (const PlanOptions& options :
       {PlanOptions{
            {.relu = true, .residual = false, .regions = false}, false, 1, "plain", false, false},
        PlanOptions{{.relu = true, .residual = true, .regions = false},
                    true,
                    8,
                    "no regions",
                    false,
                    false},
        PlanOptions{{}, true, 8, "unbatched", false, false}, PlanOptions{{}, true, 8, "default"},
        PlanOptions{{}, true, 8, "GEMM epilogues", true}}) {
    const Program program = compile_program(model, options.fusions);
    const HostPlan plan = make_host_plan(program, shapes, options);
    double bytes = 0.0;
    std::array<double, std::variant_size_v<Launch>> by_kind{};
    for (const Launch& launch : plan.launches) {
      bytes += compulsory_bytes(launch, options.ones_planes);
      by_kind[launch.index()] += compulsory_bytes(launch, options.ones_planes);
    }
    for (std::size_t k = 0; k < by_kind.size(); ++k) {
      if (by_kind[k] > 0.0) {
        std::printf("  %s: launch kind %zu, %.0f MB\n", options.label.c_str(), k,
                    by_kind[k] * 1e-6);
      }
    }
    std::size_t pointwise = 0;
    std::size_t bias_as_channel = 0;
    for (const Launch& launch : plan.launches) {
      if (const auto* p = std::get_if<PointwiseConvLaunch>(&launch)) {
        ++pointwise;
        bias_as_channel += p->weights_ld != 0 ? 1 : 0;
      }
    }
    if (options.ones_planes) {
      // Every pointwise Conv after a depthwise one takes its bias as a channel of ones; the two
      // output heads (LLR and LLR gain) read a pointwise Conv's output and keep their biases in
      // the epilogue kernel.
      std::printf("%zu pointwise convolutions, %zu with the bias as a channel of ones\n", pointwise,
                  bias_as_channel);
      EXPECT_EQ(bias_as_channel, pointwise - 2);
    }
    // The batched plans' own schedules are on 8 streams; the others' rescheduled on 8.
    const LaunchSchedule eight =
        options.batch ? plan.schedule : schedule_launches(launch_accesses(program, plan.layout), 8);
    std::printf("273 PRB, %s plan: %zu launches (depth %zu, unit-time makespan %zu on 8 streams), "
                "%.0f MB per run: >= %.0f us at 4.8 TB/s (H200), >= %.0f us at 3.35 TB/s (H100); "
                "arena %.0f MB\n",
                options.label.c_str(), plan.launches.size(), eight.depth, eight.makespan,
                bytes * 1e-6, bytes / 4.8e6, bytes / 3.35e6,
                static_cast<double>(plan.layout.arena_size) * sizeof(float) * 1e-6);
    if (options.label == "unbatched") {
      unbatched_launches = plan.launches.size();
      unbatched_makespan = eight.makespan;
    } else if (options.label == "default") {
      // Batching moves the same bytes in far fewer launches (about one per dependency level)
      // and at least halves the unit-time makespan.
      EXPECT_EQ(bytes, previous_bytes);
      EXPECT_LT(4 * plan.launches.size(), unbatched_launches);
      EXPECT_LT(2 * eight.makespan, unbatched_makespan);
      continue;
    }
    // Each fusion option set moves less than the one before; all of them well under the plain
    // plan.
    EXPECT_LT(bytes, previous_bytes) << options.label;
    previous_bytes = bytes;
    if (plain_bytes == 0.0) {
      plain_bytes = bytes;
    }
  }
  EXPECT_LT(previous_bytes, 0.6 * plain_bytes);
}
TEST(GpuOnnxPlanEmulation, BatchesHoldOnlyIndependentLaunches) {
  // Checked from the memory accesses of the unbatched launches, independently of how
  // batch_launches() found its levels: every launch is run exactly once; no two launches of a
  // batch depend on each other; every dependency between launches of different batched launches
  // is one of the batched plan's (so the schedule orders it); cuBLAS launches and long means are
  // never batched.
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  for (const std::int64_t subcarriers : {std::int64_t{48}, std::int64_t{12} * 273}) {
    std::vector<TensorShape> shapes;
    for (const auto& input : model.graph.inputs) {
      shapes.push_back({1, input.dims.at(1).value_or(1), 14, subcarriers});
    }
    const Program program = compile_program(model, {});
    const HostPlan plan = make_host_plan(program, shapes, {{}, true, 8, "unbatched", false, false});
    const std::vector<LaunchAccess> accesses = launch_accesses(program, plan.layout);
    const BatchedLaunches batched =
        batch_launches(plan.launches, plan.launch_steps, accesses, true);
    const std::size_t n = plan.launches.size();
    std::vector<int> unit(n, -1);
    std::size_t batches = 0;
    for (std::size_t u = 0; u < batched.launches.size(); ++u) {
      const auto* batch = std::get_if<BatchLaunch>(&batched.launches[u]);
      const std::vector<std::size_t>& sources = batched.sources[u];
      ASSERT_EQ(batch != nullptr ? batch->members.size() : 1U, sources.size());
      batches += batch != nullptr ? 1 : 0;
      for (std::size_t k = 0; k < sources.size(); ++k) {
        ASSERT_EQ(unit[sources[k]], -1) << "launch " << sources[k] << " twice";
        unit[sources[k]] = static_cast<int>(u);
        if (batch != nullptr) {
          const Launch& source = plan.launches[sources[k]];
          EXPECT_FALSE(std::holds_alternative<PointwiseConvLaunch>(source) ||
                       std::holds_alternative<DeviceCopyLaunch>(source));
          EXPECT_EQ(batch->members[k].count,
                    std::visit(
                        [](const auto& p) {
                          using T = std::decay_t<decltype(p)>;
                          if constexpr (std::is_same_v<T, BatchLaunch> ||
                                        std::is_same_v<T, DeviceCopyLaunch> ||
                                        std::is_same_v<T, PointwiseConvLaunch>) {
                            return -1;
                          } else {
                            return element_count(p);
                          }
                        },
                        source));
          for (std::size_t other = 0; other < k; ++other) {
            EXPECT_FALSE(depends_on(accesses[sources[k]], accesses[sources[other]]))
                << "launches " << sources[other] << " and " << sources[k] << " in one batch";
          }
        }
      }
    }
    EXPECT_GT(batches, 0U);
    for (std::size_t j = 0; j < n; ++j) {
      ASSERT_GE(unit[j], 0) << "launch " << j << " dropped";
      for (std::size_t i = 0; i < j; ++i) {
        if (depends_on(accesses[j], accesses[i])) {
          const auto& after = batched.dependencies[static_cast<std::size_t>(unit[j])];
          EXPECT_LT(unit[i], unit[j]);
          EXPECT_TRUE(std::find(after.begin(), after.end(), static_cast<std::size_t>(unit[i])) !=
                      after.end())
              << "launch " << j << " after " << i;
        }
      }
    }
    std::printf("%lld subcarriers: %zu launches, batched %zu (%zu batches)\n",
                static_cast<long long>(subcarriers), n, batched.launches.size(), batches);
  }
}

TEST(GpuOnnxPlanEmulation, ElementwiseRegionsReproduceTheCpuExecutor) {
  for (const auto& graph : test::region_test_graphs()) {
    const Program program = compile_program(graph.model, {});
    const auto regions =
        std::count_if(program.steps.begin(), program.steps.end(),
                      [](const Step& s) { return !s.removed && s.kind == StepKind::region; });
    EXPECT_GT(regions, 0) << graph.label;
    expect_plans_reproduce(graph.model, graph.inputs, test::run_cpu(graph.model, graph.inputs),
                           graph.label);
  }
}

TEST(GpuOnnxPlanEmulation, ReferenceModelReproducesPyTorch) {
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  std::vector<Dense> inputs;
  for (const auto& input : model.graph.inputs) {
    inputs.push_back(test::read_reference_tensor(input.name));
  }
  const Dense pytorch = test::read_reference_tensor("llr");
  EXPECT_LE(test::relative_max_error(test::run_cpu(model, inputs), pytorch, "CPU"), 1e-4);
  expect_plans_reproduce(model, inputs, pytorch, "reference model vs PyTorch");
}

TEST(GpuOnnxPlanEmulation, FullNeuralReceiverReproducesTheCpuExecutor) {
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  const std::vector<Dense> inputs = test::random_receiver_inputs(model, 14, 48, 21);
  expect_plans_reproduce(model, inputs, test::run_cpu(model, inputs), "full model vs CPU");
}

} // namespace
} // namespace airan::gpu::detail
