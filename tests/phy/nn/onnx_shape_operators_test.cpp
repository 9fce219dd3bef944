// Data-movement and linear-algebra operators of the ONNX executor against naive loops:
// Transpose, Slice (negative indices and steps), Reshape (0 and -1), ReduceMean (keepdims 0/1,
// opset 13 attribute and opset 18 input), Concat, Gemm (transA/transB/alpha/beta), batched MatMul.
#include "airan/phy/nn/onnx_executor.h"
#include "onnx_test_graphs.h"

#include <gtest/gtest.h>

namespace airan::phy::nn {
namespace {

using test::Dense;
using test::expect_matches;
using test::for_each_index;
using test::GraphBuilder;
using test::offset_of;

Dense zeros(const TensorShape& shape) {
  return {shape, std::vector<float>(static_cast<std::size_t>(shape_num_elements(shape)))};
}

TEST(OnnxShapeOperators, Transpose) {
  std::mt19937 rng(21);
  const Dense x = test::random_dense({2, 3, 4, 5}, rng);
  for (const std::vector<std::int64_t>& perm :
       std::vector<std::vector<std::int64_t>>{{0, 2, 3, 1}, {3, 1, 0, 2}, {}}) {
    const std::vector<std::int64_t> p = perm.empty() ? std::vector<std::int64_t>{3, 2, 1, 0} : perm;
    Dense y = zeros({x.shape[p[0]], x.shape[p[1]], x.shape[p[2]], x.shape[p[3]]});
    for_each_index(y.shape, [&](const std::vector<std::int64_t>& i) {
      std::vector<std::int64_t> source(4);
      for (std::size_t d = 0; d < 4; ++d) {
        source[p[d]] = i[d];
      }
      y.data[offset_of(y.shape, i)] = x.data[offset_of(x.shape, source)];
    });
    GraphBuilder graph;
    graph.input("x", x.shape);
    OnnxNode& node = graph.node("Transpose", {"x"}, "y");
    if (!perm.empty()) {
      node.attributes.push_back(ints_attribute("perm", perm));
    }
    graph.output("y");
    expect_matches(graph, {x}, y, 0.0);
  }
}

/// Python's slice(start, stop, step).indices(dim).
std::vector<std::int64_t> python_range(std::int64_t start, std::int64_t stop, std::int64_t step,
                                       std::int64_t dim) {
  const auto fix = [&](std::int64_t v, bool is_start) {
    if (v < 0) {
      v += dim;
      return v < 0 ? (step < 0 ? std::int64_t{-1} : std::int64_t{0}) : v;
    }
    (void)is_start;
    return v >= dim ? (step < 0 ? dim - 1 : dim) : v;
  };
  std::vector<std::int64_t> indices;
  for (std::int64_t i = fix(start, true); step > 0 ? i < fix(stop, false) : i > fix(stop, false);
       i += step) {
    indices.push_back(i);
  }
  return indices;
}

TEST(OnnxShapeOperators, SliceWithNegativeIndicesAndSteps) {
  std::mt19937 rng(22);
  const Dense x = test::random_dense({3, 5, 6, 7}, rng);
  struct Case {
    std::vector<std::int64_t> starts, ends, axes, steps;
  };
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  for (const Case& c : std::vector<Case>{
           {{-1, 1}, {-1000, big}, {3, -3}, {-2, 2}},
           {{0, 4}, {2, -1}, {0, 1}, {1, 1}},
           {{-2}, {big}, {-1}, {1}},
           {{5, -1}, {0, -big}, {2, 3}, {-1, -3}},
           {{1, 2, 0, 3}, {3, 2, 6, 7}, {0, 1, 2, 3}, {1, 1, 4, 2}}, // an empty axis
       }) {
    std::vector<std::vector<std::int64_t>> ranges(4);
    for (std::size_t d = 0; d < 4; ++d) {
      ranges[d] = python_range(0, x.shape[d], 1, x.shape[d]);
    }
    for (std::size_t i = 0; i < c.starts.size(); ++i) {
      const std::size_t axis = static_cast<std::size_t>(c.axes[i] < 0 ? c.axes[i] + 4 : c.axes[i]);
      ranges[axis] = python_range(c.starts[i], c.ends[i], c.steps[i], x.shape[axis]);
    }
    Dense y = zeros(
        {static_cast<std::int64_t>(ranges[0].size()), static_cast<std::int64_t>(ranges[1].size()),
         static_cast<std::int64_t>(ranges[2].size()), static_cast<std::int64_t>(ranges[3].size())});
    for_each_index(y.shape, [&](const std::vector<std::int64_t>& i) {
      y.data[offset_of(y.shape, i)] = x.data[offset_of(
          x.shape, {ranges[0][i[0]], ranges[1][i[1]], ranges[2][i[2]], ranges[3][i[3]]})];
    });
    GraphBuilder graph;
    graph.input("x", x.shape)
        .ints("starts", c.starts)
        .ints("ends", c.ends)
        .ints("axes", c.axes)
        .ints("steps", c.steps);
    graph.node("Slice", {"x", "starts", "ends", "axes", "steps"}, "y");
    graph.output("y");
    SCOPED_TRACE(shape_to_string(c.starts) + " " + shape_to_string(c.steps));
    expect_matches(graph, {x}, y, 0.0);
  }
}

TEST(OnnxShapeOperators, SliceStepsBeyondTheDimensionSelectOneElement) {
  std::mt19937 rng(23);
  const Dense x = test::random_dense({4, 8}, rng);
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  for (const std::int64_t step : {big, -big, std::int64_t{1} << 40}) {
    GraphBuilder graph;
    graph.input("x", x.shape)
        .ints("starts", {step > 0 ? 1 : -2})
        .ints("ends", {step > 0 ? big : -big})
        .ints("axes", {0})
        .ints("steps", {step});
    graph.node("Slice", {"x", "starts", "ends", "axes", "steps"}, "y");
    graph.output("y");
    const std::int64_t row = step > 0 ? 1 : 2;
    const Dense y{{1, 8}, {x.data.begin() + row * 8, x.data.begin() + row * 8 + 8}};
    SCOPED_TRACE(step);
    expect_matches(graph, {x}, y, 0.0);
  }
}

TEST(OnnxShapeOperators, SliceOneNeedsStartsAndEnds) {
  GraphBuilder graph(9);
  graph.input("x", {4, 8});
  graph.node("Slice", {"x"}, "y").attributes.push_back(ints_attribute("axes", {0}));
  graph.output("y");
  try {
    OnnxExecutor executor(graph.build());
    ADD_FAILURE() << "a Slice-1 without starts/ends was accepted";
  } catch (const OnnxError& error) {
    EXPECT_NE(std::string(error.what()).find("starts and ends"), std::string::npos) << error.what();
  }
}

TEST(OnnxShapeOperators, ReshapeWithZeroAndMinusOne) {
  std::mt19937 rng(23);
  const Dense x = test::random_dense({2, 3, 4, 5}, rng);
  for (const auto& [shape, expected] :
       std::vector<std::pair<std::vector<std::int64_t>, TensorShape>>{
           {{0, -1}, {2, 60}},
           {{0, 0, -1, 2}, {2, 3, 10, 2}},
           {{-1}, {120}},
           {{4, 0, 10}, {4, 3, 10}}}) {
    GraphBuilder graph;
    graph.input("x", x.shape).ints("shape", shape);
    graph.node("Reshape", {"x", "shape"}, "y");
    graph.output("y");
    expect_matches(graph, {x}, Dense{expected, x.data}, 0.0);
  }
  GraphBuilder bad;
  bad.input("x", x.shape).ints("shape", {7, -1});
  bad.node("Reshape", {"x", "shape"}, "y");
  bad.output("y");
  OnnxExecutor executor(bad.build());
  EXPECT_THROW(executor.run(std::vector{x.view()}), OnnxError);
}

TEST(OnnxShapeOperators, ReduceMean) {
  std::mt19937 rng(24);
  const Dense x = test::random_dense({2, 3, 4, 5}, rng);
  for (const std::int64_t opset : {13, 18}) {
    for (const std::vector<std::int64_t>& axes :
         std::vector<std::vector<std::int64_t>>{{1, 3}, {-1}, {1, 2, 3}, {0}, {}}) {
      for (const bool keepdims : {false, true}) {
        TensorShape shape;
        std::vector<bool> reduced(4, axes.empty());
        for (const std::int64_t a : axes) {
          reduced[static_cast<std::size_t>(a < 0 ? a + 4 : a)] = true;
        }
        for (std::size_t d = 0; d < 4; ++d) {
          if (!reduced[d] || keepdims) {
            shape.push_back(reduced[d] ? 1 : x.shape[d]);
          }
        }
        Dense sum = zeros(shape);
        std::vector<int> counts(sum.data.size(), 0);
        for_each_index(x.shape, [&](const std::vector<std::int64_t>& i) {
          std::vector<std::int64_t> o;
          for (std::size_t d = 0; d < 4; ++d) {
            if (!reduced[d] || keepdims) {
              o.push_back(reduced[d] ? 0 : i[d]);
            }
          }
          sum.data[offset_of(shape, o)] += x.data[offset_of(x.shape, i)];
          ++counts[offset_of(shape, o)];
        });
        for (std::size_t i = 0; i < sum.data.size(); ++i) {
          sum.data[i] /= static_cast<float>(counts[i]);
        }
        GraphBuilder graph(opset);
        graph.input("x", x.shape);
        std::vector<std::string> inputs{"x"};
        if (opset >= 18 && !axes.empty()) {
          graph.ints("axes", axes);
          inputs.push_back("axes");
        }
        OnnxNode& node = graph.node("ReduceMean", inputs, "y");
        node.attributes.push_back(int_attribute("keepdims", keepdims ? 1 : 0));
        if (opset < 18 && !axes.empty()) {
          node.attributes.push_back(ints_attribute("axes", axes));
        }
        graph.output("y");
        SCOPED_TRACE("opset " + std::to_string(opset) + " axes " + shape_to_string(axes));
        expect_matches(graph, {x}, sum, 1e-5);
      }
    }
  }
}

TEST(OnnxShapeOperators, Concat) {
  std::mt19937 rng(25);
  const Dense a = test::random_dense({2, 3, 4}, rng);
  const Dense b = test::random_dense({2, 1, 4}, rng);
  const Dense c = test::random_dense({2, 2, 4}, rng);
  Dense y = zeros({2, 6, 4});
  for_each_index(y.shape, [&](const std::vector<std::int64_t>& i) {
    const Dense& source = i[1] < 3 ? a : i[1] < 4 ? b : c;
    const std::int64_t row = i[1] < 3 ? i[1] : i[1] < 4 ? i[1] - 3 : i[1] - 4;
    y.data[offset_of(y.shape, i)] = source.data[offset_of(source.shape, {i[0], row, i[2]})];
  });
  for (const std::int64_t axis : {1, -2}) {
    GraphBuilder graph;
    graph.input("a", a.shape).input("b", b.shape).input("c", c.shape);
    graph.node("Concat", {"a", "b", "c"}, "y").attributes.push_back(int_attribute("axis", axis));
    graph.output("y");
    expect_matches(graph, {a, b, c}, y, 0.0);
  }
}

TEST(OnnxShapeOperators, Gemm) {
  std::mt19937 rng(26);
  const std::int64_t m = 5, k = 7, n = 9;
  for (const bool trans_a : {false, true}) {
    for (const bool trans_b : {false, true}) {
      for (const TensorShape& c_shape : {TensorShape{n}, TensorShape{m, 1}, TensorShape{m, n}}) {
        const Dense a = test::random_dense(trans_a ? TensorShape{k, m} : TensorShape{m, k}, rng);
        const Dense b = test::random_dense(trans_b ? TensorShape{n, k} : TensorShape{k, n}, rng);
        const Dense c = test::random_dense(c_shape, rng);
        const float alpha = 0.75F, beta = -1.5F;
        Dense y = zeros({m, n});
        for_each_index(y.shape, [&](const std::vector<std::int64_t>& i) {
          double acc = 0.0;
          for (std::int64_t j = 0; j < k; ++j) {
            acc += static_cast<double>(a.data[trans_a ? j * m + i[0] : i[0] * k + j]) *
                   b.data[trans_b ? i[1] * k + j : j * n + i[1]];
          }
          const float cv = c_shape.size() == 1 ? c.data[i[1]]
                           : c_shape[1] == 1   ? c.data[i[0]]
                                               : c.data[i[0] * n + i[1]];
          y.data[offset_of(y.shape, i)] = static_cast<float>(alpha * acc + beta * cv);
        });
        GraphBuilder graph;
        graph.input("a", a.shape).floats("b", b).input("c", c.shape);
        graph.node("Gemm", {"a", "b", "c"}, "y").attributes = {
            int_attribute("transA", trans_a), int_attribute("transB", trans_b),
            float_attribute("alpha", alpha), float_attribute("beta", beta)};
        graph.output("y");
        expect_matches(graph, {a, c}, y, 1e-5);
      }
    }
  }
}

TEST(OnnxShapeOperators, BatchedMatMul) {
  std::mt19937 rng(27);
  struct Case {
    TensorShape a, b, y;
  };
  for (const Case& c : std::vector<Case>{{{2, 1, 3, 4}, {3, 4, 5}, {2, 3, 3, 5}},
                                         {{3, 4}, {4, 6}, {3, 6}},
                                         {{4}, {2, 4, 3}, {2, 3}},
                                         {{2, 3, 4}, {4}, {2, 3}}}) {
    const Dense a = test::random_dense(c.a, rng);
    const Dense b = test::random_dense(c.b, rng);
    // Promote 1-D operands, compute on [batch..., M, N], then drop the promoted dimensions.
    const TensorShape a2 = c.a.size() == 1 ? TensorShape{1, c.a[0]} : c.a;
    const TensorShape b2 = c.b.size() == 1 ? TensorShape{c.b[0], 1} : c.b;
    const std::int64_t k = a2.back();
    Dense y = zeros(c.y);
    std::vector<float> full;
    TensorShape full_shape(c.y.begin(), c.y.end());
    if (c.a.size() == 1) {
      full_shape.insert(full_shape.end() - 1, 1);
    }
    if (c.b.size() == 1) {
      full_shape.push_back(1);
    }
    const std::size_t rank = full_shape.size();
    for_each_index(full_shape, [&](const std::vector<std::int64_t>& i) {
      double acc = 0.0;
      for (std::int64_t j = 0; j < k; ++j) {
        const auto pick = [&](const TensorShape& s, const Dense& t, std::int64_t r,
                              std::int64_t col) {
          std::vector<std::int64_t> index;
          for (std::size_t d = 0; d + 2 < s.size(); ++d) {
            const std::size_t od = rank - s.size() + d;
            index.push_back(s[d] == 1 ? 0 : i[od]);
          }
          index.push_back(r);
          index.push_back(col);
          return t.data[offset_of(s, index)];
        };
        acc += static_cast<double>(pick(a2, a, i[rank - 2], j)) * pick(b2, b, j, i[rank - 1]);
      }
      y.data[test::offset_of(full_shape, i)] = static_cast<float>(acc);
    });
    GraphBuilder graph;
    graph.input("a", c.a).input("b", c.b);
    graph.node("MatMul", {"a", "b"}, "y");
    graph.output("y");
    SCOPED_TRACE(shape_to_string(c.a) + " x " + shape_to_string(c.b));
    expect_matches(graph, {a, b}, y, 1e-5);
  }
}

} // namespace
} // namespace airan::phy::nn
