// Short block codes of UCI (TS 38.212 5.3.3, rate matching 5.4.3): the placeholder patterns of 1
// and 2 bits, linearity and distance of the (32, O) code, maximum-likelihood decoding checked
// against a brute-force search over the encoder's own codewords, and scrambling with placeholders
// (TS 38.211 6.3.1.1).
#include "airan/phy/gold_sequence.h"
#include "airan/phy/uci_short_block_code.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

constexpr bit_t x = uci_placeholder_x;
constexpr bit_t y = uci_placeholder_y;

BitVector encode(const BitVector& payload, unsigned qm, std::size_t e) {
  BitVector coded(e);
  encode_uci_short_block(payload, qm, coded);
  return coded;
}

BitVector bits_of(unsigned word, unsigned n) {
  BitVector b(n);
  for (unsigned i = 0; i < n; ++i) {
    b[i] = static_cast<bit_t>((word >> i) & 1U);
  }
  return b;
}

/// Noise-free LLRs of a coded block as the receiver sees them after demultiplexing: +/-1 for
/// coded bits, 0 for "x", and for "y" an observation of the bit before it.
std::vector<float> clean_llrs(const BitVector& coded) {
  std::vector<float> llrs(coded.size());
  for (std::size_t k = 0; k < coded.size(); ++k) {
    bit_t b = coded[k];
    if (b == y) {
      b = coded[k - 1];
    }
    llrs[k] = b == x ? 0.0F : (b == 0 ? 1.0F : -1.0F);
  }
  return llrs;
}

TEST(UciShortBlockCode, OneBitRepeatsItselfOnceThenPlaceholdersPerModulationSymbol) {
  EXPECT_EQ(encode({1}, 1, 3), (BitVector{1, 1, 1}));
  EXPECT_EQ(encode({0}, 2, 4), (BitVector{0, y, 0, y}));
  EXPECT_EQ(encode({1}, 4, 8), (BitVector{1, y, x, x, 1, y, x, x}));
  EXPECT_EQ(encode({1}, 6, 6), (BitVector{1, y, x, x, x, x}));
  EXPECT_EQ(uci_short_block_length(1, 8), 8U);
}

TEST(UciShortBlockCode, TwoBitsTakeTheSimplexCodeSpreadOverThreeModulationSymbols) {
  // c2 = c0 xor c1.
  EXPECT_EQ(encode({1, 0}, 1, 6), (BitVector{1, 0, 1, 1, 0, 1}));
  EXPECT_EQ(encode({1, 1}, 2, 6), (BitVector{1, 1, 0, 1, 1, 0}));
  EXPECT_EQ(encode({0, 1}, 4, 12), (BitVector{0, 1, x, x, 1, 0, x, x, 1, 1, x, x}));
  EXPECT_EQ(encode({1, 1}, 6, 18),
            (BitVector{1, 1, x, x, x, x, 0, 1, x, x, x, x, 1, 0, x, x, x, x}));
  EXPECT_EQ(uci_short_block_length(2, 8), 24U);
}

TEST(UciShortBlockCode, ReedMullerBlocksAreLinearAndRepeatCyclically) {
  std::mt19937 rng(7);
  for (unsigned o = 3; o <= 11; ++o) {
    for (int trial = 0; trial < 20; ++trial) {
      const unsigned a = rng() & ((1U << o) - 1);
      const unsigned b = rng() & ((1U << o) - 1);
      const BitVector ca = encode(bits_of(a, o), 4, 32);
      const BitVector cb = encode(bits_of(b, o), 4, 32);
      const BitVector cab = encode(bits_of(a ^ b, o), 4, 32);
      for (unsigned i = 0; i < 32; ++i) {
        EXPECT_EQ(cab[i], ca[i] ^ cb[i]);
      }
      const BitVector long_block = encode(bits_of(a, o), 2, 80);
      for (unsigned k = 0; k < 80; ++k) {
        EXPECT_EQ(long_block[k], ca[k % 32]);
      }
    }
  }
  // Basis sequence M_{i,0} is 1 for every i: c_0 alone flips every coded bit.
  EXPECT_EQ(encode({1, 0, 0}, 2, 32), BitVector(32, 1));
  // A unit payload c_n = 1 gives basis sequence n, column n of TS 38.212 Table 5.3.3.3-1 read
  // down i = 0 .. 31 (typed here column-wise, apart from the row-wise table in the code).
  const auto column = [](const char* bits) {
    BitVector b;
    for (const char* c = bits; *c != 0; ++c) {
      b.push_back(static_cast<bit_t>(*c - '0'));
    }
    return b;
  };
  const auto unit = [](unsigned n) {
    BitVector p(11, 0);
    p[n] = 1;
    return p;
  };
  EXPECT_EQ(encode(unit(1), 2, 32), column("11001100100101011010010111010010"));
  EXPECT_EQ(encode(unit(5), 2, 32), column("00000000001111111111000001111110"));
  EXPECT_EQ(encode(unit(10), 2, 32), column("11111111111111110000111101000010"));
}

TEST(UciShortBlockCode, EveryPayloadOfUpTo11BitsHasItsOwnWellSeparatedCodeword) {
  // Distinct codewords for all 2^11 payloads, and a minimum distance that grows as O shrinks
  // (first-order Reed-Muller: 16 for O <= 6 when the basis holds RM(1,5)).
  unsigned previous_distance = 0;
  for (unsigned o = 11; o >= 3; --o) {
    unsigned min_weight = 32;
    for (unsigned word = 1; word < (1U << o); ++word) {
      const BitVector c = encode(bits_of(word, o), 2, 32);
      min_weight = std::min(min_weight, static_cast<unsigned>(std::count(c.begin(), c.end(), 1)));
    }
    EXPECT_GT(min_weight, 0U) << o;
    EXPECT_GE(min_weight, previous_distance) << o;
    previous_distance = min_weight;
  }
  EXPECT_GE(previous_distance, 12U);
}

TEST(UciShortBlockCode, DecodesEveryPayloadFromCleanLlrsWithFullCorrelation) {
  for (unsigned qm : {1U, 2U, 4U, 6U, 8U}) {
    for (unsigned o = 1; o <= 11; ++o) {
      const unsigned n = uci_short_block_length(o, qm);
      for (std::size_t e : {std::size_t{n}, std::size_t{3} * n + qm}) {
        for (unsigned word = 0; word < (1U << o); word += (o > 6 ? 37 : 1)) {
          const BitVector payload = bits_of(word, o);
          BitVector decoded(o);
          const double corr =
              decode_uci_short_block(clean_llrs(encode(payload, qm, e)), qm, decoded);
          ASSERT_EQ(decoded, payload) << "qm " << qm << " o " << o << " e " << e;
          if (e % n == 0) {
            EXPECT_NEAR(corr, 1.0, 1e-9);
          }
        }
      }
    }
  }
}

TEST(UciShortBlockCode, NoisyDecodingIsMaximumLikelihoodOverTheEncodersCodewords) {
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0.0F, 1.2F);
  for (unsigned o : {1U, 2U, 3U, 5U, 8U, 11U}) {
    for (int trial = 0; trial < 60; ++trial) {
      const unsigned qm = 4;
      const std::size_t e = 40;
      const unsigned word = rng() & ((1U << o) - 1);
      std::vector<float> llrs = clean_llrs(encode(bits_of(word, o), qm, e));
      for (float& v : llrs) {
        v = v != 0.0F ? v + noise(rng) : 0.0F;
      }
      BitVector decoded(o);
      decode_uci_short_block(llrs, qm, decoded);
      // Brute force: the codeword whose clean LLRs correlate best with the noisy ones.
      double best = -1e30;
      unsigned best_word = 0;
      for (unsigned w = 0; w < (1U << o); ++w) {
        const std::vector<float> ref = clean_llrs(encode(bits_of(w, o), qm, e));
        double corr = 0;
        for (std::size_t k = 0; k < e; ++k) {
          corr += double{ref[k]} * llrs[k];
        }
        if (corr > best) {
          best = corr;
          best_word = w;
        }
      }
      EXPECT_EQ(decoded, bits_of(best_word, o)) << "o " << o << " trial " << trial;
    }
  }
}

TEST(UciShortBlockCode, CorrelationSeparatesACodewordFromNoise) {
  std::mt19937 rng(3);
  std::normal_distribution<float> unit(0.0F, 1.0F);
  const unsigned o = 7;
  double noise_sum = 0;
  double signal_sum = 0;
  const int trials = 200;
  for (int t = 0; t < trials; ++t) {
    std::vector<float> llrs = clean_llrs(encode(bits_of(rng() & 127U, o), 2, 64));
    std::vector<float> pure(llrs.size());
    for (std::size_t k = 0; k < llrs.size(); ++k) {
      llrs[k] = 2.0F * llrs[k] + unit(rng); // about 6 dB per coded bit
      pure[k] = unit(rng);
    }
    BitVector decoded(o);
    signal_sum += decode_uci_short_block(llrs, 2, decoded);
    noise_sum += decode_uci_short_block(pure, 2, decoded);
  }
  EXPECT_GT(signal_sum / trials, 0.95);
  EXPECT_LT(noise_sum / trials, 0.65);
  BitVector decoded(o);
  EXPECT_EQ(decode_uci_short_block(std::vector<float>(64, 0.0F), 2, decoded), 0.0);
}

TEST(UciShortBlockCode, DetectionTellsCodewordsFromNoiseAtOnePercentFalseAlarms) {
  std::mt19937 rng(21);
  std::normal_distribution<float> unit(0.0F, 1.0F);
  for (unsigned o : {3U, 7U, 11U}) {
    unsigned false_alarms = 0;
    unsigned detected = 0;
    const int trials = 2000;
    for (int t = 0; t < trials; ++t) {
      std::vector<float> noise(64);
      std::vector<float> signal = clean_llrs(encode(bits_of(rng() & ((1U << o) - 1), o), 2, 64));
      for (std::size_t k = 0; k < noise.size(); ++k) {
        noise[k] = unit(rng);
        signal[k] = 1.5F * signal[k] + unit(rng); // about 3.5 dB per coded bit
      }
      BitVector decoded(o);
      false_alarms += uci_short_block_detected(o, 64, decode_uci_short_block(noise, 2, decoded));
      detected += uci_short_block_detected(o, 64, decode_uci_short_block(signal, 2, decoded));
    }
    EXPECT_LT(false_alarms, 2U * trials / 100) << o; // 1% designed, 2% allowed for the draw
    EXPECT_GT(detected, 99U * trials / 100) << o;
  }
  // Fewer coded bits: a higher bar (noise agrees more with some codeword over fewer values).
  EXPECT_FALSE(uci_short_block_detected(7, 30, 0.79));
  EXPECT_TRUE(uci_short_block_detected(7, 30, 0.81));
  EXPECT_TRUE(uci_short_block_detected(7, 300, 0.77));
  // 1 and 2 bits, blocks of fewer than 16 coded bits, and 10 or 11 bits over 16 .. 19 (where
  // noise reaches full agreement) are always taken as sent.
  EXPECT_TRUE(uci_short_block_detected(2, 600, 0.0));
  EXPECT_TRUE(uci_short_block_detected(7, 15, 0.0));
  EXPECT_TRUE(uci_short_block_detected(11, 18, 0.0));
  EXPECT_FALSE(uci_short_block_detected(7, 32, 0.5));
}

TEST(UciShortBlockCode, RefusesPayloadsOutsideOneToElevenBits) {
  BitVector coded(32);
  EXPECT_THROW(encode_uci_short_block(BitVector{}, 2, coded), std::invalid_argument);
  EXPECT_THROW(encode_uci_short_block(BitVector(12), 2, coded), std::invalid_argument);
  BitVector payload(4);
  UciFoldedLlrs folded;
  folded.length = 31;
  EXPECT_THROW(decode_uci_short_block(folded, 2, payload), std::invalid_argument);
}

TEST(UciShortBlockCode, PlaceholdersScrambleToOneAndToTheBitBefore) {
  const std::uint32_t c_init = (0x4601U << 15) + 17;
  BitVector bits = {0, y, x, x, 1, y, x, x, 1, 0, 1, 1};
  BitVector c(bits.size());
  gold_sequence(c_init, c);
  BitVector expected(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] == x) {
      expected[i] = 1;
    } else if (bits[i] == y) {
      expected[i] = expected[i - 1];
    } else {
      expected[i] = bits[i] ^ c[i];
    }
  }
  // Long enough to cross the scrambler's internal chunks.
  BitVector long_bits(1000);
  for (std::size_t i = 0; i < long_bits.size(); ++i) {
    long_bits[i] = i % 4 == 1 ? y : static_cast<bit_t>(i % 3 == 0);
  }
  BitVector long_c(long_bits.size());
  gold_sequence(c_init, long_c);
  BitVector scrambled = long_bits;
  scramble_bits_with_placeholders(scrambled, c_init);
  for (std::size_t i = 0; i < long_bits.size(); ++i) {
    const bit_t want = long_bits[i] == y ? scrambled[i - 1] : long_bits[i] ^ long_c[i];
    ASSERT_EQ(scrambled[i], want) << i;
  }
  scramble_bits_with_placeholders(bits, c_init);
  EXPECT_EQ(bits, expected);
}

} // namespace
