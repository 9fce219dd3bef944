#include "airan/phy/awgn.h"

#include <cmath>
#include <stdexcept>

namespace airan::phy {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

void check_variance(float noise_variance) {
  if (!(noise_variance >= 0.0F) || !std::isfinite(noise_variance)) {
    throw std::invalid_argument("AWGN: the noise variance must be finite and non-negative");
  }
}

} // namespace

AwgnGenerator::AwgnGenerator(std::uint64_t seed) {
  reseed(seed);
}

void AwgnGenerator::reseed(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& word : state_) {
    word = splitmix64(x);
  }
}

std::uint64_t AwgnGenerator::next_bits() {
  // xoshiro256** (Blackman and Vigna).
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double AwgnGenerator::next_uniform() {
  return static_cast<double>(next_bits() >> 11) * 0x1.0p-53;
}

void AwgnGenerator::add(std::span<cf32> samples, float noise_variance) {
  check_variance(noise_variance);
  if (noise_variance == 0.0F) {
    return;
  }
  constexpr float two_pi = 6.28318530717958648F;
  for (cf32& sample : samples) {
    // One 64-bit draw gives both uniforms: 24 bits each. u1 in (0, 1] keeps the log finite.
    const std::uint64_t bits = next_bits();
    const float u1 = (static_cast<float>(bits >> 40) + 1.0F) * 0x1.0p-24F;
    const float u2 = static_cast<float>((bits >> 16) & 0xFFFFFFU) * 0x1.0p-24F;
    const float radius = std::sqrt(-noise_variance * std::log(u1));
    const float angle = two_pi * u2;
    sample += cf32(radius * std::cos(angle), radius * std::sin(angle));
  }
}

void AwgnGenerator::add(ResourceGrid& grid, float noise_variance) {
  add(grid.elements(), noise_variance);
}

} // namespace airan::phy
