/// \file
/// \brief Wiener (MMSE) time interpolation of the DMRS channel estimate, the math shared by the
/// CPU estimator and the CUDA one: each symbol's channel as a weighted sum of the DMRS occasions'
/// frequency-interpolated rows, with a Jakes time correlation whose Doppler is fitted per PDU to
/// the correlation between consecutive occasions, rotated by the measured CFO. Double precision
/// throughout; J0 is the C library's (POSIX j0) on the host and CUDA's on the device.
#pragma once

#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/host_device.h"

#include <cmath>

namespace airan::phy {

/// First zero of the Bessel function J0.
inline constexpr double j0_first_zero = 2.404825557695773;

/// Maximum Doppler shift (Hz) of a Jakes spectrum whose time correlation J0(2 pi f_D dt) equals
/// \p correlation (the magnitude of the channel's correlation over \p dt seconds, relative to
/// its power): 0 at 1 and above, the first zero of J0 (2.405 / (2 pi dt)) at 0 and below.
AIRAN_HOST_DEVICE inline double doppler_from_time_correlation(double correlation, double dt) {
  constexpr double two_pi = 6.283185307179586476925286766559;
  if (!(dt > 0.0) || correlation >= 1.0) {
    return 0.0;
  }
  const double scale = 1.0 / (two_pi * dt);
  if (!(correlation > 0.0)) {
    return j0_first_zero * scale;
  }
  // J0 falls monotonically from 1 to 0 on [0, first zero]: bisection to double precision.
  double low = 0.0;
  double high = j0_first_zero;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (low + high);
    if (j0(mid) > correlation) {
      low = mid;
    } else {
      high = mid;
    }
  }
  return 0.5 * (low + high) * scale;
}

/// The time model of a PDU's Wiener weights.
struct TimeWienerModel {
  double doppler_hz = 0.0;  ///< Jakes maximum Doppler.
  double cfo_hz = 0.0;      ///< Rotation of the correlation.
  double noise_ratio = 0.0; ///< Noise variance of an occasion row over the channel power.
};

/// The magnitude of a consecutive-occasion correlation (\p c_re, \p c_im, a sum of products b
/// conj(a) of de-spread pilots) relative to \p power, the channel power times the number of
/// products: |c| / power, 0 without power.
AIRAN_HOST_DEVICE inline double occasion_pair_correlation(double c_re, double c_im, double power) {
  return power > 0.0 ? hypot(c_re, c_im) / power : 0.0;
}

/// The model of a PDU from its \p pairs consecutive-occasion correlations \p rho
/// (occasion_pair_correlation()) and each pair's Doppler fit \p doppler_hz
/// (doppler_from_time_correlation() of rho over the pair's time step): the Doppler is the fits'
/// mean; the CFO's share of the rotation is \p cfo_hz times the mean of the correlations
/// (clamped to [0, 1]), since a fast-fading channel's correlation has a phase of its own that the
/// CFO estimate also takes; the noise ratio is \p despread_variance x \p noise_gain (the frequency
/// interpolator's gain on white noise) over \p channel_power (the mean de-spread pilot power less
/// the noise).
AIRAN_HOST_DEVICE inline TimeWienerModel
time_wiener_model_from_pairs(const double* rho, const double* doppler_hz, unsigned pairs,
                             double channel_power, double despread_variance, double noise_gain,
                             double cfo_hz) {
  TimeWienerModel model;
  double mean_rho = 0.0;
  for (unsigned o = 0; o < pairs; ++o) {
    mean_rho += fmin(fmax(rho[o], 0.0), 1.0) / pairs;
    model.doppler_hz += doppler_hz[o] / pairs;
  }
  model.cfo_hz = cfo_hz * mean_rho;
  model.noise_ratio = despread_variance * noise_gain / fmax(channel_power, 1e-30);
  return model;
}

/// time_wiener_model_from_pairs() of the pairs' correlations (\p c_re, \p c_im, each a sum of
/// \p terms_per_pair products) between occasions at \p occasion_times_s, fitted one after the
/// other.
AIRAN_HOST_DEVICE inline TimeWienerModel
time_wiener_model(const double* c_re, const double* c_im, unsigned pairs, double terms_per_pair,
                  const double* occasion_times_s, double channel_power, double despread_variance,
                  double noise_gain, double cfo_hz) {
  double rho[max_dmrs_occasions - 1] = {};
  double doppler[max_dmrs_occasions - 1] = {};
  for (unsigned o = 0; o < pairs; ++o) {
    rho[o] = occasion_pair_correlation(c_re[o], c_im[o], channel_power * terms_per_pair);
    doppler[o] =
        doppler_from_time_correlation(rho[o], occasion_times_s[o + 1] - occasion_times_s[o]);
  }
  return time_wiener_model_from_pairs(rho, doppler, pairs, channel_power, despread_variance,
                                      noise_gain, cfo_hz);
}

namespace detail {

/// rho(tau) = J0(2 pi f_D |tau|) exp(j 2 pi f_c tau) into (\p re, \p im).
AIRAN_HOST_DEVICE inline void jakes_time_correlation(double tau, const TimeWienerModel& model,
                                                     double& re, double& im) {
  constexpr double two_pi = 6.283185307179586476925286766559;
  const double magnitude = j0(two_pi * model.doppler_hz * fabs(tau));
  double s = 0.0;
  double c = 0.0;
  sincos(two_pi * model.cfo_hz * tau, &s, &c);
  re = magnitude * c;
  im = magnitude * s;
}

} // namespace detail

/// Wiener weights of the symbol at \p symbol_time_s from \p n (<= max_dmrs_occasions) occasions
/// at \p occasion_times_s, the least mean-square error ones that pass a channel which only
/// rotates at the model's CFO unchanged (unit gain towards c, c(o) = exp(j 2 pi f_c (t_o - t))):
/// w = r A^-1 + mu c^H A^-1 with mu = (1 - r A^-1 c) / (c^H A^-1 c), A = R + loading I, R(a, b) =
/// rho(t_a - t_b), r(o) = rho(t - t_o) (detail::jakes_time_correlation()), loading =
/// max(noise_ratio, 1e-6) so that A stays invertible. (Scaling r A^-1 up to unit gain instead
/// amplifies the far occasion's negative weight where a fast channel's correlation has passed
/// J0's first zero: 0.3 dB of BLER lost to holding on TDL-B100 at 1 kHz.) The loading is capped
/// at 1e6, where the weights are the unit-gain average already: a PDU whose noise estimate reached
/// its pilot power (channel power clamped to 0, noise ratio ~1e28) had weights of ~1e-29, an
/// estimate of zero. Written to \p w_re[o], \p w_im[o].
AIRAN_HOST_DEVICE inline void time_wiener_symbol_weights(const double* occasion_times_s, unsigned n,
                                                         double symbol_time_s,
                                                         const TimeWienerModel& model, float* w_re,
                                                         float* w_im) {
  constexpr unsigned m = max_dmrs_occasions;
  constexpr double two_pi = 6.283185307179586476925286766559;
  const double loading = fmin(fmax(model.noise_ratio, 1e-6), 1e6);
  // Row vectors x A^-1 are the solutions of A^T y = x^T; A is Hermitian, so A^T = conj(A): both
  // right-hand sides, r^T and conj(c), solved with conj(A) at once.
  double a_re[m * m] = {};
  double a_im[m * m] = {};
  double x_re[2][m] = {};
  double x_im[2][m] = {};
  double c_re[m] = {};
  double c_im[m] = {};
  for (unsigned a = 0; a < n; ++a) {
    for (unsigned b = 0; b < n; ++b) {
      double re = 0.0;
      double im = 0.0;
      detail::jakes_time_correlation(occasion_times_s[a] - occasion_times_s[b], model, re, im);
      a_re[a * n + b] = re + (a == b ? loading : 0.0);
      a_im[a * n + b] = -im;
    }
    detail::jakes_time_correlation(symbol_time_s - occasion_times_s[a], model, x_re[0][a],
                                   x_im[0][a]);
    sincos(two_pi * model.cfo_hz * (occasion_times_s[a] - symbol_time_s), &c_im[a], &c_re[a]);
    x_re[1][a] = c_re[a];
    x_im[1][a] = -c_im[a];
  }
  // Gaussian elimination with partial pivoting.
  for (unsigned c = 0; c < n; ++c) {
    unsigned pivot = c;
    for (unsigned r = c + 1; r < n; ++r) {
      if (hypot(a_re[r * n + c], a_im[r * n + c]) >
          hypot(a_re[pivot * n + c], a_im[pivot * n + c])) {
        pivot = r;
      }
    }
    if (pivot != c) {
      for (unsigned k = 0; k < n; ++k) {
        const double tr = a_re[c * n + k];
        const double ti = a_im[c * n + k];
        a_re[c * n + k] = a_re[pivot * n + k];
        a_im[c * n + k] = a_im[pivot * n + k];
        a_re[pivot * n + k] = tr;
        a_im[pivot * n + k] = ti;
      }
      for (unsigned h = 0; h < 2; ++h) {
        const double tr = x_re[h][c];
        const double ti = x_im[h][c];
        x_re[h][c] = x_re[h][pivot];
        x_im[h][c] = x_im[h][pivot];
        x_re[h][pivot] = tr;
        x_im[h][pivot] = ti;
      }
    }
    const double d_re = a_re[c * n + c];
    const double d_im = a_im[c * n + c];
    const double d_norm = d_re * d_re + d_im * d_im;
    for (unsigned r = c + 1; r < n; ++r) {
      // factor = a[r][c] / a[c][c]
      const double f_re = (a_re[r * n + c] * d_re + a_im[r * n + c] * d_im) / d_norm;
      const double f_im = (a_im[r * n + c] * d_re - a_re[r * n + c] * d_im) / d_norm;
      for (unsigned k = c; k < n; ++k) {
        a_re[r * n + k] -= f_re * a_re[c * n + k] - f_im * a_im[c * n + k];
        a_im[r * n + k] -= f_re * a_im[c * n + k] + f_im * a_re[c * n + k];
      }
      for (unsigned h = 0; h < 2; ++h) {
        x_re[h][r] -= f_re * x_re[h][c] - f_im * x_im[h][c];
        x_im[h][r] -= f_re * x_im[h][c] + f_im * x_re[h][c];
      }
    }
  }
  for (unsigned cc = n; cc > 0; --cc) {
    const unsigned c = cc - 1;
    const double d_re = a_re[c * n + c];
    const double d_im = a_im[c * n + c];
    const double d_norm = d_re * d_re + d_im * d_im;
    for (unsigned h = 0; h < 2; ++h) {
      for (unsigned k = c + 1; k < n; ++k) {
        x_re[h][c] -= a_re[c * n + k] * x_re[h][k] - a_im[c * n + k] * x_im[h][k];
        x_im[h][c] -= a_re[c * n + k] * x_im[h][k] + a_im[c * n + k] * x_re[h][k];
      }
      const double q_re = (x_re[h][c] * d_re + x_im[h][c] * d_im) / d_norm;
      const double q_im = (x_im[h][c] * d_re - x_re[h][c] * d_im) / d_norm;
      x_re[h][c] = q_re;
      x_im[h][c] = q_im;
    }
  }
  // gain = (r A^-1) c, denominator = (c^H A^-1) c (real and positive), mu = (1 - gain) / it.
  double g_re = 0.0;
  double g_im = 0.0;
  double d_re = 0.0;
  double d_im = 0.0;
  for (unsigned o = 0; o < n; ++o) {
    g_re += x_re[0][o] * c_re[o] - x_im[0][o] * c_im[o];
    g_im += x_re[0][o] * c_im[o] + x_im[0][o] * c_re[o];
    d_re += x_re[1][o] * c_re[o] - x_im[1][o] * c_im[o];
    d_im += x_re[1][o] * c_im[o] + x_im[1][o] * c_re[o];
  }
  const double d_norm = d_re * d_re + d_im * d_im;
  double mu_re = 0.0;
  double mu_im = 0.0;
  if (d_norm > 0.0) { // c^H A^-1 c > 0 for the positive definite A
    mu_re = ((1.0 - g_re) * d_re + (-g_im) * d_im) / d_norm;
    mu_im = ((-g_im) * d_re - (1.0 - g_re) * d_im) / d_norm;
  }
  for (unsigned o = 0; o < n; ++o) {
    const double v_re = x_re[0][o] + mu_re * x_re[1][o] - mu_im * x_im[1][o];
    const double v_im = x_im[0][o] + mu_re * x_im[1][o] + mu_im * x_re[1][o];
    w_re[o] = static_cast<float>(v_re);
    w_im[o] = static_cast<float>(v_im);
  }
}

} // namespace airan::phy
