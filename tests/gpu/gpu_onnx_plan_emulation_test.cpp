// GpuOnnxExecutor's plans run whole on the host (CPU, in CI): the program with its fusions, the
// arena layout with Concat inputs in place, the launch records the kernels receive (their
// per-element functions, run_on_host()), launch batching and the stream schedule, executed one
// launch after another and in random orders that respect only the schedule's stream order and
// event waits. The outputs must reproduce the CPU executor and PyTorch's reference tensors within
// the CUDA path's 1e-4, so that a wrong offset, a missing dependency or a wrong fusion fails here
// before any GPU runs it. (The traffic model of the same plans: gpu_onnx_plan_traffic_test.)
#include "gpu_onnx_host_plan.h"

#include "airan/io/npy.h"
#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/nn/onnx_model.h"

#include "../phy/nn/onnx_test_graphs.h"
#include "gpu_onnx_test_support.h"
#include "onnx_region_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace airan::gpu::detail {
namespace {

using phy::nn::OnnxModel;
using phy::nn::read_onnx_model;
using phy::nn::test::Dense;
using test_plans::HostPlan;
using test_plans::make_host_plan;
using test_plans::PlanOptions;
using test_plans::run_host_plan;

const std::filesystem::path models_dir(AIRAN_MODELS_DIR);

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
