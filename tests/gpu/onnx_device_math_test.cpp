// The per-element math of the CUDA ONNX executor (airan/gpu/onnx_device_math.h), run on the host
// against the CPU OnnxExecutor: element-wise operators, broadcast and strided index maps, Conv
// output elements (depthwise 3x3 / 1xK / Kx1, pointwise epilogue, grouped, padded, strided,
// dilated), ReduceMean offsets, Gemm and MatMul elements. Runs without a GPU.
#include "airan/gpu/onnx_device_math.h"

#include "../phy/nn/onnx_test_graphs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace airan::gpu::onnx {
namespace {

using phy::nn::ints_attribute;
using phy::nn::OnnxExecutor;
using phy::nn::TensorShape;
using phy::nn::test::Dense;
using phy::nn::test::GraphBuilder;
using phy::nn::test::random_dense;

/// Output 0 of \p graph on \p inputs, computed by the CPU executor.
std::vector<float> cpu_output(const GraphBuilder& graph, const std::vector<Dense>& inputs) {
  OnnxExecutor executor(graph.build());
  std::vector<phy::nn::ConstTensorView> views;
  views.reserve(inputs.size());
  for (const Dense& input : inputs) {
    views.push_back(input.view());
  }
  executor.run(views);
  const auto out = executor.output(0);
  return {out.data.begin(), out.data.end()};
}

void expect_close(const std::vector<float>& got, const std::vector<float>& expected,
                  float tolerance = 1e-5F) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], expected[i], tolerance * std::max(1.0F, std::abs(expected[i])))
        << "element " << i;
  }
}

TEST(OnnxDeviceMath, ElementwiseOperatorsMatchTheirDefinitions) {
  for (const float x : {-2.5F, -0.0F, 0.0F, 0.3F, 4.0F}) {
    EXPECT_EQ(apply_unary(UnaryOp::relu, x), x > 0.0F ? x : 0.0F);
    EXPECT_FLOAT_EQ(apply_unary(UnaryOp::sigmoid, x), 1.0F / (1.0F + std::exp(-x)));
    EXPECT_FLOAT_EQ(apply_unary(UnaryOp::tanh, x), std::tanh(x));
    EXPECT_FLOAT_EQ(apply_binary(BinaryOp::add, x, 1.5F), x + 1.5F);
    EXPECT_FLOAT_EQ(apply_binary(BinaryOp::sub, x, 1.5F), x - 1.5F);
    EXPECT_FLOAT_EQ(apply_binary(BinaryOp::mul, x, 1.5F), x * 1.5F);
    EXPECT_FLOAT_EQ(apply_binary(BinaryOp::div, x, 1.5F), x / 1.5F);
  }
  EXPECT_FLOAT_EQ(apply_unary(UnaryOp::sqrt, 2.25F), 1.5F);
  EXPECT_EQ(apply_unary(UnaryOp::reciprocal, -4.0F), -0.25F);
  EXPECT_EQ(apply_unary(UnaryOp::reciprocal, 3.0F), 1.0F / 3.0F);
  EXPECT_TRUE(std::isinf(apply_unary(UnaryOp::reciprocal, 0.0F)));
  EXPECT_EQ(apply_unary(UnaryOp::neg, 2.5F), -2.5F);
  EXPECT_EQ(apply_unary(UnaryOp::neg, -0.75F), 0.75F);
  EXPECT_TRUE(std::isnan(apply_unary(UnaryOp::sqrt, -1.0F)));
}

TEST(OnnxDeviceMath, BroadcastMapsReproduceNumpyBroadcasting) {
  std::mt19937 rng(1);
  const std::vector<std::pair<TensorShape, TensorShape>> cases{{{2, 3, 4, 5}, {2, 3, 4, 5}},
                                                               {{2, 3, 4, 5}, {1, 3, 1, 5}},
                                                               {{2, 1, 4, 1}, {3, 1, 5}},
                                                               {{1, 4, 3, 7}, {}},
                                                               {{5}, {2, 3, 5}},
                                                               {{1}, {2, 1}}};
  for (const auto& [shape_a, shape_b] : cases) {
    const Dense a = random_dense(shape_a, rng);
    const Dense b = random_dense(shape_b, rng);
    GraphBuilder graph;
    graph.input("a", shape_a).input("b", shape_b);
    graph.node("Sub", {"a", "b"}, "y");
    graph.output("y");
    const std::vector<float> expected = cpu_output(graph, {a, b});
    // Output shape: the longer rank, per dimension the non-1 size.
    const std::size_t rank = std::max(shape_a.size(), shape_b.size());
    TensorShape out(rank, 1);
    for (std::size_t i = 0; i < rank; ++i) {
      const std::size_t from_end = rank - 1 - i;
      for (const TensorShape* s : {&shape_a, &shape_b}) {
        if (from_end < s->size() && (*s)[s->size() - 1 - from_end] != 1) {
          out[i] = (*s)[s->size() - 1 - from_end];
        }
      }
    }
    const IndexMap map_a = make_broadcast_map(shape_a, out);
    const IndexMap map_b = make_broadcast_map(shape_b, out);
    std::vector<float> got(expected.size());
    for (int i = 0; i < static_cast<int>(got.size()); ++i) {
      got[i] = apply_binary(BinaryOp::sub, a.data[mapped_offset(map_a, i)],
                            b.data[mapped_offset(map_b, i)]);
    }
    expect_close(got, expected, 0.0F);
  }
}

TEST(OnnxDeviceMath, StridedMapsReproduceTranspose) {
  std::mt19937 rng(2);
  const Dense x = random_dense({2, 3, 4, 5}, rng);
  GraphBuilder graph;
  graph.input("x", x.shape);
  graph.node("Transpose", {"x"}, "y").attributes.push_back(ints_attribute("perm", {2, 0, 3, 1}));
  graph.output("y");
  const std::vector<float> expected = cpu_output(graph, {x});
  const TensorShape out{4, 2, 5, 3};
  const std::vector<std::int64_t> strides{5, 60, 1, 20}; // input strides of dims 2, 0, 3, 1
  const IndexMap map = make_strided_map(out, 0, strides);
  std::vector<float> got(expected.size());
  for (int i = 0; i < static_cast<int>(got.size()); ++i) {
    got[i] = x.data[mapped_offset(map, i)];
  }
  expect_close(got, expected, 0.0F);
}

struct ConvCase {
  TensorShape x;
  TensorShape w;
  std::int64_t group;
  std::vector<std::int64_t> pads, strides, dilations;
  bool relu;
};

TEST(OnnxDeviceMath, ConvOutputElementsMatchTheCpuExecutor) {
  std::mt19937 rng(3);
  const std::vector<ConvCase> cases{
      {{1, 6, 7, 9}, {6, 1, 3, 3}, 6, {1, 1, 1, 1}, {1, 1}, {1, 1}, false},  // depthwise 3x3
      {{2, 5, 14, 40}, {5, 1, 3, 3}, 5, {1, 1, 1, 1}, {1, 1}, {1, 1}, true}, // same, batch 2
      {{1, 3, 1, 1}, {3, 1, 3, 3}, 3, {1, 1, 1, 1}, {1, 1}, {1, 1}, false},  // same, 1x1 planes
      {{1, 4, 8, 9}, {4, 1, 3, 3}, 4, {1, 1, 1, 1}, {1, 1}, {2, 1}, false},  // dilated: generic
      {{1, 4, 5, 30}, {4, 1, 1, 9}, 4, {0, 4, 0, 4}, {1, 1}, {1, 1}, true},  // depthwise 1x9
      {{1, 4, 14, 6}, {4, 1, 9, 1}, 4, {4, 0, 4, 0}, {1, 1}, {1, 1}, false}, // depthwise 9x1
      {{2, 6, 8, 9}, {4, 3, 3, 2}, 2, {1, 0, 2, 1}, {2, 1}, {1, 2}, true},   // grouped, general
      {{1, 5, 6, 7}, {3, 5, 1, 1}, 1, {0, 0, 0, 0}, {1, 1}, {1, 1}, false},  // pointwise
  };
  for (const ConvCase& c : cases) {
    const Dense x = random_dense(c.x, rng);
    const Dense w = random_dense(c.w, rng);
    const Dense bias = random_dense({c.w[0]}, rng);
    GraphBuilder graph;
    graph.input("x", c.x).floats("w", w).floats("b", bias);
    auto& conv = graph.node("Conv", {"x", "w", "b"}, c.relu ? "c" : "y");
    conv.attributes = {phy::nn::int_attribute("group", c.group), ints_attribute("pads", c.pads),
                       ints_attribute("strides", c.strides),
                       ints_attribute("dilations", c.dilations)};
    if (c.relu) {
      graph.node("Relu", {"c"}, "y");
    }
    graph.output("y");
    const std::vector<float> expected = cpu_output(graph, {x});
    ConvGeometry g;
    g.in_channels = static_cast<int>(c.x[1]);
    g.in_h = static_cast<int>(c.x[2]);
    g.in_w = static_cast<int>(c.x[3]);
    g.out_channels = static_cast<int>(c.w[0]);
    g.kernel_h = static_cast<int>(c.w[2]);
    g.kernel_w = static_cast<int>(c.w[3]);
    g.group_in_channels = static_cast<int>(c.w[1]);
    g.group_out_channels = static_cast<int>(c.w[0] / c.group);
    g.stride_h = static_cast<int>(c.strides[0]);
    g.stride_w = static_cast<int>(c.strides[1]);
    g.dilation_h = static_cast<int>(c.dilations[0]);
    g.dilation_w = static_cast<int>(c.dilations[1]);
    g.pad_top = static_cast<int>(c.pads[0]);
    g.pad_left = static_cast<int>(c.pads[1]);
    g.out_h =
        (g.in_h + g.pad_top + static_cast<int>(c.pads[2]) - (g.dilation_h * (g.kernel_h - 1) + 1)) /
            g.stride_h +
        1;
    g.out_w = (g.in_w + g.pad_left + static_cast<int>(c.pads[3]) -
               (g.dilation_w * (g.kernel_w - 1) + 1)) /
                  g.stride_w +
              1;
    g.relu = c.relu;
    std::vector<float> got(expected.size());
    for (int i = 0; i < static_cast<int>(got.size()); ++i) {
      got[i] = conv_output_element(g, x.data.data(), w.data.data(), bias.data.data(), i);
    }
    expect_close(got, expected);
    // The unrolled depthwise 3x3 element: exactly the generic one's value, where it applies.
    const bool depthwise_3x3 = c.w[1] == 1 && c.group == c.x[1] && c.w[0] == c.x[1] &&
                               c.w[2] == 3 && c.w[3] == 3 &&
                               c.pads == std::vector<std::int64_t>{1, 1, 1, 1} &&
                               c.strides == std::vector<std::int64_t>{1, 1} &&
                               c.dilations == std::vector<std::int64_t>{1, 1};
    EXPECT_EQ(is_depthwise_3x3(g), depthwise_3x3);
    if (depthwise_3x3) {
      for (int i = 0; i < static_cast<int>(got.size()); ++i) {
        ASSERT_EQ(
            depthwise_3x3_output_element(g, x.data.data(), w.data.data(), bias.data.data(), i),
            got[i])
            << "element " << i;
      }
      g.relu = !g.relu; // and with the other Relu setting, and without bias
      for (int i = 0; i < static_cast<int>(got.size()); ++i) {
        ASSERT_EQ(depthwise_3x3_output_element(g, x.data.data(), w.data.data(), nullptr, i),
                  conv_output_element(g, x.data.data(), w.data.data(), nullptr, i))
            << "element " << i;
      }
      g.relu = !g.relu;
    }
    if (c.w[2] == 1 && c.w[3] == 1 && c.group == 1) {
      // The pointwise path: the GEMM without bias, then the epilogue.
      const int pixels = g.in_h * g.in_w;
      for (int i = 0; i < static_cast<int>(got.size()); ++i) {
        const float plain = conv_output_element(g, x.data.data(), w.data.data(), nullptr, i);
        got[i] = conv_epilogue(
            plain, bias.data[static_cast<std::size_t>((i / pixels) % g.out_channels)], c.relu);
      }
      expect_close(got, expected);
    }
  }
}

TEST(OnnxDeviceMath, FusedReluGivesTheReluNodeBitsForNanAndMinusZero) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const float value : {nan, -0.0F, 0.0F, -1.0F}) {
    const float node = apply_unary(UnaryOp::relu, value);
    EXPECT_FALSE(std::signbit(node));
    EXPECT_EQ(node, 0.0F);
    for (const float fused :
         {conv_epilogue(value, -0.0F, true), conv_residual_epilogue(value, -0.0F, -0.0F, true)}) {
      EXPECT_FALSE(std::isnan(fused)) << value;
      EXPECT_FALSE(std::signbit(fused)) << value;
      EXPECT_EQ(fused, 0.0F) << value;
    }
  }
  // A NaN input through the generic and the depthwise 3x3 elements of a 3x3 convolution.
  ConvGeometry g;
  g.in_channels = 1;
  g.out_channels = 1;
  g.group_in_channels = 1;
  g.group_out_channels = 1;
  g.in_h = 3;
  g.in_w = 3;
  g.kernel_h = 3;
  g.kernel_w = 3;
  g.pad_top = 1;
  g.pad_left = 1;
  g.out_h = 3;
  g.out_w = 3;
  g.relu = true;
  const std::vector<float> x{0, 0, 0, 0, nan, 0, 0, 0, 0};
  const std::vector<float> w(9, -1.0F);
  ASSERT_TRUE(is_depthwise_3x3(g));
  for (int i = 0; i < 9; ++i) {
    for (const float y : {conv_output_element(g, x.data(), w.data(), nullptr, i),
                          depthwise_3x3_output_element(g, x.data(), w.data(), nullptr, i)}) {
      EXPECT_EQ(y, 0.0F) << i;
      EXPECT_FALSE(std::signbit(y)) << i;
    }
  }
}

TEST(OnnxDeviceMath, ResidualEpilogueIsTheConvThenTheAddThenTheRelu) {
  // A residual block's end, Relu(Add(r, Conv1x1(x))): the GEMM without bias, then the epilogue
  // with the residual read through its broadcast map (same shape, per channel, per column).
  std::mt19937 rng(12);
  const std::vector<std::int64_t> x_shape{1, 5, 6, 7};
  const Dense x = random_dense(x_shape, rng);
  const Dense w = random_dense({4, 5, 1, 1}, rng);
  const Dense bias = random_dense({4}, rng);
  for (const std::vector<std::int64_t>& r_shape :
       std::vector<std::vector<std::int64_t>>{{1, 4, 6, 7}, {4, 1, 1}, {7}}) {
    for (const bool relu : {false, true}) {
      const Dense residual = random_dense(r_shape, rng);
      GraphBuilder graph;
      graph.input("x", x_shape).input("r", r_shape).floats("w", w).floats("b", bias);
      graph.node("Conv", {"x", "w", "b"}, "c");
      graph.node("Add", {"r", "c"}, relu ? "s" : "y");
      if (relu) {
        graph.node("Relu", {"s"}, "y");
      }
      graph.output("y");
      const std::vector<float> expected = cpu_output(graph, {x, residual});
      ConvGeometry g;
      g.in_channels = 5;
      g.in_h = 6;
      g.in_w = 7;
      g.out_channels = 4;
      g.out_h = 6;
      g.out_w = 7;
      g.group_in_channels = 5;
      g.group_out_channels = 4;
      const std::vector<std::int64_t> out{1, 4, 6, 7};
      const IndexMap map = make_broadcast_map(r_shape, out);
      std::vector<float> got(expected.size());
      for (int i = 0; i < static_cast<int>(got.size()); ++i) {
        const float plain = conv_output_element(g, x.data.data(), w.data.data(), nullptr, i);
        got[i] = conv_residual_epilogue(
            plain, bias.data[static_cast<std::size_t>(i / 42)],
            residual.data[static_cast<std::size_t>(mapped_offset(map, i))], relu);
      }
      expect_close(got, expected);
      if (relu) {
        EXPECT_GT(std::count(got.begin(), got.end(), 0.0F), 0);
      }
    }
  }
}

TEST(OnnxDeviceMath, ReduceOffsetsAverageTheSelectedAxes) {
  std::mt19937 rng(4);
  const Dense x = random_dense({2, 4, 3, 5}, rng);
  for (const std::vector<std::int64_t>& axes :
       std::vector<std::vector<std::int64_t>>{{1}, {1, 2, 3}, {0, 2}, {3}}) {
    GraphBuilder graph;
    graph.input("x", x.shape);
    graph.node("ReduceMean", {"x"}, "y").attributes.push_back(ints_attribute("axes", axes));
    graph.output("y");
    const std::vector<float> expected = cpu_output(graph, {x});
    bool reduced[max_rank] = {};
    for (const std::int64_t axis : axes) {
      reduced[axis] = true;
    }
    const ReduceGeometry g = make_reduce_geometry(x.shape, std::span<const bool>(reduced, 4));
    std::vector<float> got(expected.size());
    for (int element = 0; element < static_cast<int>(got.size()); ++element) {
      double sum = 0.0;
      const int base = reduce_base_offset(g, element);
      for (int r = 0; r < g.reduced_count; ++r) {
        sum += x.data[static_cast<std::size_t>(base) +
                      static_cast<std::size_t>(reduce_element_offset(g, r))];
      }
      got[element] = static_cast<float>(sum / g.reduced_count);
    }
    expect_close(got, expected);
  }
}

TEST(OnnxDeviceMath, GemmAndMatMulElementsMatchTheCpuExecutor) {
  std::mt19937 rng(5);
  const Dense a = random_dense({4, 3}, rng); // transposed: A' is [3, 4]
  const Dense b = random_dense({5, 4}, rng); // transposed: B' is [4, 5]
  const Dense c = random_dense({1, 5}, rng);
  GraphBuilder gemm;
  gemm.input("a", a.shape).input("b", b.shape).input("c", c.shape);
  gemm.node("Gemm", {"a", "b", "c"}, "y").attributes = {
      phy::nn::int_attribute("transA", 1), phy::nn::int_attribute("transB", 1),
      phy::nn::float_attribute("alpha", 0.5F), phy::nn::float_attribute("beta", 2.0F)};
  gemm.output("y");
  const std::vector<float> expected = cpu_output(gemm, {a, b, c});
  const GemmGeometry g{3, 5, 4, true, true, 0.5F, 2.0F, 0, 1};
  std::vector<float> got(expected.size());
  for (int i = 0; i < 15; ++i) {
    got[i] = gemm_element(g, a.data.data(), b.data.data(), c.data.data(), i);
  }
  expect_close(got, expected);

  // MatMul [2, 1, 3, 4] x [3, 4, 2]: batch [2, 3], A broadcast along dimension 1.
  const Dense ma = random_dense({2, 1, 3, 4}, rng);
  const Dense mb = random_dense({3, 4, 2}, rng);
  GraphBuilder matmul;
  matmul.input("a", ma.shape).input("b", mb.shape);
  matmul.node("MatMul", {"a", "b"}, "y");
  matmul.output("y");
  const std::vector<float> expected_mm = cpu_output(matmul, {ma, mb});
  MatMulGeometry mg;
  mg.m = 3;
  mg.k = 4;
  mg.n = 2;
  const std::vector<std::int64_t> batch{2, 3};
  mg.batch_a = make_strided_map(batch, 0, std::vector<std::int64_t>{12, 0});
  mg.batch_b = make_strided_map(batch, 0, std::vector<std::int64_t>{0, 8});
  std::vector<float> got_mm(expected_mm.size());
  for (int i = 0; i < static_cast<int>(got_mm.size()); ++i) {
    got_mm[i] = matmul_element(mg, ma.data.data(), mb.data.data(), i);
  }
  expect_close(got_mm, expected_mm);
}

} // namespace
} // namespace airan::gpu::onnx
