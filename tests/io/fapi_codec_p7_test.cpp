// Byte layouts of the SCF 222.10.02 slot (P7) messages, written out by hand from Tables 3-34
// (SLOT.indication), 3-44/3-46/3-47/3-53 (UL_TTI.request with a PUSCH PDU), 3-61 (RX_DATA,
// PDU_Length 32 bits as in 222.10.03) and 3-62 (CRC). Offsets are within the message body.
#include "fapi_srs_fixtures.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

namespace {

using namespace airan::io;
using namespace airan::io::test;

TEST(FapiP7Layout, SlotIndication) {
  const Bytes expected = {
      0x01, 0x00,             // PHY API header: 1 message, handle 0
      0x82, 0x00,             // SLOT.indication
      0x04, 0x00, 0x00, 0x00, // length 4
      0x23, 0x01,             // 0: SFN 0x123 = 291
      0x07, 0x00,             // 2: slot 7
  };
  EXPECT_EQ(encode(FapiSlotIndication{291, 7}), expected);
  ASSERT_TRUE(decode(expected).ok());
  EXPECT_EQ(scratch_message().slot_indication, (FapiSlotIndication{291, 7}));
}

/// pduType, pduSize and the PUSCH PDU of sample_pusch_pdu(); offsets within the PDU.
const Bytes sample_pusch_pdu_bytes = {
    0x01, 0x00,             // 0: pduType 1 (PUSCH)
    0x66, 0x00,             // 2: pduSize 102, counting these 4 bytes
    0x01, 0x00,             // 4: pduBitmap: puschData
    0x01, 0x46,             // 6: RNTI 0x4601
    0x78, 0x56, 0x34, 0x12, // 8: handle 0x12345678
    0x11, 0x01,             // 12: BWPSize 273
    0x00, 0x00,             // 14: BWPStart 0
    0x01,                   // 16: SubcarrierSpacing mu 1
    0x00,                   // 17: CyclicPrefix normal
    0xB4, 0x19,             // 18: targetCodeRate 6580 (658 / 1024 x 10)
    0x04,                   // 20: qamModOrder 4
    0x10,                   // 21: mcsIndex 16
    0x00,                   // 22: mcsTable 0 (qam64)
    0x01,                   // 23: TransformPrecoding 1 (disabled)
    0xF4, 0x01,             // 24: dataScramblingId 500
    0x01,                   // 26: nrOfLayers 1
    0x04, 0x08,             // 27: ulDmrsSymbPos 0x0804: symbols 2 and 11
    0x00,                   // 29: dmrsConfigType 0 (type 1)
    0xF4, 0x01,             // 30: ulDmrsScramblingId 500
    0xF4, 0x01,             // 32: puschIdentity 500
    0x00,                   // 34: SCID 0
    0x02,                   // 35: numDmrsCdmGrpsNoData 2
    0x01, 0x00,             // 36: dmrsPorts: port 0
    0x01,                   // 38: resourceAlloc 1 (type 1)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 39: rbBitmap[36]
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
    0x0A, 0x00,                                                             // 75: rbStart 10
    0x32, 0x00,                                                             // 77: rbSize 50
    0x00,                                                                   // 79: VRBtoPRBMapping 0
    0x00,                   // 80: FrequencyHopping 0
    0x00, 0x00,             // 81: txDirectCurrentLocation 0
    0x00,                   // 83: uplinkFrequencyShift7p5khz 0
    0x00,                   // 84: StartSymbolIndex 0
    0x0E,                   // 85: NrOfSymbols 14
    0x00,                   // 86: puschData rvIndex 0
    0x03,                   // 87: harqProcessID 3
    0x01,                   // 88: newDataIndicator 1
    0x00, 0x10, 0x00, 0x00, // 89: TBSize 4096 bytes
    0x00, 0x00,             // 93: numCb 0 (no cbPresentAndPosition bytes)
    0x01, 0x00,             // 95: Rx beamforming numPRGs 1
    0x11, 0x01,             // 97: prgSize 273
    0x01,                   // 99: digBFInterface 1
    0x07, 0x00,             // 100: beamIdx[0][0] 7
};

TEST(FapiP7Layout, UlTtiRequestWithOnePuschPdu) {
  FapiUlTtiRequest request;
  request.sfn = 100;
  request.slot = 9;
  request.pusch[0] = sample_pusch_pdu();
  request.num_pusch = 1;
  request.groups[0].num_ues = 1;
  request.groups[0].pdu_index[0] = 0;
  request.num_groups = 1;

  Bytes body = {
      0x64, 0x00, // 0: SFN 100
      0x09, 0x00, // 2: slot 9
      0x01,       // 4: nPDUs 1
      0x00,       // 5: RachPresent 0
      0x01,       // 6: nULSCH 1
      0x00,       // 7: nULCCH 0
      0x01,       // 8: nGroup 1
  };
  body.insert(body.end(), sample_pusch_pdu_bytes.begin(), sample_pusch_pdu_bytes.end()); // 9
  body.insert(body.end(), {0x01,   // 111: group 0 nUe 1
                           0x00}); // 112: PduIdx 0
  ASSERT_EQ(body.size(), 113U);
  const Bytes expected = with_headers(FapiMessageType::ul_tti_request, body);
  EXPECT_EQ(encode(request), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().ul_tti_request, request);
}

// PRACH and SRS PDUs are decoded (fapi_prach_test.cpp and fapi_srs_pdu_test.cpp have their
// layouts field by field; PUCCH PDUs: fapi_pucch_pdu_test.cpp).
TEST(FapiP7Layout, UlTtiRequestDecodesPrachAndSrsPdus) {
  Bytes body = {
      0x64, 0x00, 0x09, 0x00, // SFN 100, slot 9
      0x03,                   // nPDUs 3
      0x01,                   // RachPresent 1
      0x01,                   // nULSCH 1
      0x00,                   // nULCCH 0
      0x00,                   // nGroup 0
      0x00, 0x00, 0x11, 0x00, // PRACH PDU (type 0), pduSize 17
      0x07, 0x00,             //   physCellID 7
      0x01,                   //   NumPrachOcas 1
      0x00,                   //   prachFormat 0
      0x00,                   //   numRa 0
      0x00,                   //   prachStartSymbol 0
      0x0D, 0x00,             //   numCs 13
      0x00, 0x00, 0x00, 0x00, //   Rx beamforming: numPRGs 0, prgSize 0
      0x00,                   //   digBFInterface 0
  };
  body.insert(body.end(), sample_pusch_pdu_bytes.begin(), sample_pusch_pdu_bytes.end());
  body.insert(body.end(), srs_fixtures::sample_srs_pdu_bytes.begin(),
              srs_fixtures::sample_srs_pdu_bytes.end()); // SRS PDU (type 3)
  ASSERT_TRUE(decode(with_headers(FapiMessageType::ul_tti_request, body)).ok())
      << describe(decode(with_headers(FapiMessageType::ul_tti_request, body)));
  const FapiUlTtiRequest& request = scratch_message().ul_tti_request;
  ASSERT_EQ(request.num_pusch, 1U);
  EXPECT_EQ(request.pusch[0], sample_pusch_pdu());
  EXPECT_EQ(request.pusch_pdu_index[0], 1);
  ASSERT_EQ(request.num_prach, 1U);
  EXPECT_EQ(request.prach_pdu_index[0], 0);
  EXPECT_EQ(request.prach[0].phys_cell_id, 7);
  EXPECT_EQ(request.prach[0].num_prach_ocas, 1);
  EXPECT_EQ(request.prach[0].num_cs, 13);
  EXPECT_FALSE(request.prach[0].maintenance_v3);
  EXPECT_EQ(request.num_prach_skipped, 0U);
  EXPECT_EQ(request.num_pucch, 0U);
  EXPECT_EQ(request.num_pucch_skipped, 0U);
  ASSERT_EQ(request.num_srs, 1U);
  EXPECT_EQ(request.srs_pdu_index[0], 2);
  EXPECT_EQ(request.srs[0], srs_fixtures::sample_srs_pdu());
  EXPECT_EQ(request.num_srs_skipped, 0U);
  EXPECT_EQ(request.num_skipped(), 0U);
}

TEST(FapiP7Layout, PuschPduOptionalParts) {
  FapiPuschPdu pdu = sample_pusch_pdu();
  pdu.data->num_cb = 10;
  pdu.data->cb_present_and_position[0] = 0xFF;
  pdu.data->cb_present_and_position[1] = 0x02;
  FapiPuschUci& uci = pdu.uci.emplace();
  uci.harq_ack_bit_length = 2;
  uci.csi_part1_bit_length = 11;
  uci.csi_part2_bit_length = 0;
  uci.alpha_scaling = 3;
  uci.beta_offset_harq_ack = 9;
  uci.beta_offset_csi1 = 13;
  uci.beta_offset_csi2 = 13;
  FapiPuschPtrs& ptrs = pdu.ptrs.emplace();
  ptrs.num_ports = 1;
  ptrs.ports[0] = {0x0001, 0, 1};
  ptrs.time_density = 2;
  ptrs.freq_density = 1;
  ptrs.ul_ptrs_power = 0;
  pdu.beamforming = {};
  FapiUlTtiRequest request;
  request.pusch[0] = pdu;
  request.num_pusch = 1;
  const Bytes encoded = encode(request);
  const Bytes tail = {
      0x0A, 0x00,             // puschData numCb 10
      0xFF, 0x02,             // cbPresentAndPosition, ceil(10 / 8) = 2 bytes
      0x02, 0x00,             // puschUci harqAckBitLength 2
      0x0B, 0x00,             // csiPart1BitLength 11
      0x00, 0x00,             // csiPart2BitLength 0
      0x03,                   // AlphaScaling 3
      0x09, 0x0D, 0x0D,       // betaOffsetHarqAck 9, betaOffsetCsi1 13, betaOffsetCsi2 13
      0x01,                   // puschPtrs numPtrsPorts 1
      0x01, 0x00, 0x00, 0x01, // PTRSPortIndex 1, PTRSDmrsPort 0, PTRSReOffset 1
      0x02, 0x01, 0x00,       // PTRSTimeDensity 2, PTRSFreqDensity 1, ulPTRSPower 0
      0x00, 0x00, 0x00, 0x00, // beamforming numPRGs 0, prgSize 0
      0x00,                   // digBFInterface 0
  };
  ASSERT_GE(encoded.size(), tail.size());
  EXPECT_EQ(Bytes(encoded.end() - static_cast<std::ptrdiff_t>(tail.size()), encoded.end()), tail);
  // pduBitmap (body offset 9 + 4): data | uci | ptrs.
  EXPECT_EQ(encoded[8 + 9 + 4], 0x07);
  ASSERT_TRUE(decode(encoded).ok()) << describe(decode(encoded));
  EXPECT_EQ(scratch_message().ul_tti_request.pusch[0], pdu);
}

TEST(FapiP7Layout, CrcIndication) {
  FapiCrcIndication indication;
  indication.sfn = 1;
  indication.slot = 2;
  FapiCrc& ok = indication.crcs[0];
  ok.handle = 0x0A0B0C0D;
  ok.rnti = 0x1234;
  ok.harq_id = 5;
  ok.tb_crc_status = 0;
  ok.num_cb = 0;
  ok.measurement = {150, 31, 880};
  FapiCrc& failed = indication.crcs[1];
  failed.handle = 1;
  failed.rnti = 2;
  failed.harq_id = 15;
  failed.tb_crc_status = 1;
  failed.num_cb = 10;
  failed.cb_crc_status[0] = 0x04; // CB 2 failed
  failed.cb_crc_status[1] = 0x02; // CB 9 failed
  failed.measurement = {};        // every measurement invalid
  indication.num_crcs = 2;
  const Bytes body = {
      0x01, 0x00,             // 0: SFN 1
      0x02, 0x00,             // 2: slot 2
      0x02, 0x00,             // 4: NumCRCs 2
      0x0D, 0x0C, 0x0B, 0x0A, // 6: Handle
      0x34, 0x12,             // 10: RNTI
      0x05,                   // 12: HarqID 5
      0x00,                   // 13: TbCrcStatus 0 (pass)
      0x00, 0x00,             // 14: NumCb 0 (no CbCrcStatus bytes)
      0x96,                   // 16: UL_CQI 150 = 11 dB
      0x1F, 0x00,             // 17: TimingAdvance 31 (no change)
      0x70, 0x03,             // 19: RSSI 880 = -40 dB
      0x01, 0x00, 0x00, 0x00, // 21: Handle 1
      0x02, 0x00,             // 25: RNTI 2
      0x0F,                   // 27: HarqID 15
      0x01,                   // 28: TbCrcStatus 1 (fail)
      0x0A, 0x00,             // 29: NumCb 10
      0x04, 0x02,             // 31: CbCrcStatus: CBs 2 and 9 failed
      0xFF,                   // 33: UL_CQI invalid
      0xFF, 0xFF,             // 34: TimingAdvance invalid
      0xFF, 0xFF,             // 36: RSSI invalid
  };
  const Bytes expected = with_headers(FapiMessageType::crc_indication, body);
  EXPECT_EQ(encode(indication), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().crc_indication, indication);
}

TEST(FapiP7Layout, RxDataIndication) {
  const Bytes tb = {0xDE, 0xAD, 0xBE, 0xEF, 0x01};
  FapiRxDataIndication indication;
  indication.sfn = 1023;
  indication.slot = 159;
  indication.pdus[0] = {0x11223344, 0x4601, 3, {150, 31, 880}, tb};
  indication.pdus[1] = {7, 8, 0, {}, {}};
  indication.num_pdus = 2;
  const Bytes body = {
      0xFF, 0x03,                   // 0: SFN 1023
      0x9F, 0x00,                   // 2: slot 159
      0x02, 0x00,                   // 4: NumPDUs 2
      0x44, 0x33, 0x22, 0x11,       // 6: Handle
      0x01, 0x46,                   // 10: RNTI 0x4601
      0x03,                         // 12: HarqID 3
      0x05, 0x00, 0x00, 0x00,       // 13: PDU_Length 5
      0x96,                         // 17: UL_CQI 150
      0x1F, 0x00,                   // 18: TimingAdvance 31
      0x70, 0x03,                   // 20: RSSI 880
      0xDE, 0xAD, 0xBE, 0xEF, 0x01, // 22: PDU (the TB)
      0x07, 0x00, 0x00, 0x00,       // 27: Handle 7
      0x08, 0x00,                   // 31: RNTI 8
      0x00,                         // 33: HarqID 0
      0x00, 0x00, 0x00, 0x00,       // 34: PDU_Length 0 (CRC failed)
      0xFF,                         // 38: UL_CQI invalid
      0xFF, 0xFF,                   // 39: TimingAdvance invalid
      0xFF, 0xFF,                   // 41: RSSI invalid
  };
  const Bytes expected = with_headers(FapiMessageType::rx_data_indication, body);
  EXPECT_EQ(encode(indication), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  const FapiRxDataIndication& decoded = scratch_message().rx_data_indication;
  EXPECT_EQ(decoded, indication);
  // The payload is a view into the decoded buffer, not a copy.
  ASSERT_EQ(decoded.pdus[0].payload.size(), tb.size());
}

TEST(FapiP7Layout, SeveralMessagesInOneBuffer) {
  Bytes buffer(4096);
  FapiMessageWriter writer(buffer, 0x5A);
  ASSERT_TRUE(writer.add(FapiSlotIndication{10, 3}).ok());
  FapiUlTtiRequest request;
  request.sfn = 10;
  request.slot = 3;
  request.pusch[0] = sample_pusch_pdu();
  request.num_pusch = 1;
  ASSERT_TRUE(writer.add(request).ok());
  EXPECT_EQ(writer.num_messages(), 2U);
  EXPECT_EQ(writer.bytes()[0], 2);    // number of messages
  EXPECT_EQ(writer.bytes()[1], 0x5A); // opaque handle

  FapiMessageReader reader(writer.bytes());
  FapiMessageView view;
  auto message = std::make_unique<FapiMessage>();
  ASSERT_TRUE(reader.next(view));
  ASSERT_TRUE(decode_message(view, *message).ok());
  EXPECT_EQ(message->slot_indication, (FapiSlotIndication{10, 3}));
  ASSERT_TRUE(reader.next(view));
  ASSERT_TRUE(decode_message(view, *message).ok());
  EXPECT_EQ(message->ul_tti_request, request);
  EXPECT_FALSE(reader.next(view));
  EXPECT_TRUE(reader.error().ok()) << reader.error().reason();
}

} // namespace
