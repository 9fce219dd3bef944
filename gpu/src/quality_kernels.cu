/// \file
/// \brief Post-equalization quality (SINR, EVM) of a PDU on the device: the per-value math of
/// phy/equalization_quality.h, per-block sums, and their total in a fixed order.
#include "front_end_kernels.h"
#include "quality_elements.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {

namespace {

/// quality_blocks blocks per PDU, each summing its share.
struct QualityLaunch {
  static constexpr unsigned threads = quality_threads;
  const float2* symbols;
  const float* noise;
  std::size_t count;
  AxisGrid axis;
  QualitySums* partials;
  EmptyValues empty;
  __device__ void run(LaunchBlock block) const;
};

/// Each thread's sums (quality_thread_terms(); the block's threads given as the constant
/// quality_threads, which every launch has, so that the stride needs no blockDim), added in a
/// shared-memory tree whose strides halve (quality_block_sums() on the host); thread 0 writes the
/// block's partial.
__device__ void QualityLaunch::run(LaunchBlock block) const {
  __shared__ double sums[4][quality_threads];
  const QualityTerms terms = quality_thread_terms(symbols, noise, count, axis, block.index,
                                                  block.count, threadIdx.x, quality_threads, empty);
  sums[0][threadIdx.x] = terms.noise_sum;
  sums[1][threadIdx.x] = terms.noise_count;
  sums[2][threadIdx.x] = terms.error_power;
  sums[3][threadIdx.x] = terms.reference_power;
  __syncthreads();
  for (unsigned stride = quality_threads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      for (auto& row : sums) {
        row[threadIdx.x] += row[threadIdx.x + stride];
      }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    partials[block.index] = {sums[0][0], sums[1][0], sums[2][0], sums[3][0]};
  }
}

/// One warp: lane l adds the partials of blocks l, l + 32, ... in order
/// (lane_quality_partials()), then the lanes' sums are added in a fixed tree (__shfl_down_sync),
/// so the total does not depend on scheduling (quality_total_from_partials() on the host). (One
/// thread adding the 64 partials in turn took 9.5 us on an H200, a chain of dependent loads.)
struct QualityTotalLaunch {
  static constexpr unsigned threads = quality_total_lanes;
  const QualitySums* partials;
  QualitySums* total;
  __device__ void run(LaunchBlock block) const;
};

__device__ void QualityTotalLaunch::run(LaunchBlock /*block*/) const {
  QualitySums sum = lane_quality_partials(partials, threadIdx.x);
  for (int offset = quality_total_lanes / 2; offset > 0; offset /= 2) {
    sum.noise_sum += __shfl_down_sync(0xFFFFFFFFU, sum.noise_sum, offset);
    sum.noise_count += __shfl_down_sync(0xFFFFFFFFU, sum.noise_count, offset);
    sum.error_power += __shfl_down_sync(0xFFFFFFFFU, sum.error_power, offset);
    sum.reference_power += __shfl_down_sync(0xFFFFFFFFU, sum.reference_power, offset);
  }
  if (threadIdx.x == 0) {
    *total = sum;
  }
}

} // namespace

void launch_equalization_quality(std::span<const EqualizationQualityPdu> pdus,
                                 cudaStream_t stream) {
  launch_all<QualityLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const EqualizationQualityPdu& p = pdus[i];
        return std::pair(QualityLaunch{p.symbols, p.noise_variances, p.count, axis_grid(p.qm),
                                       p.partials, p.empty},
                         quality_blocks);
      },
      "quality_kernel", stream);
  launch_all<QualityTotalLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        return std::pair(QualityTotalLaunch{pdus[i].partials, pdus[i].total}, 1U);
      },
      "quality_total_kernel", stream);
}

} // namespace airan::gpu::detail
