// Noise estimation of GpuPuschFrontEnd's DMRS estimator: per-block sums of the de-spread pilots'
// power, lag-one correlation and difference-filter residual, and in the last block to finish the
// PDU's measurements and MMSE filter bank (dmrs_estimation_math.h, as the CPU estimator).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/irc_whitening.h"
#include "dmrs_estimation_common.cuh"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail::dmrs_estimation {
namespace {

/// The first warp of the last noise_sums_kernel block to finish: the partials of every block
/// (read past L1: other blocks wrote them), lane l adding blocks l, l + 32, ... in order and the
/// lanes in a fixed tree; then, in lane 0, every measurement and the filter bank of the PDU.
/// (Until 2026-11-30 one block of 1024 threads summed all pilots itself: 18 us for the 26,208
/// pilots of a 273-PRB 4-Rx 2-layer slot on an H200; one thread adding the partials, 9.5 us;
/// then a one-warp kernel of its own after noise_sums_kernel, a node of the PDU's chain.)
__device__ void noise_from_partials(const PduGeometry& g, const double* partials,
                                    EstimatorState* state) {
  const unsigned count = g.num_pilots;
  const phy::DifferenceFilter filter = phy::difference_filter(count);
  const unsigned rows = g.num_rx * g.num_layers * g.num_occasions; // pilot rows
  double power = 0.0;
  double lag_re = 0.0;
  double lag_im = 0.0;
  double residual = 0.0;
  for (unsigned b = threadIdx.x; b < noise_blocks; b += 32) {
    power += __ldcg(partials + 4 * b);
    lag_re += __ldcg(partials + 4 * b + 1);
    lag_im += __ldcg(partials + 4 * b + 2);
    residual += __ldcg(partials + 4 * b + 3);
  }
  power = warp_sum(power);
  lag_re = warp_sum(lag_re);
  lag_im = warp_sum(lag_im);
  residual = warp_sum(residual);
  if (threadIdx.x != 0) {
    return;
  }
  const double num_pilots = static_cast<double>(rows) * count;
  const double num_pairs = static_cast<double>(rows) * (count - 1);
  const double residual_count = static_cast<double>(rows) * (count - filter.order);
  const float mean_power = static_cast<float>(power / fmax(num_pilots, 1.0));
  const float lag_x = static_cast<float>(lag_re / fmax(num_pairs, 1.0));
  const float lag_y = static_cast<float>(lag_im / fmax(num_pairs, 1.0));
  const float despread_variance =
      residual_count == 0.0
          ? 0.0F
          : static_cast<float>(residual / (residual_count * static_cast<double>(filter.energy)));
  const float despread_gain = g.beta * g.beta * 2.0F * static_cast<float>(g.symbols_per_occasion);
  const float channel_power = fmaxf(mean_power - despread_variance, 0.0F);
  const float noise_variance = despread_gain * despread_variance;
  const float rsrp = g.beta * g.beta * channel_power;
  const float snr = channel_power / fmaxf(noise_variance, 1e-30F);
  state->noise_variance = noise_variance;
  state->channel_power = channel_power;
  state->rsrp = rsrp;
  state->sinr_db = fminf(100.0F, 10.0F * log10f(fmaxf(snr, 1e-30F)));
  const float pilot_spacing_hz = g.scs_hz * static_cast<float>(g.comb_period);
  const float spread = phy::delay_spread_from_correlation(
      static_cast<double>(mean_power) - despread_variance,
      static_cast<double>(hypotf(lag_x, lag_y)), pilot_spacing_hz);
  state->delay_spread_s = spread;
  const float pilot_snr = channel_power / fmaxf(despread_variance, 1e-30F);
  const int row =
      g.configured_prior
          ? 0
          : phy::prior_spread_exponent(static_cast<phy::DelayProfile>(g.prior_profile), spread) -
                phy::min_prior_spread_exponent;
  state->bank = row * phy::mmse_num_snr_bins + phy::mmse_snr_bin(pilot_snr);
  const float equalizer_power = rsrp / (g.beta * g.beta);
  state->equalizer_noise = fmaxf(noise_variance, 1e-7F * equalizer_power);
}

/// Block b of noise_blocks: the partial sums (double) of pilot power, lag-one correlation and
/// difference-filter residual power (phy::difference_residual, which the MMSE-IRC covariance of
/// irc_covariance_kernels.cu also sums) over its share of the pilots, into partials[4 b ..].
struct NoiseSumsLaunch {
  static constexpr unsigned threads = block_size;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void NoiseSumsLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  const float2* __restrict__ pilots = p.pilots;
  double* __restrict__ partials = noise_partials_of(p.scratch);
  unsigned* counter = noise_counter_of(p.scratch);
  EstimatorState* state = p.state;
  __shared__ double scratch[32];
  const unsigned count = g.num_pilots;
  const phy::DifferenceFilter filter = phy::difference_filter(count);
  const unsigned rows = g.num_rx * g.num_layers * g.num_occasions; // pilot rows
  double power = 0.0;
  double lag_re = 0.0;
  double lag_im = 0.0;
  double residual = 0.0;
  const std::size_t total = std::size_t{rows} * count;
  for (std::size_t i = std::size_t{block.index} * blockDim.x + threadIdx.x; i < total;
       i += std::size_t{block.count} * blockDim.x) {
    const unsigned n = i % count;
    const float2 h = pilots[i];
    power += static_cast<double>(h.x * h.x + h.y * h.y);
    if (n >= 1) {
      const float2 p = pilots[i - 1];
      lag_re += static_cast<double>(h.x * p.x + h.y * p.y);
      lag_im += static_cast<double>(h.y * p.x - h.x * p.y);
    }
    if (n + filter.order < count) {
      const phy::cmat::Complex d =
          phy::difference_residual(filter, reinterpret_cast<const float*>(pilots + i));
      residual += static_cast<double>(phy::cmat::norm2(d));
    }
  }
  power = block_sum(power, scratch);
  lag_re = block_sum(lag_re, scratch);
  lag_im = block_sum(lag_im, scratch);
  residual = block_sum(residual, scratch);
  __shared__ bool last;
  if (threadIdx.x == 0) {
    double* out = partials + 4 * std::size_t{block.index};
    out[0] = power;
    out[1] = lag_re;
    out[2] = lag_im;
    out[3] = residual;
    __threadfence(); // the partials are visible before the count says so
    last = atomicAdd(counter, 1U) == block.count - 1;
  }
  __syncthreads();
  if (!last) {
    return;
  }
  // The last block to finish: the PDU's measurements from every block's partials.
  __threadfence();
  if (threadIdx.x < 32) {
    noise_from_partials(g, partials, state);
  }
  if (threadIdx.x == 0) {
    *counter = 0U; // ready for the next PDU
  }
}

} // namespace

void launch_noise_sums(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream) {
  launch_all<NoiseSumsLaunch>(
      pdus.size(), [&](std::size_t i) { return std::pair(NoiseSumsLaunch{pdus[i]}, noise_blocks); },
      "noise_sums_kernel", stream);
}

} // namespace airan::gpu::detail::dmrs_estimation
