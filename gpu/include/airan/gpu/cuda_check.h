/// \file
/// \brief Errors of the CUDA runtime and cuFFT as exceptions that name the failing call.
/// CUDA builds only (includes cuda_runtime.h).
#pragma once

#include <cuda_runtime.h>
#include <cufft.h>

#include <stdexcept>
#include <string>

namespace airan::gpu {

/// A failed CUDA runtime or cuFFT call: what() is "<call>: <error name>: <description>".
class CudaError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Throws CudaError naming \p call when \p status is not cudaSuccess. The error is reported
/// once: the runtime's last-error state is cleared first, so that the next launch check
/// (AIRAN_CUDA_CHECK_LAUNCH reads cudaGetLastError()) does not report it again as its own.
inline void check_cuda(cudaError_t status, const char* call) {
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    throw CudaError(std::string(call) + ": " + cudaGetErrorName(status) + ": " +
                    cudaGetErrorString(status));
  }
}

/// Throws CudaError naming \p call when \p status is not CUFFT_SUCCESS.
inline void check_cufft(cufftResult status, const char* call) {
  if (status != CUFFT_SUCCESS) {
    throw CudaError(std::string(call) + ": cuFFT error " +
                    std::to_string(static_cast<int>(status)));
  }
}

/// Makes \p device the calling thread's current device, calling cudaSetDevice only when it is
/// not already (so that a stage called inside a stream capture on the right device makes no
/// call beyond a query). \throws CudaError.
inline void make_device_current(int device) {
  int current = -1;
  check_cuda(cudaGetDevice(&current), "cudaGetDevice");
  if (current != device) {
    check_cuda(cudaSetDevice(device), "cudaSetDevice");
  }
}

} // namespace airan::gpu

/// Evaluates a CUDA runtime call and throws airan::gpu::CudaError with its text on failure.
#define AIRAN_CUDA_CHECK(call) ::airan::gpu::check_cuda((call), #call)
/// Evaluates a cuFFT call and throws airan::gpu::CudaError with its text on failure.
#define AIRAN_CUFFT_CHECK(call) ::airan::gpu::check_cufft((call), #call)
/// Checks the launch of the kernel just enqueued (configuration errors), without synchronising.
#define AIRAN_CUDA_CHECK_LAUNCH(name) ::airan::gpu::check_cuda(cudaGetLastError(), name)
