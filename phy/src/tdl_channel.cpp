// TdlChannel: configuration checks, the steering vectors and the frequency-domain response. The
// sum-of-sinusoids realisation and the tap gains are in tdl_channel_fading.cpp, the time-domain
// path in tdl_time_domain.cpp.
#include "airan/phy/tdl_channel.h"

#include "tdl_channel_detail.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>
#include <string>

namespace airan::phy {
namespace {

using tdl_detail::invalid;
using tdl_detail::two_pi;

/// Doppler shift of the LOS component relative to f_d: TR 38.901 7.7.2 puts the LOS peak of
/// TDL-D/E's spectrum at 0.7 f_d (Sionna's default angle of arrival acos(0.7) since its
/// V19.2 models; it used pi / 4, 0.7071 f_d, before).
constexpr double los_doppler_ratio = 0.7;
/// Longest impulse response (from the first to the last tap, in samples) the channel accepts.
constexpr double max_delay_range_samples = 65536.0;
/// The latest tap's delay in samples, for the time-domain filter's int lags.
constexpr double max_absolute_delay_samples = 1073741824.0;

// The per-subcarrier loops below are compiled for AVX2 and the baseline, picked at load time.
// Both do the same IEEE operations per element in the same order (no FMA): identical results.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define AIRAN_TDL_CLONES [[gnu::target_clones("avx2", "default")]]
#else
#define AIRAN_TDL_CLONES
#endif

/// re + j im += (gr + j gi) (sr + j si) over n subcarriers.
AIRAN_TDL_CLONES void add_scaled_steering(float gr, float gi, const float* sr, const float* si,
                                          unsigned n, float* __restrict re, float* __restrict im) {
  for (unsigned k = 0; k < n; ++k) {
    re[k] += gr * sr[k] - gi * si[k];
    im[k] += gr * si[k] + gi * sr[k];
  }
}

/// acc += h x over n subcarriers; h split into real and imaginary parts, x interleaved.
AIRAN_TDL_CLONES void multiply_accumulate(const float* hr, const float* hi, const cf32* x_complex,
                                          unsigned n, float* __restrict acc_re,
                                          float* __restrict acc_im) {
  const float* x = reinterpret_cast<const float*>(x_complex);
  for (unsigned k = 0; k < n; ++k) {
    acc_re[k] += hr[k] * x[std::size_t{2} * k] - hi[k] * x[std::size_t{2} * k + 1];
    acc_im[k] += hr[k] * x[std::size_t{2} * k + 1] + hi[k] * x[std::size_t{2} * k];
  }
}

} // namespace

TdlChannel::TdlChannel(const TdlChannelConfig& config, const Numerology& numerology,
                       unsigned num_prbs, std::uint64_t seed)
    : config_(config), numerology_(numerology), num_prbs_(num_prbs),
      num_subcarriers_(subcarriers_per_prb * num_prbs),
      sample_rate_hz_(numerology.sample_rate_hz()) {
  validate_and_prepare();
  design_interpolators();
  reseed(seed);
}

void TdlChannel::validate_and_prepare() {
  const TdlChannelConfig& c = config_;
  if (c.profile.taps.empty()) {
    invalid("the profile '" + c.profile.name + "' has no taps");
  }
  if (c.num_rx == 0 || c.num_rx > tdl_max_antennas || c.num_tx == 0 ||
      c.num_tx > tdl_max_antennas) {
    invalid("num_rx and num_tx must be in 1.." + std::to_string(tdl_max_antennas) + ", got " +
            std::to_string(c.num_rx) + " x " + std::to_string(c.num_tx));
  }
  if (!std::isfinite(c.max_doppler_hz) || c.max_doppler_hz < 0.0 || c.max_doppler_hz > 1e6) {
    invalid("max_doppler_hz must be in [0, 1 MHz]");
  }
  if (!std::isfinite(c.cfo_hz) || std::abs(c.cfo_hz) > sample_rate_hz_ / 2.0) {
    invalid("cfo_hz must be finite and within half the sample rate");
  }
  const double scs = numerology_.subcarrier_spacing();
  if (!std::isfinite(c.phase_noise_linewidth_hz) || c.phase_noise_linewidth_hz < 0.0 ||
      c.phase_noise_linewidth_hz > scs) {
    std::ostringstream text;
    text << "phase_noise_linewidth_hz must be finite and in [0, subcarrier spacing " << scs
         << " Hz], got " << c.phase_noise_linewidth_hz;
    invalid(text.str());
  }
  phase_noise_ = WienerPhaseNoise(c.phase_noise_linewidth_hz, sample_rate_hz_, 0);
  cpe_.assign(phase_noise_.enabled() ? numerology_.symbols_per_slot() : 0, 1.0);
  if (c.rays) {
    config_.sinusoids_per_tap = c.rays->rays_per_tap();
    if (c.correlation != AntennaCorrelation::none) {
      invalid("a ray-based model (" + c.profile.name + ") takes no antenna correlation matrix");
    }
    if (const std::string mismatch = c.rays->mismatch(c); !mismatch.empty()) {
      invalid(mismatch);
    }
  }
  if (c.sinusoids_per_tap == 0 || c.sinusoids_per_tap > 1024) {
    invalid("sinusoids_per_tap must be in 1..1024");
  }
  if (num_prbs_ == 0 || num_subcarriers_ > numerology_.fft_size()) {
    invalid(std::to_string(num_prbs_) + " PRBs do not fit a " +
            std::to_string(numerology_.fft_size()) + "-point FFT");
  }
  if (num_subcarriers_ > tdl_max_occupancy * numerology_.fft_size()) {
    invalid(std::to_string(num_prbs_) + " PRBs fill more than " +
            std::to_string(static_cast<int>(tdl_max_occupancy * 100)) + "% of a " +
            std::to_string(numerology_.fft_size()) +
            "-point FFT: the delay interpolators cannot keep 80 dB over the band (use a larger "
            "FFT)");
  }
  // Timing offset: no earlier than half the shortest CP (compared in samples, with a margin for
  // the rounding of a value given in seconds).
  const double shortest_cp = numerology_.cyclic_prefix() == CyclicPrefix::normal
                                 ? 144.0 * numerology_.fft_size() / 2048.0
                                 : numerology_.fft_size() / 4.0;
  const double offset_samples = c.timing_offset_s * sample_rate_hz_;
  if (!std::isfinite(c.timing_offset_s) || offset_samples < -shortest_cp / 2.0 - 1e-6 ||
      c.timing_offset_s > 1.0) {
    invalid("timing_offset_s must be in [-CP/2, 1 s] (CP/2 = " +
            std::to_string(shortest_cp / 2.0 / sample_rate_hz_ * 1e9) + " ns)");
  }

  num_taps_ = static_cast<unsigned>(c.profile.taps.size());
  num_pairs_ = c.num_rx * c.num_tx;
  num_sinusoids_ = c.sinusoids_per_tap;
  double total_power = 0.0;
  double min_delay = std::numeric_limits<double>::infinity();
  double max_delay = 0.0;
  for (const TdlTap& tap : c.profile.taps) {
    if (!std::isfinite(tap.delay_s) || tap.delay_s < 0.0 || !std::isfinite(tap.power) ||
        tap.power < 0.0) {
      invalid("tap delays and powers must be finite and non-negative");
    }
    total_power += tap.power;
    min_delay = std::min(min_delay, tap.delay_s);
    max_delay = std::max(max_delay, tap.delay_s);
    tap_delays_s_.push_back(tap.delay_s + c.timing_offset_s);
    tap_amplitudes_.push_back(std::sqrt(tap.power));
    tap_is_los_.push_back(tap.line_of_sight ? 1 : 0);
  }
  if (!(total_power > 0.0)) {
    invalid("the profile has no power");
  }
  if ((max_delay - min_delay) * sample_rate_hz_ > max_delay_range_samples) {
    invalid("the taps span more than 65536 samples");
  }
  // Lags are ints in the time-domain filter: the latest tap (timing offset included) within
  // 2^30 samples (0.27 s at 3.9 GHz, mu 6 with a 4096-point FFT; 35 s at 30.72 MHz).
  if ((max_delay + c.timing_offset_s) * sample_rate_hz_ > max_absolute_delay_samples) {
    invalid("the latest tap, timing offset included, is " +
            std::to_string((max_delay + c.timing_offset_s) * sample_rate_hz_) +
            " samples late, more than 2^30");
  }

  correlated_ = c.correlation != AntennaCorrelation::none &&
                (antenna_correlation_coefficient(c.correlation, true) > 0.0 ||
                 antenna_correlation_coefficient(c.correlation, false) > 0.0);
  if (correlated_) {
    rx_sqrt_ = antenna_correlation_sqrt(c.correlation, c.num_rx, true);
    tx_sqrt_ = antenna_correlation_sqrt(c.correlation, c.num_tx, false);
  }
  los_doppler_hz_ = c.max_doppler_hz * los_doppler_ratio;

  const std::size_t sinusoids = std::size_t{num_taps_} * num_pairs_ * num_sinusoids_;
  omega_.assign(sinusoids, 0.0);
  phase_.assign(sinusoids, 0.0);
  if (c.rays) {
    amplitude_.assign(sinusoids, 1.0);
  }
  phasor_.assign(sinusoids, 1.0);
  raw_gains_.assign(std::size_t{num_taps_} * num_pairs_, 0.0);
  gains_.assign(std::size_t{num_taps_} * num_pairs_, 0.0);
  mix_scratch_.assign(num_pairs_, 0.0);

  // Steering vectors exp(-j 2 pi f_k tau) of every tap over the carrier.
  steering_re_.resize(std::size_t{num_taps_} * num_subcarriers_);
  steering_im_.resize(std::size_t{num_taps_} * num_subcarriers_);
  for (unsigned n = 0; n < num_taps_; ++n) {
    for (unsigned k = 0; k < num_subcarriers_; ++k) {
      const double f = (static_cast<double>(k) - 6.0 * num_prbs_) * scs;
      const double phase = -two_pi * std::fmod(f * tap_delays_s_[n], 1.0);
      steering_re_[std::size_t{n} * num_subcarriers_ + k] = static_cast<float>(std::cos(phase));
      steering_im_[std::size_t{n} * num_subcarriers_ + k] = static_cast<float>(std::sin(phase));
    }
  }
  response_re_.resize(num_subcarriers_);
  response_im_.resize(num_subcarriers_);
  accumulator_re_.resize(num_subcarriers_);
  accumulator_im_.resize(num_subcarriers_);
}

void TdlChannel::synthesize_response(unsigned pair) {
  float* re = response_re_.data();
  float* im = response_im_.data();
  std::fill_n(re, num_subcarriers_, 0.0F);
  std::fill_n(im, num_subcarriers_, 0.0F);
  for (unsigned n = 0; n < num_taps_; ++n) {
    const std::complex<double> g = gains_[std::size_t{n} * num_pairs_ + pair];
    const float gr = static_cast<float>(g.real());
    const float gi = static_cast<float>(g.imag());
    add_scaled_steering(gr, gi, steering_re_.data() + std::size_t{n} * num_subcarriers_,
                        steering_im_.data() + std::size_t{n} * num_subcarriers_, num_subcarriers_,
                        re, im);
  }
}

template <typename PerSymbol>
void TdlChannel::for_each_symbol(double slot_start_s, unsigned slot, PerSymbol&& per_symbol) {
  const unsigned n_fft = numerology_.fft_size();
  const unsigned num_symbols = numerology_.symbols_per_slot();
  // Middle of the useful part of symbol 0, then symbol to symbol.
  std::size_t sample = numerology_.cp_length(slot, 0);
  double time_s =
      slot_start_s + (static_cast<double>(sample) + (n_fft - 1) / 2.0) / sample_rate_hz_;
  set_phasors(time_s);
  // Phase noise: the process from the slot's first sample, symbol after symbol, unless this
  // slot's common phase errors are at hand (its response, then its grid).
  const bool phase_noise = phase_noise_.enabled();
  const std::int64_t first_sample = std::llround(slot_start_s * sample_rate_hz_);
  const bool draw_cpe = phase_noise && !(cpe_valid_ && cpe_first_sample_ == first_sample);
  if (draw_cpe) {
    phase_noise_.seek(first_sample);
    cpe_first_sample_ = first_sample;
    cpe_valid_ = true;
  }
  for (unsigned l = 0; l < num_symbols; ++l) {
    if (l > 0) {
      const unsigned step = n_fft + numerology_.cp_length(slot, l);
      step_phasors(step);
      sample += step;
      time_s = slot_start_s + (static_cast<double>(sample) + (n_fft - 1) / 2.0) / sample_rate_hz_;
    }
    const double cfo_cycles = std::fmod(config_.cfo_hz * time_s, 1.0);
    std::complex<double> scale = std::polar(1.0, two_pi * cfo_cycles);
    if (draw_cpe) { // the common phase error over the useful part
      phase_noise_.advance(numerology_.cp_length(slot, l));
      cpe_[l] = phase_noise_.mean_phasor(n_fft);
    }
    if (phase_noise) {
      scale *= cpe_[l];
    }
    combine_gains(phasor_.data(), scale, raw_gains_.data(), mix_scratch_.data(), gains_.data());
    per_symbol(l);
  }
}

void TdlChannel::frequency_response(double slot_start_s, unsigned slot, ChannelResponse& out) {
  const unsigned num_symbols = numerology_.symbols_per_slot();
  out.reshape(config_.num_rx, config_.num_tx, num_symbols, num_subcarriers_);
  for_each_symbol(slot_start_s, slot, [&](unsigned l) {
    for (unsigned r = 0; r < config_.num_rx; ++r) {
      for (unsigned t = 0; t < config_.num_tx; ++t) {
        synthesize_response(r * config_.num_tx + t);
        std::span<cf32> h = out.at(r, t, l);
        for (unsigned k = 0; k < num_subcarriers_; ++k) {
          h[k] = cf32(response_re_[k], response_im_[k]);
        }
      }
    }
  });
}

void TdlChannel::apply_frequency_domain(const ResourceGrid& tx, double slot_start_s, unsigned slot,
                                        ResourceGrid& rx) {
  const unsigned num_symbols = numerology_.symbols_per_slot();
  if (tx.num_ports() != config_.num_tx || rx.num_ports() != config_.num_rx ||
      tx.num_symbols() != num_symbols || rx.num_symbols() != num_symbols ||
      tx.num_subcarriers() != num_subcarriers_ || rx.num_subcarriers() != num_subcarriers_) {
    invalid("apply_frequency_domain: grids must be " + std::to_string(config_.num_tx) + " and " +
            std::to_string(config_.num_rx) + " ports of " + std::to_string(num_symbols) +
            " symbols x " + std::to_string(num_subcarriers_) + " subcarriers");
  }
  float* acc_re = accumulator_re_.data();
  float* acc_im = accumulator_im_.data();
  for_each_symbol(slot_start_s, slot, [&](unsigned l) {
    for (unsigned r = 0; r < config_.num_rx; ++r) {
      std::fill_n(acc_re, num_subcarriers_, 0.0F);
      std::fill_n(acc_im, num_subcarriers_, 0.0F);
      for (unsigned t = 0; t < config_.num_tx; ++t) {
        synthesize_response(r * config_.num_tx + t);
        multiply_accumulate(response_re_.data(), response_im_.data(), tx.symbol(t, l).data(),
                            num_subcarriers_, acc_re, acc_im);
      }
      std::span<cf32> y = rx.symbol(r, l);
      for (unsigned k = 0; k < num_subcarriers_; ++k) {
        y[k] = cf32(acc_re[k], acc_im[k]);
      }
    }
  });
}

double slot_start_time_s(const Numerology& numerology, std::uint64_t absolute_slot) {
  const std::uint64_t per_subframe = numerology.slots_per_subframe();
  std::uint64_t samples = (absolute_slot / per_subframe) * numerology.subframe_length();
  for (unsigned s = 0; s < absolute_slot % per_subframe; ++s) {
    samples += numerology.slot_length(s);
  }
  return static_cast<double>(samples) / numerology.sample_rate_hz();
}

} // namespace airan::phy
