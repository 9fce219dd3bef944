// Transform deprecoding of GpuPuschFrontEnd (DFT-s-OFDM, transform_deprecoding_elements.h): the
// weighting kernel, the inverse cuFFT of each PDU and the scaling and demapping kernel; the
// per-element math is phy/transform_deprecoding_math.h's and the demapper's.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/cufft_plan.h"
#include "airan/gpu/launch_profiler.h"
#include "launch_batches.cuh"
#include "transform_deprecoding_elements.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace airan::gpu::detail {
namespace {

/// One block per data symbol: weigh_deprecoding_values(), the threads' sums added in a
/// shared-memory tree (strides deprecoding_weigh_threads / 2, ..., 1), thread 0 the scale.
struct DeprecodingWeighLaunch {
  static constexpr unsigned threads = deprecoding_weigh_threads;
  TransformDeprecodingPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void DeprecodingWeighLaunch::run(LaunchBlock block) const {
  __shared__ double sums[2][deprecoding_weigh_threads];
  double weight = 0.0;
  double residual = 0.0;
  weigh_deprecoding_values(p, block.index, threadIdx.x, blockDim.x, weight, residual);
  sums[0][threadIdx.x] = weight;
  sums[1][threadIdx.x] = residual;
  __syncthreads();
  for (unsigned stride = deprecoding_weigh_threads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      sums[0][threadIdx.x] += sums[0][threadIdx.x + stride];
      sums[1][threadIdx.x] += sums[1][threadIdx.x + stride];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    p.scales[block.index] = phy::deprecoding_scale(sums[0][0], sums[1][0], p.m);
  }
}

/// One thread per value: deprecode_demap_value(), the demapper's table in shared memory.
struct DeprecodingDemapLaunch {
  static constexpr unsigned threads = deprecoding_demap_threads;
  TransformDeprecodingPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void DeprecodingDemapLaunch::run(LaunchBlock block) const {
  // Raw storage, copied word by word (as the equalizer's: __shared__ variables may not have
  // default member initialisers).
  __shared__ alignas(phy::PamLlrTable) unsigned char storage[sizeof(phy::PamLlrTable)];
  static_assert(sizeof(phy::PamLlrTable) % 4 == 0);
  if (p.qm != 1) {
    const auto* source = reinterpret_cast<const unsigned*>(p.table);
    auto* target = reinterpret_cast<unsigned*>(storage);
    for (unsigned i = threadIdx.x; i < sizeof(phy::PamLlrTable) / 4; i += blockDim.x) {
      target[i] = source[i];
    }
  }
  __syncthreads();
  const auto& table = *reinterpret_cast<const phy::PamLlrTable*>(storage);
  const unsigned i = block.index * blockDim.x + threadIdx.x;
  if (i < p.rows * p.m) {
    deprecode_demap_value(p, table, i);
  }
}

} // namespace

void launch_transform_deprecoding(std::span<const TransformDeprecodingPdu> pdus,
                                  std::span<CufftPlan* const> plans, cudaStream_t stream) {
  if (plans.size() != pdus.size()) {
    throw std::invalid_argument("transform deprecoding: one plan per PDU is needed");
  }
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const TransformDeprecodingPdu& p = pdus[i];
    if (p.qm != 1 && p.qm != 2 && p.qm != 4 && p.qm != 6 && p.qm != max_qm) {
      throw std::invalid_argument("transform deprecoding: modulation order " +
                                  std::to_string(p.qm) +
                                  " is not demapped on the device (1, 2, 4, 6 or 8 bits)");
    }
    if ((p.qm != 1 && p.table == nullptr) || plans[i] == nullptr || !plans[i]->valid() ||
        plans[i]->size() != static_cast<int>(p.m) || plans[i]->batch() != int{max_symbols} ||
        p.rows > max_symbols) {
      throw std::invalid_argument("transform deprecoding: no demapping table, or no plan of " +
                                  std::to_string(p.m) + " points for up to " +
                                  std::to_string(max_symbols) + " symbols");
    }
  }
  launch_all<DeprecodingWeighLaunch>(
      pdus.size(),
      [&](std::size_t i) { return std::pair(DeprecodingWeighLaunch{pdus[i]}, pdus[i].rows); },
      "deprecoding_weigh_kernel", stream);
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    if (pdus[i].rows > 0) {
      auto* work = reinterpret_cast<cufftComplex*>(pdus[i].work);
      plans[i]->inverse(work, work, stream);
      profile_launch("cuFFT", stream);
    }
  }
  launch_all<DeprecodingDemapLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const unsigned values = pdus[i].rows * pdus[i].m;
        return std::pair(DeprecodingDemapLaunch{pdus[i]},
                         (values + deprecoding_demap_threads - 1) / deprecoding_demap_threads);
      },
      "deprecoding_demap_kernel", stream);
}

} // namespace airan::gpu::detail
