// Intra-slot frequency hopping through the FAPI L1: PARAM's puschFrequencyHopping, a hopping PDU
// (puschSecondHopPRB in the FAPIv3 maintenance part) decoded by the CPU receiver, also beside a
// detector that mirrors the CPU front end (where it runs on the CPU front end), and refused with
// MSG_SLOT_ERR behind a detector that takes one allocation (the neural receiver), where PARAM
// announces no hopping.
#include "l1_phy_test_harness.h"

namespace airan::l1 {
namespace {

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
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->frequency_hopping, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, hopping_pusch(80));
}

// A mirroring detector that does not take hopping leaves such PDUs to the receiver's CPU front end.
TEST(FapiPhyHopping, BesideAMirroringDetectorHoppingRunsOnTheCpuFrontEnd) {
  test::MirroringDetector detector;
  PhyHarness h(detector.config());
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->frequency_hopping, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, hopping_pusch(81));
  EXPECT_EQ(detector.grid_calls.load() + detector.loaded_calls.load(), 0U) << "not the detector's";
}

// The CUDA front end estimates each hop on the device: the PDU is the detector's.
TEST(FapiPhyHopping, ADetectorThatTakesHoppingDecodesThePdu) {
  test::MirroringDetector detector;
  detector.takes_ptrs_hopping_uci = true;
  PhyHarness h(detector.config());
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->frequency_hopping, 1);
  h.configure_and_start();
  test::expect_pdu_decodes(h, 0, 0, hopping_pusch(82));
  EXPECT_EQ(detector.grid_calls.load() + detector.loaded_calls.load(), 1U) << "the detector's";
}

TEST(FapiPhyHopping, BehindADetectorHoppingIsRefusedWithSlotError) {
  PhyHarness h(test::zero_llr_detector_config());
  const auto param = test::param_response(h);
  ASSERT_TRUE(param);
  EXPECT_EQ(param->frequency_hopping, 0);
  h.configure_and_start();
  test::expect_pdu_refused_with_slot_error(h, hopping_pusch(82));
}

} // namespace
} // namespace airan::l1
