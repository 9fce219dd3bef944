/// \file
/// \brief Per-thread functions of the DMRS estimator's interpolation kernel
/// (dmrs_interpolation_kernels.cu): the frequency interpolation of one occasion's pilots at one
/// subcarrier, the time interpolation of one symbol from the occasions' values, and the whole
/// work of one (antenna, layer, subcarrier) thread. Host and device, so that a CPU test runs them
/// over whole PDUs (tests/gpu/dmrs_interpolation_emulation_test.cpp); the kernel adds only the
/// thread index.
#pragma once

#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/host_device.h"
#include "airan/phy/ptrs_phase_math.h"
#include "front_end_kernels.h"

#include <cmath>
#include <cstddef>

namespace airan::gpu::detail::dmrs_estimation {

/// DMRS occasions a PDU has at most.
inline constexpr unsigned max_occasions = phy::max_dmrs_occasions;

/// exp(+j omega k), evaluated in double precision.
AIRAN_HOST_DEVICE inline float2 ramp(double omega, unsigned k) {
  double s = 0.0;
  double c = 0.0;
  sincos(omega * static_cast<double>(k), &s, &c);
  return make_float2(static_cast<float>(c), static_cast<float>(s));
}

/// Delay-ramp arguments |omega k| stay below this: |omega| <= pi / 4 (delay_ramp_step() of a
/// phase in [-pi, pi] over a comb of at least 4 subcarriers) and k < 2^16. CUDA's double sincos
/// reduces such an argument in registers; a larger one goes through a called slow path whose
/// local-memory table and the caller-saved registers around the call cost a stack frame and
/// spills in every kernel that has it.
inline constexpr double max_ramp_argument = 2147483648.0; // 2^31

/// ramp() (exp(+j omega k)) of a delay ramp: the device compiler is told that |omega k| <
/// max_ramp_argument, which drops sincos's slow path (the values are ramp()'s). Should a CUDA
/// release test the argument otherwise, the slow path only comes back: ptxas -v then reports a
/// stack frame again for the kernels that call this (de-spreading and noise, interpolation).
AIRAN_HOST_DEVICE inline float2 delay_ramp(double omega, unsigned k) {
#if defined(__CUDA_ARCH__)
  // The same comparison as sincos's (NaN passes): the compiler folds sincos's to true.
  __builtin_assume(!(fabs(omega * static_cast<double>(k)) >= max_ramp_argument));
#endif
  return ramp(omega, k);
}

/// The frequency interpolation of one occasion's pilots \p p at allocated subcarrier k of
/// \p layer, before the delay ramp is removed: MMSE taps of filter bank \p bank, or linear
/// between the pilots around k (held beyond the first and last).
AIRAN_HOST_DEVICE inline float2 frequency_value(const PduGeometry& g, const float2* p,
                                                const float2* banks, int bank, unsigned layer,
                                                unsigned k) {
  const int count = static_cast<int>(g.num_pilots);
  const int spacing = static_cast<int>(g.comb_period);
  const int twice_first = g.twice_first[layer];
  if (g.mmse_frequency) {
    const int window = static_cast<int>(g.mmse_window);
    const phy::MmsePlacement placement =
        phy::mmse_placement(2 * static_cast<int>(k) - twice_first, spacing, window, count);
    const float2* taps = banks + std::size_t(bank) * g.bank_positions * g.mmse_window +
                         std::size_t(placement.position) * g.mmse_window;
    float value[2];
    phy::apply_mmse_taps(reinterpret_cast<const float*>(taps),
                         reinterpret_cast<const float*>(p + placement.start), window, value);
    return make_float2(value[0], value[1]);
  }
  const int first = (twice_first + 1) / 2; // ceil of the first pilot's subcarrier
  const float first_fraction = static_cast<float>(first) - 0.5F * static_cast<float>(twice_first);
  const int offset = static_cast<int>(k) - first;
  if (offset < 0) {
    return p[0];
  }
  const int n = offset / spacing;
  if (n + 1 >= count) {
    return p[count - 1];
  }
  const float fraction =
      (first_fraction + static_cast<float>(offset % spacing)) / static_cast<float>(spacing);
  return make_float2(p[n].x + fraction * (p[n + 1].x - p[n].x),
                     p[n].y + fraction * (p[n + 1].y - p[n].y));
}

/// The value of symbol \p l from the \p occasions values \p v at times \p times (an occasion's
/// first symbol plus half its extra symbols, increasing): linear between the occasions around l,
/// held before the first and after the last. Every index is known at compile time once the loops
/// are unrolled, so \p v stays in registers.
AIRAN_HOST_DEVICE inline float2 time_value(const float2 (&v)[max_occasions],
                                           const float (&times)[max_occasions], unsigned occasions,
                                           unsigned l) {
  const auto t = static_cast<float>(l);
  unsigned right = occasions; // the first occasion at or after t
  AIRAN_UNROLL
  for (unsigned i = 0; i < max_occasions; ++i) {
    const unsigned o = max_occasions - 1 - i;
    if (o < occasions && times[o] >= t) {
      right = o;
    }
  }
  const unsigned left_index = right == 0 ? 0 : right - 1;
  const unsigned right_index = right == occasions ? occasions - 1 : right;
  float2 a = v[0];
  float2 b = v[0];
  float ta = 0.0F;
  float tb = 0.0F;
  AIRAN_UNROLL
  for (unsigned o = 0; o < max_occasions; ++o) {
    if (o == left_index) {
      a = v[o];
      ta = times[o];
    }
    if (o == right_index) {
      b = v[o];
      tb = times[o];
    }
  }
  if (right == 0) {
    return a; // the first occasion's
  }
  if (right == occasions) {
    return b; // the last occasion's
  }
  const float weight = (t - ta) / (tb - ta);
  return make_float2(a.x + weight * (b.x - a.x), a.y + weight * (b.y - a.y));
}

/// The work of thread \p index of the interpolation kernel (index < rx x layers x subcarriers,
/// subcarriers fastest): every occasion's frequency interpolation at the thread's subcarrier (the
/// delay ramp removed, with g.align_occasions rotated to the first occasion's phase) written to
/// the occasion's first symbol row of H, as the CPU estimator
/// leaves it, then every other symbol of the PDU from those values, linear in time or their mean
/// (which then also replaces the occasion rows inside the PDU), or with the Wiener weights
/// p.time_weights (every symbol of the PDU, occasion rows too). Rows are only written, never
/// read back, so no thread waits for another. Needs 1 to max_occasions occasions.
AIRAN_HOST_DEVICE inline void interpolate_subcarrier(const DmrsEstimationPdu& p,
                                                     std::size_t index) {
  const PduGeometry& g = p.g;
  const unsigned width = g.num_subcarriers;
  const auto k = static_cast<unsigned>(index % width);
  const auto rx_layer = static_cast<unsigned>(index / width);
  const unsigned layer = rx_layer % g.num_layers;
  const unsigned occasions = g.num_occasions;
  const unsigned spo = g.symbols_per_occasion;
  const float2 r = g.compensate_delay ? delay_ramp(p.state->omega, k) : make_float2(1.0F, 0.0F);
  float2* h = p.h + std::size_t{rx_layer} * max_symbols * width + k;
  float2 v[max_occasions];
  float times[max_occasions];
  unsigned rows[max_occasions];
  AIRAN_UNROLL
  for (unsigned o = 0; o < max_occasions; ++o) {
    v[o] = make_float2(0.0F, 0.0F);
    times[o] = 0.0F;
    rows[o] = max_symbols; // matches no symbol
    if (o < occasions) {
      const float2* pilots = p.pilots + (std::size_t{rx_layer} * occasions + o) * g.num_pilots;
      float2 value = frequency_value(g, pilots, p.banks, p.state->bank, layer, k);
      if (g.compensate_delay) { // times conj(ramp)
        value = make_float2(value.x * r.x + value.y * r.y, value.y * r.x - value.x * r.y);
      }
      if (g.align_occasions && o > 0) { // to the first occasion's phase (PT-RS tracking)
        phy::rotate_value(value.x, value.y, p.state->occasion_rotation_re[o],
                          p.state->occasion_rotation_im[o], value.x, value.y);
      }
      v[o] = value;
      rows[o] = g.dmrs_symbols[o * spo];
      times[o] = static_cast<float>(rows[o]) + 0.5F * static_cast<float>(spo - 1);
      if ((!g.average_time && !g.wiener_time) || rows[o] < g.start_symbol ||
          rows[o] >= g.end_symbol) {
        h[std::size_t{rows[o]} * width] = value;
      }
    }
  }
  if (g.wiener_time) {
    // Every symbol of the PDU (its occasion rows too) from its weights: sum_o w[l][o] v[o].
    for (unsigned l = g.start_symbol; l < g.end_symbol; ++l) {
      const float2* w = p.time_weights + std::size_t{l} * max_occasions;
      float2 sum = make_float2(0.0F, 0.0F);
      AIRAN_UNROLL
      for (unsigned o = 0; o < max_occasions; ++o) {
        if (o < occasions) {
          const float2 wo = w[o];
          sum.x += wo.x * v[o].x - wo.y * v[o].y;
          sum.y += wo.x * v[o].y + wo.y * v[o].x;
        }
      }
      h[std::size_t{l} * width] = sum;
    }
    return;
  }
  if (g.average_time) {
    float2 mean = v[0];
    AIRAN_UNROLL
    for (unsigned o = 1; o < max_occasions; ++o) {
      if (o < occasions) {
        mean.x += v[o].x;
        mean.y += v[o].y;
      }
    }
    const float inverse = 1.0F / static_cast<float>(occasions);
    mean = make_float2(mean.x * inverse, mean.y * inverse);
    for (unsigned l = g.start_symbol; l < g.end_symbol; ++l) {
      h[std::size_t{l} * width] = mean;
    }
    return;
  }
  for (unsigned l = g.start_symbol; l < g.end_symbol; ++l) {
    bool occasion_row = false;
    AIRAN_UNROLL
    for (unsigned o = 0; o < max_occasions; ++o) {
      occasion_row = occasion_row || rows[o] == l;
    }
    if (!occasion_row) {
      h[std::size_t{l} * width] = time_value(v, times, occasions, l);
    }
  }
}

} // namespace airan::gpu::detail::dmrs_estimation
