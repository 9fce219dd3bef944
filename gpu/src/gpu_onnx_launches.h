/// \file
/// \brief Launch records of GpuOnnxExecutor (private, no CUDA): one plain record per kernel,
/// device copy or cuBLAS GEMM, filled by the host when a plan is made (arena pointers and
/// geometry), and the builder that makes them from a program and its layout. The math they run
/// is in airan/gpu/onnx_device_math.h; the kernels add only indexing.
#pragma once

#include "airan/gpu/onnx_device_math.h"
#include "airan/gpu/onnx_region_math.h"

#include "gpu_onnx_layout.h"
#include "gpu_onnx_program.h"

#include <cstddef>
#include <functional>
#include <span>
#include <variant>
#include <vector>

namespace airan::gpu::detail {

/// out[i] = op(in[i]).
struct UnaryLaunch {
  onnx::UnaryOp op = onnx::UnaryOp::relu;
  const float* in = nullptr;
  float* out = nullptr;
  int count = 0;
};

/// out[i] = a[map_a(i)] op b[map_b(i)], then max(out[i], 0) when relu.
struct BinaryLaunch {
  onnx::BinaryOp op = onnx::BinaryOp::add;
  bool relu = false;
  const float* a = nullptr;
  const float* b = nullptr;
  float* out = nullptr;
  int count = 0;
  onnx::IndexMap map_a;
  onnx::IndexMap map_b;
};

/// out[i] = in[map(i)] (Transpose, Slice).
struct StridedCopyLaunch {
  const float* in = nullptr;
  float* out = nullptr;
  int count = 0;
  onnx::IndexMap map;
};

/// A 2-D device copy (Identity, Reshape, one input of a Concat): \p rows rows of
/// \p row_bytes bytes.
struct DeviceCopyLaunch {
  const float* source = nullptr;
  float* target = nullptr;
  std::size_t row_bytes = 0;
  std::size_t source_pitch = 0;
  std::size_t target_pitch = 0;
  std::size_t rows = 0;
};

/// A Conv computed one thread per output element, then \p ones elements set to 1 after the
/// output (the plane of ones a following pointwise Conv adds its bias with).
struct ConvLaunch {
  onnx::ConvGeometry geometry;
  const float* x = nullptr;
  const float* weights = nullptr;
  const float* bias = nullptr; ///< nullptr without bias
  float* y = nullptr;
  int count = 0;
  int ones = 0;
  bool depthwise_3x3 = false; ///< onnx::is_depthwise_3x3(geometry): the unrolled element
};

/// A 1x1 Conv as a GEMM per image, Y[M][P] = W[M][K] X[K][P], then bias, a residual (a folded
/// Add) and Relu.
struct PointwiseConvLaunch {
  int batch = 1;
  int out_channels = 0; ///< M
  int in_channels = 0;  ///< K
  int pixels = 0;       ///< P = H * W
  const float* x = nullptr;
  const float* weights = nullptr;
  int weights_ld = 0;          ///< Floats per row of weights (0: in_channels).
  const float* bias = nullptr; ///< nullptr without bias
  float* y = nullptr;
  bool relu = false;
  const float* residual = nullptr; ///< nullptr without a folded Add
  onnx::IndexMap residual_map;     ///< Output element -> residual element (broadcast).
  /// A cuBLASLt matmul with the bias (through a plane of ones), residual and Relu folded in,
  /// owned by the plan (CUDA builds with GpuOnnxExecutorOptions::gemm_epilogue), or nullptr:
  /// the GEMM, then the epilogue kernel.
  const void* fused_gemm = nullptr;
};

/// Longest reduction one thread sums; longer ones are split over blocks (SplitReduction).
inline constexpr int max_thread_reduction = 256;
/// Reduced elements one block of a split reduction sums (8 per thread of 256).
inline constexpr int split_reduction_chunk = 2048;
/// Blocks per output element of a split reduction at most.
inline constexpr int max_reduction_splits = 1024;

/// A long mean split over blocks: each of \p splits blocks per output element sums a contiguous
/// chunk of the reduced elements into \p partials (double), and the last block of the element
/// to finish (counted in \p counters, which it sets back to zero) adds the partials in split
/// order and writes the mean. The sums are deterministic (fixed chunks, fixed order); the plan
/// owns the scratch (one counter per output element, zero between runs).
struct SplitReduction {
  double* partials = nullptr;   ///< [count][splits]
  unsigned* counters = nullptr; ///< [count]
  int splits = 0;               ///< 0: one thread per output element (short reductions).
};

/// Blocks per output element for means of \p reduced_count elements each: 0 for short reductions
/// (a thread each), else one per chunk of split_reduction_chunk, so that even a single mean
/// spreads over the device (a single block per mean, as before 2026-11-30, left the 367k-element
/// normalisation mean of a 273-PRB slot to one multiprocessor: 1.4 ms on an H200).
inline int reduction_splits(int reduced_count) {
  if (reduced_count <= max_thread_reduction) {
    return 0;
  }
  const int chunks = (reduced_count + split_reduction_chunk - 1) / split_reduction_chunk;
  return chunks < max_reduction_splits ? chunks : max_reduction_splits;
}

/// ReduceMean, one output element per thread or split over blocks.
struct ReduceMeanLaunch {
  onnx::ReduceGeometry geometry;
  const float* in = nullptr;
  float* out = nullptr;
  int count = 0;
  SplitReduction split; ///< Set by the plan for long reductions.
};

/// ONNX Gemm, one output element per thread.
struct GemmLaunch {
  onnx::GemmGeometry geometry;
  const float* a = nullptr;
  const float* b = nullptr;
  const float* c = nullptr; ///< nullptr without C
  float* y = nullptr;
  int count = 0;
};

/// ONNX MatMul, one output element per thread.
struct MatMulLaunch {
  onnx::MatMulGeometry geometry;
  const float* a = nullptr;
  const float* b = nullptr;
  float* y = nullptr;
  int count = 0;
};

/// A fused element-wise region (onnx_region_math.h): out[i] is the expression at iteration
/// index i, or with \p reduce its mean over the reduced axes of the iteration shape.
struct RegionLaunch {
  onnx::RegionExpression expression;
  bool reduce = false;
  onnx::ReduceGeometry geometry; ///< With reduce: over the iteration shape.
  float* out = nullptr;
  int count = 0;
  SplitReduction split; ///< With a long reduce: set by the plan.
};

/// The kinds of launch a BatchLaunch can hold: kernels of one thread per output element whose
/// geometry fits a block-to-element map (not device copies, cuBLAS GEMMs or split means).
enum class BatchedKind : int {
  unary,
  binary,
  strided_copy,
  conv,
  reduce_mean,
  gemm,
  matmul,
  region
};

/// Threads per block of the element kernels, and of a batch's blocks.
inline constexpr int element_block_size = 256;

/// One launch inside a BatchLaunch: its record and the first of its blocks in the batch's grid.
/// Plain data (copied to device memory once per plan); the union holds the record of \p kind.
struct BatchMember {
  BatchedKind kind = BatchedKind::unary;
  int count = 0;       ///< Elements (threads) of the member.
  int first_block = 0; ///< Blocks of the members before it.
  union Record {
    Record() : unary() {}
    UnaryLaunch unary;
    BinaryLaunch binary;
    StridedCopyLaunch strided_copy;
    ConvLaunch conv;
    ReduceMeanLaunch reduce_mean;
    GemmLaunch gemm;
    MatMulLaunch matmul;
    RegionLaunch region;
  } record;
};

/// Independent launches run as one kernel: block b of the grid runs block b - first_block of
/// member block_members[b], which each block reads (with the member) from device memory. A plan
/// batches launches that no dependency orders (the same level of its dependency graph;
/// gpu_onnx_batching.h), so that the device runs them side by side from one launch instead of
/// one short kernel after another.
struct BatchLaunch {
  std::vector<BatchMember> members;            ///< Host copy, in program order.
  const BatchMember* device_members = nullptr; ///< Device copy, owned by the plan.
  const int* device_block_members = nullptr;   ///< Per block: its member's index in members.
  int blocks = 0;                              ///< Of all members.
};

/// One enqueued operation of a plan.
using Launch = std::variant<UnaryLaunch, BinaryLaunch, StridedCopyLaunch, DeviceCopyLaunch,
                            ConvLaunch, PointwiseConvLaunch, ReduceMeanLaunch, GemmLaunch,
                            MatMulLaunch, RegionLaunch, BatchLaunch>;

/// Elements (threads) of a launch: its outputs (a Conv's plane of ones too).
template <class L> AIRAN_HOST_DEVICE inline int element_count(const L& p) {
  return p.count;
}
AIRAN_HOST_DEVICE inline int element_count(const ConvLaunch& p) {
  return p.count + p.ones;
}

/// One output element of each kind of launch, as its kernel computes it: the kernels add only
/// the thread index, and run_on_host() loops over the elements.
AIRAN_HOST_DEVICE inline void run_element(const UnaryLaunch& p, int i) {
  p.out[i] = onnx::apply_unary(p.op, p.in[i]);
}

AIRAN_HOST_DEVICE inline void run_element(const BinaryLaunch& p, int i) {
  const float value = onnx::apply_binary(p.op, p.a[onnx::mapped_offset(p.map_a, i)],
                                         p.b[onnx::mapped_offset(p.map_b, i)]);
  p.out[i] = p.relu ? onnx::apply_unary(onnx::UnaryOp::relu, value) : value;
}

AIRAN_HOST_DEVICE inline void run_element(const StridedCopyLaunch& p, int i) {
  p.out[i] = p.in[onnx::mapped_offset(p.map, i)];
}

/// Element \p i of a Conv launch (count + ones of them).
AIRAN_HOST_DEVICE inline void run_element(const ConvLaunch& p, int i) {
  if (i >= p.count) {
    p.y[i] = 1.0F;
  } else if (p.depthwise_3x3) {
    p.y[i] = onnx::depthwise_3x3_output_element(p.geometry, p.x, p.weights, p.bias, i);
  } else {
    p.y[i] = onnx::conv_output_element(p.geometry, p.x, p.weights, p.bias, i);
  }
}

/// Bias, residual and Relu of element \p i of Y after the pointwise convolution's GEMM.
AIRAN_HOST_DEVICE inline void run_epilogue_element(const PointwiseConvLaunch& p, int i) {
  const int channel = (i / p.pixels) % p.out_channels;
  const float bias = p.bias != nullptr ? p.bias[channel] : 0.0F;
  p.y[i] = p.residual != nullptr
               ? onnx::conv_residual_epilogue(
                     p.y[i], bias, p.residual[onnx::mapped_offset(p.residual_map, i)], p.relu)
               : onnx::conv_epilogue(p.y[i], bias, p.relu);
}

/// Output element \p element of a ReduceMean: a double sum in index order (the kernel for short
/// reductions; long ones are summed in chunks and trees, SplitReduction).
AIRAN_HOST_DEVICE inline void run_element(const ReduceMeanLaunch& p, int element) {
  const float* in = p.in + onnx::reduce_base_offset(p.geometry, element);
  double sum = 0.0;
  for (int r = 0; r < p.geometry.reduced_count; ++r) {
    sum += in[onnx::reduce_element_offset(p.geometry, r)];
  }
  p.out[element] = static_cast<float>(sum / p.geometry.reduced_count);
}

AIRAN_HOST_DEVICE inline void run_element(const GemmLaunch& p, int i) {
  p.y[i] = onnx::gemm_element(p.geometry, p.a, p.b, p.c, i);
}

AIRAN_HOST_DEVICE inline void run_element(const MatMulLaunch& p, int i) {
  p.y[i] = onnx::matmul_element(p.geometry, p.a, p.b, i);
}

/// Output element \p i of a region (a long reduction's kernel sums in chunks, SplitReduction).
AIRAN_HOST_DEVICE inline void run_element(const RegionLaunch& p, int i) {
  p.out[i] = p.reduce ? onnx::evaluate_region_mean(p.expression, p.geometry, i)
                      : onnx::evaluate_region(p.expression, i);
}

/// Element \p i of batch member \p m (i < m.count), as its own kernel would compute it.
AIRAN_HOST_DEVICE inline void run_member_element(const BatchMember& m, int i) {
  switch (m.kind) {
  case BatchedKind::unary:
    run_element(m.record.unary, i);
    break;
  case BatchedKind::binary:
    run_element(m.record.binary, i);
    break;
  case BatchedKind::strided_copy:
    run_element(m.record.strided_copy, i);
    break;
  case BatchedKind::conv:
    run_element(m.record.conv, i);
    break;
  case BatchedKind::reduce_mean:
    run_element(m.record.reduce_mean, i);
    break;
  case BatchedKind::gemm:
    run_element(m.record.gemm, i);
    break;
  case BatchedKind::matmul:
    run_element(m.record.matmul, i);
    break;
  case BatchedKind::region:
    run_element(m.record.region, i);
    break;
  }
}

/// \p launch as a batch member (first_block 0) when a batch can hold it: a kernel of one thread
/// per element (a mean or a region mean short enough for one thread each); else false.
bool make_batch_member(const Launch& launch, BatchMember& member);

/// Fills \p batch.blocks and each member's first_block from its members (element_block_size
/// threads per block), and \p block_members with each block's member index.
void lay_out_batch(BatchLaunch& batch, std::vector<int>& block_members);

/// Runs \p launch on the host (its pointers must be host memory): every element with
/// run_element(), device copies as copies, and the pointwise convolution's GEMM (cuBLAS on the
/// device) as plain loops before its epilogue. The reference that tests run whole plans with.
void run_on_host(const Launch& launch);

/// Where a plan keeps constants it derives (a pointwise Conv's weights with the bias as one more
/// input channel): stores them and returns the pointer kernels read them at.
using DerivedConstantStore = std::function<const float*(std::vector<float>)>;

/// The launches of a plan with \p layout, its arena at \p arena and each constant value's data
/// at \p constants (by value id), in program order; \p launch_steps gets each launch's step.
/// Their order and number are those of launch_accesses(program, layout). A pointwise Conv whose
/// input has a plane of ones (PlanLayout::ones) reads it as input channel K, with the weights
/// [W | bias] kept through \p store, and no bias in its epilogue.
std::vector<Launch> build_launches(const Program& program, const PlanLayout& layout, float* arena,
                                   std::span<float* const> constants,
                                   std::vector<std::size_t>& launch_steps,
                                   const DerivedConstantStore& store);

} // namespace airan::gpu::detail
