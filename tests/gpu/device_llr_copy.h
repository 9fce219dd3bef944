/// \file
/// \brief LLRs copied into device memory for the CUDA decoder tests (freed with the object; without
/// CUDA an empty stand-in).
#pragma once

#include "airan/phy/ulsch_decoder.h"

#if defined(AIRAN_HAVE_CUDA)
#include <cuda_runtime.h>
#endif

#include <cstddef>
#include <span>
#include <stdexcept>

namespace airan::test {

/// The LLRs in device memory (freed with the object).
class DeviceLlrCopy {
public:
  explicit DeviceLlrCopy(std::span<const float> llrs) : size_(llrs.size()) {
#if defined(AIRAN_HAVE_CUDA)
    if (cudaMalloc(reinterpret_cast<void**>(&data_), llrs.size_bytes()) != cudaSuccess ||
        cudaMemcpy(data_, llrs.data(), llrs.size_bytes(), cudaMemcpyHostToDevice) != cudaSuccess ||
        // From pageable memory cudaMemcpy may return before the DMA lands; the decoders' streams
        // do not wait for the default stream.
        cudaDeviceSynchronize() != cudaSuccess) {
      throw std::runtime_error("cannot copy LLRs to the device");
    }
#endif
  }
  ~DeviceLlrCopy() {
#if defined(AIRAN_HAVE_CUDA)
    cudaFree(data_);
#endif
  }
  DeviceLlrCopy(const DeviceLlrCopy&) = delete;
  DeviceLlrCopy& operator=(const DeviceLlrCopy&) = delete;
  [[nodiscard]] phy::DeviceLlrs llrs() const {
    return {data_, size_, 0};
  }

private:
  float* data_ = nullptr;
  std::size_t size_;
};

} // namespace airan::test
