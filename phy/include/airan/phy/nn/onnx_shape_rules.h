/// \file
/// \brief The shape rules of the ONNX operators airan's executors run, shared by the CPU
/// OnnxExecutor and the CUDA GpuOnnxExecutor so that both accept the same shapes and say the
/// same thing when they do not fit: output shapes, NumPy broadcasting, Conv geometry, Slice
/// windows and ReduceMean axes.
///
/// Every function that can fail throws OnnxError "<node>: <what>", where \p node is the
/// node's OnnxNode::describe().
#pragma once

#include "airan/phy/nn/onnx_model.h"
#include "airan/phy/nn/tensor.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace airan::phy::nn {

/// \throws OnnxError "<node>: <what>".
[[noreturn]] void fail_node(const std::string& node, const std::string& what);

/// \p axis (negative counts from the end) as an index below \p rank.
std::size_t normalize_axis(const std::string& node, std::int64_t axis, std::size_t rank);

/// NumPy broadcast of two shapes.
TensorShape broadcast_shapes(const std::string& node, std::span<const std::int64_t> a,
                             std::span<const std::int64_t> b);

/// Row-major strides of \p shape (at most max_tensor_rank dimensions).
std::array<std::int64_t, max_tensor_rank> row_major_strides(std::span<const std::int64_t> shape);

/// Concat of \p inputs along \p axis.
TensorShape concat_shape(const std::string& node, std::span<const TensorShape> inputs,
                         std::int64_t axis);

/// Reshape of \p in to \p target (0 copies the input dimension unless \p allow_zero, -1 is
/// inferred).
TensorShape reshape_shape(const std::string& node, std::span<const std::int64_t> target,
                          bool allow_zero, std::span<const std::int64_t> in);

/// The permutation a Transpose with attribute \p perm applies to a rank-\p rank input (empty
/// \p perm: reverse the dimensions).
std::vector<std::int64_t> transpose_permutation(const std::string& node,
                                                std::span<const std::int64_t> perm,
                                                std::size_t rank);

/// Output shape of a Transpose with attribute \p perm.
TensorShape transpose_shape(const std::string& node, std::span<const std::int64_t> perm,
                            std::span<const std::int64_t> in);

/// Gemm of A (\p inputs[0]) and B (\p inputs[1]), plus C (\p inputs[2]) when given.
TensorShape gemm_shape(const std::string& node, bool trans_a, bool trans_b,
                       std::span<const TensorShape> inputs);

/// MatMul (NumPy matmul semantics) of \p a and \p b.
TensorShape matmul_shape(const std::string& node, std::span<const std::int64_t> a,
                         std::span<const std::int64_t> b);

/// The arguments of a Slice, one value per sliced axis.
struct SliceArguments {
  std::vector<std::int64_t> starts;
  std::vector<std::int64_t> ends;
  std::vector<std::int64_t> axes;  ///< Empty: 0, 1, ... (filled in by complete_slice_arguments)
  std::vector<std::int64_t> steps; ///< Empty: all 1 (filled in by complete_slice_arguments)
};

/// Fills in default axes and steps and checks the argument counts and steps.
void complete_slice_arguments(const std::string& node, SliceArguments& arguments);

/// What a Slice reads of an input: per dimension the first index and the step, and the output
/// shape.
struct SliceWindow {
  std::array<std::int64_t, max_tensor_rank> start{};
  std::array<std::int64_t, max_tensor_rank> step{};
  TensorShape shape;
};

/// The window of a Slice with completed \p arguments on input shape \p in (negative indices and
/// steps, clamping as in the ONNX specification).
SliceWindow slice_window(const std::string& node, const SliceArguments& arguments,
                         std::span<const std::int64_t> in);

/// The arguments of a ReduceMean.
struct ReduceArguments {
  std::vector<std::int64_t> axes; ///< Empty: every axis, or none with noop_with_empty_axes.
  bool keepdims = true;
  bool noop_with_empty_axes = false;
};

/// Which dimensions of a rank-\p rank input a ReduceMean averages.
std::array<bool, max_tensor_rank> reduced_axes(const std::string& node,
                                               const ReduceArguments& arguments, std::size_t rank);

/// Output shape of a ReduceMean.
TensorShape reduce_shape(const std::string& node, const ReduceArguments& arguments,
                         std::span<const std::int64_t> in);

/// The geometry of a 2-D Conv (NCHW input, weights [M, C / group, kH, kW]).
struct ConvGeometry {
  std::string auto_pad = "NOTSET";
  std::int64_t group = 1;
  std::array<std::int64_t, 4> pads{}; ///< top, left, bottom, right (auto_pad NOTSET)
  std::array<std::int64_t, 2> strides{1, 1};
  std::array<std::int64_t, 2> dilations{1, 1};
  std::int64_t out_channels = 0;
  std::int64_t group_channels = 0; ///< Input channels per group.
  std::array<std::int64_t, 2> kernel{};

  /// Padding (top, left, bottom, right) for an input of height \p h and width \p w.
  [[nodiscard]] std::array<std::int64_t, 4> padding(std::int64_t h, std::int64_t w) const;
  /// 1x1, stride 1, no padding, one group: a GEMM.
  [[nodiscard]] bool pointwise() const;
  /// Output shape for input shape \p x.
  [[nodiscard]] TensorShape output_shape(const std::string& node,
                                         std::span<const std::int64_t> x) const;
};

/// The geometry of Conv node \p node with weights of shape \p weights (its attributes checked:
/// group, kernel_shape, strides, dilations, auto_pad, pads).
ConvGeometry conv_geometry(const OnnxNode& node, std::span<const std::int64_t> weights);

/// What is wrong with \p inputs as the run-time inputs of \p graph (one per graph input, in
/// order: element count matching the shape, fixed dimensions as declared, one size per symbolic
/// dimension across inputs), or nothing when they fit. Allocates only when they do not. With
/// \p check_data false only the shapes are checked (inputs that live elsewhere, e.g. in device
/// memory: the views' data may be empty).
std::optional<std::string> input_mismatch(const OnnxGraph& graph,
                                          std::span<const ConstTensorView> inputs,
                                          bool check_data = true);

/// Whether \p inputs have exactly the shapes \p shapes, in order (the executors' plan lookup;
/// no allocation). \p shapes holds at least as many shapes as \p inputs.
bool input_shapes_equal(std::span<const ConstTensorView> inputs,
                        std::span<const TensorShape> shapes);

/// The value of a Constant node (exactly one of value, value_float(s), value_int(s)).
Tensor constant_node_tensor(const OnnxNode& node);

} // namespace airan::phy::nn
