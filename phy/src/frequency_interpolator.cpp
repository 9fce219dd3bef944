#include "frequency_interpolator.h"

#include "airan/phy/dmrs_estimation_math.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>

namespace airan::phy::detail {
namespace {

using cd = std::complex<double>;

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
  key.snr_bin = mmse_snr_bin(pilot_snr);
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

} // namespace airan::phy::detail

namespace airan::phy {

using detail::cd;

void compute_mmse_filter_bank(const MmseFilterKey& key, std::span<cf32> taps) {
  if (taps.size() < std::size_t{mmse_bank_positions(key.spacing, key.window)} * key.window) {
    throw std::invalid_argument("compute_mmse_filter_bank: the tap storage is too small");
  }
  const unsigned window = key.window;
  const unsigned spacing = key.spacing;
  const double pilot_df = static_cast<double>(spacing) * key.subcarrier_spacing_hz;
  const double noise_to_signal =
      std::pow(10.0, -(mmse_min_snr_db + mmse_snr_step_db * key.snr_bin) / 10.0);
  auto r = [&](double pilot_offset) {
    return detail::correlation(key.profile, key.delay_spread_s, pilot_offset * pilot_df);
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
  const unsigned num_positions = mmse_bank_positions(spacing, window);
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
      taps[position * window + b] =
          cf32(static_cast<float>(tap.real()), static_cast<float>(tap.imag()));
    }
  }
}

} // namespace airan::phy

namespace airan::phy::detail {

void MmseFrequencyInterpolator::compute(Bank& bank) const {
  compute_mmse_filter_bank(bank.key, bank.taps);
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
  for (unsigned k = 0; k < num_subcarriers; ++k) {
    const MmsePlacement placement =
        mmse_placement(2 * static_cast<int>(k) - twice_first, spacing, window, count);
    apply_mmse_taps(taps + 2 * placement.position * window, in + 2 * placement.start, window,
                    o + 2 * k);
  }
}

} // namespace airan::phy::detail
