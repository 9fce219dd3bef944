// Concat inputs written in place (the plan's layout) when a value is read by several Concats:
// the value must reach every Concat's output, whichever of them holds it. Run as the device
// launches would run, on the host (the plan's kernels' emulation), against the CPU executor.
#include "gpu_onnx_host_plan.h"

#include "airan/phy/nn/onnx_model.h"

#include "../phy/nn/onnx_test_graphs.h"
#include "gpu_onnx_test_support.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace airan::gpu::detail {
namespace {

using phy::nn::int_attribute;
using phy::nn::test::Dense;
using phy::nn::test::GraphBuilder;
using test_plans::make_host_plan;
using test_plans::PlanOptions;
using test_plans::run_host_plan;

Dense uniform(const TensorShape& shape, std::mt19937& rng) {
  Dense dense;
  dense.shape = shape;
  std::uniform_real_distribution<float> value(0.1F, 1.0F);
  dense.data.resize(static_cast<std::size_t>(phy::nn::shape_num_elements(shape)));
  for (float& x : dense.data) {
    x = value(rng);
  }
  return dense;
}

/// v = Sigmoid(x) read by two Concats of \p first_axis and \p second_axis (the second's output
/// reads the first's when \p nested), summed into y.
phy::nn::OnnxModel two_concats(std::int64_t first_axis, std::int64_t second_axis, bool nested) {
  GraphBuilder graph;
  graph.input("x", {1, 2, 3, 4}).input("z", {1, 2, 3, 4});
  graph.node("Sigmoid", {"x"}, "v");
  graph.node("Concat", {"v", "z"}, "c1").attributes.push_back(int_attribute("axis", first_axis));
  if (nested) {
    graph.node("Concat", {"c1", "v", "z"}, "c2")
        .attributes.push_back(int_attribute("axis", second_axis));
    graph.node("Relu", {"c2"}, "y");
  } else {
    graph.node("Concat", {"z", "v"}, "c2").attributes.push_back(int_attribute("axis", second_axis));
    graph.node("Add", {"c1", "c2"}, "y");
  }
  graph.output("y");
  return graph.build();
}

TEST(GpuOnnxConcatPlacement, AValueReadBySeveralConcatsReachesEachOfThem) {
  std::mt19937 rng(3);
  const std::vector<Dense> inputs{uniform({1, 2, 3, 4}, rng), uniform({1, 2, 3, 4}, rng)};
  const std::vector<TensorShape> shapes{inputs[0].shape, inputs[1].shape};
  struct Case {
    std::int64_t first_axis, second_axis;
    bool nested;
  };
  // Along axis 1 either Concat could hold v in place, side by side or nested; along axis 3
  // (copied row by row) neither can.
  for (const Case c : {Case{1, 1, false}, Case{1, 1, true}, Case{3, 3, false}, Case{3, 3, true}}) {
    const phy::nn::OnnxModel model = two_concats(c.first_axis, c.second_axis, c.nested);
    const Dense expected = test::run_cpu(model, inputs);
    for (const PlanOptions& options :
         {PlanOptions{{}, true, 1, "in place, 1 stream"},
          PlanOptions{{}, true, 8, "in place, 8 streams"}, PlanOptions{{}, false, 1, "copies"}}) {
      const std::string what = "axes " + std::to_string(c.first_axis) + "/" +
                               std::to_string(c.second_axis) + (c.nested ? " nested, " : ", ") +
                               options.label;
      const Program program = compile_program(model, options.fusions);
      test_plans::HostPlan plan = make_host_plan(program, shapes, options);
      for (const unsigned order : {0U, 1U}) {
        EXPECT_LE(
            test::relative_max_error(run_host_plan(program, plan, inputs, order), expected, what),
            1e-6)
            << what << ", order " << order;
      }
    }
  }
}

} // namespace
} // namespace airan::gpu::detail
