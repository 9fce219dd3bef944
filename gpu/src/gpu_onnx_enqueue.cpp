/// \file
/// \brief Enqueueing of GpuOnnxExecutor's launch records (kernels, device copies, the cuBLAS
/// GEMM of pointwise convolutions) and the capture of a plan into a CUDA graph.
#include "airan/gpu/cuda_check.h"

#include "cublas_loader.h"
#include "gpu_onnx_fused_gemm.h"
#include "gpu_onnx_kernels.h"
#include "gpu_onnx_plan.h"

#include <string>
#include <type_traits>

namespace airan::gpu::detail {
namespace {

void enqueue_pointwise_conv(const PointwiseConvLaunch& p, cudaStream_t stream,
                            const BlasContext& blas) {
  if (p.fused_gemm != nullptr) {
    static_cast<const FusedGemm*>(p.fused_gemm)->enqueue(p, stream, blas);
    return;
  }
  cublasHandle_t cublas = blas.cublas;
  // Row-major Y[M][P] = W[M][K] X[K][P] is, column-major, Y'(P x M) = X'(P x K) W'(K x M).
  const float one = 1.0F;
  const float zero = 0.0F;
  const long long x_stride = static_cast<long long>(p.in_channels) * p.pixels;
  const long long y_stride = static_cast<long long>(p.out_channels) * p.pixels;
  check_cublas(cublas_api().cublasSgemmStridedBatched(
                   cublas, CUBLAS_OP_N, CUBLAS_OP_N, p.pixels, p.out_channels, p.in_channels, &one,
                   p.x, p.pixels, x_stride, p.weights,
                   p.weights_ld != 0 ? p.weights_ld : p.in_channels, 0, &zero, p.y, p.pixels,
                   y_stride, p.batch),
               "cublasSgemmStridedBatched");
  if (p.bias != nullptr || p.relu || p.residual != nullptr) {
    launch_conv_epilogue(p, stream);
  }
}

void enqueue_device_copy(const DeviceCopyLaunch& p, cudaStream_t stream) {
  if (p.rows == 1) {
    AIRAN_CUDA_CHECK(
        cudaMemcpyAsync(p.target, p.source, p.row_bytes, cudaMemcpyDeviceToDevice, stream));
  } else {
    AIRAN_CUDA_CHECK(cudaMemcpy2DAsync(p.target, p.target_pitch, p.source, p.source_pitch,
                                       p.row_bytes, p.rows, cudaMemcpyDeviceToDevice, stream));
  }
}

} // namespace

void check_cublas(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw CudaError(std::string(call) + ": " + cublas_api().cublasGetStatusName(status) + ": " +
                    cublas_api().cublasGetStatusString(status));
  }
}

void enqueue(const Launch& launch, cudaStream_t stream, const BlasContext& blas) {
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, UnaryLaunch>) {
          launch_unary(p, stream);
        } else if constexpr (std::is_same_v<T, BinaryLaunch>) {
          launch_binary(p, stream);
        } else if constexpr (std::is_same_v<T, StridedCopyLaunch>) {
          launch_strided_copy(p, stream);
        } else if constexpr (std::is_same_v<T, DeviceCopyLaunch>) {
          enqueue_device_copy(p, stream);
        } else if constexpr (std::is_same_v<T, ConvLaunch>) {
          launch_conv(p, stream);
        } else if constexpr (std::is_same_v<T, PointwiseConvLaunch>) {
          enqueue_pointwise_conv(p, stream, blas);
        } else if constexpr (std::is_same_v<T, ReduceMeanLaunch>) {
          launch_reduce_mean(p, stream);
        } else if constexpr (std::is_same_v<T, GemmLaunch>) {
          launch_gemm(p, stream);
        } else if constexpr (std::is_same_v<T, MatMulLaunch>) {
          launch_matmul(p, stream);
        } else if constexpr (std::is_same_v<T, RegionLaunch>) {
          launch_region(p, stream);
        } else {
          static_assert(std::is_same_v<T, BatchLaunch>);
          launch_batch(p, stream);
        }
      },
      launch);
}

} // namespace airan::gpu::detail
