// The AVX2 soft demapper (square QAM, eight symbols per step) gives bit for bit the LLRs of the
// scalar code (demodulate_soft(), and the demapper created with simd = false) for QPSK to
// 1024-QAM, every symbol count from 0 to 37 and a large one, with symbols inside, on the interval
// boundaries of and far outside the constellation (signed zeros, tiny, huge, infinite and NaN
// values) and noise variances from zero and tiny to huge. On a CPU without AVX2 it is skipped.
#include "airan/phy/soft_demapper.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

constexpr Modulation square_qam[] = {Modulation::qpsk, Modulation::qam16, Modulation::qam64,
                                     Modulation::qam256, Modulation::qam1024};

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

/// One axis sample: a constellation level with a little noise, an interval boundary (or its
/// float neighbours), a signed zero, a tiny, huge, infinite or NaN value, or anything in between.
float random_sample(std::mt19937& rng, unsigned qm) {
  const float scale = qam_scale(qm);
  const int levels = 1 << (qm / 2);
  std::uniform_int_distribution<int> kind(0, 7);
  std::uniform_int_distribution<int> level(-2, levels + 1);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::uniform_real_distribution<float> uniform(-3.0F, 3.0F);
  constexpr float huge[] = {1e10F,
                            -1e10F,
                            3e9F,
                            -1e30F,
                            std::numeric_limits<float>::max(),
                            -std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN()};
  constexpr float tiny[] = {0.0F, -0.0F, 1e-40F, -1e-40F, 1e-20F, -1e-20F, 1e-7F};
  switch (kind(rng)) {
  case 0:
  case 1: // near a level
    return scale * static_cast<float>(2 * level(rng) - levels + 1) + 0.05F * scale * normal(rng);
  case 2: { // on a boundary between intervals: an even multiple of the scale
    const int half_levels = levels / 2; // exact: levels is a power of two
    const float boundary = 2.0F * scale * static_cast<float>(level(rng) - half_levels);
    const int side = std::uniform_int_distribution<int>(-1, 1)(rng);
    return side == 0 ? boundary : std::nextafter(boundary, side * 10.0F);
  }
  case 3:
    return huge[std::uniform_int_distribution<std::size_t>(0, std::size(huge) - 1)(rng)];
  case 4:
    return tiny[std::uniform_int_distribution<std::size_t>(0, std::size(tiny) - 1)(rng)];
  default: // inside and around the constellation
    return uniform(rng);
  }
}

/// A noise variance: typical, zero, tiny (around the demapper's floor), huge, infinite or NaN.
float random_variance(std::mt19937& rng) {
  // const, not constexpr: std::nextafter is constexpr only as a GCC extension (not for clang).
  const float special[] = {0.0F,
                           -0.0F,
                           min_demapper_noise_variance,
                           std::nextafter(min_demapper_noise_variance, 1.0F),
                           1e-30F,
                           1e-40F,
                           -1.0F,
                           1e30F,
                           std::numeric_limits<float>::max(),
                           std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN()};
  if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
    return special[std::uniform_int_distribution<std::size_t>(0, std::size(special) - 1)(rng)];
  }
  return std::uniform_real_distribution<float>(1e-4F, 2.0F)(rng);
}

/// Compares the AVX2 demapper with the scalar code on \p num_symbols random symbols; \p shift
/// offsets the spans by one element (unaligned data).
void expect_bit_exact(Modulation modulation, std::size_t num_symbols, std::size_t shift,
                      std::mt19937& rng) {
  const unsigned qm = bits_per_symbol(modulation);
  std::vector<cf32> symbols(num_symbols + shift);
  std::vector<float> variances(num_symbols + shift);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    symbols[i] = {random_sample(rng, qm), random_sample(rng, qm)};
    variances[i] = random_variance(rng);
  }
  const std::span<const cf32> in = std::span<const cf32>(symbols).subspan(shift);
  const std::span<const float> noise = std::span<const float>(variances).subspan(shift);
  // Poisoned outputs: every LLR must be written.
  std::vector<float> reference(num_symbols * qm + shift, 12345.0F);
  std::vector<float> scalar(num_symbols * qm + shift, -777.0F);
  std::vector<float> simd(num_symbols * qm + shift, 999.0F);
  demodulate_soft(in, noise, modulation, std::span<float>(reference).subspan(shift));
  create_soft_demapper(false)->demodulate(in, noise, modulation,
                                          std::span<float>(scalar).subspan(shift));
  create_soft_demapper(true)->demodulate(in, noise, modulation,
                                         std::span<float>(simd).subspan(shift));
  const std::size_t bytes = num_symbols * qm * sizeof(float);
  // (No memcmp of empty vectors: their data() may be null, which memcmp does not allow.)
  ASSERT_TRUE(bytes == 0 ||
              std::memcmp(reference.data() + shift, scalar.data() + shift, bytes) == 0)
      << "scalar demapper, Q_m " << qm << ", " << num_symbols << " symbols";
  for (std::size_t i = 0; i < num_symbols * qm; ++i) {
    std::uint32_t want = 0;
    std::uint32_t got = 0;
    std::memcpy(&want, &reference[shift + i], sizeof(want));
    std::memcpy(&got, &simd[shift + i], sizeof(got));
    ASSERT_EQ(got, want) << "Q_m " << qm << ", " << num_symbols << " symbols, LLR " << i
                         << " (symbol " << i / qm << ", bit " << i % qm << "): " << simd[shift + i]
                         << " instead of " << reference[shift + i] << ", y = " << in[i / qm]
                         << ", variance " << noise[i / qm];
  }
  ASSERT_TRUE(bytes == 0 || std::memcmp(reference.data() + shift, simd.data() + shift, bytes) == 0);
}

TEST(SoftDemapperSimd, EqualsTheScalarCodeBitForBit) {
  if (!cpu_has_avx2()) {
    GTEST_SKIP() << "the CPU has no AVX2";
  }
  std::mt19937 rng(2024);
  for (const Modulation modulation : square_qam) {
    for (std::size_t n = 0; n <= 37; ++n) {
      for (std::size_t shift : {0U, 1U}) {
        expect_bit_exact(modulation, n, shift, rng);
      }
    }
    expect_bit_exact(modulation, 100003, 0, rng);
    expect_bit_exact(modulation, 4099, 1, rng);
  }
}

TEST(SoftDemapperSimd, EveryBoundaryAndLevelOfEveryConstellation) {
  if (!cpu_has_avx2()) {
    GTEST_SKIP() << "the CPU has no AVX2";
  }
  // A dense sweep across all intervals of each axis, with each symbol's own noise variance.
  for (const Modulation modulation : square_qam) {
    const unsigned qm = bits_per_symbol(modulation);
    const float scale = qam_scale(qm);
    const int levels = 1 << (qm / 2);
    std::vector<cf32> symbols;
    std::vector<float> variances;
    for (int k = -4 * levels - 8; k <= 4 * levels + 8; ++k) {
      const float y = 0.5F * scale * static_cast<float>(k); // boundaries, levels and between
      for (const float re : {y, std::nextafter(y, -10.0F), std::nextafter(y, 10.0F)}) {
        symbols.emplace_back(re, -y);
        variances.push_back(0.001F * static_cast<float>(symbols.size()));
      }
    }
    const std::size_t n = symbols.size();
    std::vector<float> reference(n * qm);
    std::vector<float> simd(n * qm);
    demodulate_soft(symbols, variances, modulation, reference);
    create_soft_demapper(true)->demodulate(symbols, variances, modulation, simd);
    EXPECT_EQ(std::memcmp(reference.data(), simd.data(), n * qm * sizeof(float)), 0)
        << "Q_m " << qm;
  }
}

TEST(SoftDemapperSimd, Pi2BpskAndSizeChecksAsTheScalarCode) {
  auto demapper = create_soft_demapper(true);
  std::vector<cf32> symbols(21, cf32(0.3F, -0.6F));
  std::vector<float> variances(21, 0.1F);
  std::vector<float> simd(21);
  std::vector<float> reference(21);
  demapper->demodulate(symbols, variances, Modulation::pi2_bpsk, simd);
  demodulate_soft(symbols, variances, Modulation::pi2_bpsk, reference);
  // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison): bit-exact check on purpose (-0, NaN)
  EXPECT_EQ(std::memcmp(reference.data(), simd.data(), 21 * sizeof(float)), 0);
  std::vector<float> short_llrs(std::size_t{21} * 4 - 1);
  EXPECT_THROW(demapper->demodulate(symbols, variances, Modulation::qam16, short_llrs),
               std::invalid_argument);
  std::vector<float> llrs(std::size_t{21} * 4);
  EXPECT_THROW(demapper->demodulate(symbols, std::vector<float>(20, 0.1F), Modulation::qam16, llrs),
               std::invalid_argument);
}

} // namespace
