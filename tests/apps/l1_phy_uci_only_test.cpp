// A PUSCH without UL-SCH (UCI only) through the FAPI L1: PARAM announces uciOnlyPusch; an
// accepted PDU gets a UCI.indication PDU with its CSI and neither RX_DATA nor CRC.indication (no
// TB, no HARQ); a refused one (more layers than the L1 receives) gets one ERROR.indication
// MSG_SLOT_ERR, a UCI.indication PDU whose parts failed and no CRC either. Behind a detector that
// is no copy of the CPU front end and UL-SCH decoders of the receiver's own (the neural receiver
// on CUDA), PARAM announces UCI when the configuration says the detector hands a UCI PDU's LLRs
// to the host, and such a PDU then decodes.
#include "airan/phy/ulsch_decoder.h"

#include "l1_phy_test_harness.h"

#include <atomic>
#include <memory>

namespace airan::l1 {
namespace {

using test::PhyHarness;

/// A CSI report without UL-SCH on PRBs 12..23: 11-bit CSI part 1, 20-bit (polar) CSI part 2.
phy::PuschConfig uci_only_l1_pusch(std::uint32_t handle) {
  phy::PuschConfig pusch = test::harness_pusch(handle, 5);
  pusch.prb_start = 12;
  pusch.ulsch = false;
  pusch.uci.csi_part1_bits = 11;
  pusch.uci.csi_part2_bits = 20;
  pusch.uci.beta_offset_csi1 = 6;
  pusch.uci.beta_offset_csi2 = 6;
  return pusch;
}

/// Neither RX_DATA nor CRC.indication came (a slot without TBs gets none).
void expect_no_tb_indications(const PhyHarness& h) {
  for (const auto& message : h.log()) {
    EXPECT_NE(message.type, io::FapiMessageType::crc_indication);
    EXPECT_NE(message.type, io::FapiMessageType::rx_data_indication);
  }
}

TEST(FapiPhyUciOnly, AnAcceptedPduGetsItsUciAndNoCrc) {
  PhyHarness h;
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->capabilities.uci_only_pusch, 1);
  EXPECT_EQ(param->capabilities.uci_mux_ulsch_in_pusch, 1);
  h.configure_and_start();
  const phy::PuschConfig pusch = uci_only_l1_pusch(90);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  (void)h.push_signal(0, 0, pusch, 7);
  const auto uci = h.wait_for(io::FapiMessageType::uci_indication);
  ASSERT_TRUE(uci);
  expect_no_tb_indications(h);
  ASSERT_EQ(uci->uci_pusch.size(), 1U);
  const io::FapiUciPusch& pdu = uci->uci_pusch[0];
  EXPECT_EQ(pdu.handle, 90U);
  EXPECT_FALSE(pdu.harq.has_value());
  ASSERT_TRUE(pdu.csi_part1 && pdu.csi_part2);
  EXPECT_EQ(pdu.csi_part1->crc, io::FapiUciPart::crc_not_present); // noiseless: detected
  EXPECT_EQ(pdu.csi_part2->crc, io::FapiUciPart::crc_pass);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.pdus_decoded, 1U);
  EXPECT_EQ(c.crc_ok + c.crc_failed, 0U);
  EXPECT_EQ(c.pdus_rejected, 0U);
  EXPECT_EQ(c.error_indications_sent, 0U);
}

TEST(FapiPhyUciOnly, ARefusedPduGetsFailedUciAndNoCrc) {
  PhyHarness h;
  h.configure_and_start();
  phy::PuschConfig pusch = uci_only_l1_pusch(91);
  pusch.num_layers = 2; // the L1 receives 1 layer
  pusch.dmrs_ports = 0x3;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  phy::CellConfig two_ports = test::harness_cell();
  two_ports.num_antenna_ports = 2;
  io::FapiUlTtiRequest request;
  ASSERT_TRUE(io::to_fapi_pusch_pdu(pusch, two_ports, request.pusch[0]).ok());
  request.num_pusch = 1;
  h.send(request);
  const auto error = h.wait_for(io::FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, io::FapiErrorCode::msg_slot_err);
  (void)h.push_signal(0, 0, uci_only_l1_pusch(92), 7); // the slot's samples
  const auto uci = h.wait_for(io::FapiMessageType::uci_indication);
  ASSERT_TRUE(uci);
  expect_no_tb_indications(h);
  ASSERT_EQ(uci->uci_pusch.size(), 1U);
  EXPECT_EQ(uci->uci_pusch[0].handle, 91U);
  ASSERT_TRUE(uci->uci_pusch[0].csi_part1.has_value());
  EXPECT_EQ(uci->uci_pusch[0].csi_part1->crc, io::FapiUciPart::crc_fail);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.pdus_rejected, 1U);
  EXPECT_EQ(c.crc_ok + c.crc_failed, 0U);
}

TEST(FapiPhyUciOnly, BehindADetectorWithItsOwnDecodersUciIsAnnouncedWhenItTakesIt) {
  std::atomic<unsigned> loads{0};
  std::atomic<unsigned> grid_calls{0};
  std::atomic<unsigned> loaded_calls{0};
  FapiPhyConfig config = test::harness_phy_config();
  const phy::CellConfig cell = test::harness_cell();
  config.receiver.detector = [&, cell](const phy::PuschFrontEndLimits& limits, unsigned) {
    return std::make_unique<airan::test::IqDetector>(cell, PhyHarness::rx, limits, loads,
                                                     grid_calls, loaded_calls,
                                                     /*refuses_dfts_ofdm=*/false,
                                                     /*mirrors=*/false,
                                                     /*takes_ptrs_hopping_uci=*/true);
  };
  config.receiver.ulsch_decoder.make = [](std::uint32_t max_tbs, const phy::HarqBufferPool&) {
    return phy::create_ulsch_decoder(max_tbs);
  };
  {
    PhyHarness unannounced(config);
    const auto param = test::param_response(unannounced);
    ASSERT_TRUE(param);
    EXPECT_EQ(param->capabilities.uci_mux_ulsch_in_pusch, 0);
    EXPECT_EQ(param->capabilities.uci_only_pusch, 0);
  }
  config.receiver.detector_takes_uci = true;
  PhyHarness h(config);
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->capabilities.uci_mux_ulsch_in_pusch, 1);
  EXPECT_EQ(param->capabilities.uci_only_pusch, 1);
  h.configure_and_start();
  const phy::PuschConfig pusch = uci_only_l1_pusch(93);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  (void)h.push_signal(0, 0, pusch, 7);
  const auto uci = h.wait_for(io::FapiMessageType::uci_indication);
  ASSERT_TRUE(uci);
  ASSERT_EQ(uci->uci_pusch.size(), 1U);
  ASSERT_TRUE(uci->uci_pusch[0].csi_part2.has_value());
  EXPECT_EQ(uci->uci_pusch[0].csi_part2->crc, io::FapiUciPart::crc_pass);
  EXPECT_EQ(grid_calls.load() + loaded_calls.load(), 1U) << "the detector's";
  EXPECT_EQ(h.phy().counters().pdus_rejected, 0U);
}

} // namespace
} // namespace airan::l1
