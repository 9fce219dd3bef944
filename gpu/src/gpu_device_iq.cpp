/// \file
/// \brief GpuDeviceIq: time-domain IQ copied once to device memory.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/gpu_cell_group.h"

#include <cuda_runtime.h>

#include <utility>

namespace airan::gpu {

GpuDeviceIq::GpuDeviceIq(std::span<const phy::cf32> iq, int device)
    : size_(iq.size()), device_(device) {
  AIRAN_CUDA_CHECK(cudaSetDevice(device));
  AIRAN_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), iq.size_bytes()));
  try {
    AIRAN_CUDA_CHECK(cudaMemcpy(data_, iq.data(), iq.size_bytes(), cudaMemcpyHostToDevice));
    // From pageable memory the copy may still be in flight; the cells' streams do not wait for
    // the default stream.
    AIRAN_CUDA_CHECK(cudaDeviceSynchronize());
  } catch (...) {
    cudaFree(data_); // the destructor does not run for a constructor that throws
    data_ = nullptr;
    throw;
  }
}

GpuDeviceIq::~GpuDeviceIq() {
  if (data_ != nullptr) {
    cudaSetDevice(device_);
    cudaFree(data_);
  }
}

GpuDeviceIq::GpuDeviceIq(GpuDeviceIq&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(other.size_), device_(other.device_) {}

GpuDeviceIq& GpuDeviceIq::operator=(GpuDeviceIq&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) {
      cudaSetDevice(device_);
      cudaFree(data_);
    }
    data_ = std::exchange(other.data_, nullptr);
    size_ = other.size_;
    device_ = other.device_;
  }
  return *this;
}

} // namespace airan::gpu
