// MMSE-IRC covariance kernel of GpuPuschFrontEnd: the interference-plus-noise covariance of each
// PRB group from the DMRS residuals, regularised, and its whitening matrix, with the math of
// phy/irc_whitening.h that the CPU estimator (dmrs_noise_estimation.cpp) and MimoEqualizer run.
// Float sums are added in another order than the CPU's (not bit-identical, see docs/GPU.md).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/irc_whitening.h"
#include "front_end_kernels.h"
#include "irc_covariance_elements.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {
namespace {

using irc_covariance::block_size;
using irc_covariance::max_rx;

/// Block per covariance group. The group's residual vectors (sample s = (layer, occasion, n) in
/// the CPU's order) go through shared memory in chunks, block_size / num_rx at a time, one thread
/// per (sample, antenna) computing phy::difference_residual (irc_covariance::chunk_residual).
/// Thread t sums d_a conj(d_b) of element t % rx^2 (upper triangle, b >= a) over every slices-th
/// sample of each chunk (slices = block_size / rx^2; irc_covariance::add_chunk_terms), the slices
/// are added up in a fixed order (float, like the CPU, though not in its order;
/// irc_covariance::sum_slices), and thread 0 regularises the group (phy::regularise_covariance)
/// and computes its whitening matrix (phy::whitening_from_covariance; irc_covariance::
/// finish_group). The per-thread math is in irc_covariance_elements.h.
struct IrcCovarianceLaunch {
  static constexpr unsigned threads = block_size;
  IrcCovariancePdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void IrcCovarianceLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  __shared__ phy::cmat::Complex residuals[block_size]; // [sample of the chunk][rx]
  __shared__ phy::cmat::Complex partial[block_size];   // [slice][element]
  __shared__ float sums[2 * max_rx * max_rx];
  __shared__ phy::cmat::Complex factor[phy::irc_factor_scratch_size]; // thread 0's Cholesky
  const unsigned group = block.index;
  const phy::DifferenceFilter filter = phy::difference_filter(g.num_pilots);
  const irc_covariance::GroupSampling s = irc_covariance::group_sampling(g, filter, group);
  const irc_covariance::ThreadElement e = irc_covariance::thread_element(s, g.num_rx, threadIdx.x);
  phy::cmat::Complex sum{0.0F, 0.0F};
  for (unsigned first = 0; first < s.samples; first += s.chunk) {
    phy::cmat::Complex residual;
    if (irc_covariance::chunk_residual(g, filter, s, p.pilots, first, threadIdx.x, residual)) {
      residuals[threadIdx.x] = residual;
    }
    __syncthreads();
    if (e.accumulates) {
      irc_covariance::add_chunk_terms(s, g.num_rx, e, residuals, first, sum);
    }
    __syncthreads();
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  if (threadIdx.x < s.elements && e.b >= e.a) {
    irc_covariance::sum_slices(partial, s.elements, s.slices, e.element, sums);
  }
  __syncthreads();
  if (threadIdx.x != 0) {
    return;
  }
  irc_covariance::finish_group(g, filter, s, p.state, group, sums, p.covariances, p.whitening,
                               factor);
}

} // namespace

void launch_irc_covariance(std::span<const IrcCovariancePdu> pdus, cudaStream_t stream) {
  launch_all<IrcCovarianceLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        return std::pair(IrcCovarianceLaunch{pdus[i]}, pdus[i].g.num_covariance_groups);
      },
      "irc_covariance_kernel", stream);
}

} // namespace airan::gpu::detail
