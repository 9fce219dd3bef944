// The polar code of TS 38.212 5.3.1 and its rate matching (5.4.1): the reliability sequence,
// the mother code length, the frozen set under puncturing and shortening, G_N, the parity-check
// bits, the interleavers, and CRC-aided list decoding (noise-free, noisy, against SC decoding).
#include "airan/phy/crc_calculator.h"
#include "airan/phy/polar_code.h"
#include "airan/phy/polar_list_decoder.h"

#include "../support/noisy_llrs.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::noisy_llrs;
using airan::test::random_bits;

unsigned count_type(const PolarCode& code, PolarBitType type) {
  return static_cast<unsigned>(std::count(code.bit_types.begin(), code.bit_types.end(), type));
}

/// K payload-and-CRC bits: random payload with its CRC attached.
BitVector with_crc(std::size_t payload_bits, const CrcCalculator& crc, std::mt19937_64& rng) {
  BitVector block = random_bits(payload_bits + crc.length(), rng);
  crc.attach(block);
  return block;
}

BitVector encode_and_match(const PolarCode& code, const BitVector& block) {
  BitVector mother(code.n);
  polar_encode(code, block, mother);
  BitVector out(code.e);
  polar_rate_match(code, mother, out);
  return out;
}

TEST(PolarCode, ReliabilitySequenceIsAPermutationNestedForEveryLength) {
  const auto q = polar_reliability_sequence();
  ASSERT_EQ(q.size(), 1024U);
  std::vector<std::uint16_t> sorted(q.begin(), q.end());
  std::sort(sorted.begin(), sorted.end());
  for (unsigned i = 0; i < 1024; ++i) {
    ASSERT_EQ(sorted[i], i);
  }
  // Table 5.3.1.2-1 begins 0, 1, 2, 4, 8, 16, 32, 3, 5, 64 and ends 1021, 1022, 1023.
  const std::vector<std::uint16_t> head(q.begin(), q.begin() + 10);
  EXPECT_EQ(head, (std::vector<std::uint16_t>{0, 1, 2, 4, 8, 16, 32, 3, 5, 64}));
  EXPECT_EQ(q[1021], 1021);
  EXPECT_EQ(q[1022], 1022);
  EXPECT_EQ(q[1023], 1023);
  // Index 0 is the least reliable channel and 2^k - 1 beats every index of fewer ones below it.
  const auto rank = [&](unsigned index) {
    return std::find(q.begin(), q.end(), index) - q.begin();
  };
  EXPECT_GT(rank(511), rank(510));
  EXPECT_GT(rank(1023), rank(767));
}

TEST(PolarCode, MotherCodeLengthFollowsTheThreeBounds) {
  // n1: E = 100 is above 9/8 of 64, so ceil(log2 E) = 7; n2 = ceil(log2(8 K)).
  EXPECT_EQ(make_polar_code(20, 100, 3, 0).n, 128U);
  // E = 70 <= 72 = 9/8 64 and K/E < 9/16: n1 = 6.
  EXPECT_EQ(make_polar_code(20, 70, 0, 0).n, 64U);
  // The same E with K/E >= 9/16 keeps n1 = 7.
  EXPECT_EQ(make_polar_code(40, 70, 0, 0).n, 128U);
  // n2 caps low rates: K = 12, 8K = 96 -> 128 although E = 2000.
  EXPECT_EQ(make_polar_code(12, 2000, 0, 0).n, 128U);
  // n_max = 10, and n_min = 5.
  EXPECT_EQ(make_polar_code(700, 5000, 0, 0).n, 1024U);
  EXPECT_EQ(make_polar_code(2, 8, 0, 0).n, 32U);
  EXPECT_THROW(make_polar_code(30, 32, 3, 0), std::invalid_argument); // K + n_PC > E
  EXPECT_THROW(make_polar_code(0, 32, 0, 0), std::invalid_argument);
  EXPECT_THROW(make_polar_code(1, 100, 2, 2), std::invalid_argument);  // n_PC^wm > K
  EXPECT_THROW(make_polar_code(20, 100, 1, 2), std::invalid_argument); // n_PC^wm > n_PC
}

TEST(PolarCode, SubBlockInterleaverOf32IsTheTablePattern) {
  const PolarCode code = make_polar_code(8, 36, 0, 0); // E <= 9/8 32, so N = 32
  ASSERT_EQ(code.n, 32U);
  const std::vector<std::uint16_t> p = {0,  1,  2,  4,  3,  5,  6,  7,  8,  16, 9,
                                        17, 10, 18, 11, 19, 12, 20, 13, 21, 14, 22,
                                        15, 23, 24, 25, 26, 28, 27, 29, 30, 31};
  EXPECT_EQ(code.interleaver, p);
  // For N = 128 each entry of P moves a run of four.
  const PolarCode big = make_polar_code(20, 128, 0, 0);
  ASSERT_EQ(big.n, 128U);
  EXPECT_EQ(big.interleaver[12], 4U * 4U); // P(3) = 4
  EXPECT_EQ(big.interleaver[13], 4U * 4U + 1U);
  EXPECT_EQ(big.interleaver[36], 16U * 4U);
}

TEST(PolarCode, ChannelInterleaverWritesRowsOfATriangleAndReadsColumns) {
  // E = 10: T = 4, rows e0..e3 / e4..e6 / e7 e8 / e9.
  const PolarCode code = make_polar_code(4, 10, 0, 0);
  EXPECT_EQ(code.channel_interleaver, (std::vector<std::uint32_t>{0, 4, 7, 9, 1, 5, 8, 2, 6, 3}));
  // E = 8: T = 4 with two empty places in the last rows.
  EXPECT_EQ(make_polar_code(4, 8, 0, 0).channel_interleaver,
            (std::vector<std::uint32_t>{0, 4, 7, 1, 5, 2, 6, 3}));
}

TEST(PolarCode, PuncturingFreezesTheUnsentBitsAndAPrefix) {
  // K = 20, E = 100: N = 128, K/E <= 7/16. N - E = 28 punctured; E >= 3N/4, so the inputs
  // below ceil(3 N / 4 - E / 2) = 46 are frozen as well.
  const PolarCode code = make_polar_code(20, 100, 3, 0);
  ASSERT_EQ(code.n, 128U);
  EXPECT_EQ(code.rate_matching, PolarRateMatching::puncturing);
  EXPECT_EQ(count_type(code, PolarBitType::information), 20U);
  EXPECT_EQ(count_type(code, PolarBitType::parity_check), 3U);
  for (unsigned i = 0; i < 46; ++i) {
    EXPECT_EQ(code.bit_types[i], PolarBitType::frozen) << i;
  }
  for (unsigned m = 0; m < 28; ++m) {
    EXPECT_EQ(code.bit_types[code.interleaver[m]], PolarBitType::frozen) << m;
  }
  // The K + n_PC most reliable of the rest, the parity checks on the three least reliable.
  std::vector<std::uint16_t> allowed;
  for (const std::uint16_t index : polar_reliability_sequence()) {
    const bool punctured = std::find(code.interleaver.begin(), code.interleaver.begin() + 28,
                                     index) != code.interleaver.begin() + 28;
    if (index < 128 && index >= 46 && !punctured) {
      allowed.push_back(index);
    }
  }
  const std::vector<std::uint16_t> chosen(allowed.end() - 23, allowed.end());
  for (std::size_t r = 0; r < chosen.size(); ++r) {
    EXPECT_EQ(code.bit_types[chosen[r]],
              r < 3 ? PolarBitType::parity_check : PolarBitType::information)
        << chosen[r];
  }
}

TEST(PolarCode, ShortenedBitsAreZeroForEveryMessage) {
  // Shortening (K/E > 7/16) freezes the inputs of the unsent outputs, so those outputs are 0
  // whatever the message: this holds only with the right G_N, J and frozen set together.
  std::mt19937_64 rng(7);
  for (const auto& [k, e] :
       {std::pair{40U, 70U}, std::pair{100U, 200U}, std::pair{300U, 600U}, std::pair{500U, 900U}}) {
    const PolarCode code = make_polar_code(k, e, 0, 0);
    ASSERT_EQ(code.rate_matching, PolarRateMatching::shortening) << k << " " << e;
    for (int trial = 0; trial < 20; ++trial) {
      const BitVector block = random_bits(k, rng);
      BitVector mother(code.n);
      polar_encode(code, block, mother);
      for (unsigned m = e; m < code.n; ++m) {
        ASSERT_EQ(mother[code.interleaver[m]], 0) << k << " " << e << " m " << m;
      }
    }
  }
}

TEST(PolarCode, EncoderIsTheKroneckerPowerOfTheKernel) {
  // A single information bit at input i gives row i of G_N: d_j = 1 where the ones of j cover
  // the ones of i (the n-th Kronecker power of [1 0; 1 1]).
  const PolarCode code = make_polar_code(1, 64, 0, 0);
  ASSERT_EQ(code.n, 32U);
  const auto info =
      std::find(code.bit_types.begin(), code.bit_types.end(), PolarBitType::information) -
      code.bit_types.begin();
  EXPECT_EQ(info, 31); // the most reliable input of N = 32
  BitVector mother(code.n);
  polar_encode(code, BitVector{1}, mother);
  for (unsigned j = 0; j < 32; ++j) {
    EXPECT_EQ(mother[j], 1) << j; // row 31 covers every j
  }
  // Row 10 = 01010b: ones where j's ones are among those of 10 (0, 2, 8, 10).
  PolarCode row = code;
  std::fill(row.bit_types.begin(), row.bit_types.end(), PolarBitType::frozen);
  row.bit_types[10] = PolarBitType::information; // 01010b
  polar_encode(row, BitVector{1}, mother);
  for (unsigned j = 0; j < 32; ++j) {
    EXPECT_EQ(mother[j], (j & 10U) == j ? 1 : 0) << j;
  }
}

TEST(PolarCode, ParityCheckBitsSitWhereTheSpecPutsThem) {
  // n_PC = 3, n_PC^wm = 1 when E - K + 3 > 192: two parity checks on the least reliable inputs
  // of Q_I^N, one at a minimum row weight (2^popcount) among the rest but the n_PC least
  // reliable, the most reliable of those on ties.
  EXPECT_EQ(polar_uci_pc_weight_bits(20, 209), 0U);
  EXPECT_EQ(polar_uci_pc_weight_bits(20, 210), 1U);
  for (const auto& [k, e, wm] : {std::tuple{20U, 400U, 1U}, std::tuple{25U, 300U, 1U},
                                 std::tuple{18U, 96U, 0U}, std::tuple{22U, 144U, 0U}}) {
    SCOPED_TRACE("K " + std::to_string(k) + " E " + std::to_string(e));
    const PolarCode code = make_polar_code(k, e, 3, wm);
    ASSERT_EQ(count_type(code, PolarBitType::parity_check), 3U);
    ASSERT_EQ(count_type(code, PolarBitType::information), k);
    std::vector<unsigned> chosen; // Q_I^N, least reliable first
    for (const std::uint16_t index : polar_reliability_sequence()) {
      if (index < code.n && code.bit_types[index] != PolarBitType::frozen) {
        chosen.push_back(index);
      }
    }
    for (unsigned r = 0; r < 3 - wm; ++r) {
      EXPECT_EQ(code.bit_types[chosen[r]], PolarBitType::parity_check) << chosen[r];
    }
    if (wm == 1) {
      unsigned best = chosen.back();
      for (std::size_t r = chosen.size(); r-- > 3;) {
        if (std::popcount(chosen[r]) < std::popcount(best)) {
          best = chosen[r];
        }
      }
      EXPECT_EQ(code.bit_types[best], PolarBitType::parity_check) << best;
    }
  }
}

TEST(PolarCode, ParityCheckBitsFollowTheCyclicRegister) {
  // TS 38.212 5.3.1.2: the register turns by one place per input; a parity-check bit is y_0, and
  // only information bits are added into y_0 (a parity-check bit leaves the register alone).
  for (const auto& [k, e, wm] : {std::tuple{20U, 400U, 1U}, std::tuple{18U, 96U, 0U},
                                 std::tuple{18U, 120U, 0U}, std::tuple{25U, 60U, 0U}}) {
    SCOPED_TRACE("K " + std::to_string(k) + " E " + std::to_string(e));
    const PolarCode code = make_polar_code(k, e, 3, wm);
    std::mt19937_64 rng(3);
    const BitVector block = random_bits(k, rng);
    BitVector u(code.n);
    polar_encode(code, block, u);
    // Recover u from d (G_N is its own inverse) and replay the register.
    PolarCode all_info = code;
    std::fill(all_info.bit_types.begin(), all_info.bit_types.end(), PolarBitType::information);
    all_info.k = code.n;
    BitVector back(code.n);
    polar_encode(all_info, u, back);
    std::array<unsigned, 5> y{};
    std::size_t next = 0;
    for (unsigned i = 0; i < code.n; ++i) {
      std::rotate(y.begin(), y.begin() + 1, y.end()); // y_0 <- y_1, .., y_4 <- y_0
      if (code.bit_types[i] == PolarBitType::frozen) {
        ASSERT_EQ(back[i], 0) << i;
      } else if (code.bit_types[i] == PolarBitType::parity_check) {
        ASSERT_EQ(back[i], y[0]) << i;
      } else {
        ASSERT_EQ(back[i], block[next++]) << i;
        y[0] ^= back[i];
      }
    }
  }
}

TEST(PolarListDecoder, NoiseFreeBlocksOfEveryRateMatchingMode) {
  std::mt19937_64 rng(11);
  const CrcCalculator crc11(CrcPolynomial::crc11);
  PolarListDecoder decoder(8);
  for (const auto& [k, e] :
       {std::pair{31U, 60U}, std::pair{31U, 100U}, std::pair{31U, 300U}, std::pair{100U, 150U},
        std::pair{200U, 1000U}, std::pair{700U, 1000U}, std::pair{1000U, 3000U}}) {
    const PolarCode code = make_polar_code(k, e, 0, 0);
    const BitVector block = with_crc(k - 11, crc11, rng);
    const BitVector sent = encode_and_match(code, block);
    std::vector<float> llrs(e);
    for (unsigned i = 0; i < e; ++i) {
      llrs[i] = sent[i] != 0 ? -1.0F : 1.0F;
    }
    std::vector<float> coded(code.n);
    polar_rate_recover(code, llrs, coded);
    BitVector got(k);
    EXPECT_TRUE(decoder.decode(code, coded, crc11, got)) << k << " " << e;
    EXPECT_EQ(got, block) << k << " " << e;
  }
}

/// Block errors of \p trials blocks of code (K, E) at \p snr_db with a list of \p list_size.
unsigned block_errors(unsigned k, unsigned e, unsigned n_pc, float snr_db, unsigned list_size,
                      unsigned trials, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const CrcCalculator crc(k <= 25 ? CrcPolynomial::crc6 : CrcPolynomial::crc11);
  const PolarCode code = make_polar_code(k, e, n_pc, polar_uci_pc_weight_bits(k, e) * (n_pc > 0));
  PolarListDecoder decoder(list_size);
  std::vector<float> coded(code.n);
  BitVector got(k);
  unsigned errors = 0;
  for (unsigned t = 0; t < trials; ++t) {
    const BitVector block = with_crc(k - crc.length(), crc, rng);
    const std::vector<float> llrs = noisy_llrs(encode_and_match(code, block), snr_db, rng);
    polar_rate_recover(code, llrs, coded);
    const bool ok = decoder.decode(code, coded, crc, got);
    errors += ok && got == block ? 0U : 1U;
  }
  return errors;
}

TEST(PolarListDecoder, ListDecodingBeatsSuccessiveCancellation) {
  // K = 64 (53 + CRC11) into E = 256 (rate 1/4, N = 256) at Es/N0 = -5 dB (Eb/N0 1.8 dB): SC
  // loses about a quarter of the blocks, a list of 8 about 3% (measured 111 and 12 of 400).
  const unsigned sc = block_errors(64, 256, 0, -5.0F, 1, 400, 5);
  const unsigned scl = block_errors(64, 256, 0, -5.0F, 8, 400, 5);
  EXPECT_GT(sc, 60U);
  EXPECT_LE(scl, 20U);
  EXPECT_LT(scl * 4, sc) << "SC " << sc << " SCL-8 " << scl;
  // CRC6 and three parity checks (K = 22, a 16-bit payload) into E = 120 at -6 dB: measured 69
  // and 5 of 400.
  const unsigned sc_pc = block_errors(22, 120, 3, -6.0F, 1, 400, 13);
  const unsigned scl_pc = block_errors(22, 120, 3, -6.0F, 8, 400, 13);
  EXPECT_GT(sc_pc, 30U);
  EXPECT_LT(scl_pc * 4, sc_pc) << "SC " << sc_pc << " SCL-8 " << scl_pc;
}

TEST(PolarListDecoder, NoisyBlocksDecodeAboveTheWaterfall) {
  // Rate 1/4 at Es/N0 = -1 dB (Eb/N0 about 5 dB): essentially error free with a list of 8.
  EXPECT_LE(block_errors(64, 256, 0, -1.0F, 8, 300, 9), 1U);
  // CRC6 with parity checks (K = 22 of a 16-bit payload), E = 120.
  EXPECT_LE(block_errors(22, 120, 3, 0.0F, 8, 300, 13), 2U);
}

TEST(PolarListDecoder, NoiseAloneRarelyPassesTheCrc) {
  // A list of 8 checks up to 8 candidates: CRC11 lets through at most about 8 / 2048 of noise.
  std::mt19937_64 rng(17);
  const CrcCalculator crc(CrcPolynomial::crc11);
  const PolarCode code = make_polar_code(40, 200, 0, 0);
  PolarListDecoder decoder(8);
  std::normal_distribution<float> noise(0.0F, 2.0F);
  std::vector<float> llrs(code.e);
  std::vector<float> coded(code.n);
  BitVector got(code.k);
  unsigned passed = 0;
  for (int t = 0; t < 2000; ++t) {
    for (float& v : llrs) {
      v = noise(rng);
    }
    polar_rate_recover(code, llrs, coded);
    passed += decoder.decode(code, coded, crc, got) ? 1U : 0U;
  }
  EXPECT_LE(passed, 20U); // expected about 8
  // Checking only the most likely path's CRC: about 1 in 2048.
  unsigned passed_best = 0;
  for (int t = 0; t < 2000; ++t) {
    for (float& v : llrs) {
      v = noise(rng);
    }
    polar_rate_recover(code, llrs, coded);
    passed_best += decoder.decode(code, coded, crc, got, 0, 1) ? 1U : 0U;
  }
  EXPECT_LE(passed_best, 5U);
  EXPECT_LT(passed_best, passed + 1);
}

TEST(PolarListDecoder, KnownZeroBitsAreDecodedAsZero) {
  std::mt19937_64 rng(19);
  const CrcCalculator crc(CrcPolynomial::crc11);
  const PolarCode code = make_polar_code(60, 180, 0, 0);
  BitVector block = random_bits(60, rng);
  block[0] = 0;
  crc.attach(block);
  std::vector<float> llrs = noisy_llrs(encode_and_match(code, block), 2.0F, rng);
  std::vector<float> coded(code.n);
  polar_rate_recover(code, llrs, coded);
  PolarListDecoder decoder(4);
  BitVector got(60);
  EXPECT_TRUE(decoder.decode(code, coded, crc, got, 1));
  EXPECT_EQ(got, block);
  BitVector short_block(59);
  EXPECT_THROW(decoder.decode(code, coded, crc, short_block), std::invalid_argument);
  EXPECT_THROW(PolarListDecoder(0), std::invalid_argument);
}

} // namespace
