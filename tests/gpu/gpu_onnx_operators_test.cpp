// Every operator of GpuOnnxExecutor against the CPU OnnxExecutor on small graphs (graph and
// direct launches, two runs each): Conv (depthwise 3x3 / 1xK / Kx1, pointwise with and without
// bias, fused and unfused Relu, batch 2, grouped + strided + dilated + padded, auto_pad),
// broadcasting Add/Sub/Mul/Div, Relu/Sqrt/Sigmoid/Tanh/Identity, Concat, Slice with steps,
// ReduceMean (short reductions and long ones split over blocks), Constant, Reshape, Transpose,
// Gemm, MatMul. Skipped without a CUDA device.
#include "gpu_onnx_test_support.h"
#include "onnx_region_test_graphs.h"

#include <gtest/gtest.h>

#include <random>

namespace airan::gpu {
namespace {

using phy::nn::float_attribute;
using phy::nn::int_attribute;
using phy::nn::ints_attribute;
using phy::nn::OnnxAttribute;
using phy::nn::string_attribute;
using phy::nn::TensorShape;
using phy::nn::test::Dense;
using phy::nn::test::GraphBuilder;
using phy::nn::test::random_dense;

class GpuOnnxOperators : public ::testing::Test {
protected:
  void SetUp() override {
    if (const std::string reason = test::no_device_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
  }
  std::mt19937 rng{17};
};

struct ConvCase {
  std::string label;
  TensorShape x, w;
  std::vector<OnnxAttribute> attributes;
  bool bias = true;
  bool relu = false;
  bool relu_output_reused = false; ///< The Conv output is also a graph output: no fusion.
};

TEST_F(GpuOnnxOperators, Conv) {
  const std::vector<ConvCase> cases{
      {"depthwise 3x3 + relu",
       {1, 6, 14, 40},
       {6, 1, 3, 3},
       {int_attribute("group", 6), ints_attribute("pads", {1, 1, 1, 1})},
       true,
       true},
      {"depthwise 1x9",
       {1, 4, 14, 50},
       {4, 1, 1, 9},
       {int_attribute("group", 4), ints_attribute("pads", {0, 4, 0, 4})},
       false},
      {"depthwise 9x1",
       {1, 4, 14, 20},
       {4, 1, 9, 1},
       {int_attribute("group", 4), ints_attribute("pads", {4, 0, 4, 0})}},
      {"pointwise + relu", {1, 24, 14, 36}, {16, 24, 1, 1}, {}, true, true},
      {"pointwise, no bias, relu kept", {1, 8, 5, 7}, {12, 8, 1, 1}, {}, false, true, true},
      {"pointwise, batch 2", {2, 5, 6, 7}, {3, 5, 1, 1}, {}},
      {"grouped strided dilated padded",
       {2, 6, 11, 13},
       {4, 3, 3, 2},
       {int_attribute("group", 2), ints_attribute("pads", {1, 0, 2, 1}),
        ints_attribute("strides", {2, 1}), ints_attribute("dilations", {1, 2})},
       true,
       true},
      {"auto_pad SAME_LOWER, stride 2",
       {1, 3, 9, 10},
       {5, 3, 3, 3},
       {string_attribute("auto_pad", "SAME_LOWER"), ints_attribute("strides", {2, 2})}},
  };
  for (const ConvCase& c : cases) {
    GraphBuilder graph;
    graph.input("x", c.x).floats("w", random_dense(c.w, rng));
    std::vector<std::string> inputs{"x", "w"};
    if (c.bias) {
      graph.floats("b", random_dense({c.w[0]}, rng));
      inputs.push_back("b");
    }
    graph.node("Conv", inputs, c.relu ? "c" : "y").attributes = c.attributes;
    if (c.relu) {
      graph.node("Relu", {"c"}, "y");
    }
    graph.output("y");
    if (c.relu_output_reused) {
      graph.output("c");
    }
    test::expect_gpu_matches_cpu(graph.build(), {random_dense(c.x, rng)}, c.label);
  }
}

TEST_F(GpuOnnxOperators, BroadcastingArithmetic) {
  const std::vector<std::pair<TensorShape, TensorShape>> shapes{{{1, 8, 14, 30}, {1, 8, 14, 30}},
                                                                {{1, 8, 14, 30}, {1, 1, 14, 30}},
                                                                {{1, 8, 14, 30}, {1, 1, 1, 1}},
                                                                {{2, 1, 5}, {3, 1}},
                                                                {{}, {4, 3}},
                                                                {{6}, {2, 3, 6}}};
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    for (const auto& [a, b] : shapes) {
      GraphBuilder graph;
      graph.input("a", a).input("b", b);
      graph.node(op, {"a", "b"}, "y");
      graph.output("y");
      test::expect_gpu_matches_cpu(
          graph.build(), {random_dense(a, rng), random_dense(b, rng, 0.5F, 2.0F)},
          std::string(op) + " " + phy::nn::shape_to_string(a) + " " + phy::nn::shape_to_string(b));
    }
  }
}

TEST_F(GpuOnnxOperators, ReluAfterArithmeticRunsInsideItsKernel) {
  // Fused (the only reader) and not fused (the sum is also a graph output).
  for (const bool shared : {false, true}) {
    for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
      GraphBuilder graph;
      graph.input("a", {1, 8, 14, 30}).input("b", {1, 1, 14, 30});
      graph.node(op, {"a", "b"}, "t");
      graph.node("Relu", {"t"}, "y");
      graph.output("y");
      if (shared) {
        graph.output("t");
      }
      test::expect_gpu_matches_cpu(
          graph.build(),
          {random_dense({1, 8, 14, 30}, rng), random_dense({1, 1, 14, 30}, rng, 0.5F, 2.0F)},
          std::string(op) + (shared ? " + Relu, shared" : " + Relu"));
    }
  }
}

TEST_F(GpuOnnxOperators, ResidualAddRunsInThePointwiseConvolutionsEpilogue) {
  // Relu(Add(x, Conv1x1(x))) folded; the residual read through a broadcast; a residual computed
  // after the Conv (not folded); and a residual that widens the Conv's output (the plan runs
  // the unfused program).
  struct Case {
    std::vector<std::int64_t> x, r;
    bool late_residual;
    const char* label;
  };
  for (const Case& c : {Case{{1, 6, 14, 30}, {}, false, "skip connection"},
                        Case{{1, 6, 14, 30}, {1, 6, 1, 1}, false, "broadcast residual"},
                        Case{{1, 6, 14, 30}, {}, true, "residual after the Conv"},
                        Case{{1, 6, 1, 30}, {1, 6, 14, 30}, false, "widening residual"}}) {
    GraphBuilder graph;
    graph.input("x", c.x);
    if (!c.r.empty()) {
      graph.input("r", c.r);
    }
    graph.floats("w", random_dense({6, 6, 1, 1}, rng)).floats("b", random_dense({6}, rng));
    graph.node("Conv", {"x", "w", "b"}, "c");
    std::string residual = c.r.empty() ? "x" : "r";
    if (c.late_residual) {
      graph.node("Sigmoid", {"x"}, "late");
      residual = "late";
    }
    graph.node("Add", {residual, "c"}, "s");
    graph.node("Relu", {"s"}, "y");
    graph.output("y");
    std::vector<phy::nn::test::Dense> inputs{random_dense(c.x, rng)};
    if (!c.r.empty()) {
      inputs.push_back(random_dense(c.r, rng));
    }
    test::expect_gpu_matches_cpu(graph.build(), inputs, c.label);
  }
}

TEST_F(GpuOnnxOperators, ElementwiseRegionsRunAsOneKernelEach) {
  for (const auto& graph : test::region_test_graphs()) {
    test::expect_gpu_matches_cpu(graph.model, graph.inputs, graph.label);
  }
}

TEST_F(GpuOnnxOperators, UnaryOperatorsAndConstants) {
  for (const char* op : {"Relu", "Sqrt", "Sigmoid", "Tanh", "Reciprocal", "Neg", "Identity"}) {
    GraphBuilder graph;
    graph.input("x", {2, 3, 50});
    graph.node(op, {"x"}, "u");
    // A Constant node (scalar) added afterwards.
    graph.node("Constant", {}, "k").attributes = {float_attribute("value_float", 0.25F)};
    graph.node("Add", {"u", "k"}, "y");
    graph.output("y");
    // Sqrt of non-negative values; Reciprocal of values away from 0.
    const float low = std::string(op) == "Sqrt"         ? 0.0F
                      : std::string(op) == "Reciprocal" ? 0.5F
                                                        : -3.0F;
    test::expect_gpu_matches_cpu(graph.build(), {random_dense({2, 3, 50}, rng, low, 3.0F)}, op);
  }
}

TEST_F(GpuOnnxOperators, ConcatAlongEveryKindOfAxis) {
  for (const std::int64_t axis : {1, 3, -1, 0}) {
    GraphBuilder graph;
    graph.input("a", {2, 3, 4, 5}).input("b", {2, 3, 4, 5}).input("c", {2, 3, 4, 5});
    graph.node("Concat", {"a", "b", "c"}, "y").attributes = {int_attribute("axis", axis)};
    graph.output("y");
    test::expect_gpu_matches_cpu(graph.build(),
                                 {random_dense({2, 3, 4, 5}, rng), random_dense({2, 3, 4, 5}, rng),
                                  random_dense({2, 3, 4, 5}, rng)},
                                 "Concat axis " + std::to_string(axis));
  }
  GraphBuilder uneven;
  uneven.input("a", {1, 2, 3, 7}).input("b", {1, 5, 3, 7});
  uneven.node("Concat", {"a", "b"}, "y").attributes = {int_attribute("axis", 1)};
  uneven.output("y");
  test::expect_gpu_matches_cpu(uneven.build(),
                               {random_dense({1, 2, 3, 7}, rng), random_dense({1, 5, 3, 7}, rng)},
                               "Concat uneven");
}

TEST_F(GpuOnnxOperators, SliceWithStepsAndNegativeIndices) {
  struct SliceCase {
    std::vector<std::int64_t> starts, ends, axes, steps;
  };
  const std::vector<SliceCase> cases{{{0}, {INT64_MAX}, {1}, {2}},
                                     {{1}, {INT64_MAX}, {1}, {2}},
                                     {{-1}, {-100}, {3}, {-3}},
                                     {{1, 2}, {4, -1}, {1, 2}, {1, 1}},
                                     {{0, 5}, {4, 0}, {-3, 3}, {4, -2}}};
  for (const SliceCase& c : cases) {
    GraphBuilder graph;
    graph.input("x", {1, 7, 6, 11});
    graph.ints("starts", c.starts).ints("ends", c.ends).ints("axes", c.axes).ints("steps", c.steps);
    graph.node("Slice", {"x", "starts", "ends", "axes", "steps"}, "y");
    graph.output("y");
    test::expect_gpu_matches_cpu(graph.build(), {random_dense({1, 7, 6, 11}, rng)}, "Slice");
  }
}

TEST_F(GpuOnnxOperators, ReduceMeanShortAndLongReductions) {
  for (const std::vector<std::int64_t>& axes :
       std::vector<std::vector<std::int64_t>>{{1}, {1, 2, 3}, {-1}, {0, 2}}) {
    for (const std::int64_t keepdims : {0, 1}) {
      GraphBuilder graph;
      graph.input("x", {2, 4, 14, 60});
      graph.node("ReduceMean", {"x"}, "y").attributes = {ints_attribute("axes", axes),
                                                         int_attribute("keepdims", keepdims)};
      graph.output("y");
      test::expect_gpu_matches_cpu(graph.build(), {random_dense({2, 4, 14, 60}, rng)},
                                   "ReduceMean " + phy::nn::shape_to_string(axes));
    }
  }
}

// The neural receiver's normalisation means at 273 PRB (a 2 x 8 x 14 x 3276 grid averaged over
// everything but the batch: 180 blocks per mean), alone and at the end of an element-wise region
// (the mean of x * x; the output is their sum), and a mean of 1,000,000 elements (489 blocks):
// split over blocks, the last one adding the partials; the runs after the first check that the
// counters start at zero again.
TEST_F(GpuOnnxOperators, LongMeansSplitOverBlocks) {
  const std::vector<std::int64_t> axes{1, 2, 3};
  const TensorShape grid{2, 8, 14, 3276};
  {
    GraphBuilder graph;
    graph.input("x", grid);
    graph.node("ReduceMean", {"x"}, "y").attributes = {ints_attribute("axes", axes)};
    graph.node("Mul", {"x", "x"}, "power");
    graph.node("ReduceMean", {"power"}, "z").attributes = {ints_attribute("axes", axes)};
    graph.node("Add", {"y", "z"}, "sum");
    graph.output("sum");
    test::expect_gpu_matches_cpu(graph.build(), {random_dense(grid, rng)}, "grid means");
  }
  GraphBuilder graph;
  graph.input("x", {1, 1000000});
  graph.node("ReduceMean", {"x"}, "y").attributes = {ints_attribute("axes", {1})};
  graph.output("y");
  test::expect_gpu_matches_cpu(graph.build(), {random_dense({1, 1000000}, rng)}, "long mean");
}

TEST_F(GpuOnnxOperators, ReshapeAndTranspose) {
  GraphBuilder graph;
  graph.input("x", {2, 3, 4, 5});
  graph.ints("shape", {0, -1, 5});
  graph.node("Reshape", {"x", "shape"}, "r");
  graph.node("Transpose", {"r"}, "t").attributes = {ints_attribute("perm", {2, 0, 1})};
  graph.node("Transpose", {"t"}, "y"); // default: reversed
  graph.output("y");
  test::expect_gpu_matches_cpu(graph.build(), {random_dense({2, 3, 4, 5}, rng)}, "Reshape");
}

TEST_F(GpuOnnxOperators, GemmAndMatMul) {
  for (const bool trans_a : {false, true}) {
    for (const bool trans_b : {false, true}) {
      const TensorShape a = trans_a ? TensorShape{7, 5} : TensorShape{5, 7};
      const TensorShape b = trans_b ? TensorShape{9, 7} : TensorShape{7, 9};
      GraphBuilder graph;
      graph.input("a", a).input("b", b).floats("c", random_dense({1, 9}, rng));
      graph.node("Gemm", {"a", "b", "c"}, "y").attributes = {
          int_attribute("transA", trans_a), int_attribute("transB", trans_b),
          float_attribute("alpha", 0.75F), float_attribute("beta", -1.5F)};
      graph.output("y");
      test::expect_gpu_matches_cpu(graph.build(), {random_dense(a, rng), random_dense(b, rng)},
                                   "Gemm");
    }
  }
  const std::vector<std::pair<TensorShape, TensorShape>> matmuls{
      {{4, 6}, {6, 3}}, {{2, 1, 4, 6}, {3, 6, 5}}, {{6}, {2, 6, 3}}, {{2, 4, 6}, {6}}};
  for (const auto& [a, b] : matmuls) {
    GraphBuilder graph;
    graph.input("a", a).input("b", b);
    graph.node("MatMul", {"a", "b"}, "y");
    graph.output("y");
    test::expect_gpu_matches_cpu(graph.build(), {random_dense(a, rng), random_dense(b, rng)},
                                 "MatMul " + phy::nn::shape_to_string(a) + " x " +
                                     phy::nn::shape_to_string(b));
  }
}

} // namespace
} // namespace airan::gpu
