#include "frequency_interpolator.h"

#include "dmrs_estimation_steps.h"

#include "airan/phy/dmrs_estimation_math.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <span>
#include <stdexcept>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace airan::phy::detail {
namespace {

using cd = std::complex<double>;

/// Taps of the largest bank: spacing 6 (type 2), max_mmse_window taps, 2 * 6 * (W + 1) positions.
constexpr std::size_t bank_capacity =
    std::size_t{mmse_bank_positions(6, max_mmse_window)} * max_mmse_window;

#if defined(__SSE2__)
/// With SSE2 each bank also holds, after its bank_capacity taps, the taps regrouped for four
/// consecutive outputs (positions q, q + 2, q + 4, q + 6) at once: for position q and tap t, the
/// 4 real parts then the 4 imaginary parts (zero where q + 2 l is past the bank), 16-byte aligned.
constexpr std::size_t lane_floats_per_tap = 8;
constexpr std::size_t bank_storage = bank_capacity * (1 + lane_floats_per_tap / 2);
static_assert(bank_capacity % 2 == 0 && __STDCPP_DEFAULT_NEW_ALIGNMENT__ >= 16);

void regroup_taps(const cf32* taps, unsigned positions, unsigned window, float* lanes) {
  for (unsigned q = 0; q < positions; ++q) {
    for (unsigned t = 0; t < window; ++t) {
      float* out = lanes + (std::size_t{q} * window + t) * lane_floats_per_tap;
      for (unsigned l = 0; l < 4; ++l) {
        const unsigned lane_position = q + 2 * l;
        const cf32 tap = lane_position < positions ? taps[lane_position * window + t] : cf32{};
        out[l] = tap.real();
        out[4 + l] = tap.imag();
      }
    }
  }
}

/// apply_mmse_taps() for the \p num_outputs (1 .. 4) consecutive outputs at o, with the
/// regrouped taps w of the first one's position and the same pilots p: each lane does exactly
/// apply_mmse_taps()'s operations in its order, so the outputs are bit for bit the same.
inline void apply_mmse_taps_x4(const float* w, const float* p, int window, float* o,
                               int num_outputs) {
  __m128 re0 = _mm_setzero_ps();
  __m128 re1 = re0;
  __m128 im0 = re0;
  __m128 im1 = re0;
  auto accumulate = [&](int t, __m128& re, __m128& im) {
    const __m128 wr = _mm_load_ps(w + lane_floats_per_tap * t);
    const __m128 wi = _mm_load_ps(w + lane_floats_per_tap * t + 4);
    const __m128 pr = _mm_set1_ps(p[std::ptrdiff_t{2} * t]);
    const __m128 pi = _mm_set1_ps(p[std::ptrdiff_t{2} * t + 1]);
    re = _mm_add_ps(re, _mm_sub_ps(_mm_mul_ps(wr, pr), _mm_mul_ps(wi, pi)));
    im = _mm_add_ps(im, _mm_add_ps(_mm_mul_ps(wr, pi), _mm_mul_ps(wi, pr)));
  };
  int t = 0;
  for (; t + 1 < window; t += 2) {
    accumulate(t, re0, im0);
    accumulate(t + 1, re1, im1);
  }
  if (t < window) {
    accumulate(t, re0, im0);
  }
  const __m128 re = _mm_add_ps(re0, re1);
  const __m128 im = _mm_add_ps(im0, im1);
  const __m128 low = _mm_unpacklo_ps(re, im);  // outputs 0, 1
  const __m128 high = _mm_unpackhi_ps(re, im); // outputs 2, 3
  if (num_outputs == 1) {
    _mm_storel_pi(reinterpret_cast<__m64*>(o), low);
    return;
  }
  _mm_storeu_ps(o, low);
  if (num_outputs == 3) {
    _mm_storel_pi(reinterpret_cast<__m64*>(o + 4), high);
  } else if (num_outputs == 4) {
    _mm_storeu_ps(o + 4, high);
  }
}
#else
constexpr std::size_t bank_storage = bank_capacity;
#endif

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
                        unsigned num_subcarriers, const cf32* conj_ramp, DmrsSimd simd) {
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
    o[std::ptrdiff_t{2} * k] = p[0];
    o[std::ptrdiff_t{2} * k + 1] = p[1];
  }
  if (conj_ramp != nullptr) {
    multiply_by_conjugate(out, conj_ramp, static_cast<unsigned>(held_left), simd);
  }
  int k = first;
  int n = 0;
  if (k < width) { // whole intervals in SIMD (the ramp applied there)
    const int whole = std::min(count - 1, (width - k) / spacing);
    n = linear_runs(simd, p, fractions.data(), spacing, whole, o + std::ptrdiff_t{2} * k,
                    conj_ramp != nullptr ? reinterpret_cast<const float*>(conj_ramp + k) : nullptr);
    k += n * spacing;
  }
  const int rest = k;
  for (; n + 1 < count; ++n) {
    const float* a = p + std::ptrdiff_t{2} * n;
    for (int j = 0; j < spacing && k < width; ++j, ++k) {
      o[std::ptrdiff_t{2} * k] = a[0] + fractions[j] * (a[2] - a[0]);
      o[std::ptrdiff_t{2} * k + 1] = a[1] + fractions[j] * (a[3] - a[1]);
    }
  }
  const float* last = p + std::ptrdiff_t{2} * (count - 1);
  for (; k < width; ++k) {
    o[std::ptrdiff_t{2} * k] = last[0];
    o[std::ptrdiff_t{2} * k + 1] = last[1];
  }
  if (conj_ramp != nullptr && rest < width) {
    multiply_by_conjugate(out + rest, conj_ramp + rest, static_cast<unsigned>(width - rest), simd);
  }
}

MmseFrequencyInterpolator::MmseFrequencyInterpolator() {
  for (Bank& bank : banks_) {
    bank.taps.resize(bank_storage);
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
  std::array<cd, std::size_t{max_mmse_window} * max_mmse_window> l{};
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
  compute_mmse_filter_bank(bank.key, std::span(bank.taps).first(bank_capacity));
  const unsigned positions = mmse_bank_positions(bank.key.spacing, bank.key.window);
  double energy = 0.0;
  for (std::size_t i = 0; i < std::size_t{positions} * bank.key.window; ++i) {
    energy += std::norm(bank.taps[i]);
  }
  bank.noise_gain = static_cast<float>(energy / positions);
#if defined(__SSE2__)
  regroup_taps(bank.taps.data(), mmse_bank_positions(bank.key.spacing, bank.key.window),
               bank.key.window, reinterpret_cast<float*>(bank.taps.data() + bank_capacity));
#endif
}

void MmseFrequencyInterpolator::interpolate(const cf32* pilots, const PilotComb& comb, cf32* out,
                                            unsigned num_subcarriers, const cf32* conj_ramp,
                                            float* scratch) const {
  const int window = static_cast<int>(current_->key.window);
  const int spacing = static_cast<int>(comb.spacing);
  const int count = static_cast<int>(comb.count);
  const int twice_first = static_cast<int>(std::lround(2.0F * comb.first));
  const int num_outputs = static_cast<int>(num_subcarriers);
  const auto* in = reinterpret_cast<const float*>(pilots);
  auto* o = reinterpret_cast<float*>(out);
#if defined(__SSE2__)
  const auto* lanes = reinterpret_cast<const float*>(current_->taps.data() + bank_capacity);
#else
  const auto* taps = reinterpret_cast<const float*>(current_->taps.data());
#endif
  int k = 0;
  while (k < num_outputs) {
    // One run of outputs with the same pilots: mmse_placement() of output k' keeps this start
    // (and its position steps by 2) until the nearest pilot on the left of k' is
    // start + window / 2, i.e. 2 k' - twice_first >= 2 spacing (start + window / 2); the last
    // start possible takes every output after it.
    const MmsePlacement placement = mmse_placement(2 * k - twice_first, spacing, window, count);
    int end = num_outputs;
    if (placement.start < count - window) {
      const int twice_end = 2 * spacing * (placement.start + window / 2) + twice_first;
      end = std::clamp(-floor_div(-twice_end, 2), k + 1, num_outputs);
    }
    const float* p = in + std::ptrdiff_t{2} * placement.start;
#if defined(__SSE2__)
    const float* lane_taps = lanes + std::size_t(placement.position) * window * lane_floats_per_tap;
    if (placement.start > 0 && end - k == spacing) {
      // Interior runs from here: start + i for i < runs, spacing outputs each, at this run's
      // positions (the window moves by a pilot every spacing outputs).
      const int runs = std::min(count - window - placement.start, (num_outputs - k) / spacing);
      const int done = mmse_interior_runs(
          simd_, lane_taps, window, p, spacing, runs, o + std::ptrdiff_t{2} * k,
          conj_ramp != nullptr ? reinterpret_cast<const float*>(conj_ramp + k) : nullptr, scratch);
      if (done > 0) {
        k += done * spacing;
        continue;
      }
    }
    for (int j = k; j < end; j += 4, lane_taps += std::size_t{8} * window * lane_floats_per_tap) {
      apply_mmse_taps_x4(lane_taps, p, window, o + std::ptrdiff_t{2} * j, std::min(end - j, 4));
    }
#else
    int position = placement.position;
    for (int j = k; j < end; ++j, position += 2) {
      apply_mmse_taps(taps + std::ptrdiff_t{2} * position * window, p, window,
                      o + std::ptrdiff_t{2} * j);
    }
#endif
    if (conj_ramp != nullptr) {
      multiply_by_conjugate(out + k, conj_ramp + k, static_cast<unsigned>(end - k), simd_);
    }
    k = end;
  }
}

} // namespace airan::phy::detail
