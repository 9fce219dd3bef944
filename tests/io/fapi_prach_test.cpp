// PRACH over FAPI: the UL_TTI.request PRACH PDU (SCF 222.10.02 Table 3-45, the PRACH maintenance
// FAPIv3 part of 222.10.04) and RACH.indication (Table 3-74), each written out byte by byte and
// checked against the encoder and decoded back; ranges, truncation and capacities refused with a
// reason. The PRACH TLVs of CONFIG.request: fapi_prach_config_test.cpp; randomised round trips:
// fapi_codec_roundtrip_test.cpp.
#include "airan/io/fapi_prach_conversion.h"

#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace airan::io;
using namespace airan::io::test;

/// Format A2, two TD occasions from symbol 2, FD occasion 3, N_CS 23, two beams.
FapiPrachPdu sample_prach_pdu() {
  FapiPrachPdu pdu;
  pdu.phys_cell_id = 500;
  pdu.num_prach_ocas = 2;
  pdu.prach_format = fapi_prach_format::a2;
  pdu.num_ra = 3;
  pdu.prach_start_symbol = 2;
  pdu.num_cs = 23;
  pdu.beamforming.num_prgs = 1;
  pdu.beamforming.prg_size = 12;
  pdu.beamforming.dig_bf_interfaces = 2;
  pdu.beamforming.beam_index[0] = 7;
  pdu.beamforming.beam_index[1] = 9;
  return pdu;
}

/// UL_TTI.request body (SFN 100, slot 9) with sample_prach_pdu() alone; offsets in the body.
const Bytes prach_ul_tti_body = {
    0x64, 0x00, // 0: SFN 100
    0x09, 0x00, // 2: slot 9
    0x01,       // 4: nPDUs 1
    0x01,       // 5: RachPresent 1
    0x00,       // 6: nULSCH 0
    0x00,       // 7: nULCCH 0
    0x00,       // 8: nGroup 0
    0x00, 0x00, // 9: pduType 0 (PRACH)
    0x15, 0x00, // 11: pduSize 21, counting pduType and pduSize
    0xF4, 0x01, // 13 (PDU body 0): physCellID 500
    0x02,       // 15 (2): NumPrachOcas 2
    0x05,       // 16 (3): prachFormat 5 (A2)
    0x03,       // 17 (4): numRa 3
    0x02,       // 18 (5): prachStartSymbol 2
    0x17, 0x00, // 19 (6): numCs 23
    0x01, 0x00, // 21 (8): Rx beamforming numPRGs 1
    0x0C, 0x00, // 23 (10): prgSize 12
    0x02,       // 25 (12): digBFInterface 2
    0x07, 0x00, // 26 (13): beamIdx[0][0] 7
    0x09, 0x00, // 28 (15): beamIdx[0][1] 9
};
constexpr std::size_t prach_body_at = 13; ///< The PRACH PDU body in prach_ul_tti_body.

/// The PRACH maintenance FAPIv3 part: handle 0x11223344, prachConfigScope 1, prachResConfigIndex
/// 0x0102, NumFdRa 2, startPreambleIndex 0xFF (from the configuration), numPreambleIndices 64.
const Bytes prach_v3_bytes = {0x44, 0x33, 0x22, 0x11, 0x01, 0x02, 0x01, 0x02, 0xFF, 0x40};

FapiUlTtiRequest one_prach_request() {
  FapiUlTtiRequest request;
  request.sfn = 100;
  request.slot = 9;
  request.prach[0] = sample_prach_pdu();
  request.num_prach = 1;
  return request;
}

/// prach_ul_tti_body with \p extra bytes appended to the PDU (pduSize follows), as a buffer.
Bytes prach_buffer(const Bytes& extra = {}) {
  Bytes body = prach_ul_tti_body;
  body.insert(body.end(), extra.begin(), extra.end());
  body[11] = static_cast<std::uint8_t>(body[11] + extra.size());
  return with_headers(FapiMessageType::ul_tti_request, body);
}

TEST(FapiPrachPdu, ByteLayout) {
  const Bytes expected = prach_buffer();
  EXPECT_EQ(encode(one_prach_request()), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  const FapiUlTtiRequest& decoded = scratch_message().ul_tti_request;
  EXPECT_EQ(decoded, one_prach_request());
  EXPECT_EQ(decoded.num_prach, 1U);
  EXPECT_EQ(decoded.prach_pdu_index[0], 0);
  EXPECT_EQ(decoded.num_prach_skipped, 0U);
  EXPECT_EQ(decoded.num_skipped(), 0U);
  EXPECT_FALSE(decoded.prach[0].maintenance_v3);
}

TEST(FapiPrachPdu, MaintenanceV3PartAfterTheBeamforming) {
  FapiUlTtiRequest request = one_prach_request();
  request.prach[0].maintenance_v3 = FapiPrachMaintenanceV3{0x11223344, 1, 0x0102, 2, 0xFF, 64};
  const Bytes expected = prach_buffer(prach_v3_bytes);
  EXPECT_EQ(encode(request), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().ul_tti_request, request);
  // Anything but 0 or 10 bytes after the beamforming part does not fill pduSize.
  for (const std::size_t extra : {1U, 3U, 9U, 11U}) {
    Bytes bytes(prach_v3_bytes.begin(), prach_v3_bytes.end());
    bytes.resize(extra, 0x01);
    expect_decode_error(prach_buffer(bytes), FapiStatus::length_mismatch,
                        FapiErrorCode::msg_slot_err, std::to_string(extra) + " extra bytes");
  }
}

// The codec takes a PDU whose fields are out of range (the rest of the request is still received);
// to_prach_occasions() refuses that PDU alone, naming the field and its offset in the PDU body.
TEST(FapiPrachPdu, FieldsOutOfRangeAreRefusedByTheConversion) {
  struct Case {
    const char* what;
    std::size_t offset; ///< Within the PDU body (the v3 part starts at 17).
    unsigned value;
    unsigned width;
  };
  const Case cases[] = {
      {"physCellID 1008", 0, 1008, 2},
      {"NumPrachOcas 0", 2, 0, 1},
      {"NumPrachOcas 8", 2, 8, 1},
      {"prachFormat 14", 3, 14, 1},
      {"numRa 8", 4, 8, 1},
      {"prachStartSymbol 14", 5, 14, 1},
      {"numCs 420", 6, 420, 2},
      {"prachConfigScope 2", 21, 2, 1},
      {"NumFdRa 0", 24, 0, 1},
      {"NumFdRa 9", 24, 9, 1},
      {"startPreambleIndex 64", 25, 64, 1},
      {"numPreambleIndices 0", 26, 0, 1},
      {"numPreambleIndices 65", 26, 65, 1},
  };
  for (const Case& c : cases) {
    Bytes bytes = prach_buffer(prach_v3_bytes);
    for (unsigned b = 0; b < c.width; ++b) {
      bytes.at(8 + prach_body_at + c.offset + b) = static_cast<std::uint8_t>(c.value >> (8 * b));
    }
    ASSERT_TRUE(decode(bytes).ok()) << c.what << ": " << describe(decode(bytes));
    const FapiUlTtiRequest& decoded = scratch_message().ul_tti_request;
    ASSERT_EQ(decoded.num_prach, 1U) << c.what;
    std::array<FapiPrachOccasion, 64> occasions{};
    std::size_t count = 0;
    const FapiError error = to_prach_occasions(decoded.prach[0], FapiPrachConfig{},
                                               airan::phy::CellConfig{}, occasions, count);
    EXPECT_EQ(error.status, FapiStatus::out_of_range) << c.what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.what;
    EXPECT_EQ(error.offset, c.offset) << c.what;
    const std::string field(c.what, std::string_view(c.what).find(' '));
    EXPECT_NE(error.reason().find(field), std::string::npos) << c.what << ": " << describe(error);
  }
  // The largest values pass.
  FapiUlTtiRequest request = one_prach_request();
  FapiPrachPdu& pdu = request.prach[0];
  pdu.phys_cell_id = 1007;
  pdu.num_prach_ocas = 7;
  pdu.prach_format = fapi_prach_format::c2;
  pdu.num_ra = 7;
  pdu.prach_start_symbol = 13;
  pdu.num_cs = 419;
  pdu.maintenance_v3 = FapiPrachMaintenanceV3{0xFFFFFFFF, 1, 0xFFFF, 8, 63, 64};
  ASSERT_TRUE(decode(encode(request)).ok());
  EXPECT_EQ(scratch_message().ul_tti_request, request);
  // The encoder writes what the decoder takes: a MAC's out-of-range PDU reaches the L1.
  pdu.num_cs = 420;
  ASSERT_TRUE(decode(encode(request)).ok());
  EXPECT_EQ(scratch_message().ul_tti_request, request);
  // Not a beamforming part beyond the capacity.
  pdu.beamforming.num_prgs = 275;
  pdu.beamforming.dig_bf_interfaces = 255;
  Bytes buffer(4096);
  std::size_t size = 0;
  EXPECT_EQ(encode_single_message(request, buffer, size).status, FapiStatus::capacity_exceeded);
}

TEST(FapiPrachPdu, TruncatedPdusAndRachPresent) {
  // pduSize cut to every length below the PDU's 21 bytes: the PDU ends early.
  for (std::uint8_t pdu_size = 4; pdu_size < 21; ++pdu_size) {
    Bytes body(prach_ul_tti_body.begin(), prach_ul_tti_body.begin() + 9 + pdu_size);
    body[11] = pdu_size;
    expect_decode_error(with_headers(FapiMessageType::ul_tti_request, body), FapiStatus::truncated,
                        FapiErrorCode::msg_slot_err, "pduSize " + std::to_string(pdu_size));
  }
  Bytes no_rach = prach_buffer();
  no_rach[8 + 5] = 0; // RachPresent 0 with a PRACH PDU
  expect_decode_error(no_rach, FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err,
                      "RachPresent");
}

TEST(FapiPrachPdu, OrderBesideOtherPdusAndCapacity) {
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 7;
  request->slot = 3;
  request->pusch[0] = sample_pusch_pdu();
  request->num_pusch = 1;
  for (std::size_t i = 0; i < 2; ++i) {
    request->prach[i] = sample_prach_pdu();
    request->prach[i].num_ra = static_cast<std::uint8_t>(i);
  }
  request->num_prach = 2;
  // Positions: PRACH 0, PUSCH 0, PRACH 1; a group naming the PUSCH PDU.
  request->prach_pdu_index = {0, 2};
  request->pusch_pdu_index[0] = 1;
  request->groups[0].num_ues = 1;
  request->groups[0].pdu_index[0] = 1;
  request->num_groups = 1;
  const Bytes bytes = encode(*request);
  EXPECT_EQ(bytes.at(8 + 4), 3); // nPDUs
  EXPECT_EQ(bytes.at(8 + 5), 1); // RachPresent
  EXPECT_EQ(bytes.at(8 + 6), 1); // nULSCH
  EXPECT_EQ(bytes.at(8 + 9), 0); // first pduType: PRACH
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  EXPECT_EQ(scratch_message().ul_tti_request, *request);

  // Capacity: fapi_max_prach_pdus decode, one more does not (nor does it encode).
  request->num_pusch = 0;
  request->num_groups = 0;
  request->num_prach = fapi_max_prach_pdus;
  for (std::size_t i = 0; i < fapi_max_prach_pdus; ++i) {
    request->prach[i] = sample_prach_pdu();
    request->prach_pdu_index[i] = static_cast<std::uint8_t>(i);
  }
  Bytes full = encode(*request);
  ASSERT_TRUE(decode(full).ok());
  const Bytes one = prach_buffer();
  full.insert(full.end(), one.begin() + 8 + 9, one.end());
  full[8 + 4] = static_cast<std::uint8_t>(fapi_max_prach_pdus + 1);
  const auto length = static_cast<std::uint32_t>(full.size() - 8);
  for (unsigned b = 0; b < 4; ++b) {
    full[4 + b] = static_cast<std::uint8_t>(length >> (8 * b));
  }
  expect_decode_error(full, FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, "capacity");
  request->num_prach = fapi_max_prach_pdus + 1;
  Bytes buffer(1 << 16);
  std::size_t size = 0;
  EXPECT_EQ(encode_single_message(*request, buffer, size).status, FapiStatus::capacity_exceeded);
}

FapiRachIndication sample_rach_indication() {
  FapiRachIndication indication;
  indication.sfn = 3;
  indication.slot = 4;
  FapiRachPdu& a = indication.pdus[0];
  a.phys_cell_id = 500;
  a.symbol_index = 2;
  a.slot_index = 9;
  a.freq_index = 3;
  a.avg_rssi = 0x80;
  a.avg_snr = 156; // 14 dB
  a.preambles[0] = FapiRachPreamble{5, 258, 120000};
  a.preambles[1] = FapiRachPreamble{63, 3846, FapiRachPreamble::invalid_preamble_power};
  a.num_preambles = 2;
  FapiRachPdu& b = indication.pdus[1];
  b.slot_index = 79;
  b.freq_index = 7;
  indication.num_pdus = 2;
  return indication;
}

const Bytes rach_body = {
    0x03, 0x00,             // 0: SFN 3
    0x04, 0x00,             // 2: slot 4
    0x02,                   // 4: numPdus 2
    0xF4, 0x01,             // 5: physCellID 500
    0x02,                   // 7: SymbolIndex 2
    0x09,                   // 8: SlotIndex 9
    0x03,                   // 9: FreqIndex 3
    0x80,                   // 10: avgRssi 0x80
    0x9C,                   // 11: avgSnr 156
    0x02,                   // 12: numPreambles 2
    0x05,                   // 13: preambleIndex 5
    0x02, 0x01,             // 14: TimingAdvance 258
    0xC0, 0xD4, 0x01, 0x00, // 16: PreamblePwr 120000 (-20 dBm)
    0x3F,                   // 20: preambleIndex 63
    0x06, 0x0F,             // 21: TimingAdvance 3846
    0xFF, 0xFF, 0xFF, 0xFF, // 23: PreamblePwr invalid
    0x00, 0x00,             // 27: physCellID 0
    0x00,                   // 29: SymbolIndex 0
    0x4F,                   // 30: SlotIndex 79
    0x07,                   // 31: FreqIndex 7
    0xFF,                   // 32: avgRssi invalid
    0xFF,                   // 33: avgSnr invalid
    0x00,                   // 34: numPreambles 0
};

TEST(FapiRachIndication, ByteLayout) {
  const Bytes expected = with_headers(FapiMessageType::rach_indication, rach_body);
  EXPECT_EQ(encode(sample_rach_indication()), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  EXPECT_EQ(scratch_message().type, FapiMessageType::rach_indication);
  EXPECT_EQ(scratch_message().rach_indication, sample_rach_indication());
  EXPECT_TRUE(fapi_codec_handles(FapiMessageType::rach_indication));
}

TEST(FapiRachIndication, MalformedMessagesAreRefusedWithAReason) {
  struct Case {
    const char* what;
    std::size_t offset; ///< Body byte(s) to change.
    unsigned value;
    unsigned width;
    FapiStatus status;
  };
  const auto range = FapiStatus::out_of_range;
  const Case cases[] = {
      {"physCellID 1008", 5, 1008, 2, range},
      {"SymbolIndex 14", 7, 14, 1, range},
      {"SlotIndex 80", 8, 80, 1, range},
      {"FreqIndex 8", 9, 8, 1, range},
      {"numPreambles 65", 12, 65, 1, range},
      {"preambleIndex 64", 13, 64, 1, range},
      {"TimingAdvance 3847", 14, 3847, 2, range},
      {"PreamblePwr 170001", 16, 170001, 4, range},
      {"numPdus 3", 4, 3, 1, FapiStatus::truncated},
      {"numPdus 65", 4, 65, 1, FapiStatus::capacity_exceeded},
      // PDU 1 then starts at byte 20: physCellID 0x063F = 1599.
      {"numPreambles 1", 12, 1, 1, FapiStatus::out_of_range},
  };
  for (const Case& c : cases) {
    Bytes body = rach_body;
    for (unsigned b = 0; b < c.width; ++b) {
      body.at(c.offset + b) = static_cast<std::uint8_t>(c.value >> (8 * b));
    }
    expect_decode_error(with_headers(FapiMessageType::rach_indication, body), c.status,
                        FapiErrorCode::msg_slot_err, c.what);
  }
  Bytes longer = rach_body;
  longer.push_back(0);
  expect_decode_error(with_headers(FapiMessageType::rach_indication, longer),
                      FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err, "trailing byte");
  Bytes sfn = rach_body;
  sfn[1] = 0x04; // SFN 1024
  expect_decode_error(with_headers(FapiMessageType::rach_indication, sfn), FapiStatus::out_of_range,
                      FapiErrorCode::msg_invalid_sfn, "SFN");
  for (std::size_t size = 0; size < rach_body.size(); ++size) {
    const Bytes cut(rach_body.begin(), rach_body.begin() + static_cast<long>(size));
    EXPECT_FALSE(decode(with_headers(FapiMessageType::rach_indication, cut)).ok()) << size;
  }
  // The encoder checks the same ranges and capacities.
  Bytes buffer(1 << 16);
  std::size_t written = 0;
  FapiRachIndication bad = sample_rach_indication();
  bad.pdus[0].preambles[1].timing_advance = 3847;
  EXPECT_EQ(encode_single_message(bad, buffer, written).status, FapiStatus::out_of_range);
  bad = sample_rach_indication();
  bad.pdus[1].num_preambles = fapi_max_rach_preambles + 1;
  EXPECT_EQ(encode_single_message(bad, buffer, written).status, FapiStatus::out_of_range);
  bad = sample_rach_indication();
  bad.num_pdus = fapi_max_rach_pdus + 1;
  EXPECT_EQ(encode_single_message(bad, buffer, written).status, FapiStatus::capacity_exceeded);
}

/// Uniform integers in [low, high] from one engine.
class PrachRandom {
public:
  explicit PrachRandom(unsigned seed) : engine_(seed) {}
  unsigned operator()(unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(engine_);
  }
  std::uint8_t u8(unsigned low, unsigned high) {
    return static_cast<std::uint8_t>((*this)(low, high));
  }
  std::uint16_t u16(unsigned low, unsigned high) {
    return static_cast<std::uint16_t>((*this)(low, high));
  }
  bool coin() { return (*this)(0, 1) == 1; }

private:
  std::mt19937 engine_;
};

TEST(FapiRachIndication, RandomisedRoundTrips) {
  PrachRandom r(5);
  auto rach = std::make_unique<FapiRachIndication>();
  for (int trial = 0; trial < 100; ++trial) {
    *rach = {};
    rach->sfn = r.u16(0, 1023);
    rach->slot = r.u16(0, 159);
    rach->num_pdus = trial == 0 ? fapi_max_rach_pdus : r(0, 8);
    for (std::size_t i = 0; i < rach->num_pdus; ++i) {
      FapiRachPdu& pdu = rach->pdus[i];
      pdu.phys_cell_id = r.u16(0, 1007);
      pdu.symbol_index = r.u8(0, 13);
      pdu.slot_index = r.u8(0, 79);
      pdu.freq_index = r.u8(0, 7);
      pdu.avg_rssi = r.u8(0, 255);
      pdu.avg_snr = r.u8(0, 255);
      pdu.num_preambles = r.u8(0, trial == 1 ? 64 : 4);
      for (std::size_t p = 0; p < pdu.num_preambles; ++p) {
        FapiRachPreamble& preamble = pdu.preambles[p];
        preamble.preamble_index = r.u8(0, 63);
        preamble.timing_advance =
            r.coin() ? FapiRachPreamble::invalid_timing_advance : r.u16(0, 3846);
        preamble.preamble_power =
            r.coin() ? FapiRachPreamble::invalid_preamble_power : r(0, 170000);
      }
    }
    const Bytes bytes = encode(*rach);
    ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
    ASSERT_EQ(scratch_message().rach_indication, *rach) << trial;
    EXPECT_EQ(encode(scratch_message()), bytes) << trial;
  }
}

} // namespace
