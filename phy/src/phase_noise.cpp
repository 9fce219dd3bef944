// WienerPhaseNoise: the random walk, its jumps and its replay point.
#include "airan/phy/phase_noise.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>

namespace airan::phy {
namespace {

/// Stream of the phase increments beside a channel's fading (which draws from the seed itself).
constexpr std::uint64_t phase_noise_stream = 0x50A5E4015EULL;
constexpr double phase_noise_two_pi = 2.0 * std::numbers::pi;
/// Steps after which the phasor is set from the phase again (the products' rounding drifts).
constexpr unsigned phase_noise_sync_interval = 256;
/// Increments up to this size (rad) step the phasor by a Taylor polynomial, larger ones by
/// std::polar; the polynomial's error at the bound is below 2e-9.
constexpr double phase_noise_small_angle = 0.3;

/// Uniform in [-1, 1) from 53 random bits: the same on every platform (no std distributions).
double phase_noise_uniform(AwgnGenerator& rng) {
  return 2.0 * rng.next_uniform() - 1.0;
}

/// exp(j x) for |x| <= phase_noise_small_angle: cos and sin to the x^6 and x^7 terms.
std::complex<double> phase_noise_small_rotation(double x) {
  const double x2 = x * x;
  const double c = 1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0));
  const double s = x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0)));
  return {c, s};
}

} // namespace

WienerPhaseNoise::WienerPhaseNoise(double linewidth_hz, double sample_rate_hz, std::uint64_t seed)
    : linewidth_hz_(linewidth_hz) {
  if (!std::isfinite(linewidth_hz) || linewidth_hz < 0.0) {
    throw std::invalid_argument("WienerPhaseNoise: the linewidth must be finite and >= 0");
  }
  if (!std::isfinite(sample_rate_hz) || !(sample_rate_hz > 0.0)) {
    throw std::invalid_argument("WienerPhaseNoise: the sample rate must be finite and > 0");
  }
  increment_variance_ = phase_noise_two_pi * linewidth_hz / sample_rate_hz;
  increment_deviation_ = std::sqrt(increment_variance_);
  reseed(seed);
}

void WienerPhaseNoise::reseed(std::uint64_t seed) {
  stream_seed_ = seed ^ phase_noise_stream;
  has_replay_ = false;
  restart(0);
}

void WienerPhaseNoise::restart(std::int64_t sample) {
  state_.rng.reseed(stream_seed_);
  state_.position = std::min<std::int64_t>(sample, 0);
  state_.phase = 0.0;
  state_.phasor = 1.0;
  state_.steps_since_sync = 0;
  state_.spare = 0.0;
  state_.has_spare = false;
}

double WienerPhaseNoise::normal() {
  if (state_.has_spare) {
    state_.has_spare = false;
    return state_.spare;
  }
  double u = 0.0;
  double v = 0.0;
  double s = 0.0;
  do {
    u = phase_noise_uniform(state_.rng);
    v = phase_noise_uniform(state_.rng);
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  state_.spare = v * factor;
  state_.has_spare = true;
  return u * factor;
}

std::complex<double> WienerPhaseNoise::step() {
  const std::complex<double> current = state_.phasor;
  const double increment = increment_deviation_ * normal();
  state_.phase += increment;
  ++state_.position;
  if (++state_.steps_since_sync >= phase_noise_sync_interval ||
      std::abs(increment) > phase_noise_small_angle) {
    state_.phasor = std::polar(1.0, std::remainder(state_.phase, phase_noise_two_pi));
    state_.steps_since_sync = 0;
  } else {
    const std::complex<double> r = phase_noise_small_rotation(increment);
    const std::complex<double> p = state_.phasor; // written out: no NaN recovery of operator*
    state_.phasor = {p.real() * r.real() - p.imag() * r.imag(),
                     p.real() * r.imag() + p.imag() * r.real()};
  }
  return current;
}

void WienerPhaseNoise::seek(std::int64_t sample) {
  if (has_replay_ && sample == replay_.position) {
    state_ = replay_;
    return;
  }
  if (sample < state_.position) {
    if (has_replay_ && sample > replay_.position) {
      state_ = replay_;
    } else {
      restart(sample);
    }
  }
  if (sample > state_.position) {
    const double gap = static_cast<double>(sample - state_.position);
    state_.phase += std::sqrt(gap) * increment_deviation_ * normal();
    state_.position = sample;
    state_.phasor = std::polar(1.0, std::remainder(state_.phase, phase_noise_two_pi));
    state_.steps_since_sync = 0;
  }
  replay_ = state_;
  has_replay_ = true;
}

void WienerPhaseNoise::generate(std::span<std::complex<float>> out) {
  for (std::complex<float>& value : out) {
    value = std::complex<float>(step());
  }
}

std::complex<double> WienerPhaseNoise::mean_phasor(std::size_t count) {
  if (count == 0) {
    return 1.0;
  }
  std::complex<double> sum = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    sum += step();
  }
  return sum / static_cast<double>(count);
}

void WienerPhaseNoise::advance(std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    (void)step();
  }
}

} // namespace airan::phy
