// HDF5 test vectors, fields added after the first layout: a retransmission's kept LDPC base graph
// round-trips (and reads as "selected" from vectors written before it), a CSI part 2 sized from
// part 1 is refused by the writer rather than dropped, a reused slot buffer does not keep the
// last file's expected_uci_ok, and the writer stops at the slot count the reader takes.
#include "test_vector_fixtures.h"

#include "airan/phy/pusch_config.h"
#include "airan/phy/tbs_calculator.h"

namespace test_vector_file_fields {

using namespace airan_test_vectors;
using TestVectorFields = TestVectorFileTest;
using airan::phy::LdpcBaseGraph;

LdpcBaseGraph other_graph(LdpcBaseGraph graph) {
  return graph == LdpcBaseGraph::bg1 ? LdpcBaseGraph::bg2 : LdpcBaseGraph::bg1;
}

TEST_F(TestVectorFields, ARetransmissionsKeptBaseGraphRoundTrips) {
  const auto file = path("kept_graph.h5");
  const auto h = make_header(2);
  auto s = make_slot(h, 0, false, false);
  auto& retransmission = s.pdus[0].config;
  const auto tbs = static_cast<std::uint32_t>(s.pdus[0].tb_bits.size());
  const LdpcBaseGraph selected = airan::phy::pusch_ldpc_base_graph(retransmission, tbs);
  retransmission.new_data_indicator = false;
  retransmission.rv = 2;
  retransmission.ldpc_base_graph = other_graph(selected); // the first transmission's
  s.pdus[1].config.ldpc_base_graph = selected;            // the same graph, stated
  write_vector(file, h, {s});
  const TestVectorReader reader(file);
  TestVectorSlot back;
  reader.read_slot(0, back);
  ASSERT_EQ(back.pdus.size(), 2U);
  ASSERT_TRUE(back.pdus[0].config.ldpc_base_graph.has_value());
  EXPECT_EQ(*back.pdus[0].config.ldpc_base_graph, other_graph(selected));
  EXPECT_EQ(airan::phy::pusch_ldpc_base_graph(back.pdus[0].config, tbs), other_graph(selected));
  EXPECT_FALSE(back.pdus[0].config.new_data_indicator);
  ASSERT_TRUE(back.pdus[1].config.ldpc_base_graph.has_value());
  EXPECT_EQ(*back.pdus[1].config.ldpc_base_graph, selected);

  // A vector written before the attribute existed: the graph TS 38.212 7.2.2 selects.
  const fs::path old =
      fs::path(AIRAN_TESTVECTOR_DIR).parent_path() / "vectors" / "tdl-b100_40mhz_1x4_16qam.h5";
  TestVectorReader(old).read_slot(0, back);
  for (const auto& pdu : back.pdus) {
    EXPECT_FALSE(pdu.config.ldpc_base_graph.has_value());
  }
}

TEST_F(TestVectorFields, ACsiPart2SizedFromPart1IsRefusedNotDropped) {
  const auto file = path("csi_part2_sizing.h5");
  const auto h = make_header(2);
  TestVectorWriter writer(file, h);
  auto s = make_slot(h, 0, false, false);
  auto& uci = s.pdus[0].config.uci;
  uci.csi_part1_bits = 4;
  uci.beta_offset_csi1 = 10;
  uci.beta_offset_csi2 = 10;
  s.pdus[0].csi_part1_bits = {1, 0, 1, 1};
  uci.csi_part2_sizing.num_reports = 1; // part 2 sized from part 1 bits [0, 2)
  uci.csi_part2_sizing.reports[0].fields[0] = {0, 2};
  uci.csi_part2_sizing.reports[0].num_fields = 1;
  try {
    writer.write_slot(s);
    ADD_FAILURE() << "a PDU whose CSI part 2 size comes from part 1 was written";
  } catch (const TestVectorError& e) {
    EXPECT_NE(std::string(e.what()).find("csi_part2_sizing is not stored"), std::string::npos)
        << e.what();
  }
  uci.csi_part2_sizing = {}; // the size the UE sent instead: written and read back
  uci.csi_part2_bits = 3;
  s.pdus[0].csi_part2_bits = {0, 1, 1};
  writer.write_slot(s);
  writer.close();
  TestVectorSlot back;
  TestVectorReader(file).read_slot(0, back);
  EXPECT_EQ(back.pdus[0].config.uci, uci);
}

TEST_F(TestVectorFields, AReusedSlotDoesNotKeepTheLastFilesExpectedUciOk) {
  const auto file = path("uci_expected_to_fail.h5");
  const auto h = make_header(2);
  auto s = make_slot(h, 0, false, false);
  s.pdus[0].config.uci.harq_ack_bits = 2;
  s.pdus[0].harq_ack_bits = {1, 0};
  s.pdus[0].expected_uci_ok = false;
  write_vector(file, h, {s});
  TestVectorSlot reused;
  TestVectorReader(file).read_slot(0, reused);
  ASSERT_FALSE(reused.pdus[0].expected_uci_ok);
  // Committed before expected_uci_ok existed: every UCI payload is expected right.
  const fs::path old =
      fs::path(AIRAN_TESTVECTOR_DIR).parent_path() / "vectors" / "tdl-b100_40mhz_1x4_16qam.h5";
  TestVectorReader(old).read_slot(0, reused);
  ASSERT_FALSE(reused.pdus.empty());
  EXPECT_TRUE(reused.pdus[0].expected_uci_ok);
}

} // namespace test_vector_file_fields
