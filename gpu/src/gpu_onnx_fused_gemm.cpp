/// \file
/// \brief FusedGemm: descriptors, the heuristic's algorithm (out of place when a residual is C)
/// and the cuBLASLt call.
#include "gpu_onnx_fused_gemm.h"

#include "airan/gpu/cuda_check.h"

#include "cublas_loader.h"
#include "gpu_onnx_kernels.h"

#include <cstdint>
#include <string>

namespace airan::gpu::detail {
namespace {

void check_lt(cublasStatus_t status, const char* call) {
  check_cublas(status, call);
}

/// Largest power of two up to 256 that divides the address \p pointer.
std::uint32_t alignment_of(const void* pointer) {
  const auto address = reinterpret_cast<std::uintptr_t>(pointer);
  std::uint32_t alignment = 256;
  while (alignment > 1 && address % alignment != 0) {
    alignment /= 2;
  }
  return alignment;
}

template <class T>
void set_preference(cublasLtMatmulPreference_t preference,
                    cublasLtMatmulPreferenceAttributes_t attribute, T value) {
  check_lt(cublas_api().cublasLtMatmulPreferenceSetAttribute(preference, attribute, &value,
                                                             sizeof(value)),
           "cublasLtMatmulPreferenceSetAttribute");
}

/// Owner of a heuristic preference.
struct Preference {
  Preference() {
    check_lt(cublas_api().cublasLtMatmulPreferenceCreate(&get), "cublasLtMatmulPreferenceCreate");
  }
  ~Preference() { cublas_api().cublasLtMatmulPreferenceDestroy(get); }
  Preference(const Preference&) = delete;
  Preference& operator=(const Preference&) = delete;
  cublasLtMatmulPreference_t get = nullptr;
};

} // namespace

std::unique_ptr<FusedGemm> FusedGemm::make(const PointwiseConvLaunch& p, const BlasContext& blas,
                                           bool tf32) {
  const bool residual_fits = p.residual == nullptr || p.residual_map.contiguous;
  if (blas.lt == nullptr || p.batch != 1 || p.bias != nullptr || !residual_fits) {
    return nullptr;
  }
  std::unique_ptr<FusedGemm> gemm(new FusedGemm());
  const cublasComputeType_t compute = tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  check_lt(cublas_api().cublasLtMatmulDescCreate(&gemm->operation_, compute, CUDA_R_32F),
           "cublasLtMatmulDescCreate");
  const cublasOperation_t no_transpose = CUBLAS_OP_N;
  check_lt(cublas_api().cublasLtMatmulDescSetAttribute(
               gemm->operation_, CUBLASLT_MATMUL_DESC_TRANSA, &no_transpose, sizeof(no_transpose)),
           "cublasLtMatmulDescSetAttribute");
  check_lt(cublas_api().cublasLtMatmulDescSetAttribute(
               gemm->operation_, CUBLASLT_MATMUL_DESC_TRANSB, &no_transpose, sizeof(no_transpose)),
           "cublasLtMatmulDescSetAttribute");
  const cublasLtEpilogue_t epilogue = p.relu ? CUBLASLT_EPILOGUE_RELU : CUBLASLT_EPILOGUE_DEFAULT;
  check_lt(cublas_api().cublasLtMatmulDescSetAttribute(
               gemm->operation_, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)),
           "cublasLtMatmulDescSetAttribute");
  const auto pixels = static_cast<std::uint64_t>(p.pixels);
  const auto in = static_cast<std::uint64_t>(p.in_channels);
  const auto out = static_cast<std::uint64_t>(p.out_channels);
  check_lt(cublas_api().cublasLtMatrixLayoutCreate(&gemm->x_, CUDA_R_32F, pixels, in,
                                                   static_cast<std::int64_t>(pixels)),
           "cublasLtMatrixLayoutCreate");
  const auto weights_ld =
      static_cast<std::int64_t>(p.weights_ld != 0 ? p.weights_ld : p.in_channels);
  check_lt(cublas_api().cublasLtMatrixLayoutCreate(&gemm->w_, CUDA_R_32F, in, out, weights_ld),
           "cublasLtMatrixLayoutCreate");
  check_lt(cublas_api().cublasLtMatrixLayoutCreate(&gemm->y_, CUDA_R_32F, pixels, out,
                                                   static_cast<std::int64_t>(pixels)),
           "cublasLtMatrixLayoutCreate");
  Preference preference;
  set_preference(preference.get, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, blas.workspace_bytes);
  const float* c = p.residual != nullptr ? p.residual : p.y;
  set_preference(preference.get, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, alignment_of(p.x));
  set_preference(preference.get, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                 alignment_of(p.weights));
  set_preference(preference.get, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, alignment_of(c));
  set_preference(preference.get, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, alignment_of(p.y));
  constexpr int wanted = 8;
  cublasLtMatmulHeuristicResult_t results[wanted] = {};
  int found = 0;
  if (cublas_api().cublasLtMatmulAlgoGetHeuristic(blas.lt, gemm->operation_, gemm->x_, gemm->w_,
                                                  gemm->y_, gemm->y_, preference.get, wanted,
                                                  results, &found) != CUBLAS_STATUS_SUCCESS) {
    return nullptr;
  }
  const bool out_of_place = c != p.y;
  for (int r = 0; r < found; ++r) {
    if (results[r].state != CUBLAS_STATUS_SUCCESS) {
      continue;
    }
    std::int32_t supported = 1;
    if (out_of_place) {
      std::size_t written = 0;
      if (cublas_api().cublasLtMatmulAlgoCapGetAttribute(
              &results[r].algo, CUBLASLT_ALGO_CAP_OUT_OF_PLACE_RESULT_SUPPORT, &supported,
              sizeof(supported), &written) != CUBLAS_STATUS_SUCCESS) {
        supported = 0;
      }
    }
    if (supported != 0) {
      gemm->algorithm_ = results[r].algo;
      gemm->workspace_bytes_ = results[r].workspaceSize;
      return gemm;
    }
  }
  return nullptr;
}

FusedGemm::~FusedGemm() {
  if (y_ != nullptr) {
    cublas_api().cublasLtMatrixLayoutDestroy(y_);
  }
  if (w_ != nullptr) {
    cublas_api().cublasLtMatrixLayoutDestroy(w_);
  }
  if (x_ != nullptr) {
    cublas_api().cublasLtMatrixLayoutDestroy(x_);
  }
  if (operation_ != nullptr) {
    cublas_api().cublasLtMatmulDescDestroy(operation_);
  }
}

void FusedGemm::enqueue(const PointwiseConvLaunch& p, cudaStream_t stream,
                        const BlasContext& blas) const {
  const float one = 1.0F;
  const float beta = p.residual != nullptr ? 1.0F : 0.0F;
  const float* c = p.residual != nullptr ? p.residual : p.y;
  check_lt(cublas_api().cublasLtMatmul(blas.lt, operation_, &one, p.x, x_, p.weights, w_, &beta, c,
                                       y_, p.y, y_, &algorithm_, blas.workspace, workspace_bytes_,
                                       stream),
           "cublasLtMatmul");
}

} // namespace airan::gpu::detail
