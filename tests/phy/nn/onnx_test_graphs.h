// Test helpers for the ONNX executor: single-node model construction (through a
// serialize -> parse round trip), random tensors and a multi-index iterator for naive
// reference loops.
#pragma once

#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/nn/onnx_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace airan::phy::nn::test {

/// A dense tensor for reference computations.
struct Dense {
  TensorShape shape;
  std::vector<float> data;

  [[nodiscard]] ConstTensorView view() const { return {data, shape}; }
};

inline Dense random_dense(const TensorShape& shape, std::mt19937& rng, float low = -1.0F,
                          float high = 1.0F) {
  std::uniform_real_distribution<float> dist(low, high);
  Dense dense{shape, std::vector<float>(static_cast<std::size_t>(shape_num_elements(shape)))};
  for (float& value : dense.data) {
    value = dist(rng);
  }
  return dense;
}

/// Row-major offset of \p index in \p shape.
inline std::int64_t offset_of(const TensorShape& shape, const std::vector<std::int64_t>& index) {
  std::int64_t offset = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    offset = offset * shape[d] + index[d];
  }
  return offset;
}

/// Calls fn(index) for every multi-index of \p shape in row-major order.
template <typename F> void for_each_index(const TensorShape& shape, F&& fn) {
  if (shape_num_elements(shape) == 0) {
    return;
  }
  std::vector<std::int64_t> index(shape.size(), 0);
  while (true) {
    fn(index);
    std::size_t d = shape.size();
    while (d > 0) {
      --d;
      if (++index[d] < shape[d]) {
        break;
      }
      index[d] = 0;
      if (d == 0) {
        return;
      }
    }
    if (shape.empty()) {
      return;
    }
  }
}

/// Builds small models node by node.
class GraphBuilder {
public:
  explicit GraphBuilder(std::int64_t opset = 13) {
    model_.opset_version = opset;
    model_.graph.name = "test_graph";
  }

  GraphBuilder& input(const std::string& name, const TensorShape& shape) {
    OnnxValueInfo info;
    info.name = name;
    for (const std::int64_t dim : shape) {
      info.dims.emplace_back(dim);
      info.dim_names.emplace_back();
    }
    model_.graph.inputs.push_back(info);
    return *this;
  }

  GraphBuilder& symbolic_input(const std::string& name, const std::vector<std::string>& dims) {
    OnnxValueInfo info;
    info.name = name;
    for (const std::string& dim : dims) {
      if (dim.empty() || dim[0] < '0' || dim[0] > '9') {
        info.dims.emplace_back(std::nullopt);
        info.dim_names.push_back(dim);
      } else {
        info.dims.emplace_back(std::stoll(dim));
        info.dim_names.emplace_back();
      }
    }
    model_.graph.inputs.push_back(info);
    return *this;
  }

  GraphBuilder& floats(const std::string& name, const Dense& value) {
    Tensor tensor;
    tensor.name = name;
    tensor.shape = value.shape;
    tensor.floats = value.data;
    model_.graph.initializers.push_back(tensor);
    return *this;
  }

  GraphBuilder& ints(const std::string& name, const std::vector<std::int64_t>& values) {
    Tensor tensor;
    tensor.name = name;
    tensor.data_type = TensorDataType::int64;
    tensor.shape = {static_cast<std::int64_t>(values.size())};
    tensor.ints = values;
    model_.graph.initializers.push_back(tensor);
    return *this;
  }

  OnnxNode& node(const std::string& op, const std::vector<std::string>& inputs,
                 const std::string& output) {
    OnnxNode node;
    node.name = "/" + op + "_" + std::to_string(model_.graph.nodes.size());
    node.op_type = op;
    node.inputs = inputs;
    node.outputs = {output};
    model_.graph.nodes.push_back(node);
    return model_.graph.nodes.back();
  }

  GraphBuilder& output(const std::string& name) {
    OnnxValueInfo info;
    info.name = name;
    info.has_shape = false;
    model_.graph.outputs.push_back(info);
    return *this;
  }

  /// The model after a serialize -> parse round trip.
  [[nodiscard]] OnnxModel build() const {
    const std::string bytes = serialize_onnx_model(model_);
    return parse_onnx_model(std::as_bytes(std::span(bytes.data(), bytes.size())), "test_graph");
  }

  OnnxModel& model() { return model_; }

private:
  OnnxModel model_;
};

/// Runs \p graph on \p inputs under several executor options and compares with \p expected.
inline void expect_matches(const GraphBuilder& graph, const std::vector<Dense>& inputs,
                           const Dense& expected, double tolerance = 2e-5) {
  std::vector<ConstTensorView> views;
  for (const Dense& input : inputs) {
    views.push_back(input.view());
  }
  std::vector<float> first;
  for (const OnnxExecutorOptions options :
       {OnnxExecutorOptions{.num_threads = 1}, OnnxExecutorOptions{.num_threads = 3},
        OnnxExecutorOptions{.num_threads = 1, .use_simd = false}}) {
    OnnxExecutor executor(graph.build(), options);
    executor.run(views);
    const ConstTensorView out = executor.output(0);
    ASSERT_TRUE(std::equal(out.shape.begin(), out.shape.end(), expected.shape.begin(),
                           expected.shape.end()))
        << shape_to_string(out.shape) << " vs " << shape_to_string(expected.shape);
    ASSERT_EQ(out.data.size(), expected.data.size());
    for (std::size_t i = 0; i < expected.data.size(); ++i) {
      ASSERT_NEAR(out.data[i], expected.data[i],
                  tolerance * std::max(1.0F, std::abs(expected.data[i])))
          << "element " << i << ", " << options.num_threads << " threads, simd "
          << options.use_simd;
    }
    if (options.use_simd && first.empty()) {
      first.assign(out.data.begin(), out.data.end());
    } else if (options.use_simd) {
      EXPECT_TRUE(std::equal(first.begin(), first.end(), out.data.begin()))
          << "thread counts differ";
    }
  }
}

} // namespace airan::phy::nn::test
