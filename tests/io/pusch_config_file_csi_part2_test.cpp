// The `uci.csi_part2_from_part1` key of a scenario's PUSCH: CSI part 2 sized from CSI part 1,
// one rule per CSI report into the PUSCH's CsiPart2Sizing, its map into the scenario's list.
#include "airan/io/pusch_config_file.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using airan::io::ConfigError;
using airan::io::parse_slot_scenario;

/// A scenario of one 64-QAM PUSCH with UL-SCH on \p prbs PRBs whose `uci:` block is \p uci.
std::string csi_part2_scenario(const std::string& uci, unsigned prbs = 12) {
  return R"(
cell: {num_prbs: 24, numerology: 1, n_cell_id: 3}
pusch:
  - {rnti: 0x4601, bwp_size: 24, mcs_index: 18, dmrs_additional_position: 1, prb_size: )" +
         std::to_string(prbs) + ", uci: " + uci + "}\n";
}

std::string csi_part2_error_of(const std::string& uci, unsigned prbs = 12) {
  try {
    parse_slot_scenario(csi_part2_scenario(uci, prbs), "sized.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

constexpr const char* rank_report =
    "{fields: [[0, 2]], part2_bits: [12, 24, 18, 30]}"; // a 2-bit rank indicator

TEST(CsiPart2FromPart1File, ParsesOneRulePerReportWithMapsInScenarioOrder) {
  const auto scenario = parse_slot_scenario(R"(
cell: {num_prbs: 24, numerology: 1, n_cell_id: 3}
pusch:
  - {rnti: 1, bwp_size: 24, prb_size: 12, mcs_index: 10,
     uci: {csi_part1_bits: 8, beta_offset_csi2: 13,
           csi_part2_from_part1: [{fields: [[0, 2]], part2_bits: [12, 24, 18, 30]},
                                  {fields: [[2, 1], [5, 2]],
                                   part2_bits: [0, 4, 8, 12, 16, 20, 24, 28]}]}}
  - {rnti: 2, bwp_size: 24, prb_start: 12, prb_size: 12, mcs_index: 10,
     uci: {csi_part1_bits: 6, csi_part2_from_part1: [{fields: [[4, 1]], part2_bits: [7, 40]}]}}
  - {rnti: 3, bwp_size: 24, prb_size: 12, mcs_index: 10, uci: {csi_part1_bits: 6}}
)",
                                            "sized.yaml");
  ASSERT_EQ(scenario.pusch.size(), 3U);
  EXPECT_TRUE(scenario.sizes_csi_part2_from_part1());
  ASSERT_EQ(scenario.csi_part2_size_maps.size(), 3U);
  EXPECT_EQ(scenario.csi_part2_size_maps[0].field_bits, (std::vector<std::uint8_t>{2}));
  EXPECT_EQ(scenario.csi_part2_size_maps[0].part2_bits,
            (std::vector<std::uint16_t>{12, 24, 18, 30}));
  EXPECT_EQ(scenario.csi_part2_size_maps[1].field_bits, (std::vector<std::uint8_t>{1, 2}));
  EXPECT_EQ(scenario.csi_part2_size_maps[1].part2_bits.size(), 8U);
  EXPECT_EQ(scenario.csi_part2_size_maps[2].part2_bits, (std::vector<std::uint16_t>{7, 40}));

  const auto& first = scenario.pusch[0].uci;
  EXPECT_EQ(first.csi_part2_bits, 0U); // the size comes from part 1
  EXPECT_TRUE(first.has_csi_part2());
  ASSERT_EQ(first.csi_part2_sizing.num_reports, 2U);
  const auto& rank = first.csi_part2_sizing.reports[0];
  ASSERT_EQ(rank.num_fields, 1U);
  EXPECT_EQ(rank.fields[0], (airan::phy::CsiPart1Field{0, 2}));
  EXPECT_EQ(rank.map_index, 0U);
  const auto& two_fields = first.csi_part2_sizing.reports[1];
  ASSERT_EQ(two_fields.num_fields, 2U);
  EXPECT_EQ(two_fields.fields[0], (airan::phy::CsiPart1Field{2, 1}));
  EXPECT_EQ(two_fields.fields[1], (airan::phy::CsiPart1Field{5, 2}));
  EXPECT_EQ(two_fields.map_index, 1U);
  // The second PUSCH's map follows the first's in the scenario's list.
  ASSERT_EQ(scenario.pusch[1].uci.csi_part2_sizing.num_reports, 1U);
  EXPECT_EQ(scenario.pusch[1].uci.csi_part2_sizing.reports[0].map_index, 2U);
  EXPECT_TRUE(scenario.pusch[2].uci.csi_part2_sizing.empty());

  // Part 1 10000110: the rank field is 2 (18 bits); bit 2 (0) and bits 5..6 (11) make index 3 of
  // the second map (12 bits).
  const airan::phy::BitVector part1 = {1, 0, 0, 0, 0, 1, 1, 0};
  EXPECT_EQ(airan::phy::csi_part2_bits_from_part1(part1, first.csi_part2_sizing,
                                                  scenario.csi_part2_size_maps),
            30U);
}

TEST(CsiPart2FromPart1File, AScenarioWithoutItHasNoMaps) {
  const auto scenario =
      parse_slot_scenario(csi_part2_scenario("{csi_part1_bits: 8, csi_part2_bits: 20}"), "plain");
  EXPECT_FALSE(scenario.sizes_csi_part2_from_part1());
  EXPECT_TRUE(scenario.pusch[0].uci.csi_part2_sizing.empty());
}

TEST(CsiPart2FromPart1File, RefusesItBesideCsiPart2BitsOrWithoutPart1) {
  const std::string key = "pusch[0].uci.csi_part2_from_part1";
  auto error = csi_part2_error_of(std::string("{csi_part1_bits: 8, csi_part2_bits: 24, "
                                              "csi_part2_from_part1: [") +
                                  rank_report + "]}");
  EXPECT_NE(error.find(key), std::string::npos) << error;
  EXPECT_NE(error.find("not both"), std::string::npos) << error;
  error = csi_part2_error_of(std::string("{harq_ack_bits: 2, csi_part2_from_part1: [") +
                             rank_report + "]}");
  EXPECT_NE(error.find(key), std::string::npos) << error;
  EXPECT_NE(error.find("needs csi_part1_bits"), std::string::npos) << error;
}

TEST(CsiPart2FromPart1File, RefusesMalformedReportLists) {
  const std::string key = "pusch[0].uci.csi_part2_from_part1";
  const auto expect_error = [](const std::string& reports, const std::string& where,
                               const std::string& what) {
    const std::string error =
        csi_part2_error_of("{csi_part1_bits: 8, csi_part2_from_part1: " + reports + "}");
    EXPECT_NE(error.find(where + ": "), std::string::npos) << reports << ": " << error;
    EXPECT_NE(error.find(what), std::string::npos) << reports << ": " << error;
  };
  expect_error("[]", key, "expected a list of CSI reports");
  expect_error("{fields: [[0, 2]]}", key, "expected a list of CSI reports");
  std::string nine = "[";
  for (int i = 0; i < 9; ++i) {
    nine += std::string(i == 0 ? "" : ", ") + "{fields: [[0, 1]], part2_bits: [1, 2]}";
  }
  expect_error(nine + "]", key, "9 CSI reports, more than the 8");
  expect_error("[{fields: [[0, 2]], part2_bits: [1, 2, 3, 4], rank: 1}]", key + "[0]",
               "unknown key 'rank'");
  expect_error("[{part2_bits: [1, 2]}]", key + "[0].fields", "missing");
  expect_error("[{fields: [[0, 1]]}]", key + "[0].part2_bits", "missing");
  expect_error("[{fields: [], part2_bits: [1]}]", key + "[0].fields", "1 to 4");
  expect_error("[{fields: [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]], part2_bits: [1]}]",
               key + "[0].fields", "1 to 4");
  expect_error("[{fields: [[0, 1, 2]], part2_bits: [1, 2]}]", key + "[0].fields[0]",
               "expected [offset, bits]");
  expect_error("[{fields: [3], part2_bits: [1, 2]}]", key + "[0].fields[0]",
               "expected [offset, bits]");
  expect_error("[{fields: [[0, 0]], part2_bits: [1]}]", key + "[0].fields[0][1]", "1 bit");
  expect_error("[{fields: [[0, 13]], part2_bits: [1]}]", key + "[0].fields[0][1]",
               "larger than 12");
  expect_error("[{fields: [[-1, 2]], part2_bits: [1, 2, 3, 4]}]", key + "[0].fields[0][0]",
               "not a non-negative integer");
  expect_error("[{fields: [[0, 2]], part2_bits: [1, 2, 3]}]", key + "[0]", "needs 4 sizes, not 3");
  expect_error("[{fields: [[0, 6], [6, 7]], part2_bits: [1]}]", key + "[0]", "13 bits together");
  expect_error("[{fields: [[0, 1]], part2_bits: [1, 1707]}]", key + "[0].part2_bits[1]",
               "larger than 1706");
  expect_error("[{fields: [[0, 1]], part2_bits: 5}]", key + "[0].part2_bits",
               "expected a list of CSI part 2 sizes");
}

TEST(CsiPart2FromPart1File, RefusesRulesThatPart1OrThePuschCannotServe) {
  const std::string key = "pusch[0].uci.csi_part2_from_part1";
  // A field past the end of the 8-bit part 1.
  auto error = csi_part2_error_of(
      "{csi_part1_bits: 8, csi_part2_from_part1: [{fields: [[7, 2]], part2_bits: [1, 2, 3, 4]}]}");
  EXPECT_NE(error.find(key + ": "), std::string::npos) << error;
  EXPECT_NE(error.find("beyond CSI part 1's 8 bits"), std::string::npos) << error;
  // Two reports whose largest part 2s together exceed a UCI payload.
  error = csi_part2_error_of("{csi_part1_bits: 8, csi_part2_from_part1: ["
                             "{fields: [[0, 1]], part2_bits: [10, 1000]}, "
                             "{fields: [[1, 1]], part2_bits: [900, 20]}]}");
  EXPECT_NE(error.find(key + ": "), std::string::npos) << error;
  EXPECT_NE(error.find("1900 bits together"), std::string::npos) << error;
  // A part 2 that part 1 may ask for but one PRB has no room for.
  error = csi_part2_error_of("{csi_part1_bits: 8, csi_part2_from_part1: ["
                             "{fields: [[0, 1]], part2_bits: [20, 1700]}]}",
                             1);
  EXPECT_NE(error.find(key + ": with the CSI part 2 of 1700 bits"), std::string::npos) << error;
  // Every size it can reach fits: accepted.
  EXPECT_EQ(csi_part2_error_of(std::string("{csi_part1_bits: 8, beta_offset_csi2: 8, "
                                           "csi_part2_from_part1: [") +
                               rank_report + "]}"),
            "");
}

} // namespace
