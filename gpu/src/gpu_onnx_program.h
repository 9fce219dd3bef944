/// \file
/// \brief The host half of GpuOnnxExecutor (private, no CUDA): an ONNX graph already validated
/// by the CPU OnnxExecutor turned into steps with parsed attributes, Conv + Relu fusion, and
/// the shape inference of each step (an OnnxError naming the node when shapes do not fit).
#pragma once

#include "airan/gpu/onnx_device_math.h"
#include "airan/phy/nn/onnx_model.h"
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
  matmul
};

/// Conv attributes and weights.
struct ConvParameters {
  std::string auto_pad = "NOTSET";
  std::int64_t group = 1;
  std::array<std::int64_t, 4> pads{}; ///< top, left, bottom, right (auto_pad NOTSET)
  std::array<std::int64_t, 2> strides{1, 1};
  std::array<std::int64_t, 2> dilations{1, 1};
  std::int64_t out_channels = 0;
  std::int64_t group_channels = 0; ///< Input channels per group.
  std::array<std::int64_t, 2> kernel{};
  std::size_t weights = 0;  ///< Value id of the weights.
  std::ptrdiff_t bias = -1; ///< Value id of the bias, -1 without.
  bool relu = false;        ///< A following Relu is fused.

  /// Padding (top, left, bottom, right) for an input of \p h x \p w.
  [[nodiscard]] std::array<std::int64_t, 4> padding(std::int64_t h, std::int64_t w) const;
  /// 1x1, stride 1, no padding, one group: a GEMM.
  [[nodiscard]] bool pointwise() const;
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
  ConvParameters conv;
  std::int64_t axis = 0;                               ///< Concat
  std::vector<std::int64_t> shape;                     ///< Reshape target
  bool allow_zero = false;                             ///< Reshape
  std::vector<std::int64_t> perm;                      ///< Transpose (empty: reverse)
  std::vector<std::int64_t> starts, ends, axes, steps; ///< Slice (axes, steps filled in)
  std::vector<std::int64_t> reduce_axes;               ///< ReduceMean
  bool keepdims = true, noop_with_empty_axes = false;
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

/// Builds the program of \p model, which must have passed OnnxExecutor's validation and must
/// outlive the program (constants point into it).
Program compile_program(const OnnxModel& model, bool fuse_conv_relu);

/// Output shape of \p step for \p inputs. \throws phy::nn::OnnxError naming the node.
TensorShape infer_shape(const Step& step, std::span<const TensorShape> inputs);

/// Per input dimension of a Slice: first index and step (the output shape is infer_shape's).
struct SliceStart {
  std::array<std::int64_t, onnx::max_rank> start{};
  std::array<std::int64_t, onnx::max_rank> step{};
};
/// First index and step of every dimension of input shape \p in of a Slice step.
SliceStart slice_starts(const Step& step, std::span<const std::int64_t> in);

/// Which dimensions of a rank-\p rank input a ReduceMean step averages.
std::array<bool, onnx::max_rank> reduced_axes(const Step& step, std::size_t rank);

/// Row-major strides of \p shape.
std::array<std::int64_t, onnx::max_rank> row_major_strides(std::span<const std::int64_t> shape);

} // namespace airan::gpu::detail
