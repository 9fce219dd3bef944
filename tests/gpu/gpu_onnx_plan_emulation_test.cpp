// GpuOnnxExecutor's plans run whole on the host (CPU, in CI): the program with its fusions, the
// arena layout with Concat inputs in place, the launch records the kernels receive (their
// per-element functions, run_on_host()), launch batching and the stream schedule, executed one
// launch after another and in random orders that respect only the schedule's stream order and
// event waits. The outputs must reproduce the CPU executor and PyTorch's reference tensors within
// the CUDA path's 1e-4, so that a wrong offset, a missing dependency or a wrong fusion fails here
// before any GPU runs it. Long means run as their split kernels run them (the functions of
// onnx_split_mean_elements.h block by block and thread by thread, blocks finishing in scrambled
// orders), and tests of their own check that path in the kernels' summation order.
// (The traffic model of the same plans: gpu_onnx_plan_traffic_test.)
#include "gpu_onnx_host_plan.h"

#include "airan/io/npy.h"
#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/nn/onnx_model.h"

#include "../phy/nn/onnx_test_graphs.h"
#include "../support/sanitizer_sweeps.h"
#include "gpu_onnx_test_support.h"
#include "onnx_region_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace airan::gpu::detail {
namespace {

using phy::nn::OnnxModel;
using phy::nn::read_onnx_model;
using phy::nn::test::Dense;
using phy::nn::test::GraphBuilder;
using test_plans::block_finish_order;
using test_plans::HostPlan;
using test_plans::make_host_plan;
using test_plans::PlanOptions;
using test_plans::run_host_plan;
using test_plans::run_split_mean_on_host;

const std::filesystem::path models_dir(AIRAN_MODELS_DIR);

/// Runs \p model's plans for every option set, in program order and three scheduled random
/// orders, and expects each within 1e-4 of \p expected. Returns the most split means a plan ran.
/// Under the sanitizers, each option set runs one of the four orders (in turn, so all four run).
std::size_t expect_plans_reproduce(const OnnxModel& model, const std::vector<Dense>& inputs,
                                   const Dense& expected, const std::string& label) {
  std::size_t most_splits = 0;
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
  for (unsigned set = 0; set < option_sets.size(); ++set) {
    const PlanOptions& options = option_sets[set];
    const Program program = compile_program(model, options.fusions);
    HostPlan plan = make_host_plan(program, shapes, options);
    for (const unsigned seed : {0U, 1U, 2U, 3U}) {
      if (!::airan::test::runs_in_this_tree(set + seed, 4)) {
        continue;
      }
      const std::string what = label + ", " + options.label + ", order " + std::to_string(seed);
      std::size_t splits = 0;
      const double error = test::relative_max_error(
          run_host_plan(program, plan, inputs, seed, &splits), expected, what);
      EXPECT_LE(error, 1e-4) << what;
      most_splits = std::max(most_splits, splits);
    }
  }
  if (most_splits > 0) {
    std::printf("%s: up to %zu split means per plan\n", label.c_str(), most_splits);
  }
  return most_splits;
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
  // Its normalisation means are long enough to be split at 48 subcarriers already.
  EXPECT_GT(
      expect_plans_reproduce(model, inputs, test::run_cpu(model, inputs), "full model vs CPU"), 0U);
}

// ---- Split means (SplitReduction, onnx_split_mean_elements.h) ----

/// A ReduceMeanLaunch over a host tensor with its own split scratch (\p splits blocks per output
/// element; the plans use reduction_splits(), the tests also others).
struct HostSplitMean {
  ReduceMeanLaunch launch;
  std::vector<float> out;
  std::vector<double> partials;
  std::vector<unsigned> counters;
};

HostSplitMean make_split_mean(const onnx::ReduceGeometry& geometry, int count, const float* in,
                              int splits) {
  HostSplitMean mean;
  mean.out.assign(static_cast<std::size_t>(count), std::nanf(""));
  mean.partials.assign(static_cast<std::size_t>(count) * static_cast<std::size_t>(splits),
                       std::nan(""));
  mean.counters.assign(static_cast<std::size_t>(count), 0U);
  mean.launch.geometry = geometry;
  mean.launch.in = in;
  mean.launch.out = mean.out.data();
  mean.launch.count = count;
  mean.launch.split = {mean.partials.data(), mean.counters.data(), splits};
  return mean;
}

/// What a halving tree over \p v (a power of two of values) leaves in value 0, written as a
/// recursion over the strides instead of the kernel's levels: the sum of the values at i, i +
/// stride, i + 2 stride, ... is that of those at i and at i + stride with twice the stride.
double halving_tree(const std::vector<double>& v, std::size_t i = 0, std::size_t stride = 1) {
  return stride == v.size()
             ? v[i]
             : halving_tree(v, i, 2 * stride) + halving_tree(v, i + stride, 2 * stride);
}

/// A split mean's partials ([count][splits]) and outputs in the kernels' summation order, written
/// out here from the SplitReduction contract without the shared functions: chunks of
/// ceil(R / splits), 256 threads each summing every 256th element of the chunk in double, a
/// halving tree, the partials summed likewise, divided by R, then rounded to float.
struct SplitReference {
  std::vector<double> partials;
  std::vector<float> out;
};

SplitReference split_reference(const onnx::ReduceGeometry& g, int count, const float* in,
                               int splits) {
  constexpr int threads = 256;
  static_assert(threads == split_mean_threads);
  const int n = g.reduced_count;
  const int chunk = (n + splits - 1) / splits;
  SplitReference ref;
  for (int element = 0; element < count; ++element) {
    const int base = onnx::reduce_base_offset(g, element);
    std::vector<double> block_partials(static_cast<std::size_t>(splits));
    for (int s = 0; s < splits; ++s) {
      std::vector<double> sums(threads, 0.0);
      for (int r = s * chunk; r < std::min((s + 1) * chunk, n); ++r) {
        sums[static_cast<std::size_t>((r - s * chunk) % threads)] +=
            in[base + onnx::reduce_element_offset(g, r)];
      }
      block_partials[static_cast<std::size_t>(s)] = halving_tree(sums);
    }
    std::vector<double> sums(threads, 0.0);
    for (int k = 0; k < splits; ++k) {
      sums[static_cast<std::size_t>(k % threads)] += block_partials[static_cast<std::size_t>(k)];
    }
    ref.partials.insert(ref.partials.end(), block_partials.begin(), block_partials.end());
    ref.out.push_back(static_cast<float>(halving_tree(sums) / n));
  }
  return ref;
}

/// The float spacing at \p x (at least the smallest normal's).
float ulp_at(float x) {
  const float a = std::max(std::abs(x), std::numeric_limits<float>::min());
  return std::nextafter(a, std::numeric_limits<float>::infinity()) - a;
}

/// Runs split mean \p mean in program order and three scrambled finish orders, each on the scratch
/// the previous run left (partials poisoned): expects the partials and the outputs bitwise equal
/// to \p ref every time and every counter back at zero.
void expect_split_mean_in_kernel_order(HostSplitMean& mean, const SplitReference& ref,
                                       const std::string& label) {
  const int blocks = mean.launch.split.splits * mean.launch.count;
  for (const unsigned seed : {0U, 5U, 6U, 7U}) {
    std::fill(mean.partials.begin(), mean.partials.end(), std::nan(""));
    std::fill(mean.out.begin(), mean.out.end(), std::nanf(""));
    run_split_mean_on_host(mean.launch, block_finish_order(blocks, seed));
    const std::string what = label + ", finish order " + std::to_string(seed);
    for (std::size_t k = 0; k < ref.partials.size(); ++k) {
      ASSERT_EQ(mean.partials[k], ref.partials[k]) << what << ": partial " << k;
    }
    for (std::size_t e = 0; e < ref.out.size(); ++e) {
      ASSERT_EQ(mean.out[e], ref.out[e]) << what << ": element " << e;
    }
    for (std::size_t e = 0; e < mean.counters.size(); ++e) {
      ASSERT_EQ(mean.counters[e], 0U) << what << ": counter " << e;
    }
  }
}

/// \p x with, per output element of \p g, pairs of +2^60 and -2^60: three at random reduced
/// elements, two 256 elements apart (most likely in one thread's share of a chunk). A double sum
/// keeps only the terms added while no big term is pending (2^60 absorbs the rest), so its value
/// shows the order of the additions, across threads and blocks and within a thread, and the
/// float mean differs between orders.
Dense order_sensitive(Dense x, const onnx::ReduceGeometry& g, int count, std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, g.reduced_count - 1);
  std::uniform_int_distribution<int> pick_first(0, std::max(0, g.reduced_count - 1 - 256));
  for (int element = 0; element < count; ++element) {
    const int base = onnx::reduce_base_offset(g, element);
    const auto set = [&](int r, float value) {
      const int offset = base + onnx::reduce_element_offset(g, r);
      x.data[static_cast<std::size_t>(offset)] = value;
    };
    for (int pair = 0; pair < 3; ++pair) {
      set(pick(rng), 0x1p60F);
      set(pick(rng), -0x1p60F);
    }
    for (int pair = 0; pair < 2 && g.reduced_count > 256; ++pair) {
      const int first = pick_first(rng);
      set(first, pair == 0 ? 0x1p60F : -0x1p60F);
      set(first + 256, pair == 0 ? -0x1p60F : 0x1p60F);
    }
  }
  return x;
}

TEST(GpuOnnxPlanEmulation, SplitMeansSumInTheKernelsOrderAndMatchTheCpuExecutor) {
  // Double sums rounded once to float: the split emulation must equal the reference summed in
  // the kernels' order exactly (partials bitwise too), whichever order the blocks finish in. The
  // CPU executor and the unsplit kernel sum the same doubles in index order; the two double sums
  // differ by far less than half a float spacing of the mean, so the floats are equal or, when
  // the double lies at a rounding boundary, one spacing apart.
  struct Case {
    TensorShape shape;
    std::vector<std::int64_t> axes;
    int splits; ///< 0: reduction_splits(), as the plans
    std::string label;
  };
  const std::vector<Case> cases{
      {{3, 5000}, {1}, 0, "5000 in 3 splits (uneven chunks), 3 elements"},
      {{2, 20000}, {1}, 0, "20000 in 10 splits"},
      {{1, 600000}, {1}, 0, "600000 in 293 splits (more than a block's threads)"},
      {{2, 40, 3, 30},
       {1, 3},
       7,
       "strided axes, 1200 in 7 chunks shorter than a block, 6 elements"},
      {{4, 1000}, {1}, 600, "1000 in 600 splits: 100 empty chunks, 2 elements each"},
      {{1, 2, 700, 3}, {1, 2}, 0, "1400 (strided) in one split, 3 elements"},
      {{5, 257}, {1}, 2, "257 in 2 splits (a 1-element remainder)"},
      {{2, 300}, {1}, 1024, "300 in 1024 splits: most empty"}};
  std::mt19937 rng(11);
  int exact = 0;
  int one_ulp = 0;
  int order_shows = 0;
  for (const Case& c : cases) {
    bool reduced[onnx::max_rank] = {};
    for (const std::int64_t axis : c.axes) {
      reduced[axis] = true;
    }
    const onnx::ReduceGeometry g =
        onnx::make_reduce_geometry(c.shape, std::span<const bool>(reduced, c.shape.size()));
    const int count = static_cast<int>(phy::nn::shape_num_elements(c.shape) / g.reduced_count);
    const int splits = c.splits > 0 ? c.splits : reduction_splits(g.reduced_count);
    ASSERT_GT(splits, 0) << c.label;
    const Dense x = phy::nn::test::random_dense(c.shape, rng);
    GraphBuilder graph;
    graph.input("x", c.shape);
    graph.node("ReduceMean", {"x"}, "y")
        .attributes.push_back(phy::nn::ints_attribute("axes", c.axes));
    graph.output("y");
    const Dense cpu = test::run_cpu(graph.build(), {x});
    ASSERT_EQ(cpu.data.size(), static_cast<std::size_t>(count)) << c.label;

    HostSplitMean mean = make_split_mean(g, count, x.data.data(), splits);
    expect_split_mean_in_kernel_order(mean, split_reference(g, count, x.data.data(), splits),
                                      c.label);
    std::vector<float> unsplit(static_cast<std::size_t>(count));
    ReduceMeanLaunch plain = mean.launch;
    plain.out = unsplit.data();
    for (int e = 0; e < count; ++e) {
      run_element(plain, e);
      const float got = mean.out[static_cast<std::size_t>(e)];
      const float want = cpu.data[static_cast<std::size_t>(e)];
      EXPECT_EQ(unsplit[static_cast<std::size_t>(e)], want) << c.label << ": element " << e;
      EXPECT_LE(std::abs(got - want), ulp_at(want)) << c.label << ": element " << e;
      exact += got == want ? 1 : 0;
      one_ulp += got != want ? 1 : 0;
    }

    const Dense y = order_sensitive(x, g, count, rng);
    HostSplitMean sensitive = make_split_mean(g, count, y.data.data(), splits);
    expect_split_mean_in_kernel_order(sensitive, split_reference(g, count, y.data.data(), splits),
                                      c.label + ", ±2^60 pairs");
    plain.in = y.data.data();
    for (int e = 0; e < count; ++e) {
      run_element(plain, e);
      order_shows +=
          unsplit[static_cast<std::size_t>(e)] != sensitive.out[static_cast<std::size_t>(e)] ? 1
                                                                                             : 0;
    }
  }
  std::printf("split means vs the CPU executor: %d elements equal, %d one float spacing apart; "
              "with ±2^60 pairs %d elements differ from the unsplit order\n",
              exact, one_ulp, order_shows);
  EXPECT_GT(order_shows, 0);
}

TEST(GpuOnnxPlanEmulation, SplitMeansOfTheCommittedModelSumInTheKernelsOrder) {
  // Every long mean of the full model's plans at 48 subcarriers and at 273 PRBs (the geometry of
  // each: reduced axes and strides, output elements, splits from the plan), run split on random
  // input: the reference in the kernels' order exactly, the unsplit kernel within one float
  // spacing (see SplitMeansSumInTheKernelsOrderAndMatchTheCpuExecutor).
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  std::mt19937 rng(12);
  for (const std::int64_t subcarriers : {std::int64_t{48}, std::int64_t{12} * 273}) {
    std::vector<TensorShape> shapes;
    for (const auto& input : model.graph.inputs) {
      shapes.push_back({1, input.dims.at(1).value_or(1), 14, subcarriers});
    }
    const Program program = compile_program(model, {});
    const HostPlan plan = make_host_plan(program, shapes, {{}, true, 8, "default"});
    int means = 0;
    for (const Launch& launch : plan.launches) {
      const SplitReduction* split = test_plans::split_of(launch);
      if (split == nullptr) {
        continue;
      }
      ++means;
      const auto [count, reduced] = test_plans::mean_extent(launch);
      const onnx::ReduceGeometry g = std::holds_alternative<ReduceMeanLaunch>(launch)
                                         ? std::get<ReduceMeanLaunch>(launch).geometry
                                         : std::get<RegionLaunch>(launch).geometry;
      EXPECT_EQ(split->splits, reduction_splits(reduced));
      EXPECT_NE(split->partials, nullptr);
      EXPECT_NE(split->counters, nullptr);
      // An input covering every element the geometry reads.
      const int last = onnx::reduce_base_offset(g, count - 1) +
                       onnx::reduce_element_offset(g, g.reduced_count - 1);
      std::vector<float> in(static_cast<std::size_t>(last) + 1);
      std::uniform_real_distribution<float> dist(-1.0F, 1.0F);
      std::generate(in.begin(), in.end(), [&] { return dist(rng); });
      const std::string label = std::to_string(subcarriers) + " subcarriers, " +
                                (std::holds_alternative<RegionLaunch>(launch) ? "region" : "mean") +
                                " of " + std::to_string(reduced) + " x " + std::to_string(count) +
                                " in " + std::to_string(split->splits) + " splits";
      std::printf("%s\n", label.c_str());
      HostSplitMean mean = make_split_mean(g, count, in.data(), split->splits);
      expect_split_mean_in_kernel_order(mean, split_reference(g, count, in.data(), split->splits),
                                        label);
      std::vector<float> unsplit(static_cast<std::size_t>(count));
      ReduceMeanLaunch plain = mean.launch;
      plain.out = unsplit.data();
      for (int e = 0; e < count; ++e) {
        run_element(plain, e);
        const float want = unsplit[static_cast<std::size_t>(e)];
        EXPECT_LE(std::abs(mean.out[static_cast<std::size_t>(e)] - want), ulp_at(want))
            << label << ": element " << e;
      }
    }
    EXPECT_GT(means, 0) << subcarriers << " subcarriers";
  }
}

} // namespace
} // namespace airan::gpu::detail
