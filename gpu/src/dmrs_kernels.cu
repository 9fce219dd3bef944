// DMRS channel estimation kernels of GpuPuschFrontEnd: the steps of phy's
// DmrsChannelEstimatorImpl (dmrs_channel_estimator.h) with the shared math of
// dmrs_estimation_math.h; every step one kernel, one thread per output value, whose body
// (a Launch's run(), launch_batches.cuh) serves one PDU or the PDUs of several cells in one grid.
// DMRS generation is in dmrs_generation_kernels.cu, the noise sums in dmrs_noise_kernels.cu and
// the interpolation in frequency and time in dmrs_interpolation_kernels.cu.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/irc_whitening.h"
#include "dmrs_estimation_common.cuh"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail::dmrs_estimation {
namespace {

/// Block (rx, layer, DMRS symbol): C = sum z(k + P) conj(z(k)) over pairs with the same k'.
struct DelayCorrelationLaunch {
  static constexpr unsigned threads = block_size;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void DelayCorrelationLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  const float2* __restrict__ grid = p.grid;
  const float2* __restrict__ dmrs = p.dmrs;
  float* delay_sums = delay_sums_of(p.scratch);
  __shared__ float scratch[32];
  const unsigned item = block.index;
  const unsigned s = item % g.num_dmrs_symbols;
  const unsigned layer = (item / g.num_dmrs_symbols) % g.num_layers;
  const unsigned rx = item / (g.num_dmrs_symbols * g.num_layers);
  const float2* y = grid_row(g, grid, rx, g.dmrs_symbols[s], layer);
  const float2* x = dmrs + (std::size_t{layer} * max_symbols + s) * g.num_values;
  float re = 0.0F;
  float im = 0.0F;
  const unsigned pairs = 2 * (g.num_values / 2 - 1);
  for (unsigned p = threadIdx.x; p < pairs; p += blockDim.x) {
    const unsigned n = p / 2;
    const unsigned t = p % 2;
    const unsigned k = g.comb_period * n + t * g.pair_offset;
    const unsigned i = 2 * n + t;
    const float2 z0 = raw_ls(y, x, k, i);
    const float2 z1 = raw_ls(y, x, k + g.comb_period, i + 2);
    re += z1.x * z0.x + z1.y * z0.y;
    im += z1.y * z0.x - z1.x * z0.y;
  }
  re = block_sum(re, scratch);
  im = block_sum(im, scratch);
  if (threadIdx.x == 0) {
    delay_sums[2 * item] = re;
    delay_sums[2 * item + 1] = im;
  }
}

/// The phase of the summed delay correlations, summed in the CPU's order (double).
__device__ inline double delay_phase(const PduGeometry& g, const float* __restrict__ delay_sums) {
  double c_re = 0.0;
  double c_im = 0.0;
  const unsigned count = g.num_rx * g.num_layers * g.num_dmrs_symbols;
  for (unsigned i = 0; i < count; ++i) {
    c_re += delay_sums[2 * i];
    c_im += delay_sums[2 * i + 1];
  }
  return (c_re == 0.0 && c_im == 0.0) ? 0.0 : atan2(c_im, c_re);
}

/// One thread per (rx, layer, occasion, pilot): mean of z times the ramp over the OCC block.
/// Every thread sums the delay correlations itself (32 values for 4 Rx, 2 layers, 4 DMRS
/// symbols: cheaper than a launch of its own, which was a single thread), and thread 0 records
/// the delay, the phase and the ramp step in \p state.
struct DespreadLaunch {
  static constexpr unsigned threads = block_size;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void DespreadLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  const float2* __restrict__ grid = p.grid;
  const float2* __restrict__ dmrs = p.dmrs;
  const float* __restrict__ delay_sums = delay_sums_of(p.scratch);
  EstimatorState* state = p.state;
  float2* __restrict__ pilots = p.pilots;
  const std::size_t index = std::size_t{block.index} * blockDim.x + threadIdx.x;
  const std::size_t total = std::size_t{g.num_rx} * g.num_layers * g.num_occasions * g.num_pilots;
  const double phase = delay_phase(g, delay_sums);
  const double omega = g.compensate_delay ? -phase / g.comb_period : 0.0;
  if (index == 0) {
    state->delay_phase = phase;
    state->delay_s = static_cast<float>(
        -phase / (2.0 * 3.141592653589793 * g.comb_period * static_cast<double>(g.scs_hz)));
    state->omega = omega;
  }
  if (index >= total) {
    return;
  }
  const unsigned n = index % g.num_pilots;
  const unsigned o = (index / g.num_pilots) % g.num_occasions;
  const unsigned layer = (index / (std::size_t{g.num_pilots} * g.num_occasions)) % g.num_layers;
  const unsigned rx = index / (std::size_t{g.num_pilots} * g.num_occasions * g.num_layers);
  const float inverse =
      1.0F / (g.beta * g.beta * 2.0F * static_cast<float>(g.symbols_per_occasion));
  float out_re = 0.0F;
  float out_im = 0.0F;
  for (unsigned t = 0; t < g.symbols_per_occasion; ++t) {
    const unsigned s = o * g.symbols_per_occasion + t;
    const float2* y = grid_row(g, grid, rx, g.dmrs_symbols[s], layer);
    const float2* x = dmrs + (std::size_t{layer} * max_symbols + s) * g.num_values;
    float sum_re = 0.0F;
    float sum_im = 0.0F;
    for (unsigned j = 0; j < 2; ++j) {
      const unsigned k = g.comb_period * n + j * g.pair_offset;
      const float2 z = raw_ls(y, x, k, 2 * n + j);
      const float2 r = ramp(omega, g.deltas[layer] + k);
      sum_re += z.x * r.x - z.y * r.y;
      sum_im += z.x * r.y + z.y * r.x;
    }
    out_re += sum_re * inverse;
    out_im += sum_im * inverse;
  }
  pilots[index] = make_float2(out_re, out_im);
}

} // namespace
} // namespace airan::gpu::detail::dmrs_estimation

namespace airan::gpu::detail {

std::size_t dmrs_estimation_scratch_floats(std::size_t rx, std::size_t layers) {
  using namespace dmrs_estimation;
  return noise_counter_floats + noise_partial_floats + delay_sum_floats(rx, layers);
}

void launch_dmrs_estimation(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream) {
  using namespace dmrs_estimation;
  // Each step's blocks of every PDU as one grid; a step a PDU does not run has no blocks.
  launch_all<DelayCorrelationLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PduGeometry& g = pdus[i].g;
        return std::pair(DelayCorrelationLaunch{pdus[i]},
                         g.num_rx * g.num_layers * g.num_dmrs_symbols);
      },
      "delay_correlation_kernel", stream);
  launch_all<DespreadLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PduGeometry& g = pdus[i].g;
        return std::pair(DespreadLaunch{pdus[i]}, blocks_for(std::size_t{g.num_rx} * g.num_layers *
                                                             g.num_occasions * g.num_pilots));
      },
      "despread_kernel", stream);
  launch_noise_sums(pdus, stream);
  launch_interpolation(pdus, stream);
}

} // namespace airan::gpu::detail
