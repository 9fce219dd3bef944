// A UL_TTI.request PDU with a field out of range is refused alone: the L1 answers it (a failed
// CRC.indication, UCI.indication with the parts failed, one ERROR.indication with the request's
// SFN and slot) and still decodes the request's other PDUs. What a report needs (an RNTI, a
// harqProcessID that CRC.indication can carry) still refuses the message, and that
// ERROR.indication also names the request's SFN and slot.
#include "l1_phy_test_harness.h"

namespace airan::l1 {
namespace pdu_refusal_test {
namespace {

using io::FapiErrorCode;
using io::FapiMessageType;
using test::PhyHarness;

TEST(FapiPhyPduRefusal, AFieldOutOfRangeRefusesItsPduAloneAndTheOthersAreDecoded) {
  PhyHarness h;
  h.configure_and_start();
  const phy::PuschConfig good = test::harness_pusch(10, 2);
  io::FapiUlTtiRequest request = h.ul_tti(0, 0, std::span(&good, 1));
  // rvIndex 4 (0 .. 3), new data.
  io::FapiPuschPdu& bad_rv = request.pusch[1];
  bad_rv = request.pusch[0];
  bad_rv.handle = 11;
  bad_rv.rnti = 0x4602;
  bad_rv.data->rv_index = 4;
  // AlphaScaling 4 (0 .. 3) on a PDU with two HARQ-ACK bits.
  io::FapiPuschPdu& bad_alpha = request.pusch[2];
  bad_alpha = request.pusch[0];
  bad_alpha.handle = 12;
  bad_alpha.rnti = 0x4603;
  io::FapiPuschUci& uci = bad_alpha.uci.emplace();
  uci.harq_ack_bit_length = 2;
  uci.alpha_scaling = 4;
  // prachFormat 14 (0 .. 13).
  request.prach[0].num_prach_ocas = 1;
  request.prach[0].prach_format = 14;
  request.num_prach = 1;
  for (std::uint8_t i = 0; i < 4; ++i) {
    (i < 3 ? request.pusch_pdu_index[i] : request.prach_pdu_index[0]) = i;
  }
  request.num_pusch = 3;
  h.send(request);
  auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.message_id, static_cast<std::uint8_t>(FapiMessageType::ul_tti_request));
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  EXPECT_EQ(error->error.sfn, 0);
  EXPECT_EQ(error->error.slot, 0);

  // harqProcessID 16 refuses the whole request (no CRC.indication could carry it): its
  // ERROR.indication names the request's slot (0, 4), not the L1's (0, 0).
  const phy::PuschConfig later = test::harness_pusch(20, 1);
  auto bytes = h.encode(h.ul_tti(0, 4, std::span(&later, 1)));
  // PHY header 2 + message header 6 + UL_TTI fields 9 + pduType/pduSize 4, then offset 83.
  const std::size_t harq_offset = 2 + 6 + 9 + 4 + 83;
  ASSERT_EQ(bytes.at(harq_offset), 1);
  bytes[harq_offset] = 16;
  h.send_raw(bytes);
  error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, FapiErrorCode::msg_slot_err);
  EXPECT_EQ(error->error.sfn, 0);
  EXPECT_EQ(error->error.slot, 4);

  const auto tb = h.push_signal(0, 0, good, 99);
  const auto rx_data = h.wait_for(FapiMessageType::rx_data_indication);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  const auto uci_indication = h.wait_for(FapiMessageType::uci_indication);
  ASSERT_TRUE(rx_data && crc && uci_indication);
  ASSERT_EQ(crc->crcs.size(), 3U);
  EXPECT_EQ(crc->crcs[0].handle, 10U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  EXPECT_EQ(rx_data->payloads[0], tb);
  for (unsigned i = 1; i < 3; ++i) {
    EXPECT_EQ(crc->crcs[i].handle, 10U + i);
    EXPECT_EQ(crc->crcs[i].tb_crc_status, 1);
    EXPECT_EQ(crc->crcs[i].harq_id, 2);
    EXPECT_TRUE(rx_data->payloads[i].empty());
  }
  ASSERT_EQ(uci_indication->uci_pusch.size(), 1U);
  const io::FapiUciPusch& failed = uci_indication->uci_pusch[0];
  EXPECT_EQ(failed.handle, 12U);
  ASSERT_TRUE(failed.harq);
  EXPECT_EQ(failed.harq->bit_length, 2U);
  EXPECT_EQ(failed.harq->crc, io::FapiUciPart::crc_fail);
  test::expect_slot_decodes(h, 0, 1, 31);

  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.pdus_rejected, 3U); // two PUSCH PDUs and the PRACH PDU
  EXPECT_EQ(c.undecodable_messages, 1U);
  EXPECT_EQ(c.error_indications_sent, 2U);
  EXPECT_EQ(c.crc_ok, 2U);
}

} // namespace
} // namespace pdu_refusal_test
} // namespace airan::l1
