/// \file
/// \brief Per-thread functions of the DMRS estimator's first kernels (dmrs_kernels.cu,
/// dmrs_noise_kernels.cu): a delay-correlation term, one de-spread pilot, one pilot's share of
/// the noise sums, and the PDU's measurements from the summed noise terms. Host and device, so
/// that a CPU test runs them over whole PDUs against phy's DMRS channel estimator
/// (tests/gpu/dmrs_estimation_emulation_test.cpp); the kernels add the indexing, the shared-memory
/// tiles and the block sums.
#pragma once

#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/host_device.h"
#include "airan/phy/irc_whitening.h"
#include "dmrs_interpolation_elements.h"
#include "front_end_kernels.h"

#include <cmath>
#include <cstddef>

namespace airan::gpu::detail::dmrs_estimation {

/// Threads per block of the de-spreading and noise kernel: pilots per tile.
inline constexpr unsigned despread_threads = 256;

/// Most blocks of the de-spreading and noise kernel, each with its noise partials in the scratch:
/// a block per 256 pilots up to 16 Rx x 4 layers x 4 occasions x 825 pilots (275 PRB, type 1),
/// 825 blocks.
inline constexpr unsigned max_noise_blocks = 1024;

/// Highest order of the noise estimator's difference filter (phy::difference_filter).
inline constexpr unsigned max_difference_order = 4;

/// De-spread pilots of \p g: rx x layers x occasions x pilots.
AIRAN_HOST_DEVICE inline std::size_t num_despread_pilots(const PduGeometry& g) {
  return std::size_t{g.num_rx} * g.num_layers * g.num_occasions * g.num_pilots;
}

/// Blocks of the de-spreading and noise kernel for \p g: one per despread_threads pilots, at
/// least 1 (its last block computes the measurements), at most max_noise_blocks.
AIRAN_HOST_DEVICE inline unsigned despread_noise_blocks(const PduGeometry& g) {
  const std::size_t blocks = (num_despread_pilots(g) + despread_threads - 1) / despread_threads;
  return blocks < 1 ? 1U : (blocks > max_noise_blocks ? max_noise_blocks : unsigned(blocks));
}

/// The pilots [begin, end) that block \p block of \p blocks de-spreads: consecutive ranges of
/// equal length (the last ones shorter or empty).
struct PilotRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};
AIRAN_HOST_DEVICE inline PilotRange despread_range(std::size_t total, unsigned blocks,
                                                   unsigned block) {
  const std::size_t chunk = (total + blocks - 1) / blocks;
  const std::size_t begin = total < std::size_t{block} * chunk ? total : std::size_t{block} * chunk;
  return {begin, total - begin < chunk ? total : begin + chunk};
}

/// z = y conj(x) of DMRS value i at subcarrier k (relative to the layer's delta).
AIRAN_HOST_DEVICE inline float2 raw_ls(const float2* y, const float2* x, unsigned k, unsigned i) {
  const float2 a = y[k];
  const float2 b = x[i];
  return make_float2(a.x * b.x + a.y * b.y, a.y * b.x - a.x * b.y);
}

/// The grid row of antenna \p rx on slot symbol \p symbol from \p layer's first DMRS subcarrier.
AIRAN_HOST_DEVICE inline const float2* grid_row(const PduGeometry& g, const float2* grid,
                                                unsigned rx, unsigned symbol, unsigned layer) {
  return grid + (std::size_t{rx} * g.grid_symbols + symbol) * g.grid_subcarriers +
         g.first_subcarrier + g.deltas[layer];
}

/// Pair \p pair (< 2 (num_values / 2 - 1)) of delay-correlation item \p item ((rx, layer, DMRS
/// symbol), symbols fastest): z(k + P) conj(z(k)) for two REs with the same k'.
AIRAN_HOST_DEVICE inline float2 delay_pair_term(const PduGeometry& g, const float2* grid,
                                                const float2* dmrs, unsigned item, unsigned pair) {
  const unsigned s = item % g.num_dmrs_symbols;
  const unsigned layer = (item / g.num_dmrs_symbols) % g.num_layers;
  const unsigned rx = item / (g.num_dmrs_symbols * g.num_layers);
  const float2* y = grid_row(g, grid, rx, g.dmrs_symbols[s], layer);
  const float2* x = dmrs + (std::size_t{layer} * max_symbols + s) * g.num_values;
  const unsigned n = pair / 2;
  const unsigned t = pair % 2;
  const unsigned k = g.comb_period * n + t * g.pair_offset;
  const unsigned i = 2 * n + t;
  const float2 z0 = raw_ls(y, x, k, i);
  const float2 z1 = raw_ls(y, x, k + g.comb_period, i + 2);
  return make_float2(z1.x * z0.x + z1.y * z0.y, z1.y * z0.x - z1.x * z0.y);
}

/// The phase of the summed delay correlations (\p delay_sums: re, im per item), summed in the
/// CPU's order in double.
AIRAN_HOST_DEVICE inline double delay_phase(const PduGeometry& g, const float* delay_sums) {
  double c_re = 0.0;
  double c_im = 0.0;
  const unsigned count = g.num_rx * g.num_layers * g.num_dmrs_symbols;
  for (unsigned i = 0; i < count; ++i) {
    c_re += delay_sums[2 * i];
    c_im += delay_sums[2 * i + 1];
  }
  return (c_re == 0.0 && c_im == 0.0) ? 0.0 : atan2(c_im, c_re);
}

/// The step of the delay ramp that removes the delay of \p phase (0 without compensation).
AIRAN_HOST_DEVICE inline double delay_ramp_step(const PduGeometry& g, double phase) {
  return g.compensate_delay ? -phase / g.comb_period : 0.0;
}

/// Records the delay of the correlation phase \p phase, the phase and the ramp step in \p state.
AIRAN_HOST_DEVICE inline void record_delay(const PduGeometry& g, double phase,
                                           EstimatorState* state) {
  state->delay_phase = phase;
  state->delay_s = static_cast<float>(
      -phase / (2.0 * 3.141592653589793 * g.comb_period * static_cast<double>(g.scs_hz)));
  state->omega = delay_ramp_step(g, phase);
}

/// De-spread pilot \p index ((rx, layer, occasion, pilot), pilots fastest; below 2^32): the
/// mean of the raw LS values of its OCC block, each times the delay ramp exp(+j omega k).
AIRAN_HOST_DEVICE inline float2 despread_pilot(const PduGeometry& g, const float2* grid,
                                               const float2* dmrs, double omega, unsigned index) {
  const unsigned row = index / g.num_pilots; // (rx, layer, occasion)
  const unsigned n = index - row * g.num_pilots;
  const unsigned antenna_layer = row / g.num_occasions;
  const unsigned o = row - antenna_layer * g.num_occasions;
  const unsigned rx = antenna_layer / g.num_layers;
  const unsigned layer = antenna_layer - rx * g.num_layers;
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
      const float2 r = delay_ramp(omega, g.deltas[layer] + k);
      sum_re += z.x * r.x - z.y * r.y;
      sum_im += z.x * r.y + z.y * r.x;
    }
    out_re += sum_re * inverse;
    out_im += sum_im * inverse;
  }
  return make_float2(out_re, out_im);
}

/// Sums of the noise estimator (double): pilot power, lag-one correlation, difference-filter
/// residual power, correlation of pilots phy::delay_spread_lag() apart.
struct NoiseTerms {
  double power = 0.0;
  double lag_re = 0.0;
  double lag_im = 0.0;
  double residual = 0.0;
  double far_re = 0.0;
  double far_im = 0.0;
};

/// Doubles of one block's noise partials in global memory (the members of NoiseTerms).
inline constexpr unsigned noise_partial_doubles = 6;

/// phy::difference_residual() of \p filter, whose order is Order, at \p h: the same products
/// added in the same order, with the taps unrolled so that the coefficients are read at
/// compile-time indices (at a run-time index the device keeps the filter in local memory).
template <unsigned Order>
AIRAN_HOST_DEVICE inline phy::cmat::Complex
unrolled_difference_residual(const phy::DifferenceFilter& filter, const float* h) {
  phy::cmat::Complex sum{0.0F, 0.0F};
  AIRAN_UNROLL
  for (unsigned j = 0; j <= Order; ++j) {
    sum += filter.coefficients[j] * phy::cmat::Complex{h[2 * j], h[2 * j + 1]};
  }
  return sum;
}

/// phy::difference_residual() of \p filter (order 1 to max_difference_order) at \p h, through
/// unrolled_difference_residual() of its order.
AIRAN_HOST_DEVICE inline phy::cmat::Complex
noise_difference_residual(const phy::DifferenceFilter& filter, const float* h) {
  switch (filter.order) {
  case 1:
    return unrolled_difference_residual<1>(filter, h);
  case 2:
    return unrolled_difference_residual<2>(filter, h);
  case 3:
    return unrolled_difference_residual<3>(filter, h);
  default:
    return unrolled_difference_residual<max_difference_order>(filter, h);
  }
}

/// Adds pilot n (of \p count in its row) to \p terms: \p at points at it, at[-1] is its row's
/// previous pilot when n >= 1, at[1 .. order] the next ones when n + order < count (the lag of
/// the far correlation, phy::delay_spread_lag(count), is at most the order).
AIRAN_HOST_DEVICE inline void add_noise_terms(NoiseTerms& terms,
                                              const phy::DifferenceFilter& filter, const float2* at,
                                              unsigned n, unsigned count) {
  const float2 h = at[0];
  terms.power += static_cast<double>(h.x * h.x + h.y * h.y);
  if (n >= 1) {
    const float2 p = at[-1];
    terms.lag_re += static_cast<double>(h.x * p.x + h.y * p.y);
    terms.lag_im += static_cast<double>(h.y * p.x - h.x * p.y);
  }
  const unsigned lag = phy::delay_spread_lag(count);
  if (lag >= 2 && n + lag < count) {
    const float2 q = at[lag];
    terms.far_re += static_cast<double>(q.x * h.x + q.y * h.y);
    terms.far_im += static_cast<double>(q.y * h.x - q.x * h.y);
  }
  if (n + filter.order < count) {
    const phy::cmat::Complex d =
        noise_difference_residual(filter, reinterpret_cast<const float*>(at));
    terms.residual += static_cast<double>(phy::cmat::norm2(d));
  }
}

/// The PDU's noise variance, RSRP, SINR, delay spread, MMSE filter bank and equalizer noise floor
/// from the noise sums of all its pilots, into \p state (as the CPU estimator computes them).
AIRAN_HOST_DEVICE inline void noise_measurements(const PduGeometry& g, const NoiseTerms& sums,
                                                 EstimatorState* state) {
  const unsigned count = g.num_pilots;
  const phy::DifferenceFilter filter = phy::difference_filter(count);
  const unsigned rows = g.num_rx * g.num_layers * g.num_occasions; // pilot rows
  const double num_pilots = static_cast<double>(rows) * count;
  const double num_pairs = static_cast<double>(rows) * (count - 1);
  const double residual_count = static_cast<double>(rows) * (count - filter.order);
  const float mean_power = static_cast<float>(sums.power / fmax(num_pilots, 1.0));
  const float lag_x = static_cast<float>(sums.lag_re / fmax(num_pairs, 1.0));
  const float lag_y = static_cast<float>(sums.lag_im / fmax(num_pairs, 1.0));
  const float despread_variance =
      residual_count == 0.0
          ? 0.0F
          : static_cast<float>(sums.residual /
                               (residual_count * static_cast<double>(filter.energy)));
  const float despread_gain = g.beta * g.beta * 2.0F * static_cast<float>(g.symbols_per_occasion);
  const float channel_power = fmaxf(mean_power - despread_variance, 0.0F);
  const float noise_variance = despread_gain * despread_variance;
  const float rsrp = g.beta * g.beta * channel_power;
  const float snr = channel_power / fmaxf(noise_variance, 1e-30F);
  state->noise_variance = noise_variance;
  state->channel_power = channel_power;
  state->despread_variance = despread_variance;
  state->rsrp = rsrp;
  state->sinr_db = fminf(100.0F, 10.0F * log10f(fmaxf(snr, 1e-30F)));
  const unsigned lag = phy::delay_spread_lag(count);
  const double far_pairs = static_cast<double>(rows) * (lag >= 2 ? count - lag : 0);
  const float far_x = static_cast<float>(sums.far_re / fmax(far_pairs, 1.0));
  const float far_y = static_cast<float>(sums.far_im / fmax(far_pairs, 1.0));
  const float pilot_spacing_hz = g.scs_hz * static_cast<float>(g.comb_period);
  const float spread = phy::estimate_rms_delay_spread(
      static_cast<double>(mean_power) - despread_variance,
      static_cast<double>(hypotf(lag_x, lag_y)), static_cast<double>(hypotf(far_x, far_y)), lag,
      pilot_spacing_hz);
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

} // namespace airan::gpu::detail::dmrs_estimation
