/// \file
/// \brief GpuOnnxExecutor's program: each validated node becomes a Step with its attributes
/// and constant arguments parsed (the CPU OnnxExecutor has already rejected anything
/// unsupported), Constant nodes become values, and a Relu that only reads a Conv is fused.
#include "gpu_onnx_program.h"

#include <algorithm>
#include <unordered_map>

namespace airan::gpu::detail {
namespace {

using phy::nn::OnnxAttribute;
using phy::nn::OnnxAttributeType;
using phy::nn::OnnxError;
using phy::nn::TensorDataType;

std::int64_t int_attribute(const OnnxNode& node, const char* name, std::int64_t fallback) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  return attribute != nullptr ? attribute->i : fallback;
}

std::vector<std::int64_t> ints_attribute(const OnnxNode& node, const char* name) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  return attribute != nullptr ? attribute->ints : std::vector<std::int64_t>{};
}

/// The value of a Constant node (value, value_float(s), value_int(s)).
Tensor constant_value(const OnnxNode& node) {
  const OnnxAttribute& attribute = node.attributes.at(0);
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

class ProgramBuilder {
public:
  ProgramBuilder(const OnnxModel& model, Program& program) : model_(model), program_(program) {}

  void build() {
    for (std::size_t i = 0; i < model_.graph.inputs.size(); ++i) {
      program_.input_ids.push_back(
          define(model_.graph.inputs[i].name, Value{nullptr, static_cast<std::ptrdiff_t>(i), -1}));
    }
    for (const Tensor& initializer : model_.graph.initializers) {
      define(initializer.name, Value{&initializer, -1, -1});
    }
    for (const OnnxNode& node : model_.graph.nodes) {
      add_node(node);
    }
    for (const auto& output : model_.graph.outputs) {
      program_.output_ids.push_back(ids_.at(output.name));
    }
  }

private:
  std::size_t define(const std::string& name, Value value) {
    ids_[name] = program_.values.size();
    program_.values.push_back(value);
    return program_.values.size() - 1;
  }

  /// The int64 constant at node input \p index (validated by the CPU executor).
  std::vector<std::int64_t> constant_ints(const OnnxNode& node, std::size_t index) const {
    return program_.values[ids_.at(node.inputs.at(index))].constant->ints;
  }

  bool has_input(const OnnxNode& node, std::size_t index) const {
    return index < node.inputs.size() && !node.inputs[index].empty();
  }

  void add_node(const OnnxNode& node) {
    if (node.op_type == "Constant") {
      program_.constant_nodes.push_back(constant_value(node));
      define(node.outputs[0], Value{&program_.constant_nodes.back(), -1, -1});
      return;
    }
    Step step;
    step.description = node.describe();
    std::size_t data_inputs = 1;
    const std::string& op = node.op_type;
    if (op == "Conv") {
      parse_conv(node, step);
    } else if (op == "Relu" || op == "Sqrt" || op == "Sigmoid" || op == "Tanh") {
      step.kind = StepKind::unary;
      step.unary = op == "Relu"      ? onnx::UnaryOp::relu
                   : op == "Sqrt"    ? onnx::UnaryOp::sqrt
                   : op == "Sigmoid" ? onnx::UnaryOp::sigmoid
                                     : onnx::UnaryOp::tanh;
    } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      step.kind = StepKind::binary;
      step.binary = op == "Add"   ? onnx::BinaryOp::add
                    : op == "Sub" ? onnx::BinaryOp::sub
                    : op == "Mul" ? onnx::BinaryOp::mul
                                  : onnx::BinaryOp::div;
      data_inputs = 2;
    } else if (op == "Identity") {
      step.kind = StepKind::copy;
    } else if (op == "Reshape") {
      step.kind = StepKind::reshape;
      step.shape = constant_ints(node, 1);
      step.allow_zero = int_attribute(node, "allowzero", 0) != 0;
    } else if (op == "Concat") {
      step.kind = StepKind::concat;
      step.axis = int_attribute(node, "axis", 0);
      data_inputs = node.inputs.size();
    } else if (op == "Transpose") {
      step.kind = StepKind::transpose;
      step.perm = ints_attribute(node, "perm");
    } else if (op == "Slice") {
      parse_slice(node, step);
    } else if (op == "ReduceMean") {
      step.kind = StepKind::reduce_mean;
      if (model_.opset_version < 18) {
        step.reduce_axes = ints_attribute(node, "axes");
      } else if (has_input(node, 1)) {
        step.reduce_axes = constant_ints(node, 1);
      }
      step.keepdims = int_attribute(node, "keepdims", 1) != 0;
      step.noop_with_empty_axes = int_attribute(node, "noop_with_empty_axes", 0) != 0;
    } else if (op == "Gemm") {
      step.kind = StepKind::gemm;
      const OnnxAttribute* alpha = node.find_attribute("alpha");
      const OnnxAttribute* beta = node.find_attribute("beta");
      step.alpha = alpha != nullptr ? alpha->f : 1.0F;
      step.beta = beta != nullptr ? beta->f : 1.0F;
      step.trans_a = int_attribute(node, "transA", 0) != 0;
      step.trans_b = int_attribute(node, "transB", 0) != 0;
      data_inputs = has_input(node, 2) ? 3 : 2;
    } else if (op == "MatMul") {
      step.kind = StepKind::matmul;
      data_inputs = 2;
    } else {
      // The CPU executor accepted the node, so this executor is missing an operator it has.
      throw OnnxError(node.describe() + ": operator '" + op +
                      "' is not supported by the CUDA executor");
    }
    for (std::size_t i = 0; i < data_inputs; ++i) {
      step.inputs.push_back(ids_.at(node.inputs.at(i)));
    }
    step.output = define(node.outputs[0],
                         Value{nullptr, -1, static_cast<std::ptrdiff_t>(program_.steps.size())});
    program_.steps.push_back(std::move(step));
  }

  void parse_conv(const OnnxNode& node, Step& step) const {
    step.kind = StepKind::conv;
    ConvParameters& conv = step.conv;
    conv.weights = ids_.at(node.inputs[1]);
    const Tensor& weights = *program_.values[conv.weights].constant;
    conv.out_channels = weights.shape[0];
    conv.group_channels = weights.shape[1];
    conv.kernel = {weights.shape[2], weights.shape[3]};
    if (has_input(node, 2)) {
      conv.bias = static_cast<std::ptrdiff_t>(ids_.at(node.inputs[2]));
    }
    conv.group = int_attribute(node, "group", 1);
    if (const OnnxAttribute* auto_pad = node.find_attribute("auto_pad")) {
      conv.auto_pad = auto_pad->s;
    }
    const std::vector<std::int64_t> pads = ints_attribute(node, "pads");
    if (pads.size() == 4) {
      conv.pads = {pads[0], pads[1], pads[2], pads[3]};
    }
    const std::vector<std::int64_t> strides = ints_attribute(node, "strides");
    if (strides.size() == 2) {
      conv.strides = {strides[0], strides[1]};
    }
    const std::vector<std::int64_t> dilations = ints_attribute(node, "dilations");
    if (dilations.size() == 2) {
      conv.dilations = {dilations[0], dilations[1]};
    }
  }

  void parse_slice(const OnnxNode& node, Step& step) const {
    step.kind = StepKind::slice;
    if (model_.opset_version < 10) {
      step.starts = ints_attribute(node, "starts");
      step.ends = ints_attribute(node, "ends");
      step.axes = ints_attribute(node, "axes");
    } else {
      step.starts = constant_ints(node, 1);
      step.ends = constant_ints(node, 2);
      if (has_input(node, 3)) {
        step.axes = constant_ints(node, 3);
      }
      if (has_input(node, 4)) {
        step.steps = constant_ints(node, 4);
      }
    }
    if (step.axes.empty()) {
      for (std::size_t i = 0; i < step.starts.size(); ++i) {
        step.axes.push_back(static_cast<std::int64_t>(i));
      }
    }
    if (step.steps.empty()) {
      step.steps.assign(step.starts.size(), 1);
    }
  }

  const OnnxModel& model_;
  Program& program_;
  std::unordered_map<std::string, std::size_t> ids_;
};

void fuse_relus(Program& program) {
  std::vector<std::size_t> uses(program.values.size(), 0);
  for (const Step& step : program.steps) {
    for (const std::size_t v : step.inputs) {
      ++uses[v];
    }
  }
  for (const std::size_t v : program.output_ids) {
    uses[v] += 2; // never fold a graph output away
  }
  for (Step& relu : program.steps) {
    if (relu.kind != StepKind::unary || relu.unary != onnx::UnaryOp::relu) {
      continue;
    }
    const std::size_t source = relu.inputs[0];
    const std::ptrdiff_t producer = program.values[source].step;
    if (producer < 0 || uses[source] != 1) {
      continue;
    }
    Step& conv = program.steps[static_cast<std::size_t>(producer)];
    if (conv.kind != StepKind::conv) {
      continue;
    }
    conv.conv.relu = true;
    conv.output = relu.output;
    program.values[relu.output].step = producer;
    program.values[source].step = -1; // no longer computed
    relu.removed = true;
  }
}

} // namespace

void Step::fail(const std::string& what) const {
  throw OnnxError(description + ": " + what);
}

std::array<std::int64_t, 4> ConvParameters::padding(std::int64_t h, std::int64_t w) const {
  if (auto_pad == "NOTSET") {
    return pads;
  }
  std::array<std::int64_t, 4> result{};
  if (auto_pad == "VALID") {
    return result;
  }
  const std::array<std::int64_t, 2> in{h, w};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::int64_t out = (in[axis] + strides[axis] - 1) / strides[axis];
    const std::int64_t span = dilations[axis] * (kernel[axis] - 1) + 1;
    const std::int64_t total =
        std::max<std::int64_t>(0, (out - 1) * strides[axis] + span - in[axis]);
    const std::int64_t small = total / 2;
    result[axis] = auto_pad == "SAME_UPPER" ? small : total - small;
    result[axis + 2] = total - result[axis];
  }
  return result;
}

bool ConvParameters::pointwise() const {
  const bool no_padding =
      auto_pad == "VALID" || (auto_pad == "NOTSET" && pads == std::array<std::int64_t, 4>{});
  return kernel == std::array<std::int64_t, 2>{1, 1} &&
         strides == std::array<std::int64_t, 2>{1, 1} && no_padding && group == 1;
}

Program compile_program(const OnnxModel& model, bool fuse_conv_relu) {
  Program program;
  ProgramBuilder(model, program).build();
  if (fuse_conv_relu) {
    fuse_relus(program);
  }
  return program;
}

} // namespace airan::gpu::detail
