/// \file
/// \brief Move-only owners of device memory and pinned (page-locked) host memory.
/// CUDA builds only.
#pragma once

#include "airan/gpu/cuda_check.h"

#include <cstddef>
#include <span>
#include <string>
#include <utility>

namespace airan::gpu {

/// \p count elements of trivially copyable \p T in device global memory (cudaMalloc), freed by
/// the destructor. Allocated once; nothing is allocated per slot.
template <typename T> class DeviceBuffer {
public:
  DeviceBuffer() = default;
  /// \throws CudaError when the allocation fails.
  explicit DeviceBuffer(std::size_t count) : count_(count) {
    if (count != 0) {
      AIRAN_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(T)));
    }
  }
  ~DeviceBuffer() { reset(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      data_ = std::exchange(other.data_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }

  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] const T* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] std::size_t bytes() const { return count_ * sizeof(T); }

  /// Enqueues a copy of \p host (at most size() elements) to the start of the buffer.
  /// \throws std::length_error when host is larger than the buffer, CudaError on failure.
  void copy_from_host(std::span<const T> host, cudaStream_t stream) {
    check_size(host.size());
    AIRAN_CUDA_CHECK(
        cudaMemcpyAsync(data_, host.data(), host.size_bytes(), cudaMemcpyHostToDevice, stream));
  }
  /// Enqueues a copy of the first host.size() elements into \p host.
  void copy_to_host(std::span<T> host, cudaStream_t stream) const {
    check_size(host.size());
    AIRAN_CUDA_CHECK(
        cudaMemcpyAsync(host.data(), data_, host.size_bytes(), cudaMemcpyDeviceToHost, stream));
  }
  /// Enqueues zeroing of all bytes.
  void fill_zero(cudaStream_t stream) {
    if (count_ != 0) {
      AIRAN_CUDA_CHECK(cudaMemsetAsync(data_, 0, bytes(), stream));
    }
  }

private:
  void check_size(std::size_t count) const {
    if (count > count_) {
      throw std::length_error("DeviceBuffer: " + std::to_string(count) + " elements exceed " +
                              std::to_string(count_));
    }
  }
  void reset() noexcept {
    if (data_ != nullptr) {
      cudaFree(data_); // no throw from a destructor; a failure here leaks nothing more
      data_ = nullptr;
    }
    count_ = 0;
  }

  T* data_ = nullptr;
  std::size_t count_ = 0;
};

/// \p count elements of \p T in pinned host memory (cudaMallocHost): the source or target of
/// asynchronous copies. Move-only.
template <typename T> class PinnedBuffer {
public:
  PinnedBuffer() = default;
  /// \throws CudaError when the allocation fails.
  explicit PinnedBuffer(std::size_t count) : count_(count) {
    if (count != 0) {
      AIRAN_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&data_), count * sizeof(T)));
    }
  }
  ~PinnedBuffer() { reset(); }
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  PinnedBuffer(PinnedBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      data_ = std::exchange(other.data_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }

  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] const T* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] std::span<T> span() { return {data_, count_}; }
  [[nodiscard]] std::span<const T> span() const { return {data_, count_}; }
  [[nodiscard]] T& operator[](std::size_t i) { return data_[i]; }
  [[nodiscard]] const T& operator[](std::size_t i) const { return data_[i]; }

private:
  void reset() noexcept {
    if (data_ != nullptr) {
      cudaFreeHost(data_);
      data_ = nullptr;
    }
    count_ = 0;
  }

  T* data_ = nullptr;
  std::size_t count_ = 0;
};

} // namespace airan::gpu
