// DMRS channel estimation kernels of GpuPuschFrontEnd: the steps of phy's
// DmrsChannelEstimatorImpl (dmrs_channel_estimator.h) with the shared math of
// dmrs_estimation_math.h; every step one kernel, one thread per output value.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/irc_whitening.h"
#include "front_end_kernels.h"
#include "gold_warp.cuh"

namespace airan::gpu::detail {
namespace {

constexpr unsigned block_size = 256;
/// Threads of a (layer, DMRS symbol) block of DMRS generation: 128 words (2048 values, 341 PRB
/// of type 1) in one pass.
constexpr unsigned dmrs_generation_threads = 128;

/// Blocks of noise_sums_kernel (a few pilots per thread at 273 PRB, 4 Rx, 2 layers).
constexpr unsigned noise_blocks = 64;

/// Floats of the delay correlations (rx * layers * 14 complex sums): an even count, so that the
/// noise partials after them are aligned for doubles.
constexpr std::size_t delay_sum_floats(std::size_t rx, std::size_t layers) {
  return rx * layers * max_symbols * 2;
}

unsigned blocks_for(std::size_t count) {
  return static_cast<unsigned>((count + block_size - 1) / block_size);
}

/// z = y conj(x) of DMRS value i at subcarrier k (relative to the layer's delta).
__device__ inline float2 raw_ls(const float2* y, const float2* x, unsigned k, unsigned i) {
  const float2 a = y[k];
  const float2 b = x[i];
  return make_float2(a.x * b.x + a.y * b.y, a.y * b.x - a.x * b.y);
}

/// exp(+j omega k), evaluated in double precision.
__device__ inline float2 ramp(double omega, unsigned k) {
  double s = 0.0;
  double c = 0.0;
  sincos(omega * static_cast<double>(k), &s, &c);
  return make_float2(static_cast<float>(c), static_cast<float>(s));
}

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

__device__ inline const float2* grid_row(const PduGeometry& g, const float2* grid, unsigned rx,
                                         unsigned symbol, unsigned layer) {
  return grid + (std::size_t{rx} * g.grid_symbols + symbol) * g.grid_subcarriers +
         g.first_subcarrier + g.deltas[layer];
}

/// Block (rx, layer, DMRS symbol): C = sum z(k + P) conj(z(k)) over pairs with the same k'.
__global__ void delay_correlation_kernel(const PduGeometry g, const float2* __restrict__ grid,
                                         const float2* __restrict__ dmrs, float* delay_sums) {
  __shared__ float scratch[32];
  const unsigned item = blockIdx.x;
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
__global__ void despread_kernel(const PduGeometry g, const float2* __restrict__ grid,
                                const float2* __restrict__ dmrs,
                                const float* __restrict__ delay_sums, EstimatorState* state,
                                float2* __restrict__ pilots) {
  const std::size_t index = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x;
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
__global__ void noise_sums_kernel(const PduGeometry g, const float2* __restrict__ pilots,
                                  double* __restrict__ partials, unsigned* counter,
                                  EstimatorState* state) {
  __shared__ double scratch[32];
  const unsigned count = g.num_pilots;
  const phy::DifferenceFilter filter = phy::difference_filter(count);
  const unsigned rows = g.num_rx * g.num_layers * g.num_occasions; // pilot rows
  double power = 0.0;
  double lag_re = 0.0;
  double lag_im = 0.0;
  double residual = 0.0;
  const std::size_t total = std::size_t{rows} * count;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < total;
       i += std::size_t{gridDim.x} * blockDim.x) {
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
    double* out = partials + 4 * std::size_t{blockIdx.x};
    out[0] = power;
    out[1] = lag_re;
    out[2] = lag_im;
    out[3] = residual;
    __threadfence(); // the partials are visible before the count says so
    last = atomicAdd(counter, 1U) == gridDim.x - 1;
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

/// One thread per (rx, layer, occasion, allocated subcarrier): frequency interpolation into
/// the occasion's first symbol row of H, then the delay ramp removed again.
__global__ void interpolate_frequency_kernel(const PduGeometry g, const float2* __restrict__ pilots,
                                             const float2* __restrict__ banks,
                                             const EstimatorState* state, float2* __restrict__ h) {
  const std::size_t index = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x;
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

/// Averaging in time: one thread per (rx, layer, allocated subcarrier) reads every occasion row,
/// then writes the mean to all the PDU's symbols (occasion rows included, so the reads come
/// first in the same thread).
__global__ void average_time_kernel(const PduGeometry g, float2* __restrict__ h) {
  const std::size_t index = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x;
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
__global__ void interpolate_time_kernel(const PduGeometry g, float2* __restrict__ h) {
  const std::size_t index = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x;
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

/// One block per (layer, DMRS symbol), one thread per 16 values: one Gold word gives the 32 sign
/// bits; each warp takes 32 consecutive words from one cursor (gold_warp.cuh).
__global__ void generate_dmrs_kernel(const PduGeometry g, const DmrsGeneration d,
                                     const phy::GoldJumpTable* __restrict__ table,
                                     float2* __restrict__ dmrs) {
  __shared__ phy::GoldJumpTable shared_table;
  load_gold_table(*table, shared_table);
  const unsigned words = (g.num_values + 15) / 16;
  const unsigned s = blockIdx.x % g.num_dmrs_symbols;
  const unsigned layer = blockIdx.x / g.num_dmrs_symbols;
  const int w_t = d.w_t[layer][d.l_prime[s]];
  const float weights[2] = {phy::dmrs_value_weight(g.beta, w_t, d.w_f[layer][0]),
                            phy::dmrs_value_weight(g.beta, w_t, d.w_f[layer][1])};
  float2* out = dmrs + (std::size_t{layer} * max_symbols + s) * g.num_values;
  const unsigned lane = threadIdx.x % 32;
  for (unsigned first = threadIdx.x - lane; first < words; first += blockDim.x) { // per warp
    const std::uint32_t bits =
        warp_gold_word_cursor(shared_table, d.c_init[s], d.first_gold_bit + 32 * first).next_word();
    const unsigned w = first + lane;
    if (w < words) {
      phy::dmrs_values_from_gold_word(
          bits, weights, w, g.num_values,
          [out](unsigned i, float re, float im) { out[i] = make_float2(re, im); });
    }
  }
}

} // namespace

void launch_dmrs_generation(const PduGeometry& g, const DmrsGeneration& d,
                            const phy::GoldJumpTable* table, float2* dmrs, cudaStream_t stream) {
  const unsigned blocks = g.num_layers * g.num_dmrs_symbols;
  if (blocks == 0 || g.num_values == 0) {
    return;
  }
  generate_dmrs_kernel<<<blocks, dmrs_generation_threads, 0, stream>>>(g, d, table, dmrs);
  AIRAN_CUDA_LAUNCHED("generate_dmrs_kernel", stream);
}

/// The scratch of launch_dmrs_estimation(): the noise estimator's counter of blocks done first
/// (2 floats, so that the doubles after it stay 8-byte aligned) at a place that does not depend
/// on the PDU's shape (a PDU of other antennas or layers finds it at zero: the last block of each
/// estimation sets it back), then the noise partials (4 doubles per block), then the delay
/// correlations.
constexpr std::size_t noise_counter_floats = 2;
constexpr std::size_t noise_partial_floats = 2 * 4 * std::size_t{noise_blocks};

std::size_t dmrs_estimation_scratch_floats(std::size_t rx, std::size_t layers) {
  return noise_counter_floats + noise_partial_floats + delay_sum_floats(rx, layers);
}

void launch_dmrs_estimation(const PduGeometry& g, const float2* grid, const float2* dmrs,
                            float* scratch, float2* pilots, const float2* banks,
                            EstimatorState* state, float2* h, cudaStream_t stream) {
  auto* counter = reinterpret_cast<unsigned*>(scratch);
  auto* noise_partials = reinterpret_cast<double*>(scratch + noise_counter_floats);
  float* delay_sums = scratch + noise_counter_floats + noise_partial_floats;
  delay_correlation_kernel<<<g.num_rx * g.num_layers * g.num_dmrs_symbols, block_size, 0, stream>>>(
      g, grid, dmrs, delay_sums);
  AIRAN_CUDA_LAUNCHED("delay_correlation_kernel", stream);
  const std::size_t num_pilots =
      std::size_t{g.num_rx} * g.num_layers * g.num_occasions * g.num_pilots;
  despread_kernel<<<blocks_for(num_pilots), block_size, 0, stream>>>(g, grid, dmrs, delay_sums,
                                                                     state, pilots);
  AIRAN_CUDA_LAUNCHED("despread_kernel", stream);
  noise_sums_kernel<<<noise_blocks, block_size, 0, stream>>>(g, pilots, noise_partials, counter,
                                                             state);
  AIRAN_CUDA_LAUNCHED("noise_sums_kernel", stream);
  const std::size_t rows = std::size_t{g.num_rx} * g.num_layers * g.num_subcarriers;
  interpolate_frequency_kernel<<<blocks_for(rows * g.num_occasions), block_size, 0, stream>>>(
      g, pilots, banks, state, h);
  AIRAN_CUDA_LAUNCHED("interpolate_frequency_kernel", stream);
  if (g.average_time) {
    average_time_kernel<<<blocks_for(rows), block_size, 0, stream>>>(g, h);
    AIRAN_CUDA_LAUNCHED("average_time_kernel", stream);
  } else if (g.end_symbol > g.start_symbol) {
    const std::size_t symbols = g.end_symbol - g.start_symbol;
    interpolate_time_kernel<<<blocks_for(rows * symbols), block_size, 0, stream>>>(g, h);
    AIRAN_CUDA_LAUNCHED("interpolate_time_kernel", stream);
  }
}

} // namespace airan::gpu::detail
