// DFT-s-OFDM through the FAPI L1: PARAM's dftsOfdmSupport, transform-precoded PDUs decoded by the
// CPU receiver, also beside a detector that mirrors the CPU front end (the CUDA front end: its
// DFT-s-OFDM PDUs run on the CPU front end), and refused with MSG_SLOT_ERR (their CRC failed,
// the slot's other PDUs decoded) behind a detector that takes CP-OFDM only (neural receiver).
#include "../support/iq_detector.h"
#include "l1_phy_test_harness.h"

#include <algorithm>
#include <atomic>

namespace airan::l1 {
namespace {

using io::FapiErrorCode;
using io::FapiMessageType;
using test::PhyHarness;

phy::PuschConfig dfts_pusch(std::uint32_t handle, unsigned prbs, unsigned mcs, bool pi2bpsk) {
  phy::PuschConfig pusch = test::harness_pusch(handle, 2);
  pusch.transform_precoding = true;
  pusch.mcs_table = phy::McsTable::transform_precoding_qam64;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.pusch_identity = 3;
  pusch.prb_size = prbs;
  pusch.mcs_index = mcs;
  pusch.tp_pi2bpsk = pi2bpsk;
  return pusch;
}

TEST(FapiPhyDftsOfdm, CpuReceiverAnnouncesAndDecodesDftsOfdm) {
  PhyHarness h;
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->dfts_ofdm_support, 1);
  h.configure_and_start();
  // pi/2-BPSK on 2 PRBs (12-value DMRS table), 16-QAM on 12 PRBs (Zadoff-Chu DMRS).
  test::expect_pdu_decodes(h, 0, 0, dfts_pusch(40, 2, 1, true));
  test::expect_pdu_decodes(h, 0, 1, dfts_pusch(41, 12, 12, false));
}

TEST(FapiPhyDftsOfdm, BesideTheCudaFrontEndDftsOfdmRunsOnTheCpuFrontEnd) {
  std::atomic<unsigned> loads{0};
  std::atomic<unsigned> grid_calls{0};
  std::atomic<unsigned> loaded_calls{0};
  FapiPhyConfig config = test::harness_phy_config();
  const phy::CellConfig cell = test::harness_cell();
  config.receiver.detector = [&](const phy::PuschFrontEndLimits& limits, unsigned) {
    return std::make_unique<airan::test::IqDetector>(
        cell, PhyHarness::rx, limits, loads, grid_calls, loaded_calls, /*refuses_dfts_ofdm=*/true,
        /*mirrors=*/true);
  };
  config.receiver.detector_mirrors_front_end = true;
  PhyHarness h(config);
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->dfts_ofdm_support, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, dfts_pusch(60, 12, 12, false));
  EXPECT_EQ(loads.load() + grid_calls.load() + loaded_calls.load(), 0U) << "not the detector's";
  test::expect_slot_decodes(h, 0, 1, 61); // CP-OFDM: the detector's
  EXPECT_EQ(grid_calls.load() + loaded_calls.load(), 1U);
}

TEST(FapiPhyDftsOfdm, BehindADetectorDftsOfdmIsRefusedWithSlotError) {
  FapiPhyConfig config = test::harness_phy_config();
  config.receiver.detector = [](const phy::PuschFrontEndLimits&, unsigned) {
    return std::make_unique<test::ZeroLlrDetector>();
  };
  PhyHarness h(config);
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->dfts_ofdm_support, 0);
  h.configure_and_start();
  const phy::PuschConfig pusch = dfts_pusch(50, 12, 12, false);
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  const auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  (void)h.push_signal(0, 0, pusch, 50);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].handle, 50U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  EXPECT_EQ(h.phy().counters().pdus_decoded, 0U);
}

// An L1 wired to announce DFT-s-OFDM beside a detector that does not take it refuses CONFIG
// (MSG_INVALID_CONFIG) instead of failing every such PDU later.
TEST(FapiPhyDftsOfdm, AnnouncingDftsOfdmForADetectorThatRefusesItFailsConfig) {
  FapiPhyConfig config = test::harness_phy_config();
  config.receiver.detector = [](const phy::PuschFrontEndLimits&, unsigned) {
    return std::make_unique<test::ZeroLlrDetector>();
  };
  config.receiver.detector_mirrors_front_end = true; // wrong: ZeroLlrDetector does not mirror
  PhyHarness h(config);
  h.send(io::FapiParamRequest{});
  const auto param = h.wait_for(FapiMessageType::param_response);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->dfts_ofdm_support, 1);
  h.send(io::to_fapi_config_request(h.cell(), PhyHarness::rx));
  const auto response = h.wait_for(FapiMessageType::config_response);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->response_code, FapiErrorCode::msg_invalid_config);
  EXPECT_EQ(h.phy().counters().config_rejected, 1U);
}

} // namespace
} // namespace airan::l1
