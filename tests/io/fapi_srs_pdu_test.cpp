// The UL_TTI.request SRS PDU (SCF 222.10.02 Table 3-73): its byte layout written out field by
// field against the encoder and decoded back, round trips beside PUSCH, PUCCH and PRACH PDUs
// (positions and UE groups kept, SRS last when the positions do not apply), the bytes a
// 222.10.04 MAC appends inside pduSize, the checks the decoder and the encoder make, truncation,
// capacity and no allocation. The conversions: fapi_srs_conversion_test.cpp.
#include "../support/allocation_counter.h"
#include "fapi_pucch_pdu_fixtures.h"
#include "fapi_srs_fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::io;
using namespace airan::io::test;
using namespace airan::io::srs_fixtures;

/// A PRACH PDU (format 0, one occasion, N_CS 13, no beamforming) for the mixed messages.
FapiPrachPdu srs_test_prach_pdu() {
  FapiPrachPdu pdu;
  pdu.phys_cell_id = 7;
  pdu.num_prach_ocas = 1;
  pdu.num_cs = 13;
  return pdu;
}

/// The pduType of each PDU of an encoded UL_TTI.request (one message alone), in message order.
std::vector<unsigned> srs_test_pdu_types(const Bytes& unit) {
  std::vector<unsigned> types;
  for (std::size_t at = 8 + 9, p = 0; p < unit.at(8 + 4); ++p) {
    types.push_back(unit.at(at));
    at += unit.at(at + 2) | (unit.at(at + 3) << 8);
  }
  return types;
}

TEST(FapiSrsPdu, ByteLayoutOfOnePdu) {
  FapiUlTtiRequest request;
  request.sfn = 100;
  request.slot = 9;
  request.srs[0] = sample_srs_pdu();
  request.num_srs = 1;
  request.groups[0].num_ues = 1;
  request.groups[0].pdu_index[0] = 0;
  request.num_groups = 1;

  Bytes body = srs_ul_tti_header(1, 1); // nPDUs 1, RachPresent / nULSCH / nULCCH 0, nGroup 1
  body.insert(body.end(), sample_srs_pdu_bytes.begin(), sample_srs_pdu_bytes.end()); // 9
  body.insert(body.end(), {0x01,   // 53: group 0 nUe 1
                           0x00}); // 54: PduIdx 0
  ASSERT_EQ(body.size(), 55U);
  const Bytes expected = with_headers(FapiMessageType::ul_tti_request, body);
  EXPECT_EQ(encode(request), expected);
  ASSERT_TRUE(decode(expected).ok()) << describe(decode(expected));
  const FapiUlTtiRequest& decoded = scratch_message().ul_tti_request;
  EXPECT_EQ(decoded, request);
  ASSERT_EQ(decoded.num_srs, 1U);
  EXPECT_EQ(decoded.srs[0], sample_srs_pdu());
  EXPECT_EQ(decoded.srs_pdu_index[0], 0);
  EXPECT_EQ(decoded.num_pusch + decoded.num_pucch + decoded.num_prach, 0U);
  EXPECT_EQ(decoded.num_srs_skipped, 0U);
  EXPECT_EQ(decoded.num_skipped(), 0U);
}

TEST(FapiSrsPdu, MixedWithPuschPucchAndPrachKeepsPositionsAndGroups) {
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 1023;
  request->slot = 19;
  request->pusch[0] = sample_pusch_pdu();
  request->pucch[0] = sample_pucch_pdu();
  request->prach[0] = srs_test_prach_pdu();
  for (std::size_t i = 0; i < 3; ++i) {
    request->srs[i] = sample_srs_pdu();
    request->srs[i].handle = static_cast<std::uint32_t>(20 + i);
  }
  request->srs[1].beamforming = {};
  request->num_pusch = request->num_pucch = request->num_prach = 1;
  request->num_srs = 3;
  // Positions: SRS 0, PUSCH 0, PRACH 0, SRS 1, PUCCH 0, SRS 2.
  request->srs_pdu_index[0] = 0;
  request->pusch_pdu_index[0] = 1;
  request->prach_pdu_index[0] = 2;
  request->srs_pdu_index[1] = 3;
  request->pucch_pdu_index[0] = 4;
  request->srs_pdu_index[2] = 5;
  request->groups[0].num_ues = 3; // a UE's PUSCH, PUCCH and SRS
  request->groups[0].pdu_index = {1, 4, 0};
  request->groups[1].num_ues = 2;
  request->groups[1].pdu_index = {3, 5};
  request->num_groups = 2;

  const Bytes bytes = encode(*request);
  EXPECT_EQ(srs_test_pdu_types(bytes), (std::vector<unsigned>{3, 1, 0, 3, 2, 3}));
  EXPECT_EQ(bytes.at(8 + 4), 6); // nPDUs
  EXPECT_EQ(bytes.at(8 + 5), 1); // RachPresent
  EXPECT_EQ(bytes.at(8 + 6), 1); // nULSCH
  EXPECT_EQ(bytes.at(8 + 7), 1); // nULCCH (SRS PDUs are in neither count)
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  EXPECT_EQ(scratch_message().ul_tti_request, *request);
  EXPECT_EQ(encode(scratch_message()), bytes);

  // Indices that do not name every position once (here all 0): PUSCH, PUCCH, PRACH, SRS.
  request->pusch_pdu_index = {};
  request->pucch_pdu_index = {};
  request->prach_pdu_index = {};
  request->srs_pdu_index = {};
  request->num_groups = 0;
  const Bytes ordered = encode(*request);
  EXPECT_EQ(srs_test_pdu_types(ordered), (std::vector<unsigned>{1, 2, 0, 3, 3, 3}));
  ASSERT_TRUE(decode(ordered).ok()) << describe(decode(ordered));
  const FapiUlTtiRequest& decoded = scratch_message().ul_tti_request;
  EXPECT_EQ(decoded.pusch_pdu_index[0], 0);
  EXPECT_EQ(decoded.pucch_pdu_index[0], 1);
  EXPECT_EQ(decoded.prach_pdu_index[0], 2);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(decoded.srs_pdu_index[i], 3 + i);
    EXPECT_EQ(decoded.srs[i], request->srs[i]);
  }

  // A group may name an SRS PDU, and no position past them.
  request->groups[0].num_ues = 1;
  request->groups[0].pdu_index[0] = 5;
  request->num_groups = 1;
  EXPECT_TRUE(decode(encode(*request)).ok());
  request->groups[0].pdu_index[0] = 6;
  Bytes buffer(4096);
  std::size_t size = 0;
  EXPECT_EQ(encode_single_message(*request, buffer, size).status, FapiStatus::out_of_range);
}

TEST(FapiSrsPdu, RandomisedRoundTripsBesidePuschPdus) {
  std::mt19937 engine(11);
  const auto r = [&](unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(engine);
  };
  auto request = std::make_unique<FapiUlTtiRequest>();
  for (int trial = 0; trial < 100; ++trial) {
    *request = {};
    request->num_pusch = r(0, 3);
    request->num_srs = trial == 0 ? fapi_max_srs_pdus : r(0, 8);
    for (std::size_t i = 0; i < request->num_pusch; ++i) {
      request->pusch[i] = sample_pusch_pdu();
    }
    for (std::size_t i = 0; i < request->num_srs; ++i) {
      FapiSrsPdu& p = request->srs[i]; // any value of each field but the three checked ones
      p.rnti = static_cast<std::uint16_t>(r(1, 65535));
      p.handle = r(0, 0xFFFFFFFF);
      p.bwp_size = static_cast<std::uint16_t>(r(0, 65535));
      p.bwp_start = static_cast<std::uint16_t>(r(0, 65535));
      p.subcarrier_spacing = static_cast<std::uint8_t>(r(0, 255));
      p.cyclic_prefix = static_cast<std::uint8_t>(r(0, 255));
      p.num_ant_ports = static_cast<std::uint8_t>(r(0, 255));
      p.num_symbols = static_cast<std::uint8_t>(r(0, 2));
      p.num_repetitions = static_cast<std::uint8_t>(r(0, 255));
      p.time_start_position = static_cast<std::uint8_t>(r(0, 255));
      p.config_index = static_cast<std::uint8_t>(r(0, 255));
      p.sequence_id = static_cast<std::uint16_t>(r(0, 65535));
      p.bandwidth_index = static_cast<std::uint8_t>(r(0, 255));
      p.comb_size = static_cast<std::uint8_t>(r(0, 255));
      p.comb_offset = static_cast<std::uint8_t>(r(0, 255));
      p.cyclic_shift = static_cast<std::uint8_t>(r(0, 255));
      p.frequency_position = static_cast<std::uint8_t>(r(0, 255));
      p.frequency_shift = static_cast<std::uint16_t>(r(0, 65535));
      p.frequency_hopping = static_cast<std::uint8_t>(r(0, 255));
      p.group_or_sequence_hopping = static_cast<std::uint8_t>(r(0, 255));
      p.resource_type = static_cast<std::uint8_t>(r(0, 255));
      p.t_srs = static_cast<std::uint16_t>(r(0, 65535));
      p.t_offset = static_cast<std::uint16_t>(r(0, 65535));
      p.beamforming.num_prgs = static_cast<std::uint16_t>(r(0, 8));
      p.beamforming.prg_size = static_cast<std::uint16_t>(r(0, 275));
      p.beamforming.dig_bf_interfaces = static_cast<std::uint8_t>(r(0, 8));
      for (unsigned b = 0; b < p.beamforming.num_prgs * p.beamforming.dig_bf_interfaces; ++b) {
        p.beamforming.beam_index[b] = static_cast<std::uint16_t>(r(0, 65535));
      }
    }
    // Random positions, increasing within each type (as the decoder fills the arrays).
    std::vector<std::uint8_t> positions(request->num_pusch + request->num_srs);
    for (std::size_t i = 0; i < positions.size(); ++i) {
      positions[i] = static_cast<std::uint8_t>(i);
    }
    std::shuffle(positions.begin(), positions.end(), engine);
    const auto srs_start = positions.begin() + static_cast<long>(request->num_pusch);
    std::sort(positions.begin(), srs_start);
    std::sort(srs_start, positions.end());
    for (std::size_t i = 0; i < request->num_pusch; ++i) {
      request->pusch_pdu_index[i] = positions[i];
    }
    for (std::size_t i = 0; i < request->num_srs; ++i) {
      request->srs_pdu_index[i] = positions[request->num_pusch + i];
    }
    const Bytes bytes = encode(*request);
    ASSERT_TRUE(decode(bytes).ok()) << trial << ": " << describe(decode(bytes));
    ASSERT_EQ(scratch_message().ul_tti_request, *request) << trial;
    EXPECT_EQ(encode(scratch_message()), bytes) << trial;
  }
}

TEST(FapiSrsPdu, BytesAfterTheBeamformingPartInsidePduSizeAreSkipped) {
  // A 222.10.04 MAC appends srsParamsV4 (usage, report type, spatial stream ports, ...).
  Bytes pdu = sample_srs_pdu_bytes;
  pdu.insert(pdu.end(), {0x01, 0x00, 0x01, 0x02, 0x00, 0x01, 0x00});
  srs_put(pdu, 2, static_cast<unsigned>(pdu.size()), 2); // pduSize 51
  const Bytes bytes = one_srs_buffer(pdu);
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  const FapiUlTtiRequest& request = scratch_message().ul_tti_request;
  ASSERT_EQ(request.num_srs, 1U);
  EXPECT_EQ(request.srs[0], sample_srs_pdu());
  EXPECT_EQ(encode(scratch_message()), one_srs_buffer()); // not re-encoded

  // A PDU after it is read from where pduSize says.
  Bytes body = srs_ul_tti_header(2, 0);
  body.insert(body.end(), pdu.begin(), pdu.end());
  body.insert(body.end(), sample_srs_pdu_bytes.begin(), sample_srs_pdu_bytes.end());
  ASSERT_TRUE(decode(with_headers(FapiMessageType::ul_tti_request, body)).ok());
  EXPECT_EQ(scratch_message().ul_tti_request.num_srs, 2U);
  EXPECT_EQ(scratch_message().ul_tti_request.srs[1], sample_srs_pdu());
}

TEST(FapiSrsPdu, WhatAnSrsIndicationNeedsIsCheckedByTheDecoderAndTheEncoder) {
  struct Case {
    const char* field;
    std::size_t offset; ///< In the SRS PDU body.
    unsigned width;
    unsigned value;
    FapiStatus status;
  };
  // Refused with the whole message: an SRS.indication could not answer the PDU.
  const Case cases[] = {
      {"RNTI", 0, 2, 0, FapiStatus::out_of_range},
      {"prgSize", 35, 2, 276, FapiStatus::out_of_range},
  };
  for (const Case& c : cases) {
    Bytes bytes = one_srs_buffer();
    srs_put(bytes, srs_field_at(c.offset), c.value, c.width);
    const FapiError error = decode(bytes);
    EXPECT_EQ(error.status, c.status) << c.field << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.field;
    EXPECT_EQ(error.message_type, FapiMessageType::ul_tti_request) << c.field;
    EXPECT_NE(error.reason().find(c.field), std::string_view::npos)
        << c.field << ": " << error.reason();
    EXPECT_NE(error.reason().find(std::to_string(c.value)), std::string_view::npos)
        << c.field << ": " << error.reason();
  }
  // The offsets of the fields themselves.
  Bytes bytes = one_srs_buffer();
  srs_put(bytes, srs_field_at(0), 0, 2);
  EXPECT_EQ(decode(bytes).offset, srs_field_at(0));
  // More beam indices than a PDU holds: numPRGs 65 x 1 interface (with its 130 bytes).
  bytes = one_srs_buffer();
  srs_put(bytes, srs_field_at(33), 65, 2);
  bytes.insert(bytes.end(), 128, 0);
  srs_put(bytes, 4, static_cast<unsigned>(bytes.size() - 8), 4);
  srs_put(bytes, 8 + 9 + 2, 44 + 128, 2);
  EXPECT_EQ(decode(bytes).status, FapiStatus::capacity_exceeded) << describe(decode(bytes));

  // The encoder refuses the same, so that every message it writes decodes.
  FapiUlTtiRequest request;
  request.num_srs = 1;
  request.srs[0] = sample_srs_pdu();
  request.srs[0].rnti = 0;
  Bytes buffer(4096);
  std::size_t size = 0;
  EXPECT_EQ(encode_single_message(request, buffer, size).status, FapiStatus::out_of_range);
  request.srs[0] = sample_srs_pdu();
  request.srs[0].beamforming.num_prgs = 276;
  EXPECT_EQ(encode_single_message(request, buffer, size).status, FapiStatus::out_of_range);
}

TEST(FapiSrsPdu, OtherFieldsOutOfRangeAreCarriedForTheConversionToRefuse) {
  struct Case {
    const char* field;
    std::size_t offset;
    unsigned width;
    unsigned value;
  };
  const Case cases[] = {
      {"BWPSize", 6, 2, 276},           {"BWPStart", 8, 2, 275},
      {"SubcarrierSpacing", 10, 1, 5},  {"CyclicPrefix", 11, 1, 2},
      {"numAntPorts", 12, 1, 3},        {"numSymbols", 13, 1, 3},
      {"numRepetitions", 14, 1, 3},     {"timeStartPosition", 15, 1, 14},
      {"configIndex", 16, 1, 64},       {"sequenceId", 17, 2, 1024},
      {"bandwidthIndex", 19, 1, 4},     {"combSize", 20, 1, 2},
      {"combOffset", 21, 1, 4},         {"cyclicShift", 22, 1, 12},
      {"frequencyPosition", 23, 1, 68}, {"frequencyShift", 24, 2, 269},
      {"frequencyHopping", 26, 1, 4},   {"groupOrSequenceHopping", 27, 1, 3},
      {"resourceType", 28, 1, 3},       {"Tsrs", 29, 2, 3},
      {"Toffset", 31, 2, 40},
  };
  for (const Case& c : cases) {
    Bytes bytes = one_srs_buffer();
    srs_put(bytes, srs_field_at(c.offset), c.value, c.width);
    ASSERT_TRUE(decode(bytes).ok()) << c.field << ": " << describe(decode(bytes));
    EXPECT_EQ(encode(scratch_message()), bytes) << c.field; // and written back as it came
  }
}

TEST(FapiSrsPdu, TruncatedPdusAndMessagesAreRefused) {
  // pduSize cutting the PDU short at every length (the message length follows it).
  for (std::size_t size = 4; size < sample_srs_pdu_bytes.size(); ++size) {
    Bytes pdu(sample_srs_pdu_bytes.begin(), sample_srs_pdu_bytes.begin() + static_cast<long>(size));
    srs_put(pdu, 2, static_cast<unsigned>(size), 2);
    const FapiError error = decode(one_srs_buffer(pdu));
    EXPECT_EQ(error.status, FapiStatus::truncated) << size << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << size;
  }
  // A message that ends inside the PDU its pduSize announces.
  const Bytes whole = one_srs_buffer();
  for (std::size_t cut = 8 + 9; cut < whole.size(); ++cut) {
    Bytes bytes(whole.begin(), whole.begin() + static_cast<long>(cut));
    srs_put(bytes, 4, static_cast<unsigned>(cut - 8), 4);
    const FapiError error = decode(bytes);
    EXPECT_EQ(error.status, FapiStatus::truncated) << cut << ": " << describe(error);
  }
}

TEST(FapiSrsPdu, CapacityAndNoAllocation) {
  auto request = std::make_unique<FapiUlTtiRequest>();
  for (std::size_t i = 0; i < fapi_max_srs_pdus; ++i) {
    request->srs[i] = sample_srs_pdu();
    request->srs_pdu_index[i] = static_cast<std::uint8_t>(i);
  }
  request->num_srs = fapi_max_srs_pdus;
  Bytes full = encode(*request);
  std::vector<std::uint8_t> buffer(1 << 16);
  auto message = std::make_unique<FapiMessage>();
  const long before = airan::test::allocation_count();
  std::size_t size = 0;
  const bool ok = encode_single_message(*request, buffer, size).ok() &&
                  decode_single_message(std::span(buffer).first(size), *message).ok();
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_TRUE(ok);
  EXPECT_EQ(message->ul_tti_request, *request);
  // A 65th PDU.
  full.insert(full.end(), sample_srs_pdu_bytes.begin(), sample_srs_pdu_bytes.end());
  full[8 + 4] = static_cast<std::uint8_t>(fapi_max_srs_pdus + 1);
  srs_put(full, 4, static_cast<unsigned>(full.size() - 8), 4);
  const FapiError error = decode(full);
  EXPECT_EQ(error.status, FapiStatus::capacity_exceeded) << describe(error);
  EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err);
  request->num_srs = fapi_max_srs_pdus + 1;
  EXPECT_EQ(encode_single_message(*request, buffer, size).status, FapiStatus::capacity_exceeded);
}

} // namespace
