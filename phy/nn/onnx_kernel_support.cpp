/// \file
/// \brief Helpers shared by the operator kernels: attribute and input checks, constant shape
/// arguments, element counts.
#include "onnx_kernels.h"

#include <algorithm>

namespace airan::phy::nn::detail {
namespace {

const char* attribute_type_name(OnnxAttributeType type) {
  switch (type) {
  case OnnxAttributeType::floating:
    return "float";
  case OnnxAttributeType::integer:
    return "int";
  case OnnxAttributeType::string:
    return "string";
  case OnnxAttributeType::tensor:
    return "tensor";
  case OnnxAttributeType::floats:
    return "floats";
  case OnnxAttributeType::integers:
    return "ints";
  case OnnxAttributeType::unsupported:
    break;
  }
  return "unsupported type";
}

} // namespace

void Kernel::fail(const std::string& what) const {
  throw OnnxError(description_ + ": " + what);
}

void check_node(const NodeBuildContext& context, std::initializer_list<AttributeSpec> allowed,
                std::size_t min_inputs, std::size_t max_inputs) {
  const OnnxNode& node = context.node;
  const auto fail = [&](const std::string& what) {
    throw OnnxError(node.describe() + ": " + what);
  };
  for (const OnnxAttribute& attribute : node.attributes) {
    const auto* spec = std::find_if(allowed.begin(), allowed.end(), [&](const AttributeSpec& s) {
      return attribute.name == s.name;
    });
    if (spec == allowed.end()) {
      fail("attribute '" + attribute.name + "' is not supported");
    }
    if (attribute.type != spec->type) {
      fail("attribute '" + attribute.name + "' is of type " + attribute_type_name(attribute.type) +
           ", expected " + attribute_type_name(spec->type));
    }
  }
  if (node.inputs.size() < min_inputs || node.inputs.size() > max_inputs) {
    fail("takes " + std::to_string(min_inputs) + " to " + std::to_string(max_inputs) +
         " inputs, not " + std::to_string(node.inputs.size()));
  }
  for (std::size_t i = 0; i < min_inputs; ++i) {
    if (node.inputs[i].empty()) {
      fail("input " + std::to_string(i) + " is required");
    }
  }
  if (node.outputs.size() != 1 || node.outputs[0].empty()) {
    fail("must have exactly one output");
  }
}

std::int64_t attribute_int(const OnnxNode& node, const char* name, std::int64_t fallback) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  return attribute != nullptr ? attribute->i : fallback;
}

float attribute_float(const OnnxNode& node, const char* name, float fallback) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  return attribute != nullptr ? attribute->f : fallback;
}

std::string attribute_string(const OnnxNode& node, const char* name, const std::string& fallback) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  return attribute != nullptr ? attribute->s : fallback;
}

std::vector<std::int64_t> attribute_ints(const OnnxNode& node, const char* name,
                                         std::vector<std::int64_t> fallback) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  if (attribute != nullptr) {
    return attribute->ints;
  }
  return fallback;
}

std::vector<std::int64_t> constant_ints(const NodeBuildContext& context, std::size_t index) {
  const Tensor* tensor = index < context.constants.size() ? context.constants[index] : nullptr;
  const std::string what = context.node.describe() + ": input " + std::to_string(index);
  if (tensor == nullptr) {
    throw OnnxError(what + " must be a constant (an initializer or a Constant node)");
  }
  if (tensor->data_type != TensorDataType::int64 || tensor->shape.size() > 1) {
    throw OnnxError(what + " must be a 1-D int64 tensor, not " +
                    tensor_data_type_name(tensor->data_type) + " " +
                    shape_to_string(tensor->shape));
  }
  return tensor->ints;
}

std::int64_t checked_num_elements(std::span<const std::int64_t> shape) {
  return bounded_num_elements(shape);
}

} // namespace airan::phy::nn::detail
