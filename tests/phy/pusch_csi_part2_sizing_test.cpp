// CSI part 2 sized from CSI part 1 (FAPI csiPart2BitLength 0xFFFF): the size follows from part 1
// fields (first field most significant) through the cell's maps, summed over the reports; bad
// rules and maps are refused with a reason; the receiver decodes HARQ-ACK and CSI part 1 first,
// then CSI part 2 and the UL-SCH with the size part 1 gives: with UL-SCH (whose rate matching
// depends on it) and without (where a part 1 that asks for no part 2 means CSI part 1 had every
// RE). (Before: 0xFFFF was refused.)
#include "airan/phy/csi_part2_sizing.h"
#include "airan/phy/uci_coded_sizes.h"

#include "../support/pusch_uci_link.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace airan::phy;
using airan::test::Link;
using airan::test::Payload;

/// Map 0: a 2-bit field (e.g. the rank indicator); map 1: a 1-bit and a 2-bit field.
std::vector<CsiPart2SizeMap> part2_test_maps(std::vector<std::uint16_t> rank_sizes = {4, 6, 8,
                                                                                      10}) {
  return {CsiPart2SizeMap{{2}, std::move(rank_sizes)},
          CsiPart2SizeMap{{1, 2}, {0, 1, 2, 3, 100, 200, 300, 400}}};
}

CsiPart2SizeRule part2_rule(std::uint16_t map, std::initializer_list<CsiPart1Field> fields) {
  CsiPart2SizeRule rule;
  rule.map_index = map;
  for (const CsiPart1Field& f : fields) {
    rule.fields[rule.num_fields++] = f;
  }
  return rule;
}

CsiPart2Sizing part2_sizing(std::initializer_list<CsiPart2SizeRule> rules) {
  CsiPart2Sizing sizing;
  for (const CsiPart2SizeRule& r : rules) {
    sizing.reports[sizing.num_reports++] = r;
  }
  return sizing;
}

TEST(CsiPart2Sizing, FieldsConcatenateMostSignificantFirstAndReportsAdd) {
  const auto maps = part2_test_maps();
  const CsiPart2Sizing one = part2_sizing({part2_rule(0, {{3, 2}})});
  EXPECT_EQ(validate_csi_part2_sizing(one, maps, 8), "");
  //                   bit 0  1  2  3  4  5  6  7
  const BitVector rank2 = {1, 1, 1, 1, 0, 0, 0, 0}; // bits 3, 4 = "10": index 2
  EXPECT_EQ(csi_part2_bits_from_part1(rank2, one, maps), 8U);
  const BitVector rank1 = {0, 0, 0, 0, 1, 0, 0, 0}; // "01": index 1
  EXPECT_EQ(csi_part2_bits_from_part1(rank1, one, maps), 6U);

  // Report 1: field (0, 1) then field (6, 2): index = b0 b6 b7.
  const CsiPart2Sizing two =
      part2_sizing({part2_rule(0, {{3, 2}}), part2_rule(1, {{0, 1}, {6, 2}})});
  EXPECT_EQ(validate_csi_part2_sizing(two, maps, 8), "");
  const BitVector bits = {1, 0, 0, 1, 1, 0, 0, 1}; // report 0: "11" -> 10; report 1: "101" -> 200
  EXPECT_EQ(csi_part2_bits_from_part1(bits, two, maps), 210U);
}

TEST(CsiPart2Sizing, BadRulesAndMapsAreRefusedWithAReason) {
  const auto maps = part2_test_maps();
  const auto refused = [&](const CsiPart2Sizing& sizing, unsigned part1, const char* reason) {
    const std::string error = validate_csi_part2_sizing(sizing, maps, part1);
    EXPECT_NE(error.find(reason), std::string::npos) << error;
  };
  refused(part2_sizing({part2_rule(2, {{0, 2}})}), 8, "size map 2 is not configured");
  refused(part2_sizing({part2_rule(0, {{0, 3}})}), 8, "has 3 bits, size map 0 2");
  refused(part2_sizing({part2_rule(0, {{7, 2}})}), 8, "lies beyond CSI part 1's 8 bits");
  refused(part2_sizing({part2_rule(1, {{0, 1}})}), 8, "but size map 1 is indexed by 2");
  refused(part2_sizing({part2_rule(0, {})}), 8, "1 to 4 part 1 fields");

  EXPECT_NE(CsiPart2SizeMap({{2}, {1, 2, 3}}).validate().find("needs 4 sizes, not 3"),
            std::string::npos);
  EXPECT_NE(CsiPart2SizeMap({{7, 6}, {}}).validate().find("13 bits together"), std::string::npos);
  EXPECT_NE(CsiPart2SizeMap({{1}, {1, 1707}}).validate().find("1707 bits"), std::string::npos);
  EXPECT_NE(CsiPart2SizeMap({{}, {1}}).validate().find("1 to 4 part 1 fields"), std::string::npos);
  EXPECT_NE(CsiPart2SizeMap({{1, 0}, {1, 1}}).validate().find("has 0 bits"), std::string::npos);

  // Two reports of up to 1000 bits each: more than a UCI payload together.
  const std::vector<CsiPart2SizeMap> big = {CsiPart2SizeMap{{1}, {10, 1000}}};
  EXPECT_NE(validate_csi_part2_sizing(
                part2_sizing({part2_rule(0, {{0, 1}}), part2_rule(0, {{1, 1}})}), big, 4)
                .find("2000 bits together"),
            std::string::npos);

  // The PDU's own check (PuschConfig::validate): fields within CSI part 1, part 1 needed.
  PuschConfig pusch = airan::test::make_uci_pusch(1, McsTable::qam64, 10);
  pusch.uci.csi_part1_bits = 4;
  pusch.uci.csi_part2_sizing = part2_sizing({part2_rule(0, {{3, 2}})});
  EXPECT_NE(pusch.validate(airan::test::make_uci_cell(1)).find("lies outside CSI part 1's 4 bits"),
            std::string::npos);
  pusch.uci.csi_part1_bits = 0;
  EXPECT_NE(pusch.validate(airan::test::make_uci_cell(1)).find("CSI part 2 needs CSI part 1"),
            std::string::npos);
}

/// The PDU the receiver is told of (no part 2 size) and the UE's (the size its part 1 gives).
struct SizedPusch {
  PuschConfig received;
  PuschConfig sent;
  Payload payload;
};

SizedPusch sized_transmission(PuschConfig pusch, unsigned rank_index,
                              const std::vector<CsiPart2SizeMap>& maps, std::mt19937_64& rng) {
  SizedPusch s;
  pusch.uci.csi_part2_bits = 0;
  s.received = pusch;
  s.payload.ack = airan::test::random_bits(pusch.uci.harq_ack_bits, rng);
  s.payload.csi1 = airan::test::random_bits(pusch.uci.csi_part1_bits, rng);
  s.payload.csi1[1] = static_cast<bit_t>((rank_index >> 1U) & 1U); // the rule's field (1, 2)
  s.payload.csi1[2] = static_cast<bit_t>(rank_index & 1U);
  const unsigned part2 =
      csi_part2_bits_from_part1(s.payload.csi1, pusch.uci.csi_part2_sizing, maps);
  s.payload.csi2 = airan::test::random_bits(part2, rng);
  s.sent = pusch;
  s.sent.uci.csi_part2_bits = part2;
  return s;
}

TEST(PuschCsiPart2FromPart1, WithUlschEveryRankGivesItsPart2AndTheTbDecodes) {
  std::mt19937_64 rng(211);
  // Sizes: a short block (5), nothing (0), polar coded (20 with CRC 6, 40 with CRC 11).
  const auto maps = part2_test_maps({5, 0, 20, 40});
  for (const unsigned layers : {1U, 2U}) {
    Link link(airan::test::make_uci_cell(layers), 4, maps);
    PuschConfig pusch = airan::test::make_uci_pusch(layers, McsTable::qam64, 12);
    pusch.uci = {2, 9, 0, 3, 9, 8, 8};
    // Report 0 by the 2-bit field at bit 1; with 2 layers also report 1, by bit 0 and bits 5-6.
    pusch.uci.csi_part2_sizing =
        layers == 1 ? part2_sizing({part2_rule(0, {{1, 2}})})
                    : part2_sizing({part2_rule(0, {{1, 2}}), part2_rule(1, {{0, 1}, {5, 2}})});
    ASSERT_EQ(pusch.validate(link.cell), "");
    for (unsigned rank = 0; rank < 4; ++rank) {
      SCOPED_TRACE(std::to_string(layers) + " layer(s), rank index " + std::to_string(rank));
      const SizedPusch s = sized_transmission(pusch, rank, maps, rng);
      const BitVector tb =
          airan::test::random_bits(link.transmitter.transport_block_size(s.sent), rng);
      const PuschPduResult r = link.run(s.sent, s.payload, tb, 30.0F, rng, &s.received);
      ASSERT_EQ(r.error, "");
      EXPECT_TRUE(r.tb_crc_ok); // the UL-SCH was rate matched around the part 2 part 1 gave
      EXPECT_EQ(r.tb_bits, tb);
      EXPECT_EQ(r.uci.harq_ack, s.payload.ack);
      EXPECT_EQ(r.uci.csi_part1, s.payload.csi1);
      EXPECT_EQ(r.uci.csi_part2, s.payload.csi2);
      EXPECT_EQ(r.uci.csi_part2_detected, !s.payload.csi2.empty());
      EXPECT_EQ(s.payload.csi2.size(),
                csi_part2_bits_from_part1(s.payload.csi1, pusch.uci.csi_part2_sizing, maps));
      // The same PDU with the part 2 size announced decodes the same way.
      const PuschPduResult known = link.run(s.sent, s.payload, tb, 30.0F, rng);
      EXPECT_TRUE(known.tb_crc_ok);
      EXPECT_EQ(known.uci.csi_part2, s.payload.csi2);
    }
  }
}

TEST(PuschCsiPart2FromPart1, WithoutUlschAPart1AskingForNoPart2HadEveryRe) {
  std::mt19937_64 rng(223);
  const auto maps = part2_test_maps({0, 7, 24, 60});
  struct UciOnlyCase {
    unsigned layers;
    unsigned ack;  // 1: punctures part 2, or padded to 2 bits without it; 5: REs of its own
    unsigned csi1; // 9 and 11: short blocks, 14 and 30: polar coded
  };
  for (const UciOnlyCase& c : {UciOnlyCase{1, 1, 14}, UciOnlyCase{1, 0, 9}, UciOnlyCase{2, 2, 11},
                               UciOnlyCase{1, 5, 30}}) {
    Link link(airan::test::make_uci_cell(c.layers), 4, maps);
    PuschConfig pusch = airan::test::make_uci_pusch(c.layers, McsTable::qam64, 9);
    pusch.ulsch = false;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.uci = {c.ack, c.csi1, 0, 3, 9, 6, 6};
    pusch.uci.csi_part2_sizing = part2_sizing({part2_rule(0, {{1, 2}})});
    ASSERT_EQ(pusch.validate(link.cell), "");
    for (unsigned rank = 0; rank < 4; ++rank) {
      SCOPED_TRACE(std::to_string(c.layers) + " layer(s), ACK " + std::to_string(c.ack) +
                   ", CSI-1 " + std::to_string(c.csi1) + ", rank index " + std::to_string(rank));
      const SizedPusch s = sized_transmission(pusch, rank, maps, rng);
      const PuschPduResult r = link.run(s.sent, s.payload, {}, 30.0F, rng, &s.received);
      ASSERT_EQ(r.error, "");
      ASSERT_TRUE(r.uci.decoded);
      EXPECT_EQ(r.uci.harq_ack, s.payload.ack);
      EXPECT_EQ(r.uci.csi_part1, s.payload.csi1);
      EXPECT_TRUE(r.uci.csi_part1_detected);
      EXPECT_EQ(r.uci.csi_part2, s.payload.csi2);
      EXPECT_EQ(r.uci.csi_part2_detected, rank != 0);
      EXPECT_EQ(r.uci.harq_ack_detected, c.ack != 0);
    }
  }
}

TEST(PuschCsiPart2FromPart1, AFailedPart1LeavesTheTbUndecodedUnlessItsSizeIsKnownAnyway) {
  std::mt19937_64 rng(229);
  // CSI part 1 takes every RE the alpha cap leaves (beta 20, alpha 0.5) whether it has 200 or
  // 201 bits: sent with 200, decoded as 201, its CRC fails. A 1-bit HARQ-ACK reserves REs that
  // CSI part 2 takes as far as its size needs, so the UL-SCH's size depends on part 2's: not
  // decoded (nor combined into a HARQ buffer). With every map entry equal it is known anyway.
  PuschConfig pusch = airan::test::make_uci_pusch(1, McsTable::qam64, 12);
  pusch.uci = {1, 200, 0, 0, 9, 18, 8};
  pusch.uci.csi_part2_sizing = part2_sizing({part2_rule(0, {{1, 2}})});
  for (const bool sizes_differ : {true, false}) {
    SCOPED_TRACE(sizes_differ ? "sizes differ" : "one size");
    const auto maps =
        sizes_differ ? part2_test_maps({0, 5, 20, 40}) : part2_test_maps({7, 7, 7, 7});
    Link link(airan::test::make_uci_cell(1), 4, maps);
    const SizedPusch s = sized_transmission(pusch, 2, maps, rng);
    PuschConfig received = s.received;
    received.uci.csi_part1_bits = 201;
    const BitVector tb =
        airan::test::random_bits(link.transmitter.transport_block_size(s.sent), rng);
    const auto tbs = static_cast<std::uint32_t>(tb.size());
    EXPECT_EQ(pusch_coded_sizes(link.cell, s.sent, tbs).csi_part1,
              pusch_coded_sizes(link.cell, received, tbs).csi_part1);
    const PuschPduResult r = link.run(s.sent, s.payload, tb, 30.0F, rng, &received);
    ASSERT_EQ(r.error, "");
    EXPECT_FALSE(r.uci.csi_part1_detected);
    EXPECT_TRUE(r.uci.csi_part2.empty());
    EXPECT_FALSE(r.uci.csi_part2_detected);
    EXPECT_EQ(r.uci.harq_ack, s.payload.ack);
    EXPECT_EQ(r.tb_crc_ok, !sizes_differ);
    EXPECT_EQ(r.decoding.num_code_blocks != 0, !sizes_differ);
  }
}

TEST(PuschCsiPart2FromPart1, AMapTheCellLacksFailsThePduAndNoRoomLeavesPart2Undetected) {
  std::mt19937_64 rng(227);
  Link without_maps(airan::test::make_uci_cell(1));
  PuschConfig pusch = airan::test::make_uci_pusch(1, McsTable::qam64, 12);
  pusch.uci = {0, 9, 0, 3, 0, 8, 8};
  pusch.uci.csi_part2_sizing = part2_sizing({part2_rule(0, {{1, 2}})});
  const auto maps = part2_test_maps({5, 0, 20, 40});
  const SizedPusch s = sized_transmission(pusch, 3, maps, rng);
  const BitVector tb =
      airan::test::random_bits(without_maps.transmitter.transport_block_size(s.sent), rng);
  const PuschPduResult refused = without_maps.run(s.sent, s.payload, tb, 30.0F, rng, &s.received);
  EXPECT_NE(refused.error.find("size map 0 is not configured (the cell has 0)"), std::string::npos)
      << refused.error;
  EXPECT_FALSE(refused.tb_crc_ok);

  // A part 1 asking for a 5-bit part 2 that the alpha cap leaves no room for (alpha 0.5, all
  // taken by a 3-bit HARQ-ACK and CSI part 1 at beta 20): no CSI part 2 (the UE sends none),
  // even though the TB passes; the TB decodes.
  Link link(airan::test::make_uci_cell(1), 4, part2_test_maps({5, 5, 5, 5}));
  pusch.uci = {3, 400, 0, 0, 0, 18, 0};
  pusch.uci.csi_part2_sizing = part2_sizing({part2_rule(0, {{1, 2}})});
  ASSERT_EQ(pusch.validate(link.cell), "");
  PuschConfig received = pusch;
  Payload payload{airan::test::random_bits(3, rng), airan::test::random_bits(400, rng), {}};
  PuschConfig announced = pusch;
  announced.uci.csi_part2_bits = 5;
  const BitVector tb2 = airan::test::random_bits(link.transmitter.transport_block_size(pusch), rng);
  const auto tbs = static_cast<std::uint32_t>(tb2.size());
  EXPECT_EQ(pusch_coded_sizes(link.cell, announced, tbs).csi_part2, 0U);
  const PuschPduResult r = link.run(pusch, payload, tb2, 30.0F, rng, &received);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.uci.csi_part1, payload.csi1);
  EXPECT_TRUE(r.uci.csi_part2.empty());
  EXPECT_FALSE(r.uci.csi_part2_detected);
  EXPECT_EQ(r.uci.harq_ack, payload.ack);
  EXPECT_TRUE(r.tb_crc_ok);
}

} // namespace
