// UCI.indication PUCCH PDUs (SCF 222.10.02 Tables 3-67 and 3-68): their byte layout beside a
// PUSCH PDU, the decoder sorting PDUs by type, randomised round trips, malformed PDUs refused
// with a reason, and the capacity of each array.
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

using namespace airan::io;
using namespace airan::io::test;

FapiUciIndication sample_pucch_indication() {
  FapiUciIndication indication;
  indication.sfn = 3;
  indication.slot = 4;
  FapiUciPusch& pusch = indication.pdus[0];
  pusch.handle = 1;
  pusch.rnti = 2;
  pusch.harq = FapiUciPart{2, 2, {0x02}};
  indication.num_pdus = 1;
  FapiUciPucchFormat01& a = indication.pucch_f01[0];
  a.handle = 0x01020304;
  a.rnti = 0x4601;
  a.pucch_format = FapiUciPucchFormat01::format0;
  a.measurement = {150, 31, 880};
  a.sr = FapiUciSrFormat01{1, fapi_uci_confidence::good};
  a.harq = FapiUciHarqFormat01{
      2, fapi_uci_confidence::good, {FapiUciHarqFormat01::ack, FapiUciHarqFormat01::dtx}};
  FapiUciPucchFormat01& b = indication.pucch_f01[1];
  b.handle = 5;
  b.rnti = 6;
  b.pucch_format = FapiUciPucchFormat01::format1;
  b.harq = FapiUciHarqFormat01{1, fapi_uci_confidence::invalid, {FapiUciHarqFormat01::nack}};
  indication.num_pucch_f01 = 2;
  FapiUciPucchFormat234& c = indication.pucch_f234[0];
  c.handle = 7;
  c.rnti = 8;
  c.pucch_format = FapiUciPucchFormat234::format2;
  c.measurement.ul_cqi = 100;
  c.sr = FapiUciSrPayload{2, 0x02};
  c.harq = FapiUciPart{2, 4, {0x0B}};
  c.csi_part1 = FapiUciPart{2, 6, {0x2A}};
  c.csi_part2 = FapiUciPart{1, 3, {}};
  indication.num_pucch_f234 = 1;
  return indication;
}

const Bytes sample_pucch_body = {
    0x03, 0x00,             // 0: SFN 3
    0x04, 0x00,             // 2: slot 4
    0x04, 0x00,             // 4: NumUCIs 4 (all types)
    0x00, 0x00,             // 6: PDUType 0 (PUSCH)
    0x14, 0x00,             // 8: PDUSize 20
    0x02,                   // 10: pduBitmap: HARQ
    0x01, 0x00, 0x00, 0x00, // 11: Handle 1
    0x02, 0x00,             // 15: RNTI 2
    0xFF,                   // 17: UL_CQI invalid
    0xFF, 0xFF,             // 18: TimingAdvance invalid
    0xFF, 0xFF,             // 20: RSSI invalid
    0x02,                   // 22: HarqCrc 2 (not present)
    0x02, 0x00,             // 23: HarqBitLen 2
    0x02,                   // 25: HarqPayload
    0x01, 0x00,             // 26: PDUType 1 (PUCCH format 0/1)
    0x17, 0x00,             // 28: PDUSize 23
    0x03,                   // 30: pduBitmap: SR, HARQ
    0x04, 0x03, 0x02, 0x01, // 31: Handle
    0x01, 0x46,             // 35: RNTI 0x4601
    0x00,                   // 37: PucchFormat 0 (format 0)
    0x96,                   // 38: UL_CQI 150
    0x1F, 0x00,             // 39: TimingAdvance 31
    0x70, 0x03,             // 41: RSSI 880
    0x01,                   // 43: SRindication 1 (detected)
    0x00,                   // 44: SRconfidenceLevel 0 (good)
    0x02,                   // 45: NumHarq 2
    0x00,                   // 46: HarqconfidenceLevel 0
    0x00, 0x02,             // 47: HarqValue ACK (0, pass), DTX
    0x01, 0x00,             // 49: PDUType 1
    0x14, 0x00,             // 51: PDUSize 20
    0x02,                   // 53: pduBitmap: HARQ
    0x05, 0x00, 0x00, 0x00, // 54: Handle 5
    0x06, 0x00,             // 58: RNTI 6
    0x01,                   // 60: PucchFormat 1 (format 1)
    0xFF,                   // 61: UL_CQI invalid
    0xFF, 0xFF,             // 62: TimingAdvance invalid
    0xFF, 0xFF,             // 64: RSSI invalid
    0x01,                   // 66: NumHarq 1
    0xFF,                   // 67: HarqconfidenceLevel invalid
    0x01,                   // 68: HarqValue NACK (1, fail)
    0x02, 0x00,             // 69: PDUType 2 (PUCCH format 2/3/4)
    0x20, 0x00,             // 71: PDUSize 32
    0x0F,                   // 73: pduBitmap: SR, HARQ, CSI part 1, CSI part 2
    0x07, 0x00, 0x00, 0x00, // 74: Handle 7
    0x08, 0x00,             // 78: RNTI 8
    0x00,                   // 80: PucchFormat 0 (format 2)
    0x64,                   // 81: UL_CQI 100
    0xFF, 0xFF,             // 82: TimingAdvance invalid
    0xFF, 0xFF,             // 84: RSSI invalid
    0x02, 0x00,             // 86: SrBitLen 2
    0x02,                   // 88: SrPayload
    0x02,                   // 89: HarqCrc 2
    0x04, 0x00,             // 90: HarqBitLen 4
    0x0B,                   // 92: HarqPayload
    0x02,                   // 93: CsiPart1Crc 2
    0x06, 0x00,             // 94: CsiPart1BitLen 6
    0x2A,                   // 96: CsiPart1Payload
    0x01,                   // 97: CsiPart2Crc 1 (fail)
    0x03, 0x00,             // 98: CsiPart2BitLen 3
    0x00,                   // 100: CsiPart2Payload
};

TEST(FapiUciPucch, ByteLayoutOfBothPucchPduTypes) {
  const FapiUciIndication indication = sample_pucch_indication();
  ASSERT_EQ(sample_pucch_body.size(), 101U);
  const Bytes expected = with_headers(FapiMessageType::uci_indication, sample_pucch_body);
  EXPECT_EQ(encode(indication), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  const FapiUciIndication& decoded = scratch_message().uci_indication;
  EXPECT_EQ(decoded, indication);
  EXPECT_EQ(decoded.num_ucis(), 4U);
  ASSERT_EQ(decoded.pucch_f01_entries().size(), 2U);
  ASSERT_EQ(decoded.pucch_f234_entries().size(), 1U);
  EXPECT_EQ(decoded.pucch_f234[0].harq->bit(3), 1);
  EXPECT_EQ(decoded.pucch_f234[0].csi_part1->bit(5), 1);
}

TEST(FapiUciPucch, DecoderSortsPdusByType) {
  // The same PDUs in the order format 2/3/4, format 0/1, PUSCH, format 0/1.
  const auto slice = [](std::size_t from, std::size_t to) {
    return Bytes(sample_pucch_body.begin() + static_cast<long>(from),
                 sample_pucch_body.begin() + static_cast<long>(to));
  };
  Bytes body = slice(0, 6);
  for (const Bytes& pdu : {slice(69, 101), slice(26, 49), slice(6, 26), slice(49, 69)}) {
    body.insert(body.end(), pdu.begin(), pdu.end());
  }
  ASSERT_TRUE(decode(with_headers(FapiMessageType::uci_indication, body)).ok());
  EXPECT_EQ(scratch_message().uci_indication, sample_pucch_indication());
  EXPECT_EQ(encode(scratch_message()),
            with_headers(FapiMessageType::uci_indication, sample_pucch_body));
}

FapiUciPart random_part(std::mt19937& engine) {
  const auto r = [&](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(engine);
  };
  FapiUciPart part;
  part.crc = static_cast<std::uint8_t>(r(0, 2));
  part.bit_length = static_cast<std::uint16_t>(r(1, FapiUciPart::max_bits));
  for (std::size_t i = 0; i < part.num_bytes(); ++i) {
    part.payload[i] = static_cast<std::uint8_t>(r(0, 255));
  }
  return part;
}

TEST(FapiUciPucch, RandomisedRoundTrips) {
  std::mt19937 engine(11);
  const auto r = [&](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(engine);
  };
  const auto measurement = [&] {
    return FapiUlMeasurement{static_cast<std::uint8_t>(r(0, 255)),
                             r(0, 1) == 0 ? std::uint16_t{0xFFFF}
                                          : static_cast<std::uint16_t>(r(0, 63)),
                             static_cast<std::uint16_t>(r(0, 1280))};
  };
  const std::array<std::uint8_t, 3> confidence = {0, 1, 0xFF};
  auto indication = std::make_unique<FapiUciIndication>();
  for (int trial = 0; trial < 100; ++trial) {
    *indication = {};
    indication->sfn = static_cast<std::uint16_t>(r(0, 1023));
    indication->slot = static_cast<std::uint16_t>(r(0, 159));
    indication->num_pucch_f01 = trial == 0 ? fapi_max_pucch_pdus : r(0, 6);
    indication->num_pucch_f234 = trial == 1 ? fapi_max_pucch_pdus : r(0, 6);
    for (std::size_t i = 0; i < indication->num_pucch_f01; ++i) {
      FapiUciPucchFormat01& pdu = indication->pucch_f01[i];
      pdu.handle = r(0, 0xFFFFFFFF);
      pdu.rnti = static_cast<std::uint16_t>(r(1, 65535));
      pdu.pucch_format = static_cast<std::uint8_t>(r(0, 1));
      pdu.measurement = measurement();
      if (r(0, 1) == 1) {
        pdu.sr = FapiUciSrFormat01{static_cast<std::uint8_t>(r(0, 1)), confidence[r(0, 2)]};
      }
      if (r(0, 1) == 1) {
        FapiUciHarqFormat01& harq = pdu.harq.emplace();
        harq.num_harq = static_cast<std::uint8_t>(r(1, 2));
        harq.confidence_level = confidence[r(0, 2)];
        for (unsigned h = 0; h < harq.num_harq; ++h) {
          harq.values[h] = static_cast<std::uint8_t>(r(0, 2));
        }
      }
    }
    for (std::size_t i = 0; i < indication->num_pucch_f234; ++i) {
      FapiUciPucchFormat234& pdu = indication->pucch_f234[i];
      pdu.handle = r(0, 0xFFFFFFFF);
      pdu.rnti = static_cast<std::uint16_t>(r(1, 65535));
      pdu.pucch_format = static_cast<std::uint8_t>(r(0, 2));
      pdu.measurement = measurement();
      if (r(0, 1) == 1) {
        pdu.sr = FapiUciSrPayload{static_cast<std::uint16_t>(r(1, 8)),
                                  static_cast<std::uint8_t>(r(0, 255))};
      }
      for (auto* part : {&pdu.harq, &pdu.csi_part1, &pdu.csi_part2}) {
        if (r(0, 1) == 1) {
          *part = random_part(engine);
        }
      }
    }
    const Bytes bytes = encode(*indication);
    ASSERT_TRUE(decode(bytes).ok()) << trial << ": " << describe(decode(bytes));
    ASSERT_EQ(scratch_message().uci_indication, *indication) << trial;
    EXPECT_EQ(encode(scratch_message()), bytes) << trial;
  }
}

TEST(FapiUciPucch, MalformedPdusAreRefusedWithAReason) {
  struct Case {
    const char* what;
    std::size_t offset; ///< Body byte to change.
    std::uint8_t value;
    FapiStatus status;
  };
  const Case cases[] = {
      {"format 0/1 pduBitmap bit 2", 30, 0x07, FapiStatus::out_of_range},
      {"format 2/3/4 pduBitmap bit 4", 73, 0x1F, FapiStatus::out_of_range},
      {"PucchFormat 2 in PDUType 1", 37, 2, FapiStatus::out_of_range},
      {"PucchFormat 3 in PDUType 2", 80, 3, FapiStatus::out_of_range},
      {"RNTI 0", 36, 0, FapiStatus::out_of_range},
      {"TimingAdvance 64", 39, 64, FapiStatus::out_of_range},
      {"SRindication 2", 43, 2, FapiStatus::out_of_range},
      {"SRconfidenceLevel 2", 44, 2, FapiStatus::out_of_range},
      {"NumHarq 0", 45, 0, FapiStatus::out_of_range},
      {"NumHarq 3", 45, 3, FapiStatus::out_of_range},
      {"HarqconfidenceLevel 5", 46, 5, FapiStatus::out_of_range},
      {"HarqValue 3", 47, 3, FapiStatus::out_of_range},
      {"HarqValue 3 (format 1)", 68, 3, FapiStatus::out_of_range},
      {"SrBitLen 0", 86, 0, FapiStatus::out_of_range},
      {"SrBitLen 9", 86, 9, FapiStatus::out_of_range},
      {"HarqCrc 3", 89, 3, FapiStatus::out_of_range},
      {"HarqBitLen 0", 90, 0, FapiStatus::out_of_range},
      {"PDUType 3", 69, 3, FapiStatus::out_of_range},
      {"PDUSize short of the format 2 PDU", 71, 0x1F, FapiStatus::truncated},
      {"PDUSize short of the format 0/1 PDU", 51, 0x10, FapiStatus::truncated},
  };
  for (const Case& c : cases) {
    Bytes body = sample_pucch_body;
    if (std::string(c.what) == "RNTI 0") {
      body[35] = 0;
    }
    body[c.offset] = c.value;
    const FapiError error = decode(with_headers(FapiMessageType::uci_indication, body));
    EXPECT_EQ(error.status, c.status) << c.what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.what;
    EXPECT_FALSE(error.reason().empty()) << c.what;
  }
  // Every cut of the message body fails.
  for (std::size_t size = 0; size < sample_pucch_body.size(); ++size) {
    const Bytes cut(sample_pucch_body.begin(), sample_pucch_body.begin() + static_cast<long>(size));
    const FapiError error = decode(with_headers(FapiMessageType::uci_indication, cut));
    EXPECT_EQ(error.status, FapiStatus::truncated) << size << ": " << describe(error);
  }
  // The encoder refuses what the decoder would.
  Bytes buffer(4096);
  std::size_t size = 0;
  FapiUciIndication bad = sample_pucch_indication();
  bad.pucch_f01[0].harq->num_harq = 3;
  EXPECT_EQ(encode_single_message(bad, buffer, size).status, FapiStatus::out_of_range);
  bad = sample_pucch_indication();
  bad.pucch_f01[1].harq->values[0] = 3;
  EXPECT_EQ(encode_single_message(bad, buffer, size).status, FapiStatus::out_of_range);
  bad = sample_pucch_indication();
  bad.pucch_f234[0].sr->bit_length = 9;
  EXPECT_EQ(encode_single_message(bad, buffer, size).status, FapiStatus::out_of_range);
  bad = sample_pucch_indication();
  bad.pucch_f234[0].pucch_format = 3;
  EXPECT_EQ(encode_single_message(bad, buffer, size).status, FapiStatus::out_of_range);
}

TEST(FapiUciPucch, CapacityOfEachArray) {
  auto indication = std::make_unique<FapiUciIndication>();
  indication->pucch_f01[0].harq = FapiUciHarqFormat01{};
  for (std::size_t i = 1; i < fapi_max_pucch_pdus; ++i) {
    indication->pucch_f01[i] = indication->pucch_f01[0];
  }
  indication->num_pucch_f01 = fapi_max_pucch_pdus;
  Bytes bytes = encode(*indication);
  ASSERT_TRUE(decode(bytes).ok());
  // A 65th format 0/1 PDU (a copy of the last one, 20 bytes with its PDUType and PDUSize).
  const Bytes last(bytes.end() - 20, bytes.end());
  bytes.insert(bytes.end(), last.begin(), last.end());
  bytes[8 + 4] = static_cast<std::uint8_t>(fapi_max_pucch_pdus + 1);
  for (int b = 0; b < 4; ++b) {
    bytes[4 + b] = static_cast<std::uint8_t>((bytes.size() - 8) >> (8 * b));
  }
  const FapiError error = decode(bytes);
  EXPECT_EQ(error.status, FapiStatus::capacity_exceeded) << describe(error);
  EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err);
  // NumUCIs beyond what the three arrays hold together.
  Bytes many = with_headers(FapiMessageType::uci_indication, {0, 0, 0, 0, 0xC1, 0x00});
  EXPECT_EQ(decode(many).status, FapiStatus::capacity_exceeded);
  Bytes buffer(1 << 16);
  std::size_t size = 0;
  indication->num_pucch_f234 = fapi_max_pucch_pdus + 1;
  EXPECT_EQ(encode_single_message(*indication, buffer, size).status, FapiStatus::capacity_exceeded);
}

} // namespace
