/// \file
/// \brief Per-thread pieces of the CFO estimation kernel (cfo_kernels.cu) and the host mirror of
/// its block sums. Host and device: the kernel runs cfo_thread_correlation() in each thread for
/// each occasion pair, adds the threads' sums in a shared-memory tree and finishes with
/// record_cfo(); it adds only the barriers and the tree's indexing. A CPU test
/// (tests/gpu/front_end_emulation_support.h) runs the same functions in the kernel's thread order
/// and adds the threads' sums in the tree's order (cfo_block_sum()), so the correlations are the
/// device's additions in the device's order (the float products can still differ in their last
/// bits where nvcc fuses a multiply and an add).
#pragma once

#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/host_device.h"
#include "airan/phy/ptrs_phase_math.h"
#include "dmrs_noise_elements.h"
#include "front_end_kernels.h"

#include <cstddef>

namespace airan::gpu::detail {

/// Threads of the CFO kernel's block (one block per PDU).
inline constexpr unsigned cfo_threads = 256;

/// Terms of one occasion pair's correlation: a pilot pair per antenna, layer and pilot.
AIRAN_HOST_DEVICE inline unsigned cfo_pair_terms(const PduGeometry& g) {
  return g.num_rx * g.num_layers * g.num_pilots;
}

/// Index in the de-spread pilots ([rx][layer][occasion][pilot]) of the earlier pilot of term \p i
/// (< cfo_pair_terms(), (rx, layer) rows of num_pilots) of occasion pair \p pair (occasions pair
/// and pair + 1); the later pilot is num_pilots after it.
AIRAN_HOST_DEVICE inline std::size_t cfo_first_pilot(const PduGeometry& g, unsigned pair,
                                                     unsigned i) {
  const unsigned row = i / g.num_pilots;
  const unsigned n = i % g.num_pilots;
  return (std::size_t{row} * g.num_occasions + pair) * g.num_pilots + n;
}

/// Adds term \p i of occasion pair \p pair, b conj(a) of its two pilots
/// (phy::add_cfo_correlation), to (\p re, \p im).
AIRAN_HOST_DEVICE inline void add_cfo_term(const PduGeometry& g, const float2* __restrict__ pilots,
                                           unsigned pair, unsigned i, double& re, double& im) {
  const std::size_t a = cfo_first_pilot(g, pair, i);
  const float2 pa = pilots[a];
  const float2 pb = pilots[a + g.num_pilots];
  phy::add_cfo_correlation(pa.x, pa.y, pb.x, pb.y, re, im);
}

/// One thread's share of occasion pair \p pair's correlation: terms thread, thread + threads, ...
/// added in that order from zero into (\p re, \p im).
AIRAN_HOST_DEVICE inline void cfo_thread_correlation(const PduGeometry& g,
                                                     const float2* __restrict__ pilots,
                                                     unsigned pair, unsigned thread,
                                                     unsigned threads, double& re, double& im) {
  re = 0.0;
  im = 0.0;
  const unsigned terms = cfo_pair_terms(g);
  for (unsigned i = thread; i < terms; i += threads) {
    add_cfo_term(g, pilots, pair, i, re, im);
  }
}

/// The PDU's CFO into \p state from its occasion pairs' correlations (\p c_re, \p c_im; one per
/// pair of g): has_cfo when there is a pair (at least two occasions), cfo_hz their weighted mean
/// (phy::cfo_from_correlations), the correlations themselves (the Wiener weights' Doppler) and,
/// with g.align_occasions, the occasions' alignment rotations and phases (without it, every
/// symbol's PT-RS phase 0 and rotation 1).
AIRAN_HOST_DEVICE inline void record_cfo(const PduGeometry& g, const double* c_re,
                                         const double* c_im, EstimatorState* state) {
  for (unsigned pair = 0; pair < g.num_occasion_pairs; ++pair) {
    state->cfo_re[pair] = c_re[pair];
    state->cfo_im[pair] = c_im[pair];
  }
  state->has_cfo = g.num_occasion_pairs > 0 ? 1 : 0;
  state->cfo_hz = static_cast<float>(
      phy::cfo_from_correlations(c_re, c_im, g.occasion_dt, g.num_occasion_pairs));
  // The occasions' alignment (PT-RS phase tracking), as the CPU estimator's: rotations 1 and
  // phases 0 without it.
  const unsigned pairs = g.align_occasions ? g.num_occasion_pairs : 0;
  if (!g.align_occasions) { // no PT-RS tracking: no phase (ptrs_phase_kernel writes them else)
    for (unsigned l = 0; l < max_symbols; ++l) {
      state->ptrs_phases[l] = 0.0F;
      state->ptrs_rotation[l] = make_float2(1.0F, 0.0F);
    }
  }
  phy::occasion_alignment_rotations(c_re, c_im, pairs, state->occasion_rotation_re,
                                    state->occasion_rotation_im);
  for (unsigned o = 0; o < phy::max_dmrs_occasions; ++o) {
    if (o > pairs) {
      state->occasion_rotation_re[o] = 1.0F;
      state->occasion_rotation_im[o] = 0.0F;
    }
    state->occasion_phases[o] =
        o == 0 || o > pairs
            ? 0.0F
            : phy::occasion_phase(state->occasion_rotation_re[o], state->occasion_rotation_im[o]);
  }
}

/// The sum the CFO kernel's shared-memory tree leaves in thread 0 from its cfo_threads threads'
/// \p values: strides cfo_threads / 2, ..., 1 (dmrs_estimation::halving_tree_sum()). (Host only.)
inline double cfo_block_sum(const double* values) {
  return dmrs_estimation::halving_tree_sum(values, cfo_threads);
}

} // namespace airan::gpu::detail
