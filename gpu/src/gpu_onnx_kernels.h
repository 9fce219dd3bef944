/// \file
/// \brief Kernel launches of GpuOnnxExecutor (private): one plain record per kernel, filled by
/// the host when a plan is made (device pointers and geometry), and the launchers that enqueue
/// them on a stream. The math is in airan/gpu/onnx_device_math.h.
#pragma once

#include "airan/gpu/onnx_device_math.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <variant>

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

/// A Conv computed one thread per output element.
struct ConvLaunch {
  onnx::ConvGeometry geometry;
  const float* x = nullptr;
  const float* weights = nullptr;
  const float* bias = nullptr; ///< nullptr without bias
  float* y = nullptr;
  int count = 0;
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
  const float* bias = nullptr; ///< nullptr without bias
  float* y = nullptr;
  bool relu = false;
  const float* residual = nullptr; ///< nullptr without a folded Add
  onnx::IndexMap residual_map;     ///< Output element -> residual element (broadcast).
};

/// ReduceMean, one output element per thread or per block.
struct ReduceMeanLaunch {
  onnx::ReduceGeometry geometry;
  const float* in = nullptr;
  float* out = nullptr;
  int count = 0;
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

/// One enqueued operation of a plan.
using Launch =
    std::variant<UnaryLaunch, BinaryLaunch, StridedCopyLaunch, DeviceCopyLaunch, ConvLaunch,
                 PointwiseConvLaunch, ReduceMeanLaunch, GemmLaunch, MatMulLaunch>;

void launch_unary(const UnaryLaunch& launch, cudaStream_t stream);
void launch_binary(const BinaryLaunch& launch, cudaStream_t stream);
void launch_strided_copy(const StridedCopyLaunch& launch, cudaStream_t stream);
void launch_conv(const ConvLaunch& launch, cudaStream_t stream);
/// Bias, residual and Relu over Y after the GEMM of a pointwise Conv.
void launch_conv_epilogue(const PointwiseConvLaunch& launch, cudaStream_t stream);
void launch_reduce_mean(const ReduceMeanLaunch& launch, cudaStream_t stream);
void launch_gemm(const GemmLaunch& launch, cudaStream_t stream);
void launch_matmul(const MatMulLaunch& launch, cudaStream_t stream);

/// Enqueues \p launch on \p stream (\p cublas is bound to the same stream).
/// \throws CudaError when a launch or cuBLAS call fails.
void enqueue(const Launch& launch, cudaStream_t stream, cublasHandle_t cublas);

/// Throws CudaError naming \p call when \p status is not CUBLAS_STATUS_SUCCESS.
void check_cublas(cublasStatus_t status, const char* call);

} // namespace airan::gpu::detail
