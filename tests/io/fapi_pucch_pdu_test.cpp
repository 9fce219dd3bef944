// The UL_TTI.request PUCCH PDU (SCF 222.10.02 Table 3-51): its byte layout written out field by
// field, round trips beside PUSCH PDUs (PDU order and UE groups kept), the FAPIv3 bytes after the
// beamforming part, a PRACH PDU and an SRS PDU decoded beside it, capacity and no
// allocation. Range checks and truncation: fapi_pucch_pdu_checks_test.cpp.
#include "../support/allocation_counter.h"
#include "fapi_pucch_pdu_fixtures.h"
#include "fapi_srs_fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace {

using namespace airan::io;
using namespace airan::io::test;

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

TEST(FapiPucchPdu, BytesAfterTheBeamformingPartAreSkipped) {
  // A FAPIv3 MAC appends its PUCCH maintenance part (maxCodeRate, ulBwpId, ...) inside pduSize.
  Bytes bytes = one_pucch_buffer();
  bytes.insert(bytes.end(), {0x03, 0x01, 0x00});
  resize_first_pdu(bytes, 3);
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  EXPECT_EQ(scratch_message().ul_tti_request.pucch[0], sample_pucch_pdu());
  EXPECT_EQ(encode(scratch_message()), one_pucch_buffer()); // not re-encoded
}

TEST(FapiPucchPdu, PrachAndSrsAreDecodedBesidePucch) {
  Bytes body = ul_tti_header(0, 1, 0);
  body[4] = 3;                                             // nPDUs
  body[5] = 1;                                             // RachPresent
  body.insert(body.end(), {0x00, 0x00, 0x11, 0x00,         // PRACH, pduSize 17
                           0x07, 0x00, 0x01, 0x00,         // physCellID 7, 1 occasion, format 0
                           0x00, 0x00, 0x0D, 0x00,         // numRa 0, symbol 0, numCs 13
                           0x00, 0x00, 0x00, 0x00, 0x00}); // no beamforming
  body.insert(body.end(), sample_pucch_pdu_bytes.begin(), sample_pucch_pdu_bytes.end());
  body.insert(body.end(), srs_fixtures::sample_srs_pdu_bytes.begin(),
              srs_fixtures::sample_srs_pdu_bytes.end()); // SRS
  const Bytes bytes = with_headers(FapiMessageType::ul_tti_request, body);
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  const FapiUlTtiRequest& request = scratch_message().ul_tti_request;
  ASSERT_EQ(request.num_pucch, 1U);
  EXPECT_EQ(request.pucch[0], sample_pucch_pdu());
  EXPECT_EQ(request.pucch_pdu_index[0], 1);
  EXPECT_EQ(request.num_pucch_skipped, 0U);
  ASSERT_EQ(request.num_prach, 1U);
  EXPECT_EQ(request.prach_pdu_index[0], 0);
  EXPECT_EQ(request.prach[0].phys_cell_id, 7);
  ASSERT_EQ(request.num_srs, 1U);
  EXPECT_EQ(request.srs_pdu_index[0], 2);
  EXPECT_EQ(request.srs[0], srs_fixtures::sample_srs_pdu());
  EXPECT_EQ(request.num_skipped(), 0U);
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
