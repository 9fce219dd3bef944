#include "airan/gpu/device_query.h"

#include <cuda_runtime.h>

#include <vector>

namespace airan::gpu {
namespace {

__global__ void add_vectors_kernel(const float* a, const float* b, float* c, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    c[i] = a[i] + b[i];
  }
}

std::string describe(cudaError_t err) {
  return cudaGetErrorString(err);
}

/// Device buffer owned for the lifetime of the object.
class DeviceBuffer {
public:
  explicit DeviceBuffer(std::size_t bytes) { status_ = cudaMalloc(&ptr_, bytes); }
  ~DeviceBuffer() {
    if (ptr_ != nullptr) {
      cudaFree(ptr_);
    }
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  [[nodiscard]] float* get() const { return static_cast<float*>(ptr_); }
  [[nodiscard]] cudaError_t status() const { return status_; }

private:
  void* ptr_ = nullptr;
  cudaError_t status_ = cudaSuccess;
};

} // namespace

DeviceQueryResult query_devices() {
  DeviceQueryResult result;
  result.cuda_compiled = true;
  cudaRuntimeGetVersion(&result.runtime_version);
  if (cudaDriverGetVersion(&result.driver_version) != cudaSuccess || result.driver_version == 0) {
    result.status = "no CUDA driver found";
    return result;
  }
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    result.status = describe(err);
    return result;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) {
      continue;
    }
    result.devices.push_back(
        {i, prop.name, prop.major, prop.minor, prop.totalGlobalMem, prop.multiProcessorCount});
  }
  if (result.devices.empty()) {
    result.status = "no CUDA device found";
  }
  return result;
}

std::string run_device_self_test(int device_index) {
  if (const auto err = cudaSetDevice(device_index); err != cudaSuccess) {
    return describe(err);
  }
  constexpr int n = 1 << 16;
  std::vector<float> a(n), b(n), c(n);
  for (int i = 0; i < n; ++i) {
    a[i] = static_cast<float>(i);
    b[i] = static_cast<float>(2 * i);
  }
  DeviceBuffer da(n * sizeof(float)), db(n * sizeof(float)), dc(n * sizeof(float));
  for (const auto* buf : {&da, &db, &dc}) {
    if (buf->status() != cudaSuccess) {
      return describe(buf->status());
    }
  }
  cudaMemcpy(da.get(), a.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemcpy(db.get(), b.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  constexpr int block = 256;
  add_vectors_kernel<<<(n + block - 1) / block, block>>>(da.get(), db.get(), dc.get(), n);
  if (const auto err = cudaGetLastError(); err != cudaSuccess) {
    return describe(err);
  }
  if (const auto err = cudaMemcpy(c.data(), dc.get(), n * sizeof(float), cudaMemcpyDeviceToHost);
      err != cudaSuccess) {
    return describe(err);
  }
  for (int i = 0; i < n; ++i) {
    if (c[i] != static_cast<float>(3 * i)) {
      return "wrong result at element " + std::to_string(i);
    }
  }
  return {};
}

} // namespace airan::gpu
