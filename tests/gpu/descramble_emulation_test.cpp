// The descrambling kernels (descramble_kernels.cu) run on the host: each thread's code
// (descramble_elements.h) on emulated warps, block after block and warp after warp as the
// kernels' grids hold them (front_end_emulation_scrambling.h). The scrambling words that the
// demapper descrambles with (ScramblingWordsLaunch, default on) against phy's scrambling sequence
// word for word, and the separate descrambling pass (descramble_kernel: each lane's word, then the
// warp's shuffle transpose) against phy::descramble_llrs bit for bit, for codewords of several
// RNTIs, n_IDs and lengths (not all multiples of 32, some past a block). CUDA-free.
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_scrambler.h"

#include "descramble_elements.h"
#include "front_end_emulation_scrambling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <span>
#include <vector>

namespace {

using namespace airan::gpu::detail;
using airan::phy::bit_t;
using airan::phy::GoldJumpTable;
using namespace emulation_test;

/// A codeword: its scrambling initialisation and its length G in LLRs.
struct Codeword {
  std::uint16_t rnti = 0;
  std::uint16_t n_id = 0;
  std::size_t count = 0;
};

std::vector<Codeword> codewords() {
  constexpr std::size_t block_llrs = 32 * std::size_t{descramble_block}; // 8192
  return {
      {0x4601, 0, 1},
      {1, 1, 31},
      {0xffff, 1023, 32},
      {0x4601, 500, 33},
      {17921, 500, 777},
      {0x1234, 17, block_llrs},
      {0xfffe, 1022, block_llrs + 1},
      {2, 3, 3 * block_llrs - 7},
      {0x4601, 0, 70000},
  };
}

/// phy's scrambling sequence of \p c_init as packed words: scramble_bits() on zeros, bit i of
/// word w the sequence's bit 32 w + i, over \p num_words words.
std::vector<std::uint32_t> scrambling_sequence_words(std::uint32_t c_init, std::size_t num_words) {
  std::vector<bit_t> bits(32 * num_words, 0);
  airan::phy::scramble_bits(bits, c_init);
  std::vector<std::uint32_t> words(num_words, 0U);
  for (std::size_t i = 0; i < bits.size(); ++i) {
    words[i / 32] |= std::uint32_t{bits[i]} << (i % 32);
  }
  return words;
}

TEST(DescrambleEmulation, ScramblingWordsEqualPhysSequence) {
  const GoldJumpTable table = airan::phy::make_gold_jump_table();
  EmulatedWarp warp;
  constexpr std::uint32_t untouched = 0xdeadbeefU;
  for (const Codeword& c : codewords()) {
    SCOPED_TRACE(testing::Message() << "rnti " << c.rnti << " n_id " << c.n_id << " G " << c.count);
    const std::uint32_t c_init = airan::phy::pusch_scrambling_init(c.rnti, c.n_id);
    const std::size_t num_words = llr_words(c.count);
    // A guard of words after the codeword's: the kernel must not write there.
    std::vector<std::uint32_t> buffer(num_words + 64, untouched);
    std::uint32_t* words = buffer.data();
    emulate_scrambling_words(warp, table, c_init, c.count, words);
    const std::vector<std::uint32_t> expected = scrambling_sequence_words(c_init, num_words);
    for (std::size_t w = 0; w < num_words; ++w) {
      ASSERT_EQ(buffer[w], expected[w]) << "word " << w;
    }
    for (std::size_t w = num_words; w < buffer.size(); ++w) {
      ASSERT_EQ(buffer[w], untouched) << "written past the codeword: word " << w;
    }
    // As the demapper uses them: the LLRs descrambled from the words are phy's descrambler's.
    std::vector<float> llrs(c.count);
    for (std::size_t i = 0; i < c.count; ++i) {
      llrs[i] = static_cast<float>(i % 7) - 3.0F;
    }
    std::vector<float> from_words = llrs;
    for (std::size_t i = 0; i < c.count; i += 5) {
      const auto n = static_cast<unsigned>(std::min<std::size_t>(5, c.count - i));
      airan::phy::descramble_llrs_from_words(from_words.data() + i, n, i, words);
    }
    airan::phy::descramble_llrs(llrs, c_init);
    EXPECT_EQ(std::memcmp(from_words.data(), llrs.data(), c.count * sizeof(float)), 0);
  }
}

TEST(DescrambleEmulation, DescramblingPassEqualsPhysDescrambler) {
  const GoldJumpTable table = airan::phy::make_gold_jump_table();
  EmulatedWarp warp;
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0F, 4.0F);
  for (const Codeword& c : codewords()) {
    SCOPED_TRACE(testing::Message() << "rnti " << c.rnti << " n_id " << c.n_id << " G " << c.count);
    const std::uint32_t c_init = airan::phy::pusch_scrambling_init(c.rnti, c.n_id);
    // LLRs with zeros of both signs, infinities and a NaN among them, and a guard after them.
    std::vector<float> buffer(c.count + 64);
    for (float& llr : buffer) {
      llr = normal(rng);
    }
    buffer[0] = -0.0F;
    buffer[c.count / 2] = std::numeric_limits<float>::infinity();
    buffer[c.count / 3] = std::numeric_limits<float>::quiet_NaN();
    buffer[c.count - 1] = 0.0F;
    std::vector<float> expected = buffer;
    airan::phy::descramble_llrs(std::span(expected.data(), c.count), c_init);
    emulate_descramble(warp, table, buffer.data(), c.count, c_init);
    EXPECT_EQ(std::memcmp(buffer.data(), expected.data(), buffer.size() * sizeof(float)), 0);
  }
}

} // namespace
