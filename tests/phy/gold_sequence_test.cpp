#include "airan/phy/gold_sequence.h"
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_scrambler.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {

using airan::phy::bit_t;

/// Direct transcription of TS 38.211 5.2.1 with one array entry per sequence element.
std::vector<bit_t> gold_reference(std::uint32_t c_init, std::size_t offset, std::size_t length) {
  const std::size_t nc = 1600;
  const std::size_t total = nc + offset + length + 31;
  std::vector<bit_t> x1(total, 0), x2(total, 0);
  x1[0] = 1;
  for (unsigned i = 0; i < 31; ++i) {
    x2[i] = static_cast<bit_t>((c_init >> i) & 1U);
  }
  for (std::size_t n = 0; n + 31 < total; ++n) {
    x1[n + 31] = static_cast<bit_t>((x1[n + 3] + x1[n]) % 2);
    x2[n + 31] = static_cast<bit_t>((x2[n + 3] + x2[n + 2] + x2[n + 1] + x2[n]) % 2);
  }
  std::vector<bit_t> c(length);
  for (std::size_t n = 0; n < length; ++n) {
    c[n] = static_cast<bit_t>((x1[n + offset + nc] + x2[n + offset + nc]) % 2);
  }
  return c;
}

TEST(GoldSequence, MatchesTheSpecRecurrenceForManyInitsOffsetsAndLengths) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    const std::uint32_t c_init = rng() & 0x7fffffffU;
    const std::size_t offset = rng() % 3000;
    const std::size_t length = rng() % 500;
    std::vector<bit_t> out(length);
    airan::phy::gold_sequence(c_init, out, static_cast<std::uint32_t>(offset));
    ASSERT_EQ(out, gold_reference(c_init, offset, length))
        << "c_init " << c_init << " offset " << offset << " length " << length;
  }
}

// Random access (the CUDA code's way): 32 bits from any index equal the sequential generator's.
TEST(GoldSequence, JumpTableWordsEqualTheSequentialGenerator) {
  const airan::phy::GoldJumpTable table = airan::phy::make_gold_jump_table();
  std::mt19937 rng(17);
  for (int trial = 0; trial < 300; ++trial) {
    const std::uint32_t c_init = rng() & 0x7fffffffU;
    // Indices up to 2^24 (a slot's sequences need far less), and once beyond 2^31 (high levels).
    std::uint32_t n = trial % 2 == 0 ? rng() % 4096 : rng() % (1U << 24);
    if (trial == 1) {
      n = 0x80000000U + 12345U;
    }
    airan::phy::GoldSequenceGenerator generator(c_init);
    generator.advance(n);
    std::vector<bit_t> expected(32);
    generator.generate(expected);
    const std::uint32_t word = airan::phy::gold_sequence_word(table, c_init, n);
    for (unsigned i = 0; i < 32; ++i) {
      ASSERT_EQ((word >> i) & 1U, expected[i]) << "c_init " << c_init << " n " << n << " bit " << i;
    }
  }
  // And against the spec's recurrence directly.
  const auto reference = gold_reference(0x1234567U, 1000, 64);
  for (unsigned i = 0; i < 64; ++i) {
    EXPECT_EQ((airan::phy::gold_sequence_word(table, 0x1234567U, 1000 + i / 32 * 32) >> (i % 32)) &
                  1U,
              reference[i]);
  }
}

// The cursor that CUDA threads run on from one jump: word after word equals a jump to each word.
TEST(GoldSequence, WordCursorRunsOnFromAnyJump) {
  const airan::phy::GoldJumpTable table = airan::phy::make_gold_jump_table();
  std::mt19937 rng(23);
  for (int trial = 0; trial < 50; ++trial) {
    const std::uint32_t c_init = rng() & 0x7fffffffU;
    const std::uint32_t n = trial == 0 ? 0U : (rng() % (1U << 20)) * 32U;
    airan::phy::GoldWordCursor cursor = airan::phy::gold_word_cursor(table, c_init, n);
    for (std::uint32_t w = 0; w < 40; ++w) {
      ASSERT_EQ(cursor.next_word(), airan::phy::gold_sequence_word(table, c_init, n + 32 * w))
          << "c_init " << c_init << " n " << n << " word " << w;
    }
  }
}

TEST(GoldSequence, ChunkedDrawsEqualOneLongDraw) {
  const std::uint32_t c_init = 0x1234567;
  const auto expected = gold_reference(c_init, 0, 1000);
  airan::phy::GoldSequenceGenerator generator(c_init);
  std::vector<bit_t> out;
  std::size_t sizes[] = {1, 7, 24, 25, 100, 3, 48, 0, 300};
  for (auto size : sizes) {
    std::vector<bit_t> part(size);
    generator.generate(part);
    out.insert(out.end(), part.begin(), part.end());
  }
  const std::uint32_t word = generator.next_word24();
  for (unsigned i = 0; i < 24; ++i) {
    out.push_back(static_cast<bit_t>((word >> i) & 1U));
  }
  generator.advance(10);
  std::vector<bit_t> tail(1000 - out.size() - 10);
  generator.generate(tail);
  ASSERT_EQ(std::vector<bit_t>(expected.begin(), expected.begin() + out.size()), out);
  EXPECT_EQ(std::vector<bit_t>(expected.begin() + out.size() + 10, expected.end()), tail);
}

TEST(GoldSequence, ScramblingIsAnInvolutionAndXorsTheSequence) {
  std::mt19937 rng(9);
  std::vector<bit_t> bits(777);
  for (auto& b : bits) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  const auto original = bits;
  const auto c_init = airan::phy::pusch_scrambling_init(17921, 500);
  airan::phy::scramble_bits(bits, c_init);
  const auto sequence = gold_reference(c_init, 0, bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) {
    ASSERT_EQ(bits[i], original[i] ^ sequence[i]) << i;
  }
  airan::phy::scramble_bits(bits, c_init);
  EXPECT_EQ(bits, original);
}

} // namespace
