// Intra-slot frequency hopping through the FAPI L1: PARAM's puschFrequencyHopping, a hopping PDU
// (puschSecondHopPRB in the FAPIv3 maintenance part) decoded by the CPU receiver, also beside a
// detector that mirrors the CPU front end (where it runs on the CPU front end), and refused with
// MSG_SLOT_ERR behind a detector that takes one allocation (the neural receiver), where PARAM
// announces no hopping.
#include "../support/iq_detector.h"
#include "l1_phy_test_harness.h"

#include <atomic>

namespace airan::l1 {
namespace {

using io::FapiErrorCode;
using io::FapiMessageType;
using test::PhyHarness;

/// 12 PRBs from PRB 0, then from PRB 12 in the second half of the slot.
phy::PuschConfig hopping_pusch(std::uint32_t handle) {
  phy::PuschConfig pusch = test::harness_pusch(handle, 2);
  pusch.intra_slot_hopping = true;
  pusch.second_hop_prb_start = 12;
  return pusch;
}

TEST(FapiPhyHopping, CpuReceiverAnnouncesAndDecodesHopping) {
  PhyHarness h;
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->frequency_hopping, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, hopping_pusch(80));
}

TEST(FapiPhyHopping, BesideTheCudaFrontEndHoppingRunsOnTheCpuFrontEnd) {
  std::atomic<unsigned> loads{0};
  std::atomic<unsigned> grid_calls{0};
  std::atomic<unsigned> loaded_calls{0};
  FapiPhyConfig config = test::harness_phy_config();
  const phy::CellConfig cell = test::harness_cell();
  config.receiver.detector = [&](const phy::PuschFrontEndLimits& limits, unsigned) {
    return std::make_unique<airan::test::IqDetector>(cell, PhyHarness::rx, limits, loads,
                                                     grid_calls, loaded_calls,
                                                     /*refuses_dfts_ofdm=*/true, /*mirrors=*/true);
  };
  config.receiver.detector_mirrors_front_end = true;
  PhyHarness h(config);
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->frequency_hopping, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, hopping_pusch(81));
  EXPECT_EQ(grid_calls.load() + loaded_calls.load(), 0U) << "not the detector's";
}

TEST(FapiPhyHopping, BehindADetectorHoppingIsRefusedWithSlotError) {
  FapiPhyConfig config = test::harness_phy_config();
  config.receiver.detector = [](const phy::PuschFrontEndLimits&, unsigned) {
    return std::make_unique<test::ZeroLlrDetector>();
  };
  PhyHarness h(config);
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->frequency_hopping, 0);
  h.configure_and_start();
  const phy::PuschConfig pusch = hopping_pusch(82);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  const auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  (void)h.push_signal(0, 0, pusch, 82);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].handle, 82U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  EXPECT_EQ(h.phy().counters().pdus_decoded, 0U);
}

} // namespace
} // namespace airan::l1
