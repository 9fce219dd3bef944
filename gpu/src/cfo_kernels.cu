/// \file
/// \brief CFO estimation on the device: phy/dmrs_cfo.h's per-pilot correlation over every
/// antenna, layer and pilot of each occasion pair, reduced in a fixed order, then the weighted
/// mean (one block).
#include "cfo_elements.h"
#include "front_end_kernels.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {

namespace {

/// One block per PDU.
struct CfoLaunch {
  static constexpr unsigned threads = cfo_threads;
  CfoEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

/// Per pair: each thread's share of the correlation (cfo_thread_correlation()), the threads' sums
/// added in a shared-memory tree whose strides halve (cfo_block_sum() on the host); then thread 0
/// records the CFO (record_cfo()).
__device__ void CfoLaunch::run(LaunchBlock /*block*/) const {
  const PduGeometry& g = p.g;
  __shared__ double sums[2][cfo_threads];
  __shared__ double c_re[phy::max_dmrs_occasions - 1];
  __shared__ double c_im[phy::max_dmrs_occasions - 1];
  for (unsigned pair = 0; pair < g.num_occasion_pairs; ++pair) {
    double re = 0.0;
    double im = 0.0;
    cfo_thread_correlation(g, p.pilots, pair, threadIdx.x, blockDim.x, re, im);
    sums[0][threadIdx.x] = re;
    sums[1][threadIdx.x] = im;
    __syncthreads();
    for (unsigned stride = cfo_threads / 2; stride > 0; stride /= 2) {
      if (threadIdx.x < stride) {
        sums[0][threadIdx.x] += sums[0][threadIdx.x + stride];
        sums[1][threadIdx.x] += sums[1][threadIdx.x + stride];
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      c_re[pair] = sums[0][0];
      c_im[pair] = sums[1][0];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    record_cfo(g, c_re, c_im, p.state);
  }
}

} // namespace

void launch_cfo_estimation(std::span<const CfoEstimationPdu> pdus, cudaStream_t stream) {
  launch_all<CfoLaunch>(
      pdus.size(), [&](std::size_t i) { return std::pair(CfoLaunch{pdus[i]}, 1U); }, "cfo_kernel",
      stream);
}

} // namespace airan::gpu::detail
