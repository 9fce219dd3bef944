// A retransmission keeps the LDPC base graph of its transport block's first transmission (TS
// 38.212 6.2.2: "for initial transmission ... and subsequent re-transmission of the same
// transport block"), whatever its own MCS gives. A 3752-bit TB first sent at R 0.70 (BG1: A <=
// 3824 but R > 0.67) and retransmitted at R 0.64 with 16-QAM (which alone would select BG2)
// combines with the first and decodes; before, the receiver laid the retransmission out as BG2,
// refused to combine it and released the buffer, and every later retransmission failed.
#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace ulsch_harq_base_graph_test {

using namespace airan::phy;

/// LLRs of a noise-free codeword, the first \p erased of them zero (not received).
std::vector<float> llrs_with_erasures(const BitVector& codeword, std::size_t erased) {
  std::vector<float> llrs(codeword.size());
  for (std::size_t i = erased; i < codeword.size(); ++i) {
    llrs[i] = codeword[i] == 0 ? 8.0F : -8.0F;
  }
  return llrs;
}

TEST(UlschHarqBaseGraph, ARetransmissionKeepsTheFirstTransmissionsBaseGraph) {
  std::mt19937 rng(11);
  // TBS 3752 (Table 5.1.3.2-1), 64-QAM at R 0.702 into G 5394, then 16-QAM at R 0.643 into 5872.
  const UlschCodingConfig initial{3752, 0.702, 6, 1, 0, 5394, 0};
  UlschCodingConfig retransmission{3752, 0.643, 4, 1, 2, 5872, 0};
  ASSERT_EQ(select_ldpc_base_graph(initial.tbs, initial.target_code_rate), LdpcBaseGraph::bg1);
  ASSERT_EQ(select_ldpc_base_graph(retransmission.tbs, retransmission.target_code_rate),
            LdpcBaseGraph::bg2);
  auto encoder = create_ulsch_encoder();
  auto decoder = create_ulsch_decoder(8448);
  const BitVector tb = airan::test::random_tb_bits(initial.tbs, rng);
  BitVector first(initial.g);
  encoder->encode(tb, initial, first);
  UlschCodingConfig sent = retransmission; // the UE keeps BG1
  sent.base_graph = LdpcBaseGraph::bg1;
  BitVector second(retransmission.g);
  encoder->encode(tb, sent, second);

  HarqBufferPool pool(1, ulsch_soft_buffer_length(initial));
  const HarqProcessKey key{0x4601, 3};
  UlschDecoderConfig cfg;
  cfg.max_iterations = 10;
  BitVector decoded(initial.tbs);
  cfg.coding = initial; // most of the first transmission lost: it cannot decode alone
  const auto alone = decode_ulsch_with_harq(*decoder, llrs_with_erasures(first, initial.g * 3 / 4),
                                            cfg, pool, key, true, decoded);
  EXPECT_FALSE(alone.tb_crc_ok);
  ASSERT_NE(pool.find(key), nullptr);
  cfg.coding = retransmission; // as the MAC describes it: its own MCS, no base graph
  const auto combined = decode_ulsch_with_harq(*decoder, llrs_with_erasures(second, 0), cfg, pool,
                                               key, false, decoded);
  EXPECT_EQ(combined.num_transmissions, 2U);
  EXPECT_TRUE(combined.tb_crc_ok);
  EXPECT_EQ(decoded, tb);
}

} // namespace ulsch_harq_base_graph_test
