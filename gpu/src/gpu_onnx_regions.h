/// \file
/// \brief Fused element-wise regions of GpuOnnxExecutor's programs (private, host only): which
/// nodes fold into one kernel, the shapes of a region's expression, and its launch record.
///
/// An element-wise node (Add, Sub, Mul, Div, a unary operator) whose value one element-wise node
/// or ReduceMean alone reads is evaluated inside that reader, recursively, and a Slice between
/// a tensor and such a use becomes part of the use's index map. A value that 2 to 4 steps read,
/// all of them element-wise or ReduceMeans, may be evaluated inside each of them (recomputed).
/// The reader becomes a region step (StepKind::region); a node or Slice whose value nothing
/// reads any more is removed. A region holds at most onnx::max_region_ops operations and
/// onnx::max_region_leaves leaves: deeper nodes stay nodes of their own.
#pragma once

#include "gpu_onnx_launches.h"
#include "gpu_onnx_program.h"

#include <span>
#include <vector>

namespace airan::gpu::detail {

/// Folds the program's element-wise chains into region steps (the file comment's rule).
void fuse_regions(Program& program);

/// The shape of every node of \p step's region (StepKind::region) given its inputs' shapes:
/// loads after their Slices, operators with NumPy broadcasting. \throws phy::nn::OnnxError
/// naming the node when shapes do not fit.
std::vector<TensorShape> region_node_shapes(const Step& step, std::span<const TensorShape> inputs);

/// The launch of region \p step: inputs \p input_shapes at \p input_pointers, output \p out.
RegionLaunch region_launch(const Step& step, std::span<const TensorShape> input_shapes,
                           std::span<const float* const> input_pointers, float* out, int out_count);

} // namespace airan::gpu::detail
