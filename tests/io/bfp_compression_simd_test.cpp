// Every SIMD implementation of IqCompressor against the scalar reference, bit for bit: random
// and edge data, every width 1..16 (the SIMD code covers 8, 9, 12, 14 and 16 and hands the
// others to the scalar kernels), PRB counts that exercise the last-group handling, arbitrary
// compressed bytes, and guard bytes that must stay untouched.
#include "airan/io/bfp_compression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace {

using namespace airan::io;
using airan::phy::cf32;
using Bytes = std::vector<std::uint8_t>;
using Values = std::vector<std::int16_t>;

constexpr std::size_t guard = 64;
constexpr std::uint8_t guard_byte = 0xA5;

/// Named input sets of num_prbs PRBs.
std::vector<std::pair<std::string, Values>> int_inputs(std::size_t num_prbs) {
  std::mt19937 rng(num_prbs);
  std::vector<std::pair<std::string, Values>> inputs;
  Values full(24 * num_prbs);
  for (auto& v : full) {
    v = static_cast<std::int16_t>(rng());
  }
  inputs.emplace_back("full-range random", full);
  Values levels(24 * num_prbs);
  for (std::size_t p = 0; p < num_prbs; ++p) {
    const int bits = static_cast<int>(rng() % 16);
    for (std::size_t i = 0; i < 24; ++i) {
      levels[24 * p + i] =
          static_cast<std::int16_t>(static_cast<int>(rng() % (2U << bits)) - (1 << bits));
    }
  }
  inputs.emplace_back("random level per PRB", levels);
  inputs.emplace_back("zeros", Values(24 * num_prbs, 0));
  inputs.emplace_back("max", Values(24 * num_prbs, 32767));
  inputs.emplace_back("min", Values(24 * num_prbs, -32768));
  Values alternating(24 * num_prbs);
  for (std::size_t i = 0; i < alternating.size(); ++i) {
    alternating[i] = static_cast<std::int16_t>(i % 3 == 0 ? 32767 : (i % 3 == 1 ? -32768 : -1));
  }
  inputs.emplace_back("alternating extremes", alternating);
  // Values on rounding ties and exponent boundaries: +-2^k, +-(2^k - 1), +-(2^k + 2^(k-1)).
  Values boundaries(24 * num_prbs);
  for (std::size_t i = 0; i < boundaries.size(); ++i) {
    const int k = static_cast<int>(i % 15) + 1;
    const int base =
        (1 << k) - static_cast<int>(i / 15 % 3 == 0) + (i / 15 % 3 == 2 ? (1 << (k - 1)) : 0);
    boundaries[i] = static_cast<std::int16_t>(std::clamp(i % 2 == 0 ? base : -base, -32768, 32767));
  }
  inputs.emplace_back("boundaries", boundaries);
  return inputs;
}

class BfpSimdTest : public ::testing::TestWithParam<BfpImpl> {};

TEST_P(BfpSimdTest, Int16MatchesScalarForEveryWidth) {
  const auto scalar = create_iq_compressor(BfpImpl::scalar);
  const auto simd = create_iq_compressor(GetParam());
  for (const std::size_t num_prbs : {1U, 2U, 3U, 7U, 273U}) {
    for (const auto& [name, iq] : int_inputs(num_prbs)) {
      for (unsigned width = 1; width <= 16; ++width) {
        const IqCompression c{CompressionMethod::block_floating_point,
                              static_cast<std::uint8_t>(width)};
        const std::size_t size = num_prbs * bfp_prb_size(width);
        Bytes expected(size + guard, guard_byte);
        Bytes actual(size + guard, guard_byte);
        scalar->compress(iq, c, std::span(expected).first(size));
        simd->compress(iq, c, std::span(actual).first(size));
        ASSERT_EQ(actual, expected) << name << " width " << width << " PRBs " << num_prbs;
        Values back_expected(iq.size() + guard, 7);
        Values back_actual(iq.size() + guard, 7);
        scalar->decompress(std::span(expected).first(size), c,
                           std::span(back_expected).first(iq.size()));
        simd->decompress(std::span(actual).first(size), c, std::span(back_actual).first(iq.size()));
        ASSERT_EQ(back_actual, back_expected) << name << " width " << width;
      }
      const IqCompression none{CompressionMethod::none, 16};
      Bytes expected(num_prbs * 48);
      Bytes actual(num_prbs * 48);
      scalar->compress(iq, none, expected);
      simd->compress(iq, none, actual);
      ASSERT_EQ(actual, expected) << name;
      Values back(iq.size());
      simd->decompress(actual, none, back);
      ASSERT_EQ(back, iq) << name;
    }
  }
}

TEST_P(BfpSimdTest, FloatMatchesScalarIncludingNonFiniteValues) {
  const auto scalar = create_iq_compressor(BfpImpl::scalar);
  const auto simd = create_iq_compressor(GetParam());
  std::mt19937 rng(5);
  std::normal_distribution<float> gauss(0.0F, 0.2F);
  for (const std::size_t num_prbs : {1U, 5U, 273U}) {
    std::vector<cf32> re(12 * num_prbs);
    for (auto& x : re) {
      x = {gauss(rng), gauss(rng)};
    }
    // Saturation, rounding ties, NaN and infinities.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const float tie = 0.5F / 32768.0F;
    const cf32 specials[] = {{1.5F, -1.5F},       {nan, -nan},     {inf, -inf},      {tie, -tie},
                             {3 * tie, -3 * tie}, {1e30F, -1e30F}, {0.99999F, -1.0F}};
    for (std::size_t i = 0; i < std::size(specials) && i < re.size(); ++i) {
      re[(i * 7) % re.size()] = specials[i];
    }
    for (const float full_scale : {1.0F, 0.37F, 4.0F}) {
      for (const unsigned width : {1U, 8U, 9U, 11U, 12U, 14U, 16U}) {
        const IqCompression c{CompressionMethod::block_floating_point,
                              static_cast<std::uint8_t>(width)};
        Bytes expected(num_prbs * bfp_prb_size(width));
        Bytes actual(expected.size());
        scalar->compress(re, c, full_scale, expected);
        simd->compress(re, c, full_scale, actual);
        ASSERT_EQ(actual, expected) << "width " << width << " full scale " << full_scale;
        std::vector<cf32> back_expected(re.size());
        std::vector<cf32> back_actual(re.size());
        scalar->decompress(expected, c, full_scale, back_expected);
        simd->decompress(actual, c, full_scale, back_actual);
        ASSERT_EQ(back_actual, back_expected) << "width " << width;
      }
      const IqCompression none{CompressionMethod::none, 16};
      Bytes expected(num_prbs * 48);
      Bytes actual(expected.size());
      scalar->compress(re, none, full_scale, expected);
      simd->compress(re, none, full_scale, actual);
      ASSERT_EQ(actual, expected);
      std::vector<cf32> back_expected(re.size());
      std::vector<cf32> back_actual(re.size());
      scalar->decompress(expected, none, full_scale, back_expected);
      simd->decompress(actual, none, full_scale, back_actual);
      ASSERT_EQ(back_actual, back_expected);
    }
  }
}

TEST_P(BfpSimdTest, ArbitraryCompressedBytesDecompressLikeScalar) {
  // Foreign compressors: any exponent (reserved nibble set too), any mantissa pattern; the int16
  // results saturate, the float ones do not.
  const auto scalar = create_iq_compressor(BfpImpl::scalar);
  const auto simd = create_iq_compressor(GetParam());
  std::mt19937 rng(9);
  for (unsigned width = 1; width <= 16; ++width) {
    const IqCompression c{CompressionMethod::block_floating_point,
                          static_cast<std::uint8_t>(width)};
    const std::size_t num_prbs = 31;
    Bytes bytes(num_prbs * bfp_prb_size(width));
    for (auto& b : bytes) {
      b = static_cast<std::uint8_t>(rng());
    }
    Values expected(24 * num_prbs);
    Values actual(expected.size());
    scalar->decompress(bytes, c, expected);
    simd->decompress(bytes, c, actual);
    ASSERT_EQ(actual, expected) << "width " << width;
    std::vector<cf32> fexpected(12 * num_prbs);
    std::vector<cf32> factual(fexpected.size());
    scalar->decompress(bytes, c, 1.0F, fexpected);
    simd->decompress(bytes, c, 1.0F, factual);
    ASSERT_EQ(factual, fexpected) << "width " << width;
  }
}

std::vector<BfpImpl> simd_impls() {
  std::vector<BfpImpl> impls;
  for (const BfpImpl impl : bfp_supported_impls()) {
    if (impl != BfpImpl::scalar) {
      impls.push_back(impl);
    }
  }
  return impls;
}

INSTANTIATE_TEST_SUITE_P(Supported, BfpSimdTest, ::testing::ValuesIn(simd_impls()),
                         [](const auto& info) { return std::string(to_string(info.param)); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BfpSimdTest);

} // namespace
