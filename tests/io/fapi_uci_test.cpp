// UCI on PUSCH over FAPI: the UCI.indication PUSCH PDU byte layout (SCF 222.10.02 Tables 3-63,
// 3-64 and the HARQ / CSI part PDUs), malformed messages refused with a reason, puschUci <->
// PuschConfig::uci, and one slot end to end: UL_TTI.request with UCI -> receiver ->
// UCI.indication bytes whose payload bits are the UE's.
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "fapi_conversion_test_helpers.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

FapiUciIndication sample_indication() {
  FapiUciIndication indication;
  indication.sfn = 3;
  indication.slot = 4;
  FapiUciPusch& a = indication.pdus[0];
  a.handle = 0x01020304;
  a.rnti = 0x4601;
  a.measurement = {150, 31, 880};
  a.harq = FapiUciPart{2, 2, {0x02}};             // o_0 = 0, o_1 = 1
  a.csi_part1 = FapiUciPart{2, 11, {0xA5, 0x03}}; // 11 bits
  FapiUciPusch& b = indication.pdus[1];
  b.handle = 9;
  b.rnti = 2;
  b.csi_part1 = FapiUciPart{1, 4, {}}; // not decoded
  b.csi_part2 = FapiUciPart{1, 3, {}};
  indication.num_pdus = 2;
  return indication;
}

const Bytes sample_body = {
    0x03, 0x00,             // 0: SFN 3
    0x04, 0x00,             // 2: slot 4
    0x02, 0x00,             // 4: NumUCIs 2
    0x00, 0x00,             // 6: PDUType 0 (PUSCH)
    0x19, 0x00,             // 8: PDUSize 25, counting PDUType and PDUSize
    0x06,                   // 10: pduBitmap: HARQ, CSI part 1
    0x04, 0x03, 0x02, 0x01, // 11: Handle
    0x01, 0x46,             // 15: RNTI
    0x96,                   // 17: UL_CQI 150
    0x1F, 0x00,             // 18: TimingAdvance 31
    0x70, 0x03,             // 20: RSSI 880
    0x02,                   // 22: HarqCrc 2 (not present)
    0x02, 0x00,             // 23: HarqBitLen 2
    0x02,                   // 25: HarqPayload
    0x02,                   // 26: CsiPart1Crc 2
    0x0B, 0x00,             // 27: CsiPart1BitLen 11
    0xA5, 0x03,             // 29: CsiPart1Payload, 2 bytes
    0x00, 0x00,             // 31: PDUType 0
    0x18, 0x00,             // 33: PDUSize 24
    0x0C,                   // 35: pduBitmap: CSI part 1 and part 2
    0x09, 0x00, 0x00, 0x00, // 36: Handle 9
    0x02, 0x00,             // 40: RNTI 2
    0xFF,                   // 42: UL_CQI invalid
    0xFF, 0xFF,             // 43: TimingAdvance invalid
    0xFF, 0xFF,             // 45: RSSI invalid
    0x01,                   // 47: CsiPart1Crc 1 (fail)
    0x04, 0x00,             // 48: CsiPart1BitLen 4
    0x00,                   // 50: payload
    0x01,                   // 51: CsiPart2Crc 1
    0x03, 0x00,             // 52: CsiPart2BitLen 3
    0x00,                   // 54: payload
};

TEST(FapiUciIndication, ByteLayoutOfPuschPdus) {
  const FapiUciIndication indication = sample_indication();
  const Bytes expected = with_headers(FapiMessageType::uci_indication, sample_body);
  EXPECT_EQ(encode(indication), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().type, FapiMessageType::uci_indication);
  EXPECT_EQ(scratch_message().uci_indication, indication);
  EXPECT_EQ(indication.pdus[0].harq->bit(1), 1);
  EXPECT_EQ(indication.pdus[0].csi_part1->bit(8), 1);
  EXPECT_EQ(indication.pdus[0].csi_part1->bit(10), 0);
}

TEST(FapiUciIndication, MalformedMessagesAreRefusedWithAReason) {
  struct Case {
    const char* what;
    std::size_t offset; ///< Body byte to change.
    std::uint8_t value;
    FapiStatus status;
  };
  const Case cases[] = {
      {"PDUType 3", 6, 0x03, FapiStatus::out_of_range}, // PUCCH (1, 2): fapi_uci_pucch_test
      {"PDUSize below 4", 8, 0x03, FapiStatus::truncated},
      {"PDUSize past the end", 8, 0xF0, FapiStatus::truncated},
      {"pduBitmap bit 0", 10, 0x07, FapiStatus::out_of_range},
      {"RNTI 0", 15, 0x00, FapiStatus::out_of_range},
      {"HarqCrc 3", 22, 0x03, FapiStatus::out_of_range},
      {"HarqBitLen 0", 23, 0x00, FapiStatus::out_of_range},
      {"CsiPart1BitLen 1707", 28, 0x06, FapiStatus::out_of_range},
      {"TimingAdvance 64", 18, 0x40, FapiStatus::out_of_range},
  };
  for (const Case& c : cases) {
    Bytes body = sample_body;
    if (std::string(c.what) == "RNTI 0") {
      body[16] = 0;
    }
    if (std::string(c.what) == "CsiPart1BitLen 1707") {
      body[27] = 0xAB; // 0x06AB = 1707, one above the largest
    }
    body[c.offset] = c.value;
    const FapiError error = decode(with_headers(FapiMessageType::uci_indication, body));
    EXPECT_EQ(error.status, c.status) << c.what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.what;
    EXPECT_FALSE(error.reason().empty()) << c.what;
  }
  // Cut short inside a payload, and one byte too many.
  Bytes cut = sample_body;
  cut.resize(cut.size() - 1);
  cut[33] = 0x17;
  EXPECT_EQ(decode(with_headers(FapiMessageType::uci_indication, cut)).status,
            FapiStatus::truncated);
  Bytes extra = sample_body;
  extra.push_back(0);
  EXPECT_FALSE(decode(with_headers(FapiMessageType::uci_indication, extra)).ok());
  // The encoder refuses what the decoder would.
  FapiUciIndication bad = sample_indication();
  bad.pdus[1].csi_part2->bit_length = 0;
  Bytes buffer(4096);
  std::size_t size = 0;
  EXPECT_EQ(encode_single_message(bad, buffer, size).status, FapiStatus::out_of_range);
}

phy::PuschConfig uci_pusch(unsigned prb_start, std::uint16_t rnti) {
  phy::PuschConfig pusch;
  pusch.rnti = rnti;
  pusch.handle = 100U + rnti;
  pusch.bwp_size = 52;
  pusch.prb_start = prb_start;
  pusch.prb_size = 24;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 13;
  pusch.data_scrambling_id = 500;
  pusch.dmrs_scrambling_id = 500;
  return pusch;
}

TEST(FapiUciConversion, PuschUciBecomesPuschConfigUciAndBack) {
  const phy::CellConfig cell = make_52_prb_cell();
  phy::PuschConfig pusch = uci_pusch(0, 0x4601);
  pusch.uci = {2, 7, 5, 1, 10, 12, 14};
  FapiPuschPdu pdu;
  ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, pdu).ok());
  ASSERT_TRUE(pdu.uci.has_value());
  EXPECT_EQ(*pdu.uci, (FapiPuschUci{2, 7, 5, 1, 10, 12, 14}));
  phy::PuschConfig back;
  ASSERT_TRUE(to_pusch_config(pdu, cell, back).ok());
  EXPECT_EQ(back.uci, pusch.uci);
  // A beta offset outside TS 38.213 Table 9.3-2 comes back as the reason.
  pdu.uci->beta_offset_csi1 = 19;
  const FapiError error = to_pusch_config(pdu, cell, back);
  EXPECT_EQ(error.status, FapiStatus::out_of_range);
  EXPECT_NE(error.reason().find("0..18"), std::string::npos) << describe(error);
}

TEST(FapiUciConversion, UndecodedPdusReportTheirUciFailed) {
  const phy::CellConfig cell = make_52_prb_cell();
  phy::PuschConfig pusch = uci_pusch(0, 7);
  pusch.uci = {1, 4, 0, 3, 0, 0, 0};
  phy::PuschPduResult result;
  result.handle = pusch.handle;
  result.rnti = pusch.rnti;
  result.error = "HARQ: no buffer";
  const FapiUciPusch uci = to_fapi_uci(result, pusch, cell);
  ASSERT_TRUE(uci.harq && uci.csi_part1);
  EXPECT_FALSE(uci.csi_part2);
  EXPECT_EQ(uci.harq->crc, FapiUciPart::crc_fail);
  EXPECT_EQ(uci.harq->bit_length, 1);
  EXPECT_EQ(uci.csi_part1->crc, FapiUciPart::crc_fail);
  EXPECT_EQ(uci.measurement.ul_cqi, FapiUlMeasurement::invalid_ul_cqi);
}

TEST(FapiUciConversion, PolarCodedPartsReportTheirCrc) {
  const phy::CellConfig cell = make_52_prb_cell();
  phy::PuschConfig pusch = uci_pusch(0, 7);
  pusch.uci = {20, 30, 5, 3, 9, 9, 9};
  phy::PuschPduResult result;
  result.handle = pusch.handle;
  result.rnti = pusch.rnti;
  result.uci.decoded = true;
  result.uci.harq_ack.assign(20, 1);
  result.uci.harq_ack_detected = true; // its CRC held
  result.uci.csi_part1.assign(30, 0);
  result.uci.csi_part1_detected = false; // its CRC failed
  result.uci.csi_part2 = {1, 0, 1, 1, 0};
  result.uci.csi_part2_detected = true;
  const FapiUciPusch uci = to_fapi_uci(result, pusch, cell);
  ASSERT_TRUE(uci.harq && uci.csi_part1 && uci.csi_part2);
  EXPECT_EQ(uci.harq->crc, FapiUciPart::crc_pass);
  EXPECT_EQ(uci.harq->bit_length, 20);
  EXPECT_EQ(uci.harq->payload[0], 0xFF);
  EXPECT_EQ(uci.harq->payload[2], 0x0F);
  EXPECT_EQ(uci.csi_part1->crc, FapiUciPart::crc_fail);
  EXPECT_EQ(uci.csi_part2->crc, FapiUciPart::crc_not_present);
  EXPECT_EQ(uci.csi_part2->payload[0], 0b01101);
}

TEST(FapiUciEndToEnd, UlTtiRequestWithUciToUciIndication) {
  const phy::CellConfig cell = make_52_prb_cell();
  phy::PuschTransmitter transmitter(cell);
  phy::PuschReceiverConfig receiver_config;
  receiver_config.max_layers = 1;
  phy::PuschReceiver receiver(cell, receiver_config);
  std::mt19937_64 rng(9);

  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 17;
  request->slot = 5;
  std::vector<phy::BitVector> acks;
  std::vector<phy::BitVector> csis;
  auto grid = transmitter.make_grid();
  const phy::PuschUciConfig ucis[] = {{2, 9, 0, 3, 9, 10, 0}, {}, {1, 30, 0, 2, 11, 14, 0}};
  for (unsigned i = 0; i < 3; ++i) {
    phy::PuschConfig pusch = uci_pusch(16 * i, static_cast<std::uint16_t>(100 + i));
    pusch.prb_size = 16;
    pusch.uci = ucis[i];
    ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, request->pusch[i]).ok());
    phy::BitVector tb(transmitter.transport_block_size(pusch));
    for (auto& bit : tb) {
      bit = static_cast<phy::bit_t>(rng() & 1U);
    }
    phy::BitVector& ack = acks.emplace_back(pusch.uci.harq_ack_bits);
    phy::BitVector& csi = csis.emplace_back(pusch.uci.csi_part1_bits);
    for (auto* bits : {&ack, &csi}) {
      for (auto& bit : *bits) {
        bit = static_cast<phy::bit_t>(rng() & 1U);
      }
    }
    transmitter.transmit(tb, phy::PuschUciPayload{ack, csi, {}}, pusch, request->slot, grid);
  }
  request->num_pusch = 3;
  ASSERT_TRUE(decode(encode(*request)).ok());
  auto slot = std::make_unique<FapiSlotRequest>();
  to_slot_request(scratch_message().ul_tti_request, cell, *slot);
  ASSERT_EQ(slot->num_pusch, 3U);
  std::vector<phy::PuschPduResult> results;
  receiver.process_slot(grid, slot->slot, slot->pdus(), results);
  auto uci = std::make_unique<FapiUciIndication>();
  to_uci_indication(slot->sfn, slot->slot, results, slot->pdus(), cell, *uci);

  // MAC side.
  ASSERT_TRUE(decode(encode(*uci)).ok());
  const FapiUciIndication& got = scratch_message().uci_indication;
  EXPECT_EQ(got.sfn, 17);
  EXPECT_EQ(got.slot, 5);
  ASSERT_EQ(got.num_pdus, 2U); // the PDU without UCI has no entry
  for (const auto& [entry, index] : {std::pair{&got.pdus[0], 0U}, std::pair{&got.pdus[1], 2U}}) {
    SCOPED_TRACE(index);
    EXPECT_EQ(entry->rnti, 100 + index);
    EXPECT_EQ(entry->handle, 200 + index);
    ASSERT_TRUE(entry->harq);
    EXPECT_EQ(entry->harq->crc, FapiUciPart::crc_not_present);
    ASSERT_EQ(entry->harq->bit_length, acks[index].size());
    for (std::size_t b = 0; b < acks[index].size(); ++b) {
      EXPECT_EQ(entry->harq->bit(b), acks[index][b]) << b;
    }
    EXPECT_EQ(entry->csi_part1.has_value(), !csis[index].empty());
    if (entry->csi_part1) { // 30 bits are polar coded with a CRC that passed
      EXPECT_EQ(entry->csi_part1->crc,
                csis[index].size() > 11 ? FapiUciPart::crc_pass : FapiUciPart::crc_not_present);
    }
    for (std::size_t b = 0; b < csis[index].size(); ++b) {
      EXPECT_EQ(entry->csi_part1->bit(b), csis[index][b]) << b;
    }
    EXPECT_NE(entry->measurement.ul_cqi, FapiUlMeasurement::invalid_ul_cqi);
  }
}

} // namespace
