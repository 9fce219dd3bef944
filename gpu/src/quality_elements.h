/// \file
/// \brief Per-thread pieces of the post-equalization quality kernels (quality_kernels.cu) and the
/// host mirror of their sums. Host and device: each thread of the per-block kernel runs
/// quality_thread_terms() (add_quality_terms() per RE: the per-value math of
/// phy/equalization_quality.h), the block adds its threads' sums in a shared-memory tree, and the
/// total's warp adds the blocks' partials lane by lane (lane_quality_partials()) and then in a
/// shuffle tree; the kernels add only the indexing, the barriers and the shuffles. A CPU test
/// (tests/gpu/front_end_emulation_support.h) runs the same functions in the kernels' block and
/// thread order and adds the sums in the trees' order (quality_block_sums(),
/// quality_total_from_partials()): the device's additions in the device's order (the float
/// terms can still differ in their last bits where nvcc fuses a multiply and an add). The host
/// turns the totals into the reported post-equalization SINR and EVM
/// (pusch_measurements_of(), gpu_pusch_front_end_impl.h).
#pragma once

#include "airan/phy/equalization_quality.h"
#include "airan/phy/host_device.h"
#include "airan/phy/modulation_mapper.h"
#include "dmrs_noise_elements.h"
#include "front_end_kernels.h"

#include <cmath>
#include <cstddef>

namespace airan::gpu::detail {

/// Threads of a block of the per-block quality kernel.
inline constexpr unsigned quality_threads = 256;

/// Threads (one warp) of the kernel that adds the blocks' partials.
inline constexpr unsigned quality_total_lanes = 32;
static_assert(quality_total_lanes == dmrs_estimation::noise_partial_lanes, "one warp");

/// The decision grid of one QAM axis (the arguments of phy::qam_axis_decision after the value).
struct AxisGrid {
  int levels;
  float scale;
  float inverse_interval;
  float half;
};

/// The decision grid of Q_m \p qm (pi/2-BPSK does not occur without transform precoding:
/// judged on the QPSK grid, as the CPU).
AIRAN_HOST_DEVICE inline AxisGrid axis_grid(unsigned qm) {
  const unsigned decision_qm = qm >= 2 ? qm : 2;
  AxisGrid axis{};
  axis.levels = 1 << (decision_qm / 2);
  axis.scale = phy::qam_scale(decision_qm);
  axis.inverse_interval = 0.5F / axis.scale;
  axis.half = 0.5F * static_cast<float>(axis.levels);
  return axis;
}

/// One thread's quality sums, in float as the thread keeps them.
struct QualityTerms {
  float noise_sum = 0.0F;       ///< Finite post-equalization noise variances.
  float noise_count = 0.0F;     ///< How many there were.
  float error_power = 0.0F;     ///< |value - decision|^2 over both axes.
  float reference_power = 0.0F; ///< |decision|^2 over both axes.
};

/// Whether \p value is finite (neither infinite nor NaN), on the host as std::isfinite.
AIRAN_HOST_DEVICE inline bool is_finite_value(float value) {
#if defined(__CUDA_ARCH__)
  return isfinite(value);
#else
  return std::isfinite(value);
#endif
}

/// Adds one RE's quality terms to \p terms: its post-equalization \p noise variance (and a count)
/// when finite, and the error and reference powers of the hard decisions on \p axis of its
/// equalized \p symbol, real part first. (\p symbol and \p noise by reference into the arrays:
/// with copies nvcc's kernel took two registers more.)
AIRAN_HOST_DEVICE inline void add_quality_terms(QualityTerms& terms, const AxisGrid& axis,
                                                const float2& symbol, const float& noise,
                                                bool sent_empty = false) {
  if (is_finite_value(noise)) {
    terms.noise_sum += noise;
    terms.noise_count += 1.0F;
  }
  if (sent_empty) { // no constellation point (a PUSCH without UL-SCH): no EVM term
    return;
  }
  const float values[2] = {symbol.x, symbol.y};
  for (const float value : values) {
    const float point =
        phy::qam_axis_decision(value, axis.levels, axis.scale, axis.inverse_interval, axis.half);
    terms.error_power += (value - point) * (value - point);
    terms.reference_power += point * point;
  }
}

/// Thread \p thread's sums in block \p block of \p blocks blocks of \p threads threads over
/// \p count REs (\p symbols, \p noise): REs block threads + thread, then a grid's threads further
/// each time, added in that order from zero.
AIRAN_HOST_DEVICE inline QualityTerms
quality_thread_terms(const float2* symbols, const float* noise, std::size_t count,
                     const AxisGrid& axis, unsigned block, unsigned blocks, unsigned thread,
                     unsigned threads, const EmptyValues& empty = {}) {
  QualityTerms terms;
  for (std::size_t i = block * std::size_t{threads} + thread; i < count;
       i += std::size_t{blocks} * threads) {
    add_quality_terms(terms, axis, symbols[i], noise[i], empty.contains(i));
  }
  return terms;
}

/// Lane \p lane's share of the total: the partials of blocks lane, lane + 32, ... (of
/// quality_blocks) added in that order from zero.
AIRAN_HOST_DEVICE inline QualitySums lane_quality_partials(const QualitySums* partials,
                                                           unsigned lane) {
  QualitySums sum;
  for (unsigned b = lane; b < quality_blocks; b += quality_total_lanes) {
    sum.noise_sum += partials[b].noise_sum;
    sum.noise_count += partials[b].noise_count;
    sum.error_power += partials[b].error_power;
    sum.reference_power += partials[b].reference_power;
  }
  return sum;
}

/// A block's partial as its thread 0 writes it: its quality_threads threads' \p thread_terms
/// (each converted to double) added in the shared-memory tree whose strides halve from
/// quality_threads / 2 (dmrs_estimation::halving_tree_sum()). (Host only.)
inline QualitySums quality_block_sums(const QualityTerms* thread_terms) {
  double values[quality_threads];
  const auto component = [&](float QualityTerms::*member) {
    for (unsigned t = 0; t < quality_threads; ++t) {
      values[t] = thread_terms[t].*member;
    }
    return dmrs_estimation::halving_tree_sum(values, quality_threads);
  };
  QualitySums sums;
  sums.noise_sum = component(&QualityTerms::noise_sum);
  sums.noise_count = component(&QualityTerms::noise_count);
  sums.error_power = component(&QualityTerms::error_power);
  sums.reference_power = component(&QualityTerms::reference_power);
  return sums;
}

/// The PDU's total from the quality_blocks \p partials as the total kernel's warp adds them:
/// lane_quality_partials() of each lane, then each sum in the shuffle tree
/// (dmrs_estimation::warp_tree_sum()). (Host only.)
inline QualitySums quality_total_from_partials(const QualitySums* partials) {
  double lanes[4][quality_total_lanes];
  for (unsigned l = 0; l < quality_total_lanes; ++l) {
    const QualitySums sum = lane_quality_partials(partials, l);
    lanes[0][l] = sum.noise_sum;
    lanes[1][l] = sum.noise_count;
    lanes[2][l] = sum.error_power;
    lanes[3][l] = sum.reference_power;
  }
  QualitySums total;
  total.noise_sum = dmrs_estimation::warp_tree_sum(lanes[0]);
  total.noise_count = dmrs_estimation::warp_tree_sum(lanes[1]);
  total.error_power = dmrs_estimation::warp_tree_sum(lanes[2]);
  total.reference_power = dmrs_estimation::warp_tree_sum(lanes[3]);
  return total;
}

} // namespace airan::gpu::detail
