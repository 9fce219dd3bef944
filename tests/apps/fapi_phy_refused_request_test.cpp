// A UL_TTI.request the L1 refuses whole (late, too early, a second one for a slot) is reported as
// an accepted request reports the PDUs it rejects: RX_DATA and CRC.indication with its TBs
// failed, UCI.indication with its UCI on PUSCH failed and its PUCCHs DTX or failed; a second
// request's PDUs that the slot's accepted request also has (same type, handle and RNTI) are left
// to that one. Driven by poll_once() over an in-memory transport.
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pucch_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/l1/fapi_phy.h"

#include "fapi_phy_requests_bench.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace airan::l1 {
namespace {

using io::FapiMessageType;
using requests_bench::RequestsBench;

/// A UL_TTI.request for \p slot of SFN 0: a PUSCH with a TB and UCI (2 HARQ-ACK, 6 CSI part 1
/// bits; handle 17, HARQ process 5), a PUCCH format 1 (1 HARQ-ACK bit and an SR occasion; handle
/// 18) and a PUCCH format 2 (4 HARQ-ACK bits; handle 19).
io::FapiUlTtiRequest request_with_every_report(const phy::CellConfig& cell, std::uint16_t slot) {
  phy::PuschConfig pusch;
  pusch.rnti = 0x4601;
  pusch.handle = 17;
  pusch.bwp_size = 24;
  pusch.prb_size = 12;
  pusch.mcs_index = 9;
  pusch.harq_process_id = 5;
  pusch.uci.harq_ack_bits = 2;
  pusch.uci.csi_part1_bits = 6;
  io::FapiUlTtiRequest request;
  request.sfn = 0;
  request.slot = slot;
  EXPECT_TRUE(io::to_fapi_pusch_pdu(pusch, cell, request.pusch[0]).ok());
  request.num_pusch = 1;
  phy::PucchConfig f1;
  f1.rnti = 0x4602;
  f1.handle = 18;
  f1.bwp_size = 24;
  f1.prb_start = 20;
  f1.harq_bits = 1;
  f1.sr_bits = 1;
  phy::PucchConfig f2 = f1;
  f2.rnti = 0x4603;
  f2.handle = 19;
  f2.format = phy::PucchFormat::format2;
  f2.prb_start = 22;
  f2.start_symbol = 12;
  f2.num_symbols = 2;
  f2.harq_bits = 4;
  f2.sr_bits = 0;
  EXPECT_EQ(f1.validate(cell), "");
  EXPECT_EQ(f2.validate(cell), "");
  request.pucch[0] = io::to_fapi_pucch_pdu(f1, cell);
  request.pucch[1] = io::to_fapi_pucch_pdu(f2, cell);
  request.num_pucch = 2;
  return request;
}

/// \p bench sent, after an ERROR.indication, what a request_with_every_report() for SFN 0
/// \p slot refused whole is owed: RX_DATA and CRC.indication with the TB failed, UCI.indication
/// with the PUSCH's UCI parts failed, the format 1 PUCCH DTX and the format 2 one failed.
void expect_every_report_failed(RequestsBench& bench, std::uint16_t slot) {
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::rx_data_indication,
                         FapiMessageType::crc_indication, FapiMessageType::uci_indication}));
  const io::FapiRxDataIndication rx_data = bench.sent(1).rx_data_indication;
  EXPECT_EQ(rx_data.slot, slot);
  ASSERT_EQ(rx_data.num_pdus, 1U);
  EXPECT_EQ(rx_data.pdus[0].handle, 17U);
  EXPECT_TRUE(rx_data.pdus[0].payload.empty());
  const io::FapiCrcIndication crc = bench.sent(2).crc_indication;
  EXPECT_EQ(crc.sfn, 0);
  EXPECT_EQ(crc.slot, slot);
  ASSERT_EQ(crc.num_crcs, 1U);
  EXPECT_EQ(crc.crcs[0].handle, 17U);
  EXPECT_EQ(crc.crcs[0].rnti, 0x4601);
  EXPECT_EQ(crc.crcs[0].harq_id, 5);
  EXPECT_EQ(crc.crcs[0].tb_crc_status, 1);
  const io::FapiUciIndication uci = bench.sent(3).uci_indication;
  EXPECT_EQ(uci.slot, slot);
  ASSERT_EQ(uci.num_pdus, 1U);
  EXPECT_EQ(uci.pdus[0].handle, 17U);
  ASSERT_TRUE(uci.pdus[0].harq && uci.pdus[0].csi_part1);
  EXPECT_EQ(uci.pdus[0].harq->crc, io::FapiUciPart::crc_fail);
  EXPECT_EQ(uci.pdus[0].harq->bit_length, 2U);
  EXPECT_EQ(uci.pdus[0].csi_part1->crc, io::FapiUciPart::crc_fail);
  EXPECT_EQ(uci.pdus[0].csi_part1->bit_length, 6U);
  EXPECT_FALSE(uci.pdus[0].csi_part2);
  ASSERT_EQ(uci.num_pucch_f01, 1U);
  EXPECT_EQ(uci.pucch_f01[0].handle, 18U);
  ASSERT_TRUE(uci.pucch_f01[0].harq && uci.pucch_f01[0].sr);
  EXPECT_EQ(uci.pucch_f01[0].harq->values[0], io::FapiUciHarqFormat01::dtx);
  EXPECT_EQ(uci.pucch_f01[0].sr->sr_indication, 0);
  ASSERT_EQ(uci.num_pucch_f234, 1U);
  EXPECT_EQ(uci.pucch_f234[0].handle, 19U);
  ASSERT_TRUE(uci.pucch_f234[0].harq);
  EXPECT_EQ(uci.pucch_f234[0].harq->crc, io::FapiUciPart::crc_fail);
  EXPECT_EQ(uci.pucch_f234[0].harq->bit_length, 4U);
}

// A UL_TTI.request that comes a slot late: besides its ERROR.indication, indications stamped
// with its SFN/slot report its PUSCH TB failed (RX_DATA, CRC), its UCI on PUSCH failed and its
// PUCCHs DTX or failed (UCI.indication), so that neither the MAC's HARQ nor its UCI waits.
TEST(FapiPhyRequests, LateUlTtiRequestFailsItsTbsAndUci) {
  RequestsBench bench;
  bench.start();
  for (std::uint16_t slot = 0; slot < 3; ++slot) {
    ASSERT_TRUE(bench.samples().push_empty(0, slot, std::chrono::seconds(1)));
    bench.phy().poll_once();
  }
  bench.transport().sent.clear();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 1)));
  expect_every_report_failed(bench, 1);
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.ul_tti_late, 1U);
  EXPECT_EQ(c.crc_failed, 1U);
  EXPECT_EQ(c.uci_reports_sent, 3U);
}

// Too early (more than max_advance_slots ahead) and a duplicate of a slot's request: the same
// reports; the duplicate's PDUs with the accepted request's handles are left to that request.
TEST(FapiPhyRequests, TooEarlyAndDuplicateUlTtiRequestsFailTheirTbsAndUci) {
  RequestsBench bench;
  bench.start();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 19)));
  expect_every_report_failed(bench, 19);
  EXPECT_EQ(bench.phy().counters().ul_tti_too_early, 1U);

  bench.transport().sent.clear();
  io::FapiUlTtiRequest accepted = request_with_every_report(bench.cell(), 1);
  accepted.num_pucch = 1; // the PUSCH and the format 1 PUCCH
  bench.deliver(bench.encode(accepted));
  ASSERT_TRUE(bench.transport().sent.empty());
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 1)));
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::uci_indication}));
  const io::FapiUciIndication uci = bench.sent(1).uci_indication;
  EXPECT_EQ(uci.num_pdus + uci.num_pucch_f01, 0U);
  ASSERT_EQ(uci.num_pucch_f234, 1U);
  EXPECT_EQ(uci.pucch_f234[0].handle, 19U);
  EXPECT_EQ(bench.phy().counters().ul_tti_duplicate, 1U);
}

// Real-time clock: a slot that is over waits for its samples with its request still pending. A
// second request for it then is a duplicate (the first stands, nothing of it reported twice),
// not a late one; the samples then give each PDU one report.
TEST(FapiPhyRequests, ASecondRequestForASlotWaitingForItsSamplesIsADuplicate) {
  // 20 ms slots. The request goes for slot 8, 8 slots ahead (160 ms to send it), and slot 8
  // waits 8 slots (160 ms) for its samples before it is given up.
  RequestsBench bench(20, 40.0);
  bench.start();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 8)));
  // On until the SLOT.indication of slot 9: slot 8 is over, its samples not in.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  bool slot_9 = false;
  while (!slot_9 && std::chrono::steady_clock::now() < give_up) {
    bench.transport().sent.clear();
    bench.phy().poll_once();
    for (std::size_t i = 0; i < bench.transport().sent.size(); ++i) {
      const io::FapiMessage& m = bench.sent(i);
      slot_9 =
          slot_9 || (m.type == FapiMessageType::slot_indication && m.slot_indication.slot >= 9);
    }
  }
  ASSERT_TRUE(slot_9);
  bench.transport().sent.clear();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 8)));
  std::vector<FapiMessageType> types = bench.sent_types();
  std::erase(types, FapiMessageType::slot_indication);
  EXPECT_EQ(types, std::vector{FapiMessageType::error_indication});
  L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.ul_tti_duplicate, 1U);
  EXPECT_EQ(c.ul_tti_late, 0U);
  // The samples: one CRC for handle 17, one UCI.indication with its three reports.
  bench.transport().sent.clear();
  ASSERT_TRUE(bench.samples().push_empty(0, 8, std::chrono::seconds(1)));
  bench.phy().poll_once();
  unsigned crcs = 0;
  unsigned ucis = 0;
  for (std::size_t i = 0; i < bench.transport().sent.size(); ++i) {
    const io::FapiMessage& m = bench.sent(i);
    if (m.type == FapiMessageType::crc_indication) {
      crcs += static_cast<unsigned>(m.crc_indication.num_crcs);
    } else if (m.type == FapiMessageType::uci_indication) {
      ucis += static_cast<unsigned>(m.uci_indication.num_ucis());
    }
  }
  EXPECT_EQ(crcs, 1U);
  EXPECT_EQ(ucis, 3U);
}

// Once a slot's request was processed, a second one for the slot is still a duplicate while the
// L1 holds the first: nothing the first reported is reported again (a late request would have
// had its PDUs reported failed after their CRCs); a PDU only the second has is reported failed.
TEST(FapiPhyRequests, ASecondRequestForAProcessedSlotIsADuplicate) {
  RequestsBench bench;
  bench.start();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 1)));
  for (std::uint16_t slot = 0; slot < 3; ++slot) {
    ASSERT_TRUE(bench.samples().push_empty(0, slot, std::chrono::seconds(1)));
    bench.phy().poll_once();
  }
  const L1Counters before = bench.phy().counters();
  ASSERT_EQ(before.crc_failed, 1U); // slot 1 processed (no samples: its TB failed)
  bench.transport().sent.clear();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 1)));
  EXPECT_EQ(bench.sent_types(), std::vector{FapiMessageType::error_indication});
  io::FapiUlTtiRequest other = request_with_every_report(bench.cell(), 1);
  other.pusch[0].handle = 40;
  other.num_pucch = 0;
  bench.transport().sent.clear();
  bench.deliver(bench.encode(other));
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::rx_data_indication,
                         FapiMessageType::crc_indication, FapiMessageType::uci_indication}));
  EXPECT_EQ(bench.sent(2).crc_indication.crcs[0].handle, 40U);
  const L1Counters after = bench.phy().counters();
  EXPECT_EQ(after.ul_tti_duplicate, 2U);
  EXPECT_EQ(after.ul_tti_late, 0U);
  EXPECT_EQ(after.crc_failed, 2U);
}

// A request without PDUs needs no entry of the L1's ring (20 slots with the defaults): one for
// slot 21 leaves slot 1's processed request where it is, and slot 1's duplicate is still known.
TEST(FapiPhyRequests, AnEmptyRequestLeavesAProcessedSlotKnown) {
  RequestsBench bench;
  bench.start();
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 1)));
  for (std::uint16_t slot = 0; slot < 13; ++slot) { // on to slot 13: slot 21 is 8 ahead
    ASSERT_TRUE(bench.samples().push_empty(0, slot, std::chrono::seconds(1)));
    bench.phy().poll_once();
  }
  io::FapiUlTtiRequest empty; // slot 21: SFN 1, slot 1 (20 slots a frame)
  empty.sfn = 1;
  empty.slot = 1;
  bench.transport().sent.clear();
  bench.deliver(bench.encode(empty));
  EXPECT_TRUE(bench.transport().sent.empty());
  bench.deliver(bench.encode(request_with_every_report(bench.cell(), 1)));
  EXPECT_EQ(bench.sent_types(), std::vector{FapiMessageType::error_indication});
  const L1Counters c = bench.phy().counters();
  EXPECT_EQ(c.ul_tti_duplicate, 1U);
  EXPECT_EQ(c.ul_tti_late, 0U);
}

// MACs reuse handles (OAI sends 0 for every PUSCH): a duplicate's PDU is left to the accepted
// request only when that one has a PDU of the same type with the same handle and RNTI.
TEST(FapiPhyRequests, ADuplicatesPdusAreMatchedByTypeHandleAndRnti) {
  RequestsBench bench;
  bench.start();
  io::FapiUlTtiRequest accepted = request_with_every_report(bench.cell(), 1);
  accepted.num_pusch = 0; // the two PUCCHs (handles 18 and 19)
  bench.deliver(bench.encode(accepted));
  ASSERT_TRUE(bench.transport().sent.empty());
  io::FapiUlTtiRequest second = request_with_every_report(bench.cell(), 1);
  second.pusch[0].handle = 18;   // the format 1 PUCCH's handle, on a PUSCH
  second.pucch[1].rnti = 0x4604; // the format 2 PUCCH's handle, another RNTI
  bench.deliver(bench.encode(second));
  ASSERT_EQ(bench.sent_types(),
            (std::vector{FapiMessageType::error_indication, FapiMessageType::rx_data_indication,
                         FapiMessageType::crc_indication, FapiMessageType::uci_indication}));
  const io::FapiCrcIndication crc = bench.sent(2).crc_indication;
  ASSERT_EQ(crc.num_crcs, 1U);
  EXPECT_EQ(crc.crcs[0].handle, 18U);
  const io::FapiUciIndication uci = bench.sent(3).uci_indication;
  ASSERT_EQ(uci.num_pdus, 1U); // the PUSCH's UCI
  EXPECT_EQ(uci.pdus[0].handle, 18U);
  EXPECT_EQ(uci.num_pucch_f01, 0U); // handle 18, RNTI 0x4602: the accepted request's
  ASSERT_EQ(uci.num_pucch_f234, 1U);
  EXPECT_EQ(uci.pucch_f234[0].rnti, 0x4604);
}

} // namespace
} // namespace airan::l1
