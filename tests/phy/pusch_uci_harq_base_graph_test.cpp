// UCI on a retransmission that keeps its TB's first LDPC base graph (TS 38.212 6.2.2): the UCI's
// coded sizes (6.3.2.4.1, the sum of the code blocks' K_r) follow that graph, not the one the
// retransmission's own MCS would select. A 296-bit TB first sent at R 0.70 (BG1: A > 292, R >
// 0.67) and retransmitted at R 0.65 (BG2 by its own rate) with HARQ-ACK and CSI part 1: K is 330
// with BG1 and 400 with BG2, so the UCI takes other REs. The receiver takes the graph from the
// HARQ buffer, or from PuschConfig::ldpc_base_graph (FAPIv3 ldpcBaseGraph) without one; before,
// it laid the UCI out with BG2 and lost the UCI and the TB.
#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/uci_coded_sizes.h"

#include "../support/pusch_uci_link.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace pusch_uci_harq_base_graph_test {
namespace {

using namespace airan::phy;
using airan::test::Link;
using airan::test::Payload;
using airan::test::random_bits;
using airan::test::random_payload;

constexpr std::uint32_t tbs = 296;

PuschConfig first_transmission() {
  PuschConfig pusch = airan::test::make_uci_pusch(1, McsTable::qam64, 23); // 64-QAM, R 0.702
  pusch.tb_size_bits = tbs;
  pusch.harq_process_id = 5;
  return pusch;
}

/// The retransmission as a 222.10.02 MAC describes it: MCS 22 (R 0.650), HARQ-ACK and CSI part 1.
PuschConfig retransmission() {
  PuschConfig pusch = first_transmission();
  pusch.mcs_index = 22;
  pusch.new_data_indicator = false;
  pusch.uci.harq_ack_bits = 2;
  pusch.uci.csi_part1_bits = 8;
  pusch.uci.beta_offset_harq_ack = 9;
  pusch.uci.beta_offset_csi1 = 10;
  return pusch;
}

void expect_decoded(const PuschPduResult& r, const Payload& payload, const BitVector& tb) {
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.tb_crc_ok);
  EXPECT_EQ(r.tb_bits, tb);
  EXPECT_TRUE(r.uci.harq_ack_detected);
  EXPECT_EQ(r.uci.harq_ack, payload.ack);
  EXPECT_EQ(r.uci.csi_part1, payload.csi1);
}

TEST(PuschUciHarqBaseGraph, ARetransmissionsUciIsLaidOutWithItsTbsFirstBaseGraph) {
  std::mt19937_64 rng(23);
  Link link(airan::test::make_uci_cell(1));
  const PuschConfig first = first_transmission();
  const PuschConfig told = retransmission();
  PuschConfig sent = told; // the UE keeps BG1
  sent.ldpc_base_graph = LdpcBaseGraph::bg1;
  ASSERT_EQ(first.validate(link.cell), "");
  ASSERT_EQ(told.validate(link.cell), "");
  ASSERT_EQ(sent.validate(link.cell), "");
  const double rate_first = first.code_rate_x10240() / 10240.0;
  const double rate_told = told.code_rate_x10240() / 10240.0;
  ASSERT_EQ(select_ldpc_base_graph(tbs, rate_first), LdpcBaseGraph::bg1);
  ASSERT_EQ(select_ldpc_base_graph(tbs, rate_told), LdpcBaseGraph::bg2);
  // The two graphs put the UCI on different REs.
  ASSERT_NE(pusch_coded_sizes(link.cell, sent, tbs).harq_ack,
            pusch_coded_sizes(link.cell, told, tbs).harq_ack);

  const BitVector tb = random_bits(tbs, rng);
  const Payload none;
  // The first transmission drowned: its CRC fails, the HARQ buffer keeps it (as BG1).
  const PuschPduResult lost = link.run(first, none, tb, -40.0F, rng);
  ASSERT_EQ(lost.error, "");
  EXPECT_FALSE(lost.tb_crc_ok);
  const Payload payload = random_payload(told.uci, rng);
  expect_decoded(link.run(sent, payload, tb, 25.0F, rng, &told), payload, tb);

  // A FAPIv3 MAC's retransmission says the graph (ldpcBaseGraph) where no buffer holds the TB.
  Link fresh(airan::test::make_uci_cell(1));
  expect_decoded(fresh.run(sent, payload, tb, 25.0F, rng), payload, tb);
}

TEST(PuschUciHarqBaseGraph, ValidateRefusesABaseGraphNewDataCannotHave) {
  const CellConfig cell = airan::test::make_uci_cell(1);
  PuschConfig pusch = retransmission();
  pusch.ldpc_base_graph = LdpcBaseGraph::bg1;
  EXPECT_EQ(pusch.validate(cell), "");
  pusch.new_data_indicator = true; // new data takes the graph its TBS and rate select: BG2
  EXPECT_NE(pusch.validate(cell).find("LDPC base graph 1 of new data is not BG2"),
            std::string::npos)
      << pusch.validate(cell);
  pusch.ldpc_base_graph = LdpcBaseGraph::bg2;
  EXPECT_EQ(pusch.validate(cell), "");
  PuschConfig uci_only = pusch; // no UL-SCH: no TB, no graph
  uci_only.ulsch = false;
  uci_only.tb_size_bits = 0;
  EXPECT_NE(uci_only.validate(cell).find("without UL-SCH"), std::string::npos)
      << uci_only.validate(cell);
}

// A 7936-bit TB first sent at R > 0.25 (BG1: one code block) and retransmitted by a 222.10.02
// MAC with reserved MCS 29 at targetCodeRate 2000 (R 0.195, which alone selects BG2: three code
// blocks of B' 8032 bits, not a multiple of 3): the retransmission may have kept BG1, which the
// receiver takes from its HARQ buffer, so it is taken (a review found it refused); new data, or
// a retransmission that says BG2 (FAPIv3), is not.
TEST(PuschUciHarqBaseGraph, ARetransmissionOnlyItsFirstGraphSegmentsIsTaken) {
  const CellConfig cell = airan::test::make_uci_cell(1);
  PuschConfig pusch = airan::test::make_uci_pusch(1, McsTable::qam64, 29);
  pusch.tb_size_bits = 7936;
  pusch.target_code_rate_x10240 = 2000;
  pusch.new_data_indicator = false;
  pusch.rv = 2;
  ASSERT_EQ(select_ldpc_base_graph(7936, 2000 / 10240.0), LdpcBaseGraph::bg2);
  EXPECT_EQ(pusch.validate(cell), "");
  pusch.uci.harq_ack_bits = 2; // its UCI sized with BG1
  pusch.uci.beta_offset_harq_ack = 9;
  EXPECT_EQ(pusch.validate(cell), "");
  PuschConfig bg2 = pusch;
  bg2.ldpc_base_graph = LdpcBaseGraph::bg2;
  EXPECT_NE(bg2.validate(cell).find("cannot be segmented"), std::string::npos)
      << bg2.validate(cell);
  pusch.ldpc_base_graph = LdpcBaseGraph::bg1;
  EXPECT_EQ(pusch.validate(cell), "");
}

} // namespace
} // namespace pusch_uci_harq_base_graph_test
