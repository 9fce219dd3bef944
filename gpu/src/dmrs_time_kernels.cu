// Interpolation of GpuPuschFrontEnd's DMRS channel estimates in time: the occasions' rows of H
// averaged over the PDU's symbols, or linearly interpolated between occasions (as phy's
// DmrsChannelEstimatorImpl).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "dmrs_estimation_common.cuh"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail::dmrs_estimation {
namespace {

/// Averaging in time: one thread per (rx, layer, allocated subcarrier) reads every occasion row,
/// then writes the mean to all the PDU's symbols (occasion rows included, so the reads come
/// first in the same thread).
struct AverageTimeLaunch {
  static constexpr unsigned threads = block_size;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void AverageTimeLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  float2* __restrict__ h = p.h;
  const std::size_t index = std::size_t{block.index} * blockDim.x + threadIdx.x;
  const unsigned width = g.num_subcarriers;
  if (index >= std::size_t{g.num_rx} * g.num_layers * width) {
    return;
  }
  const unsigned k = index % width;
  float2* base = h + (index / width) * max_symbols * width + k;
  const unsigned spo = g.symbols_per_occasion;
  const unsigned occasions = g.num_occasions;
  float2 mean = base[std::size_t{g.dmrs_symbols[0]} * width];
  for (unsigned o = 1; o < occasions; ++o) {
    const float2 v = base[std::size_t{g.dmrs_symbols[o * spo]} * width];
    mean.x += v.x;
    mean.y += v.y;
  }
  const float inverse = 1.0F / static_cast<float>(occasions);
  mean = make_float2(mean.x * inverse, mean.y * inverse);
  for (unsigned l = g.start_symbol; l < g.end_symbol; ++l) {
    base[std::size_t{l} * width] = mean;
  }
}

/// Linear interpolation in time: one thread per (rx, layer, PDU symbol, allocated subcarrier),
/// subcarriers fastest: a symbol that is not the first of an occasion gets the linear
/// interpolation between the occasions around it (held beyond the first and last). Only those
/// first rows are read and they are never written, so the symbols run in parallel (one thread
/// per row and subcarrier looping over the symbols left each thread 12 dependent writes: 8.4 us
/// of a 273-PRB slot on an H200).
struct InterpolateTimeLaunch {
  static constexpr unsigned threads = block_size;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void InterpolateTimeLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  float2* __restrict__ h = p.h;
  const std::size_t index = std::size_t{block.index} * blockDim.x + threadIdx.x;
  const unsigned width = g.num_subcarriers;
  const unsigned symbols = g.end_symbol - g.start_symbol;
  if (index >= std::size_t{g.num_rx} * g.num_layers * symbols * width) {
    return;
  }
  const unsigned k = index % width;
  const std::size_t rest = index / width;
  const unsigned l = g.start_symbol + static_cast<unsigned>(rest % symbols);
  float2* base = h + (rest / symbols) * max_symbols * width + k;
  const unsigned spo = g.symbols_per_occasion;
  const unsigned occasions = g.num_occasions;
  for (unsigned o = 0; o < occasions; ++o) {
    if (g.dmrs_symbols[o * spo] == l) {
      return; // an occasion row
    }
  }
  float times[max_symbols];
  for (unsigned o = 0; o < occasions; ++o) {
    times[o] = static_cast<float>(g.dmrs_symbols[o * spo]) + 0.5F * static_cast<float>(spo - 1);
  }
  const auto t = static_cast<float>(l);
  unsigned right = 0;
  while (right < occasions && times[right] < t) {
    ++right;
  }
  if (right == 0 || right == occasions) {
    base[std::size_t{l} * width] =
        base[std::size_t{g.dmrs_symbols[(right == 0 ? 0 : occasions - 1) * spo]} * width];
    return;
  }
  const float weight = (t - times[right - 1]) / (times[right] - times[right - 1]);
  const float2 a = base[std::size_t{g.dmrs_symbols[(right - 1) * spo]} * width];
  const float2 b = base[std::size_t{g.dmrs_symbols[right * spo]} * width];
  base[std::size_t{l} * width] =
      make_float2(a.x + weight * (b.x - a.x), a.y + weight * (b.y - a.y));
}

} // namespace

void launch_time_interpolation(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream) {
  const auto rows = [](const PduGeometry& g) {
    return std::size_t{g.num_rx} * g.num_layers * g.num_subcarriers;
  };
  launch_all<AverageTimeLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PduGeometry& g = pdus[i].g;
        return std::pair(AverageTimeLaunch{pdus[i]}, g.average_time ? blocks_for(rows(g)) : 0U);
      },
      "average_time_kernel", stream);
  launch_all<InterpolateTimeLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PduGeometry& g = pdus[i].g;
        const bool runs = !g.average_time && g.end_symbol > g.start_symbol;
        return std::pair(InterpolateTimeLaunch{pdus[i]},
                         runs ? blocks_for(rows(g) * (g.end_symbol - g.start_symbol)) : 0U);
      },
      "interpolate_time_kernel", stream);
}

} // namespace airan::gpu::detail::dmrs_estimation
