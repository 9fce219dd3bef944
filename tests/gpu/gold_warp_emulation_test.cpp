// The Gold sequence's warp-shared jump (gold_warp_elements.h; gold_warp.cuh runs it with
// __reduce_xor_sync) on an emulated warp (front_end_emulation_warp.h): 32 lanes, each with its own
// registers, sharing each jump matrix's columns through the warp's XOR reduction, then running on
// to its own word. Lane l's words must be phy's sequential Gold sequence from c(n + 32 l), for
// start indices n from 0 to 2^32 - 1 (from the sequential generator, except far starts other than
// 2^31: from phy's single-thread jump, CPU-tested against the generator) and c_init with its
// ignored bit 31 set or not. So the jump that DMRS generation and descrambling use on the device
// is checked in CI without a GPU. CUDA-free.
#include "airan/phy/gold_sequence.h"
#include "airan/phy/gold_sequence_jump.h"

#include "front_end_emulation_warp.h"
#include "gold_warp_elements.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

namespace {

using airan::gpu::detail::gold_jump_column_share;
using airan::gpu::detail::warp_gold_word_cursor;
using airan::phy::bit_t;
using airan::phy::GoldJumpTable;
using emulation_test::EmulatedWarp;

/// Words each lane draws from its cursor: its own and the next ones (its neighbours' first words).
constexpr unsigned words_per_lane = 3;

/// How a test's expected words are made.
enum class Reference {
  generator, ///< phy's sequential generator from c(0) (0.4 s to step to 2^31).
  cursor,    ///< phy's single-thread jump to c(n) (phy::gold_word_cursor), then word after word.
};

/// \p count words of c from c(\p n) on by \p reference: bit i of word w is c(n + 32 w + i).
std::vector<std::uint32_t> sequential_words(const GoldJumpTable& table, std::uint32_t c_init,
                                            std::uint32_t n, unsigned count, Reference reference) {
  std::vector<std::uint32_t> words(count, 0U);
  if (reference == Reference::cursor) {
    airan::phy::GoldWordCursor cursor = airan::phy::gold_word_cursor(table, c_init, n);
    for (std::uint32_t& word : words) {
      word = cursor.next_word();
    }
    return words;
  }
  airan::phy::GoldSequenceGenerator generator(c_init, n);
  std::vector<bit_t> bits(32 * std::size_t{count});
  generator.generate(bits);
  for (std::size_t i = 0; i < bits.size(); ++i) {
    words[i / 32] |= std::uint32_t{bits[i]} << (i % 32);
  }
  return words;
}

/// Each lane's first words_per_lane words after warp_gold_word_cursor(c_init, n) on \p warp:
/// [lane][word]. Fails the test when the lanes did not meet at the same reductions.
std::array<std::array<std::uint32_t, words_per_lane>, EmulatedWarp::lanes>
warp_words(EmulatedWarp& warp, const GoldJumpTable& table, std::uint32_t c_init, std::uint32_t n) {
  std::array<std::array<std::uint32_t, words_per_lane>, EmulatedWarp::lanes> words{};
  const bool met = warp.run([&](EmulatedWarp::Lane& lane) {
    airan::phy::GoldWordCursor cursor = warp_gold_word_cursor(table, c_init, n, lane.index(), lane);
    for (std::uint32_t& word : words[lane.index()]) {
      word = cursor.next_word();
    }
  });
  EXPECT_TRUE(met) << "the lanes did not reach the same reductions";
  return words;
}

/// Expects lane l's words of the warp at (c_init, n) to be the sequential words from n + 32 l
/// (\p reference's).
void expect_warp_matches_sequence(EmulatedWarp& warp, const GoldJumpTable& table,
                                  std::uint32_t c_init, std::uint32_t n,
                                  Reference reference = Reference::generator) {
  SCOPED_TRACE(testing::Message() << "c_init " << c_init << " n " << n);
  const auto words = warp_words(warp, table, c_init, n);
  const std::vector<std::uint32_t> expected =
      sequential_words(table, c_init, n, EmulatedWarp::lanes + words_per_lane - 1, reference);
  for (unsigned lane = 0; lane < EmulatedWarp::lanes; ++lane) {
    for (unsigned w = 0; w < words_per_lane; ++w) {
      ASSERT_EQ(words[lane][w], expected[lane + w]) << "lane " << lane << " word " << w;
    }
  }
}

TEST(GoldWarpEmulation, LaneWordsEqualTheSequentialSequence) {
  const GoldJumpTable table = airan::phy::make_gold_jump_table();
  EmulatedWarp warp;
  std::mt19937 rng(31);
  // c_init: 0, all 31 bits, and bit 31 set (ignored: the register takes 31 bits), then random.
  std::vector<std::uint32_t> inits = {0U, 0x7fffffffU, 1U, 0x80000000U, 0xffffffffU, 0x12345678U};
  for (int i = 0; i < 4; ++i) {
    inits.push_back(rng() & 0x7fffffffU);
  }
  // Starts at the edges of a word and of the first levels, in every init.
  for (const std::uint32_t n : {0U, 1U, 31U, 32U, 33U, 63U, 1023U, 1024U, 4096U + 17U}) {
    for (const std::uint32_t c_init : inits) {
      expect_warp_matches_sequence(warp, table, c_init, n);
    }
  }
  // Far starts: 2^31 from the sequential generator; random ones up to 2^31 and the highest
  // levels (up to 2^32 - 1) against phy's single-thread jump, two inits each.
  expect_warp_matches_sequence(warp, table, 0x2345678U, 0x80000000U);
  std::vector<std::uint32_t> far = {0x7fffffffU, 0x80000000U, 0xfffffbffU, 0xffffffffU};
  for (int i = 0; i < 8; ++i) {
    far.push_back(rng() & 0x7fffffffU);
  }
  for (std::size_t i = 0; i < far.size(); ++i) {
    for (const std::size_t k : {i, i + 3}) {
      expect_warp_matches_sequence(warp, table, inits[k % inits.size()], far[i], Reference::cursor);
    }
  }
}

// The lanes' shares of one jump matrix: the XOR of the 32 is the single thread's jump
// (phy::gold_jump of one level), for both sequences' matrices at every level.
TEST(GoldWarpEmulation, LaneSharesAddUpToTheMatrixProduct) {
  const GoldJumpTable table = airan::phy::make_gold_jump_table();
  std::mt19937 rng(7);
  for (unsigned k = 0; k < airan::phy::gold_jump_levels; ++k) {
    for (int trial = 0; trial < 8; ++trial) {
      const std::uint32_t x = trial == 0 ? 0x7fffffffU : rng() & 0x7fffffffU;
      std::uint32_t x1 = 0;
      std::uint32_t x2 = 0;
      for (unsigned lane = 0; lane < EmulatedWarp::lanes; ++lane) {
        x1 ^= gold_jump_column_share(table.x1[k], x, lane);
        x2 ^= gold_jump_column_share(table.x2[k], x, lane);
      }
      ASSERT_EQ(x1, airan::phy::gold_jump(table.x1, x, std::uint64_t{1} << k)) << "level " << k;
      ASSERT_EQ(x2, airan::phy::gold_jump(table.x2, x, std::uint64_t{1} << k)) << "level " << k;
    }
  }
}

// The emulated warp's exchanges: a reduction every lane reaches completes, one that a lane
// leaves out fails the warp instead of hanging.
TEST(GoldWarpEmulation, EmulatedWarpNeedsEveryLane) {
  EmulatedWarp warp;
  std::array<std::uint32_t, EmulatedWarp::lanes> got{};
  EXPECT_TRUE(warp.run([&](EmulatedWarp::Lane& lane) {
    const std::uint32_t sum = lane(1U << lane.index());
    got[lane.index()] = lane(sum + lane.index(), 31 - lane.index()); // from lane 31 - l
  }));
  for (unsigned lane = 0; lane < EmulatedWarp::lanes; ++lane) {
    EXPECT_EQ(got[lane], 0xffffffffU + (31 - lane)) << lane;
  }
  EXPECT_FALSE(warp.run([](EmulatedWarp::Lane& lane) {
    if (lane.index() != 5) {
      (void)lane(1U);
    }
  }));
  // And the next run of the same lanes starts afresh.
  EXPECT_TRUE(warp.run([](EmulatedWarp::Lane& lane) { (void)lane(1U); }));
}

} // namespace
