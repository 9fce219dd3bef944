// PUSCH LLR descrambling: sign flips exactly where the bit-level Gold sequence (gold_sequence(),
// as used by scramble_bits()) is 1, for lengths around the 32-value words and the internal
// blocks, and inverts scrambling of hard bits.
#include "../support/allocation_counter.h"
#include "airan/phy/gold_sequence.h"
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/thread_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

using namespace airan::phy;

namespace {

std::vector<float> random_llrs(std::size_t size, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 5.0f);
  std::vector<float> llrs(size);
  for (auto& llr : llrs) {
    llr = normal(rng);
  }
  return llrs;
}

TEST(PuschDescrambler, FlipsSignsWhereTheGoldSequenceIsOne) {
  std::mt19937 rng(11);
  const std::uint32_t inits[] = {
      0, 1, 0x12345, pusch_scrambling_init(65535, 1023), 0x7fffffffU, 0xffffffffU};
  const std::size_t lengths[] = {0, 1, 15, 16, 31, 32, 33, 255, 256, 257, 511, 1000, 20011};
  for (const std::uint32_t c_init : inits) {
    for (const std::size_t length : lengths) {
      const std::vector<float> input = random_llrs(length, rng);
      std::vector<float> output = input;
      descramble_llrs(output, c_init);
      BitVector sequence(length);
      gold_sequence(c_init, sequence);
      for (std::size_t i = 0; i < length; ++i) {
        ASSERT_EQ(std::abs(output[i]), std::abs(input[i]));
        ASSERT_EQ(std::signbit(output[i]), std::signbit(input[i]) != (sequence[i] == 1))
            << "c_init " << c_init << ", length " << length << ", i " << i;
      }
    }
  }
}

TEST(PuschDescrambler, UndoesScramblingOfHardBits) {
  std::mt19937 rng(3);
  const std::size_t length = 12345;
  BitVector bits(length);
  for (auto& bit : bits) {
    bit = static_cast<bit_t>(rng() & 1U);
  }
  BitVector scrambled = bits;
  const std::uint32_t c_init = pusch_scrambling_init(1337, 42);
  scramble_bits(scrambled, c_init);
  std::vector<float> llrs(length);
  for (std::size_t i = 0; i < length; ++i) {
    llrs[i] = scrambled[i] == 0 ? 3.5f : -3.5f;
  }
  descramble_llrs(llrs, c_init);
  for (std::size_t i = 0; i < length; ++i) {
    ASSERT_EQ(llrs[i] < 0.0f ? 1 : 0, bits[i]) << i;
  }
}

TEST(PuschDescrambler, IsItsOwnInverseAndDependsOnTheInitialisation) {
  std::mt19937 rng(5);
  const std::vector<float> input = random_llrs(4099, rng);
  std::vector<float> twice = input;
  descramble_llrs(twice, 77);
  descramble_llrs(twice, 77);
  EXPECT_EQ(twice, input);
  std::vector<float> a = input;
  std::vector<float> b = input;
  descramble_llrs(a, 77);
  descramble_llrs(b, 78);
  EXPECT_NE(a, b);
}

// The CUDA descrambler's unit of work (one Gold word from gold_sequence_word per 32 LLRs, as
// threads do it in any order) gives descramble_llrs's output bit for bit, zeros and infinities
// included.
TEST(PuschDescrambler, WordParallelDescramblingEqualsTheSequentialOne) {
  const GoldJumpTable table = make_gold_jump_table();
  std::mt19937 rng(4);
  for (const std::size_t size : {1UL, 31UL, 32UL, 33UL, 1000UL, 62913UL}) {
    auto llrs = random_llrs(size, rng);
    llrs[0] = 0.0F;
    llrs[size / 2] = INFINITY;
    const std::uint32_t c_init = pusch_scrambling_init(static_cast<std::uint16_t>(rng()), 77);
    auto expected = llrs;
    descramble_llrs(expected, c_init);
    const auto words = (size + 31) / 32;
    for (std::size_t w = words; w-- > 0;) { // any order
      const auto count = static_cast<unsigned>(std::min<std::size_t>(32, size - 32 * w));
      descramble_llr_word(llrs.data() + 32 * w, count,
                          gold_sequence_word(table, c_init, static_cast<std::uint32_t>(32 * w)));
    }
    EXPECT_EQ(std::memcmp(llrs.data(), expected.data(), size * sizeof(float)), 0) << size;
  }
}

// The CUDA demapper's descrambling (the LLRs of one RE and layer, Q_m of them starting at any
// codeword index, from the sequence as packed words) gives descramble_llrs's output bit for bit,
// for every Q_m and every offset inside a word, up to the codeword's last LLR.
TEST(PuschDescrambler, DescramblingFromPackedWordsEqualsTheSequentialOne) {
  const GoldJumpTable table = make_gold_jump_table();
  std::mt19937 rng(9);
  for (const std::size_t size : {1UL, 40UL, 629000UL}) {
    auto llrs = random_llrs(size, rng);
    llrs[0] = 0.0F;
    llrs[size - 1] = -INFINITY;
    const std::uint32_t c_init = pusch_scrambling_init(static_cast<std::uint16_t>(rng()), 511);
    auto expected = llrs;
    descramble_llrs(expected, c_init);
    std::vector<std::uint32_t> words((size + 31) / 32);
    for (std::size_t w = 0; w < words.size(); ++w) {
      words[w] = gold_sequence_word(table, c_init, static_cast<std::uint32_t>(32 * w));
    }
    for (const unsigned qm : {1U, 2U, 4U, 6U, 8U, 10U, 32U}) {
      auto output = llrs;
      for (std::size_t first = 0; first < size; first += qm) {
        const auto count = static_cast<unsigned>(std::min<std::size_t>(qm, size - first));
        descramble_llrs_from_words(output.data() + first, count, first, words.data());
      }
      EXPECT_EQ(std::memcmp(output.data(), expected.data(), size * sizeof(float)), 0)
          << "size " << size << ", Q_m " << qm;
    }
  }
}

// Parts of a codeword descrambled from their own start index (jump-ahead), and the thread-pool
// split, give the whole-codeword result bit for bit; a start that is not a word boundary is an
// error.
TEST(PuschDescrambler, PartsAndThreadsEqualOnePass) {
  std::mt19937 rng(23);
  ThreadPool pool(2);
  for (const std::size_t size : {100UL, 16384UL, 70001UL, 628992UL}) {
    const auto llrs = random_llrs(size, rng);
    const std::uint32_t c_init = pusch_scrambling_init(static_cast<std::uint16_t>(rng()), 5);
    auto expected = llrs;
    descramble_llrs(expected, c_init);
    auto parts = llrs;
    const std::size_t split = (size / 3) / 32 * 32;
    descramble_llrs(std::span(parts).first(split), c_init, 0);
    descramble_llrs(std::span(parts).subspan(split), c_init, static_cast<std::uint32_t>(split));
    EXPECT_EQ(std::memcmp(parts.data(), expected.data(), size * sizeof(float)), 0) << size;
    auto threaded = llrs;
    const long before = airan::test::allocation_count();
    descramble_llrs(threaded, c_init, pool);
    EXPECT_EQ(airan::test::allocation_count() - before, 0) << "no allocation per call";
    EXPECT_EQ(std::memcmp(threaded.data(), expected.data(), size * sizeof(float)), 0) << size;
  }
  std::vector<float> some(64, 1.0F);
  EXPECT_THROW(descramble_llrs(some, 1, 33), std::invalid_argument);
}

} // namespace
