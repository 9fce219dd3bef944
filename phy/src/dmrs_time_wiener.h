/// \file
/// \brief Wiener (MMSE) time interpolation weights of the DMRS channel estimator (private):
/// each symbol's channel as a weighted sum of the DMRS occasions' frequency-interpolated rows,
/// with a Jakes time correlation whose Doppler is fitted per PDU to the correlation between
/// occasions, rotated by the measured CFO.
#pragma once

#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/types.h"

#include <array>
#include <span>

namespace airan::phy::detail {

/// Maximum Doppler shift (Hz) of a Jakes spectrum whose time correlation J0(2 pi f_D dt) equals
/// \p correlation (the magnitude of the channel's correlation over \p dt seconds, relative to
/// its power): 0 at 1 and above, the first zero of J0 (2.405 / (2 pi dt)) at 0 and below.
double doppler_from_time_correlation(double correlation, double dt);

/// Per-symbol weights of the occasions: channel(l) = sum_o weights[l][o] row_o.
struct TimeWienerWeights {
  unsigned occasions = 0;
  std::array<std::array<cf32, max_dmrs_occasions>, max_symbols_per_slot> weights{};
};

/// Wiener weights for symbols [first, end) from \p occasion_times_s (each occasion's centre,
/// seconds from the slot start) and \p symbol_times_s (each symbol's, from the same origin):
/// the row vector r_l (R + noise_ratio I)^-1 with R(a, b) = rho(t_a - t_b), r_l(o) =
/// rho(t_l - t_o), rho(tau) = J0(2 pi doppler_hz tau) exp(j 2 pi cfo_hz tau); then scaled so that
/// a channel that only rotates at the CFO passes unchanged (gain 1 towards it). \p noise_ratio:
/// the occasion rows' noise variance over the channel power (>= 0; a floor of 1e-6 keeps R
/// invertible).
void time_wiener_weights(std::span<const double> occasion_times_s,
                         std::span<const double> symbol_times_s, unsigned first, unsigned end,
                         double doppler_hz, double cfo_hz, double noise_ratio,
                         TimeWienerWeights& out);

} // namespace airan::phy::detail
