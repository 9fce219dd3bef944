/// \file
/// \brief UniqueCudaHandle: the move-only ownership of one CUDA runtime handle (a stream, an
/// event, a graph instance, an allocation), shared by the RAII types of this module so that each
/// of them only says how its handle is created and used. CUDA builds only.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <utility>

namespace airan::gpu {

/// Owns \p Handle (a pointer-like CUDA runtime handle; null means none) and hands it to
/// \p Release's static `release(Handle) noexcept` when destroyed, reset or assigned over. The
/// release's error code is dropped: a destructor cannot throw, and nothing more leaks.
template <typename Handle, typename Release> class UniqueCudaHandle {
public:
  UniqueCudaHandle() = default;
  /// Takes ownership of \p handle.
  explicit UniqueCudaHandle(Handle handle) : handle_(handle) {}
  ~UniqueCudaHandle() { reset(); }
  UniqueCudaHandle(const UniqueCudaHandle&) = delete;
  UniqueCudaHandle& operator=(const UniqueCudaHandle&) = delete;
  UniqueCudaHandle(UniqueCudaHandle&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)) {}
  UniqueCudaHandle& operator=(UniqueCudaHandle&& other) noexcept {
    if (this != &other) {
      reset(std::exchange(other.handle_, nullptr));
    }
    return *this;
  }

  [[nodiscard]] Handle get() const { return handle_; }
  [[nodiscard]] explicit operator bool() const { return handle_ != nullptr; }
  /// Releases the handle held, if any, and takes ownership of \p handle.
  void reset(Handle handle = nullptr) noexcept {
    if (handle_ != nullptr) {
      Release::release(handle_);
    }
    handle_ = handle;
  }

private:
  Handle handle_ = nullptr;
};

/// \p count elements of \p T at an address owned like a handle (\p Release frees it): the
/// allocation and its size, moved together (the moved-from array is empty).
template <typename T, typename Release> class CudaArray {
public:
  CudaArray() = default;
  /// Takes ownership of \p data, which holds \p count elements (null when count is 0).
  CudaArray(T* data, std::size_t count) : data_(data), count_(count) {}
  ~CudaArray() = default;
  CudaArray(const CudaArray&) = delete;
  CudaArray& operator=(const CudaArray&) = delete;
  CudaArray(CudaArray&& other) noexcept
      : data_(std::move(other.data_)), count_(std::exchange(other.count_, 0)) {}
  CudaArray& operator=(CudaArray&& other) noexcept {
    if (this != &other) {
      data_ = std::move(other.data_);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }

  [[nodiscard]] T* data() const { return data_.get(); }
  [[nodiscard]] std::size_t size() const { return count_; }

private:
  UniqueCudaHandle<T*, Release> data_;
  std::size_t count_ = 0;
};

/// Release policies of the handles this module owns.
struct StreamRelease {
  static void release(cudaStream_t stream) noexcept { cudaStreamDestroy(stream); }
};
struct EventRelease {
  static void release(cudaEvent_t event) noexcept { cudaEventDestroy(event); }
};
struct GraphExecRelease {
  static void release(cudaGraphExec_t exec) noexcept { cudaGraphExecDestroy(exec); }
};
struct DeviceMemoryRelease {
  static void release(void* memory) noexcept { cudaFree(memory); }
};
struct PinnedMemoryRelease {
  static void release(void* memory) noexcept { cudaFreeHost(memory); }
};

} // namespace airan::gpu
