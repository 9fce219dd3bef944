/// \file
/// \brief Deterministic complex white Gaussian noise.
///
/// A small counter-free generator (xoshiro256** seeded through splitmix64) feeds a Box-Muller
/// transform: each complex sample is sqrt(-v ln u1) e^{j 2 pi u2}, i.e. CN(0, v). The sequence
/// depends only on the seed, not on the thread count or on the standard library's distribution
/// implementations (std::normal_distribution differs between libstdc++ and libc++). liquid-dsp's
/// randnf() is not used because it draws from the process-wide rand() state, which neither
/// reproduces per slot nor is safe across threads. Use one generator per thread (or per slot
/// seed).
#pragma once

#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <array>
#include <cstdint>
#include <span>

namespace airan::phy {

/// Adds complex white Gaussian noise; one object per thread. Not thread-safe.
class AwgnGenerator {
public:
  /// Generator whose sequence is a function of \p seed only.
  explicit AwgnGenerator(std::uint64_t seed);

  /// Restarts the sequence from \p seed.
  void reseed(std::uint64_t seed);

  /// Adds CN(0, noise_variance) to every sample: noise_variance is the variance of the complex
  /// sample (noise_variance / 2 per real component). A variance of 0 changes neither the samples
  /// nor the generator's state.
  /// \throws std::invalid_argument for a negative or non-finite variance.
  void add(std::span<cf32> samples, float noise_variance);

  /// Adds CN(0, noise_variance) to every port, symbol and subcarrier of the grid's current shape.
  /// \throws std::invalid_argument for a negative or non-finite variance.
  void add(ResourceGrid& grid, float noise_variance);

  /// Next uniform value in [0, 1) with 53 random bits (exposed for tests and other seeded users).
  double next_uniform();

private:
  std::uint64_t next_bits();
  std::array<std::uint64_t, 4> state_{};
};

} // namespace airan::phy
