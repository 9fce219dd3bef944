/// \file
/// \brief The run-time input checks and Constant node values both ONNX executors use
/// (onnx_shape_rules.h).
#include "airan/phy/nn/onnx_shape_rules.h"

#include <algorithm>

namespace airan::phy::nn {
namespace {} // namespace

bool input_shapes_equal(std::span<const ConstTensorView> inputs,
                        std::span<const TensorShape> shapes) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!std::equal(inputs[i].shape.begin(), inputs[i].shape.end(), shapes[i].begin(),
                    shapes[i].end())) {
      return false;
    }
  }
  return true;
}

std::optional<std::string>
input_mismatch(const OnnxGraph& graph, std::span<const ConstTensorView> inputs, bool check_data) {
  if (inputs.size() != graph.inputs.size()) {
    return "takes " + std::to_string(graph.inputs.size()) + " inputs, got " +
           std::to_string(inputs.size());
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const OnnxValueInfo& info = graph.inputs[i];
    const ConstTensorView& view = inputs[i];
    // Built only on failure: run() must not allocate.
    const auto what = [&] {
      return "input '" + info.name + "' with shape " + shape_to_string(view.shape);
    };
    if (view.shape.size() > max_tensor_rank) {
      return what() + ": more than 8 dimensions";
    }
    const std::int64_t count = bounded_num_elements(view.shape);
    if (count < 0) {
      return what() + ": negative or too large dimensions";
    }
    if (check_data && static_cast<std::size_t>(count) != view.data.size()) {
      return what() + ": " + std::to_string(view.data.size()) + " elements given";
    }
    if (!info.has_shape) {
      continue;
    }
    bool fits = view.shape.size() == info.dims.size();
    for (std::size_t d = 0; fits && d < info.dims.size(); ++d) {
      fits = !info.dims[d] || *info.dims[d] == view.shape[d];
    }
    if (!fits) {
      std::string expected = "[";
      for (std::size_t d = 0; d < info.dims.size(); ++d) {
        expected += (d > 0 ? ", " : "") +
                    (info.dims[d] ? std::to_string(*info.dims[d])
                                  : (d < info.dim_names.size() && !info.dim_names[d].empty()
                                         ? info.dim_names[d]
                                         : std::string("?")));
      }
      return what() + ": the model expects " + expected + "]";
    }
    // A symbolic dimension has one size across all inputs.
    for (std::size_t d = 0; d < info.dim_names.size(); ++d) {
      if (info.dim_names[d].empty()) {
        continue;
      }
      for (std::size_t j = 0; j < i; ++j) {
        const OnnxValueInfo& other = graph.inputs[j];
        for (std::size_t e = 0; e < other.dim_names.size() && other.has_shape; ++e) {
          if (other.dim_names[e] == info.dim_names[d] && inputs[j].shape[e] != view.shape[d]) {
            return what() + ": dimension '" + info.dim_names[d] + "' is " +
                   std::to_string(inputs[j].shape[e]) + " in input '" + other.name + "'";
          }
        }
      }
    }
  }
  return std::nullopt;
}

Tensor constant_node_tensor(const OnnxNode& node) {
  if (node.attributes.size() != 1) {
    fail_node(node.describe(), "needs exactly one of value, value_float, value_floats, "
                               "value_int, value_ints");
  }
  const OnnxAttribute& attribute = node.attributes[0];
  Tensor tensor;
  switch (attribute.type) {
  case OnnxAttributeType::tensor:
    tensor = attribute.t;
    break;
  case OnnxAttributeType::floating:
    tensor.floats = {attribute.f};
    break;
  case OnnxAttributeType::floats:
    tensor.floats = attribute.floats;
    tensor.shape = {static_cast<std::int64_t>(attribute.floats.size())};
    break;
  case OnnxAttributeType::integer:
    tensor.data_type = TensorDataType::int64;
    tensor.ints = {attribute.i};
    break;
  default:
    tensor.data_type = TensorDataType::int64;
    tensor.ints = attribute.ints;
    tensor.shape = {static_cast<std::int64_t>(attribute.ints.size())};
    break;
  }
  tensor.name = node.outputs.at(0);
  return tensor;
}

} // namespace airan::phy::nn
