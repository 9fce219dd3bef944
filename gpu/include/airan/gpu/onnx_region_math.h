/// \file
/// \brief Fused element-wise regions of the CUDA ONNX executor (GpuOnnxExecutor), shared by its
/// kernels and the CPU tests: a chain of element-wise ONNX nodes (Add, Sub, Mul, Div, Relu, Sqrt,
/// Sigmoid, Tanh, Reciprocal, Neg, with NumPy broadcasting) over tensors read through Slices,
/// evaluated for one element at a time in registers, so that the nodes in between never go through
/// memory and run as one kernel. A ReduceMean at the end averages the expression over its reduced
/// axes.
///
/// The expression is in postfix order: a load pushes a leaf tensor's element (through the
/// leaf's index map from the iteration index: broadcasts and Slices folded into one strided
/// map), a unary operator replaces the top, a binary one pops its right operand and replaces
/// the left. Each operator rounds to float, as the separate nodes would.
#pragma once

#include "airan/gpu/onnx_device_math.h"

namespace airan::gpu::onnx {

/// Most operations (loads included) of one region.
inline constexpr int max_region_ops = 32;
/// Most leaf tensors of one region.
inline constexpr int max_region_leaves = 8;

/// What one postfix operation does.
enum class RegionOpKind : int { load, unary, binary };

/// One postfix operation: a load of leaf \p arg, a UnaryOp or a BinaryOp (then Relu if \p relu).
struct RegionOp {
  RegionOpKind kind = RegionOpKind::load;
  int arg = 0;
  bool relu = false;
};

/// A region's expression: operations and leaves (plain data, passed to kernels by value).
struct RegionExpression {
  int num_ops = 0;
  RegionOp ops[max_region_ops] = {};
  const float* leaves[max_region_leaves] = {};
  IndexMap maps[max_region_leaves]; ///< Iteration index -> leaf element.
};

/// The expression at iteration index \p index. The top of the stack is kept apart from the rest
/// (a register on a GPU; the array, indexed at run time, lives in local memory there), so that a
/// unary operator touches no memory and a load or a binary operator one stack slot.
AIRAN_HOST_DEVICE inline float evaluate_region(const RegionExpression& e, int index) {
  float below[max_region_ops]; // the stack under the top: below[0 .. depth - 2]
  float top = 0.0F;
  int depth = 0;
  for (int k = 0; k < e.num_ops; ++k) {
    const RegionOp op = e.ops[k];
    if (op.kind == RegionOpKind::load) {
      if (depth > 0) {
        below[depth - 1] = top;
      }
      top = e.leaves[op.arg][mapped_offset(e.maps[op.arg], index)];
      ++depth;
    } else if (op.kind == RegionOpKind::unary) {
      top = apply_unary(static_cast<UnaryOp>(op.arg), top);
    } else {
      --depth;
      const float value = apply_binary(static_cast<BinaryOp>(op.arg), below[depth - 1], top);
      top = op.relu ? apply_unary(UnaryOp::relu, value) : value;
    }
  }
  return top;
}

/// Output element \p element of a region that ends in a ReduceMean (\p g over the iteration
/// shape): the expression summed in double over the reduced elements in index order, divided.
AIRAN_HOST_DEVICE inline float evaluate_region_mean(const RegionExpression& e,
                                                    const ReduceGeometry& g, int element) {
  const int base = reduce_base_offset(g, element);
  double sum = 0.0;
  for (int r = 0; r < g.reduced_count; ++r) {
    sum += evaluate_region(e, base + reduce_element_offset(g, r));
  }
  return static_cast<float>(sum / g.reduced_count);
}

} // namespace airan::gpu::onnx
