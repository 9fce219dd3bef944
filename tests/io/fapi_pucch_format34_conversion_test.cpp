// PUCCH formats 3 and 4 between FAPI and the receiver's types: the UL_TTI.request PUCCH PDU <->
// phy::PucchConfig (pi2Bpsk, AddDmrsFlag, the format 4 pre-DFT cover and the m0 rule of TS 38.211
// Table 6.4.1.3.3.1-1), also through the codec, what to_pucch_config() refuses, and the
// UCI.indication format 2/3/4 PDUs of format 3 and 4 results.
#include "airan/io/fapi_pucch_conversion.h"
#include "fapi_conversion_test_helpers.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>
#include <string>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

/// m0 of a format 4 DMRS by cover length N_SF and index n (TS 38.211 Table 6.4.1.3.3.1-1),
/// written out independently of the code under test.
unsigned table_m0(unsigned length, unsigned index) {
  constexpr std::array<unsigned, 2> by_index_of_2 = {0, 6};
  constexpr std::array<unsigned, 4> by_index_of_4 = {0, 6, 3, 9};
  return length == 2 ? by_index_of_2.at(index) : by_index_of_4.at(index);
}

/// A format 3 PDU: 4 PRBs, 14 symbols with intra-slot hopping, 4 HARQ-ACK + 1 SR + 20 CSI part 1
/// bits (polar coded).
FapiPucchPdu format3_pdu(bool pi2_bpsk, bool additional_dmrs) {
  FapiPucchPdu pdu;
  pdu.rnti = 0x4604;
  pdu.handle = 14;
  pdu.bwp_size = 52;
  pdu.bwp_start = 0;
  pdu.subcarrier_spacing = 1;
  pdu.cyclic_prefix = 0;
  pdu.format_type = 3;
  pdu.pi2_bpsk = pi2_bpsk ? 1 : 0;
  pdu.prb_start = 10;
  pdu.prb_size = 4;
  pdu.start_symbol_index = 0;
  pdu.num_symbols = 14;
  pdu.intra_slot_frequency_hopping = 1;
  pdu.second_hop_prb = 40;
  pdu.pucch_group_hopping = 1;
  pdu.n_id_pucch_hopping = 500;
  pdu.n_id_pucch_scrambling = 1000;
  pdu.add_dmrs_flag = additional_dmrs ? 1 : 0;
  pdu.m0_pucch_dmrs_cyclic_shift = 0;
  pdu.sr_bit_len = 1;
  pdu.bit_len_harq = 4;
  pdu.csi_part1_bit_length = 20;
  return pdu;
}

/// A format 4 PDU on the last PRB, 10 symbols from symbol 2, cover \p length / \p index with the
/// m0 of the table, 2 HARQ-ACK + 1 SR bits (a short block).
FapiPucchPdu format4_pdu(unsigned length, unsigned index, bool pi2_bpsk, bool additional_dmrs) {
  FapiPucchPdu pdu;
  pdu.rnti = 0x4605;
  pdu.handle = 15;
  pdu.bwp_size = 52;
  pdu.subcarrier_spacing = 1;
  pdu.format_type = 4;
  pdu.pi2_bpsk = pi2_bpsk ? 1 : 0;
  pdu.prb_start = 51;
  pdu.prb_size = 1;
  pdu.start_symbol_index = 2;
  pdu.num_symbols = 10;
  pdu.pucch_group_hopping = 2;
  pdu.n_id_pucch_hopping = 77;
  pdu.n_id_pucch_scrambling = 300;
  pdu.pre_dft_occ_len = static_cast<std::uint8_t>(length);
  pdu.pre_dft_occ_idx = static_cast<std::uint8_t>(index);
  pdu.add_dmrs_flag = additional_dmrs ? 1 : 0;
  pdu.m0_pucch_dmrs_cyclic_shift = static_cast<std::uint8_t>(table_m0(length, index));
  pdu.sr_bit_len = 1;
  pdu.bit_len_harq = 2;
  return pdu;
}

TEST(FapiPucchFormat34Conversion, RoundTripOfFormat3) {
  const phy::CellConfig cell = make_52_prb_cell();
  for (const bool pi2_bpsk : {false, true}) {
    for (const bool additional_dmrs : {false, true}) {
      const std::string what =
          std::string(pi2_bpsk ? "pi/2-BPSK" : "QPSK") + (additional_dmrs ? " + DMRS" : "");
      const FapiPucchPdu pdu = format3_pdu(pi2_bpsk, additional_dmrs);
      phy::PucchConfig pucch;
      const FapiError error = to_pucch_config(pdu, cell, pucch);
      ASSERT_TRUE(error.ok()) << what << ": " << describe(error);
      EXPECT_EQ(pucch.format, phy::PucchFormat::format3) << what;
      EXPECT_EQ(pucch.pi2_bpsk, pi2_bpsk) << what;
      EXPECT_EQ(pucch.additional_dmrs, additional_dmrs) << what;
      EXPECT_EQ(pucch.num_prbs, 4U) << what;
      EXPECT_TRUE(pucch.intra_slot_hopping) << what;
      EXPECT_EQ(pucch.second_hop_prb, 40U) << what;
      EXPECT_EQ(pucch.scrambling_id, 1000) << what;
      EXPECT_EQ(pucch.payload_bits(), 25U) << what;
      // No cover for format 3: the defaults stay.
      EXPECT_EQ(pucch.pre_dft_occ_length, phy::PucchConfig{}.pre_dft_occ_length) << what;
      EXPECT_EQ(pucch.pre_dft_occ_index, phy::PucchConfig{}.pre_dft_occ_index) << what;
      EXPECT_EQ(pucch.validate(cell), "") << what;
      // 14 symbols with hopping: DMRS on 3 and 10, or on 1, 5, 8 and 12 (TS 38.211 Table
      // 6.4.1.3.3.2-1); 12 subcarriers x 4 PRBs x Q_m per data symbol.
      const unsigned data_symbols = additional_dmrs ? 10 : 12;
      EXPECT_EQ(phy::pucch_uci_coded_bits(pucch), data_symbols * 48 * (pi2_bpsk ? 1 : 2)) << what;
      EXPECT_EQ(to_fapi_pucch_pdu(pucch, cell), pdu) << what;
    }
  }
}

TEST(FapiPucchFormat34Conversion, RoundTripOfFormat4WithEveryCover) {
  const phy::CellConfig cell = make_52_prb_cell();
  int converted = 0;
  for (const unsigned length : {2U, 4U}) {
    for (unsigned index = 0; index < length; ++index) {
      for (const bool pi2_bpsk : {false, true}) {
        for (const bool additional_dmrs : {false, true}) {
          const std::string what = "N_SF " + std::to_string(length) + " n " +
                                   std::to_string(index) + (pi2_bpsk ? " pi/2-BPSK" : " QPSK") +
                                   (additional_dmrs ? " + DMRS" : "");
          const FapiPucchPdu pdu = format4_pdu(length, index, pi2_bpsk, additional_dmrs);
          phy::PucchConfig pucch;
          const FapiError error = to_pucch_config(pdu, cell, pucch);
          ASSERT_TRUE(error.ok()) << what << ": " << describe(error);
          EXPECT_EQ(pucch.format, phy::PucchFormat::format4) << what;
          EXPECT_EQ(pucch.pre_dft_occ_length, length) << what;
          EXPECT_EQ(pucch.pre_dft_occ_index, index) << what;
          EXPECT_EQ(pucch.pi2_bpsk, pi2_bpsk) << what;
          EXPECT_EQ(pucch.additional_dmrs, additional_dmrs) << what;
          EXPECT_EQ(pucch.validate(cell), "") << what;
          // 10 symbols: DMRS on 2 and 7, or on 1, 3, 6 and 8; 12 / N_SF subcarriers per symbol.
          const unsigned data_symbols = additional_dmrs ? 6 : 8;
          EXPECT_EQ(phy::pucch_uci_coded_bits(pucch),
                    data_symbols * (12 / length) * (pi2_bpsk ? 1 : 2))
              << what;
          const FapiPucchPdu back = to_fapi_pucch_pdu(pucch, cell);
          EXPECT_EQ(back, pdu) << what;
          EXPECT_EQ(back.m0_pucch_dmrs_cyclic_shift, table_m0(length, index)) << what;
          ++converted;
        }
      }
    }
  }
  EXPECT_EQ(converted, 24);
}

TEST(FapiPucchFormat34Conversion, UnsetM0IsTakenAndWrittenBackFromTheTable) {
  const phy::CellConfig cell = make_52_prb_cell();
  for (const unsigned length : {2U, 4U}) {
    for (unsigned index = 0; index < length; ++index) {
      FapiPucchPdu pdu = format4_pdu(length, index, false, false);
      pdu.m0_pucch_dmrs_cyclic_shift = 0; // a MAC that leaves it unset
      phy::PucchConfig pucch;
      ASSERT_TRUE(to_pucch_config(pdu, cell, pucch).ok()) << length << " " << index;
      EXPECT_EQ(pucch.pre_dft_occ_index, index);
      EXPECT_EQ(to_fapi_pucch_pdu(pucch, cell).m0_pucch_dmrs_cyclic_shift, table_m0(length, index));
    }
  }
}

TEST(FapiPucchFormat34Conversion, CoverFieldsOfOtherFormatsAreNotRead) {
  const phy::CellConfig cell = make_52_prb_cell();
  // Format 3: PreDftOcc* ignored (no cover), the defaults kept and 0 written back.
  FapiPucchPdu pdu = format3_pdu(false, false);
  pdu.pre_dft_occ_len = 3;
  pdu.pre_dft_occ_idx = 7;
  phy::PucchConfig pucch;
  ASSERT_TRUE(to_pucch_config(pdu, cell, pucch).ok());
  EXPECT_EQ(pucch.pre_dft_occ_length, 2U);
  EXPECT_EQ(pucch.pre_dft_occ_index, 0U);
  EXPECT_EQ(to_fapi_pucch_pdu(pucch, cell), format3_pdu(false, false));
  // Format 2: the cover and m0 fields as before (not read, written 0).
  FapiPucchPdu f2 = format3_pdu(false, false);
  f2.format_type = 2;
  f2.num_symbols = 2;
  f2.start_symbol_index = 12;
  f2.pre_dft_occ_len = 3;
  f2.pre_dft_occ_idx = 5;
  f2.m0_pucch_dmrs_cyclic_shift = 7;
  ASSERT_TRUE(to_pucch_config(f2, cell, pucch).ok()) << describe(to_pucch_config(f2, cell, pucch));
  EXPECT_EQ(pucch.pre_dft_occ_length, 2U);
  const FapiPucchPdu back = to_fapi_pucch_pdu(pucch, cell);
  EXPECT_EQ(back.pre_dft_occ_len, 0);
  EXPECT_EQ(back.pre_dft_occ_idx, 0);
  EXPECT_EQ(back.m0_pucch_dmrs_cyclic_shift, 0);
}

TEST(FapiPucchFormat34Conversion, ThroughTheCodec) {
  const phy::CellConfig cell = make_52_prb_cell();
  const std::array<FapiPucchPdu, 3> pdus = {format3_pdu(true, true), format4_pdu(4, 3, true, false),
                                            format4_pdu(2, 1, false, true)};
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 7;
  request->slot = 3;
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    request->pucch[i] = pdus[i];
  }
  request->num_pucch = pdus.size();
  ASSERT_TRUE(decode(encode(*request)).ok());
  const FapiUlTtiRequest& decoded = scratch_message().ul_tti_request;
  ASSERT_EQ(decoded.pucch_pdus().size(), pdus.size());
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    phy::PucchConfig pucch;
    ASSERT_TRUE(to_pucch_config(decoded.pucch[i], cell, pucch).ok()) << i;
    EXPECT_EQ(to_fapi_pucch_pdu(pucch, cell), pdus[i]) << i;
  }
}

TEST(FapiPucchFormat34Conversion, Refusals) {
  const phy::CellConfig cell = make_52_prb_cell();
  struct Case {
    const char* what;
    FapiPucchPdu pdu;
    FapiStatus status;
    std::initializer_list<const char*> reason_has;
  };
  const auto changed = [](FapiPucchPdu pdu, void (*change)(FapiPucchPdu&)) {
    change(pdu);
    return pdu;
  };
  const FapiPucchPdu f3 = format3_pdu(false, false);
  const FapiPucchPdu f4 = format4_pdu(2, 1, false, false); // m0 6
  const Case cases[] = {
      {"format 4 m0 mismatch",
       changed(f4, [](FapiPucchPdu& p) { p.m0_pucch_dmrs_cyclic_shift = 3; }),
       FapiStatus::out_of_range,
       {"m0PucchDmrsCyclicShift 3", "is not 6", "PreDftOccIdx 1 of 2"}},
      {"format 4 m0 of another cover",
       changed(format4_pdu(4, 3, false, false),
               [](FapiPucchPdu& p) { p.m0_pucch_dmrs_cyclic_shift = 6; }),
       FapiStatus::out_of_range,
       {"m0PucchDmrsCyclicShift 6", "is not 9", "PreDftOccIdx 3 of 4"}},
      {"format 3 m0 not 0",
       changed(f3, [](FapiPucchPdu& p) { p.m0_pucch_dmrs_cyclic_shift = 6; }),
       FapiStatus::out_of_range,
       {"m0PucchDmrsCyclicShift 6", "is not 0", "format 3"}},
      {"PreDftOccLen 3",
       changed(f4, [](FapiPucchPdu& p) { p.pre_dft_occ_len = 3; }),
       FapiStatus::out_of_range,
       {"PreDftOccLen 3", "2 or 4"}},
      {"PreDftOccLen 0",
       changed(f4, [](FapiPucchPdu& p) { p.pre_dft_occ_len = 0; }),
       FapiStatus::out_of_range,
       {"PreDftOccLen 0"}},
      {"PreDftOccIdx 2 of 2",
       changed(f4, [](FapiPucchPdu& p) { p.pre_dft_occ_idx = 2; }),
       FapiStatus::out_of_range,
       {"PreDftOccIdx 2", "PreDftOccLen 2"}},
      {"PreDftOccIdx 4 of 4",
       changed(format4_pdu(4, 0, false, false), [](FapiPucchPdu& p) { p.pre_dft_occ_idx = 4; }),
       FapiStatus::out_of_range,
       {"PreDftOccIdx 4", "PreDftOccLen 4"}},
      {"pi2Bpsk 2",
       changed(f3, [](FapiPucchPdu& p) { p.pi2_bpsk = 2; }),
       FapiStatus::out_of_range,
       {"pi2Bpsk 2"}},
      {"pi2Bpsk 2 (format 4)",
       changed(f4, [](FapiPucchPdu& p) { p.pi2_bpsk = 2; }),
       FapiStatus::out_of_range,
       {"pi2Bpsk 2"}},
      {"AddDmrsFlag 2",
       changed(f4, [](FapiPucchPdu& p) { p.add_dmrs_flag = 2; }),
       FapiStatus::out_of_range,
       {"AddDmrsFlag 2"}},
      {"format 3 prbSize 7",
       changed(f3, [](FapiPucchPdu& p) { p.prb_size = 7; }),
       FapiStatus::out_of_range,
       {"prbSize 7"}},
      {"format 4 prbSize 2",
       changed(f4, [](FapiPucchPdu& p) { p.prb_size = 2; }),
       FapiStatus::out_of_range,
       {"prbSize 2"}},
      {"format 3 on 2 symbols",
       changed(f3, [](FapiPucchPdu& p) { p.num_symbols = 2; }),
       FapiStatus::out_of_range,
       {"NrOfSymbols"}},
      {"CSI part 2",
       changed(f3, [](FapiPucchPdu& p) { p.csi_part2_bit_length = 4; }),
       FapiStatus::unsupported,
       {"csiPart2BitLength 4"}},
      {"multi-slot",
       changed(f4, [](FapiPucchPdu& p) { p.multi_slot_tx_indicator = 1; }),
       FapiStatus::unsupported,
       {"multiSlotTxIndicator"}},
  };
  for (const Case& c : cases) {
    phy::PucchConfig out;
    out.handle = 999; // untouched on an error
    const FapiError error = to_pucch_config(c.pdu, cell, out);
    EXPECT_EQ(error.status, c.status) << c.what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.what;
    EXPECT_EQ(error.message_type, FapiMessageType::ul_tti_request) << c.what;
    for (const char* has : c.reason_has) {
      EXPECT_NE(error.reason().find(has), std::string_view::npos)
          << c.what << ": " << error.reason();
    }
    EXPECT_EQ(out.handle, 999U) << c.what;
  }
}

TEST(FapiPucchFormat34Conversion, Pi2BpskAndAddDmrsStayRefusedOnFormats012) {
  const phy::CellConfig cell = make_52_prb_cell();
  FapiPucchPdu f0 = format4_pdu(2, 0, false, false);
  f0.format_type = 0;
  f0.start_symbol_index = 13;
  f0.num_symbols = 1;
  f0.m0_pucch_dmrs_cyclic_shift = 0;
  f0.pre_dft_occ_len = 0;
  FapiPucchPdu f1 = f0;
  f1.format_type = 1;
  f1.start_symbol_index = 0;
  f1.num_symbols = 14;
  FapiPucchPdu f2 = format3_pdu(false, false);
  f2.format_type = 2;
  f2.start_symbol_index = 12;
  f2.num_symbols = 2;
  for (const FapiPucchPdu& base : {f0, f1, f2}) {
    const unsigned format = base.format_type;
    phy::PucchConfig out;
    ASSERT_TRUE(to_pucch_config(base, cell, out).ok())
        << format << ": " << describe(to_pucch_config(base, cell, out));
    FapiPucchPdu pdu = base;
    pdu.pi2_bpsk = 1;
    FapiError error = to_pucch_config(pdu, cell, out);
    EXPECT_EQ(error.status, FapiStatus::unsupported) << format << ": " << describe(error);
    EXPECT_NE(error.reason().find("pi2Bpsk 1"), std::string_view::npos) << error.reason();
    EXPECT_NE(error.reason().find("formats 3 and 4 only"), std::string_view::npos)
        << error.reason();
    pdu = base;
    pdu.add_dmrs_flag = 1;
    error = to_pucch_config(pdu, cell, out);
    EXPECT_EQ(error.status, FapiStatus::unsupported) << format << ": " << describe(error);
    EXPECT_NE(error.reason().find("AddDmrsFlag 1"), std::string_view::npos) << error.reason();
  }
}

phy::PucchConfig config_of(const FapiPucchPdu& pdu) {
  phy::PucchConfig pucch;
  EXPECT_TRUE(to_pucch_config(pdu, make_52_prb_cell(), pucch).ok());
  return pucch;
}

TEST(FapiPucchFormat34Conversion, UciOfAFormat3Result) {
  const FapiUlMeasurement measured{FapiUlMeasurement::invalid_ul_cqi, 31, 500};
  const phy::PucchConfig f3 = config_of(format3_pdu(true, false)); // 4 + 1 + 20 bits: polar
  const std::initializer_list<phy::bit_t> csi = {1, 0, 1, 0, 1, 0, 1, 0, 1, 1,
                                                 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
  phy::PucchResult result = make_pucch_result(true, {1, 0, 1, 1}, {1}, csi);
  FapiUciPucchFormat234 pdu = to_uci_pucch_format234(f3, result, measured);
  EXPECT_EQ(pdu.handle, 14U);
  EXPECT_EQ(pdu.rnti, 0x4604);
  EXPECT_EQ(pdu.pucch_format, FapiUciPucchFormat234::format3);
  EXPECT_EQ(pdu.pucch_format, 1);
  EXPECT_EQ(pdu.measurement, (FapiUlMeasurement{148, 31, 500})); // (10 + 64) x 2
  EXPECT_EQ(*pdu.sr, (FapiUciSrPayload{1, 0x01}));
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_pass, 4, {0x0D}}));
  EXPECT_EQ(*pdu.csi_part1, (FapiUciPart{FapiUciPart::crc_pass, 20, {0x55, 0x03, 0x0C}}));
  EXPECT_FALSE(pdu.csi_part2);
  // CRC failed: every part CRC 1 with its length and zero bits, the SR 0.
  result.crc_ok = false;
  pdu = to_uci_pucch_format234(f3, result, measured);
  EXPECT_EQ(*pdu.sr, (FapiUciSrPayload{1, 0}));
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_fail, 4, {}}));
  EXPECT_EQ(*pdu.csi_part1, (FapiUciPart{FapiUciPart::crc_fail, 20, {}}));
}

TEST(FapiPucchFormat34Conversion, UciOfAFormat4Result) {
  const FapiUlMeasurement measured;
  const phy::PucchConfig f4 = config_of(format4_pdu(4, 2, false, true)); // 2 + 1 bits: short
  FapiUciPucchFormat234 pdu =
      to_uci_pucch_format234(f4, make_pucch_result(true, {0, 1}, {1}), measured);
  EXPECT_EQ(pdu.handle, 15U);
  EXPECT_EQ(pdu.pucch_format, FapiUciPucchFormat234::format4);
  EXPECT_EQ(pdu.pucch_format, 2);
  EXPECT_EQ(*pdu.sr, (FapiUciSrPayload{1, 0x01}));
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_not_present, 2, {0x02}}));
  EXPECT_FALSE(pdu.csi_part1 || pdu.csi_part2);
  // Not detected: CRC fail, lengths kept, zero bits.
  pdu = to_uci_pucch_format234(f4, make_pucch_result(false, {1, 1}, {1}), measured);
  EXPECT_EQ(*pdu.sr, (FapiUciSrPayload{1, 0}));
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_fail, 2, {}}));
}

TEST(FapiPucchFormat34Conversion, UciIndicationOfFormat3And4EncodesAndDecodes) {
  auto uci = std::make_unique<FapiUciIndication>();
  const FapiUlMeasurement measured{FapiUlMeasurement::invalid_ul_cqi, 31, 700};
  uci->pucch_f234[uci->num_pucch_f234++] = to_uci_pucch_format234(
      config_of(format3_pdu(false, true)),
      make_pucch_result(true, {1, 0, 0, 1}, {0},
                        {1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
      measured);
  uci->pucch_f234[uci->num_pucch_f234++] = to_uci_pucch_format234(
      config_of(format4_pdu(2, 0, true, false)), make_pucch_result(true, {1, 1}, {0}), measured);
  const Bytes bytes = encode(*uci);
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  EXPECT_EQ(scratch_message().uci_indication, *uci);
  // PucchFormat on the wire (after SFN, slot, NumUCIs, PDUType, PDUSize, pduBitmap, Handle and
  // RNTI: body byte 6 + 4 + 1 + 4 + 2 of the first PDU).
  constexpr std::size_t first_format = 8 + 6 + 11;
  ASSERT_GT(bytes.size(), first_format);
  EXPECT_EQ(bytes[first_format], 1);
  const std::size_t first_size = bytes[8 + 8] | (bytes[8 + 9] << 8);
  EXPECT_EQ(bytes.at(first_format + first_size), 2);
}

} // namespace
