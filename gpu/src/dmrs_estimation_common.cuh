/// \file
/// \brief Shared pieces of the DMRS estimation kernels (private; dmrs_kernels.cu,
/// dmrs_noise_kernels.cu, dmrs_interpolation_kernels.cu): block sizes, the layout of a PDU's
/// scratch, block-wide sums, and the launchers of the steps that live in files of their own.
#pragma once

#include "dmrs_despread_elements.h"
#include "dmrs_interpolation_elements.h"
#include "front_end_kernels.h"

#include <cstddef>
#include <span>

namespace airan::gpu::detail::dmrs_estimation {

constexpr unsigned block_size = 256;
static_assert(block_size == despread_threads);

/// Floats of the delay correlations (rx * layers * 14 complex sums), last in the scratch.
constexpr std::size_t delay_sum_floats(std::size_t rx, std::size_t layers) {
  return rx * layers * max_symbols * 2;
}

/// The scratch of launch_dmrs_estimation(): the noise estimator's counter of blocks done first
/// (2 floats, so that the doubles after it stay 8-byte aligned) at a place that does not depend
/// on the PDU's shape (a PDU of other antennas or layers finds it at zero: the last block of each
/// estimation sets it back), then the noise partials (noise_partial_doubles per block), then the
/// delay correlations.
constexpr std::size_t noise_counter_floats = 2;
constexpr std::size_t noise_partial_floats =
    2 * std::size_t{noise_partial_doubles} * max_noise_blocks;

__device__ inline unsigned* noise_counter_of(float* scratch) {
  return reinterpret_cast<unsigned*>(scratch);
}
__device__ inline double* noise_partials_of(float* scratch) {
  return reinterpret_cast<double*>(scratch + noise_counter_floats);
}
__device__ inline float* delay_sums_of(float* scratch) {
  return scratch + noise_counter_floats + noise_partial_floats;
}

inline unsigned blocks_for(std::size_t count) {
  return static_cast<unsigned>((count + block_size - 1) / block_size);
}

/// Sum over a warp, valid in lane 0 (lane l + 16 added into lane l, then l + 8, ... down to 1).
/// warp_tree_sum() and block_tree_sum() (dmrs_noise_elements.h) repeat this order and
/// block_sum()'s on the host: keep them alike.
template <typename T> __device__ inline T warp_sum(T v) {
  for (int offset = 16; offset > 0; offset /= 2) {
    v += __shfl_down_sync(0xffffffffU, v, offset);
  }
  return v;
}

/// Block-wide sum (blockDim.x a multiple of 32, at most 1024); the result is valid in thread 0.
template <typename T> __device__ inline T block_sum(T v, T* scratch) {
  v = warp_sum(v);
  const unsigned lane = threadIdx.x % 32;
  const unsigned warp = threadIdx.x / 32;
  __syncthreads();
  if (lane == 0) {
    scratch[warp] = v;
  }
  __syncthreads();
  v = threadIdx.x < blockDim.x / 32 ? scratch[threadIdx.x] : T(0);
  return warp < 1 ? warp_sum(v) : v;
}

/// The delay correlation, then launch_despread_noise() (dmrs_kernels.cu).
void launch_despreading(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream);
/// The de-spread pilots, the noise sums and the PDU's measurements and filter bank of every PDU
/// (dmrs_noise_kernels.cu).
void launch_despread_noise(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream);
/// The interpolation in frequency, then in time (or the average over time), of every PDU's H
/// (dmrs_interpolation_kernels.cu).
void launch_interpolation(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream);

} // namespace airan::gpu::detail::dmrs_estimation
