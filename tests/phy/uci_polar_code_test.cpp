// Polar-coded UCI of 12 to 1706 bits (TS 38.212 6.3.2.2 to 6.3.2.5): the CRC, parity-check and
// segmentation layout, round trips through the encoder and the list decoder of every class
// (CRC6 with parity checks, CRC11, two segments with a filler bit, an odd E_UCI), noisy decoding,
// and CRC failures on noise and on damaged blocks.
#include "airan/phy/uci_polar_code.h"

#include "../support/allocation_counter.h"
#include "../support/noisy_llrs.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::noisy_llrs;
using airan::test::random_bits;

TEST(UciPolarCode, LayoutFollowsThePayloadAndTheCodedBits) {
  // 12..19 bits: CRC6 and three parity checks, the weighted one past E - K + 3 > 192.
  UciPolarLayout l = uci_polar_layout(12, 100);
  EXPECT_EQ(l.num_segments, 1U);
  EXPECT_EQ(l.crc_bits, 6U);
  EXPECT_EQ(l.block_bits, 18U);
  EXPECT_EQ(l.n_pc, 3U);
  EXPECT_EQ(l.n_pc_weight, 0U);
  EXPECT_EQ(uci_polar_layout(19, 300).n_pc_weight, 1U); // 300 - 25 + 3 > 192
  EXPECT_EQ(uci_polar_layout(19, 214).n_pc_weight, 0U); // 214 - 25 + 3 = 192
  // 20 bits and more: CRC11, no parity checks.
  l = uci_polar_layout(20, 100);
  EXPECT_EQ(l.crc_bits, 11U);
  EXPECT_EQ(l.block_bits, 31U);
  EXPECT_EQ(l.n_pc, 0U);
  // Two segments from 360 bits with E_UCI >= 1088, always from 1013 bits.
  EXPECT_EQ(uci_polar_layout(360, 1087).num_segments, 1U);
  l = uci_polar_layout(360, 1088);
  EXPECT_EQ(l.num_segments, 2U);
  EXPECT_EQ(l.block_bits, 180U + 11U);
  EXPECT_EQ(l.rate_matched, 544U);
  EXPECT_EQ(uci_polar_layout(1012, 1087).num_segments, 1U);
  l = uci_polar_layout(1013, 2101);
  EXPECT_EQ(l.num_segments, 2U);
  EXPECT_EQ(l.filler_bits, 1U); // A' = 1014
  EXPECT_EQ(l.block_bits, 507U + 11U);
  EXPECT_EQ(l.rate_matched, 1050U); // floor(2101 / 2)
}

TEST(UciPolarCode, TooFewCodedBitsAreRefusedWithAReason) {
  EXPECT_EQ(uci_polar_size_error(12, 21), "");
  EXPECT_NE(uci_polar_size_error(12, 20).find("at least 21"), std::string::npos);
  EXPECT_NE(uci_polar_size_error(11, 100).find("12 to 1706"), std::string::npos);
  EXPECT_NE(uci_polar_size_error(1707, 10000).find("12 to 1706"), std::string::npos);
  EXPECT_NE(uci_polar_size_error(1013, 1000).find("at least"), std::string::npos);
  BitVector payload(40, 0);
  BitVector coded(40);
  EXPECT_THROW(encode_uci_polar(payload, coded), std::invalid_argument);
}

TEST(UciPolarCode, EveryClassRoundTripsWithoutNoise) {
  std::mt19937_64 rng(23);
  UciPolarDecoder decoder;
  for (const auto& [a, e] :
       {std::pair{12U, 24U}, std::pair{12U, 400U}, std::pair{19U, 60U}, std::pair{20U, 36U},
        std::pair{37U, 64U}, std::pair{100U, 130U}, std::pair{359U, 5000U}, std::pair{360U, 1088U},
        std::pair{361U, 3001U}, std::pair{1012U, 1100U}, std::pair{1013U, 2100U},
        std::pair{1706U, 4001U}, std::pair{1706U, 20000U}}) {
    SCOPED_TRACE("A " + std::to_string(a) + " E " + std::to_string(e));
    const BitVector payload = random_bits(a, rng);
    BitVector coded(e);
    encode_uci_polar(payload, coded);
    if (uci_polar_layout(a, e).num_segments == 2 && e % 2 == 1) {
      EXPECT_EQ(coded.back(), 0); // the bit after the two segments
    }
    std::vector<float> llrs(e);
    for (std::size_t i = 0; i < e; ++i) {
      llrs[i] = coded[i] != 0 ? -2.0F : 2.0F;
    }
    if (uci_polar_layout(a, e).num_segments == 2 && e % 2 == 1) {
      llrs.back() = -2.0F; // whatever lies past the segments is ignored
    }
    BitVector got(a);
    EXPECT_TRUE(decoder.decode(llrs, got));
    EXPECT_EQ(got, payload);
  }
}

TEST(UciPolarCode, NoisyPartsDecodeAndTheirCrcsCatchFailures) {
  std::mt19937_64 rng(29);
  UciPolarDecoder decoder;
  // Rate about 1/4 at 0 dB: every block decodes.
  for (const auto& [a, e] : {std::pair{16U, 90U}, std::pair{60U, 280U}, std::pair{400U, 1700U}}) {
    unsigned errors = 0;
    for (int t = 0; t < 40; ++t) {
      const BitVector payload = random_bits(a, rng);
      BitVector coded(e);
      encode_uci_polar(payload, coded);
      BitVector got(a);
      const bool ok = decoder.decode(noisy_llrs(coded, 0.0F, rng), got);
      errors += ok && got == payload ? 0U : 1U;
    }
    EXPECT_EQ(errors, 0U) << "A " << a << " E " << e;
  }
  // Noise alone: a list of 8 passes CRC11 for about 8 / 2048 of the blocks; two segments both.
  unsigned passed = 0;
  std::normal_distribution<float> noise(0.0F, 3.0F);
  for (int t = 0; t < 300; ++t) {
    for (const auto& [a, e] : {std::pair{40U, 200U}, std::pair{500U, 1200U}}) {
      std::vector<float> llrs(e);
      for (float& v : llrs) {
        v = noise(rng);
      }
      BitVector got(a);
      passed += decoder.decode(llrs, got) ? 1U : 0U;
    }
  }
  EXPECT_LE(passed, 6U) << "of 600 noise-only parts";
  // CRC6 (12..19 bits) checks only the most likely path: noise passes 1 in 64, not 8 in 64
  // (measured 1.5% against 12% when every path of the list may pass).
  unsigned passed_crc6 = 0;
  for (int t = 0; t < 1000; ++t) {
    std::vector<float> llrs(200);
    for (float& v : llrs) {
      v = noise(rng);
    }
    BitVector got(16);
    passed_crc6 += decoder.decode(llrs, got) ? 1U : 0U;
  }
  EXPECT_LE(passed_crc6, 30U) << "of 1000 noise-only 16-bit parts";
  // A second segment wiped out fails the part although the first decodes.
  const BitVector payload = random_bits(1100, rng);
  BitVector coded(2400);
  encode_uci_polar(payload, coded);
  std::vector<float> llrs(coded.size());
  for (std::size_t i = 0; i < coded.size(); ++i) {
    llrs[i] = i < 1200 ? (coded[i] != 0 ? -4.0F : 4.0F) : noise(rng);
  }
  BitVector got(1100);
  EXPECT_FALSE(decoder.decode(llrs, got));
  EXPECT_TRUE(std::equal(got.begin(), got.begin() + 550, payload.begin())); // segment 0
}

TEST(UciPolarCode, DecoderKeepsItsCodesAndRefusesBadSizes) {
  std::mt19937_64 rng(31);
  UciPolarDecoder decoder(4);
  // More sizes than it keeps, then the first again.
  for (unsigned a : {20U, 21U, 22U, 23U, 24U, 25U, 26U, 27U, 20U}) {
    const BitVector payload = random_bits(a, rng);
    BitVector coded(120);
    encode_uci_polar(payload, coded);
    BitVector got(a);
    EXPECT_TRUE(decoder.decode(noisy_llrs(coded, 6.0F, rng), got)) << a;
    EXPECT_EQ(got, payload) << a;
  }
  std::vector<float> llrs(20, 1.0F);
  BitVector got(12);
  EXPECT_THROW(decoder.decode(llrs, got), std::invalid_argument);
}

// More sizes in rotation than the decoder keeps codes for: once each has been met, decoding
// allocates nothing (a code past the six kept was rebuilt, five vectors, for every part).
TEST(UciPolarCode, SevenSizesInRotationDecodeWithoutAllocating) {
  std::mt19937_64 rng(37);
  UciPolarDecoder decoder(4);
  const std::vector<unsigned> lengths = {100, 110, 120, 130, 140, 150, 400};
  std::vector<std::vector<float>> llrs;
  std::vector<BitVector> payloads;
  for (const unsigned e : lengths) {
    payloads.push_back(random_bits(20, rng));
    BitVector coded(e);
    encode_uci_polar(payloads.back(), coded);
    llrs.push_back(noisy_llrs(coded, 6.0F, rng));
  }
  BitVector got(20);
  for (int warm = 0; warm < 2; ++warm) {
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      EXPECT_TRUE(decoder.decode(llrs[i], got)) << lengths[i];
    }
  }
  const long before = airan::test::allocation_count();
  bool all = true;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    all = decoder.decode(llrs[i], got) && got == payloads[i] && all;
  }
  const long allocations = airan::test::allocation_count() - before;
  EXPECT_TRUE(all);
  EXPECT_EQ(allocations, 0);
}

} // namespace
