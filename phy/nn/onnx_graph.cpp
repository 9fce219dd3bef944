/// \file
/// \brief Structural checks of an ONNX graph (values defined once and before use, initializers
/// consistent with their shapes) and the OnnxNode helpers.
#include "airan/phy/nn/onnx_model.h"

#include <unordered_set>

namespace airan::phy::nn {

const OnnxAttribute* OnnxNode::find_attribute(const std::string& attribute_name) const {
  for (const OnnxAttribute& attribute : attributes) {
    if (attribute.name == attribute_name) {
      return &attribute;
    }
  }
  return nullptr;
}

std::string OnnxNode::describe() const {
  if (!name.empty()) {
    return "node '" + name + "' (" + op_type + ")";
  }
  if (!outputs.empty()) {
    return "node producing '" + outputs.front() + "' (" + op_type + ")";
  }
  return "unnamed node (" + op_type + ")";
}

namespace {

void check_tensor(const Tensor& tensor, const std::string& source, const std::string& what) {
  const std::int64_t count = bounded_num_elements(tensor.shape);
  if (count < 0) {
    std::string message = "ONNX model '";
    message.append(source).append("': ").append(what).append(": shape ");
    message.append(shape_to_string(tensor.shape)).append(" is invalid or too large");
    throw OnnxError(message);
  }
  const bool is_float = tensor.data_type == TensorDataType::float32;
  const std::size_t have = is_float ? tensor.floats.size() : tensor.ints.size();
  const std::size_t other = is_float ? tensor.ints.size() : tensor.floats.size();
  if (have != static_cast<std::size_t>(count) || other != 0 ||
      tensor.shape.size() > max_tensor_rank) {
    throw OnnxError("ONNX model '" + source + "': " + what + ": " + std::to_string(have) + " " +
                    tensor_data_type_name(tensor.data_type) + " elements for shape " +
                    shape_to_string(tensor.shape));
  }
}

} // namespace

void validate_onnx_graph(const OnnxModel& model, const std::string& source_name) {
  const auto fail = [&](const std::string& what) {
    throw OnnxError("ONNX model '" + source_name + "': " + what);
  };
  if (model.opset_version < 1) {
    fail("no opset is imported for the default domain");
  }
  const OnnxGraph& graph = model.graph;
  std::unordered_set<std::string> defined;
  const auto define = [&](const std::string& name, const std::string& by) {
    if (name.empty()) {
      fail(by + " defines a value with an empty name");
    }
    if (!defined.insert(name).second) {
      fail(by + ": value '" + name + "' is defined twice");
    }
  };
  for (const OnnxValueInfo& input : graph.inputs) {
    define(input.name, "graph input '" + input.name + "'");
    if (input.dim_names.size() > input.dims.size()) {
      fail("graph input '" + input.name + "': more dimension names than dimensions");
    }
  }
  for (const Tensor& initializer : graph.initializers) {
    const std::string what = "initializer '" + initializer.name + "'";
    define(initializer.name, what);
    check_tensor(initializer, source_name, what);
  }
  for (const OnnxNode& node : graph.nodes) {
    for (const std::string& input : node.inputs) {
      if (!input.empty() && !defined.contains(input)) {
        fail(node.describe() + ": input '" + input + "' is not defined before the node");
      }
    }
    for (const OnnxAttribute& attribute : node.attributes) {
      if (attribute.type == OnnxAttributeType::tensor) {
        check_tensor(attribute.t, source_name,
                     node.describe() + ": attribute '" + attribute.name + "'");
      }
    }
    for (const std::string& output : node.outputs) {
      if (!output.empty()) {
        define(output, node.describe());
      }
    }
  }
  if (graph.outputs.empty()) {
    fail("the graph has no outputs");
  }
  for (const OnnxValueInfo& output : graph.outputs) {
    if (!defined.contains(output.name)) {
      fail("graph output '" + output.name + "' is not produced by the graph");
    }
  }
}

} // namespace airan::phy::nn
