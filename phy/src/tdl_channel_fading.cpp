// TdlChannel's fading: the sum-of-sinusoids realisation (Jakes sinusoids or a ray model's), the
// phasors stepped from symbol to symbol, and the tap gains with the antenna correlation.
#include "airan/phy/tdl_channel.h"

#include "tdl_channel_detail.h"

#include <cmath>
#include <complex>
#include <cstddef>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

using tdl_detail::invalid;
using tdl_detail::two_pi;

/// Uniform in [0, 1) from the top 53 bits: the same on every platform (no std distributions).
double uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// out = scale * L_rx g L_tx^T for one tap (g and out num_rx x num_tx, row-major; empty L =
/// identity). scratch holds num_rx * num_tx values.
void correlate(const std::complex<double>* g, const std::vector<double>& l_rx,
               const std::vector<double>& l_tx, unsigned num_rx, unsigned num_tx,
               std::complex<double> scale, std::complex<double>* scratch,
               std::complex<double>* out) {
  // scratch = g L_tx^T: scratch(a, t) = sum_b g(a, b) L_tx(t, b), L_tx lower triangular.
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned t = 0; t < num_tx; ++t) {
      std::complex<double> sum = 0.0;
      for (unsigned b = 0; b <= t; ++b) {
        sum += g[a * num_tx + b] * l_tx[t * num_tx + b];
      }
      scratch[a * num_tx + t] = sum;
    }
  }
  // out(r, t) = scale * sum_a L_rx(r, a) scratch(a, t).
  for (unsigned r = 0; r < num_rx; ++r) {
    for (unsigned t = 0; t < num_tx; ++t) {
      std::complex<double> sum = 0.0;
      for (unsigned a = 0; a <= r; ++a) {
        sum += l_rx[r * num_rx + a] * scratch[a * num_tx + t];
      }
      out[r * num_tx + t] = scale * sum;
    }
  }
}

} // namespace

void TdlChannel::reseed(std::uint64_t seed) {
  if (config_.rays) {
    config_.rays->draw(seed, omega_, phase_, amplitude_);
  } else {
    draw_jakes_sinusoids(seed);
  }
  phase_noise_.reseed(seed);
  cpe_valid_ = false;
  prepare_phasor_steps();
}

void TdlChannel::draw_jakes_sinusoids(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double m_count = num_sinusoids_;
  const double omega_d = two_pi * config_.max_doppler_hz;
  for (unsigned n = 0; n < num_taps_; ++n) {
    for (unsigned p = 0; p < num_pairs_; ++p) {
      const std::size_t base = (std::size_t{n} * num_pairs_ + p) * num_sinusoids_;
      if (tap_is_los_[n] != 0) {
        // One plane wave reaches every antenna: the LOS part has one phase for all antenna pairs
        // (a rank-one matrix, as Sionna's TDL draws it), not a phase per pair, which turned the
        // LOS power into diversity.
        omega_[base] = two_pi * los_doppler_hz_;
        phase_[base] =
            p == 0 ? two_pi * uniform(rng) : phase_[std::size_t{n} * num_pairs_ * num_sinusoids_];
        continue;
      }
      const double theta = two_pi * uniform(rng);
      for (unsigned m = 0; m < num_sinusoids_; ++m) {
        const double angle = (two_pi * m + theta) / m_count;
        omega_[base + m] = omega_d * std::cos(angle);
        phase_[base + m] = two_pi * uniform(rng);
      }
    }
  }
}

void TdlChannel::prepare_phasor_steps() {
  // Phasor steps: [0] one time-domain block, [1] N + base CP, [2] N + longer first CP.
  const unsigned n_fft = numerology_.fft_size();
  const unsigned base_cp = numerology_.cp_length(1 % numerology_.slots_per_subframe(), 1);
  const unsigned long_cp = numerology_.cp_length(0, 0);
  step_samples_ = {block_length_, n_fft + base_cp, n_fft + long_cp};
  const std::size_t sinusoids = omega_.size();
  phasor_step_.resize(step_samples_.size() * sinusoids);
  for (std::size_t kind = 0; kind < step_samples_.size(); ++kind) {
    const double dt = step_samples_[kind] / sample_rate_hz_;
    for (std::size_t i = 0; i < sinusoids; ++i) {
      phasor_step_[kind * sinusoids + i] = omega_[i] == 0.0 ? 1.0 : std::polar(1.0, omega_[i] * dt);
    }
  }
  set_phasors(0.0);
}

void TdlChannel::set_phasors(double time_s) {
  for (std::size_t i = 0; i < phasor_.size(); ++i) {
    phasor_[i] = std::polar(1.0, std::fmod(omega_[i] * time_s + phase_[i], two_pi));
  }
}

void TdlChannel::step_phasors(unsigned step_samples) {
  const std::size_t sinusoids = phasor_.size();
  for (std::size_t kind = 0; kind < step_samples_.size(); ++kind) {
    if (step_samples_[kind] == step_samples) {
      const std::complex<double>* step = phasor_step_.data() + kind * sinusoids;
      for (std::size_t i = 0; i < sinusoids; ++i) {
        phasor_[i] *= step[i];
      }
      return;
    }
  }
  throw std::logic_error("TdlChannel: no phasor step of " + std::to_string(step_samples) +
                         " samples");
}

void TdlChannel::combine_gains(const std::complex<double>* phasors, std::complex<double> scale,
                               std::complex<double>* raw, std::complex<double>* scratch,
                               std::complex<double>* out) const {
  const double rayleigh_scale = 1.0 / std::sqrt(static_cast<double>(num_sinusoids_));
  for (unsigned n = 0; n < num_taps_; ++n) {
    for (unsigned p = 0; p < num_pairs_; ++p) {
      const std::size_t first = (std::size_t{n} * num_pairs_ + p) * num_sinusoids_;
      const std::complex<double>* s = phasors + first;
      std::complex<double> sum;
      if (amplitude_.empty()) { // Jakes sinusoids: unit amplitudes
        sum = s[0];
        if (tap_is_los_[n] == 0) {
          for (unsigned m = 1; m < num_sinusoids_; ++m) {
            sum += s[m];
          }
        }
      } else {
        const double* a = amplitude_.data() + first;
        sum = a[0] * s[0];
        if (tap_is_los_[n] == 0) {
          for (unsigned m = 1; m < num_sinusoids_; ++m) {
            sum += a[m] * s[m];
          }
        }
      }
      if (tap_is_los_[n] == 0) {
        sum *= rayleigh_scale;
      }
      raw[std::size_t{n} * num_pairs_ + p] = sum;
    }
    const std::complex<double> tap_scale = scale * tap_amplitudes_[n];
    std::complex<double>* tap_out = out + std::size_t{n} * num_pairs_;
    const std::complex<double>* tap_raw = raw + std::size_t{n} * num_pairs_;
    if (correlated_ && tap_is_los_[n] == 0) {
      correlate(tap_raw, rx_sqrt_, tx_sqrt_, config_.num_rx, config_.num_tx, tap_scale, scratch,
                tap_out);
    } else {
      for (unsigned p = 0; p < num_pairs_; ++p) {
        tap_out[p] = tap_scale * tap_raw[p];
      }
    }
  }
}

void TdlChannel::tap_gains(double time_s, std::span<std::complex<double>> gains) const {
  const std::size_t count = std::size_t{num_taps_} * num_pairs_;
  if (gains.size() != count) {
    invalid("tap_gains needs " + std::to_string(count) + " values");
  }
  std::vector<std::complex<double>> phasors(phasor_.size());
  for (std::size_t i = 0; i < phasors.size(); ++i) {
    phasors[i] = std::polar(1.0, std::fmod(omega_[i] * time_s + phase_[i], two_pi));
  }
  std::vector<std::complex<double>> raw(count);
  std::vector<std::complex<double>> scratch(num_pairs_);
  combine_gains(phasors.data(), 1.0, raw.data(), scratch.data(), gains.data());
}

} // namespace airan::phy
