/// \file
/// \brief CPU executor of an ONNX model: validates every node at load time, plans buffers per
/// input shape, and runs float32 inference on a small thread pool.
///
/// Supported operators (default domain, opsets 7-18): Conv (2-D, grouped/depthwise, pads,
/// strides, dilations), Gemm, MatMul, Add, Sub, Mul, Div (NumPy broadcasting), Relu, Sqrt,
/// Sigmoid, Tanh, Reciprocal, Neg, Identity, Concat, Reshape, Transpose, Slice, ReduceMean,
/// Constant. Shape arguments (Reshape's shape, Slice's starts/ends/axes/steps, ReduceMean's axes)
/// must be constants; Conv weights and biases must be initializers. Anything else (unknown operator
/// or domain, unknown attribute, attribute of the wrong type or value, non-float graph input) is an
/// OnnxError naming the node when the executor is built. A shape mismatch at run time is an
/// OnnxError naming the node and the shapes.
///
/// Buffers: the first run() at a given set of input shapes infers every shape and allocates one
/// arena for all intermediate values (reused as values die); later runs at those shapes allocate
/// nothing. Plans for several shapes are kept.
#pragma once

#include "airan/phy/nn/onnx_model.h"
#include "airan/phy/nn/tensor.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airan::phy::nn {

/// Executor construction options.
struct OnnxExecutorOptions {
  /// Threads that compute (including the caller's); 1 runs everything on the caller's thread.
  unsigned num_threads = 1;
  /// Use the AVX2 + FMA convolution kernels when the CPU has them (false: portable kernels,
  /// for comparisons).
  bool use_simd = true;
  /// Largest intermediate-value arena a plan may need; a bigger one is an OnnxError at run().
  std::size_t max_arena_bytes = std::size_t{16} << 30;
  /// Input-shape plans kept at once (each holds an arena sized for its shapes, 80 MB for the
  /// neural receiver on 273 PRBs): a new shape beyond this many frees the plan used longest ago.
  /// At least 1.
  std::size_t max_plans = 16;
  /// Apply a Relu that is the only reader of a Conv or of an element-wise Add, Sub, Mul or Div
  /// inside that node (same values, one pass over memory less).
  bool fuse_relu = true;
};

/// Runs one ONNX model. Not thread-safe: one run() at a time per executor.
class OnnxExecutor {
public:
  /// Validates \p model and prepares its operators. \throws OnnxError naming the node.
  explicit OnnxExecutor(OnnxModel model, const OnnxExecutorOptions& options = {});
  ~OnnxExecutor();
  OnnxExecutor(const OnnxExecutor&) = delete;
  OnnxExecutor& operator=(const OnnxExecutor&) = delete;

  /// Operator types this executor implements, sorted.
  static std::vector<std::string> supported_operators();

  /// Run-time inputs in the order run() takes them.
  [[nodiscard]] const std::vector<OnnxValueInfo>& inputs() const;
  /// Graph outputs in the order output() indexes them.
  [[nodiscard]] const std::vector<OnnxValueInfo>& outputs() const;
  /// Number of float32 initializer elements (the model's parameters).
  [[nodiscard]] std::int64_t num_parameters() const;
  /// Input-shape plans made so far.
  [[nodiscard]] std::size_t num_plans() const;

  /// Runs the model on \p inputs (one per inputs(), same order). \throws OnnxError on a wrong
  /// input count, an input whose shape contradicts the model's fixed dimensions or whose data
  /// size does not match its shape, or a node whose input shapes it cannot take.
  void run(std::span<const ConstTensorView> inputs);

  /// Output \p index of the last run(); valid until the next run(). \throws std::out_of_range.
  [[nodiscard]] ConstTensorView output(std::size_t index) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::phy::nn
