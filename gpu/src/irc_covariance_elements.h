/// \file
/// \brief Per-thread work of the MMSE-IRC covariance kernel (irc_covariance_kernels.cu): which
/// residual vector a thread of a chunk de-spreads, one thread's partial sum of a covariance
/// element over its slice of the chunk, the fixed-order sum of the slices, and thread 0's
/// finishing step (phy::regularise_covariance, phy::whitening_from_covariance, the zero fallback).
/// Host and device, so that a CPU test runs the kernel's blocks and threads with them
/// (tests/gpu/irc_covariance_emulation_test.cpp); the kernel adds the block and thread indices,
/// the shared-memory staging and the barriers.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/irc_whitening.h"
#include "front_end_kernels.h"

#include <cstddef>

namespace airan::gpu::detail::irc_covariance {

/// Most receive antennas of the kernel.
inline constexpr unsigned max_rx = phy::max_irc_rx_antennas;
/// Threads of a block: at least max_rx^2, so that every covariance element has a thread.
inline constexpr unsigned block_size = 512;
static_assert(block_size >= max_rx * max_rx);

/// What a block (one covariance group) of a PDU sums: its residual vectors s = (layer, occasion,
/// n) in the CPU's order (n fastest), and how its threads split them. (The difference filter is
/// kept apart: its coefficients are indexed at run time, which put a struct holding them in local
/// memory, 16 to 32 bytes more stack.)
struct GroupSampling {
  phy::ResidualRange range; ///< The group's residuals n of each (layer, occasion).
  unsigned per_row = 0;     ///< Residuals per (layer, occasion).
  unsigned samples = 0;     ///< Residual vectors of the group.
  unsigned chunk = 0;       ///< Residual vectors per chunk: block_size / num_rx.
  unsigned elements = 0;    ///< num_rx^2 covariance elements.
  unsigned slices = 0;      ///< Threads per element: block_size / elements.
};

/// The sampling of covariance group \p group of the PDU of geometry \p g, whose difference
/// filter is \p filter (phy::difference_filter(g.num_pilots)).
AIRAN_HOST_DEVICE inline GroupSampling
group_sampling(const PduGeometry& g, const phy::DifferenceFilter& filter, unsigned group) {
  GroupSampling s;
  s.range = phy::covariance_group_residuals(group, g.covariance_group_subcarriers, g.comb_period,
                                            g.num_pilots, filter.order);
  s.per_row = s.range.end - s.range.first;
  s.samples = g.num_layers * g.num_occasions * s.per_row;
  s.chunk = block_size / g.num_rx;
  s.elements = g.num_rx * g.num_rx;
  s.slices = block_size / s.elements;
  return s;
}

/// The covariance element (a, b) = (element / num_rx, element % num_rx) and slice of thread
/// \p thread: element thread % num_rx^2, slice thread / num_rx^2.
struct ThreadElement {
  unsigned element = 0;
  unsigned slice = 0;
  unsigned a = 0;
  unsigned b = 0;
  /// Whether the thread sums anything: a whole slice and an upper-triangle element (b >= a).
  bool accumulates = false;
};

/// The element and slice of thread \p thread of a block of \p num_rx antennas and sampling \p s.
AIRAN_HOST_DEVICE inline ThreadElement thread_element(const GroupSampling& s, unsigned num_rx,
                                                      unsigned thread) {
  ThreadElement e;
  e.element = thread % s.elements;
  e.slice = thread / s.elements;
  e.a = e.element / num_rx;
  e.b = e.element % num_rx;
  e.accumulates = e.slice < s.slices && e.b >= e.a;
  return e;
}

/// Thread \p thread's residual of the chunk whose first residual vector is \p first: antenna
/// thread % num_rx of vector first + thread / num_rx, which the kernel stages at
/// residuals[thread] (layout [vector of the chunk][rx]). Pilots are [rx][layer][occasion][pilot].
/// \return false when the thread has none (past the chunk or past the group's vectors).
AIRAN_HOST_DEVICE inline bool chunk_residual(const PduGeometry& g,
                                             const phy::DifferenceFilter& filter,
                                             const GroupSampling& s,
                                             const float2* __restrict__ pilots, unsigned first,
                                             unsigned thread, phy::cmat::Complex& residual) {
  const unsigned num_rx = g.num_rx;
  const unsigned sample = first + thread / num_rx;
  if (thread >= s.chunk * num_rx || sample >= s.samples) {
    return false;
  }
  const unsigned rx = thread % num_rx;
  const unsigned row = sample / s.per_row; // layer * occasions + occasion
  const std::size_t offset =
      (std::size_t{rx} * g.num_layers * g.num_occasions + row) * g.num_pilots + s.range.first +
      sample % s.per_row;
  residual = phy::difference_residual(filter, reinterpret_cast<const float*>(pilots + offset));
  return true;
}

/// Adds to \p sum element (e.a, e.b)'s terms d_a conj(d_b) of every slices-th residual vector of
/// the chunk staged in \p residuals ([vector of the chunk][rx]) from vector e.slice on. \p first:
/// the chunk's first vector. \pre e.accumulates.
AIRAN_HOST_DEVICE inline void add_chunk_terms(const GroupSampling& s, unsigned num_rx,
                                              const ThreadElement& e,
                                              const phy::cmat::Complex* residuals, unsigned first,
                                              phy::cmat::Complex& sum) {
  const unsigned count = s.samples - first < s.chunk ? s.samples - first : s.chunk;
  for (unsigned j = e.slice; j < count; j += s.slices) {
    sum += phy::residual_outer_element(residuals[j * num_rx + e.a], residuals[j * num_rx + e.b]);
  }
}

/// Element \p element's total of the slices' partial sums \p partial ([slice][element], \p elements
/// per slice), added in slice order 0, 1, ..., slices - 1, written to the interleaved \p sums.
AIRAN_HOST_DEVICE inline void sum_slices(const phy::cmat::Complex* partial, unsigned elements,
                                         unsigned slices, unsigned element, float* sums) {
  phy::cmat::Complex total = partial[element];
  for (unsigned k = 1; k < slices; ++k) {
    total += partial[k * elements + element];
  }
  sums[2 * element] = total.re;
  sums[2 * element + 1] = total.im;
}

/// Thread 0's finishing step of group \p group: the summed upper triangle \p sums regularised in
/// place (phy::regularise_covariance, with the CPU's despread_gain / residual_factor: beta^2 D /
/// the difference filter's energy) and copied to the group's covariance of \p covariances, then
/// its whitening matrix into the group's of \p whitening; zeros when the covariance is not
/// positive definite (non-finite input), so that the group's REs equalize to 0 with a huge noise
/// variance (LLRs of about 0), where the CPU equalizer throws. \p factor: Cholesky scratch of
/// phy::irc_factor_scratch_size values.
AIRAN_HOST_DEVICE inline void
finish_group(const PduGeometry& g, const phy::DifferenceFilter& filter, const GroupSampling& s,
             const EstimatorState* state, unsigned group, float* sums,
             float* __restrict__ covariances, phy::cmat::Complex* __restrict__ whitening,
             phy::cmat::Complex* factor) {
  const unsigned num_rx = g.num_rx;
  const float despread_gain = g.beta * g.beta * 2.0F * static_cast<float>(g.symbols_per_occasion);
  phy::regularise_covariance(sums, num_rx, s.samples, despread_gain / filter.energy,
                             state->noise_variance, state->channel_power, factor);
  float* covariance = covariances + 2 * std::size_t{s.elements} * group;
  for (unsigned i = 0; i < 2 * s.elements; ++i) {
    covariance[i] = sums[i];
  }
  phy::cmat::Complex* matrix = whitening + std::size_t{s.elements} * group;
  if (!phy::whitening_from_covariance(sums, num_rx, matrix, num_rx, factor)) {
    for (unsigned i = 0; i < s.elements; ++i) {
      matrix[i] = {0.0F, 0.0F};
    }
  }
}

} // namespace airan::gpu::detail::irc_covariance
