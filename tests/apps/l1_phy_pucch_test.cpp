// The FAPI L1 receives PUCCH: UL_TTI.request PUCCH PDUs of formats 0 to 4 (two format 4 UEs on
// one PRB with their covers) come back as UCI.indication PDUs with the bits the UEs sent (after
// the slot's CRC.indication when the slot also has PUSCH), silence as DTX, a PDU the receiver
// cannot take with an ERROR.indication and a failed UCI, and a slot without samples as failed
// UCI for every PUCCH.
#include "airan/io/fapi_pucch_conversion.h"
#include "l1_phy_test_harness.h"

#include <gtest/gtest.h>

#include <array>

namespace airan::l1 {
namespace {

using io::FapiMessageType;
using test::PhyHarness;

phy::PucchConfig pucch_pdu(phy::PucchFormat format, std::uint16_t rnti, std::uint32_t handle) {
  phy::PucchConfig pucch;
  pucch.format = format;
  pucch.rnti = rnti;
  pucch.handle = handle;
  pucch.bwp_size = 24;
  pucch.hopping_id = 3;
  pucch.scrambling_id = 3;
  pucch.dmrs_scrambling_id = 3;
  switch (format) {
  case phy::PucchFormat::format0:
    pucch.prb_start = 23;
    pucch.start_symbol = 12;
    pucch.num_symbols = 2;
    pucch.harq_bits = 2;
    pucch.sr_bits = 1;
    break;
  case phy::PucchFormat::format1:
    pucch.prb_start = 22;
    pucch.num_symbols = 14;
    pucch.intra_slot_hopping = true;
    pucch.second_hop_prb = 17;
    pucch.harq_bits = 1;
    break;
  case phy::PucchFormat::format3: // 19 bits, polar (CRC6); 4 DMRS symbols
    pucch.prb_start = 2;
    pucch.num_prbs = 2;
    pucch.num_symbols = 14;
    pucch.intra_slot_hopping = true;
    pucch.second_hop_prb = 8;
    pucch.additional_dmrs = true;
    pucch.harq_bits = 2;
    pucch.sr_bits = 1;
    pucch.csi_part1_bits = 16;
    break;
  case phy::PucchFormat::format4: // cover 0 of 4; 12 CSI bits, polar (CRC6)
    pucch.prb_start = 20;
    pucch.num_symbols = 14;
    pucch.pre_dft_occ_length = 4;
    pucch.csi_part1_bits = 12;
    break;
  default:
    pucch.prb_start = 12;
    pucch.num_prbs = 4;
    pucch.start_symbol = 12;
    pucch.num_symbols = 2;
    pucch.harq_bits = 4;
    pucch.csi_part1_bits = 20; // 24 bits: polar coded with CRC11
    break;
  }
  return pucch;
}

/// A UL_TTI.request for (0, \p slot) with \p pusch and \p pucch.
io::FapiUlTtiRequest ul_tti_with_pucch(PhyHarness& h, std::uint16_t slot,
                                       std::span<const phy::PuschConfig> pusch,
                                       std::span<const phy::PucchConfig> pucch) {
  io::FapiUlTtiRequest request = h.ul_tti(0, slot, pusch);
  for (const phy::PucchConfig& p : pucch) {
    request.pucch[request.num_pucch] = io::to_fapi_pucch_pdu(p, h.cell());
    request.pucch_pdu_index[request.num_pucch] =
        static_cast<std::uint8_t>(request.num_pusch + request.num_pucch);
    ++request.num_pucch;
  }
  return request;
}

class FapiPhyPucchSlot : public testing::TestWithParam<std::uint16_t> {};

// In slot 0 and in slot 5 of the frame: the hopping sequences depend on the slot number.
TEST_P(FapiPhyPucchSlot, ReportsTheBitsOfEveryFormat) {
  const std::uint16_t slot = GetParam();
  PhyHarness h;
  h.configure_and_start();
  // The second format 4 UE on the first one's PRB: cover 3 of 4 (DMRS cyclic shift 9),
  // pi/2-BPSK, 4 HARQ-ACK bits and 1 SR bit (short block).
  phy::PucchConfig f4_other = pucch_pdu(phy::PucchFormat::format4, 0x4706, 6);
  f4_other.pre_dft_occ_index = 3;
  f4_other.pi2_bpsk = true;
  f4_other.csi_part1_bits = 0;
  f4_other.harq_bits = 4;
  f4_other.sr_bits = 1;
  const std::array<phy::PucchConfig, 6> pdus = {pucch_pdu(phy::PucchFormat::format0, 0x4701, 1),
                                                pucch_pdu(phy::PucchFormat::format1, 0x4702, 2),
                                                pucch_pdu(phy::PucchFormat::format2, 0x4703, 3),
                                                pucch_pdu(phy::PucchFormat::format3, 0x4704, 4),
                                                pucch_pdu(phy::PucchFormat::format4, 0x4705, 5),
                                                f4_other};
  for (const phy::PucchConfig& pdu : pdus) {
    ASSERT_EQ(pdu.validate(h.cell()), "") << pdu.handle;
  }
  h.send(ul_tti_with_pucch(h, slot, {}, pdus));
  for (std::uint16_t before = 0; before < slot; ++before) {
    ASSERT_TRUE(h.samples().push_empty(0, before, std::chrono::seconds(1)));
  }
  const std::array<phy::bit_t, 2> harq0 = {1, 0};
  const std::array<phy::bit_t, 1> sr0 = {1};
  const std::array<phy::bit_t, 1> harq1 = {0};
  const std::array<phy::bit_t, 4> harq2 = {1, 1, 0, 1};
  std::array<phy::bit_t, 20> csi2{};
  for (unsigned i = 0; i < csi2.size(); ++i) {
    csi2[i] = static_cast<phy::bit_t>((i * 7 + 3) % 5 < 2 ? 1 : 0);
  }
  const std::array<phy::bit_t, 2> harq3 = {0, 1};
  const std::array<phy::bit_t, 1> sr3 = {1};
  std::array<phy::bit_t, 16> csi3{};
  std::array<phy::bit_t, 12> csi4{};
  for (unsigned i = 0; i < csi3.size(); ++i) {
    csi3[i] = static_cast<phy::bit_t>((i * 5 + 1) % 3 == 0 ? 1 : 0);
  }
  for (unsigned i = 0; i < csi4.size(); ++i) {
    csi4[i] = static_cast<phy::bit_t>((i * 3 + 2) % 4 < 2 ? 1 : 0);
  }
  const std::array<phy::bit_t, 4> harq5 = {1, 0, 0, 1};
  const std::array<phy::bit_t, 1> sr5 = {0};
  const std::array<phy::PucchUciBits, 6> bits = {
      phy::PucchUciBits{harq0, sr0, {}},  phy::PucchUciBits{harq1, {}, {}},
      phy::PucchUciBits{harq2, {}, csi2}, phy::PucchUciBits{harq3, sr3, csi3},
      phy::PucchUciBits{{}, {}, csi4},    phy::PucchUciBits{harq5, sr5, {}}};
  h.push_pucch(0, slot, pdus, bits);
  const auto uci = h.wait_for(FapiMessageType::uci_indication);
  ASSERT_TRUE(uci);
  EXPECT_EQ(uci->slot_number, slot);
  ASSERT_EQ(uci->pucch_f01.size(), 2U);
  ASSERT_EQ(uci->pucch_f234.size(), 4U);
  const io::FapiUciPucchFormat01& f0 = uci->pucch_f01[0];
  EXPECT_EQ(f0.handle, 1U);
  EXPECT_EQ(f0.rnti, 0x4701);
  EXPECT_EQ(f0.pucch_format, io::FapiUciPucchFormat01::format0);
  ASSERT_TRUE(f0.sr && f0.harq);
  EXPECT_EQ(f0.sr->sr_indication, 1);
  EXPECT_EQ(f0.harq->num_harq, 2);
  EXPECT_EQ(f0.harq->values[0], io::FapiUciHarqFormat01::ack);
  EXPECT_EQ(f0.harq->values[1], io::FapiUciHarqFormat01::nack);
  EXPECT_NE(f0.measurement.ul_cqi, io::FapiUlMeasurement::invalid_ul_cqi);
  EXPECT_NE(f0.measurement.rssi, io::FapiUlMeasurement::invalid_u16);
  const io::FapiUciPucchFormat01& f1 = uci->pucch_f01[1];
  EXPECT_EQ(f1.handle, 2U);
  EXPECT_EQ(f1.pucch_format, io::FapiUciPucchFormat01::format1);
  EXPECT_FALSE(f1.sr);
  ASSERT_TRUE(f1.harq);
  EXPECT_EQ(f1.harq->values[0], io::FapiUciHarqFormat01::nack);
  const io::FapiUciPucchFormat234& f2 = uci->pucch_f234[0];
  EXPECT_EQ(f2.handle, 3U);
  ASSERT_TRUE(f2.harq && f2.csi_part1);
  EXPECT_EQ(f2.harq->crc, io::FapiUciPart::crc_pass);
  EXPECT_EQ(f2.harq->bit_length, 4);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(f2.harq->bit(i), harq2[i]) << i;
  }
  ASSERT_EQ(f2.csi_part1->bit_length, 20);
  for (unsigned i = 0; i < 20; ++i) {
    EXPECT_EQ(f2.csi_part1->bit(i), csi2[i]) << i;
  }
  EXPECT_EQ(f2.pucch_format, io::FapiUciPucchFormat234::format2);
  // Format 3: HARQ-ACK, SR and CSI part 1 of one polar code word (CRC passed).
  const io::FapiUciPucchFormat234& f3 = uci->pucch_f234[1];
  EXPECT_EQ(f3.handle, 4U);
  EXPECT_EQ(f3.rnti, 0x4704);
  EXPECT_EQ(f3.pucch_format, io::FapiUciPucchFormat234::format3);
  ASSERT_TRUE(f3.harq && f3.sr && f3.csi_part1);
  EXPECT_EQ(f3.harq->crc, io::FapiUciPart::crc_pass);
  ASSERT_EQ(f3.harq->bit_length, 2);
  EXPECT_EQ(f3.harq->bit(0), harq3[0]);
  EXPECT_EQ(f3.harq->bit(1), harq3[1]);
  EXPECT_EQ(f3.sr->bit_length, 1);
  EXPECT_EQ(f3.sr->payload & 1U, sr3[0]);
  ASSERT_EQ(f3.csi_part1->bit_length, 16);
  for (unsigned i = 0; i < 16; ++i) {
    EXPECT_EQ(f3.csi_part1->bit(i), csi3[i]) << i;
  }
  EXPECT_NE(f3.measurement.ul_cqi, io::FapiUlMeasurement::invalid_ul_cqi);
  // Format 4, cover 0: CSI part 1 only.
  const io::FapiUciPucchFormat234& f4 = uci->pucch_f234[2];
  EXPECT_EQ(f4.handle, 5U);
  EXPECT_EQ(f4.pucch_format, io::FapiUciPucchFormat234::format4);
  EXPECT_FALSE(f4.harq || f4.sr);
  ASSERT_TRUE(f4.csi_part1);
  EXPECT_EQ(f4.csi_part1->crc, io::FapiUciPart::crc_pass);
  ASSERT_EQ(f4.csi_part1->bit_length, 12);
  for (unsigned i = 0; i < 12; ++i) {
    EXPECT_EQ(f4.csi_part1->bit(i), csi4[i]) << i;
  }
  // Format 4, cover 3 on the same PRB: a short block (no CRC).
  const io::FapiUciPucchFormat234& f4b = uci->pucch_f234[3];
  EXPECT_EQ(f4b.handle, 6U);
  EXPECT_EQ(f4b.pucch_format, io::FapiUciPucchFormat234::format4);
  ASSERT_TRUE(f4b.harq && f4b.sr);
  EXPECT_EQ(f4b.harq->crc, io::FapiUciPart::crc_not_present);
  ASSERT_EQ(f4b.harq->bit_length, 4);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(f4b.harq->bit(i), harq5[i]) << i;
  }
  EXPECT_EQ(f4b.sr->payload & 1U, sr5[0]);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.pucch_processed, 6U);
  EXPECT_EQ(c.pucch_dtx, 0U);
  EXPECT_EQ(c.uci_reports_sent, 6U);
  EXPECT_EQ(c.error_indications_sent, 0U);
}

INSTANTIATE_TEST_SUITE_P(Slots, FapiPhyPucchSlot, testing::Values(0, 5));

TEST(FapiPhyPucch, SilenceIsDtxAndAPduItCannotTakeIsRefusedButReported) {
  PhyHarness h;
  h.configure_and_start();
  // Format 3 on 7 PRBs: not a transform precoding size.
  phy::PucchConfig invalid = pucch_pdu(phy::PucchFormat::format3, 0x4705, 5);
  invalid.num_prbs = 7;
  const std::array<phy::PucchConfig, 2> pdus = {pucch_pdu(phy::PucchFormat::format1, 0x4704, 4),
                                                invalid};
  const phy::PuschConfig pusch = test::harness_pusch(30, 0);
  h.send(ul_tti_with_pucch(h, 0, std::span(&pusch, 1), pdus));
  const auto error = h.wait_for(FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, io::FapiErrorCode::msg_slot_err);
  // The slot's signal: the PUSCH only; the format 1 UE sends nothing.
  (void)h.push_signal(0, 0, pusch, 30);
  const auto crc = h.wait_for(FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  const auto uci = h.wait_for(FapiMessageType::uci_indication);
  ASSERT_TRUE(uci);
  ASSERT_EQ(uci->pucch_f01.size(), 1U);
  ASSERT_TRUE(uci->pucch_f01[0].harq);
  EXPECT_EQ(uci->pucch_f01[0].harq->values[0], io::FapiUciHarqFormat01::dtx);
  EXPECT_EQ(uci->pucch_f01[0].harq->confidence_level, io::fapi_uci_confidence::bad);
  ASSERT_EQ(uci->pucch_f234.size(), 1U);
  EXPECT_EQ(uci->pucch_f234[0].handle, 5U);
  EXPECT_EQ(uci->pucch_f234[0].pucch_format, io::FapiUciPucchFormat234::format3);
  ASSERT_TRUE(uci->pucch_f234[0].harq);
  EXPECT_EQ(uci->pucch_f234[0].harq->crc, io::FapiUciPart::crc_fail);
  const L1Counters c = h.phy().counters();
  EXPECT_EQ(c.pucch_processed, 1U);
  EXPECT_EQ(c.pucch_dtx, 1U);
  EXPECT_EQ(c.pdus_rejected, 1U);
}

TEST(FapiPhyPucch, ASlotWithoutSamplesReportsEveryPucchFailed) {
  PhyHarness h;
  h.configure_and_start();
  const std::array<phy::PucchConfig, 2> pdus = {pucch_pdu(phy::PucchFormat::format0, 0x4706, 6),
                                                pucch_pdu(phy::PucchFormat::format2, 0x4707, 7)};
  h.send(ul_tti_with_pucch(h, 0, {}, pdus));
  ASSERT_TRUE(h.samples().push_empty(0, 0, std::chrono::seconds(1)));
  const auto uci = h.wait_for(FapiMessageType::uci_indication);
  ASSERT_TRUE(uci);
  ASSERT_EQ(uci->pucch_f01.size(), 1U);
  ASSERT_TRUE(uci->pucch_f01[0].harq && uci->pucch_f01[0].sr);
  EXPECT_EQ(uci->pucch_f01[0].harq->values[0], io::FapiUciHarqFormat01::dtx);
  EXPECT_EQ(uci->pucch_f01[0].sr->sr_indication, 0);
  ASSERT_EQ(uci->pucch_f234.size(), 1U);
  EXPECT_EQ(uci->pucch_f234[0].harq->crc, io::FapiUciPart::crc_fail);
  EXPECT_EQ(h.phy().counters().pucch_processed, 0U);
}

} // namespace
} // namespace airan::l1
