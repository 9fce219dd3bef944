// The UL_TTI.request PUCCH PDU's checks: what a UCI.indication needs to answer it (RNTI, UCI
// sizes, the beamforming part) refuses the message in the decoder, every other field out of range
// refuses that PDU alone in to_pucch_config(), also the format 3/4 fields (pi2Bpsk, the pre-DFT
// cover, AddDmrsFlag, m0PucchDmrsCyclicShift); truncated PDUs are refused.
#include "fapi_pucch_pdu_fixtures.h"

#include "airan/io/fapi_pucch_conversion.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace airan::io;
using namespace airan::io::test;
namespace phy = airan::phy;

TEST(FapiPucchPdu, WhatAUciReportNeedsIsCheckedByTheDecoderTheRestByTheConversion) {
  struct Case {
    const char* field;
    std::size_t offset; ///< In the PUCCH PDU body.
    unsigned width;
    unsigned value;
  };
  // Refused with the whole message: a UCI.indication could not answer the PDU.
  const Case decoder_cases[] = {
      {"RNTI", 0, 2, 0},
      {"SRBitLen", 39, 1, 5},
      {"BitLenHarq", 40, 2, 1707},
      {"csiPart1BitLength", 42, 2, 1707},
      {"csiPart2BitLength", 44, 2, 1707},
      {"prgSize", 48, 2, 276},
  };
  for (const Case& c : decoder_cases) {
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
  // Decoded (the PDU can be answered), then refused alone by to_pucch_config().
  const Case conversion_cases[] = {
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
      {"AddDmrsFlag", 35, 1, 2},
      {"csiPart2BitLength", 44, 2, 0xFFFF}, // sized from part 1 (FAPIv3): CSI part 2 on PUCCH
  };
  phy::CellConfig cell;
  cell.num_prbs = 275;
  cell.numerology = 1;
  for (const Case& c : conversion_cases) {
    Bytes bytes = one_pucch_buffer();
    put(bytes, field_at(c.offset), c.value, c.width);
    ASSERT_TRUE(decode(bytes).ok()) << c.field << ": " << describe(decode(bytes));
    const FapiPucchPdu& pdu = scratch_message().ul_tti_request.pucch[0];
    phy::PucchConfig config;
    const FapiError error = to_pucch_config(pdu, cell, config);
    EXPECT_FALSE(error.ok()) << c.field;
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.field << ": " << describe(error);
  }
  // The unmodified PDU converts.
  ASSERT_TRUE(decode(one_pucch_buffer()).ok());
  phy::PucchConfig config;
  EXPECT_TRUE(to_pucch_config(scratch_message().ul_tti_request.pucch[0], cell, config).ok());
  // numPRGs 276 with no beam per PRG: out of range; 65 beams: beyond the capacity.
  Bytes prgs = one_pucch_buffer();
  put(prgs, field_at(46), 276, 2);
  put(prgs, field_at(50), 0, 1);
  EXPECT_EQ(decode(prgs).status, FapiStatus::out_of_range) << describe(decode(prgs));
  Bytes beams = one_pucch_buffer();
  put(beams, field_at(46), 65, 2);
  EXPECT_EQ(decode(beams).status, FapiStatus::capacity_exceeded) << describe(decode(beams));

  // The encoder refuses what the decoder would, and only that: every decoded message encodes.
  const auto refused = [](void (*change)(FapiPucchPdu&)) {
    FapiUlTtiRequest request;
    request.pucch[0] = sample_pucch_pdu();
    change(request.pucch[0]);
    request.num_pucch = 1;
    Bytes buffer(4096);
    std::size_t size = 0;
    return encode_single_message(request, buffer, size);
  };
  EXPECT_TRUE(refused([](FapiPucchPdu& p) { p.format_type = 5; }).ok());
  EXPECT_TRUE(refused([](FapiPucchPdu& p) { p.initial_cyclic_shift = 12; }).ok());
  EXPECT_EQ(refused([](FapiPucchPdu& p) { p.rnti = 0; }).status, FapiStatus::out_of_range);
  EXPECT_EQ(refused([](FapiPucchPdu& p) { p.bit_len_harq = 1707; }).status,
            FapiStatus::out_of_range);
  EXPECT_EQ(refused([](FapiPucchPdu& p) { p.beamforming.num_prgs = 65; }).status,
            FapiStatus::capacity_exceeded);
  EXPECT_TRUE(refused([](FapiPucchPdu& p) { p.pre_dft_occ_len = 255; }).ok());
}

TEST(FapiPucchPdu, Format4FieldsAreDecodedAsSentAndCheckedByTheConversion) {
  // The sample turned into a format 4 PDU: pi/2-BPSK, cover 3 of 4 (m0 9), additional DMRS.
  const auto format4_buffer = [] {
    Bytes bytes = one_pucch_buffer();
    put(bytes, field_at(12), 4, 1);  // FormatType 4
    put(bytes, field_at(14), 1, 1);  // pi2Bpsk 1
    put(bytes, field_at(17), 1, 2);  // prbSize 1
    put(bytes, field_at(19), 0, 1);  // StartSymbolIndex 0
    put(bytes, field_at(20), 14, 1); // NrOfSymbols 14
    put(bytes, field_at(33), 3, 1);  // PreDftOccIdx 3
    put(bytes, field_at(34), 4, 1);  // PreDftOccLen 4
    put(bytes, field_at(35), 1, 1);  // AddDmrsFlag 1
    put(bytes, field_at(38), 9, 1);  // m0PucchDmrsCyclicShift 9
    put(bytes, field_at(42), 0, 2);  // csiPart1BitLength 0: 4 HARQ-ACK + 1 SR bits
    return bytes;
  };
  phy::CellConfig cell;
  cell.num_prbs = 275;
  cell.numerology = 1;
  ASSERT_TRUE(decode(format4_buffer()).ok()) << describe(decode(format4_buffer()));
  phy::PucchConfig config;
  FapiError error = to_pucch_config(scratch_message().ul_tti_request.pucch[0], cell, config);
  ASSERT_TRUE(error.ok()) << describe(error);
  EXPECT_EQ(config.format, phy::PucchFormat::format4);
  EXPECT_TRUE(config.pi2_bpsk);
  EXPECT_TRUE(config.additional_dmrs);
  EXPECT_EQ(config.pre_dft_occ_length, 4U);
  EXPECT_EQ(config.pre_dft_occ_index, 3U);
  struct Case {
    const char* field;
    std::size_t offset;
    unsigned value;
  };
  const Case cases[] = {
      {"PreDftOccIdx", 33, 4}, {"PreDftOccLen", 34, 3}, {"m0PucchDmrsCyclicShift", 38, 6},
      {"pi2Bpsk", 14, 2},      {"AddDmrsFlag", 35, 2},
  };
  for (const Case& c : cases) {
    Bytes bytes = format4_buffer();
    put(bytes, field_at(c.offset), c.value, 1);
    ASSERT_TRUE(decode(bytes).ok()) << c.field << ": " << describe(decode(bytes));
    error = to_pucch_config(scratch_message().ul_tti_request.pucch[0], cell, config);
    EXPECT_EQ(error.status, FapiStatus::out_of_range) << c.field << ": " << describe(error);
    EXPECT_NE(error.reason().find(std::string(c.field) + " " + std::to_string(c.value)),
              std::string_view::npos)
        << c.field << ": " << error.reason();
  }
  // m0PucchDmrsCyclicShift 0: left unset by the MAC, taken.
  Bytes unset = format4_buffer();
  put(unset, field_at(38), 0, 1);
  ASSERT_TRUE(decode(unset).ok());
  EXPECT_TRUE(to_pucch_config(scratch_message().ul_tti_request.pucch[0], cell, config).ok());
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

} // namespace
