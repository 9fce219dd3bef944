// UL-SCH encoder: the chain against a straightforward composition of its stages (full-length
// encoding, the specification's selection loop, explicit offsets), end-to-end properties of the
// systematic bits, state independence and argument checks.
#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

using namespace airan::phy;

namespace {

using airan::test::random_tb_bits;

/// TS 38.212 6.2 step by step, without any of the encoder's shortcuts.
BitVector reference_ulsch(const BitVector& tb, const UlschCodingConfig& cfg) {
  const CrcCalculator tb_crc(transport_block_crc_polynomial(cfg.tbs));
  BitVector b(tb.size() + tb_crc.length());
  std::copy(tb.begin(), tb.end(), b.begin());
  tb_crc.attach(b);
  const auto graph = select_ldpc_base_graph(cfg.tbs, cfg.target_code_rate);
  const auto seg = segment_code_blocks(static_cast<std::uint32_t>(b.size()), graph);
  const unsigned z = seg.lifting_size;
  const unsigned n = ldpc_codeword_length(graph, z);
  const unsigned n_cb =
      cfg.tbs_lbrm == 0 ? n : std::min(n, 3 * cfg.tbs_lbrm / (2 * seg.num_code_blocks));
  const unsigned k0 = ldpc_rv_start_position(graph, z, n_cb, cfg.rv);
  auto encoder = create_ldpc_encoder();
  BitVector codeword;
  const unsigned per_symbol = cfg.num_layers * cfg.modulation_order;
  const unsigned c = seg.num_code_blocks;
  for (unsigned r = 0; r < c; ++r) {
    BitVector block(seg.num_info_bits);
    extract_code_block(b, seg, r, block);
    BitVector d(n);
    encoder->encode(block, {graph, z, seg.num_info_bits}, d);
    const unsigned symbols = cfg.g / per_symbol;
    const unsigned e_length = r <= c - symbols % c - 1 ? per_symbol * (symbols / c)
                                                       : per_symbol * ((symbols + c - 1) / c);
    BitVector e;
    for (unsigned j = 0; e.size() < e_length; ++j) {
      const bit_t bit = d[(k0 + j) % n_cb];
      if (bit != ldpc_filler_bit) {
        e.push_back(bit);
      }
    }
    const unsigned q_m = cfg.modulation_order;
    for (unsigned j = 0; j < e_length / q_m; ++j) {
      for (unsigned i = 0; i < q_m; ++i) {
        codeword.push_back(e[i * (e_length / q_m) + j]);
      }
    }
  }
  return codeword;
}

struct ChainCase {
  std::uint32_t tbs;
  double rate;
  unsigned q_m;
  unsigned layers;
  unsigned rv;
  std::uint32_t g;
  std::uint32_t tbs_lbrm;
};

TEST(UlschEncoder, MatchesTheStageByStageReference) {
  const ChainCase cases[] = {
      {112, 0.3, 2, 1, 0, 624, 0},       // BG2, one block, heavy repetition
      {1000, 0.5, 4, 2, 1, 2400, 0},     // BG2, rv 1
      {9992, 0.5, 4, 1, 2, 20004, 0},    // BG1, two blocks of different E, rv 2
      {9992, 0.5, 6, 1, 3, 20004, 8000}, // limited buffer, rv 3
      {19992, 0.2, 2, 2, 0, 60000, 0},   // BG2, six blocks
      {60000, 0.9, 8, 4, 0, 67200, 0},   // BG1, high rate: few parity bits
      {24000, 0.8, 2, 1, 0, 200, 0},     // three code blocks of very few bits
  };
  std::mt19937 rng(7);
  auto encoder = create_ulsch_encoder();
  for (const auto& test : cases) {
    const UlschCodingConfig cfg{test.tbs, test.rate, test.q_m,     test.layers,
                                test.rv,  test.g,    test.tbs_lbrm};
    const BitVector tb = random_tb_bits(test.tbs, rng);
    BitVector codeword(test.g);
    encoder->encode(tb, cfg, codeword);
    EXPECT_EQ(codeword, reference_ulsch(tb, cfg)) << "TBS " << test.tbs << " G " << test.g;
  }
}

// With rv 0, Q_m = 1 and one code block, the codeword starts with bits 2Z.. of the TB followed
// by the TB CRC, and the TB CRC holds.
TEST(UlschEncoder, SystematicBitsComeFirst) {
  std::mt19937 rng(3);
  const std::uint32_t tbs = 3000;
  const BitVector tb = random_tb_bits(tbs, rng);
  const UlschCodingConfig cfg{tbs, 0.5, 1, 1, 0, 6000, 0};
  BitVector codeword(cfg.g);
  create_ulsch_encoder()->encode(tb, cfg, codeword);
  const auto seg = segment_code_blocks(tbs + 16, LdpcBaseGraph::bg2);
  const unsigned punctured = 2 * seg.lifting_size;
  ASSERT_TRUE(std::equal(tb.begin() + punctured, tb.end(), codeword.begin()));
  BitVector with_crc = tb;
  with_crc.insert(with_crc.end(), codeword.begin() + (tbs - punctured),
                  codeword.begin() + (tbs - punctured + 16));
  EXPECT_TRUE(CrcCalculator(CrcPolynomial::crc16).check(with_crc));
}

TEST(UlschEncoder, ReusedEncoderGivesTheSameResult) {
  std::mt19937 rng(5);
  auto encoder = create_ulsch_encoder();
  const UlschCodingConfig big{99996, 0.7, 6, 2, 0, 150000, 0};
  const UlschCodingConfig small{200, 0.3, 2, 1, 0, 800, 0};
  const BitVector big_tb = random_tb_bits(big.tbs, rng);
  const BitVector small_tb = random_tb_bits(small.tbs, rng);
  BitVector first(big.g);
  BitVector second(big.g);
  BitVector small_first(small.g);
  BitVector small_second(small.g);
  encoder->encode(small_tb, small, small_first);
  encoder->encode(big_tb, big, first);
  encoder->encode(small_tb, small, small_second);
  encoder->encode(big_tb, big, second);
  EXPECT_EQ(first, second);
  EXPECT_EQ(small_first, small_second);
  BitVector fresh(small.g);
  create_ulsch_encoder()->encode(small_tb, small, fresh);
  EXPECT_EQ(fresh, small_first);
}

TEST(UlschEncoder, RejectsInconsistentArguments) {
  auto encoder = create_ulsch_encoder();
  BitVector tb(1000, 0);
  BitVector codeword(2400);
  const UlschCodingConfig good{1000, 0.5, 4, 2, 0, 2400, 0};
  EXPECT_NO_THROW(encoder->encode(tb, good, codeword));
  // A TBS whose TBS + CRC wraps in 32 bits is refused as too large (the soft buffer's length
  // too, which would otherwise come out as that of a 16-bit block).
  UlschCodingConfig wrapping = good;
  wrapping.tbs = 4294967288U;
  try {
    encoder->encode(tb, wrapping, codeword);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("above the largest UL-SCH TB"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)ulsch_soft_buffer_length(wrapping), std::invalid_argument);
  auto with = [&](auto change) {
    UlschCodingConfig cfg = good;
    change(cfg);
    return cfg;
  };
  EXPECT_THROW(encoder->encode(tb, with([](auto& c) { c.tbs = 999; }), codeword),
               std::invalid_argument);
  EXPECT_THROW(encoder->encode(tb, with([](auto& c) { c.g = 2399; }), codeword),
               std::invalid_argument);
  BitVector odd(2404);
  EXPECT_THROW(encoder->encode(tb, with([](auto& c) { c.g = 2404; }), odd), std::invalid_argument);
  EXPECT_THROW(encoder->encode(tb, with([](auto& c) { c.rv = 4; }), codeword),
               std::invalid_argument);
  EXPECT_THROW(encoder->encode(tb, with([](auto& c) { c.modulation_order = 0; }), codeword),
               std::invalid_argument);
}

} // namespace
