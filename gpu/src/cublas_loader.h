/// \file
/// \brief cuBLAS and cuBLASLt, loaded at run time (dlopen) when the CUDA ONNX executor is first
/// created, not linked: loading libcublasLt runs its static initialisers (about 0.3 s of CPU and
/// page faults on every start), which every `airan` command and every test program paid before,
/// CUDA or not. The entry points have the types of the toolkit's headers (decltype), so a call
/// through the table is checked as a direct call is.
///
/// Usage: `const CublasApi& api = cublas_api(); api.cublasCreate(&handle);` (the v2 macros of
/// cublas_v2.h rename the member as they rename the function). Not named cublas_api.h: cublasLt.h
/// includes the toolkit's <cublas_api.h>, which a `-I gpu/src` would resolve to this file.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>

#include <string>

namespace airan::gpu::detail {

/// The cuBLAS functions the executor calls (libcublas).
#define AIRAN_CUBLAS_FUNCTIONS(X)                                                                  \
  X(cublasCreate)                                                                                  \
  X(cublasDestroy)                                                                                 \
  X(cublasSetStream)                                                                               \
  X(cublasSetWorkspace)                                                                            \
  X(cublasSetMathMode)                                                                             \
  X(cublasSgemmStridedBatched)                                                                     \
  X(cublasGetStatusName)                                                                           \
  X(cublasGetStatusString)

/// The cuBLASLt functions the executor calls (libcublasLt).
#define AIRAN_CUBLASLT_FUNCTIONS(X)                                                                \
  X(cublasLtCreate)                                                                                \
  X(cublasLtDestroy)                                                                               \
  X(cublasLtMatmulDescCreate)                                                                      \
  X(cublasLtMatmulDescDestroy)                                                                     \
  X(cublasLtMatmulDescSetAttribute)                                                                \
  X(cublasLtMatrixLayoutCreate)                                                                    \
  X(cublasLtMatrixLayoutDestroy)                                                                   \
  X(cublasLtMatmulPreferenceCreate)                                                                \
  X(cublasLtMatmulPreferenceDestroy)                                                               \
  X(cublasLtMatmulPreferenceSetAttribute)                                                          \
  X(cublasLtMatmulAlgoGetHeuristic)                                                                \
  X(cublasLtMatmulAlgoCapGetAttribute)                                                             \
  X(cublasLtMatmul)

/// The entry points, each with the type its header declares.
struct CublasApi {
#define AIRAN_CUBLAS_ENTRY(function) decltype(&::function) function = nullptr;
  AIRAN_CUBLAS_FUNCTIONS(AIRAN_CUBLAS_ENTRY)
  AIRAN_CUBLASLT_FUNCTIONS(AIRAN_CUBLAS_ENTRY)
#undef AIRAN_CUBLAS_ENTRY
};

/// Loads both libraries and resolves every entry point on the first call (thread-safe); later
/// calls return the same table. The libraries are looked up by the dynamic loader's rules
/// (LD_LIBRARY_PATH, the program's run path), then in the folder CMake found cuBLAS in at build
/// time. \throws CudaError naming the library or the function that could not be loaded.
const CublasApi& cublas_api();

/// The file names loaded: "libcublas.so.<major>" and "libcublasLt.so.<major>" (the toolkit's).
std::string cublas_library_name();
std::string cublaslt_library_name();

/// True once cublas_api() has loaded the libraries in this process.
bool cublas_api_loaded();

} // namespace airan::gpu::detail
