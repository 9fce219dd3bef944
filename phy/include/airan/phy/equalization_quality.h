/// \file
/// \brief Post-equalization quality of a PDU, the per-value math shared by the CPU front end and
/// the CUDA one: hard decisions on the QAM axes (EVM) and the summaries of the post-equalization
/// noise variances (SINR).
#pragma once

#include "airan/phy/host_device.h"

#include <cmath>
#include <cstddef>
#include <limits>

namespace airan::phy {

/// The nearest level of a QAM axis with \p levels = 2^bits levels spaced 2 \p scale apart:
/// scale (2i - M + 1) with i = floor(v / (2 scale) + M / 2) clamped to 0 .. M - 1
/// (\p inverse_interval = 0.5 / scale, \p half = M / 2, computed once by the caller).
AIRAN_HOST_DEVICE inline float qam_axis_decision(float value, int levels, float scale,
                                                 float inverse_interval, float half) {
  // Clamped as a float before truncation (a NaN to 0), as the soft demapper's interval: the
  // same index for every finite value, and no int overflow for huge or infinite ones.
  float position = value * inverse_interval + half;
  const float last = static_cast<float>(levels - 1);
  position = position > 0.0F ? position : 0.0F;
  position = position < last ? position : last;
  const int index = static_cast<int>(position);
  return scale * static_cast<float>(2 * index - levels + 1);
}

/// Post-equalization SINR in dB from the sum and count of the finite post-equalization noise
/// variances: -10 log10(mean), 100 dB when the mean is below 1e-10, capped at 100 dB; NaN (no
/// measurement, FAPI's invalid UL_CQI) when there is none, i.e. the equalizer resolved no RE (an
/// all-zero allocation reported 100 dB beside its failed CRC).
inline float post_equalization_sinr_db(double noise_sum, std::size_t noise_count) {
  if (noise_count == 0) {
    return std::numeric_limits<float>::quiet_NaN();
  }
  const double mean = noise_sum / static_cast<double>(noise_count);
  const float sinr = mean > 1e-10 ? static_cast<float>(-10.0 * std::log10(mean)) : 100.0F;
  return sinr < 100.0F ? sinr : 100.0F;
}

/// RMS EVM (a fraction) from the error and reference powers of the hard decisions.
inline float evm_of(double error_power, double reference_power) {
  return reference_power > 0.0 ? static_cast<float>(std::sqrt(error_power / reference_power))
                               : 0.0F;
}

} // namespace airan::phy
