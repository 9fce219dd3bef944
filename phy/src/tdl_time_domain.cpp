// TdlChannel time-domain path: fractional-delay interpolators (Kaiser-windowed sinc), one
// combined impulse response per antenna pair rebuilt per block of samples from the tap gains,
// direct-form filtering and the CFO and phase-noise rotations.
#include "airan/phy/tdl_channel.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// Stop-band attenuation the interpolators are designed for (Kaiser's formulas).
constexpr double interpolator_attenuation_db = 80.0;
/// Gains are held over a block during which the fastest Doppler phase moves at most this much.
constexpr double max_doppler_phase_per_block = 0.003;
constexpr unsigned max_block_length = 128;
/// A delay this close to a whole number of samples uses a single-tap (exact) interpolator.
constexpr double integer_delay_tolerance = 1e-6;

/// Modified Bessel function of the first kind, order 0 (power series; |x| <= 20 here).
double bessel_i0(double x) {
  const double q = x * x / 4.0;
  double term = 1.0;
  double sum = 1.0;
  for (int k = 1; k < 100 && term > 1e-17 * sum; ++k) {
    term *= q / (static_cast<double>(k) * k);
    sum += term;
  }
  return sum;
}

double sinc(double x) {
  if (std::abs(x) < 1e-12) {
    return 1.0;
  }
  return std::sin(std::numbers::pi * x) / (std::numbers::pi * x);
}

/// out[q] += sum_j h[j] x[q + length - 1 - j] for q < count: the impulse response (lags
/// first_lag + j) applied to the input window. Compiled for AVX2 and the baseline, picked at load
/// time; both do the same IEEE operations per output in the same order (no FMA), so the results
/// are bit-identical.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
[[gnu::target_clones("avx2", "default")]]
#endif
void accumulate_lags(const float* hr, const float* hi, unsigned length, const float* wr,
                     const float* wi, std::size_t count, float* __restrict out_re,
                     float* __restrict out_im) {
  for (unsigned j = 0; j < length; ++j) {
    const float a = hr[j];
    const float b = hi[j];
    const float* xr = wr + (length - 1 - j);
    const float* xi = wi + (length - 1 - j);
    for (std::size_t q = 0; q < count; ++q) {
      out_re[q] += a * xr[q] - b * xi[q];
      out_im[q] += a * xi[q] + b * xr[q];
    }
  }
}

/// a b without the library's NaN and infinity recovery (std::complex's operator*).
cf32 tdl_rotate_sample(cf32 a, cf32 b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

} // namespace

void TdlChannel::design_interpolators() {
  // Passband |f| <= occupancy / 2 (in units of the sample rate) must stay within the
  // interpolator's flat region: transition band width 1 - occupancy around fs / 2.
  // Kaiser's length for the attenuation over that band: 16 values at 106 PRB / 2048, 100 at
  // 162 PRB / 2048; validate_and_prepare() keeps the occupancy at most tdl_max_occupancy, which
  // needs 252.
  const double occupancy = static_cast<double>(num_subcarriers_) / numerology_.fft_size();
  const double transition = 1.0 - occupancy;
  const double attenuation = interpolator_attenuation_db;
  unsigned length =
      static_cast<unsigned>(std::ceil((attenuation - 7.95) / (14.36 * transition))) + 1;
  length = std::clamp(length + (length % 2), 4U, 256U);
  interpolator_length_ = length;
  const double beta = 0.1102 * (attenuation - 8.7);
  const double half = length / 2.0;
  const double window_norm = 1.0 / bessel_i0(beta);

  interpolators_.assign(std::size_t{num_taps_} * length, 0.0F);
  interpolator_first_.assign(num_taps_, 0);
  interpolator_size_.assign(num_taps_, 1);
  int first_lag = 0;
  int last_lag = 0;
  for (unsigned n = 0; n < num_taps_; ++n) {
    const double delay = tap_delays_s_[n] * sample_rate_hz_;
    const double nearest = std::round(delay);
    float* h = interpolators_.data() + std::size_t{n} * length;
    if (std::abs(delay - nearest) < integer_delay_tolerance) {
      interpolator_first_[n] = static_cast<int>(nearest);
      interpolator_size_[n] = 1;
      h[0] = 1.0F;
    } else {
      const double whole = std::floor(delay);
      const int first = static_cast<int>(whole) - static_cast<int>(length / 2) + 1;
      interpolator_first_[n] = first;
      interpolator_size_[n] = length;
      for (unsigned j = 0; j < length; ++j) {
        const double x = (first + static_cast<int>(j)) - delay; // in (-half, half)
        const double r = x / half;
        const double window = bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) * window_norm;
        h[j] = static_cast<float>(sinc(x) * window);
      }
    }
    const int last = interpolator_first_[n] + static_cast<int>(interpolator_size_[n]) - 1;
    first_lag = n == 0 ? interpolator_first_[n] : std::min(first_lag, interpolator_first_[n]);
    last_lag = n == 0 ? last : std::max(last_lag, last);
  }
  first_lag_ = first_lag;
  impulse_length_ = static_cast<unsigned>(last_lag - first_lag + 1);

  const double fastest_hz = std::max(config_.max_doppler_hz, std::abs(los_doppler_hz_));
  unsigned block = max_block_length;
  if (fastest_hz > 0.0) {
    const double samples =
        max_doppler_phase_per_block * sample_rate_hz_ / ((2.0 * std::numbers::pi) * fastest_hz);
    block = static_cast<unsigned>(std::clamp(std::floor(samples), 1.0, double{max_block_length}));
  }
  block_length_ = block;

  impulse_re_.assign(std::size_t{num_pairs_} * impulse_length_, 0.0F);
  impulse_im_.assign(std::size_t{num_pairs_} * impulse_length_, 0.0F);
  const std::size_t window = block_length_ + impulse_length_ - 1;
  window_re_.assign(std::size_t{config_.num_tx} * window, 0.0F);
  window_im_.assign(std::size_t{config_.num_tx} * window, 0.0F);
  out_re_.assign(block_length_, 0.0F);
  out_im_.assign(block_length_, 0.0F);
  phase_noise_block_.assign(phase_noise_.enabled() ? block_length_ : 0, cf32(1.0F));
}

void TdlChannel::build_impulse_responses() {
  for (unsigned p = 0; p < num_pairs_; ++p) {
    float* re = impulse_re_.data() + std::size_t{p} * impulse_length_;
    float* im = impulse_im_.data() + std::size_t{p} * impulse_length_;
    std::fill_n(re, impulse_length_, 0.0F);
    std::fill_n(im, impulse_length_, 0.0F);
    for (unsigned n = 0; n < num_taps_; ++n) {
      const std::complex<double> g = gains_[std::size_t{n} * num_pairs_ + p];
      const float gr = static_cast<float>(g.real());
      const float gi = static_cast<float>(g.imag());
      const float* h = interpolators_.data() + std::size_t{n} * interpolator_length_;
      const unsigned offset = static_cast<unsigned>(interpolator_first_[n] - first_lag_);
      for (unsigned j = 0; j < interpolator_size_[n]; ++j) {
        re[offset + j] += gr * h[j];
        im[offset + j] += gi * h[j];
      }
    }
  }
}

void TdlChannel::filter_block(std::span<const cf32> tx, std::size_t samples_per_antenna,
                              std::size_t first, std::size_t count, double start_s,
                              std::span<cf32> rx) {
  const unsigned num_rx = config_.num_rx;
  const unsigned num_tx = config_.num_tx;
  const std::size_t window = count + impulse_length_ - 1;
  const std::size_t window_stride = block_length_ + impulse_length_ - 1;
  // Input window: samples first - last_lag .. first + count - 1 - first_lag (zero outside).
  const long long last_lag = first_lag_ + static_cast<long long>(impulse_length_) - 1;
  const long long window_start = static_cast<long long>(first) - last_lag;
  for (unsigned t = 0; t < num_tx; ++t) {
    const cf32* x = tx.data() + std::size_t{t} * samples_per_antenna;
    float* wr = window_re_.data() + std::size_t{t} * window_stride;
    float* wi = window_im_.data() + std::size_t{t} * window_stride;
    for (std::size_t p = 0; p < window; ++p) {
      const long long index = window_start + static_cast<long long>(p);
      const bool inside = index >= 0 && index < static_cast<long long>(samples_per_antenna);
      wr[p] = inside ? x[index].real() : 0.0F;
      wi[p] = inside ? x[index].imag() : 0.0F;
    }
  }
  // CFO phasor at the block's first sample (exact), stepped per sample within the block.
  const double t0 = start_s + static_cast<double>(first) / sample_rate_hz_;
  const std::complex<double> rotation0 =
      std::polar(1.0, (2.0 * std::numbers::pi) * std::fmod(config_.cfo_hz * t0, 1.0));
  const cf32 rotation_step(
      std::polar(1.0, (2.0 * std::numbers::pi) * config_.cfo_hz / sample_rate_hz_));
  const bool rotate = config_.cfo_hz != 0.0;
  // Phase noise: one oscillator for all receive antennas, its phasors for the block's samples.
  const cf32* noise = nullptr;
  if (phase_noise_.enabled()) {
    phase_noise_.generate(std::span(phase_noise_block_).first(count));
    noise = phase_noise_block_.data();
  }

  float* out_re = out_re_.data();
  float* out_im = out_im_.data();
  for (unsigned r = 0; r < num_rx; ++r) {
    std::fill_n(out_re, count, 0.0F);
    std::fill_n(out_im, count, 0.0F);
    for (unsigned t = 0; t < num_tx; ++t) {
      const unsigned pair = r * num_tx + t;
      const float* hr = impulse_re_.data() + std::size_t{pair} * impulse_length_;
      const float* hi = impulse_im_.data() + std::size_t{pair} * impulse_length_;
      const float* wr = window_re_.data() + std::size_t{t} * window_stride;
      const float* wi = window_im_.data() + std::size_t{t} * window_stride;
      accumulate_lags(hr, hi, impulse_length_, wr, wi, count, out_re, out_im);
    }
    cf32* y = rx.data() + std::size_t{r} * samples_per_antenna + first;
    if (rotate) {
      cf32 rotation(rotation0);
      for (std::size_t q = 0; q < count; ++q) {
        const cf32 v(out_re[q], out_im[q]);
        y[q] = cf32(v.real() * rotation.real() - v.imag() * rotation.imag(),
                    v.real() * rotation.imag() + v.imag() * rotation.real());
        if (noise != nullptr) {
          y[q] = tdl_rotate_sample(y[q], noise[q]);
        }
        rotation =
            cf32(rotation.real() * rotation_step.real() - rotation.imag() * rotation_step.imag(),
                 rotation.real() * rotation_step.imag() + rotation.imag() * rotation_step.real());
      }
    } else if (noise != nullptr) {
      for (std::size_t q = 0; q < count; ++q) {
        y[q] = tdl_rotate_sample(cf32(out_re[q], out_im[q]), noise[q]);
      }
    } else {
      for (std::size_t q = 0; q < count; ++q) {
        y[q] = cf32(out_re[q], out_im[q]);
      }
    }
  }
}

void TdlChannel::apply_time_domain(std::span<const cf32> tx, std::size_t samples_per_antenna,
                                   double start_s, std::span<cf32> rx) {
  if (tx.size() != samples_per_antenna * config_.num_tx ||
      rx.size() != samples_per_antenna * config_.num_rx) {
    throw std::invalid_argument("TdlChannel::apply_time_domain: expected " +
                                std::to_string(config_.num_tx) + " and " +
                                std::to_string(config_.num_rx) + " antennas of " +
                                std::to_string(samples_per_antenna) + " samples");
  }
  if (samples_per_antenna == 0) {
    return;
  }
  if (phase_noise_.enabled()) { // the oscillator's process from the buffer's first sample
    const std::int64_t first_sample = std::llround(start_s * sample_rate_hz_);
    phase_noise_.seek(first_sample);
    cpe_valid_ = cpe_valid_ && first_sample == cpe_first_sample_; // else a new replay point
  }
  // Gains of block b are those at its centre, start + (b U + (U - 1) / 2) / fs.
  const double centre_offset_s = (block_length_ - 1) / 2.0 / sample_rate_hz_;
  set_phasors(start_s + centre_offset_s);
  for (std::size_t first = 0; first < samples_per_antenna; first += block_length_) {
    if (first > 0) {
      step_phasors(block_length_);
    }
    combine_gains(phasor_.data(), 1.0, raw_gains_.data(), mix_scratch_.data(), gains_.data());
    build_impulse_responses();
    const std::size_t count = std::min<std::size_t>(block_length_, samples_per_antenna - first);
    filter_block(tx, samples_per_antenna, first, count, start_s, rx);
  }
}

} // namespace airan::phy
