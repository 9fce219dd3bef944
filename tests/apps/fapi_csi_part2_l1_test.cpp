// CSI part 2 sized from CSI part 1 through the FAPI L1: CONFIG.request's UCI configuration
// (TLV 0x1036) is checked (an invalid map refuses the CONFIG) and kept; a PUSCH PDU with
// csiPart2BitLength 0xFFFF whose part 1 to part 2 correspondence the maps cannot size is refused
// (ERROR.indication MSG_SLOT_ERR, its CRC and CSI part 1 failed, no CSI part 2); one they size is
// decoded, its UCI.indication reporting the part 2 size its part 1 gave.
#include "l1_phy_test_harness.h"

namespace airan::l1 {
namespace {

using test::PhyHarness;

/// The harness cell's CONFIG.request with \p maps as its UCI configuration.
io::FapiConfigRequest csi2_l1_config(const PhyHarness& h, std::vector<io::FapiUciPart2Map> maps) {
  io::FapiConfigRequest config = io::to_fapi_config_request(h.cell(), PhyHarness::rx);
  config.uci_part2_maps = std::move(maps);
  return config;
}

/// harness_pusch() with an 11-bit CSI part 1 whose bit 0 sizes CSI part 2 by map \p map.
phy::PuschConfig csi2_l1_pusch(std::uint32_t handle, std::uint16_t map) {
  phy::PuschConfig pusch = test::harness_pusch(handle, 2);
  pusch.uci.csi_part1_bits = 11;
  pusch.uci.beta_offset_csi1 = 9;
  pusch.uci.beta_offset_csi2 = 9;
  phy::CsiPart2Sizing& sizing = pusch.uci.csi_part2_sizing;
  sizing.reports[0].fields[0] = {0, 1};
  sizing.reports[0].num_fields = 1;
  sizing.reports[0].map_index = map;
  sizing.num_reports = 1;
  return pusch;
}

/// \p pusch as its UE sends it: a CSI part 2 of \p bits bits (what any part 1 gives here).
phy::PuschConfig csi2_l1_ue(phy::PuschConfig pusch, unsigned bits) {
  pusch.uci.csi_part2_sizing = {};
  pusch.uci.csi_part2_bits = bits;
  return pusch;
}

TEST(FapiPhyCsiPart2, AnInvalidMapRefusesTheConfig) {
  PhyHarness h;
  // A part 2 of 1707 bits: more than a UCI payload.
  h.send(
      csi2_l1_config(h, {io::FapiUciPart2Map{{1}, {20, 20}}, io::FapiUciPart2Map{{1}, {5, 1707}}}));
  const auto response = h.wait_for(io::FapiMessageType::config_response);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->response_code, io::FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(h.phy().state(), PhyState::idle);
  EXPECT_EQ(h.phy().counters().config_rejected, 1U);
}

TEST(FapiPhyCsiPart2, APduTheMapsCannotSizeIsRefused) {
  PhyHarness h;
  h.configure_and_start(csi2_l1_config(h, {io::FapiUciPart2Map{{1}, {20, 20}}}));
  const phy::PuschConfig pusch = csi2_l1_pusch(61, 1); // map 1: not configured
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  const auto error = h.wait_for(io::FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, io::FapiErrorCode::msg_slot_err);
  (void)h.push_signal(0, 0, csi2_l1_ue(pusch, 20), 61);
  const auto crc = h.wait_for(io::FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  const auto uci = h.wait_for(io::FapiMessageType::uci_indication);
  ASSERT_TRUE(uci);
  ASSERT_EQ(uci->uci_pusch.size(), 1U);
  ASSERT_TRUE(uci->uci_pusch[0].csi_part1.has_value());
  EXPECT_EQ(uci->uci_pusch[0].csi_part1->crc, io::FapiUciPart::crc_fail);
  EXPECT_FALSE(uci->uci_pusch[0].csi_part2.has_value()); // its size is not known
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.pdus_rejected, 1U);
  EXPECT_EQ(c.pdus_decoded, 0U);
}

TEST(FapiPhyCsiPart2, TheReceiverSizesPart2ByConfigsMaps) {
  PhyHarness h;
  h.configure_and_start(csi2_l1_config(
      h, {io::FapiUciPart2Map{{2}, {1, 2, 3, 4}}, io::FapiUciPart2Map{{1}, {20, 20}}}));
  const phy::PuschConfig pusch = csi2_l1_pusch(62, 1);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  const auto tb = h.push_signal(0, 0, csi2_l1_ue(pusch, 20), 62);
  const auto rx_data = h.wait_for(io::FapiMessageType::rx_data_indication);
  const auto crc = h.wait_for(io::FapiMessageType::crc_indication);
  ASSERT_TRUE(rx_data && crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  ASSERT_EQ(rx_data->payloads.size(), 1U);
  EXPECT_EQ(rx_data->payloads[0], tb);
  const auto uci = h.wait_for(io::FapiMessageType::uci_indication);
  ASSERT_TRUE(uci);
  ASSERT_EQ(uci->uci_pusch.size(), 1U);
  const io::FapiUciPusch& pdu = uci->uci_pusch[0];
  EXPECT_EQ(pdu.handle, 62U);
  ASSERT_TRUE(pdu.csi_part1 && pdu.csi_part2);
  EXPECT_EQ(pdu.csi_part1->crc, io::FapiUciPart::crc_not_present); // 11 bits: no CRC
  EXPECT_EQ(pdu.csi_part2->bit_length, 20);
  EXPECT_EQ(pdu.csi_part2->crc, io::FapiUciPart::crc_pass);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.pdus_decoded, 1U);
  EXPECT_EQ(c.pdus_rejected, 0U);
  EXPECT_EQ(c.error_indications_sent, 0U);
}

} // namespace
} // namespace airan::l1
