/// \file
/// \brief Per-element and scalar math of the DMRS channel estimator (dmrs_channel_estimator.h)
/// shared by the CPU estimator and the CUDA kernels: the noise difference filter, the MMSE
/// filter's SNR bin and delay-spread prior, the placement of an MMSE filter window and its
/// tap sum. Inline and AIRAN_HOST_DEVICE; the filter-bank computation itself (host, double
/// precision) is compute_mmse_filter_bank().
#pragma once

#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/host_device.h"
#include "airan/phy/types.h"

#include <cmath>
#include <span>

namespace airan::phy {

/// Difference filter that cancels polynomials of degree < order across neighbouring pilots:
/// binomial coefficients with alternating signs, and their energy sum c^2 (E|d|^2 / sigma_e^2
/// for white noise).
struct DifferenceFilter {
  unsigned order = 0;
  float coefficients[5] = {};
  float energy = 0.0F;
};

/// Order 4 with at least five pilots, else 2 with three, else 1.
AIRAN_HOST_DEVICE inline DifferenceFilter difference_filter(unsigned num_pilots) {
  if (num_pilots >= 5) {
    return {4, {1.0F, -4.0F, 6.0F, -4.0F, 1.0F}, 70.0F};
  }
  if (num_pilots >= 3) {
    return {2, {1.0F, -2.0F, 1.0F}, 6.0F};
  }
  return {1, {1.0F, -1.0F}, 2.0F};
}

/// SNR bins of the MMSE interpolation filters: -10 .. 50 dB in 2 dB steps.
constexpr double mmse_min_snr_db = -10.0;
constexpr double mmse_max_snr_db = 50.0;
constexpr double mmse_snr_step_db = 2.0;
/// Number of SNR bins (0 .. 30).
constexpr int mmse_num_snr_bins = 31;

/// SNR bin (0 .. mmse_num_snr_bins - 1) of the pilot SNR \p pilot_snr (linear).
AIRAN_HOST_DEVICE inline int mmse_snr_bin(float pilot_snr) {
  const double snr_db =
      pilot_snr > 0.0F ? 10.0 * log10(static_cast<double>(pilot_snr)) : mmse_min_snr_db;
  const double clamped = snr_db < mmse_min_snr_db
                             ? mmse_min_snr_db
                             : (snr_db > mmse_max_snr_db ? mmse_max_snr_db : snr_db);
  return static_cast<int>(llround((clamped - mmse_min_snr_db) / mmse_snr_step_db));
}

/// Adapted delay-spread prior: exponents e of 10^(e / 8) s, from -62 (20 ns) to -42 (5 us).
constexpr int min_prior_spread_exponent = -62;
constexpr int max_prior_spread_exponent = -42;
/// Number of adapted prior values.
constexpr int num_prior_spreads = max_prior_spread_exponent - min_prior_spread_exponent + 1;

/// Exponent e (prior spread 10^(e / 8) s) of the adapted prior for the measured rms delay
/// spread \p measured_rms_s: twice it (exponential) or a width of 2 sqrt(12) times it (uniform),
/// clamped to 20 ns .. 5 us, on a grid of 8 values per decade.
AIRAN_HOST_DEVICE inline int prior_spread_exponent(DelayProfile profile, float measured_rms_s) {
  const float factor = profile == DelayProfile::exponential ? 2.0F : 6.9282F;
  float clamped = factor * measured_rms_s;
  clamped = clamped < 20e-9F ? 20e-9F : (clamped > 5e-6F ? 5e-6F : clamped);
  return static_cast<int>(roundf(8.0F * log10f(clamped)));
}

/// The prior delay spread in seconds of exponent \p exponent (prior_spread_exponent()).
AIRAN_HOST_DEVICE inline float prior_spread_from_exponent(int exponent) {
  return powf(10.0F, static_cast<float>(exponent) / 8.0F);
}

/// RMS delay spread that an exponential power-delay profile would need to give the correlation
/// \p correlation (magnitude) between neighbouring pilots with channel power \p power (mean
/// pilot power minus the de-spread noise), pilots \p pilot_spacing_hz apart; 0 when flat.
AIRAN_HOST_DEVICE inline float delay_spread_from_correlation(double power, double correlation,
                                                             double pilot_spacing_hz) {
  if (power <= 0.0 || correlation <= 0.0) {
    return 0.0F;
  }
  const double rho = correlation / power < 1.0 ? correlation / power : 1.0;
  return static_cast<float>(sqrt(1.0 / (rho * rho) - 1.0) /
                            (2.0 * 3.141592653589793 * pilot_spacing_hz));
}

/// Lag in pilots of the second correlation of the delay-spread estimate: 4, at most half the
/// pilots of a row (below 2: none, the estimate is then delay_spread_from_correlation() alone).
AIRAN_HOST_DEVICE inline unsigned delay_spread_lag(unsigned num_pilots) {
  return num_pilots / 2 < 4 ? num_pilots / 2 : 4;
}

/// RMS delay spread that an exponential power-delay profile would need to give the ratio of the
/// correlation magnitudes \p lag_m (pilots \p lag apart) and \p lag_one (neighbouring pilots),
/// pilots \p pilot_spacing_hz apart: with |r(k)|^2 = 1 / (1 + (k x)^2), x = 2 pi df tau, the
/// ratio q gives x^2 = (1 - q^2) / (k^2 q^2 - 1). Neither correlation contains the noise (in
/// expectation), so unlike delay_spread_from_correlation() it does not depend on the noise
/// estimate, whose bias from the channel's curvature drives that one to 0 at high SNR on
/// narrow allocations. 0 when q >= 1; 1 / df (the comb's unambiguous delay range) when the
/// channel decorrelates faster than the model can express (q k <= 1).
AIRAN_HOST_DEVICE inline float delay_spread_from_lag_ratio(double lag_one, double lag_m,
                                                           unsigned lag, double pilot_spacing_hz) {
  if (lag < 2 || lag_one <= 0.0 || lag_m >= lag_one) {
    return 0.0F;
  }
  const double q = lag_m / lag_one;
  const double k = static_cast<double>(lag);
  const double max_spread = 1.0 / pilot_spacing_hz;
  const double denominator = k * k * q * q - 1.0;
  if (denominator <= 0.0) {
    return static_cast<float>(max_spread);
  }
  const double spread =
      sqrt((1.0 - q * q) / denominator) / (2.0 * 3.141592653589793 * pilot_spacing_hz);
  return static_cast<float>(spread < max_spread ? spread : max_spread);
}

/// The estimator's rms delay spread: the larger of delay_spread_from_correlation() (lag one
/// against the channel power; tracks long, tail-heavy profiles) and
/// delay_spread_from_lag_ratio() (lags one and \p lag; robust when the noise estimate is not).
AIRAN_HOST_DEVICE inline float estimate_rms_delay_spread(double power, double lag_one, double lag_m,
                                                         unsigned lag, double pilot_spacing_hz) {
  const float from_power = delay_spread_from_correlation(power, lag_one, pilot_spacing_hz);
  const float from_ratio = delay_spread_from_lag_ratio(lag_one, lag_m, lag, pilot_spacing_hz);
  return from_power > from_ratio ? from_power : from_ratio;
}

/// Floor division of a possibly negative numerator by a positive denominator.
AIRAN_HOST_DEVICE inline int floor_div(int numerator, int denominator) {
  const int quotient = numerator / denominator;
  return (numerator % denominator != 0 && numerator < 0) ? quotient - 1 : quotient;
}

/// Where the MMSE filter of one output sits. The output lies \p twice_offset / 2 subcarriers
/// from the first pilot (twice the offset, so that half subcarriers are whole numbers); the
/// filter takes pilots start .. start + window - 1 (centred, shifted inwards at the edges of
/// the \p count pilots) and the bank's position index 2 spacing (u + 1), u the output's offset
/// from pilot start in pilots.
struct MmsePlacement {
  int start = 0;
  int position = 0;
};

/// MmsePlacement of the output \p twice_offset / 2 subcarriers from the first pilot.
AIRAN_HOST_DEVICE inline MmsePlacement mmse_placement(int twice_offset, int spacing, int window,
                                                      int count) {
  const int nearest_left = floor_div(twice_offset, 2 * spacing);
  int start = nearest_left - window / 2 + 1;
  start = start < 0 ? 0 : (start > count - window ? count - window : start);
  return {start, twice_offset + 2 * spacing * (1 - start)};
}

/// sum_t w[t] p[t] over \p window complex taps and pilots (interleaved re, im), with two
/// partial sums per component (the order the CPU estimator uses), into out[0], out[1].
AIRAN_HOST_DEVICE inline void apply_mmse_taps(const float* w, const float* p, int window,
                                              float* out) {
  float re[2] = {0.0F, 0.0F};
  float im[2] = {0.0F, 0.0F};
  int t = 0;
  for (; t + 1 < window; t += 2) {
    for (int u = 0; u < 2; ++u) {
      const float* wt = w + 2 * (t + u);
      const float* pt = p + 2 * (t + u);
      re[u] += wt[0] * pt[0] - wt[1] * pt[1];
      im[u] += wt[0] * pt[1] + wt[1] * pt[0];
    }
  }
  if (t < window) {
    re[0] += w[2 * t] * p[2 * t] - w[2 * t + 1] * p[2 * t + 1];
    im[0] += w[2 * t] * p[2 * t + 1] + w[2 * t + 1] * p[2 * t];
  }
  out[0] = re[0] + re[1];
  out[1] = im[0] + im[1];
}

/// What one MMSE filter bank is computed for.
struct MmseFilterKey {
  unsigned spacing = 0; ///< Comb period in subcarriers (4 or 6).
  unsigned window = 0;  ///< Pilots per filter, 2 .. max_mmse_window.
  DelayProfile profile = DelayProfile::exponential;
  float delay_spread_s = 0.0F;
  float subcarrier_spacing_hz = 0.0F;
  int snr_bin = 0; ///< mmse_snr_bin().
  bool operator==(const MmseFilterKey&) const = default;
};

/// Positions of one bank: 2 spacing (window + 1).
constexpr unsigned mmse_bank_positions(unsigned spacing, unsigned window) {
  return 2 * spacing * (window + 1);
}

/// Computes the bank of \p key in double precision: for each position (mmse_bank_positions()),
/// window taps, written to taps[position * window + tap]; weights R_hp (R_pp + I / snr)^-1,
/// normalised to unit sum. Host only.
/// \throws std::invalid_argument when taps is smaller than positions x window.
void compute_mmse_filter_bank(const MmseFilterKey& key, std::span<cf32> taps);

} // namespace airan::phy
