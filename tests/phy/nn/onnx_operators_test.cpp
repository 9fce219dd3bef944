// Every operator of the ONNX executor against a naive loop on small random tensors (models
// built in C++ and round-tripped through the protobuf), with 1 and 3 threads and with the SIMD
// and portable kernels.
#include "airan/phy/nn/onnx_executor.h"
#include "onnx_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace airan::phy::nn {
namespace {

using test::Dense;
using test::expect_matches;
using test::for_each_index;
using test::GraphBuilder;
using test::offset_of;

struct ConvCase {
  TensorShape x;
  TensorShape w;
  std::int64_t group;
  std::vector<std::int64_t> strides, dilations, pads;
  bool bias;
  bool relu;
};

Dense naive_conv(const Dense& x, const Dense& w, const Dense* b, const ConvCase& c) {
  const std::int64_t out_h =
      (x.shape[2] + c.pads[0] + c.pads[2] - c.dilations[0] * (w.shape[2] - 1) - 1) / c.strides[0] +
      1;
  const std::int64_t out_w =
      (x.shape[3] + c.pads[1] + c.pads[3] - c.dilations[1] * (w.shape[3] - 1) - 1) / c.strides[1] +
      1;
  Dense y{{x.shape[0], w.shape[0], out_h, out_w}, {}};
  y.data.resize(static_cast<std::size_t>(shape_num_elements(y.shape)));
  const std::int64_t per_group = w.shape[0] / c.group;
  for_each_index(y.shape, [&](const std::vector<std::int64_t>& i) {
    double acc = b != nullptr ? b->data[static_cast<std::size_t>(i[1])] : 0.0;
    const std::int64_t g = i[1] / per_group;
    for (std::int64_t ic = 0; ic < w.shape[1]; ++ic) {
      for (std::int64_t ky = 0; ky < w.shape[2]; ++ky) {
        for (std::int64_t kx = 0; kx < w.shape[3]; ++kx) {
          const std::int64_t iy = i[2] * c.strides[0] - c.pads[0] + ky * c.dilations[0];
          const std::int64_t ix = i[3] * c.strides[1] - c.pads[1] + kx * c.dilations[1];
          if (iy >= 0 && iy < x.shape[2] && ix >= 0 && ix < x.shape[3]) {
            acc += static_cast<double>(w.data[offset_of(w.shape, {i[1], ic, ky, kx})]) *
                   x.data[offset_of(x.shape, {i[0], g * w.shape[1] + ic, iy, ix})];
          }
        }
      }
    }
    y.data[offset_of(y.shape, i)] = static_cast<float>(c.relu ? std::max(acc, 0.0) : acc);
  });
  return y;
}

TEST(OnnxOperators, Conv) {
  const std::vector<ConvCase> cases{
      // grouped, strided, dilated, asymmetrically padded
      {{2, 4, 9, 11}, {6, 2, 3, 2}, 2, {2, 1}, {2, 3}, {1, 2, 0, 1}, true, false},
      // depthwise 3x3 (specialised path), with a fused Relu
      {{1, 5, 6, 19}, {5, 1, 3, 3}, 5, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},
      // depthwise 3x3 with stride 2 (general path)
      {{1, 3, 7, 8}, {3, 1, 3, 3}, 3, {2, 2}, {1, 1}, {1, 1, 1, 1}, false, false},
      // pointwise: 13 outputs (not a multiple of 6), 37 columns (16 + 16 + tail), batch 2
      {{2, 7, 1, 37}, {13, 7, 1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, true},
      // pointwise over a wide image: several column blocks per item split
      {{1, 9, 3, 300}, {8, 9, 1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, false, false},
      // plain 3x3 with two input channels
      {{1, 2, 5, 5}, {3, 2, 3, 3}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, false},
  };
  std::mt19937 rng(11);
  for (const ConvCase& c : cases) {
    const Dense x = test::random_dense(c.x, rng);
    const Dense w = test::random_dense(c.w, rng);
    const Dense b = test::random_dense({c.w[0]}, rng);
    GraphBuilder graph;
    graph.input("x", c.x).floats("w", w);
    std::vector<std::string> inputs{"x", "w"};
    if (c.bias) {
      graph.floats("b", b);
      inputs.push_back("b");
    }
    OnnxNode& conv = graph.node("Conv", inputs, c.relu ? "conv" : "y");
    conv.attributes = {int_attribute("group", c.group), ints_attribute("strides", c.strides),
                       ints_attribute("dilations", c.dilations), ints_attribute("pads", c.pads),
                       ints_attribute("kernel_shape", {c.w[2], c.w[3]})};
    if (c.relu) {
      graph.node("Relu", {"conv"}, "y");
    }
    graph.output("y");
    SCOPED_TRACE(shape_to_string(c.x) + " * " + shape_to_string(c.w));
    expect_matches(graph, {x}, naive_conv(x, w, c.bias ? &b : nullptr, c), 1e-5);
  }
}

TEST(OnnxOperators, ConvSameUpperPadding) {
  std::mt19937 rng(12);
  const Dense x = test::random_dense({1, 2, 7, 6}, rng);
  const Dense w = test::random_dense({3, 2, 3, 3}, rng);
  GraphBuilder graph;
  graph.input("x", x.shape).floats("w", w);
  graph.node("Conv", {"x", "w"}, "y").attributes = {string_attribute("auto_pad", "SAME_UPPER"),
                                                    ints_attribute("strides", {2, 2})};
  graph.output("y");
  // Output 4x3; total padding 2 (rows) and 1 (columns): SAME_UPPER puts the odd one at the end.
  const ConvCase c{x.shape, w.shape, 1, {2, 2}, {1, 1}, {1, 0, 1, 1}, false, false};
  expect_matches(graph, {x}, naive_conv(x, w, nullptr, c), 1e-5);
}

Dense naive_binary(const Dense& a, const Dense& b, const std::string& op) {
  const std::size_t rank = std::max(a.shape.size(), b.shape.size());
  TensorShape shape(rank);
  const auto dim = [&](const Dense& t, std::size_t d) {
    return d + t.shape.size() >= rank ? t.shape[d + t.shape.size() - rank] : 1;
  };
  for (std::size_t d = 0; d < rank; ++d) {
    shape[d] = std::max(dim(a, d), dim(b, d));
  }
  Dense y{shape, std::vector<float>(static_cast<std::size_t>(shape_num_elements(shape)))};
  const auto pick = [&](const Dense& t, const std::vector<std::int64_t>& i) {
    std::vector<std::int64_t> index;
    for (std::size_t d = rank - t.shape.size(); d < rank; ++d) {
      index.push_back(dim(t, d) == 1 ? 0 : i[d]);
    }
    return t.data[offset_of(t.shape, index)];
  };
  for_each_index(shape, [&](const std::vector<std::int64_t>& i) {
    const float u = pick(a, i);
    const float v = pick(b, i);
    y.data[offset_of(shape, i)] = op == "Add"   ? u + v
                                  : op == "Sub" ? u - v
                                  : op == "Mul" ? u * v
                                                : u / v;
  });
  return y;
}

TEST(OnnxOperators, BroadcastingArithmetic) {
  const std::vector<std::pair<TensorShape, TensorShape>> shapes{
      {{2, 3, 4, 5}, {3, 1, 5}}, {{2, 1, 4, 1}, {1, 3, 1, 5}}, {{2, 3, 4}, {}},
      {{5}, {2, 3, 4, 5}},       {{2, 3, 40}, {2, 3, 40}},     {{1}, {3, 1}}};
  std::mt19937 rng(13);
  for (const std::string op : {"Add", "Sub", "Mul", "Div"}) {
    for (const auto& [sa, sb] : shapes) {
      const Dense a = test::random_dense(sa, rng);
      const Dense b = test::random_dense(sb, rng, 0.5F, 2.0F);
      GraphBuilder graph;
      graph.input("a", sa).input("b", sb);
      graph.node(op, {"a", "b"}, "y");
      graph.output("y");
      SCOPED_TRACE(op + " " + shape_to_string(sa) + " " + shape_to_string(sb));
      expect_matches(graph, {a, b}, naive_binary(a, b, op));
    }
  }
  // A constant operand (initializer) broadcast against the input.
  const Dense a = test::random_dense({2, 70000}, rng);
  const Dense c = test::random_dense({70000}, rng);
  GraphBuilder graph;
  graph.input("a", a.shape).floats("c", c);
  graph.node("Mul", {"a", "c"}, "y");
  graph.output("y");
  expect_matches(graph, {a}, naive_binary(a, c, "Mul"));
}

/// Output \p index of \p graph on \p inputs with \p options.
std::vector<float> run_graph(const GraphBuilder& graph, const std::vector<Dense>& inputs,
                             const OnnxExecutorOptions& options, std::size_t index = 0) {
  std::vector<ConstTensorView> views;
  views.reserve(inputs.size());
  for (const Dense& input : inputs) {
    views.push_back(input.view());
  }
  OnnxExecutor executor(graph.build(), options);
  executor.run(views);
  const ConstTensorView out = executor.output(index);
  return {out.data.begin(), out.data.end()};
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

TEST(OnnxOperators, ReluFusedIntoConvGivesTheReluNodeBits) {
  // Zeros times negative weights plus a -0 bias give -0 outputs, and a NaN spreads to its
  // neighbours: the Relu node maps both to +0, and so must the fused Relu of every Conv path.
  const std::vector<ConvCase> cases{
      {{1, 3, 5, 7}, {3, 1, 3, 3}, 3, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, true},   // depthwise 3x3
      {{1, 2, 5, 5}, {3, 2, 3, 3}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, true},   // general
      {{1, 7, 1, 37}, {13, 7, 1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, true, true}, // pointwise
  };
  for (const ConvCase& c : cases) {
    Dense x{c.x, std::vector<float>(static_cast<std::size_t>(shape_num_elements(c.x)), 0.0F)};
    x.data[x.data.size() / 2] = std::numeric_limits<float>::quiet_NaN();
    const Dense w{c.w,
                  std::vector<float>(static_cast<std::size_t>(shape_num_elements(c.w)), -1.0F)};
    const Dense b{{c.w[0]}, std::vector<float>(static_cast<std::size_t>(c.w[0]), -0.0F)};
    GraphBuilder graph;
    graph.input("x", c.x).floats("w", w).floats("b", b);
    graph.node("Conv", {"x", "w", "b"}, "conv").attributes = {
        int_attribute("group", c.group), ints_attribute("pads", c.pads),
        ints_attribute("kernel_shape", {c.w[2], c.w[3]})};
    graph.node("Relu", {"conv"}, "y");
    graph.output("y");
    SCOPED_TRACE(shape_to_string(c.x) + " * " + shape_to_string(c.w));
    const std::vector<float> separate = run_graph(graph, {x}, {.fuse_relu = false});
    EXPECT_TRUE(std::all_of(separate.begin(), separate.end(),
                            [](float v) { return std::signbit(v) == false && v == 0.0F; }));
    EXPECT_TRUE(same_bits(run_graph(graph, {x}, {}), separate));
    EXPECT_TRUE(same_bits(run_graph(graph, {x}, {.use_simd = false}), separate));
  }
}

TEST(OnnxOperators, ReluAfterArithmeticIsFusedWithTheSameValues) {
  const std::vector<std::pair<TensorShape, TensorShape>> shapes{
      {{2, 3, 4, 5}, {3, 1, 5}}, {{2, 3, 40}, {2, 3, 40}}, {{2, 3, 4}, {}}, {{1}, {3, 1}}};
  std::mt19937 rng(15);
  for (const std::string op : {"Add", "Sub", "Mul", "Div"}) {
    for (const auto& [sa, sb] : shapes) {
      Dense a = test::random_dense(sa, rng, -2.0F, 2.0F);
      const Dense b = test::random_dense(sb, rng, 0.5F, 2.0F);
      if (a.data.size() >= 4) { // what max(x, 0) must treat as the Relu node does
        a.data[0] = std::numeric_limits<float>::quiet_NaN();
        a.data[1] = std::numeric_limits<float>::infinity();
        a.data[2] = -std::numeric_limits<float>::infinity();
        a.data[3] = -0.0F;
      }
      GraphBuilder graph;
      graph.input("a", sa).input("b", sb);
      graph.node(op, {"a", "b"}, "t");
      graph.node("Relu", {"t"}, "y");
      graph.output("y");
      SCOPED_TRACE(op + " " + shape_to_string(sa) + " " + shape_to_string(sb));
      const std::vector<float> separate = run_graph(graph, {a, b}, {.fuse_relu = false});
      for (const unsigned threads : {1U, 3U}) {
        EXPECT_TRUE(same_bits(run_graph(graph, {a, b}, {.num_threads = threads}), separate));
      }
      Dense expected = naive_binary(a, b, op);
      for (float& value : expected.data) {
        value = value > 0.0F ? value : 0.0F;
      }
      EXPECT_TRUE(same_bits(separate, expected.data));
    }
  }
  // A Relu that is not the only reader is not fused: the other reader gets the values without it.
  const Dense a = test::random_dense({2, 3, 4}, rng, -2.0F, 2.0F);
  const Dense b = test::random_dense({2, 3, 4}, rng, -2.0F, 2.0F);
  GraphBuilder shared;
  shared.input("a", a.shape).input("b", b.shape);
  shared.node("Add", {"a", "b"}, "t");
  shared.node("Relu", {"t"}, "y");
  shared.output("y").output("t");
  const Dense sum = naive_binary(a, b, "Add");
  EXPECT_TRUE(same_bits(run_graph(shared, {a, b}, {}, 1), sum.data));
  std::vector<float> relu = sum.data;
  for (float& value : relu) {
    value = value > 0.0F ? value : 0.0F;
  }
  EXPECT_TRUE(same_bits(run_graph(shared, {a, b}, {}, 0), relu));
}

TEST(OnnxOperators, Unary) {
  std::mt19937 rng(14);
  const Dense x = test::random_dense({3, 7, 5}, rng, -3.0F, 3.0F);
  for (const std::string op :
       {"Relu", "Sqrt", "Sigmoid", "Tanh", "Reciprocal", "Neg", "Identity"}) {
    Dense input = x;
    if (op == "Sqrt") {
      for (float& v : input.data) {
        v = std::abs(v);
      }
    }
    if (op == "Reciprocal") { // away from 0, both signs
      for (float& v : input.data) {
        v += v < 0.0F ? -0.5F : 0.5F;
      }
    }
    Dense y = input;
    for (float& v : y.data) {
      const double d = v;
      v = static_cast<float>(op == "Relu"         ? std::max(d, 0.0)
                             : op == "Sqrt"       ? std::sqrt(d)
                             : op == "Sigmoid"    ? 1.0 / (1.0 + std::exp(-d))
                             : op == "Tanh"       ? std::tanh(d)
                             : op == "Reciprocal" ? 1.0 / d
                             : op == "Neg"        ? -d
                                                  : d);
    }
    GraphBuilder graph;
    graph.input("x", x.shape);
    graph.node(op, {"x"}, "y");
    graph.output("y");
    SCOPED_TRACE(op);
    expect_matches(graph, {input}, y);
  }
}

} // namespace
} // namespace airan::phy::nn
