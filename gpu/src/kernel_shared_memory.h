/// \file
/// \brief The dynamic shared memory a set of kernel instances may use on the current device:
/// what they want, capped by the device's per-block opt-in limit less each instance's static
/// shared memory (sm_80 and sm_90 allow 163 and 227 KB per block, the sm_86 and sm_89 parts that
/// run the sm_80 build 99 KB), and set as their attribute. Host code (CUDA runtime API).
#pragma once

#include "airan/gpu/cuda_check.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <initializer_list>

namespace airan::gpu::detail {

/// Sets cudaFuncAttributeMaxDynamicSharedMemorySize of every kernel of \p kernels (device
/// function addresses) on the current device to min(\p wanted, opt-in limit - its static shared
/// memory), the same for all, and \returns that size. \throws CudaError when a query or the
/// attribute fails.
inline std::size_t set_dynamic_shared_limit(std::size_t wanted,
                                            std::initializer_list<const void*> kernels) {
  int device = 0;
  int optin = 0;
  AIRAN_CUDA_CHECK(cudaGetDevice(&device));
  AIRAN_CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  std::size_t limit = wanted;
  for (const void* kernel : kernels) {
    cudaFuncAttributes attributes{};
    AIRAN_CUDA_CHECK(cudaFuncGetAttributes(&attributes, kernel));
    const std::size_t available = static_cast<std::size_t>(optin) > attributes.sharedSizeBytes
                                      ? static_cast<std::size_t>(optin) - attributes.sharedSizeBytes
                                      : 0;
    limit = std::min(limit, available);
  }
  for (const void* kernel : kernels) {
    AIRAN_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                          static_cast<int>(limit)));
  }
  return limit;
}

} // namespace airan::gpu::detail
