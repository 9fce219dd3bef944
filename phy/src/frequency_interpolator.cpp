#include "frequency_interpolator.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

namespace airan::phy::detail {
namespace {

using cd = std::complex<double>;

/// SNR bins of the MMSE filters: -10 .. 50 dB in 2 dB steps.
constexpr double min_snr_db = -10.0;
constexpr double max_snr_db = 50.0;
constexpr double snr_step_db = 2.0;

int snr_bin(float pilot_snr) {
  const double snr_db =
      pilot_snr > 0.0F ? 10.0 * std::log10(static_cast<double>(pilot_snr)) : min_snr_db;
  const double clamped = std::clamp(snr_db, min_snr_db, max_snr_db);
  return static_cast<int>(std::lround((clamped - min_snr_db) / snr_step_db));
}

/// Frequency correlation r(df) = E[h(f + df) conj(h(f))] of the prior, normalised to r(0) = 1
/// and centred on the profile's mean delay.
cd correlation(DelayProfile profile, double delay_spread_s, double df_hz) {
  if (profile == DelayProfile::exponential) {
    const double theta = 2.0 * std::numbers::pi * df_hz * delay_spread_s;
    return std::polar(1.0, theta) / cd(1.0, theta);
  }
  const double x = std::numbers::pi * df_hz * delay_spread_s;
  return std::abs(x) < 1e-12 ? cd(1.0) : cd(std::sin(x) / x);
}

/// Floor division of a possibly negative numerator by a positive denominator.
int floor_div(int numerator, int denominator) {
  const int quotient = numerator / denominator;
  return (numerator % denominator != 0 && numerator < 0) ? quotient - 1 : quotient;
}

} // namespace

void interpolate_linear(const cf32* pilots, const PilotComb& comb, cf32* out,
                        unsigned num_subcarriers) {
  // Pilot n sits at c_n = first + P n; the subcarriers from ceil(c_n) to ceil(c_n+1) - 1 take
  // the same P fractions (k - c_n) / P in every interval. Outside the pilots: held flat.
  const auto spacing = static_cast<int>(comb.spacing);
  const int count = static_cast<int>(comb.count);
  const auto first = static_cast<int>(std::ceil(comb.first));
  const float first_fraction = static_cast<float>(first) - comb.first;
  std::array<float, 8> fractions{};
  for (int j = 0; j < spacing; ++j) {
    fractions[j] = (first_fraction + static_cast<float>(j)) / static_cast<float>(spacing);
  }
  const auto* p = reinterpret_cast<const float*>(pilots);
  auto* o = reinterpret_cast<float*>(out);
  const int width = static_cast<int>(num_subcarriers);
  const int held_left = std::min(first, width);
  for (int k = 0; k < held_left; ++k) {
    o[2 * k] = p[0];
    o[2 * k + 1] = p[1];
  }
  int k = first;
  for (int n = 0; n + 1 < count; ++n) {
    const float* a = p + 2 * n;
    for (int j = 0; j < spacing && k < width; ++j, ++k) {
      o[2 * k] = a[0] + fractions[j] * (a[2] - a[0]);
      o[2 * k + 1] = a[1] + fractions[j] * (a[3] - a[1]);
    }
  }
  const float* last = p + 2 * (count - 1);
  for (; k < width; ++k) {
    o[2 * k] = last[0];
    o[2 * k + 1] = last[1];
  }
}

MmseFrequencyInterpolator::MmseFrequencyInterpolator() {
  // Largest bank: spacing 6 (type 2), max_mmse_window taps, 2 * 6 * (W + 1) positions.
  const std::size_t capacity = std::size_t{2} * 6 * (max_mmse_window + 1) * max_mmse_window;
  for (Bank& bank : banks_) {
    bank.taps.resize(capacity);
  }
}

void MmseFrequencyInterpolator::prepare(const PilotComb& comb, const MmsePrior& prior,
                                        float pilot_snr) {
  Key key;
  key.spacing = comb.spacing;
  key.window = std::clamp(prior.window, 2U, std::min(max_mmse_window, comb.count));
  key.profile = prior.profile;
  key.delay_spread_s = prior.delay_spread_s;
  key.subcarrier_spacing_hz = prior.subcarrier_spacing_hz;
  key.snr_bin = snr_bin(pilot_snr);
  ++use_counter_;
  Bank* oldest = &banks_[0];
  for (Bank& bank : banks_) {
    if (bank.valid && bank.key == key) {
      bank.last_use = use_counter_;
      current_ = &bank;
      return;
    }
    if (!bank.valid || (oldest->valid && bank.last_use < oldest->last_use)) {
      oldest = &bank;
    }
  }
  oldest->key = key;
  compute(*oldest);
  oldest->valid = true;
  oldest->last_use = use_counter_;
  current_ = oldest;
  ++banks_computed_;
}

void MmseFrequencyInterpolator::compute(Bank& bank) const {
  const Key& key = bank.key;
  const unsigned window = key.window;
  const unsigned spacing = key.spacing;
  const double pilot_df = static_cast<double>(spacing) * key.subcarrier_spacing_hz;
  const double noise_to_signal = std::pow(10.0, -(min_snr_db + snr_step_db * key.snr_bin) / 10.0);
  auto r = [&](double pilot_offset) {
    return correlation(key.profile, key.delay_spread_s, pilot_offset * pilot_df);
  };

  // Cholesky factor of A = R_pp + (1 / snr) I, lower triangle of l.
  std::array<cd, max_mmse_window * max_mmse_window> l{};
  for (unsigned i = 0; i < window; ++i) {
    for (unsigned j = 0; j <= i; ++j) {
      cd sum = r(static_cast<double>(i) - static_cast<double>(j));
      if (i == j) {
        sum += noise_to_signal;
      }
      for (unsigned k = 0; k < j; ++k) {
        sum -= l[i * window + k] * std::conj(l[j * window + k]);
      }
      l[i * window + j] = i == j ? cd(std::sqrt(sum.real())) : sum / l[j * window + j].real();
    }
  }

  // Weights of the output at pilot coordinate u: w = conj(A^-1 conj(R_hp(u))), since
  // h(u) ~ R_hp A^-1 h_p with R_hp(u)_b = r(u - b); then normalised to unit sum.
  const unsigned num_positions = 2 * spacing * (window + 1);
  std::array<cd, max_mmse_window> x{};
  for (unsigned position = 0; position < num_positions; ++position) {
    const double u = static_cast<double>(position) / (2.0 * spacing) - 1.0;
    for (unsigned b = 0; b < window; ++b) {
      x[b] = std::conj(r(u - static_cast<double>(b)));
    }
    for (unsigned i = 0; i < window; ++i) { // L z = x
      cd sum = x[i];
      for (unsigned k = 0; k < i; ++k) {
        sum -= l[i * window + k] * x[k];
      }
      x[i] = sum / l[i * window + i].real();
    }
    for (unsigned ii = window; ii > 0; --ii) { // L^H v = z
      const unsigned i = ii - 1;
      cd sum = x[i];
      for (unsigned k = i + 1; k < window; ++k) {
        sum -= std::conj(l[k * window + i]) * x[k];
      }
      x[i] = sum / l[i * window + i].real();
    }
    cd gain = 0.0;
    for (unsigned b = 0; b < window; ++b) {
      x[b] = std::conj(x[b]);
      gain += x[b];
    }
    const cd normalisation = std::abs(gain) > 1e-9 ? 1.0 / gain : cd(1.0);
    for (unsigned b = 0; b < window; ++b) {
      const cd tap = x[b] * normalisation;
      bank.taps[position * window + b] =
          cf32(static_cast<float>(tap.real()), static_cast<float>(tap.imag()));
    }
  }
}

void MmseFrequencyInterpolator::interpolate(const cf32* pilots, const PilotComb& comb, cf32* out,
                                            unsigned num_subcarriers) const {
  const int window = static_cast<int>(current_->key.window);
  const int spacing = static_cast<int>(comb.spacing);
  const int count = static_cast<int>(comb.count);
  const int twice_first = static_cast<int>(std::lround(2.0F * comb.first));
  const auto* taps = reinterpret_cast<const float*>(current_->taps.data());
  const auto* in = reinterpret_cast<const float*>(pilots);
  auto* o = reinterpret_cast<float*>(out);
  // Pilot at or left of the output, floor(offset / spacing), tracked without divisions.
  int twice_offset = -twice_first;
  int nearest_left = floor_div(twice_offset, 2 * spacing);
  int next_boundary = 2 * spacing * (nearest_left + 1);
  for (unsigned k = 0; k < num_subcarriers; ++k, twice_offset += 2) {
    while (twice_offset >= next_boundary) {
      ++nearest_left;
      next_boundary += 2 * spacing;
    }
    const int start = std::clamp(nearest_left - window / 2 + 1, 0, count - window);
    // Position index: 2 spacing (u + 1), u = offset / spacing - start, in pilots.
    const int position = twice_offset + 2 * spacing * (1 - start);
    const float* w = taps + 2 * position * window;
    const float* p = in + 2 * start;
    // Two partial sums per component halve the dependency chain (no -ffast-math here).
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
    o[2 * k] = re[0] + re[1];
    o[2 * k + 1] = im[0] + im[1];
  }
}

} // namespace airan::phy::detail
