/// \file
/// \brief Per-thread pieces of the de-spreading and noise kernel (dmrs_noise_kernels.cu) and the
/// host mirror of its sums. Host and device: the kernel runs the tile functions in each thread
/// and adds only the indexing, the barriers and the shuffles; a CPU test
/// (tests/gpu/front_end_emulation_support.h) runs them in the kernel's block, tile and thread
/// order, then sums the threads' terms and the blocks' partials in the order of the device's
/// shuffle trees (block_tree_sum(), noise_terms_from_partials()): the same additions in the same
/// order as on the device (the float terms themselves can still differ in their last bits where
/// nvcc fuses a multiply and an add).
#pragma once

#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/host_device.h"
#include "dmrs_despread_elements.h"
#include "front_end_kernels.h"

#include <cstddef>

namespace airan::gpu::detail::dmrs_estimation {

/// Entries of a tile's window in shared memory: a tile of despread_threads pilots, the pilot
/// before it and up to max_difference_order after it.
inline constexpr unsigned noise_window_capacity = despread_threads + 1 + max_difference_order;

/// Lanes of a warp: the last block's threads that add the blocks' partials.
inline constexpr unsigned noise_partial_lanes = 32;

/// Pilots of the tile that starts at pilot \p tile of a block's range ending at \p end:
/// despread_threads, fewer in the range's last tile.
AIRAN_HOST_DEVICE inline unsigned noise_tile_length(std::size_t tile, std::size_t end) {
  return end - tile < despread_threads ? static_cast<unsigned>(end - tile) : despread_threads;
}

/// Window entries of a tile of \p length pilots: the pilot before it, its own pilots and the
/// \p filter order after them.
AIRAN_HOST_DEVICE inline unsigned noise_window_length(unsigned length,
                                                      const phy::DifferenceFilter& filter) {
  return length + 1 + filter.order;
}

/// Window entry \p j (< noise_window_length()) of the tile of \p length pilots from pilot \p tile
/// (of \p total): de-spreads pilot tile - 1 + j, when it exists, into window[j], and also into
/// p.pilots when it is one of the tile's own pilots (the halo pilots around the tile belong to
/// other tiles, which write them). Returns whether it wrote p.pilots.
AIRAN_HOST_DEVICE inline bool fill_noise_window_entry(const DmrsEstimationPdu& p, double omega,
                                                      std::size_t total, std::size_t tile,
                                                      unsigned length, unsigned j, float2* window) {
  const std::size_t i = tile + j - 1; // wraps for j = 0 at tile 0: then >= total
  bool stored = false;
  if (i < total) {
    const float2 value = despread_pilot(p.g, p.grid, p.dmrs, omega, static_cast<unsigned>(i));
    window[j] = value;
    if (j >= 1 && j <= length) {
      p.pilots[i] = value;
      stored = true;
    }
  }
  return stored;
}

/// Adds the noise terms of thread \p thread's pilot of the tile of \p length pilots from pilot
/// \p tile (none when thread >= length) to \p terms, reading the tile's filled \p window (pilots
/// of \p count per row).
AIRAN_HOST_DEVICE inline void
add_tile_noise_terms(NoiseTerms& terms, const phy::DifferenceFilter& filter, const float2* window,
                     std::size_t tile, unsigned length, unsigned thread, unsigned count) {
  if (thread < length) {
    add_noise_terms(terms, filter, window + 1 + thread,
                    static_cast<unsigned>((tile + thread) % count), count);
  }
}

/// Writes the noise sums \p terms of block \p block to its partials: partials[6 block ..
/// 6 block + 5] (power, lag re, lag im, residual, far re, far im).
AIRAN_HOST_DEVICE inline void write_noise_partials(double* partials, unsigned block,
                                                   const NoiseTerms& terms) {
  double* out = partials + noise_partial_doubles * std::size_t{block};
  out[0] = terms.power;
  out[1] = terms.lag_re;
  out[2] = terms.lag_im;
  out[3] = terms.residual;
  out[4] = terms.far_re;
  out[5] = terms.far_im;
}

/// A partial written by another block: on the device read past L1 (__ldcg), on the host a load.
AIRAN_HOST_DEVICE inline double load_noise_partial(const double* partial) {
#if defined(__CUDA_ARCH__)
  return __ldcg(partial);
#else
  return *partial;
#endif
}

/// Lane \p lane's share of the PDU's noise sums in the last block: the partials of blocks lane,
/// lane + 32, ... (of \p blocks) added in that order from zero.
AIRAN_HOST_DEVICE inline NoiseTerms lane_noise_partials(const double* partials, unsigned blocks,
                                                        unsigned lane) {
  NoiseTerms sums;
  for (unsigned b = lane; b < blocks; b += noise_partial_lanes) {
    const double* block = partials + noise_partial_doubles * std::size_t{b};
    sums.power += load_noise_partial(block);
    sums.lag_re += load_noise_partial(block + 1);
    sums.lag_im += load_noise_partial(block + 2);
    sums.residual += load_noise_partial(block + 3);
    sums.far_re += load_noise_partial(block + 4);
    sums.far_im += load_noise_partial(block + 5);
  }
  return sums;
}

/// Most values halving_tree_sum() adds: a block's threads.
inline constexpr unsigned max_tree_values = 1024;

/// The sum that a halving tree over \p count values (a power of two, at most max_tree_values)
/// leaves in the first: value i + count / 2 added into value i, then i + count / 4 into i, and so
/// on down to value 1 into value 0. It is the order of warp_sum()'s shuffles over a warp's lanes
/// and of a shared-memory tree whose strides halve from count / 2 over a block's threads
/// (cfo_kernels.cu, quality_kernels.cu). (Host only: on the device the threads do this.)
template <class T> T halving_tree_sum(const T* values, unsigned count) {
  T v[max_tree_values];
  for (unsigned i = 0; i < count; ++i) {
    v[i] = values[i];
  }
  for (unsigned offset = count / 2; offset > 0; offset /= 2) {
    for (unsigned i = 0; i < offset; ++i) {
      v[i] += v[i + offset];
    }
  }
  return v[0];
}

/// The sum that warp_sum() (dmrs_estimation_common.cuh) leaves in lane 0 of a warp whose lanes
/// hold \p lanes (32 values), added in its order: lane l + 16 into lane l, then l + 8 into l, and
/// so on down to lane 1 into lane 0 (halving_tree_sum()). (Host only: on the device warp_sum's
/// shuffles do this.)
template <class T> T warp_tree_sum(const T* lanes) {
  return halving_tree_sum(lanes, noise_partial_lanes);
}

/// The sum that block_sum() (dmrs_estimation_common.cuh) leaves in thread 0 of a block of
/// \p threads threads (a multiple of 32, at most 1024) holding \p values: warp_tree_sum() of each
/// warp, then of the warps' sums followed by zeros. (Host only.)
template <class T> T block_tree_sum(const T* values, unsigned threads) {
  T warps[noise_partial_lanes] = {};
  for (unsigned w = 0; w < threads / noise_partial_lanes; ++w) {
    warps[w] = warp_tree_sum(values + std::size_t{w} * noise_partial_lanes);
  }
  return warp_tree_sum(warps);
}

/// A block's noise sums as its thread 0 has them after block_sum() of each of its threads' terms
/// (\p thread_terms, \p threads of them). (Host only.)
inline NoiseTerms block_noise_sums(const NoiseTerms* thread_terms, unsigned threads) {
  double values[1024];
  NoiseTerms sums;
  const auto component = [&](double NoiseTerms::*member) {
    for (unsigned t = 0; t < threads; ++t) {
      values[t] = thread_terms[t].*member;
    }
    sums.*member = block_tree_sum(values, threads);
  };
  component(&NoiseTerms::power);
  component(&NoiseTerms::lag_re);
  component(&NoiseTerms::lag_im);
  component(&NoiseTerms::residual);
  component(&NoiseTerms::far_re);
  component(&NoiseTerms::far_im);
  return sums;
}

/// The PDU's noise sums from the partials of \p blocks blocks as the last block's first warp
/// computes them (noise_from_partials() in dmrs_noise_kernels.cu): lane_noise_partials() of each
/// of 32 lanes, then warp_tree_sum() of each sum. (Host only.)
inline NoiseTerms noise_terms_from_partials(const double* partials, unsigned blocks) {
  double lanes[noise_partial_doubles][noise_partial_lanes];
  for (unsigned l = 0; l < noise_partial_lanes; ++l) {
    const NoiseTerms sums = lane_noise_partials(partials, blocks, l);
    lanes[0][l] = sums.power;
    lanes[1][l] = sums.lag_re;
    lanes[2][l] = sums.lag_im;
    lanes[3][l] = sums.residual;
    lanes[4][l] = sums.far_re;
    lanes[5][l] = sums.far_im;
  }
  NoiseTerms sums;
  sums.power = warp_tree_sum(lanes[0]);
  sums.lag_re = warp_tree_sum(lanes[1]);
  sums.lag_im = warp_tree_sum(lanes[2]);
  sums.residual = warp_tree_sum(lanes[3]);
  sums.far_re = warp_tree_sum(lanes[4]);
  sums.far_im = warp_tree_sum(lanes[5]);
  return sums;
}

} // namespace airan::gpu::detail::dmrs_estimation
