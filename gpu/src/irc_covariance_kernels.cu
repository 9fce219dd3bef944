// MMSE-IRC covariance kernel of GpuPuschFrontEnd: the interference-plus-noise covariance of each
// PRB group from the DMRS residuals, regularised, and its whitening matrix, with the math of
// phy/irc_whitening.h that the CPU estimator (dmrs_noise_estimation.cpp) and MimoEqualizer run.
// Float sums are added in another order than the CPU's (not bit-identical, see docs/GPU.md).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/irc_whitening.h"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {
namespace {

constexpr unsigned max_rx = phy::max_irc_rx_antennas;
constexpr unsigned block_size = 512; ///< At least max_rx^2: every element has a thread.

/// Block per covariance group. The group's residual vectors (sample s = (layer, occasion, n) in
/// the CPU's order) go through shared memory in chunks, block_size / num_rx at a time, one thread
/// per (sample, antenna) computing phy::difference_residual. Thread t sums d_a conj(d_b) of
/// element t % rx^2 (upper triangle, b >= a) over every slices-th sample of each chunk
/// (slices = block_size / rx^2), the slices are added up in a fixed order (float, like the CPU,
/// though not in its order), and thread 0 regularises the group (phy::regularise_covariance) and
/// computes its whitening matrix (phy::whitening_from_covariance).
struct IrcCovarianceLaunch {
  static constexpr unsigned threads = block_size;
  IrcCovariancePdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void IrcCovarianceLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  const float2* __restrict__ pilots = p.pilots;
  const EstimatorState* state = p.state;
  float* __restrict__ covariances = p.covariances;
  phy::cmat::Complex* __restrict__ whitening = p.whitening;
  __shared__ phy::cmat::Complex residuals[block_size]; // [sample of the chunk][rx]
  __shared__ phy::cmat::Complex partial[block_size];   // [slice][element]
  __shared__ float sums[2 * max_rx * max_rx];
  __shared__ phy::cmat::Complex factor[phy::irc_factor_scratch_size]; // thread 0's Cholesky
  const unsigned group = block.index;
  const unsigned num_rx = g.num_rx;
  const unsigned elements = num_rx * num_rx;
  const phy::DifferenceFilter filter = phy::difference_filter(g.num_pilots);
  const phy::ResidualRange range = phy::covariance_group_residuals(
      group, g.covariance_group_subcarriers, g.comb_period, g.num_pilots, filter.order);
  const unsigned per_row = range.end - range.first; // residuals per (layer, occasion)
  const unsigned samples = g.num_layers * g.num_occasions * per_row;
  const unsigned chunk = block_size / num_rx;
  const unsigned slices = block_size / elements;
  const unsigned element = threadIdx.x % elements;
  const unsigned slice = threadIdx.x / elements;
  const unsigned a = element / num_rx;
  const unsigned b = element % num_rx;
  const bool accumulates = slice < slices && b >= a;
  phy::cmat::Complex sum{0.0F, 0.0F};
  for (unsigned first = 0; first < samples; first += chunk) {
    const unsigned s = first + threadIdx.x / num_rx;
    if (threadIdx.x < chunk * num_rx && s < samples) {
      const unsigned rx = threadIdx.x % num_rx;
      const unsigned row = s / per_row; // layer * occasions + occasion
      const std::size_t offset =
          (std::size_t{rx} * g.num_layers * g.num_occasions + row) * g.num_pilots + range.first +
          s % per_row; // pilots are [rx][layer][occasion][pilot]
      residuals[threadIdx.x] =
          phy::difference_residual(filter, reinterpret_cast<const float*>(pilots + offset));
    }
    __syncthreads();
    if (accumulates) {
      const unsigned count = samples - first < chunk ? samples - first : chunk;
      for (unsigned j = slice; j < count; j += slices) {
        sum += phy::residual_outer_element(residuals[j * num_rx + a], residuals[j * num_rx + b]);
      }
    }
    __syncthreads();
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  if (threadIdx.x < elements && b >= a) {
    phy::cmat::Complex total = partial[element];
    for (unsigned k = 1; k < slices; ++k) {
      total += partial[k * elements + element];
    }
    sums[2 * element] = total.re;
    sums[2 * element + 1] = total.im;
  }
  __syncthreads();
  if (threadIdx.x != 0) {
    return;
  }
  // The CPU's despread_gain / residual_factor: beta^2 D / the difference filter's energy.
  const float despread_gain = g.beta * g.beta * 2.0F * static_cast<float>(g.symbols_per_occasion);
  phy::regularise_covariance(sums, num_rx, samples, despread_gain / filter.energy,
                             state->noise_variance, state->channel_power, factor);
  float* covariance = covariances + 2 * std::size_t{elements} * group;
  for (unsigned i = 0; i < 2 * elements; ++i) {
    covariance[i] = sums[i];
  }
  phy::cmat::Complex* matrix = whitening + std::size_t{elements} * group;
  if (!phy::whitening_from_covariance(sums, num_rx, matrix, num_rx, factor)) {
    // Not positive definite (non-finite input): zero whitening, so the group's REs equalize to
    // 0 with a huge noise variance (LLRs of about 0), where the CPU equalizer throws.
    for (unsigned i = 0; i < elements; ++i) {
      matrix[i] = {0.0F, 0.0F};
    }
  }
}

} // namespace

void launch_irc_covariance(std::span<const IrcCovariancePdu> pdus, cudaStream_t stream) {
  static_assert(block_size >= max_rx * max_rx);
  launch_all<IrcCovarianceLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        return std::pair(IrcCovarianceLaunch{pdus[i]}, pdus[i].g.num_covariance_groups);
      },
      "irc_covariance_kernel", stream);
}

} // namespace airan::gpu::detail
