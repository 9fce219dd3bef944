/// \file
/// \brief Wiener (MMSE) time interpolation weights of the DMRS channel estimator (private):
/// each symbol's channel as a weighted sum of the DMRS occasions' frequency-interpolated rows,
/// with a Jakes time correlation whose Doppler is fitted per PDU to the correlation between
/// occasions, rotated by the measured CFO.
#pragma once

#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/dmrs_time_wiener_math.h"
#include "airan/phy/types.h"

#include <array>
#include <span>

namespace airan::phy::detail {

/// The Doppler fit shared with the CUDA estimator (airan/phy/dmrs_time_wiener_math.h).
using airan::phy::doppler_from_time_correlation;

/// Per-symbol weights of the occasions: channel(l) = sum_o weights[l][o] row_o.
struct TimeWienerWeights {
  unsigned occasions = 0;
  std::array<std::array<cf32, max_dmrs_occasions>, max_symbols_per_slot> weights{};
};

/// Wiener weights for symbols [first, end) from \p occasion_times_s (each occasion's centre,
/// seconds from the slot start) and \p symbol_times_s (each symbol's, from the same origin):
/// phy::time_wiener_symbol_weights() of each symbol with the model (\p doppler_hz, \p cfo_hz,
/// \p noise_ratio: the occasion rows' noise variance over the channel power).
void time_wiener_weights(std::span<const double> occasion_times_s,
                         std::span<const double> symbol_times_s, unsigned first, unsigned end,
                         double doppler_hz, double cfo_hz, double noise_ratio,
                         TimeWienerWeights& out);

} // namespace airan::phy::detail
