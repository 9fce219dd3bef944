/// \file
/// \brief Oscillator phase noise as a Wiener process (a free-running oscillator, Lorentzian
/// spectrum) on a sample grid, for the channel models (tdl_channel.h).
///
/// phi(n + 1) = phi(n) + w(n) with independent w(n) ~ N(0, sigma^2), sigma^2 = 2 pi B / fs,
/// where B is the 3 dB linewidth (full width at half maximum) of the Lorentzian spectrum of
/// exp(j phi): S(f) = (B / (2 pi)) / ((B / 2)^2 + f^2). The phase moves by a variance of
/// 2 pi B tau over tau seconds, and E[exp(j (phi(t + tau) - phi(t)))] = exp(-pi B |tau|).
///
/// The process lives on absolute sample indices n counted from the realisation's time 0, where
/// phi(0) = 0. Samples come out in order (generate(), mean_phasor(), advance()); seek() moves to
/// another index: forward by one Gaussian draw of variance gap * sigma^2 (the exact distribution
/// of the skipped increments), back to the index of the previous seek by replaying the values
/// from there (a slot's true response and its received signal see the same process), further
/// back by restarting from phi(0) = 0. Everything is deterministic given the seed and the
/// sequence of calls. Allocates nothing.
#pragma once

#include "airan/phy/awgn.h"

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::phy {

/// Wiener phase-noise process of one oscillator (see the file comment).
class WienerPhaseNoise {
public:
  /// No phase noise: enabled() is false, every phasor 1.
  WienerPhaseNoise() = default;
  /// \param linewidth_hz   3 dB linewidth B (0: no phase noise).
  /// \param sample_rate_hz fs of the sample grid.
  /// \param seed           Realisation; the increments come from a stream of their own (the
  ///                       xoshiro256** of AwgnGenerator, seeded with the seed xor a constant),
  ///                       not the one a channel's fading draws from.
  /// \throws std::invalid_argument for a negative or non-finite linewidth or a sample rate that is
  /// not positive and finite.
  WienerPhaseNoise(double linewidth_hz, double sample_rate_hz, std::uint64_t seed);

  /// New realisation from \p seed: phi(0) = 0 at sample 0, the replay point forgotten.
  void reseed(std::uint64_t seed);

  /// Whether the linewidth is above 0.
  [[nodiscard]] bool enabled() const { return increment_variance_ > 0.0; }
  /// The linewidth B in Hz.
  [[nodiscard]] double linewidth_hz() const { return linewidth_hz_; }
  /// sigma^2 = 2 pi B / fs, the variance of one sample's phase increment (rad^2).
  [[nodiscard]] double increment_variance() const { return increment_variance_; }
  /// Index of the next sample generate() or mean_phasor() produces.
  [[nodiscard]] std::int64_t position() const { return state_.position; }
  /// phi(position()) in radians (unwrapped).
  [[nodiscard]] double phase() const { return state_.phase; }

  /// Moves to sample \p sample (see the file comment) and makes it the replay point.
  void seek(std::int64_t sample);
  /// out[i] = exp(j phi(position() + i)); advances by out.size() samples.
  void generate(std::span<std::complex<float>> out);
  /// Mean of exp(j phi(n)) over the next \p count samples (1 when \p count is 0); advances by
  /// \p count samples.
  std::complex<double> mean_phasor(std::size_t count);
  /// Advances by \p count samples, drawing their increments.
  void advance(std::size_t count);

private:
  struct State {
    AwgnGenerator rng{0}; ///< Its uniforms only (fast, 32 bytes of state to copy).
    std::int64_t position = 0;
    double phase = 0.0;
    std::complex<double> phasor = 1.0; ///< exp(j phase), kept by small-angle steps.
    unsigned steps_since_sync = 0;     ///< Steps since phasor was set from phase exactly.
    double spare = 0.0;                ///< Second normal of the last polar-method draw.
    bool has_spare = false;
  };

  /// One N(0, 1) value (Marsaglia's polar method on 53-bit uniforms).
  double normal();
  /// Returns exp(j phi(position)) and steps to position + 1.
  std::complex<double> step();
  void restart(std::int64_t sample);

  double linewidth_hz_ = 0.0;
  double increment_variance_ = 0.0;
  double increment_deviation_ = 0.0;
  std::uint64_t stream_seed_ = 0;
  State state_;
  State replay_;
  bool has_replay_ = false;
};

} // namespace airan::phy
