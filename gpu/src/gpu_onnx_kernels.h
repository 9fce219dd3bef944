/// \file
/// \brief The launchers of GpuOnnxExecutor's kernels (private): each enqueues one launch record
/// (gpu_onnx_launches.h) on a stream. The math is in airan/gpu/onnx_device_math.h.
#pragma once

#include "gpu_onnx_launches.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

namespace airan::gpu::detail {

void launch_unary(const UnaryLaunch& launch, cudaStream_t stream);
void launch_binary(const BinaryLaunch& launch, cudaStream_t stream);
void launch_strided_copy(const StridedCopyLaunch& launch, cudaStream_t stream);
void launch_conv(const ConvLaunch& launch, cudaStream_t stream);
/// Bias, residual and Relu over Y after the GEMM of a pointwise Conv.
void launch_conv_epilogue(const PointwiseConvLaunch& launch, cudaStream_t stream);
void launch_reduce_mean(const ReduceMeanLaunch& launch, cudaStream_t stream);
void launch_gemm(const GemmLaunch& launch, cudaStream_t stream);
void launch_matmul(const MatMulLaunch& launch, cudaStream_t stream);
void launch_region(const RegionLaunch& launch, cudaStream_t stream);
/// A BatchLaunch whose device members and block map the plan has set.
void launch_batch(const BatchLaunch& launch, cudaStream_t stream);

/// Throws CudaError naming \p call when \p status is not CUBLAS_STATUS_SUCCESS.
void check_cublas(cublasStatus_t status, const char* call);

} // namespace airan::gpu::detail
