// A traffic model of GpuOnnxExecutor's plans of the committed neural receiver at 273 PRB, not a
// measurement: what each launch must read and write at least, per option set (fusions, GEMM
// epilogues, launch batching), with the launches, dependency depth and unit-time makespan of
// each plan. Each fusion must move less than the one before; batching must move the same bytes
// in far fewer launches.
#include "gpu_onnx_host_plan.h"

#include "airan/phy/nn/onnx_model.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <type_traits>
#include <variant>
#include <vector>

namespace airan::gpu::detail {
namespace {

using phy::nn::OnnxModel;
using phy::nn::read_onnx_model;
using test_plans::HostPlan;
using test_plans::make_host_plan;
using test_plans::PlanOptions;

const std::filesystem::path models_dir(AIRAN_MODELS_DIR);

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

TEST(GpuOnnxPlanTraffic, PlansMoveLessMemoryWithFusions) {
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
} // namespace
} // namespace airan::gpu::detail
