// Base graph selection, TB CRC choice and code block segmentation: cases worked out by hand from
// the formulas of TS 38.212 5.2.2, 6.2.1 and 6.2.2.
#include "airan/phy/code_block_segmentation.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <numeric>

using namespace airan::phy;

namespace {

TEST(BaseGraphSelection, Ts38212Rule) {
  EXPECT_EQ(select_ldpc_base_graph(292, 0.95), LdpcBaseGraph::bg2); // A <= 292
  EXPECT_EQ(select_ldpc_base_graph(293, 0.95), LdpcBaseGraph::bg1);
  EXPECT_EQ(select_ldpc_base_graph(3824, 0.67), LdpcBaseGraph::bg2); // A <= 3824, R <= 0.67
  EXPECT_EQ(select_ldpc_base_graph(3824, 0.68), LdpcBaseGraph::bg1);
  EXPECT_EQ(select_ldpc_base_graph(3825, 0.5), LdpcBaseGraph::bg1);
  EXPECT_EQ(select_ldpc_base_graph(100000, 0.25), LdpcBaseGraph::bg2); // R <= 0.25
  EXPECT_EQ(select_ldpc_base_graph(100000, 0.26), LdpcBaseGraph::bg1);
}

TEST(TransportBlockCrc, SixteenUpTo3824Bits) {
  EXPECT_EQ(transport_block_crc_polynomial(3824), CrcPolynomial::crc16);
  EXPECT_EQ(transport_block_crc_polynomial(3825), CrcPolynomial::crc24a);
}

// A = 9992, R = 0.5: B = 10016 > 8448, C = ceil(10016 / 8424) = 2, B' = 10064, K' = 5032,
// Z >= 5032 / 22 = 228.7 -> 240 (i_LS 7), K = 5280, 248 filler bits.
TEST(CodeBlockSegmentation, Bg1TwoBlocks) {
  const auto seg = segment_code_blocks(10016, LdpcBaseGraph::bg1);
  EXPECT_EQ(seg.num_code_blocks, 2u);
  EXPECT_EQ(seg.cb_crc_length, 24u);
  EXPECT_EQ(seg.num_info_bits, 5032u);
  EXPECT_EQ(seg.num_payload_bits(), 5008u);
  EXPECT_EQ(seg.num_systematic_columns, 22u);
  EXPECT_EQ(seg.lifting_size, 240u);
  EXPECT_EQ(seg.lifting_set_index, 7u);
  EXPECT_EQ(seg.num_systematic_bits, 5280u);
  EXPECT_EQ(seg.num_filler_bits(), 248u);
}

// A = 112: B = 128, one block, K_b = 6 (B <= 192), Z >= 21.3 -> 22 (i_LS 5), K = 220.
TEST(CodeBlockSegmentation, Bg2SmallBlock) {
  const auto seg = segment_code_blocks(128, LdpcBaseGraph::bg2);
  EXPECT_EQ(seg.num_code_blocks, 1u);
  EXPECT_EQ(seg.cb_crc_length, 0u);
  EXPECT_EQ(seg.num_info_bits, 128u);
  EXPECT_EQ(seg.num_systematic_columns, 6u);
  EXPECT_EQ(seg.lifting_size, 22u);
  EXPECT_EQ(seg.lifting_set_index, 5u);
  EXPECT_EQ(seg.num_systematic_bits, 220u);
  EXPECT_EQ(seg.num_filler_bits(), 92u);
}

// K_b of BG2: 10 above 640, 9 above 560, 8 above 192, else 6.
TEST(CodeBlockSegmentation, Bg2SystematicColumnThresholds) {
  EXPECT_EQ(segment_code_blocks(641, LdpcBaseGraph::bg2).num_systematic_columns, 10u);
  EXPECT_EQ(segment_code_blocks(640, LdpcBaseGraph::bg2).num_systematic_columns, 9u);
  EXPECT_EQ(segment_code_blocks(561, LdpcBaseGraph::bg2).num_systematic_columns, 9u);
  EXPECT_EQ(segment_code_blocks(560, LdpcBaseGraph::bg2).num_systematic_columns, 8u);
  EXPECT_EQ(segment_code_blocks(193, LdpcBaseGraph::bg2).num_systematic_columns, 8u);
  EXPECT_EQ(segment_code_blocks(192, LdpcBaseGraph::bg2).num_systematic_columns, 6u);
  // B = 640: Z >= 640 / 9 = 71.1 -> 72 (i_LS 4).
  EXPECT_EQ(segment_code_blocks(640, LdpcBaseGraph::bg2).lifting_size, 72u);
}

// B = 20016 with BG2: C = ceil(20016 / 3816) = 6, B' = 20160, K' = 3360, K_b = 10,
// Z >= 336 -> 352 (i_LS 5), K = 3520.
TEST(CodeBlockSegmentation, Bg2SixBlocks) {
  const auto seg = segment_code_blocks(20016, LdpcBaseGraph::bg2);
  EXPECT_EQ(seg.num_code_blocks, 6u);
  EXPECT_EQ(seg.num_info_bits, 3360u);
  EXPECT_EQ(seg.lifting_size, 352u);
  EXPECT_EQ(seg.num_systematic_bits, 3520u);
}

TEST(CodeBlockSegmentation, LimitsOfOneBlock) {
  const auto largest = segment_code_blocks(8448, LdpcBaseGraph::bg1);
  EXPECT_EQ(largest.num_code_blocks, 1u);
  EXPECT_EQ(largest.lifting_size, 384u);
  EXPECT_EQ(largest.num_filler_bits(), 0u);
  EXPECT_EQ(segment_code_blocks(3840, LdpcBaseGraph::bg2).num_code_blocks, 1u);
  // B = 8449: C = 2 and B' = 8497 is odd, which no valid TBS produces.
  EXPECT_THROW(segment_code_blocks(8449, LdpcBaseGraph::bg1), std::invalid_argument);
  EXPECT_THROW(segment_code_blocks(0, LdpcBaseGraph::bg1), std::invalid_argument);
}

TEST(CodeBlockSegmentation, CodeBlocksCarryTheirSliceAndACrc24b) {
  const auto seg = segment_code_blocks(10016, LdpcBaseGraph::bg1);
  BitVector tb(10016);
  for (std::size_t i = 0; i < tb.size(); ++i) {
    tb[i] = static_cast<bit_t>((i * 7 + i / 13) % 3 == 0);
  }
  const CrcCalculator crc24b(CrcPolynomial::crc24b);
  BitVector block(seg.num_info_bits);
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    extract_code_block(tb, seg, r, block);
    EXPECT_TRUE(
        std::equal(block.begin(), block.begin() + 5008, tb.begin() + std::ptrdiff_t{r} * 5008));
    EXPECT_TRUE(crc24b.check(block));
  }
  EXPECT_THROW(extract_code_block(tb, seg, 2, block), std::invalid_argument);
  // One code block: copied as is, no CRC added.
  const auto single = segment_code_blocks(128, LdpcBaseGraph::bg2);
  BitVector small_tb(128, 1);
  BitVector small_block(128, 0);
  extract_code_block(small_tb, single, 0, small_block);
  EXPECT_EQ(small_block, small_tb);
}

} // namespace
