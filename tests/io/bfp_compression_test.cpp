#include "airan/io/bfp_compression.h"

#include "../support/allocation_counter.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::io;
using airan::phy::cf32;
using Bytes = std::vector<std::uint8_t>;
using Values = std::vector<std::int16_t>;

constexpr IqCompression bfp(unsigned width) {
  return {CompressionMethod::block_floating_point, static_cast<std::uint8_t>(width)};
}
constexpr IqCompression uncompressed{CompressionMethod::none, 16};

Bytes compress(const IqCompressor& compressor, const Values& iq, const IqCompression& c) {
  Bytes out(iq.size() / iq_values_per_prb * *compressed_prb_size(c));
  compressor.compress(iq, c, out);
  return out;
}

Values decompress(const IqCompressor& compressor, const Bytes& in, const IqCompression& c) {
  Values iq(in.size() / *compressed_prb_size(c) * iq_values_per_prb);
  compressor.decompress(in, c, iq);
  return iq;
}

// One PRB at 9 bits, worked out by hand. The widest value is 4095 (and -4096, whose
// "-v - 1" is 4095): 12 bits + sign = 13, so e = 13 - 9 = 4 and each mantissa is
// (v + 8) >> 4, at most 255.
const Values hand_prb = {1000, -1000, 255, -256, 0, 1, -1, 511, 512, -513, 4095, -4096,
                         3,    2,     0,   0,    0, 0, 0,  0,   0,   0,    0,    0};
const Bytes hand_prb_9bit = {
    0x04, // reserved 0000, exponent 4
    // Mantissas, 9 bits each (62.5 rounds half up to 63, -62.5 to -62):
    // 1000 -> 63 000111111, -1000 -> -62 111000010,
    // 255 -> 16 000010000, -256 -> -16 111110000, 0 / 1 / -1 -> 0 000000000 (x3),
    // 511 -> 32 000100000, 512 -> 32 000100000, -513 -> -32 111100000 (-32.06),
    // 4095 -> 256 saturated to 255 011111111,
    // -4096 -> -256 100000000, then twelve 0 (3, 2 round to 0).
    0x1F, 0xF0, 0x82, 0x1F, 0x00, 0x00, 0x00, 0x00, 0x20, // values 0..7
    0x10, 0x78, 0x1F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, // values 8..15
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // values 16..23
};
// mantissa << 4.
const Values hand_prb_decompressed = {1008, -992, 256, -256, 0, 0, 0, 512, 512, -512, 4080, -4096,
                                      0,    0,    0,   0,    0, 0, 0, 0,   0,   0,    0,    0};

TEST(BfpCompression, HandWorkedPrbAt9Bits) {
  EXPECT_EQ(bfp_exponent(std::span<const std::int16_t, 24>(hand_prb.data(), 24), 9), 4U);
  for (const BfpImpl impl : bfp_supported_impls()) {
    const auto compressor = create_iq_compressor(impl);
    EXPECT_EQ(compress(*compressor, hand_prb, bfp(9)), hand_prb_9bit) << to_string(impl);
    EXPECT_EQ(decompress(*compressor, hand_prb_9bit, bfp(9)), hand_prb_decompressed)
        << to_string(impl);
  }
}

TEST(BfpCompression, ExponentSelection) {
  const auto exponent = [](std::int16_t widest, unsigned width) {
    std::array<std::int16_t, 24> prb{};
    prb[17] = widest;
    return bfp_exponent(prb, width);
  };
  for (unsigned width = 1; width <= 16; ++width) {
    EXPECT_EQ(exponent(0, width), 0U) << width;
    EXPECT_EQ(exponent(-1, width), 0U) << width; // -1 needs 1 bit
    EXPECT_EQ(exponent(32767, width), 16 - width) << width;
    EXPECT_EQ(exponent(-32768, width), 16 - width) << width;
  }
  EXPECT_EQ(exponent(255, 9), 0U); // 9 bits: -256..255
  EXPECT_EQ(exponent(-256, 9), 0U);
  EXPECT_EQ(exponent(256, 9), 1U);
  EXPECT_EQ(exponent(-257, 9), 1U);
  EXPECT_EQ(exponent(1, 1), 1U);    // 1 bit holds only -1 and 0
  EXPECT_EQ(exponent(2047, 8), 4U); // 12 bits
  EXPECT_EQ(exponent(2048, 8), 5U);
  EXPECT_THROW(exponent(0, 0), std::invalid_argument);
  EXPECT_THROW(exponent(0, 17), std::invalid_argument);
}

TEST(BfpCompression, EdgeValuesRoundTripExactlyAtTheirExponent) {
  const auto compressor = create_iq_compressor(BfpImpl::scalar);
  for (unsigned width : {8U, 9U, 12U, 14U, 16U}) {
    // Zeros stay zero with exponent 0.
    const Values zeros(24, 0);
    const Bytes z = compress(*compressor, zeros, bfp(width));
    EXPECT_EQ(z[0], 0);
    EXPECT_EQ(decompress(*compressor, z, bfp(width)), zeros);
    // Full scale: -32768 is exact, 32767 saturates to the top mantissa.
    Values extremes(24);
    for (std::size_t i = 0; i < 24; ++i) {
      extremes[i] = i % 2 == 0 ? 32767 : -32768;
    }
    const Values back =
        decompress(*compressor, compress(*compressor, extremes, bfp(width)), bfp(width));
    const int step = 1 << (16 - width);
    for (std::size_t i = 0; i < 24; ++i) {
      EXPECT_EQ(back[i], i % 2 == 0 ? 32768 - step : -32768) << width << " " << i;
    }
  }
  // 16 bits is lossless.
  std::mt19937 rng(3);
  Values random(std::size_t{24} * 50);
  for (auto& v : random) {
    v = static_cast<std::int16_t>(rng());
  }
  EXPECT_EQ(decompress(*compressor, compress(*compressor, random, bfp(16)), bfp(16)), random);
  EXPECT_EQ(decompress(*compressor, compress(*compressor, random, uncompressed), uncompressed),
            random);
}

TEST(BfpCompression, UncompressedIsBigEndian16Bit) {
  const auto compressor = create_iq_compressor(BfpImpl::scalar);
  Values iq(24, 0);
  iq[0] = 0x1234;
  iq[1] = -2; // 0xFFFE
  const Bytes bytes = compress(*compressor, iq, uncompressed);
  ASSERT_EQ(bytes.size(), 48U);
  EXPECT_EQ(Bytes(bytes.begin(), bytes.begin() + 4), (Bytes{0x12, 0x34, 0xFF, 0xFE}));
}

TEST(BfpCompression, FloatFullScaleMapping) {
  const auto compressor = create_iq_compressor(BfpImpl::scalar);
  std::vector<cf32> re(12, cf32(0.0F, 0.0F));
  re[0] = {0.5F, -0.25F};
  re[1] = {2.0F, -2.0F}; // beyond full scale: saturates
  re[2] = {std::numeric_limits<float>::quiet_NaN(), 1.0F / 65536.0F};
  Bytes bytes(48);
  compressor->compress(re, uncompressed, 1.0F, bytes);
  // 0.5 -> 16384 (0x4000), -0.25 -> -8192 (0xE000), 2 -> 32767, -2 -> -32768,
  // NaN -> 32767, 2^-16 -> 0.5 rounds to even 0.
  EXPECT_EQ(Bytes(bytes.begin(), bytes.begin() + 12),
            (Bytes{0x40, 0x00, 0xE0, 0x00, 0x7F, 0xFF, 0x80, 0x00, 0x7F, 0xFF, 0x00, 0x00}));
  compressor->compress(re, uncompressed, 2.0F, bytes);
  EXPECT_EQ(Bytes(bytes.begin(), bytes.begin() + 2), (Bytes{0x20, 0x00})); // 0.5 of 2 -> 8192
  std::vector<cf32> back(12);
  compressor->decompress(bytes, uncompressed, 2.0F, back);
  EXPECT_EQ(back[0], cf32(0.5F, -0.25F));
}

TEST(BfpCompression, RejectsUnsupportedCompressionAndSizeMismatches) {
  const auto compressor = create_iq_compressor();
  Values iq(24);
  Bytes out(28);
  EXPECT_THROW(compressor->compress(iq, {CompressionMethod::none, 9}, out), std::invalid_argument);
  EXPECT_THROW(compressor->compress(iq, {CompressionMethod::mu_law, 9}, out),
               std::invalid_argument);
  EXPECT_THROW(compressor->compress(iq, bfp(0), out), std::invalid_argument);
  EXPECT_THROW(compressor->compress(iq, bfp(17), out), std::invalid_argument);
  EXPECT_THROW(compressor->compress(iq, bfp(8), out), std::invalid_argument); // 25 bytes
  Values odd(23);
  EXPECT_THROW(compressor->compress(odd, bfp(9), out), std::invalid_argument);
  EXPECT_NO_THROW(compressor->compress(iq, bfp(9), out));
  std::vector<cf32> re(12);
  EXPECT_THROW(compressor->compress(re, bfp(9), 0.0F, out), std::invalid_argument);
  EXPECT_THROW(compressor->decompress(out, bfp(9), -1.0F, re), std::invalid_argument);
  EXPECT_THROW(compressor->decompress(out, bfp(9), std::numeric_limits<float>::infinity(), re),
               std::invalid_argument);
  // Below 2^-60 the scales stop being normal floats: at 1e-36, 32768 / full_scale was infinite
  // and a zero PRB was sent as full scale (0 * inf = NaN, clamped).
  EXPECT_THROW(compressor->compress(re, bfp(9), 1e-36F, out), std::invalid_argument);
  EXPECT_THROW(compressor->compress(re, bfp(9), std::numeric_limits<float>::denorm_min(), out),
               std::invalid_argument);
  EXPECT_THROW(compressor->decompress(out, bfp(9), 1e30F, re), std::invalid_argument);
  EXPECT_NO_THROW(compressor->compress(re, bfp(9), iq_full_scale_min, out));
  EXPECT_NO_THROW(compressor->decompress(out, bfp(9), iq_full_scale_max, re));
  // Empty input is zero PRBs.
  EXPECT_NO_THROW(compressor->compress(std::span<const std::int16_t>(), bfp(9), {}));
}

// Round-trip SNR against a derived figure. Test signal: each PRB's 24 values are uniform in
// [-A, A] with A = 0.75 * 2^(w - 1 + e) (int16 units, e drawn per PRB from 0..16-w), so the
// PRB's widest value lies in [2^(w-2+e), 2^(w-1+e)) and the compressor picks exponent e
// (unless all 24 values fall below 2/3 A: probability (2/3)^24 ~ 6e-5). The quantisation step
// is then D = 2^e, the error uniform with power D^2/12 and the signal power A^2/3, so
//   SNR = (A^2/3) / (D^2/12) = 4 * 0.75^2 * 4^(w-1) = 0.5625 * 4^w
//       = 6.02 w - 2.50 dB,
// the same for every PRB whatever its level (block floating point keeps the SNR per PRB).
// For w = 16 (e = 0) the error is the float -> int16 rounding, D = 1: the same formula.
TEST(BfpCompression, RoundTripSnrMatchesTheMantissaWidth) {
  std::mt19937 rng(11);
  const std::size_t num_prbs = 4000;
  for (const BfpImpl impl : bfp_supported_impls()) {
    const auto compressor = create_iq_compressor(impl);
    for (const unsigned width : {8U, 9U, 12U, 14U, 16U}) {
      std::vector<cf32> re(12 * num_prbs);
      std::uniform_int_distribution<unsigned> exponent(0, 16 - width);
      std::uniform_real_distribution<float> unit(-1.0F, 1.0F);
      for (std::size_t p = 0; p < num_prbs; ++p) {
        const float amplitude =
            0.75F * std::ldexp(1.0F, static_cast<int>(width - 1 + exponent(rng))) / 32768.0F;
        for (std::size_t k = 0; k < 12; ++k) {
          re[12 * p + k] = {amplitude * unit(rng), amplitude * unit(rng)};
        }
      }
      const std::vector<IqCompression> methods =
          width == 16 ? std::vector{bfp(16), uncompressed} : std::vector{bfp(width)};
      for (const IqCompression& method : methods) {
        Bytes bytes(num_prbs * *compressed_prb_size(method));
        std::vector<cf32> back(re.size());
        compressor->compress(re, method, 1.0F, bytes);
        compressor->decompress(bytes, method, 1.0F, back);
        double signal = 0.0;
        double error = 0.0;
        for (std::size_t i = 0; i < re.size(); ++i) {
          signal += std::norm(std::complex<double>(re[i]));
          error += std::norm(std::complex<double>(re[i]) - std::complex<double>(back[i]));
        }
        const double snr_db = 10.0 * std::log10(signal / error);
        const double expected_db = 20.0 * std::log10(2.0) * width + 10.0 * std::log10(0.5625);
        std::printf(
            "%s %s width %2u: SNR %.2f dB, derived %.2f dB\n", std::string(to_string(impl)).c_str(),
            method.method == CompressionMethod::none ? "none" : "BFP ", width, snr_db, expected_db);
        EXPECT_NEAR(snr_db, expected_db, 0.5) << to_string(impl) << " width " << width << " method "
                                              << static_cast<int>(method.method);
      }
    }
  }
}

TEST(BfpCompression, ImplementationsAndNames) {
  const auto impls = bfp_supported_impls();
  ASSERT_FALSE(impls.empty());
  EXPECT_EQ(impls.front(), BfpImpl::scalar);
  EXPECT_EQ(create_iq_compressor(BfpImpl::scalar)->impl(), BfpImpl::scalar);
  EXPECT_NE(create_iq_compressor(BfpImpl::automatic)->impl(), BfpImpl::automatic);
  EXPECT_EQ(to_string(BfpImpl::avx512), "avx512");
  if (!bfp_impl_supported(BfpImpl::avx512)) {
    EXPECT_THROW(create_iq_compressor(BfpImpl::avx512), std::invalid_argument);
  }
}

TEST(BfpCompression, AllocatesNothing) {
  const auto compressor = create_iq_compressor();
  Values iq(std::size_t{24} * 273, 100);
  Bytes out(std::size_t{28} * 273);
  std::vector<cf32> re(std::size_t{12} * 273, cf32(0.1F, -0.1F));
  const long before = airan::test::allocation_count();
  compressor->compress(iq, bfp(9), out);
  compressor->decompress(out, bfp(9), iq);
  compressor->compress(re, bfp(9), 1.0F, out);
  compressor->decompress(out, bfp(9), 1.0F, re);
  EXPECT_EQ(airan::test::allocation_count(), before);
}

} // namespace
