/// \file
/// \brief Wiener time interpolation weights on the device (TimeInterpolation::wiener): the launch
/// arguments of one PDU and the per-thread pieces of time_wiener_kernel (time_wiener_kernels.cu),
/// host and device. One block per PDU after the noise measurements and the CFO kernel (which
/// leaves the occasion pairs' correlations in the state): each thread's share of the selected MMSE
/// filter bank's energy (the interpolator's gain on white noise) added in a shared-memory tree
/// while a thread per occasion pair fits its Doppler, thread 0's model
/// (phy::time_wiener_model_from_pairs()), then a thread per symbol writing its occasion
/// weights (phy::time_wiener_symbol_weights(), the CPU estimator's math). The interpolation kernel
/// then sums the occasions' rows with them. A CPU test (tests/gpu/dmrs_estimation_emulation_test)
/// runs these functions in the kernel's thread order against the CPU estimator.
#pragma once

#include "airan/phy/dmrs_time_wiener_math.h"
#include "airan/phy/host_device.h"
#include "dmrs_noise_elements.h"
#include "front_end_kernels.h"

#include <cstddef>
#include <span>

namespace airan::gpu::detail {

/// Threads of time_wiener_kernel's block (one block per PDU; at least max_symbols).
inline constexpr unsigned time_wiener_threads = 128;

/// One PDU's Wiener weights: launch_time_wiener()'s arguments.
struct TimeWienerPdu {
  unsigned start_symbol = 0;
  unsigned end_symbol = 0;     ///< One past the PDU's last symbol.
  unsigned occasions = 0;      ///< DMRS occasions (1 .. phy::max_dmrs_occasions).
  unsigned pairs = 0;          ///< Consecutive occasion pairs with a correlation.
  double terms_per_pair = 0.0; ///< Products in each correlation: antennas x layers x pilots.
  bool mmse_frequency = true;  ///< MMSE frequency interpolation (else linear).
  bool aligned = false;        ///< Occasions aligned to one phase (PT-RS): the model takes no CFO.
  unsigned bank_positions = 0; ///< Positions per filter bank (MMSE).
  unsigned bank_window = 0;    ///< Taps per position (MMSE).
  double occasion_time_s[phy::max_dmrs_occasions] = {}; ///< phy::dmrs_occasion_times().
  double symbol_time_s[max_symbols] = {};               ///< phy::dmrs_symbol_centres().
  const float2* banks = nullptr;         ///< The filter banks (MMSE), bank state->bank read.
  const EstimatorState* state = nullptr; ///< After the noise measurements and the CFO.
  float2* weights = nullptr;             ///< [symbol][occasion]: max_symbols x max_dmrs_occasions.
};

/// The arguments of a PDU of geometry \p g on \p cell's slot \p slot (host).
TimeWienerPdu make_time_wiener_pdu(const phy::CellConfig& cell, unsigned slot, const PduGeometry& g,
                                   const float2* banks, const EstimatorState* state,
                                   float2* weights);

/// Enqueues the weights of every PDU of \p pdus (a block each in one grid).
void launch_time_wiener(std::span<const TimeWienerPdu> pdus, cudaStream_t stream);

/// DMRS estimation as launch_dmrs_estimation(), with the CFO kernel of \p cfo and then the Wiener
/// weights of \p wiener run between the de-spreading (and noise) and the interpolation, which
/// reads the weights of the PDUs with g.wiener_time (either span may be empty).
void launch_dmrs_estimation(std::span<const DmrsEstimationPdu> pdus,
                            std::span<const CfoEstimationPdu> cfo,
                            std::span<const TimeWienerPdu> wiener, cudaStream_t stream);

/// Thread \p thread's share (of \p threads) of the selected bank's energy: sum |tap|^2 of taps
/// thread, thread + threads, ... of bank state->bank, each product in float and added in double
/// (the CPU estimator adds the same products in order: the sums can differ in their last bits);
/// 0 without MMSE.
AIRAN_HOST_DEVICE inline double time_wiener_bank_energy(const TimeWienerPdu& w, unsigned thread,
                                                        unsigned threads) {
  double energy = 0.0;
  if (!w.mmse_frequency) {
    return energy;
  }
  const std::size_t taps = std::size_t{w.bank_positions} * w.bank_window;
  const float2* bank = w.banks + static_cast<std::size_t>(w.state->bank) * taps;
  for (std::size_t i = thread; i < taps; i += threads) {
    const float2 t = bank[i];
    energy += static_cast<double>(t.x * t.x + t.y * t.y);
  }
  return energy;
}

/// Occasion pair \p pair's correlation and Doppler fit into \p rho and \p doppler_hz (a thread
/// per pair: the fit's bisection is the kernel's longest serial work).
AIRAN_HOST_DEVICE inline void fit_time_wiener_pair(const TimeWienerPdu& w, unsigned pair,
                                                   double& rho, double& doppler_hz) {
  const EstimatorState& s = *w.state;
  rho = phy::occasion_pair_correlation(s.cfo_re[pair], s.cfo_im[pair],
                                       static_cast<double>(s.channel_power) * w.terms_per_pair);
  doppler_hz = phy::doppler_from_time_correlation(rho, w.occasion_time_s[pair + 1] -
                                                           w.occasion_time_s[pair]);
}

/// The PDU's model (thread 0 of the kernel) from the pairs' fits and the bank's summed
/// \p energy: the MMSE bank's noise gain energy / positions, or linear interpolation's 2/3 (mean
/// (1 - u)^2 + u^2 over u in [0, 1)), as the CPU estimator takes them (no CFO when the occasions
/// were aligned).
AIRAN_HOST_DEVICE inline phy::TimeWienerModel time_wiener_model_of(const TimeWienerPdu& w,
                                                                   const double* rho,
                                                                   const double* doppler_hz,
                                                                   double energy) {
  const EstimatorState& s = *w.state;
  const float noise_gain = w.mmse_frequency
                               ? static_cast<float>(energy / static_cast<double>(w.bank_positions))
                               : 2.0F / 3.0F;
  return phy::time_wiener_model_from_pairs(rho, doppler_hz, w.pairs, s.channel_power,
                                           s.despread_variance, noise_gain,
                                           s.has_cfo != 0 && !w.aligned ? s.cfo_hz : 0.0F);
}

/// The weights of symbol \p l (start_symbol <= l < end_symbol) into w.weights.
AIRAN_HOST_DEVICE inline void
write_time_wiener_weights(const TimeWienerPdu& w, const phy::TimeWienerModel& model, unsigned l) {
  float re[phy::max_dmrs_occasions] = {};
  float im[phy::max_dmrs_occasions] = {};
  phy::time_wiener_symbol_weights(w.occasion_time_s, w.occasions, w.symbol_time_s[l], model, re,
                                  im);
  for (unsigned o = 0; o < phy::max_dmrs_occasions; ++o) {
    w.weights[std::size_t{l} * phy::max_dmrs_occasions + o] = make_float2(re[o], im[o]);
  }
}

/// The sum the kernel's shared-memory tree leaves in thread 0 from its time_wiener_threads
/// threads' \p values (strides halving from time_wiener_threads / 2). (Host only.)
inline double time_wiener_block_sum(const double* values) {
  return dmrs_estimation::halving_tree_sum(values, time_wiener_threads);
}

} // namespace airan::gpu::detail
