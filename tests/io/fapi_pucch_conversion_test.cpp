// PUCCH between FAPI and the receiver's types: the UL_TTI.request PUCCH PDU <-> phy::PucchConfig
// for formats 0, 1 and 2 (also through the codec), what to_pucch_config() refuses, and the
// UCI.indication PUCCH PDUs built from hand-made phy::PucchResults. Formats 3 and 4:
// fapi_pucch_format34_conversion_test.cpp.
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pucch_conversion.h"
#include "fapi_conversion_test_helpers.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

phy::PucchConfig pucch_format0() {
  phy::PucchConfig pucch;
  pucch.rnti = 0x4601;
  pucch.handle = 11;
  pucch.format = phy::PucchFormat::format0;
  pucch.bwp_size = 52;
  pucch.prb_start = 0;
  pucch.num_prbs = 1;
  pucch.start_symbol = 13;
  pucch.num_symbols = 1;
  pucch.group_hopping = phy::PucchGroupHopping::enable;
  pucch.hopping_id = 77;
  pucch.initial_cyclic_shift = 3;
  pucch.harq_bits = 2;
  pucch.sr_bits = 1;
  return pucch;
}

phy::PucchConfig pucch_format1() {
  phy::PucchConfig pucch;
  pucch.rnti = 0x4602;
  pucch.handle = 12;
  pucch.format = phy::PucchFormat::format1;
  pucch.bwp_size = 52;
  pucch.prb_start = 51;
  pucch.num_prbs = 1;
  pucch.start_symbol = 0;
  pucch.num_symbols = 14;
  pucch.intra_slot_hopping = true;
  pucch.second_hop_prb = 0;
  pucch.group_hopping = phy::PucchGroupHopping::disable;
  pucch.hopping_id = 500;
  pucch.initial_cyclic_shift = 6;
  pucch.time_domain_occ = 1;
  pucch.harq_bits = 1;
  return pucch;
}

/// Format 2 with HARQ-ACK, SR and CSI part 1 of \p harq, \p sr and \p csi bits.
phy::PucchConfig pucch_format2(unsigned harq, unsigned sr, unsigned csi) {
  phy::PucchConfig pucch;
  pucch.rnti = 0x4603;
  pucch.handle = 13;
  pucch.format = phy::PucchFormat::format2;
  pucch.bwp_size = 52;
  pucch.prb_start = 10;
  pucch.num_prbs = 4;
  pucch.start_symbol = 12;
  pucch.num_symbols = 2;
  pucch.hopping_id = 500;
  pucch.scrambling_id = 1000;
  pucch.dmrs_scrambling_id = 0x1234;
  pucch.harq_bits = harq;
  pucch.sr_bits = sr;
  pucch.csi_part1_bits = csi;
  return pucch;
}

TEST(FapiPucchConversion, RoundTripOfFormats012) {
  const phy::CellConfig cell = make_52_prb_cell();
  for (const phy::PucchConfig& pucch :
       {pucch_format0(), pucch_format1(), pucch_format2(4, 1, 5), pucch_format2(8, 2, 10)}) {
    ASSERT_EQ(pucch.validate(cell), "");
    const FapiPucchPdu pdu = to_fapi_pucch_pdu(pucch, cell);
    EXPECT_EQ(pdu.format_type, static_cast<unsigned>(pucch.format));
    EXPECT_EQ(pdu.subcarrier_spacing, 1);
    EXPECT_EQ(pdu.cyclic_prefix, 0);
    phy::PucchConfig back;
    const FapiError error = to_pucch_config(pdu, cell, back);
    ASSERT_TRUE(error.ok()) << describe(error);
    EXPECT_EQ(back, pucch);
    EXPECT_EQ(to_fapi_pucch_pdu(back, cell), pdu);
  }
}

TEST(FapiPucchConversion, ThroughTheCodec) {
  const phy::CellConfig cell = make_52_prb_cell();
  const std::array<phy::PucchConfig, 3> configs = {pucch_format0(), pucch_format1(),
                                                   pucch_format2(4, 1, 5)};
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 7;
  request->slot = 3;
  request->pusch[0] = sample_pusch_pdu();
  request->num_pusch = 1;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    request->pucch[i] = to_fapi_pucch_pdu(configs[i], cell);
  }
  request->num_pucch = configs.size();
  ASSERT_TRUE(decode(encode(*request)).ok());
  const FapiUlTtiRequest& decoded = scratch_message().ul_tti_request;
  ASSERT_EQ(decoded.pucch_pdus().size(), configs.size());
  for (std::size_t i = 0; i < configs.size(); ++i) {
    phy::PucchConfig pucch;
    ASSERT_TRUE(to_pucch_config(decoded.pucch[i], cell, pucch).ok()) << i;
    EXPECT_EQ(pucch, configs[i]) << i;
  }
}

TEST(FapiPucchConversion, RefusesWhatTheReceiverDoesNotDo) {
  const phy::CellConfig cell = make_52_prb_cell();
  struct Case {
    const char* what;
    void (*change)(FapiPucchPdu&);
    FapiStatus status;
    const char* reason_has;
  };
  const Case cases[] = {
      {"format 5", [](FapiPucchPdu& p) { p.format_type = 5; }, FapiStatus::out_of_range,
       "FormatType"},
      {"format 3 on 2 symbols", [](FapiPucchPdu& p) { p.format_type = 3; },
       FapiStatus::out_of_range, "NrOfSymbols"},
      {"pi2Bpsk", [](FapiPucchPdu& p) { p.pi2_bpsk = 1; }, FapiStatus::unsupported, "pi2Bpsk"},
      {"multi-slot", [](FapiPucchPdu& p) { p.multi_slot_tx_indicator = 1; },
       FapiStatus::unsupported, "multiSlotTxIndicator"},
      {"AddDmrsFlag", [](FapiPucchPdu& p) { p.add_dmrs_flag = 1; }, FapiStatus::unsupported,
       "AddDmrsFlag"},
      {"CSI part 2", [](FapiPucchPdu& p) { p.csi_part2_bit_length = 4; }, FapiStatus::unsupported,
       "csiPart2BitLength"},
      {"SCS mismatch", [](FapiPucchPdu& p) { p.subcarrier_spacing = 0; }, FapiStatus::out_of_range,
       "SubcarrierSpacing"},
      {"CP mismatch", [](FapiPucchPdu& p) { p.cyclic_prefix = 1; }, FapiStatus::out_of_range,
       "CyclicPrefix"},
      {"validate(): 3 symbols of format 2", [](FapiPucchPdu& p) { p.num_symbols = 3; },
       FapiStatus::out_of_range, "NrOfSymbols"},
      {"validate(): PRBs past the BWP", [](FapiPucchPdu& p) { p.prb_start = 50; },
       FapiStatus::out_of_range, "BWP"},
  };
  for (const Case& c : cases) {
    FapiPucchPdu pdu = to_fapi_pucch_pdu(pucch_format2(4, 1, 5), cell);
    c.change(pdu);
    phy::PucchConfig out = pucch_format0(); // untouched on an error
    const FapiError error = to_pucch_config(pdu, cell, out);
    EXPECT_EQ(error.status, c.status) << c.what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.what;
    EXPECT_EQ(error.message_type, FapiMessageType::ul_tti_request) << c.what;
    EXPECT_NE(error.reason().find(c.reason_has), std::string_view::npos)
        << c.what << ": " << error.reason();
    EXPECT_EQ(out, pucch_format0()) << c.what;
  }
}

TEST(FapiPucchConversion, Format01UciFromResults) {
  const FapiUlMeasurement measured{FapiUlMeasurement::invalid_ul_cqi, 31, 500};
  const phy::PucchConfig f0 = pucch_format0();
  FapiUciPucchFormat01 pdu =
      to_uci_pucch_format01(f0, make_pucch_result(true, {1, 0}, {1}), measured);
  EXPECT_EQ(pdu.handle, 11U);
  EXPECT_EQ(pdu.rnti, 0x4601);
  EXPECT_EQ(pdu.pucch_format, FapiUciPucchFormat01::format0);
  EXPECT_EQ(pdu.measurement, (FapiUlMeasurement{148, 31, 500})); // (10 + 64) x 2
  ASSERT_TRUE(pdu.sr && pdu.harq);
  EXPECT_EQ(*pdu.sr, (FapiUciSrFormat01{1, fapi_uci_confidence::good}));
  EXPECT_EQ(*pdu.harq,
            (FapiUciHarqFormat01{2,
                                 fapi_uci_confidence::good,
                                 {FapiUciHarqFormat01::ack, FapiUciHarqFormat01::nack}}));
  // A negative SR.
  pdu = to_uci_pucch_format01(f0, make_pucch_result(true, {0, 1}, {0}), measured);
  EXPECT_EQ(pdu.sr->sr_indication, 0);
  EXPECT_EQ(pdu.harq->values[1], FapiUciHarqFormat01::ack);
  // Not detected: DTX for every HARQ bit, no SR, bad confidence.
  pdu = to_uci_pucch_format01(f0, make_pucch_result(false, {1, 1}, {1}), measured);
  EXPECT_EQ(*pdu.sr, (FapiUciSrFormat01{0, fapi_uci_confidence::bad}));
  EXPECT_EQ(*pdu.harq, (FapiUciHarqFormat01{2,
                                            fapi_uci_confidence::bad,
                                            {FapiUciHarqFormat01::dtx, FapiUciHarqFormat01::dtx}}));
  // Not processed: the caller's UL_CQI stays.
  phy::PucchResult failed = make_pucch_result(false, {}, {});
  failed.error = "invalid";
  EXPECT_EQ(to_uci_pucch_format01(f0, failed, measured).measurement, measured);
  // Format 1 with one HARQ-ACK bit and no SR occasion.
  pdu = to_uci_pucch_format01(pucch_format1(), make_pucch_result(true, {1}, {}), measured);
  EXPECT_EQ(pdu.pucch_format, FapiUciPucchFormat01::format1);
  EXPECT_FALSE(pdu.sr);
  EXPECT_EQ(*pdu.harq, (FapiUciHarqFormat01{1, 0, {FapiUciHarqFormat01::ack}}));
}

TEST(FapiPucchConversion, Format2UciFromResults) {
  const FapiUlMeasurement measured;
  // A 10-bit payload (no CRC): 4 HARQ-ACK, 1 SR, 5 CSI part 1 bits.
  const phy::PucchConfig short_block = pucch_format2(4, 1, 5);
  FapiUciPucchFormat234 pdu = to_uci_pucch_format234(
      short_block, make_pucch_result(true, {1, 0, 1, 1}, {1}, {0, 1, 0, 1, 1}), measured);
  EXPECT_EQ(pdu.handle, 13U);
  EXPECT_EQ(pdu.pucch_format, FapiUciPucchFormat234::format2);
  EXPECT_EQ(pdu.measurement.ul_cqi, 148);
  EXPECT_EQ(*pdu.sr, (FapiUciSrPayload{1, 0x01}));
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_not_present, 4, {0x0D}}));
  EXPECT_EQ(*pdu.csi_part1, (FapiUciPart{FapiUciPart::crc_not_present, 5, {0x1A}}));
  EXPECT_FALSE(pdu.csi_part2);
  // Not detected: CRC fail, lengths kept, zero bits.
  pdu = to_uci_pucch_format234(
      short_block, make_pucch_result(false, {1, 1, 1, 1}, {1}, {1, 1, 1, 1, 1}), measured);
  EXPECT_EQ(*pdu.sr, (FapiUciSrPayload{1, 0}));
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_fail, 4, {}}));
  EXPECT_EQ(*pdu.csi_part1, (FapiUciPart{FapiUciPart::crc_fail, 5, {}}));

  // A 20-bit polar-coded payload: CRC pass, or fail with zero bits.
  const phy::PucchConfig polar = pucch_format2(8, 2, 10);
  phy::PucchResult result =
      make_pucch_result(true, {1, 1, 1, 1, 0, 0, 0, 0}, {0, 1}, {1, 0, 1, 0, 1, 0, 1, 0, 1, 1});
  pdu = to_uci_pucch_format234(polar, result, measured);
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_pass, 8, {0x0F}}));
  EXPECT_EQ(*pdu.sr, (FapiUciSrPayload{2, 0x02}));
  EXPECT_EQ(*pdu.csi_part1, (FapiUciPart{FapiUciPart::crc_pass, 10, {0x55, 0x03}}));
  result.crc_ok = false;
  pdu = to_uci_pucch_format234(polar, result, measured);
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_fail, 8, {}}));
  EXPECT_EQ(*pdu.sr, (FapiUciSrPayload{2, 0}));
  EXPECT_EQ(*pdu.csi_part1, (FapiUciPart{FapiUciPart::crc_fail, 10, {}}));
  // Parts the config does not have are absent.
  pdu = to_uci_pucch_format234(pucch_format2(3, 0, 0), make_pucch_result(true, {1, 0, 1}, {}),
                               measured);
  EXPECT_FALSE(pdu.sr || pdu.csi_part1);
  EXPECT_EQ(*pdu.harq, (FapiUciPart{FapiUciPart::crc_not_present, 3, {0x05}}));
}

TEST(FapiPucchConversion, UciIndicationOfBuiltPdusEncodesAndDecodes) {
  auto uci = std::make_unique<FapiUciIndication>();
  uci->num_pucch_f01 = 5; // stale entries of an earlier slot: to_uci_indication() empties them
  uci->num_pucch_f234 = 5;
  to_uci_indication(1, 2, {}, {}, make_52_prb_cell(), *uci);
  EXPECT_EQ(uci->num_ucis(), 0U);
  const FapiUlMeasurement measured{FapiUlMeasurement::invalid_ul_cqi, 31, 700};
  uci->pucch_f01[uci->num_pucch_f01++] =
      to_uci_pucch_format01(pucch_format0(), make_pucch_result(true, {1, 0}, {1}), measured);
  uci->pucch_f01[uci->num_pucch_f01++] =
      to_uci_pucch_format01(pucch_format1(), make_pucch_result(false, {0}, {}), measured);
  uci->pucch_f234[uci->num_pucch_f234++] = to_uci_pucch_format234(
      pucch_format2(8, 2, 10),
      make_pucch_result(true, {1, 0, 0, 0, 0, 0, 0, 1}, {1, 1}, {1, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
      measured);
  const Bytes bytes = encode(*uci);
  ASSERT_TRUE(decode(bytes).ok()) << describe(decode(bytes));
  EXPECT_EQ(scratch_message().uci_indication, *uci);
}

} // namespace
