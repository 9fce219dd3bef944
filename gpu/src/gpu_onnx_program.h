/// \file
/// \brief The host half of GpuOnnxExecutor (private, no CUDA): an ONNX graph already validated
/// by the CPU OnnxExecutor turned into steps with parsed attributes, Conv + Relu fusion, and
/// the shape inference of each step through the executors' shared rules (onnx_shape_rules.h:
/// an OnnxError naming the node when shapes do not fit).
#pragma once

#include "airan/gpu/onnx_device_math.h"
#include "airan/gpu/onnx_region_math.h"
#include "airan/phy/nn/onnx_model.h"
#include "airan/phy/nn/onnx_shape_rules.h"
#include "airan/phy/nn/tensor.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

namespace airan::gpu::detail {

using phy::nn::OnnxModel;
using phy::nn::OnnxNode;
using phy::nn::Tensor;
using phy::nn::TensorShape;

/// What a step computes.
enum class StepKind {
  conv,
  unary,
  binary,
  copy, ///< Identity
  reshape,
  concat,
  transpose,
  slice,
  reduce_mean,
  gemm,
  matmul,
  region ///< Fused element-wise nodes (Step::region), optionally ending in a ReduceMean.
};

/// One node of a fused region's expression (onnx_region_math.h), children before parents.
struct RegionNode {
  onnx::RegionOpKind kind = onnx::RegionOpKind::load;
  onnx::UnaryOp unary = onnx::UnaryOp::relu;
  onnx::BinaryOp binary = onnx::BinaryOp::add;
  bool relu = false;       ///< binary: a Relu fused into it.
  std::string description; ///< The ONNX node it stands for (errors name it).
  std::size_t input = 0;   ///< load: index into the step's inputs.
  /// load: the Slices between that input and the use, first applied first.
  std::vector<phy::nn::SliceArguments> slices;
  std::vector<std::string> slice_descriptions;
  std::array<std::size_t, 2> children{}; ///< unary: [0]; binary: [0] left, [1] right.
};

/// The expression of a region step.
struct Region {
  std::vector<RegionNode> nodes; ///< Postfix; the last is the expression's root.
  bool reduce = false;           ///< The step averages the expression (Step::reduce).
};

/// Conv geometry (shared with the CPU executor) and weights.
struct ConvParameters : phy::nn::ConvGeometry {
  std::size_t weights = 0;  ///< Value id of the weights.
  std::ptrdiff_t bias = -1; ///< Value id of the bias, -1 without.
  bool relu = false;        ///< A following Relu is fused (after the residual, if any).
  /// A following Add of a residual is fused: the residual is the step's inputs[1].
  bool residual = false;
};

/// One node of the graph (Constant nodes are values, not steps).
struct Step {
  std::string description; ///< OnnxNode::describe()
  StepKind kind = StepKind::copy;
  std::vector<std::size_t> inputs; ///< Run-time value ids (data inputs only).
  std::size_t output = 0;
  bool removed = false; ///< A Relu fused into the Conv before it.

  onnx::UnaryOp unary = onnx::UnaryOp::relu;
  onnx::BinaryOp binary = onnx::BinaryOp::add;
  bool binary_relu = false; ///< A following Relu is fused into the element-wise operation.
  ConvParameters conv;
  std::int64_t axis = 0;           ///< Concat
  std::vector<std::int64_t> shape; ///< Reshape target
  bool allow_zero = false;         ///< Reshape
  std::vector<std::int64_t> perm;  ///< Transpose (empty: reverse)
  phy::nn::SliceArguments slice;   ///< Slice (completed)
  phy::nn::ReduceArguments reduce; ///< ReduceMean
  Region region;                   ///< Fused region
  float alpha = 1.0F, beta = 1.0F; ///< Gemm
  bool trans_a = false, trans_b = false;

  /// \throws phy::nn::OnnxError "<node>: <what>".
  [[noreturn]] void fail(const std::string& what) const;
};

/// Where a value comes from: exactly one of the three is set.
struct Value {
  const Tensor* constant = nullptr; ///< Initializer or Constant node output.
  std::ptrdiff_t input = -1;        ///< Graph input index.
  std::ptrdiff_t step = -1;         ///< Producing step.
};

/// A validated model as steps over values.
struct Program {
  std::deque<Tensor> constant_nodes; ///< Values of Constant nodes.
  std::vector<Value> values;
  std::vector<Step> steps;
  std::vector<std::size_t> input_ids;
  std::vector<std::size_t> output_ids;
};

/// What compile_program() folds into the node before.
struct ProgramFusions {
  /// A Relu that is the only reader of a Conv or of an element-wise Add/Sub/Mul/Div.
  bool relu = true;
  /// An Add whose operand is a pointwise Conv it alone reads, the other operand computed before
  /// that Conv: the Conv's epilogue adds it (a residual block's skip connection), then the
  /// Add's fused Relu.
  bool residual = true;
  /// Element-wise nodes whose value only one element-wise node (or ReduceMean) reads, and the
  /// Slices they read through, evaluated inside that node's kernel (gpu_onnx_regions.h).
  bool regions = true;
};

/// Builds the program of \p model, which must have passed OnnxExecutor's validation and must
/// outlive the program (constants point into it).
Program compile_program(const OnnxModel& model, const ProgramFusions& fusions);

/// Per value, how many times the steps that are not removed read it, plus 2 for a graph output
/// (so that a fusion never folds a graph output away).
std::vector<std::size_t> count_value_uses(const Program& program);

/// Elements of \p shape, or -1 when a dimension is negative or the count exceeds
/// phy::nn::max_tensor_elements.
std::int64_t bounded_element_count(std::span<const std::int64_t> shape);

/// Output shape of \p step for \p inputs. \throws phy::nn::OnnxError naming the node.
TensorShape infer_shape(const Step& step, std::span<const TensorShape> inputs);

/// What a Slice step reads of input shape \p in (first index and step per dimension).
phy::nn::SliceWindow slice_window(const Step& step, std::span<const std::int64_t> in);

/// Which dimensions of a rank-\p rank input a ReduceMean step averages.
std::array<bool, onnx::max_rank> reduced_axes(const Step& step, std::size_t rank);

using phy::nn::row_major_strides;

} // namespace airan::gpu::detail
