// The PUSCH maintenance FAPIv3 part (SCF 222.10.04), which a MAC of that version appends after the
// Rx beamforming part: the codec reads it when pduSize leaves exactly its 13 bytes, writes it only
// when present (a 222.10.02 PDU is unchanged), and the conversion takes intra-slot frequency
// hopping (puschSecondHopPRB), low-PAPR group/sequence hopping and TBS_LBRM from it, and checks
// ldpcBaseGraph against TS 38.212 6.2.2.
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/tbs_calculator.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

phy::CellConfig v3_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 106;
  cell.numerology = 1;
  cell.n_cell_id = 321;
  return cell;
}

/// 24 PRBs hopping from PRB 4 to PRB 70 of the BWP.
phy::PuschConfig hopping_config() {
  phy::PuschConfig pusch;
  pusch.rnti = 0x5123;
  pusch.handle = 17;
  pusch.bwp_size = 106;
  pusch.prb_start = 4;
  pusch.prb_size = 24;
  pusch.intra_slot_hopping = true;
  pusch.second_hop_prb_start = 70;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 14;
  pusch.data_scrambling_id = 321;
  pusch.dmrs_scrambling_id = 321;
  return pusch;
}

FapiPuschPdu pdu_of(const phy::PuschConfig& pusch) {
  FapiPuschPdu pdu;
  const FapiError error = to_fapi_pusch_pdu(pusch, v3_cell(), pdu);
  EXPECT_TRUE(error.ok()) << describe(error);
  return pdu;
}

/// Encodes \p pdu in a UL_TTI.request and decodes it back; the decode's error.
FapiError through_codec(const FapiPuschPdu& pdu, FapiPuschPdu& back, std::size_t& size) {
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 3;
  request->slot = 7;
  request->pusch[0] = pdu;
  request->num_pusch = 1;
  const Bytes bytes = encode(*request);
  size = bytes.size();
  const FapiError error = decode(bytes);
  if (error.ok()) {
    back = scratch_message().ul_tti_request.pusch[0];
  }
  return error;
}

TEST(FapiPuschMaintenanceV3, HoppingGoesOutAndComesBack) {
  const phy::PuschConfig pusch = hopping_config();
  ASSERT_EQ(pusch.validate(v3_cell()), "");
  const FapiPuschPdu pdu = pdu_of(pusch);
  EXPECT_EQ(pdu.frequency_hopping, 1);
  ASSERT_TRUE(pdu.maintenance_v3.has_value());
  EXPECT_EQ(pdu.maintenance_v3->pusch_second_hop_prb, 70);
  EXPECT_EQ(pdu.maintenance_v3->ldpc_base_graph, 1); // 14: 16-QAM R 0.54 on 24 PRBs
  EXPECT_EQ(pdu.maintenance_v3->group_or_sequence_hopping, 0);
  EXPECT_EQ(pdu.maintenance_v3->tb_size_lbrm_bytes, 0U);
  // ulDmrsSymbPos carries the hopping positions (TS 38.211 Table 6.4.1.1.3-6, pos1).
  EXPECT_EQ(pdu.ul_dmrs_symb_pos, (1U << 2) | (1U << 6) | (1U << 7) | (1U << 11));

  FapiPuschPdu back;
  std::size_t with_v3 = 0;
  const FapiError error = through_codec(pdu, back, with_v3);
  ASSERT_TRUE(error.ok()) << describe(error);
  EXPECT_EQ(back, pdu);
  phy::PuschConfig config;
  ASSERT_TRUE(to_pusch_config(back, v3_cell(), config).ok());
  EXPECT_TRUE(config.intra_slot_hopping);
  EXPECT_EQ(config.second_hop_prb_start, 70U);
  EXPECT_EQ(phy::pusch_dmrs_symbols(v3_cell(), config).mask, pdu.ul_dmrs_symb_pos);
  EXPECT_EQ(phy::compute_pusch_tbs(v3_cell(), config), phy::compute_pusch_tbs(v3_cell(), pusch));

  // Without hopping no maintenance part is written: the 222.10.02 PDU, 13 bytes shorter.
  phy::PuschConfig plain = pusch;
  plain.intra_slot_hopping = false;
  const FapiPuschPdu plain_pdu = pdu_of(plain);
  EXPECT_FALSE(plain_pdu.maintenance_v3.has_value());
  std::size_t without_v3 = 0;
  ASSERT_TRUE(through_codec(plain_pdu, back, without_v3).ok());
  EXPECT_FALSE(back.maintenance_v3.has_value());
  EXPECT_EQ(with_v3, without_v3 + 13);
}

// Hops whose DMRS symbols touch (type A at l0 = 3 in 4-symbol hops, type B in 2- and 3-symbol
// hops): each hop's single symbol, not one double-symbol DMRS, and the PDU comes back whole.
TEST(FapiPuschMaintenanceV3, AdjacentDmrsOfTwoHopsAreSingleSymbols) {
  struct Case {
    phy::PuschMappingType mapping;
    unsigned l0, start, symbols, cdm_groups_without_data;
    std::uint16_t mask;
  };
  // dmrs-AdditionalPosition pos0; one CDM group without data where a hop is its DMRS symbol.
  const Case cases[] = {{phy::PuschMappingType::type_a, 3, 0, 8, 2, 0x0018},
                        {phy::PuschMappingType::type_a, 3, 0, 9, 2, 0x0018},
                        {phy::PuschMappingType::type_b, 2, 5, 2, 1, 0x0060},
                        {phy::PuschMappingType::type_b, 2, 9, 3, 1, 0x0600}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.symbols) + " symbols from " + std::to_string(c.start));
    phy::CellConfig cell = v3_cell();
    cell.dmrs_type_a_position = c.l0;
    phy::PuschConfig pusch = hopping_config();
    pusch.mapping_type = c.mapping;
    pusch.start_symbol = c.start;
    pusch.num_symbols = c.symbols;
    pusch.dmrs_additional_position = 0;
    pusch.num_dmrs_cdm_groups_no_data = c.cdm_groups_without_data;
    pusch.mcs_index = 4;
    ASSERT_EQ(pusch.validate(cell), "");
    FapiPuschPdu pdu;
    ASSERT_TRUE(to_fapi_pusch_pdu(pusch, cell, pdu).ok());
    EXPECT_EQ(pdu.ul_dmrs_symb_pos, c.mask);
    phy::PuschConfig back;
    const FapiError error = to_pusch_config(pdu, cell, back);
    ASSERT_TRUE(error.ok()) << describe(error);
    EXPECT_EQ(back.dmrs_length, 1U);
    EXPECT_EQ(back.validate(cell), "");
    EXPECT_EQ(phy::pusch_dmrs_symbols(cell, back).mask, c.mask);
    EXPECT_EQ(phy::compute_pusch_tbs(cell, back), phy::compute_pusch_tbs(cell, pusch));
  }
}

void expect_refused(const FapiPuschPdu& pdu, FapiStatus status, const std::string& text) {
  phy::PuschConfig out;
  out.handle = 999;
  const FapiError error = to_pusch_config(pdu, v3_cell(), out);
  EXPECT_EQ(error.status, status) << describe(error);
  EXPECT_NE(std::string(error.reason()).find(text), std::string::npos) << describe(error);
  EXPECT_EQ(out.handle, 999U) << "written although refused";
}

TEST(FapiPuschMaintenanceV3, RefusesWhatDoesNotAddUp) {
  FapiPuschPdu pdu = pdu_of(hopping_config());
  // frequencyHopping of a 222.10.02 PDU: the second hop is unknown.
  FapiPuschPdu old = pdu;
  old.maintenance_v3.reset();
  expect_refused(old, FapiStatus::unsupported, "no puschSecondHopPRB");
  // A second hop outside the BWP.
  FapiPuschPdu outside = pdu;
  outside.maintenance_v3->pusch_second_hop_prb = 90;
  expect_refused(outside, FapiStatus::out_of_range, "second hop PRBs 90+24");
  // TBSize 0: the base graph is checked against the TBS the receiver derives.
  FapiPuschPdu derived = pdu;
  derived.data->tb_size = 0;
  phy::PuschConfig config;
  const FapiError error = to_pusch_config(derived, v3_cell(), config);
  EXPECT_TRUE(error.ok()) << describe(error);
  // ldpcBaseGraph other than the TBS and rate give.
  FapiPuschPdu graph = pdu;
  graph.maintenance_v3->ldpc_base_graph = 2;
  expect_refused(graph, FapiStatus::out_of_range, "ldpcBaseGraph 2 is not BG1");
  // A retransmission's ldpcBaseGraph is its TB's first one (TS 38.212 6.2.2), which its own MCS
  // need not give: taken as PuschConfig::ldpc_base_graph (the receiver decodes with it, or with
  // the HARQ buffer's graph when it holds the TB).
  FapiPuschPdu retransmission = graph;
  retransmission.data->new_data_indicator = 0;
  retransmission.data->rv_index = 2;
  phy::PuschConfig retransmitted;
  const FapiError taken = to_pusch_config(retransmission, v3_cell(), retransmitted);
  EXPECT_TRUE(taken.ok()) << describe(taken);
  EXPECT_FALSE(retransmitted.new_data_indicator);
  EXPECT_EQ(retransmitted.ldpc_base_graph, phy::LdpcBaseGraph::bg2);
  // And written back.
  FapiPuschPdu again;
  ASSERT_TRUE(to_fapi_pusch_pdu(retransmitted, v3_cell(), again).ok());
  ASSERT_TRUE(again.maintenance_v3);
  EXPECT_EQ(again.maintenance_v3->ldpc_base_graph, 2);
  // With UCI too: the UCI's sizes follow that graph (until 2026-12-07 refused, since they
  // followed the PDU's own rate's graph).
  FapiPuschPdu with_uci = retransmission;
  with_uci.uci = FapiPuschUci{};
  with_uci.uci->harq_ack_bit_length = 2;
  with_uci.uci->alpha_scaling = 3;
  with_uci.frequency_hopping = 0; // (UCI with hopping is refused for that first)
  const FapiError uci_taken = to_pusch_config(with_uci, v3_cell(), retransmitted);
  EXPECT_TRUE(uci_taken.ok()) << describe(uci_taken);
  EXPECT_EQ(retransmitted.ldpc_base_graph, phy::LdpcBaseGraph::bg2);
  // A 222.10.02 retransmission says nothing: the receiver takes the HARQ buffer's graph.
  FapiPuschPdu without_part = with_uci;
  without_part.maintenance_v3.reset();
  ASSERT_TRUE(to_pusch_config(without_part, v3_cell(), retransmitted).ok());
  EXPECT_FALSE(retransmitted.ldpc_base_graph);
  // Values outside the fields' ranges.
  FapiPuschPdu range = pdu;
  range.maintenance_v3->group_or_sequence_hopping = 3;
  expect_refused(range, FapiStatus::out_of_range, "groupOrSequenceHopping = 3 is not in 0..2");
  // tbSizeLbrmBytes whose bit count wraps 32 bits (2^29 bytes: 0 bits) is not taken as no LBRM.
  range = pdu;
  range.maintenance_v3->tb_size_lbrm_bytes = 0x20000000U;
  expect_refused(range, FapiStatus::out_of_range, "tbSizeLbrmBytes 536870912");
  range = pdu;
  range.maintenance_v3->ldpc_base_graph = 0;
  expect_refused(range, FapiStatus::out_of_range, "ldpcBaseGraph = 0 is not in 1..2");
}

TEST(FapiPuschMaintenanceV3, BytesAfterTheBeamformingPart) {
  // Field order and widths written out (little endian): puschTransType u8,
  // deltaBwp0StartFromActiveBwp u16, initialUlBwpSize u16, groupOrSequenceHopping u8,
  // puschSecondHopPRB u16, ldpcBaseGraph u8, tbSizeLbrmBytes u32; they end the message.
  FapiPuschPdu pdu = pdu_of(hopping_config());
  pdu.maintenance_v3 = FapiPuschMaintenanceV3{2, 0x0102, 0x0113, 1, 0x0046, 1, 0x04030201U};
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->pusch[0] = pdu;
  request->num_pusch = 1;
  const Bytes bytes = encode(*request);
  ASSERT_GE(bytes.size(), 13U);
  const Bytes tail(bytes.end() - 13, bytes.end());
  EXPECT_EQ(tail, (Bytes{2, 0x02, 0x01, 0x13, 0x01, 1, 0x46, 0x00, 1, 0x01, 0x02, 0x03, 0x04}));
}

TEST(FapiPuschMaintenanceV3, TheDecoderTakesExactlyThirteenBytes) {
  const FapiPuschPdu pdu = pdu_of(hopping_config());
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->pusch[0] = pdu;
  request->num_pusch = 1;
  Bytes bytes = encode(*request);
  // The PUSCH PDU ends the message (no UE groups): drop its last byte and shrink pduSize and
  // the body length by one.
  const auto decrement = [&](std::size_t at, std::size_t width) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      value |= std::uint32_t{bytes[at + i]} << (8 * i);
    }
    --value;
    for (std::size_t i = 0; i < width; ++i) {
      bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
  };
  constexpr std::size_t header = 8;                   // PHY API and message headers
  constexpr std::size_t pdu_size_at = header + 9 + 2; // SFN .. nGroup, then pduType
  bytes.pop_back();
  decrement(pdu_size_at, 2);
  decrement(4, 4);
  const FapiError error = decode(bytes);
  EXPECT_EQ(error.status, FapiStatus::length_mismatch) << describe(error);
  EXPECT_NE(std::string(error.reason()).find("12 byte(s) beyond pduSize's content"),
            std::string::npos)
      << describe(error);
}

TEST(FapiPuschMaintenanceV3, CarriesLowPaprHoppingAndTbsLbrm) {
  phy::PuschConfig tp;
  tp.rnti = 0x5124;
  tp.bwp_size = 106;
  tp.prb_size = 48;
  tp.num_dmrs_cdm_groups_no_data = 2;
  tp.mcs_index = 10;
  tp.mcs_table = phy::McsTable::transform_precoding_qam64;
  tp.transform_precoding = true;
  tp.pusch_identity = 611;
  tp.dmrs_hopping = phy::LowPaprHopping::group;
  tp.tbs_lbrm = 8 * 4000;
  ASSERT_EQ(tp.validate(v3_cell()), "");
  const FapiPuschPdu pdu = pdu_of(tp);
  EXPECT_EQ(pdu.frequency_hopping, 0);
  ASSERT_TRUE(pdu.maintenance_v3.has_value());
  EXPECT_EQ(pdu.maintenance_v3->group_or_sequence_hopping, 1);
  EXPECT_EQ(pdu.maintenance_v3->tb_size_lbrm_bytes, 4000U);
  phy::PuschConfig back;
  ASSERT_TRUE(to_pusch_config(pdu, v3_cell(), back).ok());
  EXPECT_EQ(back.dmrs_hopping, phy::LowPaprHopping::group);
  EXPECT_EQ(back.tbs_lbrm, 8U * 4000);
  EXPECT_FALSE(back.intra_slot_hopping);
  // With hopping the dftsOfdm group and sequence numbers are not the unhopped u, v.
  FapiPuschPdu other = pdu;
  other.dfts_ofdm->low_papr_group_number = static_cast<std::uint8_t>((611 % 30 + 1) % 30);
  EXPECT_TRUE(to_pusch_config(other, v3_cell(), back).ok());
  // Without hopping they must be.
  other.maintenance_v3->group_or_sequence_hopping = 0;
  expect_refused(other, FapiStatus::unsupported, "lowPaprGroupNumber");
  // A TBS_LBRM that is not whole bytes cannot be written.
  tp.tbs_lbrm = 8 * 4000 + 4;
  FapiPuschPdu untouched;
  EXPECT_EQ(to_fapi_pusch_pdu(tp, v3_cell(), untouched).status, FapiStatus::out_of_range);
}

} // namespace
