// The FAPI L1's HARQ bookkeeping end to end: a PUSCH PDU with new data ends its process's
// previous TB even when this L1 does not decode it (a layer count it has no receiver for, a late
// UL_TTI.request); buffers age on every slot, busy or idle, and expire; START begins without any
// UE's HARQ state. Seen through L1Counters (buffers held after the last slot with work, buffers
// expired).
#include "l1_phy_test_harness.h"

namespace airan::l1 {
namespace {

using io::FapiMessageType;
using test::expect_slot_decodes;
using test::PhyHarness;

constexpr unsigned failed_process = 3; // expect_slot_decodes() uses HARQ process 2

/// A new TB of HARQ process 3 in (sfn, slot) whose samples carry another UE's transmission: the
/// CRC fails and the process keeps its buffer for a retransmission.
void fail_tb(PhyHarness& h, std::uint16_t sfn, std::uint16_t slot, std::uint32_t handle) {
  const phy::PuschConfig pusch = test::harness_pusch(handle, failed_process);
  h.send(h.ul_tti(sfn, slot, std::span(&pusch, 1)));
  phy::PuschConfig other_ue = pusch;
  other_ue.rnti = 0x4699; // other scrambling
  h.push_signal(sfn, slot, other_ue, handle);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  EXPECT_EQ(h.phy().counters().harq_buffers_in_use, 1U);
}

TEST(FapiPhyHarq, NewDataWithALayerCountWithoutReceiverEndsThePreviousTb) {
  PhyHarness h; // receivers for 1 layer only
  h.configure_and_start();
  fail_tb(h, 0, 0, 1);
  // The process's next TB (new data) comes with two layers: refused, and the old TB is over.
  phy::PuschConfig two_layers = test::harness_pusch(2, failed_process);
  two_layers.num_layers = 2;
  two_layers.dmrs_ports = 0b11;
  phy::CellConfig two_port_cell = h.cell();
  two_port_cell.num_antenna_ports = 2;
  io::FapiUlTtiRequest request = h.ul_tti(0, 1, {});
  ASSERT_TRUE(io::to_fapi_pusch_pdu(two_layers, two_port_cell, request.pusch[0]).ok());
  request.num_pusch = 1;
  h.send(request);
  ASSERT_TRUE(h.wait_for(FapiMessageType::error_indication));
  ASSERT_TRUE(h.samples().push_empty(0, 1, std::chrono::seconds(1)));
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  EXPECT_EQ(h.phy().counters().harq_buffers_in_use, 0U);
}

/// Sends \p pdu for slot (0, \p slot), expects its ERROR.indication MSG_SLOT_ERR and its TB
/// reported failed (an empty RX_DATA PDU and a failed CRC at that slot).
void expect_refused_and_failed(PhyHarness& h, std::uint16_t slot, const phy::PuschConfig& pdu) {
  h.send(h.ul_tti(0, slot, std::span(&pdu, 1)));
  const auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, io::FapiErrorCode::msg_slot_err);
  const auto failed_rx_data = h.wait_for(FapiMessageType::rx_data_indication);
  const auto failed_crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(failed_rx_data && failed_crc);
  ASSERT_EQ(failed_crc->crcs.size(), 1U);
  EXPECT_EQ(failed_crc->slot_number, slot);
  EXPECT_EQ(failed_crc->crcs[0].handle, pdu.handle);
  EXPECT_EQ(failed_crc->crcs[0].tb_crc_status, 1);
  ASSERT_EQ(failed_rx_data->payloads.size(), 1U);
  EXPECT_TRUE(failed_rx_data->payloads[0].empty());
}

TEST(FapiPhyHarq, NewDataInALateRequestEndsThePreviousTb) {
  PhyHarness h;
  h.configure_and_start();
  fail_tb(h, 0, 0, 1);
  ASSERT_TRUE(h.samples().push_empty(0, 1, std::chrono::seconds(1))); // slot 1: no request
  const auto on_air = h.wait_for(FapiMessageType::slot_indication);   // (0, 1) came before
  ASSERT_TRUE(on_air);
  ASSERT_EQ(on_air->slot.slot, 2);
  // A request for slot (0, 1), over, with new data for the process: too late to decode, but the
  // UE has moved on to a new TB.
  expect_refused_and_failed(h, 1, test::harness_pusch(5, failed_process));
  expect_slot_decodes(h, 0, 2, 6); // (the HARQ counts are taken as slots close)
  EXPECT_EQ(h.phy().counters().harq_buffers_in_use, 0U);
  EXPECT_EQ(h.phy().counters().ul_tti_late, 1U);
}

TEST(FapiPhyHarq, ADuplicateRequestChangesNoHarqProcess) {
  PhyHarness h;
  h.configure_and_start();
  fail_tb(h, 0, 0, 1);
  // A second request for slot (0, 0) (processed; its TB failed and is owed a retransmission),
  // with new data for the process under another handle: refused and reported failed, and the
  // first request's TB keeps its buffer.
  expect_refused_and_failed(h, 0, test::harness_pusch(5, failed_process));
  expect_slot_decodes(h, 0, 1, 6); // (the HARQ counts are taken as slots close)
  EXPECT_EQ(h.phy().counters().harq_buffers_in_use, 1U);
  EXPECT_EQ(h.phy().counters().ul_tti_duplicate, 1U);
}

TEST(FapiPhyHarq, BuffersAgeOnIdleSlotsAndExpire) {
  FapiPhyConfig config = test::harness_phy_config();
  config.receiver.harq_expiry_ms = 2; // 4 slots at 30 kHz
  PhyHarness h(config);
  h.configure_and_start();
  fail_tb(h, 0, 0, 1);
  for (std::uint16_t slot = 1; slot <= 3; ++slot) {
    ASSERT_TRUE(h.samples().push_empty(0, slot, std::chrono::seconds(1))); // idle slots
  }
  expect_slot_decodes(h, 0, 4, 7); // 4 slots after the failed TB: kept
  EXPECT_EQ(h.phy().counters().harq_buffers_in_use, 1U);
  EXPECT_EQ(h.phy().counters().harq_buffers_expired, 0U);
  expect_slot_decodes(h, 0, 5, 8); // 5 slots: expired
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.harq_buffers_in_use, 0U);
  EXPECT_EQ(c.harq_buffers_expired, 1U);
  EXPECT_EQ(c.harq_pool_exhausted, 0U);
}

TEST(FapiPhyHarq, StartBeginsWithoutHarqState) {
  PhyHarness h;
  h.configure_and_start();
  fail_tb(h, 0, 0, 1);
  h.send(io::FapiStopRequest{});
  ASSERT_TRUE(h.wait_for(FapiMessageType::stop_indication));
  h.send(io::FapiStartRequest{});
  ASSERT_TRUE(h.wait_for(FapiMessageType::slot_indication));
  expect_slot_decodes(h, 0, 0, 2);
  EXPECT_EQ(h.phy().counters().harq_buffers_in_use, 0U);
}

} // namespace
} // namespace airan::l1
