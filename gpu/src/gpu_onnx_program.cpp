/// \file
/// \brief GpuOnnxExecutor's program: each validated node becomes a Step with its attributes
/// and constant arguments parsed (the CPU OnnxExecutor has already rejected anything
/// unsupported), Constant nodes become values, and a Relu that only reads a Conv or an
/// element-wise Add/Sub/Mul/Div is fused into it.
#include "gpu_onnx_program.h"

#include "gpu_onnx_regions.h"

#include <algorithm>
#include <unordered_map>

namespace airan::gpu::detail {
namespace {

using phy::nn::OnnxAttribute;
using phy::nn::OnnxAttributeType;
using phy::nn::OnnxError;

std::int64_t int_attribute(const OnnxNode& node, const char* name, std::int64_t fallback) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  return attribute != nullptr ? attribute->i : fallback;
}

std::vector<std::int64_t> ints_attribute(const OnnxNode& node, const char* name) {
  const OnnxAttribute* attribute = node.find_attribute(name);
  return attribute != nullptr ? attribute->ints : std::vector<std::int64_t>{};
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
      program_.constant_nodes.push_back(phy::nn::constant_node_tensor(node));
      define(node.outputs[0], Value{&program_.constant_nodes.back(), -1, -1});
      return;
    }
    Step step;
    step.description = node.describe();
    std::size_t data_inputs = 1;
    const std::string& op = node.op_type;
    if (op == "Conv") {
      parse_conv(node, step);
    } else if (op == "Relu" || op == "Sqrt" || op == "Sigmoid" || op == "Tanh" ||
               op == "Reciprocal" || op == "Neg") {
      step.kind = StepKind::unary;
      step.unary = op == "Relu"      ? onnx::UnaryOp::relu
                   : op == "Sqrt"    ? onnx::UnaryOp::sqrt
                   : op == "Sigmoid" ? onnx::UnaryOp::sigmoid
                   : op == "Tanh"    ? onnx::UnaryOp::tanh
                   : op == "Neg"     ? onnx::UnaryOp::neg
                                     : onnx::UnaryOp::reciprocal;
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
        step.reduce.axes = ints_attribute(node, "axes");
      } else if (has_input(node, 1)) {
        step.reduce.axes = constant_ints(node, 1);
      }
      step.reduce.keepdims = int_attribute(node, "keepdims", 1) != 0;
      step.reduce.noop_with_empty_axes = int_attribute(node, "noop_with_empty_axes", 0) != 0;
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
    static_cast<phy::nn::ConvGeometry&>(conv) =
        phy::nn::conv_geometry(node, program_.values[conv.weights].constant->shape);
    if (has_input(node, 2)) {
      conv.bias = static_cast<std::ptrdiff_t>(ids_.at(node.inputs[2]));
    }
  }

  void parse_slice(const OnnxNode& node, Step& step) const {
    step.kind = StepKind::slice;
    phy::nn::SliceArguments& slice = step.slice;
    if (model_.opset_version < 10) {
      slice.starts = ints_attribute(node, "starts");
      slice.ends = ints_attribute(node, "ends");
      slice.axes = ints_attribute(node, "axes");
    } else {
      slice.starts = constant_ints(node, 1);
      slice.ends = constant_ints(node, 2);
      if (has_input(node, 3)) {
        slice.axes = constant_ints(node, 3);
      }
      if (has_input(node, 4)) {
        slice.steps = constant_ints(node, 4);
      }
    }
    phy::nn::complete_slice_arguments(step.description, slice);
  }

  const OnnxModel& model_;
  Program& program_;
  std::unordered_map<std::string, std::size_t> ids_;
};

void fuse_relus(Program& program) {
  const std::vector<std::size_t> uses = count_value_uses(program);
  for (Step& relu : program.steps) {
    if (relu.kind != StepKind::unary || relu.unary != onnx::UnaryOp::relu) {
      continue;
    }
    const std::size_t source = relu.inputs[0];
    const std::ptrdiff_t producer = program.values[source].step;
    if (producer < 0 || uses[source] != 1) {
      continue;
    }
    Step& fused = program.steps[static_cast<std::size_t>(producer)];
    if (fused.kind == StepKind::conv) {
      fused.conv.relu = true;
    } else if (fused.kind == StepKind::binary) {
      fused.binary_relu = true;
    } else {
      continue;
    }
    fused.output = relu.output;
    program.values[relu.output].step = producer;
    program.values[source].step = -1; // no longer computed
    relu.removed = true;
  }
}

void fuse_residual_adds(Program& program) {
  const std::vector<std::size_t> uses = count_value_uses(program);
  for (std::size_t s = 0; s < program.steps.size(); ++s) {
    Step& add = program.steps[s];
    if (add.removed || add.kind != StepKind::binary || add.binary != onnx::BinaryOp::add ||
        add.inputs.size() != 2 || add.inputs[0] == add.inputs[1]) {
      continue;
    }
    for (std::size_t operand = 0; operand < 2; ++operand) {
      const std::size_t source = add.inputs[operand];
      const std::size_t residual = add.inputs[1 - operand];
      const std::ptrdiff_t producer = program.values[source].step;
      if (producer < 0 || uses[source] != 1) {
        continue;
      }
      Step& conv = program.steps[static_cast<std::size_t>(producer)];
      const std::ptrdiff_t residual_producer = program.values[residual].step;
      const bool residual_ready = program.values[residual].constant != nullptr ||
                                  program.values[residual].input >= 0 ||
                                  (residual_producer >= 0 && residual_producer < producer);
      if (conv.kind != StepKind::conv || !conv.conv.pointwise() || conv.conv.relu ||
          conv.conv.residual || !residual_ready) {
        continue;
      }
      conv.conv.residual = true;
      conv.conv.relu = add.binary_relu;
      conv.inputs.push_back(residual);
      conv.output = add.output;
      program.values[add.output].step = producer;
      program.values[source].step = -1; // no longer computed
      add.removed = true;
      break;
    }
  }
}

} // namespace

std::vector<std::size_t> count_value_uses(const Program& program) {
  std::vector<std::size_t> uses(program.values.size(), 0);
  for (const Step& step : program.steps) {
    if (!step.removed) {
      for (const std::size_t v : step.inputs) {
        ++uses[v];
      }
    }
  }
  for (const std::size_t v : program.output_ids) {
    uses[v] += 2;
  }
  return uses;
}

void Step::fail(const std::string& what) const {
  throw OnnxError(description + ": " + what);
}

Program compile_program(const OnnxModel& model, const ProgramFusions& fusions) {
  Program program;
  ProgramBuilder(model, program).build();
  if (fusions.relu) {
    fuse_relus(program);
  }
  if (fusions.residual) {
    fuse_residual_adds(program);
  }
  if (fusions.regions) {
    fuse_regions(program);
  }
  return program;
}

} // namespace airan::gpu::detail
