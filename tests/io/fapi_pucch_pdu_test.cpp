// The UL_TTI.request PUCCH PDU (SCF 222.10.02 Table 3-51): its byte layout written out field by
// field, round trips beside PUSCH PDUs (PDU order and UE groups kept), every range check, the
// FAPIv3 bytes after the beamforming part, truncation and capacity.
#include "../support/allocation_counter.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace {

using namespace airan::io;
using namespace airan::io::test;

/// A format 2 PUCCH PDU with intra-slot hopping and one beam.
FapiPucchPdu sample_pucch_pdu() {
  FapiPucchPdu pdu;
  pdu.rnti = 0x4601;
  pdu.handle = 0x0A0B0C0D;
  pdu.bwp_size = 273;
  pdu.bwp_start = 0;
  pdu.subcarrier_spacing = 1;
  pdu.cyclic_prefix = 0;
  pdu.format_type = 2;
  pdu.prb_start = 20;
  pdu.prb_size = 4;
  pdu.start_symbol_index = 12;
  pdu.num_symbols = 2;
  pdu.intra_slot_frequency_hopping = 1;
  pdu.second_hop_prb = 200;
  pdu.pucch_group_hopping = 1;
  pdu.n_id_pucch_hopping = 500;
  pdu.n_id_pucch_scrambling = 1000;
  pdu.n_id0_pucch_dmrs_scrambling = 0x1234;
  pdu.sr_bit_len = 1;
  pdu.bit_len_harq = 4;
  pdu.csi_part1_bit_length = 6;
  pdu.beamforming.num_prgs = 1;
  pdu.beamforming.prg_size = 273;
  pdu.beamforming.dig_bf_interfaces = 1;
  pdu.beamforming.beam_index[0] = 7;
  return pdu;
}

/// pduType, pduSize and the PUCCH PDU of sample_pucch_pdu(); offsets within the PDU body (after
/// pduType and pduSize).
const Bytes sample_pucch_pdu_bytes = {
    0x02, 0x00,             // pduType 2 (PUCCH)
    0x39, 0x00,             // pduSize 57, counting these 4 bytes
    0x01, 0x46,             // 0: RNTI 0x4601
    0x0D, 0x0C, 0x0B, 0x0A, // 2: Handle 0x0A0B0C0D
    0x11, 0x01,             // 6: BWPSize 273
    0x00, 0x00,             // 8: BWPStart 0
    0x01,                   // 10: SubcarrierSpacing mu 1
    0x00,                   // 11: CyclicPrefix normal
    0x02,                   // 12: FormatType 2
    0x00,                   // 13: multiSlotTxIndicator 0
    0x00,                   // 14: pi2Bpsk 0
    0x14, 0x00,             // 15: prbStart 20
    0x04, 0x00,             // 17: prbSize 4
    0x0C,                   // 19: StartSymbolIndex 12
    0x02,                   // 20: NrOfSymbols 2
    0x01,                   // 21: intraSlotFrequencyHopping 1
    0xC8, 0x00,             // 22: secondHopPRB 200
    0x01,                   // 24: pucchGroupHopping 1 (enable)
    0x00,                   // 25: reserved
    0xF4, 0x01,             // 26: nIdPucchHopping 500
    0x00, 0x00,             // 28: InitialCyclicShift 0
    0xE8, 0x03,             // 30: nIdPucchScrambling 1000
    0x00,                   // 32: TimeDomainOccIdx 0
    0x00,                   // 33: PreDftOccIdx 0
    0x00,                   // 34: PreDftOccLen 0
    0x00,                   // 35: AddDmrsFlag 0
    0x34, 0x12,             // 36: nId0PucchDmrsScrambling 0x1234
    0x00,                   // 38: m0PucchDmrsCyclicShift 0
    0x01,                   // 39: SRBitLen 1
    0x04, 0x00,             // 40: BitLenHarq 4
    0x06, 0x00,             // 42: csiPart1BitLength 6
    0x00, 0x00,             // 44: csiPart2BitLength 0
    0x01, 0x00,             // 46: Rx beamforming numPRGs 1
    0x11, 0x01,             // 48: prgSize 273
    0x01,                   // 50: digBFInterface 1
    0x07, 0x00,             // 51: beamIdx[0][0] 7
};

/// The UL_TTI.request header: SFN 100, slot 9, nPDUs, RachPresent 0, nULSCH, nULCCH, nGroup.
Bytes ul_tti_header(std::uint8_t num_pusch, std::uint8_t num_pucch, std::uint8_t num_groups) {
  const auto num_pdus = static_cast<std::uint8_t>(num_pusch + num_pucch);
  return {0x64, 0x00, 0x09, 0x00, num_pdus, 0x00, num_pusch, num_pucch, num_groups};
}

/// The UL_TTI.request of one sample PUCCH PDU without groups, as a buffer.
Bytes one_pucch_buffer(const Bytes& pdu = sample_pucch_pdu_bytes) {
  Bytes body = ul_tti_header(0, 1, 0);
  body.insert(body.end(), pdu.begin(), pdu.end());
  return with_headers(FapiMessageType::ul_tti_request, body);
}

/// Offset in one_pucch_buffer() of byte \p field of the PUCCH PDU body.
constexpr std::size_t field_at(std::size_t field) {
  return 8 + 9 + 4 + field;
}

void put(Bytes& bytes, std::size_t offset, unsigned value, unsigned width) {
  for (unsigned b = 0; b < width; ++b) {
    bytes.at(offset + b) = static_cast<std::uint8_t>(value >> (8 * b));
  }
}

/// \p bytes with the message length (generic header) and the first PDU's pduSize set again
/// after the PDU grew or shrank by \p delta bytes.
void resize_first_pdu(Bytes& bytes, int delta) {
  put(bytes, 4, static_cast<unsigned>(static_cast<int>(bytes.size()) - 8), 4);
  const unsigned pdu_size = bytes.at(8 + 9 + 2) | (bytes.at(8 + 9 + 3) << 8);
  put(bytes, 8 + 9 + 2, static_cast<unsigned>(static_cast<int>(pdu_size) + delta), 2);
}

TEST(FapiPucchPdu, ByteLayoutOfOnePdu) {
  FapiUlTtiRequest request;
  request.sfn = 100;
  request.slot = 9;
  request.pucch[0] = sample_pucch_pdu();
  request.num_pucch = 1;
  request.groups[0].num_ues = 1;
  request.groups[0].pdu_index[0] = 0;
  request.num_groups = 1;

  Bytes body = ul_tti_header(0, 1, 1); // nPDUs 1, nULSCH 0, nULCCH 1, nGroup 1
  body.insert(body.end(), sample_pucch_pdu_bytes.begin(), sample_pucch_pdu_bytes.end()); // 9
  body.insert(body.end(), {0x01,   // 66: group 0 nUe 1
                           0x00}); // 67: PduIdx 0
  ASSERT_EQ(body.size(), 68U);
  const Bytes expected = with_headers(FapiMessageType::ul_tti_request, body);
  EXPECT_EQ(encode(request), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  const FapiUlTtiRequest& decoded = scratch_message().ul_tti_request;
  EXPECT_EQ(decoded, request);
  EXPECT_EQ(decoded.num_pucch, 1U);
  EXPECT_EQ(decoded.pucch_pdu_index[0], 0);
  EXPECT_EQ(decoded.num_pucch_skipped, 0U);
  EXPECT_EQ(decoded.num_skipped(), 0U);
}

TEST(FapiPucchPdu, RoundTripBesidePuschPdusKeepsOrderAndGroups) {
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 1023;
  request->slot = 19;
  request->pusch[0] = sample_pusch_pdu();
  request->pusch[1] = sample_pusch_pdu();
  request->pusch[1].handle = 2;
  for (std::size_t i = 0; i < 3; ++i) {
    request->pucch[i] = sample_pucch_pdu();
    request->pucch[i].handle = static_cast<std::uint32_t>(10 + i);
  }
  request->pucch[1].format_type = 0;
  request->pucch[1].beamforming = {};
  request->num_pusch = 2;
  request->num_pucch = 3;
  // Positions: PUCCH 0, PUSCH 0, PUCCH 1, PUSCH 1, PUCCH 2.
  request->pusch_pdu_index[0] = 1;
  request->pusch_pdu_index[1] = 3;
  request->pucch_pdu_index[0] = 0;
  request->pucch_pdu_index[1] = 2;
  request->pucch_pdu_index[2] = 4;
  request->groups[0].num_ues = 2; // a UE's PUSCH and PUCCH
  request->groups[0].pdu_index = {1, 0};
  request->groups[1].num_ues = 3;
  request->groups[1].pdu_index = {3, 2, 4};
  request->num_groups = 2;

  const Bytes bytes = encode(*request);
  // pduType of each PDU in the order written.
  std::vector<unsigned> types;
  for (std::size_t at = 8 + 9, p = 0; p < 5; ++p) {
    types.push_back(bytes.at(at));
    at += bytes.at(at + 2) | (bytes.at(at + 3) << 8);
  }
  EXPECT_EQ(types, (std::vector<unsigned>{2, 1, 2, 1, 2}));
  EXPECT_EQ(bytes.at(8 + 4), 5); // nPDUs
  EXPECT_EQ(bytes.at(8 + 6), 2); // nULSCH
  EXPECT_EQ(bytes.at(8 + 7), 3); // nULCCH
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  EXPECT_EQ(scratch_message().ul_tti_request, *request);
  EXPECT_EQ(encode(scratch_message()), bytes);

  // Indices that do not name every position once (here all 0): PUSCH PDUs first, then PUCCH.
  request->pusch_pdu_index = {};
  request->pucch_pdu_index = {};
  request->num_groups = 0;
  ASSERT_TRUE(decode(encode(*request)).ok());
  const FapiUlTtiRequest& decoded = scratch_message().ul_tti_request;
  EXPECT_EQ(decoded.pusch_pdu_index[0], 0);
  EXPECT_EQ(decoded.pusch_pdu_index[1], 1);
  EXPECT_EQ(decoded.pucch_pdu_index[0], 2);
  EXPECT_EQ(decoded.pucch_pdu_index[2], 4);
  EXPECT_EQ(decoded.pucch[1], request->pucch[1]);

  // A group may name any of the PDUs, and no position past them.
  request->groups[0].num_ues = 1;
  request->groups[0].pdu_index[0] = 4;
  request->num_groups = 1;
  EXPECT_TRUE(decode(encode(*request)).ok());
  request->groups[0].pdu_index[0] = 5;
  Bytes buffer(4096);
  std::size_t size = 0;
  EXPECT_EQ(encode_single_message(*request, buffer, size).status, FapiStatus::out_of_range);
}

TEST(FapiPucchPdu, RandomisedRoundTrips) {
  std::mt19937 engine(7);
  const auto r = [&](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(engine);
  };
  auto request = std::make_unique<FapiUlTtiRequest>();
  for (int trial = 0; trial < 100; ++trial) {
    *request = {};
    request->num_pusch = r(0, 3);
    request->num_pucch = trial == 0 ? fapi_max_pucch_pdus : r(0, 8);
    for (std::size_t i = 0; i < request->num_pusch; ++i) {
      request->pusch[i] = sample_pusch_pdu();
    }
    for (std::size_t i = 0; i < request->num_pucch; ++i) {
      FapiPucchPdu& p = request->pucch[i]; // the sample with the fields below drawn at random
      p = sample_pucch_pdu();
      p.beamforming = {};
      p.rnti = static_cast<std::uint16_t>(r(1, 65535));
      p.handle = r(0, 0xFFFFFFFF);
      p.format_type = static_cast<std::uint8_t>(r(0, 4));
      p.prb_start = static_cast<std::uint16_t>(r(0, 274));
      p.prb_size = static_cast<std::uint16_t>(r(1, 16));
      p.start_symbol_index = static_cast<std::uint8_t>(r(0, 13));
      p.num_symbols = static_cast<std::uint8_t>(r(1, 14U - p.start_symbol_index));
      p.intra_slot_frequency_hopping = static_cast<std::uint8_t>(r(0, 1));
      p.second_hop_prb = static_cast<std::uint16_t>(r(0, 274));
      p.pucch_group_hopping = static_cast<std::uint8_t>(r(0, 2));
      p.n_id_pucch_hopping = static_cast<std::uint16_t>(r(0, 1023));
      p.initial_cyclic_shift = static_cast<std::uint16_t>(r(0, 11));
      p.pre_dft_occ_len = static_cast<std::uint8_t>(r(0, 255));
      p.m0_pucch_dmrs_cyclic_shift = static_cast<std::uint8_t>(r(0, 255));
      p.sr_bit_len = static_cast<std::uint8_t>(r(0, 4));
      p.bit_len_harq = static_cast<std::uint16_t>(r(0, 1706));
      p.csi_part1_bit_length = static_cast<std::uint16_t>(r(0, 1706));
      p.csi_part2_bit_length = static_cast<std::uint16_t>(r(0, 1706));
      p.beamforming.num_prgs = static_cast<std::uint16_t>(r(0, 8));
      p.beamforming.prg_size = static_cast<std::uint16_t>(r(0, 275));
      p.beamforming.dig_bf_interfaces = static_cast<std::uint8_t>(r(0, 8));
      for (unsigned b = 0; b < p.beamforming.num_prgs * p.beamforming.dig_bf_interfaces; ++b) {
        p.beamforming.beam_index[b] = static_cast<std::uint16_t>(r(0, 65535));
      }
    }
    // Random positions, increasing within each type (as the decoder fills the arrays in message
    // order).
    std::vector<std::uint8_t> positions(request->num_pusch + request->num_pucch);
    for (std::size_t i = 0; i < positions.size(); ++i) {
      positions[i] = static_cast<std::uint8_t>(i);
    }
    std::shuffle(positions.begin(), positions.end(), engine);
    const auto pucch_start = positions.begin() + static_cast<long>(request->num_pusch);
    std::sort(positions.begin(), pucch_start);
    std::sort(pucch_start, positions.end());
    for (std::size_t i = 0; i < request->num_pusch; ++i) {
      request->pusch_pdu_index[i] = positions[i];
    }
    for (std::size_t i = 0; i < request->num_pucch; ++i) {
      request->pucch_pdu_index[i] = positions[request->num_pusch + i];
    }
    const Bytes bytes = encode(*request);
    ASSERT_TRUE(decode(bytes).ok()) << trial << ": " << describe(decode(bytes));
    ASSERT_EQ(scratch_message().ul_tti_request, *request) << trial;
    EXPECT_EQ(encode(scratch_message()), bytes) << trial;
  }
}

TEST(FapiPucchPdu, EveryRangeCheckRefusesWithTheFieldName) {
  struct Case {
    const char* field;
    std::size_t offset; ///< In the PUCCH PDU body.
    unsigned width;
    unsigned value;
  };
  const Case cases[] = {
      {"RNTI", 0, 2, 0},
      {"BWPSize", 6, 2, 0},
      {"BWPSize", 6, 2, 276},
      {"BWPStart", 8, 2, 275},
      {"SubcarrierSpacing", 10, 1, 5},
      {"CyclicPrefix", 11, 1, 2},
      {"FormatType", 12, 1, 5},
      {"multiSlotTxIndicator", 13, 1, 4},
      {"pi2Bpsk", 14, 1, 2},
      {"prbStart", 15, 2, 275},
      {"prbSize", 17, 2, 0},
      {"prbSize", 17, 2, 17},
      {"StartSymbolIndex", 19, 1, 14},
      {"NrOfSymbols", 20, 1, 0},
      {"NrOfSymbols", 20, 1, 3}, // from symbol 12
      {"intraSlotFrequencyHopping", 21, 1, 2},
      {"secondHopPRB", 22, 2, 275},
      {"pucchGroupHopping", 24, 1, 3},
      {"nIdPucchHopping", 26, 2, 1024},
      {"InitialCyclicShift", 28, 2, 12},
      {"nIdPucchScrambling", 30, 2, 1024},
      {"TimeDomainOccIdx", 32, 1, 7},
      {"AddDmrsFlag", 35, 1, 2},
      {"SRBitLen", 39, 1, 5},
      {"BitLenHarq", 40, 2, 1707},
      {"csiPart1BitLength", 42, 2, 1707},
      {"csiPart2BitLength", 44, 2, 0xFFFF},
      {"prgSize", 48, 2, 276},
  };
  for (const Case& c : cases) {
    Bytes bytes = one_pucch_buffer();
    put(bytes, field_at(c.offset), c.value, c.width);
    const FapiError error = decode(bytes);
    EXPECT_EQ(error.status, FapiStatus::out_of_range) << c.field << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.field;
    EXPECT_NE(error.reason().find(c.field), std::string_view::npos)
        << c.field << ": " << error.reason();
    EXPECT_NE(error.reason().find(std::to_string(c.value)), std::string_view::npos)
        << c.field << ": " << error.reason();
  }
  // numPRGs 276 with no beam per PRG: out of range; 65 beams: beyond the capacity.
  Bytes prgs = one_pucch_buffer();
  put(prgs, field_at(46), 276, 2);
  put(prgs, field_at(50), 0, 1);
  EXPECT_EQ(decode(prgs).status, FapiStatus::out_of_range) << describe(decode(prgs));
  Bytes beams = one_pucch_buffer();
  put(beams, field_at(46), 65, 2);
  EXPECT_EQ(decode(beams).status, FapiStatus::capacity_exceeded) << describe(decode(beams));

  // The encoder refuses what the decoder would.
  const auto refused = [](void (*change)(FapiPucchPdu&)) {
    FapiUlTtiRequest request;
    request.pucch[0] = sample_pucch_pdu();
    change(request.pucch[0]);
    request.num_pucch = 1;
    Bytes buffer(4096);
    std::size_t size = 0;
    return encode_single_message(request, buffer, size);
  };
  EXPECT_EQ(refused([](FapiPucchPdu& p) { p.format_type = 5; }).status, FapiStatus::out_of_range);
  EXPECT_EQ(refused([](FapiPucchPdu& p) { p.initial_cyclic_shift = 12; }).status,
            FapiStatus::out_of_range);
  EXPECT_EQ(refused([](FapiPucchPdu& p) { p.bit_len_harq = 1707; }).status,
            FapiStatus::out_of_range);
  EXPECT_EQ(refused([](FapiPucchPdu& p) { p.beamforming.num_prgs = 65; }).status,
            FapiStatus::capacity_exceeded);
  EXPECT_TRUE(refused([](FapiPucchPdu& p) { p.pre_dft_occ_len = 255; }).ok());
}

TEST(FapiPucchPdu, TruncatedPdusAreRefused) {
  // pduSize (and the message length) shrunk to every length short of the PDU's content.
  const std::size_t body_size = sample_pucch_pdu_bytes.size() - 4;
  for (std::size_t cut = 1; cut <= body_size; ++cut) {
    Bytes bytes = one_pucch_buffer();
    bytes.resize(bytes.size() - cut);
    resize_first_pdu(bytes, -static_cast<int>(cut));
    const FapiError error = decode(bytes);
    EXPECT_EQ(error.status, FapiStatus::truncated) << cut << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << cut;
  }
  // The buffer cut anywhere, lengths left as they were.
  const Bytes whole = one_pucch_buffer();
  for (std::size_t size = 0; size < whole.size(); ++size) {
    const FapiError error = decode(Bytes(whole.begin(), whole.begin() + static_cast<long>(size)));
    EXPECT_EQ(error.status, FapiStatus::truncated) << size << ": " << describe(error);
  }
  // nULCCH that disagrees with the PUCCH PDUs.
  Bytes counts = one_pucch_buffer();
  counts.at(8 + 7) = 2;
  EXPECT_EQ(decode(counts).status, FapiStatus::length_mismatch) << describe(decode(counts));
}

TEST(FapiPucchPdu, BytesAfterTheBeamformingPartAreSkipped) {
  // A FAPIv3 MAC appends its PUCCH maintenance part (maxCodeRate, ulBwpId, ...) inside pduSize.
  Bytes bytes = one_pucch_buffer();
  bytes.insert(bytes.end(), {0x03, 0x01, 0x00});
  resize_first_pdu(bytes, 3);
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  EXPECT_EQ(scratch_message().ul_tti_request.pucch[0], sample_pucch_pdu());
  EXPECT_EQ(encode(scratch_message()), one_pucch_buffer()); // not re-encoded
}

TEST(FapiPucchPdu, PrachAndSrsAreStillSkippedButPucchIsDecoded) {
  Bytes body = ul_tti_header(0, 1, 0);
  body[4] = 3;                                                   // nPDUs
  body[5] = 1;                                                   // RachPresent
  body.insert(body.end(), {0x00, 0x00, 0x06, 0x00, 0xAA, 0xBB}); // PRACH, 2 opaque bytes
  body.insert(body.end(), sample_pucch_pdu_bytes.begin(), sample_pucch_pdu_bytes.end());
  body.insert(body.end(), {0x03, 0x00, 0x04, 0x00}); // SRS, empty
  const Bytes bytes = with_headers(FapiMessageType::ul_tti_request, body);
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  const FapiUlTtiRequest& request = scratch_message().ul_tti_request;
  ASSERT_EQ(request.num_pucch, 1U);
  EXPECT_EQ(request.pucch[0], sample_pucch_pdu());
  EXPECT_EQ(request.pucch_pdu_index[0], 1);
  EXPECT_EQ(request.num_pucch_skipped, 0U);
  EXPECT_EQ(request.num_skipped(), 2U);
}

TEST(FapiPucchPdu, CapacityAndNoAllocation) {
  auto request = std::make_unique<FapiUlTtiRequest>();
  for (std::size_t i = 0; i < fapi_max_pucch_pdus; ++i) {
    request->pucch[i] = sample_pucch_pdu();
  }
  request->num_pucch = fapi_max_pucch_pdus;
  Bytes full = encode(*request);
  std::vector<std::uint8_t> buffer(1 << 16);
  auto message = std::make_unique<FapiMessage>();
  const long before = airan::test::allocation_count();
  std::size_t size = 0;
  const bool ok = encode_single_message(*request, buffer, size).ok() &&
                  decode_single_message(std::span(buffer).first(size), *message).ok();
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_TRUE(ok);
  // A 65th PDU.
  full.insert(full.end(), sample_pucch_pdu_bytes.begin(), sample_pucch_pdu_bytes.end());
  full[8 + 4] = full[8 + 7] = static_cast<std::uint8_t>(fapi_max_pucch_pdus + 1);
  put(full, 4, static_cast<unsigned>(full.size() - 8), 4);
  const FapiError error = decode(full);
  EXPECT_EQ(error.status, FapiStatus::capacity_exceeded) << describe(error);
  EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err);
  request->num_pucch = fapi_max_pucch_pdus + 1;
  EXPECT_EQ(encode_single_message(*request, buffer, size).status, FapiStatus::capacity_exceeded);
}

} // namespace
