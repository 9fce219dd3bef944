// SRS.indication (0x88, SCF 222.10.02 section 3.4.10): written out byte by byte and checked
// against the encoder and decoded back, also through FapiMessage; every range and count refused
// by decoder and encoder with its offset, truncation at every length, trailing bytes, capacity at
// its largest without allocation, randomised round trips.
#include "../support/allocation_counter.h"
#include "fapi_srs_fixtures.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::io;
using namespace airan::io::test;
using namespace airan::io::srs_fixtures;

/// Two PDUs: one measured (two reported symbols of 3 and 0 RBs), one invalid.
std::unique_ptr<FapiSrsIndication> sample_srs_indication() {
  auto message = std::make_unique<FapiSrsIndication>();
  message->sfn = 100;
  message->slot = 9;
  FapiSrsIndicationPdu& measured = message->pdus[0];
  measured.handle = 0x01020304;
  measured.rnti = 0x4601;
  measured.timing_advance = 31;
  measured.num_symbols = 4;
  measured.wide_band_snr = 150;
  measured.num_reported_symbols = 2;
  measured.reported_symbols[0].num_rbs = 3;
  measured.reported_symbols[0].rb_snr[0] = 148;
  measured.reported_symbols[0].rb_snr[1] = FapiSrsIndicationPdu::invalid_snr;
  measured.reported_symbols[0].rb_snr[2] = 254;
  measured.reported_symbols[1].num_rbs = 0;
  FapiSrsIndicationPdu& invalid = message->pdus[1];
  invalid.handle = 9;
  invalid.rnti = 0x4602;
  invalid.num_symbols = 1; // TimingAdvance 0xFFFF, WideBandSNR 0xFF, nothing reported
  message->num_pdus = 2;
  return message;
}

/// The body of sample_srs_indication(); offsets in the body.
const Bytes sample_srs_indication_body = {
    0x64, 0x00,             // 0: SFN 100
    0x09, 0x00,             // 2: slot 9
    0x02,                   // 4: NumPDUs 2
    0x04, 0x03, 0x02, 0x01, // 5: PDU 0 Handle 0x01020304
    0x01, 0x46,             // 9: RNTI 0x4601
    0x1F, 0x00,             // 11: TimingAdvance 31
    0x04,                   // 13: NumSymbols 4
    0x96,                   // 14: WideBandSNR 150 (11 dB)
    0x02,                   // 15: NumReportedSymbols 2
    0x03, 0x00,             // 16: symbol 0 NumRBs 3
    0x94, 0xFF, 0xFE,       // 18: RBSNR 148, invalid, 254
    0x00, 0x00,             // 21: symbol 1 NumRBs 0
    0x09, 0x00, 0x00, 0x00, // 23: PDU 1 Handle 9
    0x02, 0x46,             // 27: RNTI 0x4602
    0xFF, 0xFF,             // 29: TimingAdvance invalid
    0x01,                   // 31: NumSymbols 1
    0xFF,                   // 32: WideBandSNR invalid
    0x00,                   // 33: NumReportedSymbols 0
};

/// sample_srs_indication_body with byte \p offset (of \p width bytes) set to \p value, as a unit.
Bytes srs_indication_with(std::size_t offset, unsigned value, unsigned width) {
  Bytes body = sample_srs_indication_body;
  srs_put(body, offset, value, width);
  return with_headers(FapiMessageType::srs_indication, body);
}

TEST(FapiSrsIndication, ByteLayout) {
  const auto message = sample_srs_indication();
  const Bytes expected = with_headers(FapiMessageType::srs_indication, sample_srs_indication_body);
  EXPECT_EQ(encode(*message), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().type, FapiMessageType::srs_indication);
  const FapiSrsIndication& decoded = scratch_message().srs_indication;
  EXPECT_EQ(decoded, *message);
  ASSERT_EQ(decoded.entries().size(), 2U);
  EXPECT_EQ(decoded.pdus[0].reported()[0].snrs().size(), 3U);
  EXPECT_EQ(decoded.pdus[0].reported_symbols[0].rb_snr[3], 0); // zero past NumRBs
  EXPECT_EQ(decoded.pdus[1].timing_advance, FapiSrsIndicationPdu::invalid_timing_advance);
  EXPECT_EQ(decoded.pdus[1].wide_band_snr, FapiSrsIndicationPdu::invalid_snr);
  EXPECT_TRUE(decoded.pdus[1].reported().empty());
  // Through FapiMessage: the writer's add(FapiMessage) and the message type tables.
  EXPECT_EQ(encode(scratch_message()), expected);
  EXPECT_TRUE(fapi_codec_handles(FapiMessageType::srs_indication));
  EXPECT_STREQ(fapi_message_type_name(FapiMessageType::srs_indication), "SRS.indication");
  // An empty one.
  FapiSrsIndication empty;
  empty.sfn = 1023;
  empty.slot = 159;
  EXPECT_EQ(encode(empty),
            with_headers(FapiMessageType::srs_indication, {0xFF, 0x03, 0x9F, 0x00, 0x00}));
}

TEST(FapiSrsIndication, FieldsOutOfRangeAreRefusedWithTheirOffsets) {
  struct Case {
    const char* field;
    std::size_t offset; ///< In the body.
    unsigned width;
    unsigned value;
  };
  const Case cases[] = {
      {"TimingAdvance", 11, 2, 64},       {"TimingAdvance", 11, 2, 0xFFFE},
      {"NumReportedSymbols", 15, 1, 5},   {"NumRBs", 16, 2, 276},
      {"NumReportedSymbols", 33, 1, 255},
  };
  for (const Case& c : cases) {
    const FapiError error = decode(srs_indication_with(c.offset, c.value, c.width));
    EXPECT_EQ(error.status, FapiStatus::out_of_range) << c.field << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.field;
    EXPECT_EQ(error.message_type, FapiMessageType::srs_indication) << c.field;
    EXPECT_EQ(error.offset, 8 + c.offset) << c.field;
    EXPECT_NE(error.reason().find(c.field), std::string_view::npos) << error.reason();
    EXPECT_NE(error.reason().find(std::to_string(c.value)), std::string_view::npos)
        << error.reason();
  }
  // Every value of the other fields is taken: WideBandSNR and RBSNR 0 .. 255, NumSymbols as sent.
  EXPECT_TRUE(decode(srs_indication_with(13, 0, 1)).ok());
  EXPECT_TRUE(decode(srs_indication_with(14, 0, 1)).ok());
  EXPECT_TRUE(decode(srs_indication_with(18, 0, 1)).ok());
  EXPECT_TRUE(decode(srs_indication_with(11, 63, 2)).ok());
  // SFN / slot.
  EXPECT_EQ(decode(srs_indication_with(0, 1024, 2)).code, FapiErrorCode::msg_invalid_sfn);
  EXPECT_EQ(decode(srs_indication_with(2, 160, 2)).code, FapiErrorCode::msg_invalid_sfn);

  // The encoder refuses the same.
  const auto message = sample_srs_indication();
  Bytes buffer(1 << 16);
  std::size_t size = 0;
  const auto encode_status = [&] { return encode_single_message(*message, buffer, size).status; };
  message->pdus[0].timing_advance = 64;
  EXPECT_EQ(encode_status(), FapiStatus::out_of_range);
  message->pdus[0].timing_advance = 0;
  message->pdus[0].num_reported_symbols = 5;
  EXPECT_EQ(encode_status(), FapiStatus::out_of_range);
  message->pdus[0].num_reported_symbols = 1;
  message->pdus[0].reported_symbols[0].num_rbs = 276;
  EXPECT_EQ(encode_status(), FapiStatus::out_of_range);
  message->pdus[0].reported_symbols[0].num_rbs = 275;
  EXPECT_EQ(encode_status(), FapiStatus::ok);
  message->sfn = 1024;
  EXPECT_EQ(encode_single_message(*message, buffer, size).code, FapiErrorCode::msg_invalid_sfn);
}

TEST(FapiSrsIndication, CountsTruncationAndTrailingBytes) {
  // NumPDUs beyond the capacity, or more than the body can hold (11 bytes each at least).
  FapiError error = decode(srs_indication_with(4, fapi_max_srs_pdus + 1, 1));
  EXPECT_EQ(error.status, FapiStatus::capacity_exceeded) << describe(error);
  EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err);
  error = decode(srs_indication_with(4, 3, 1));
  EXPECT_EQ(error.status, FapiStatus::truncated) << describe(error);
  EXPECT_EQ(error.offset, 8U + 4U);
  // Cut at every length.
  for (std::size_t cut = 0; cut < sample_srs_indication_body.size(); ++cut) {
    const Bytes body(sample_srs_indication_body.begin(),
                     sample_srs_indication_body.begin() + static_cast<long>(cut));
    error = decode(with_headers(FapiMessageType::srs_indication, body));
    EXPECT_EQ(error.status, FapiStatus::truncated) << cut << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << cut;
  }
  // NumRBs past the body's end.
  error = decode(srs_indication_with(16, 40, 2));
  EXPECT_EQ(error.status, FapiStatus::truncated) << describe(error);
  // A byte after the last PDU.
  Bytes body = sample_srs_indication_body;
  body.push_back(0);
  error = decode(with_headers(FapiMessageType::srs_indication, body));
  EXPECT_EQ(error.status, FapiStatus::length_mismatch) << describe(error);
  EXPECT_EQ(error.offset, 8 + sample_srs_indication_body.size());
  // The encoder's capacity.
  FapiSrsIndication message;
  message.num_pdus = fapi_max_srs_pdus + 1;
  Bytes buffer(1 << 16);
  std::size_t size = 0;
  EXPECT_EQ(encode_single_message(message, buffer, size).status, FapiStatus::capacity_exceeded);
}

TEST(FapiSrsIndication, LargestMessageWithoutAllocation) {
  auto message = std::make_unique<FapiSrsIndication>();
  message->sfn = 512;
  message->slot = 19;
  for (std::size_t p = 0; p < fapi_max_srs_pdus; ++p) {
    FapiSrsIndicationPdu& pdu = message->pdus[p];
    pdu.handle = static_cast<std::uint32_t>(p);
    pdu.rnti = static_cast<std::uint16_t>(p + 1);
    pdu.timing_advance = static_cast<std::uint16_t>(p % 64);
    pdu.num_symbols = 4;
    pdu.wide_band_snr = static_cast<std::uint8_t>(p);
    pdu.num_reported_symbols = fapi_max_srs_reported_symbols;
    for (FapiSrsReportedSymbol& symbol : pdu.reported_symbols) {
      symbol.num_rbs = fapi_max_srs_rbs;
      for (std::size_t rb = 0; rb < fapi_max_srs_rbs; ++rb) {
        symbol.rb_snr[rb] = static_cast<std::uint8_t>(rb + p);
      }
    }
  }
  message->num_pdus = fapi_max_srs_pdus;
  std::vector<std::uint8_t> buffer(1 << 17);
  auto decoded = std::make_unique<FapiMessage>();
  const long before = airan::test::allocation_count();
  std::size_t size = 0;
  const bool ok = encode_single_message(*message, buffer, size).ok() &&
                  decode_single_message(std::span(buffer).first(size), *decoded).ok();
  EXPECT_EQ(airan::test::allocation_count(), before);
  ASSERT_TRUE(ok);
  EXPECT_EQ(size,
            8 + 5 +
                fapi_max_srs_pdus * (11 + fapi_max_srs_reported_symbols * (2 + fapi_max_srs_rbs)));
  EXPECT_EQ(decoded->srs_indication, *message);
}

TEST(FapiSrsIndication, RandomisedRoundTrips) {
  std::mt19937 engine(5);
  const auto r = [&](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(engine);
  };
  auto message = std::make_unique<FapiSrsIndication>();
  for (int trial = 0; trial < 50; ++trial) {
    *message = {};
    message->sfn = static_cast<std::uint16_t>(r(0, 1023));
    message->slot = static_cast<std::uint16_t>(r(0, 159));
    message->num_pdus = r(0, 6);
    for (std::size_t p = 0; p < message->num_pdus; ++p) {
      FapiSrsIndicationPdu& pdu = message->pdus[p];
      pdu.handle = r(0, 0xFFFFFFFF);
      pdu.rnti = static_cast<std::uint16_t>(r(0, 65535));
      pdu.timing_advance = static_cast<std::uint16_t>(r(0, 1) == 0 ? r(0, 63) : 0xFFFF);
      pdu.num_symbols = static_cast<std::uint8_t>(r(0, 255));
      pdu.wide_band_snr = static_cast<std::uint8_t>(r(0, 255));
      pdu.num_reported_symbols = static_cast<std::uint8_t>(r(0, 4));
      for (std::size_t s = 0; s < pdu.num_reported_symbols; ++s) {
        FapiSrsReportedSymbol& symbol = pdu.reported_symbols[s];
        symbol.num_rbs = static_cast<std::uint16_t>(r(0, 275));
        for (std::size_t rb = 0; rb < symbol.num_rbs; ++rb) {
          symbol.rb_snr[rb] = static_cast<std::uint8_t>(r(0, 255));
        }
      }
    }
    const Bytes bytes = encode(*message);
    ASSERT_TRUE(decode(bytes).ok()) << trial << ": " << describe(decode(bytes));
    ASSERT_EQ(scratch_message().srs_indication, *message) << trial;
    EXPECT_EQ(encode(scratch_message()), bytes) << trial;
  }
}

} // namespace
