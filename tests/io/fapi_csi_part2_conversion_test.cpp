// CSI part 2 sized from CSI part 1 between the FAPI PUSCH PDU and phy::PuschConfig:
// csiPart2BitLength 0xFFFF with its part 1 to part 2 correspondence becomes
// PuschUciConfig::csi_part2_sizing (and back, with the maintenance part), without allocating;
// fields outside CSI part 1 are refused; UCI.indication reports the part 2 size part 1 gave.
#include "../support/allocation_counter.h"
#include "airan/io/fapi_indication_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "fapi_conversion_test_helpers.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

using namespace airan;
using namespace airan::io;
using namespace airan::io::test;

/// Report 0: part 1 bits 0..1 by map 0; report 1: four fields (10 bits) by map 1.
phy::CsiPart2Sizing csi2_conversion_sizing() {
  phy::CsiPart2Sizing sizing;
  sizing.reports[0].fields[0] = {0, 2};
  sizing.reports[0].num_fields = 1;
  sizing.reports[0].map_index = 0;
  sizing.reports[1].fields = {phy::CsiPart1Field{2, 1}, phy::CsiPart1Field{4, 3},
                              phy::CsiPart1Field{10, 2}, phy::CsiPart1Field{20, 4}};
  sizing.reports[1].num_fields = 4;
  sizing.reports[1].map_index = 1;
  sizing.num_reports = 2;
  return sizing;
}

/// make_pusch() with a 2-bit HARQ-ACK, a 24-bit CSI part 1 and \p sizing.
phy::PuschConfig csi2_conversion_pusch(const phy::CsiPart2Sizing& sizing) {
  phy::PuschConfig pusch = make_pusch();
  pusch.uci.harq_ack_bits = 2;
  pusch.uci.csi_part1_bits = 24;
  pusch.uci.csi_part2_sizing = sizing;
  pusch.uci.beta_offset_csi1 = 6;
  pusch.uci.beta_offset_csi2 = 6;
  return pusch;
}

FapiPuschPdu csi2_conversion_pdu(const phy::PuschConfig& pusch) {
  FapiPuschPdu pdu;
  const FapiError error = to_fapi_pusch_pdu(pusch, make_cell(), pdu);
  EXPECT_TRUE(error.ok()) << describe(error);
  return pdu;
}

TEST(FapiCsiPart2Conversion, PduCarriesTheSizing) {
  const phy::PuschConfig pusch = csi2_conversion_pusch(csi2_conversion_sizing());
  ASSERT_EQ(pusch.validate(make_cell()), "");
  const FapiPuschPdu pdu = csi2_conversion_pdu(pusch);
  ASSERT_TRUE(pdu.uci && pdu.maintenance_v3);
  EXPECT_EQ(pdu.uci->csi_part2_bit_length, fapi_csi_part2_from_part1);
  EXPECT_EQ(pdu.uci->csi_part1_bit_length, 24);
  EXPECT_EQ(pdu.frequency_hopping, 0);
  EXPECT_EQ(pdu.maintenance_v3->tb_size_lbrm_bytes, 0U);
  const FapiUciPart2Info& info = pdu.uci->part2_info;
  ASSERT_EQ(info.num_part2s, 2);
  FapiUciPart2 second;
  second.priority = 1;
  second.num_part1_params = 4;
  second.param_offsets = {2, 4, 10, 20};
  second.param_sizes = {1, 3, 2, 4};
  second.part2_size_map_index = 1;
  second.part2_size_map_scope = 1;
  EXPECT_EQ(info.part2s[1], second);
  EXPECT_EQ(info.part2s[0].priority, 0);
  EXPECT_EQ(info.part2s[0].num_part1_params, 1);
  EXPECT_EQ(info.part2s[0].param_sizes[0], 2);
  EXPECT_EQ(info.part2s[0].part2_size_map_scope, 1);
}

TEST(FapiCsiPart2Conversion, SizingSurvivesTheRoundTrip) {
  for (const bool ulsch : {true, false}) {
    phy::PuschConfig pusch = csi2_conversion_pusch(csi2_conversion_sizing());
    pusch.ulsch = ulsch; // without UL-SCH: UCI only
    auto request = std::make_unique<FapiUlTtiRequest>();
    request->pusch[0] = csi2_conversion_pdu(pusch);
    request->num_pusch = 1;
    const FapiError decoded = decode(encode(*request));
    ASSERT_TRUE(decoded.ok()) << describe(decoded);
    ASSERT_EQ(scratch_message().ul_tti_request.pusch[0], request->pusch[0]);
    phy::PuschConfig back;
    const FapiError error =
        to_pusch_config(scratch_message().ul_tti_request.pusch[0], make_cell(), back);
    ASSERT_TRUE(error.ok()) << describe(error);
    EXPECT_EQ(back.uci, pusch.uci);
    EXPECT_EQ(back.uci.csi_part2_bits, 0U); // the receiver learns it from part 1
    EXPECT_EQ(back.ulsch, ulsch);
  }
  // The size the UE sends is not on the wire.
  phy::PuschConfig ue = csi2_conversion_pusch(csi2_conversion_sizing());
  ue.uci.csi_part2_bits = 30;
  phy::PuschConfig back;
  ASSERT_TRUE(to_pusch_config(csi2_conversion_pdu(ue), make_cell(), back).ok());
  EXPECT_EQ(back.uci.csi_part2_sizing, ue.uci.csi_part2_sizing);
  EXPECT_EQ(back.uci.csi_part2_bits, 0U);
}

TEST(FapiCsiPart2Conversion, BothScopesNameTheCellsMaps) {
  FapiPuschPdu pdu = csi2_conversion_pdu(csi2_conversion_pusch(csi2_conversion_sizing()));
  phy::PuschConfig cell_scope;
  ASSERT_TRUE(to_pusch_config(pdu, make_cell(), cell_scope).ok());
  for (FapiUciPart2& part : pdu.uci->part2_info.part2s) {
    part.part2_size_map_scope = 0;
  }
  phy::PuschConfig phy_scope;
  ASSERT_TRUE(to_pusch_config(pdu, make_cell(), phy_scope).ok());
  EXPECT_EQ(phy_scope.uci.csi_part2_sizing, cell_scope.uci.csi_part2_sizing);
}

TEST(FapiCsiPart2Conversion, DoesNotAllocate) {
  const FapiPuschPdu pdu = csi2_conversion_pdu(csi2_conversion_pusch(csi2_conversion_sizing()));
  const phy::CellConfig cell = make_cell();
  phy::PuschConfig out;
  const long before = airan::test::allocation_count();
  const FapiError error = to_pusch_config(pdu, cell, out);
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_TRUE(error.ok()) << describe(error);
}

TEST(FapiCsiPart2Conversion, RefusesFieldsOutsidePart1) {
  const FapiPuschPdu good = csi2_conversion_pdu(csi2_conversion_pusch(csi2_conversion_sizing()));
  struct Case {
    const char* what;
    void (*change)(FapiUciPart2&);
    const char* reason;
  };
  const Case cases[] = {
      {"past part 1", [](FapiUciPart2& p) { p.param_offsets[3] = 21; }, "csiPart1BitLength 24"},
      {"a field of 0 bits", [](FapiUciPart2& p) { p.param_sizes[0] = 0; }, "of 0 bits"},
      {"13 index bits",
       [](FapiUciPart2& p) {
         p.param_offsets[3] = 15;
         p.param_sizes[3] = 7;
       },
       "13 bits"},
      {"map 64", [](FapiUciPart2& p) { p.part2_size_map_index = 64; }, "part2SizeMapIndex 64"},
  };
  for (const Case& c : cases) {
    FapiPuschPdu pdu = good;
    c.change(pdu.uci->part2_info.part2s[1]);
    phy::PuschConfig out;
    out.handle = 1234;
    const FapiError error = to_pusch_config(pdu, make_cell(), out);
    EXPECT_EQ(error.status, FapiStatus::out_of_range) << c.what << ": " << describe(error);
    EXPECT_EQ(error.code, FapiErrorCode::msg_slot_err) << c.what;
    EXPECT_NE(error.reason().find(c.reason), std::string_view::npos) << describe(error);
    EXPECT_NE(error.reason().find("part 2 1"), std::string_view::npos) << describe(error);
    EXPECT_EQ(out.handle, 1234U) << c.what; // untouched
  }
  // A PDU built in code with a field count the decoder would refuse: refused too (the size
  // rule holds 4 fields; a review asked).
  for (const unsigned count : {0U, 5U}) {
    FapiPuschPdu pdu = good;
    pdu.uci->part2_info.part2s[1].num_part1_params = static_cast<std::uint8_t>(count);
    phy::PuschConfig out;
    const FapiError error = to_pusch_config(pdu, make_cell(), out);
    EXPECT_EQ(error.status, FapiStatus::out_of_range) << describe(error);
    EXPECT_NE(error.reason().find("numPart1Params = " + std::to_string(count) + " is not in 1..4"),
              std::string_view::npos)
        << describe(error);
  }
}

TEST(FapiCsiPart2Conversion, UciIndicationReportsTheSizePart1Gave) {
  const phy::PuschConfig pusch = csi2_conversion_pusch(csi2_conversion_sizing());
  phy::PuschPduResult result;
  result.handle = 77;
  result.rnti = 0x4601;
  result.uci.decoded = true;
  result.uci.harq_ack_detected = result.uci.csi_part1_detected = true;
  result.uci.csi_part2_detected = true;
  result.uci.harq_ack.assign(2, 1);
  result.uci.csi_part1.assign(24, 0);
  result.uci.csi_part2.assign(13, 1);
  const FapiUciPusch uci = to_fapi_uci(result, pusch, make_cell());
  ASSERT_TRUE(uci.csi_part2.has_value());
  EXPECT_EQ(uci.csi_part2->bit_length, 13);
  EXPECT_EQ(uci.csi_part2->crc, FapiUciPart::crc_pass);
  EXPECT_EQ(uci.csi_part2->payload[0], 0xFF);
  EXPECT_EQ(uci.csi_part2->payload[1], 0x1F);
  // Part 1 asked for no part 2, or was not decoded: no part 2 to report.
  result.uci.csi_part2.clear();
  result.uci.csi_part2_detected = false;
  EXPECT_FALSE(to_fapi_uci(result, pusch, make_cell()).csi_part2.has_value());
  // A PDU that was not decoded, its result object holding an earlier PDU's part 2 (the L1
  // reuses them): no part 2 either, not one of the earlier length.
  result.uci.csi_part2.assign(9, 1);
  result.uci.decoded = false;
  EXPECT_FALSE(to_fapi_uci(result, pusch, make_cell()).csi_part2.has_value());
}

TEST(FapiCsiPart2Conversion, ARejectedPduReportsNoPart2) {
  auto slot = std::make_unique<FapiSlotRequest>();
  FapiRejectedPdu& rejected = slot->rejected[0];
  rejected.handle = 5;
  rejected.rnti = 0x4601;
  rejected.uci = FapiPuschUci{0, 24, fapi_csi_part2_from_part1, 3};
  slot->num_rejected = 1;
  auto uci = std::make_unique<FapiUciIndication>();
  to_uci_indication(*slot, {}, make_cell(), *uci);
  ASSERT_EQ(uci->num_pdus, 1U);
  ASSERT_TRUE(uci->pdus[0].csi_part1.has_value());
  EXPECT_EQ(uci->pdus[0].csi_part1->crc, FapiUciPart::crc_fail);
  EXPECT_FALSE(uci->pdus[0].csi_part2.has_value());
}

} // namespace
