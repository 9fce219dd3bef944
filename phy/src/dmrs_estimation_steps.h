/// \file
/// \brief Steps of the DMRS channel estimator that work on the de-spread pilots (private):
/// noise variance, interference covariance and CFO; and the time interpolation of the estimate. See
/// dmrs_channel_estimator.h for the estimators and their bias corrections.
#pragma once

#include "dmrs_estimation_simd.h"
#include "dmrs_time_wiener.h"

#include "airan/phy/channel_estimate.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace airan::phy::detail {

/// De-spread, delay-compensated pilots: one per OCC block, [rx][layer][occasion][pilot].
struct DespreadPilots {
  std::vector<cf32> storage; ///< Allocated once for the estimator's limits.
  unsigned num_rx = 0;
  unsigned num_layers = 0;
  unsigned num_occasions = 0;
  unsigned num_pilots = 0; ///< Pilots per occasion (half the DMRS REs of a port per symbol).

  [[nodiscard]] cf32* pilots(unsigned rx, unsigned layer, unsigned occasion) {
    return storage.data() +
           ((std::size_t{rx} * num_layers + layer) * num_occasions + occasion) * num_pilots;
  }
  [[nodiscard]] const cf32* pilots(unsigned rx, unsigned layer, unsigned occasion) const {
    return storage.data() +
           ((std::size_t{rx} * num_layers + layer) * num_occasions + occasion) * num_pilots;
  }
};

/// Raw LS values z = y conj(x) of one DMRS symbol of one port: \p y the received REs from the
/// port's first DMRS subcarrier, \p x its num_pilots x 2 DMRS values; RE t of OCC pair n lies
/// period n + t pair_offset subcarriers up. Written as four planes of \p num_pilots floats: real
/// and imaginary parts of the first REs of the pairs, then of the second.
void compute_ls_planes(const cf32* y, const cf32* x, unsigned period, unsigned pair_offset,
                       unsigned num_pilots, float* planes);

/// Delay correlations sum over n and t of z(n + 1, t) conj(z(n, t)) (n ascending, then t) of
/// \p num_symbols symbols' planes (compute_ls_planes(), \p symbol_stride floats apart), into
/// sums[2 s] (real) and sums[2 s + 1] (imaginary).
void correlate_ls_planes(const float* planes, std::size_t symbol_stride, unsigned num_symbols,
                         unsigned num_pilots, float* sums);

/// The compensation ramp exp(+j omega k), k < \p num_subcarriers: a rotation recurrence in double
/// precision, re-anchored every 64 subcarriers.
void fill_delay_ramp(double omega, unsigned num_subcarriers, cf32* ramp);

/// The ramp values at the REs of compute_ls_planes() (\p ramp from the port's first DMRS
/// subcarrier), in the same four planes.
void gather_ramp_planes(const cf32* ramp, unsigned period, unsigned pair_offset,
                        unsigned num_pilots, float* planes);

/// De-spreads one symbol: the ramp-rotated LS values of each pair summed and scaled by
/// \p inverse, written to (\p first) or added to \p pilots.
void despread_planes(const float* z, const float* ramp, float inverse, bool first,
                     unsigned num_pilots, cf32* pilots);

/// h times conj(ramp), elementwise over \p num_subcarriers values (restores the delay slope);
/// \p simd picks the kernel (the same results with each).
void multiply_by_conjugate(cf32* h, const cf32* ramp, unsigned num_subcarriers,
                           DmrsSimd simd = dmrs_simd_best());

/// Noise statistics of the de-spread pilots.
struct NoiseEstimate {
  float despread_variance = 0.0F; ///< sigma_e^2, bias-corrected.
  float mean_pilot_power = 0.0F;  ///< mean |h|^2 over all pilots (channel plus sigma_e^2).
  float residual_factor = 70.0F;  ///< E|d|^2 / sigma_e^2 of the residual used.
  /// mean h(n + 1) conj(h(n)) over neighbouring pilots (noise-free in expectation).
  cf32 lag_one_correlation{0.0F, 0.0F};
  /// delay_spread_lag() of the row length (0 or 1: none).
  unsigned lag = 0;
  /// mean h(n + lag) conj(h(n)) over pilots lag apart in a row (noise-free in expectation).
  cf32 lag_correlation{0.0F, 0.0F};
};

/// RMS delay spread of the measured pilot correlations (estimate_rms_delay_spread()): of an
/// exponential power-delay profile, |r(df)| = 1 / sqrt(1 + (2 pi df tau)^2), fitted to the
/// lag-one correlation over the channel power (mean pilot power - sigma_e^2) and to the ratio of
/// the lag-one and lag-k correlations; the larger of the two. df: the pilot spacing in Hz.
float estimate_delay_spread(const NoiseEstimate& noise, double pilot_spacing_hz);

/// Scratch of estimate_noise(), sized with reserve() for the estimator's limits.
struct NoiseScratch {
  std::vector<double> terms;    ///< 4 x rx x pilots: the terms of the power, lag and residual sums.
  std::vector<float> residuals; ///< 2 x rx x pilots: difference residuals (real, imaginary).
  void reserve(unsigned max_rx, unsigned max_pilots) {
    terms.resize(std::size_t{4} * max_rx * max_pilots);
    residuals.resize(std::size_t{2} * max_rx * max_pilots);
  }
};

/// Noise variance of the de-spread pilots from finite differences across neighbouring pilots
/// (order 4 with at least five pilots, binomial weights 1 -4 6 -4 1, which cancel any cubic
/// channel; order 2 or 1 for three or two pilots), divided by the weights' energy (70, 6, 2) to
/// be unbiased for white noise. With \p with_covariance, also sums d d^H of the antenna residual
/// vectors per covariance group of \p estimate into its covariance storage (upper and lower
/// triangle), counting samples per group in \p group_samples; finish_covariances() turns the
/// sums into covariances. \p spacing is the comb period in subcarriers (pilot n lies in PRB
/// n spacing / 12). \p scratch must be reserved for pilots.num_rx x pilots.num_pilots.
NoiseEstimate estimate_noise(const DespreadPilots& pilots, bool with_covariance,
                             ChannelEstimate& estimate, unsigned spacing,
                             std::vector<unsigned>& group_samples, NoiseScratch& scratch);

/// Scales the residual sums of estimate_noise() to interference-plus-noise covariances at data
/// EPRE (times \p despread_gain = beta^2 D / residual energy) and regularises them by diagonal
/// loading, which keeps the null directions of strong interferers (shrinking towards the
/// diagonal would fill them): (rx / samples) times a noise-floor proxy, the smallest squared
/// Cholesky pivot of the sample covariance (the mean diagonal when samples < rx), plus a floor of
/// 1e-6 of the mean diagonal and 1e-10 of \p signal_power so that noise-free input stays
/// invertible. A group without samples gets \p noise_variance times the identity.
void finish_covariances(ChannelEstimate& estimate, std::span<const unsigned> group_samples,
                        float despread_gain, float noise_variance, float signal_power);

/// Correlations sum_n h_{o+1}(n) conj(h_o(n)) over antennas, layers and pilots of each pair of
/// consecutive occasions (the terms of estimate_cfo()).
struct OccasionCorrelations {
  unsigned pairs = 0;
  double c_re[max_dmrs_occasions - 1] = {};
  double c_im[max_dmrs_occasions - 1] = {};
  double terms_per_pair = 0.0; ///< Products in each sum: antennas x layers x pilots.
};
OccasionCorrelations occasion_correlations(const DespreadPilots& pilots);

/// CFO in Hz from the phase rotation \p correlations (occasion_correlations()) between
/// consecutive DMRS occasions; empty with fewer than two. \p dmrs_symbols lists the slot symbols
/// carrying DMRS, \p symbols_per_occasion is 1 or 2.
std::optional<float> estimate_cfo(const OccasionCorrelations& correlations, const CellConfig& cell,
                                  unsigned slot, std::span<const unsigned> dmrs_symbols,
                                  unsigned symbols_per_occasion);

/// Rotations that bring each of the correlations.pairs + 1 occasions to the first one's phase:
/// rotations[0] = 1, rotations[o + 1] = rotations[o] conj(c_o) / |c_o| (1 where c_o = 0).
void occasion_alignment(const OccasionCorrelations& correlations, cf32* rotations);

/// Multiplies the occasion rows (the first symbol of each occasion among \p dmrs_symbols) of
/// antenna \p rx and \p layer by \p rotations.
void align_occasions(ChannelEstimate& estimate, std::span<const unsigned> dmrs_symbols,
                     unsigned occasions, unsigned rx, unsigned layer, const cf32* rotations);

/// Time interpolation of antenna \p rx and \p layer of \p estimate: fills the PDU's symbols
/// from the occasion rows (the first symbol of each of the \p occasions occasions among
/// \p dmrs_symbols), linearly between the occasions (held beyond the first and the last) or
/// with their average. \p scratch_row holds estimate.num_subcarriers() values (averaging).
/// TimeInterpolation::wiener takes \p wiener's weights and \p scratch_row then holds
/// occasions rows.
void interpolate_time(ChannelEstimate& estimate, const PuschReMapping& mapping,
                      TimeInterpolation mode, std::span<const unsigned> dmrs_symbols,
                      unsigned occasions, unsigned rx, unsigned layer, cf32* scratch_row,
                      const TimeWienerWeights* wiener = nullptr);

} // namespace airan::phy::detail
