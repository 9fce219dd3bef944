// DFT-s-OFDM through the FAPI L1: PARAM's dftsOfdmSupport, transform-precoded PDUs decoded by the
// CPU receiver, also beside a detector that mirrors the CPU front end (the CUDA front end: its
// DFT-s-OFDM PDUs run on the CPU front end), and refused with MSG_SLOT_ERR (their CRC failed,
// the slot's other PDUs decoded) behind a detector that takes CP-OFDM only (neural receiver).
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
  test::MirroringDetector detector;
  PhyHarness h(detector.config());
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->dfts_ofdm_support, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, dfts_pusch(60, 12, 12, false));
  EXPECT_EQ(detector.loads.load() + detector.grid_calls.load() + detector.loaded_calls.load(), 0U)
      << "not the detector's";
  test::expect_slot_decodes(h, 0, 1, 61); // CP-OFDM: the detector's
  EXPECT_EQ(detector.grid_calls.load() + detector.loaded_calls.load(), 1U);
}

TEST(FapiPhyDftsOfdm, BehindADetectorDftsOfdmIsRefusedWithSlotError) {
  PhyHarness h(test::zero_llr_detector_config());
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->dfts_ofdm_support, 0);
  h.configure_and_start();
  test::expect_pdu_refused_with_slot_error(h, dfts_pusch(50, 12, 12, false));
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
