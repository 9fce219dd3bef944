// PT-RS through the FAPI L1: PARAM's puschMaxPtrsPorts, a PT-RS PDU decoded by the CPU receiver
// (also beside a detector that mirrors the CPU front end, where it runs on the CPU front end),
// and refused with MSG_SLOT_ERR (its CRC failed) behind a detector that does not track phase
// (the neural receiver), where PARAM announces no PT-RS port.
#include "l1_phy_test_harness.h"

namespace airan::l1 {
namespace {

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
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->max_ptrs_ports, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, ptrs_pusch(70));
}

// A mirroring detector that does not track PT-RS leaves such PDUs to the receiver's CPU front end.
TEST(FapiPhyPtrs, BesideAMirroringDetectorPtrsRunsOnTheCpuFrontEnd) {
  test::MirroringDetector detector;
  PhyHarness h(detector.config());
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->max_ptrs_ports, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, ptrs_pusch(71));
  EXPECT_EQ(detector.grid_calls.load() + detector.loaded_calls.load(), 0U) << "not the detector's";
}

// The CUDA front end tracks PT-RS on the device: the PDU is the detector's.
TEST(FapiPhyPtrs, ADetectorThatTracksPtrsDecodesThePdu) {
  test::MirroringDetector detector;
  detector.takes_ptrs_hopping_uci = true;
  PhyHarness h(detector.config());
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->max_ptrs_ports, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, ptrs_pusch(73));
  EXPECT_EQ(detector.grid_calls.load() + detector.loaded_calls.load(), 1U) << "the detector's";
}

TEST(FapiPhyPtrs, BehindADetectorPtrsIsRefusedWithSlotError) {
  PhyHarness h(test::zero_llr_detector_config());
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->max_ptrs_ports, 0);
  h.configure_and_start();
  test::expect_pdu_refused_with_slot_error(h, ptrs_pusch(72));
}

} // namespace
} // namespace airan::l1
