/// \file
/// \brief CFO estimation on the device: phy/dmrs_cfo.h's per-pilot correlation over every
/// antenna, layer and pilot of each occasion pair, reduced in a fixed order, then the weighted
/// mean (one block).
#include "front_end_kernels.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {

namespace {

constexpr unsigned cfo_threads = 256;

/// One block per PDU.
struct CfoLaunch {
  static constexpr unsigned threads = cfo_threads;
  CfoEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void CfoLaunch::run(LaunchBlock /*block*/) const {
  const PduGeometry& g = p.g;
  const float2* __restrict__ pilots = p.pilots;
  EstimatorState* state = p.state;
  __shared__ double sums[2][cfo_threads];
  __shared__ double c_re[phy::max_dmrs_occasions - 1];
  __shared__ double c_im[phy::max_dmrs_occasions - 1];
  const unsigned rows = g.num_rx * g.num_layers; // pilots are [rx][layer][occasion][pilot]
  const unsigned per_pair = rows * g.num_pilots;
  for (unsigned pair = 0; pair < g.num_occasion_pairs; ++pair) {
    double re = 0.0;
    double im = 0.0;
    for (unsigned i = threadIdx.x; i < per_pair; i += blockDim.x) {
      const unsigned row = i / g.num_pilots;
      const unsigned n = i % g.num_pilots;
      const std::size_t a = (std::size_t{row} * g.num_occasions + pair) * g.num_pilots + n;
      const float2 pa = pilots[a];
      const float2 pb = pilots[a + g.num_pilots];
      phy::add_cfo_correlation(pa.x, pa.y, pb.x, pb.y, re, im);
    }
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
    state->has_cfo = g.num_occasion_pairs > 0 ? 1 : 0;
    state->cfo_hz = static_cast<float>(
        phy::cfo_from_correlations(c_re, c_im, g.occasion_dt, g.num_occasion_pairs));
  }
}

} // namespace

void launch_cfo_estimation(std::span<const CfoEstimationPdu> pdus, cudaStream_t stream) {
  launch_all<CfoLaunch>(
      pdus.size(), [&](std::size_t i) { return std::pair(CfoLaunch{pdus[i]}, 1U); }, "cfo_kernel",
      stream);
}

} // namespace airan::gpu::detail
