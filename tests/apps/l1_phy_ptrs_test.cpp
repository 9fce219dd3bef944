// PT-RS through the FAPI L1: PARAM's puschMaxPtrsPorts, a PT-RS PDU decoded by the CPU receiver
// (also beside a detector that mirrors the CPU front end, where it runs on the CPU front end),
// and refused with MSG_SLOT_ERR (its CRC failed) behind a detector that does not track phase
// (the neural receiver), where PARAM announces no PT-RS port.
#include "../support/iq_detector.h"
#include "l1_phy_test_harness.h"

#include <algorithm>
#include <atomic>

namespace airan::l1 {
namespace {

using io::FapiErrorCode;
using io::FapiMessageType;
using test::PhyHarness;

phy::PuschConfig ptrs_pusch(std::uint32_t handle) {
  phy::PuschConfig pusch = test::harness_pusch(handle, 2);
  pusch.ptrs.enabled = true;
  pusch.ptrs.time_density = 2;
  pusch.ptrs.frequency_density = 4;
  pusch.ptrs.re_offset = 2;
  return pusch;
}

TEST(FapiPhyPtrs, CpuReceiverAnnouncesAndDecodesPtrs) {
  PhyHarness h;
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->max_ptrs_ports, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, ptrs_pusch(70));
}

TEST(FapiPhyPtrs, BesideTheCudaFrontEndPtrsRunsOnTheCpuFrontEnd) {
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
  EXPECT_EQ(param->max_ptrs_ports, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, ptrs_pusch(71));
  EXPECT_EQ(grid_calls.load() + loaded_calls.load(), 0U) << "not the detector's";
}

TEST(FapiPhyPtrs, BehindADetectorPtrsIsRefusedWithSlotError) {
  FapiPhyConfig config = test::harness_phy_config();
  config.receiver.detector = [](const phy::PuschFrontEndLimits&, unsigned) {
    return std::make_unique<test::ZeroLlrDetector>();
  };
  PhyHarness h(config);
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->max_ptrs_ports, 0);
  h.configure_and_start();
  const phy::PuschConfig pusch = ptrs_pusch(72);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  const auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  (void)h.push_signal(0, 0, pusch, 72);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].handle, 72U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  EXPECT_EQ(h.phy().counters().pdus_decoded, 0U);
}

} // namespace
} // namespace airan::l1
