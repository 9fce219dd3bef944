/// \file
/// \brief GpuHarqSoftMemory (the device memory of a HARQ pool's soft values) and the factory of
/// GpuUlschDecoders that share it per pool.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/gpu_ulsch_decoder.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace airan::gpu {

GpuHarqSoftMemory::GpuHarqSoftMemory(unsigned num_buffers, std::size_t soft_bits_per_buffer,
                                     int device)
    : num_buffers_(num_buffers), soft_bits_per_buffer_(soft_bits_per_buffer), device_(device) {
  if (num_buffers == 0 || soft_bits_per_buffer == 0) {
    throw std::invalid_argument("GpuHarqSoftMemory: " + std::to_string(num_buffers) +
                                " buffers of " + std::to_string(soft_bits_per_buffer) +
                                " soft values");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device));
  AIRAN_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_),
                              std::size_t{num_buffers} * soft_bits_per_buffer * sizeof(float)));
}

GpuHarqSoftMemory::~GpuHarqSoftMemory() {
  if (data_ != nullptr) {
    cudaSetDevice(device_);
    cudaFree(data_);
  }
}

float* GpuHarqSoftMemory::buffer(unsigned index) const {
  if (index >= num_buffers_) {
    throw std::out_of_range("GpuHarqSoftMemory: buffer " + std::to_string(index) + " of " +
                            std::to_string(num_buffers_));
  }
  return data_ + std::size_t{index} * soft_bits_per_buffer_;
}

void GpuHarqSoftMemory::download(unsigned index, std::span<float> soft_bits) const {
  if (soft_bits.size() > soft_bits_per_buffer_) {
    throw std::invalid_argument("GpuHarqSoftMemory: more values than a buffer holds");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device_));
  // The decoders write the buffers on non-blocking streams, which a cudaMemcpy on the legacy
  // default stream does not wait for: everything on the device first.
  AIRAN_CUDA_CHECK(cudaDeviceSynchronize());
  AIRAN_CUDA_CHECK(
      cudaMemcpy(soft_bits.data(), buffer(index), soft_bits.size_bytes(), cudaMemcpyDeviceToHost));
}

phy::UlschDecoderFactory make_gpu_ulsch_decoder_factory(int device) {
  /// The HARQ memory of each pool the factory has made decoders for.
  struct Memories {
    std::mutex mutex;
    std::vector<std::pair<const phy::HarqBufferPool*, std::weak_ptr<GpuHarqSoftMemory>>> of_pool;
  };
  auto memories = std::make_shared<Memories>();
  phy::UlschDecoderFactory factory;
  factory.harq_storage = phy::HarqStorage::external;
  factory.make = [memories, device](std::uint32_t max_tbs, const phy::HarqBufferPool& pool) {
    if (pool.storage() != phy::HarqStorage::external) {
      throw std::invalid_argument("GpuUlschDecoder: the HARQ pool must keep its soft values "
                                  "outside (phy::HarqStorage::external)");
    }
    std::shared_ptr<GpuHarqSoftMemory> memory;
    {
      const std::lock_guard lock(memories->mutex);
      auto& entries = memories->of_pool;
      std::erase_if(entries, [](const auto& entry) { return entry.second.expired(); });
      const auto found = std::find_if(entries.begin(), entries.end(),
                                      [&](const auto& entry) { return entry.first == &pool; });
      if (found != entries.end()) {
        memory = found->second.lock(); // null when its last decoder went meanwhile
      }
      if (memory == nullptr) {
        memory = std::make_shared<GpuHarqSoftMemory>(pool.num_buffers(),
                                                     pool.soft_bits_per_buffer(), device);
        if (found != entries.end()) {
          found->second = memory;
        } else {
          entries.emplace_back(&pool, memory);
        }
      }
    }
    return std::unique_ptr<phy::UlschDecoder>(
        std::make_unique<GpuUlschDecoder>(max_tbs, std::move(memory), device));
  };
  return factory;
}

} // namespace airan::gpu
