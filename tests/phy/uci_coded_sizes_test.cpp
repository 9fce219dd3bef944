// Coded-bit sizes of UCI on PUSCH with UL-SCH (TS 38.212 6.3.2.4.1): worked examples computed by
// hand from the formulas, the alpha caps, the reservation for HARQ-ACK of at most 2 bits, and the
// counts of a real PUSCH mapping.
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/uci_coded_sizes.h"

#include <gtest/gtest.h>

namespace {

using namespace airan::phy;

/// 10 PRBs, 14 symbols, DMRS on symbols 2 and 11 (type A, pos1), one CDM group without data:
/// 12 symbols without DMRS x 120 REs, 10 of them after the first DMRS, 2 x 60 data REs on DMRS.
UciResourceCounts ten_prb_counts() {
  UciResourceCounts res;
  res.uci_res = 12 * 120;
  res.uci_res_from_l0 = 10 * 120;
  res.data_res = res.uci_res + 2 * 60;
  return res;
}

TEST(UciCodedSizes, HarqAckOfFourBitsFollowsTheBetaTerm) {
  PuschUciConfig uci;
  uci.harq_ack_bits = 4;
  uci.beta_offset_harq_ack = 9; // 12.625
  // ceil(4 * 12.625 * 1440 / 3840) = ceil(18.9375) = 19 REs per layer; QPSK, 1 layer.
  const UciCodedSizes s = uci_coded_sizes(uci, ten_prb_counts(), 3840, 1, 2);
  EXPECT_EQ(s.harq_ack, 38U);
  EXPECT_EQ(s.harq_ack_reserved, 0U);
  EXPECT_EQ(s.total, 1560U * 2);
  EXPECT_EQ(s.ulsch, s.total - 38);
}

TEST(UciCodedSizes, AlphaCapsHarqAckOverTheSymbolsAfterTheFirstDmrs) {
  PuschUciConfig uci;
  uci.harq_ack_bits = 11;
  uci.beta_offset_harq_ack = 15; // 126
  uci.alpha_scaling = 1;         // 0.65
  // Beta term ceil(11 * 126 * 1440 / 24) = 83160 > ceil(0.65 * 1200) = 780.
  const UciCodedSizes s = uci_coded_sizes(uci, ten_prb_counts(), 24, 2, 4);
  EXPECT_EQ(s.harq_ack, 780U * 2 * 4);
  // alpha 0.65 of 20 REs is exactly 13, not 14 (the sizes are computed in integers).
  UciResourceCounts twenty;
  twenty.uci_res = 20;
  twenty.uci_res_from_l0 = 20;
  twenty.data_res = 20;
  EXPECT_EQ(uci_coded_sizes(uci, twenty, 24, 1, 2).harq_ack, 13U * 2);
}

TEST(UciCodedSizes, ShortHarqAckReservesForTwoBitsAndPuncturesTheUlsch) {
  PuschUciConfig uci;
  uci.harq_ack_bits = 1;
  uci.beta_offset_harq_ack = 7; // 8
  uci.csi_part1_bits = 6;
  uci.beta_offset_csi1 = 13; // 6.25
  uci.csi_part2_bits = 5;
  uci.beta_offset_csi2 = 4; // 1.75
  // Q'_ACK = ceil(1 * 8 * 1440 / 1000) = 12; reserved as 2 bits: ceil(23.04) = 24.
  // Q'_CSI1 = min(ceil(6 * 6.25 * 1440 / 1000) = 54, 1440 - 24) = 54.
  // Q'_CSI2 = min(ceil(5 * 1.75 * 1440 / 1000) = ceil(12.6) = 13, 1440 - 54) = 13.
  const UciCodedSizes s = uci_coded_sizes(uci, ten_prb_counts(), 1000, 1, 6);
  EXPECT_EQ(s.harq_ack, 12U * 6);
  EXPECT_EQ(s.harq_ack_reserved, 24U * 6);
  EXPECT_EQ(s.csi_part1, 54U * 6);
  EXPECT_EQ(s.csi_part2, 13U * 6);
  // The short HARQ-ACK punctures: the UL-SCH is rate matched around the CSI only.
  EXPECT_EQ(s.ulsch, s.total - (54U + 13U) * 6);
}

TEST(UciCodedSizes, CsiCapsLeaveRoomForTheHarqAckBeforeThem) {
  PuschUciConfig uci;
  uci.harq_ack_bits = 3;
  uci.beta_offset_harq_ack = 15; // 126 -> capped at alpha * 1200 = 600 (alpha 0.5)
  uci.alpha_scaling = 0;
  uci.csi_part1_bits = 11;
  uci.beta_offset_csi1 = 18; // 20
  uci.csi_part2_bits = 11;
  uci.beta_offset_csi2 = 18;
  const UciCodedSizes s = uci_coded_sizes(uci, ten_prb_counts(), 100, 1, 2);
  // alpha * 1440 = 720: HARQ-ACK 600, CSI part 1 gets 120, CSI part 2 nothing.
  EXPECT_EQ(s.harq_ack, 600U * 2);
  EXPECT_EQ(s.csi_part1, 120U * 2);
  EXPECT_EQ(s.csi_part2, 0U);
}

TEST(UciCodedSizes, NoUciLeavesEveryBitToTheUlsch) {
  const UciCodedSizes s = uci_coded_sizes({}, ten_prb_counts(), 3840, 2, 6);
  EXPECT_EQ(s.ulsch, s.total);
  EXPECT_EQ(s.harq_ack + s.harq_ack_reserved + s.csi_part1 + s.csi_part2, 0U);
}

TEST(UciCodedSizes, CountsTheRealMappingOfATypeAPusch) {
  CellConfig cell;
  cell.num_prbs = 10;
  PuschConfig pusch;
  pusch.bwp_size = 10;
  pusch.prb_size = 10;
  pusch.dmrs_additional_position = 1; // DMRS on symbols 2 and 11
  pusch.num_dmrs_cdm_groups_no_data = 1;
  const UciResourceCounts res = uci_resource_counts(make_pusch_re_mapping(cell, pusch));
  const UciResourceCounts want = ten_prb_counts();
  EXPECT_EQ(res.uci_res, want.uci_res);
  EXPECT_EQ(res.uci_res_from_l0, want.uci_res_from_l0);
  EXPECT_EQ(res.data_res, want.data_res);
}

TEST(UciCodedSizes, PuschSizesUseTheCodeBlocksOfTheTransportBlock) {
  CellConfig cell;
  cell.num_prbs = 10;
  PuschConfig pusch;
  pusch.bwp_size = 10;
  pusch.prb_size = 10;
  pusch.dmrs_additional_position = 1;
  pusch.mcs_table = McsTable::qam64;
  pusch.mcs_index = 9; // QPSK
  pusch.uci.harq_ack_bits = 4;
  pusch.uci.beta_offset_harq_ack = 9;
  // TBS 1032 + CRC16 = 1048 bits, one BG2 block (R < 0.67): K_b = 10, Z = 112 -> K = 1120.
  const UciCodedSizes s = pusch_coded_sizes(cell, pusch, 1032);
  // ceil(4 * 12.625 * 1440 / 1120) = ceil(64.93) = 65.
  EXPECT_EQ(s.harq_ack, 65U * 2);
}

} // namespace
