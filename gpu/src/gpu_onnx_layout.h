/// \file
/// \brief Memory layout of one GpuOnnxExecutor plan (private, host only, no CUDA): every value's
/// shape and place in the device arena, with the values that a Concat reads produced directly
/// inside its output.
///
/// A computed value that a Concat along an axis with nothing but size-1 dimensions before it
/// reads once (so that each input is one contiguous run of the output), and that everything
/// else reading it reads before that Concat, is written by its producer straight into its part
/// of the Concat's output and read there; the Concat copies nothing for it. The neural
/// receiver's feature stacks are such Concats of some 90 single planes.
#pragma once

#include "gpu_onnx_program.h"
#include "gpu_onnx_schedule.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::gpu::detail {

/// Where every value of a plan lives.
struct PlanLayout {
  std::vector<TensorShape> shapes;   ///< Per value.
  std::vector<std::int64_t> offsets; ///< Per value: arena offset in floats, -1 for constants.
  std::int64_t arena_size = 0;       ///< Floats.
  /// Per value: written by its producer inside the output of the Concat that reads it.
  std::vector<bool> in_place;
  /// Per value: floats after its data that hold a plane of ones (0: none), so that a
  /// pointwise Conv reading it adds its bias inside the GEMM as one more input channel.
  std::vector<std::int64_t> ones;
  /// Per value: the last step that reads it (Program::steps.size() for graph outputs, -1 when
  /// nothing reads it).
  std::vector<std::ptrdiff_t> last_use;
};

/// Infers every shape for \p input_shapes (an OnnxError naming the node when they do not fit)
/// and lays out the arena first fit, a block reused after its last reader; with
/// \p concat_in_place, Concat inputs as the file comment says; with \p ones_planes, a plane of
/// ones after each batch-1 output of a direct Conv that only a pointwise Conv with a bias reads.
PlanLayout layout_plan(const Program& program, std::span<const TensorShape> input_shapes,
                       bool concat_in_place, bool ones_planes = false);

/// The outer extent of a Concat step (the product of its output's dimensions before the axis):
/// 1 when each input is one contiguous run of the output.
std::int64_t concat_outer(const Step& step, const TensorShape& out);

/// What each launch of a plan with \p layout reads and writes, in the order make_plan()
/// creates the launches: one per step with a non-empty output, except a Concat, which has one
/// per input that is not in place and not empty. Pointwise convolutions (cuBLAS) stay on the
/// main stream.
std::vector<LaunchAccess> launch_accesses(const Program& program, const PlanLayout& layout);

} // namespace airan::gpu::detail
