// DMRS channel estimation kernels of GpuPuschFrontEnd: the steps of phy's
// DmrsChannelEstimatorImpl (dmrs_channel_estimator.h) with the shared math of
// dmrs_estimation_math.h; every step one kernel, one thread per output value, whose body
// (a Launch's run(), launch_batches.cuh) serves one PDU or the PDUs of several cells in one grid.
// DMRS generation is in dmrs_generation_kernels.cu.
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

/// One thread per (rx, layer, occasion, allocated subcarrier): frequency interpolation into
/// the occasion's first symbol row of H, then the delay ramp removed again.
struct InterpolateFrequencyLaunch {
  static constexpr unsigned threads = block_size;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void InterpolateFrequencyLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  const float2* __restrict__ pilots = p.pilots;
  const float2* __restrict__ banks = p.banks;
  const EstimatorState* state = p.state;
  float2* __restrict__ h = p.h;
  const std::size_t index = std::size_t{block.index} * blockDim.x + threadIdx.x;
  const unsigned width = g.num_subcarriers;
  const std::size_t total = std::size_t{g.num_rx} * g.num_layers * g.num_occasions * width;
  if (index >= total) {
    return;
  }
  const unsigned k = index % width;
  const unsigned o = (index / width) % g.num_occasions;
  const unsigned rx_layer = index / (std::size_t{width} * g.num_occasions);
  const unsigned layer = rx_layer % g.num_layers;
  const float2* p = pilots + (std::size_t{rx_layer} * g.num_occasions + o) * g.num_pilots;
  const int count = static_cast<int>(g.num_pilots);
  const int spacing = static_cast<int>(g.comb_period);
  const int twice_first = g.twice_first[layer];
  float value[2];
  if (g.mmse_frequency) {
    const int window = static_cast<int>(g.mmse_window);
    const phy::MmsePlacement placement =
        phy::mmse_placement(2 * static_cast<int>(k) - twice_first, spacing, window, count);
    const float2* taps = banks + std::size_t(state->bank) * g.bank_positions * g.mmse_window +
                         std::size_t(placement.position) * g.mmse_window;
    phy::apply_mmse_taps(reinterpret_cast<const float*>(taps),
                         reinterpret_cast<const float*>(p + placement.start), window, value);
  } else {
    const int first = (twice_first + 1) / 2; // ceil of the first pilot's subcarrier
    const float first_fraction = static_cast<float>(first) - 0.5F * static_cast<float>(twice_first);
    const int offset = static_cast<int>(k) - first;
    const int n = offset < 0 ? -1 : offset / spacing;
    if (offset < 0) {
      value[0] = p[0].x;
      value[1] = p[0].y;
    } else if (n + 1 < count) {
      const float fraction =
          (first_fraction + static_cast<float>(offset % spacing)) / static_cast<float>(spacing);
      value[0] = p[n].x + fraction * (p[n + 1].x - p[n].x);
      value[1] = p[n].y + fraction * (p[n + 1].y - p[n].y);
    } else {
      value[0] = p[count - 1].x;
      value[1] = p[count - 1].y;
    }
  }
  if (g.compensate_delay) { // h times conj(ramp)
    const float2 r = ramp(state->omega, k);
    const float re = value[0] * r.x + value[1] * r.y;
    const float im = value[1] * r.x - value[0] * r.y;
    value[0] = re;
    value[1] = im;
  }
  const unsigned symbol = g.dmrs_symbols[o * g.symbols_per_occasion];
  h[(std::size_t{rx_layer} * max_symbols + symbol) * width + k] = make_float2(value[0], value[1]);
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
  const auto rows = [](const PduGeometry& g) {
    return std::size_t{g.num_rx} * g.num_layers * g.num_subcarriers;
  };
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
  launch_all<InterpolateFrequencyLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PduGeometry& g = pdus[i].g;
        return std::pair(InterpolateFrequencyLaunch{pdus[i]},
                         blocks_for(rows(g) * g.num_occasions));
      },
      "interpolate_frequency_kernel", stream);
  launch_time_interpolation(pdus, stream);
}

} // namespace airan::gpu::detail
