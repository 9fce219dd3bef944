// The PUSCH PDU's "UCI information for determining UCI Part1 to Part2 correspondence" (SCF
// 222.10.04): with csiPart2BitLength 0xFFFF it follows the PUSCH maintenance FAPIv3 part
// (numPart2s, then per part 2 priority, numPart1Params, paramOffsets, paramSizes,
// part2SizeMapIndex, part2SizeMapScope). Round trips with 1 and 2 reports of 1 and 4 fields, the
// bytes on the wire, and every malformed case (truncated, no maintenance part, numPart2s 0 or 9,
// numPart1Params 0 or 5, scope 2, trailing bytes) in the decoder and the encoder.
#include "airan/io/fapi_codec.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

/// Bytes before the PDU's body in a one-PDU UL_TTI.request: PHY API and message headers (8),
/// SFN .. nGroup (9), pduType and pduSize (4).
constexpr std::size_t csi2_pdu_body_at = 8 + 9 + 4;
constexpr std::size_t csi2_pdu_size_at = 8 + 9 + 2;

/// sample_pusch_pdu() with HARQ-ACK, a 40-bit CSI part 1, CSI part 2 sized from part 1 by
/// \p info, and the maintenance part.
FapiPuschPdu csi2_pdu(const FapiUciPart2Info& info) {
  FapiPuschPdu pdu = sample_pusch_pdu();
  pdu.uci = FapiPuschUci{2, 40, fapi_csi_part2_from_part1, 3, 9, 13, 13, info};
  pdu.maintenance_v3 = FapiPuschMaintenanceV3{0, 0, 273, 0, 0, 1, 0};
  return pdu;
}

/// One part 2 of \p fields fields at bits 0, 4, 8, .. of widths 1, 2, ..
FapiUciPart2 csi2_part(unsigned fields, std::uint16_t priority, std::uint16_t map) {
  FapiUciPart2 part;
  part.priority = priority;
  part.num_part1_params = static_cast<std::uint8_t>(fields);
  for (unsigned f = 0; f < fields; ++f) {
    part.param_offsets[f] = static_cast<std::uint16_t>(4 * f);
    part.param_sizes[f] = static_cast<std::uint8_t>(f + 1);
  }
  part.part2_size_map_index = map;
  part.part2_size_map_scope = 1;
  return part;
}

FapiUciPart2Info csi2_info(std::initializer_list<FapiUciPart2> parts) {
  FapiUciPart2Info info;
  for (const FapiUciPart2& part : parts) {
    info.part2s[info.num_part2s++] = part;
  }
  return info;
}

/// \p pdu alone in a UL_TTI.request, encoded.
Bytes csi2_message(const FapiPuschPdu& pdu) {
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 5;
  request->slot = 2;
  request->pusch[0] = pdu;
  request->num_pusch = 1;
  return encode(*request);
}

/// \p bytes (a csi2_message()) with \p count bytes cut from the end of its PDU, the PDU's and
/// the message's lengths following.
Bytes csi2_cut(Bytes bytes, std::size_t count) {
  bytes.resize(bytes.size() - count);
  const std::size_t pdu_size = bytes.size() - csi2_pdu_body_at + 4;
  bytes[csi2_pdu_size_at] = static_cast<std::uint8_t>(pdu_size);
  bytes[csi2_pdu_size_at + 1] = static_cast<std::uint8_t>(pdu_size >> 8);
  const std::size_t length = bytes.size() - 8;
  for (int i = 0; i < 4; ++i) {
    bytes[4 + i] = static_cast<std::uint8_t>(length >> (8 * i));
  }
  return bytes;
}

void expect_csi2_round_trip(const FapiPuschPdu& pdu, std::size_t info_bytes) {
  const Bytes bytes = csi2_message(pdu);
  const FapiError error = decode(bytes);
  ASSERT_TRUE(error.ok()) << describe(error);
  EXPECT_EQ(scratch_message().ul_tti_request.pusch[0], pdu);
  // The correspondence ends the PDU (and the message: no UE groups), after the 13 bytes of the
  // maintenance part.
  FapiPuschPdu without = pdu;
  without.uci->csi_part2_bit_length = 0;
  without.uci->part2_info = {};
  EXPECT_EQ(bytes.size(), csi2_message(without).size() + info_bytes);
}

TEST(FapiCsiPart2Pdu, OneReportOfOneFieldOnTheWire) {
  const FapiPuschPdu pdu = csi2_pdu(csi2_info({csi2_part(1, 0x0102, 0x0304)}));
  expect_csi2_round_trip(pdu, 11);
  const Bytes bytes = csi2_message(pdu);
  const Bytes tail(bytes.end() - 11, bytes.end());
  EXPECT_EQ(tail, (Bytes{1, 0, // numPart2s
                         2, 1, // priority
                         1,    // numPart1Params
                         0, 0, // paramOffsets
                         1,    // paramSizes
                         4, 3, // part2SizeMapIndex
                         1})); // part2SizeMapScope
  const Bytes maintenance(bytes.end() - 24, bytes.end() - 11);
  EXPECT_EQ(maintenance, (Bytes{0, 0, 0, 17, 1, 0, 0, 0, 1, 0, 0, 0, 0}));
}

TEST(FapiCsiPart2Pdu, RoundTrips) {
  // Two reports of four fields, 2 + 2 x 18 bytes (6 + 3 per field each).
  const FapiPuschPdu two = csi2_pdu(csi2_info({csi2_part(4, 0, 0), csi2_part(4, 1, 63)}));
  expect_csi2_round_trip(two, 38);
  const Bytes bytes = csi2_message(two);
  const Bytes first(bytes.end() - 36, bytes.end() - 18);
  EXPECT_EQ(first, (Bytes{0, 0, 4, 0, 0, 4, 0, 8, 0, 12, 0, 1, 2, 3, 4, 0, 0, 1}));
  // Two reports of one and four fields, eight reports, a UCI-only PDU, scope 0.
  expect_csi2_round_trip(csi2_pdu(csi2_info({csi2_part(1, 7, 2), csi2_part(4, 8, 3)})), 2 + 9 + 18);
  FapiUciPart2Info eight;
  for (unsigned r = 0; r < FapiUciPart2Info::max_part2s; ++r) {
    eight.part2s[eight.num_part2s++] = csi2_part(1 + r % 4, static_cast<std::uint16_t>(r), 0);
  }
  expect_csi2_round_trip(csi2_pdu(eight), 2 + 2 * (9 + 12 + 15 + 18));
  FapiPuschPdu uci_only = csi2_pdu(csi2_info({csi2_part(2, 0, 1)}));
  uci_only.data.reset();
  uci_only.uci->part2_info.part2s[0].part2_size_map_scope = 0;
  expect_csi2_round_trip(uci_only, 2 + 12);
}

TEST(FapiCsiPart2Pdu, RefusesTruncatedParts) {
  constexpr auto slot_err = FapiErrorCode::msg_slot_err;
  const Bytes bytes = csi2_message(csi2_pdu(csi2_info({csi2_part(1, 0, 0), csi2_part(4, 1, 1)})));
  const std::size_t info_bytes = 2 + 9 + 18;
  // Inside the correspondence, at its end (none), and inside the maintenance part.
  for (std::size_t cut = 1; cut < info_bytes + 13; ++cut) {
    expect_decode_error(csi2_cut(bytes, cut), FapiStatus::truncated, slot_err,
                        std::to_string(cut) + " bytes cut");
  }
  // Neither part: a 222.10.02 PDU with csiPart2BitLength 0xFFFF.
  expect_decode_error(csi2_cut(bytes, info_bytes + 13), FapiStatus::length_mismatch, slot_err,
                      "no maintenance part");
  // A byte too many.
  Bytes longer = bytes;
  longer.push_back(0);
  expect_decode_error(csi2_cut(longer, 0), FapiStatus::length_mismatch, slot_err,
                      "a byte after the correspondence");
}

TEST(FapiCsiPart2Pdu, RefusesTheFlagInA10_02Pdu) {
  FapiPuschPdu pdu = sample_pusch_pdu();
  pdu.uci = FapiPuschUci{2, 40, 20, 3, 9, 13, 13};
  Bytes bytes = csi2_message(pdu);
  // csiPart2BitLength: after the 82 fixed bytes, puschData (9), HARQ and CSI part 1 (4).
  const std::size_t at = csi2_pdu_body_at + 82 + 9 + 4;
  ASSERT_EQ(bytes[at], 20);
  bytes[at] = bytes[at + 1] = 0xFF;
  expect_decode_error(bytes, FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err,
                      "0xFFFF without the maintenance part");
}

TEST(FapiCsiPart2Pdu, RefusesCountsOutOfRange) {
  const Bytes bytes = csi2_message(csi2_pdu(csi2_info({csi2_part(1, 0, 0)})));
  const std::size_t info_at = bytes.size() - 11;
  struct Case {
    std::size_t offset;
    std::uint8_t value;
    FapiStatus status;
    const char* field;
  };
  for (const Case& c : {Case{0, 9, FapiStatus::capacity_exceeded, "numPart2s"},
                        Case{0, 0, FapiStatus::out_of_range, "numPart2s"},
                        Case{4, 5, FapiStatus::out_of_range, "numPart1Params"},
                        Case{4, 0, FapiStatus::out_of_range, "numPart1Params"},
                        Case{10, 2, FapiStatus::out_of_range, "part2SizeMapScope"}}) {
    Bytes changed = bytes;
    changed[info_at + c.offset] = c.value;
    const std::string what = std::string(c.field) + " " + std::to_string(c.value);
    expect_decode_error(changed, c.status, FapiErrorCode::msg_slot_err, what);
    const FapiError error = decode(changed);
    EXPECT_NE(error.reason().find(c.field), std::string_view::npos) << describe(error);
    EXPECT_EQ(error.offset, info_at + c.offset) << what;
  }
}

TEST(FapiCsiPart2Pdu, EncoderRefusesWhatTheDecoderWould) {
  const auto refused = [](const FapiPuschPdu& pdu, FapiStatus status, const char* what) {
    auto request = std::make_unique<FapiUlTtiRequest>();
    request->pusch[0] = pdu;
    request->num_pusch = 1;
    Bytes buffer(1 << 16);
    std::size_t size = 0;
    const FapiError error = encode_single_message(*request, buffer, size);
    EXPECT_EQ(error.status, status) << what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << what;
  };
  const FapiPuschPdu good = csi2_pdu(csi2_info({csi2_part(2, 0, 0)}));
  FapiPuschPdu pdu = good;
  pdu.maintenance_v3.reset();
  refused(pdu, FapiStatus::length_mismatch, "no maintenance part");
  pdu = good;
  pdu.uci->part2_info.num_part2s = 9;
  refused(pdu, FapiStatus::capacity_exceeded, "numPart2s 9");
  pdu.uci->part2_info.num_part2s = 0;
  refused(pdu, FapiStatus::out_of_range, "numPart2s 0");
  pdu = good;
  pdu.uci->part2_info.part2s[0].num_part1_params = 5;
  refused(pdu, FapiStatus::out_of_range, "numPart1Params 5");
  pdu = good;
  pdu.uci->part2_info.part2s[0].part2_size_map_scope = 2;
  refused(pdu, FapiStatus::out_of_range, "scope 2");
  pdu = good;
  pdu.uci->csi_part2_bit_length = 20;
  refused(pdu, FapiStatus::out_of_range, "a correspondence without 0xFFFF");
}

} // namespace
