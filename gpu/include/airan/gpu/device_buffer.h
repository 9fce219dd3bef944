/// \file
/// \brief Move-only owners of device memory and pinned (page-locked) host memory.
/// CUDA builds only.
#pragma once

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/cuda_handle.h"

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

namespace airan::gpu {

/// \p count elements of trivially copyable \p T in device global memory (cudaMalloc), freed by
/// the destructor. Allocated once; nothing is allocated per slot. Move-only.
template <typename T> class DeviceBuffer {
public:
  DeviceBuffer() = default;
  /// \throws CudaError when the allocation fails.
  explicit DeviceBuffer(std::size_t count) : array_(allocate(count), count) {}

  [[nodiscard]] T* data() { return array_.data(); }
  [[nodiscard]] const T* data() const { return array_.data(); }
  [[nodiscard]] std::size_t size() const { return array_.size(); }
  [[nodiscard]] std::size_t bytes() const { return size() * sizeof(T); }

  /// Enqueues a copy of \p host (at most size() elements) to the start of the buffer.
  /// \throws std::length_error when host is larger than the buffer, CudaError on failure.
  void copy_from_host(std::span<const T> host, cudaStream_t stream) {
    check_size(host.size());
    AIRAN_CUDA_CHECK(
        cudaMemcpyAsync(data(), host.data(), host.size_bytes(), cudaMemcpyHostToDevice, stream));
  }
  /// Enqueues a copy of the first host.size() elements into \p host.
  void copy_to_host(std::span<T> host, cudaStream_t stream) const {
    check_size(host.size());
    AIRAN_CUDA_CHECK(
        cudaMemcpyAsync(host.data(), data(), host.size_bytes(), cudaMemcpyDeviceToHost, stream));
  }
  /// Enqueues zeroing of all bytes.
  void fill_zero(cudaStream_t stream) {
    if (size() != 0) {
      AIRAN_CUDA_CHECK(cudaMemsetAsync(data(), 0, bytes(), stream));
    }
  }

private:
  static T* allocate(std::size_t count) {
    T* data = nullptr;
    if (count != 0) {
      AIRAN_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data), count * sizeof(T)));
    }
    return data;
  }
  void check_size(std::size_t count) const {
    if (count > size()) {
      throw std::length_error("DeviceBuffer: " + std::to_string(count) + " elements exceed " +
                              std::to_string(size()));
    }
  }

  CudaArray<T, DeviceMemoryRelease> array_;
};

/// \p count elements of \p T in pinned host memory (cudaMallocHost): the source or target of
/// asynchronous copies. Move-only.
template <typename T> class PinnedBuffer {
public:
  PinnedBuffer() = default;
  /// \throws CudaError when the allocation fails.
  explicit PinnedBuffer(std::size_t count) : array_(allocate(count), count) {}

  [[nodiscard]] T* data() { return array_.data(); }
  [[nodiscard]] const T* data() const { return array_.data(); }
  [[nodiscard]] std::size_t size() const { return array_.size(); }
  [[nodiscard]] std::span<T> span() { return {data(), size()}; }
  [[nodiscard]] std::span<const T> span() const { return {data(), size()}; }
  [[nodiscard]] T& operator[](std::size_t i) { return data()[i]; }
  [[nodiscard]] const T& operator[](std::size_t i) const { return data()[i]; }

private:
  static T* allocate(std::size_t count) {
    T* data = nullptr;
    if (count != 0) {
      AIRAN_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&data), count * sizeof(T)));
    }
    return data;
  }

  CudaArray<T, PinnedMemoryRelease> array_;
};

} // namespace airan::gpu
