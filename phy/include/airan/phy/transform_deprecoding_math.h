/// \file
/// \brief Per-element math of receiving a transform-precoded (DFT-s-OFDM) symbol after an
/// unbiased per-RE equalizer, shared by phy::TransformPrecoder::deprecode_equalized() and the
/// CUDA front end's deprecoding kernels: each RE's MMSE weight before the inverse DFT, and a
/// symbol's scale and post-IDFT noise variance from the sums of those weights.
#pragma once

#include "airan/phy/host_device.h"

#include <cmath>

namespace airan::phy {

/// One RE's share of its symbol's deprecoding.
struct DeprecodingWeight {
  bool resolved = false; ///< False: the value enters the inverse DFT as 0 (whatever it holds).
  float factor = 0.0F;   ///< b_k as float: a resolved value is multiplied by it.
  double weight = 0.0;   ///< b_k = 1 / (1 + v_k), added to the symbol's weight sum.
  double residual = 1.0; ///< 1 - b_k = v_k b_k, added to the symbol's residual sum.
};

/// The MMSE weight of an equalized value of noise variance \p v: b = 1 / (1 + v); an
/// unresolved RE (v not finite, or negative) weighs 0, enters as 0 (not 0 times its value, which
/// may be NaN) and adds a residual of 1.
AIRAN_HOST_DEVICE inline DeprecodingWeight deprecoding_weight(float v) {
  DeprecodingWeight w;
#if defined(__CUDA_ARCH__)
  const bool resolved = isfinite(v) && v >= 0.0F;
#else
  const bool resolved = std::isfinite(v) && v >= 0.0F;
#endif
  if (resolved) {
    const double b = 1.0 / (1.0 + static_cast<double>(v));
    w.resolved = true;
    w.weight = b;
    w.residual = static_cast<double>(v) * b;
    w.factor = static_cast<float>(b);
  }
  return w;
}

/// A deprecoded symbol's scale and noise variance.
struct DeprecodingScale {
  bool resolved = false; ///< False: the symbol becomes zeros of infinite variance.
  float scale = 0.0F;    ///< 1 / (mu sqrt(M)), applied to the unnormalised inverse DFT.
  float variance = 0.0F; ///< mean(v_k b_k) / mu: ISI and noise of the biased MMSE.
};

/// The scale and variance of a symbol of \p m REs whose weights and residuals sum to
/// \p weight_sum and \p residual_sum (mu = weight_sum / m).
AIRAN_HOST_DEVICE inline DeprecodingScale deprecoding_scale(double weight_sum, double residual_sum,
                                                            unsigned m) {
  DeprecodingScale s;
  const double mu = weight_sum / static_cast<double>(m);
  if (!(mu > 0.0)) {
    return s;
  }
  s.resolved = true;
  s.scale = static_cast<float>(1.0 / (mu * sqrt(static_cast<double>(m))));
  s.variance = static_cast<float>(residual_sum / weight_sum);
  return s;
}

} // namespace airan::phy
