/// \file
/// \brief The BLAS handles GpuOnnxExecutor's launches run with, and FusedGemm: a pointwise
/// convolution as one cuBLASLt matmul with its bias (through the plane of ones after its input),
/// residual (C) and Relu (epilogue) folded in (private, CUDA builds).
#pragma once

#include "gpu_onnx_launches.h"

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <memory>

namespace airan::gpu::detail {

/// cuBLAS (bound to the plan's main stream), cuBLASLt (nullptr: no fused GEMMs) and the
/// workspace both use; the launches that use them all run on the main stream.
struct BlasContext {
  cublasHandle_t cublas = nullptr;
  cublasLtHandle_t lt = nullptr;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
};

/// Column-major D (P x M) = X' (P x K) W' (K x M) + beta C, Relu: Y[M][P] = W[M][K] X[K][P] +
/// residual, with the bias inside W and X as channel K (PlanLayout::ones).
class FusedGemm {
public:
  /// The matmul of \p launch, or nullptr where cuBLASLt cannot take all of it (a batch, a bias
  /// without a plane of ones, a broadcast residual) or offers no algorithm: the launch then runs
  /// the GEMM and the epilogue kernel. \p tf32: TF32 tensor cores (CUBLAS_COMPUTE_32F_FAST_TF32).
  static std::unique_ptr<FusedGemm> make(const PointwiseConvLaunch& launch, const BlasContext& blas,
                                         bool tf32);
  ~FusedGemm();
  FusedGemm(const FusedGemm&) = delete;
  FusedGemm& operator=(const FusedGemm&) = delete;

  /// Enqueues the matmul of \p launch (the one it was made for) on \p stream.
  /// \throws CudaError when cuBLASLt fails.
  void enqueue(const PointwiseConvLaunch& launch, cudaStream_t stream,
               const BlasContext& blas) const;

private:
  FusedGemm() = default;

  cublasLtMatmulDesc_t operation_ = nullptr;
  cublasLtMatrixLayout_t x_ = nullptr;
  cublasLtMatrixLayout_t w_ = nullptr;
  cublasLtMatrixLayout_t y_ = nullptr;
  cublasLtMatmulAlgo_t algorithm_{};
  std::size_t workspace_bytes_ = 0;
};

/// Enqueues \p launch on \p stream (cuBLAS work on blas.cublas's stream, which must be
/// \p stream). \throws CudaError when a launch or cuBLAS call fails.
void enqueue(const Launch& launch, cudaStream_t stream, const BlasContext& blas);

} // namespace airan::gpu::detail
