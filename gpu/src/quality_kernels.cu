/// \file
/// \brief Post-equalization quality (SINR, EVM) of a PDU on the device: the per-value math of
/// phy/equalization_quality.h, per-block sums, and their total in a fixed order.
#include "front_end_kernels.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/equalization_quality.h"
#include "airan/phy/modulation_mapper.h"
#include "launch_batches.cuh"

#include <cmath>
#include <utility>

namespace airan::gpu::detail {

namespace {

constexpr unsigned quality_threads = 256;

struct AxisGrid {
  int levels;
  float scale;
  float inverse_interval;
  float half;
};

/// The decision grid of Q_m \p qm (pi/2-BPSK does not occur without transform precoding:
/// judged on the QPSK grid, as the CPU).
AxisGrid axis_grid(unsigned qm) {
  const unsigned decision_qm = qm >= 2 ? qm : 2;
  AxisGrid axis{};
  axis.levels = 1 << (decision_qm / 2);
  axis.scale = phy::qam_scale(decision_qm);
  axis.inverse_interval = 0.5F / axis.scale;
  axis.half = 0.5F * static_cast<float>(axis.levels);
  return axis;
}

/// quality_blocks blocks per PDU, each summing its share.
struct QualityLaunch {
  static constexpr unsigned threads = quality_threads;
  const float2* symbols;
  const float* noise;
  std::size_t count;
  AxisGrid axis;
  QualitySums* partials;
  __device__ void run(LaunchBlock block) const;
};

__device__ void QualityLaunch::run(LaunchBlock block) const {
  __shared__ double sums[4][quality_threads];
  float noise_sum = 0.0F;
  float noise_count = 0.0F;
  float error = 0.0F;
  float reference = 0.0F;
  for (std::size_t i = block.index * std::size_t{blockDim.x} + threadIdx.x; i < count;
       i += std::size_t{block.count} * blockDim.x) {
    if (isfinite(noise[i])) {
      noise_sum += noise[i];
      noise_count += 1.0F;
    }
    const float values[2] = {symbols[i].x, symbols[i].y};
    for (const float value : values) {
      const float point =
          phy::qam_axis_decision(value, axis.levels, axis.scale, axis.inverse_interval, axis.half);
      error += (value - point) * (value - point);
      reference += point * point;
    }
  }
  sums[0][threadIdx.x] = noise_sum;
  sums[1][threadIdx.x] = noise_count;
  sums[2][threadIdx.x] = error;
  sums[3][threadIdx.x] = reference;
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

/// One warp: lane l adds the partials of blocks l, l + 32, ... in order, then the lanes' sums are
/// added in a fixed tree (__shfl_down_sync), so the total does not depend on scheduling. (One
/// thread adding the 64 partials in turn took 9.5 us on an H200, a chain of dependent loads.)
struct QualityTotalLaunch {
  static constexpr unsigned threads = 32;
  const QualitySums* partials;
  QualitySums* total;
  __device__ void run(LaunchBlock block) const;
};

__device__ void QualityTotalLaunch::run(LaunchBlock /*block*/) const {
  QualitySums sum;
  for (unsigned b = threadIdx.x; b < quality_blocks; b += 32) {
    sum.noise_sum += partials[b].noise_sum;
    sum.noise_count += partials[b].noise_count;
    sum.error_power += partials[b].error_power;
    sum.reference_power += partials[b].reference_power;
  }
  for (int offset = 16; offset > 0; offset /= 2) {
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
        return std::pair(
            QualityLaunch{p.symbols, p.noise_variances, p.count, axis_grid(p.qm), p.partials},
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
