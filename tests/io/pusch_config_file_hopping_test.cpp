// Intra-slot frequency hopping in YAML scenarios: intra_slot_hopping and second_hop_prb_start are
// read into PuschConfig, each needs the other, wrong values are errors naming the key, and the
// hopping rules of PuschConfig::validate() are errors naming the entry. The bundled
// configs/pusch_frequency_hopping.yaml hops as its comments say.
#include "airan/io/pusch_config_file.h"
#include "airan/phy/dmrs_pusch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>

namespace {

using airan::io::ConfigError;
using airan::io::parse_slot_scenario;

// 52 PRBs of BWP, an allocation of 20: room for a second hop.
const std::string hopping_base = R"(
cell: {num_prbs: 52, numerology: 1, n_cell_id: 7}
pusch:
  - {bwp_size: 52, prb_start: 2, prb_size: 20, mcs_index: 10}
)";

/// hopping_base with \p keys added to its PUSCH entry.
std::string hopping_yaml(const std::string& keys) {
  auto yaml = hopping_base;
  yaml.replace(yaml.find("mcs_index: 10}"), 14, "mcs_index: 10, " + keys + "}");
  return yaml;
}

std::string hopping_error(const std::string& keys) {
  try {
    parse_slot_scenario(hopping_yaml(keys), "hop.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

TEST(SlotScenarioFileHopping, ParsesIntraSlotHopping) {
  const auto none = parse_slot_scenario(hopping_base, "none").pusch.at(0);
  EXPECT_FALSE(none.intra_slot_hopping);
  EXPECT_EQ(none.second_hop_prb_start, 0U);

  const auto hop =
      parse_slot_scenario(hopping_yaml("intra_slot_hopping: true, second_hop_prb_start: 32"), "hop")
          .pusch.at(0);
  EXPECT_TRUE(hop.intra_slot_hopping);
  EXPECT_EQ(hop.second_hop_prb_start, 32U);
  EXPECT_EQ(hop.second_hop_symbol(), 7U);
  EXPECT_EQ(hop.first_crb_of_symbol(6), 2U);
  EXPECT_EQ(hop.first_crb_of_symbol(7), 32U);
  // Type A, 14 symbols, pos1: TS 38.211 Table 6.4.1.1.3-6 gives l0 = 2 and 6 in the first hop,
  // 0 and 4 in the second (symbols 7 and 11).
  airan::phy::CellConfig cell;
  cell.num_prbs = 52;
  cell.numerology = 1;
  EXPECT_EQ(airan::phy::pusch_dmrs_symbols(cell, hop).mask,
            (1U << 2) | (1U << 6) | (1U << 7) | (1U << 11));

  // The second hop at PRB 0 is a hop too; `false` keeps hopping off with its PRB written down.
  const auto to_zero =
      parse_slot_scenario(hopping_yaml("intra_slot_hopping: true, second_hop_prb_start: 0"), "z")
          .pusch.at(0);
  EXPECT_TRUE(to_zero.intra_slot_hopping);
  EXPECT_EQ(to_zero.first_crb_of_symbol(13), 0U);
  const auto off =
      parse_slot_scenario(hopping_yaml("intra_slot_hopping: false, second_hop_prb_start: 40"), "o")
          .pusch.at(0);
  EXPECT_FALSE(off.intra_slot_hopping);
  EXPECT_EQ(off.second_hop_prb_start, 40U);
  EXPECT_EQ(off.first_crb_of_symbol(13), 2U);
}

TEST(SlotScenarioFileHopping, BadHoppingKeysAreErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"intra_slot_hopping: maybe, second_hop_prb_start: 30",
       "hop.yaml: pusch[0].intra_slot_hopping: expected true or false"},
      {"intra_slot_hopping: true, second_hop_prb_start: -1",
       "pusch[0].second_hop_prb_start: '-1' is not a non-negative integer"},
      {"intra_slot_hopping: true, second_hop_prb_start: 275",
       "pusch[0].second_hop_prb_start: 275 is larger than 274"},
      {"intra_slot_hopping: true, second_hop_prb_start: [3]",
       "pusch[0].second_hop_prb_start: expected a number"},
      {"intra_slot_hoping: true", "pusch[0]: unknown key 'intra_slot_hoping'"},
      // Each key needs the other.
      {"second_hop_prb_start: 30", "pusch[0].second_hop_prb_start: needs intra_slot_hopping"},
      {"intra_slot_hopping: true", "pusch[0].intra_slot_hopping: needs second_hop_prb_start"},
      // PuschConfig::validate()'s hopping rules, named by the entry.
      {"intra_slot_hopping: true, second_hop_prb_start: 33",
       "pusch[0]: second hop PRBs 33+20 do not fit the BWP of 52 PRBs"},
      {"intra_slot_hopping: true, second_hop_prb_start: 30, dmrs_length: 2",
       "pusch[0]: intra-slot frequency hopping needs single-symbol DMRS"},
      {"intra_slot_hopping: true, second_hop_prb_start: 30, ptrs: {}",
       "pusch[0]: PT-RS with intra-slot frequency hopping is not supported"},
      {"intra_slot_hopping: true, second_hop_prb_start: 30, uci: {harq_ack_bits: 2}",
       "pusch[0]: UCI on a PUSCH with intra-slot frequency hopping is not supported"},
      // Type A hops of 3 symbols: Table 6.4.1.1.3-6 has no entry.
      {"intra_slot_hopping: true, second_hop_prb_start: 30, num_symbols: 6",
       "pusch[0]: TS 38.211 Table 6.4.1.1.3-6 has no DMRS position for a first hop of l_d = 3"},
  };
  for (const auto& [keys, message] : cases) {
    EXPECT_NE(hopping_error(keys).find(message), std::string::npos)
        << keys << ": " << hopping_error(keys);
  }
  // Type B hops of one symbol each are allowed: each carries its DMRS.
  EXPECT_EQ(hopping_error("intra_slot_hopping: true, second_hop_prb_start: 30, mapping_type: B, "
                          "start_symbol: 5, num_symbols: 2"),
            "");
}

TEST(SlotScenarioFileHopping, BundledConfigHopsAsItsCommentsSay) {
  const auto path = std::filesystem::path(AIRAN_TESTVECTOR_DIR).parent_path().parent_path() /
                    "configs" / "pusch_frequency_hopping.yaml";
  const auto scenario = airan::io::load_slot_scenario(path);
  ASSERT_EQ(scenario.pusch.size(), 3U);
  struct Expected {
    unsigned prb_start;
    unsigned second_hop_prb_start;
    unsigned second_hop_symbol;
    std::uint16_t dmrs_mask;
  };
  const Expected expected[] = {
      {0, 31, 7, (1U << 2) | (1U << 6) | (1U << 7) | (1U << 11)},
      {31, 0, 7, (1U << 2) | (1U << 7)},
      {20, 26, 7, (1U << 2) | (1U << 6) | (1U << 7) | (1U << 11)},
  };
  for (std::size_t i = 0; i < scenario.pusch.size(); ++i) {
    SCOPED_TRACE("PUSCH " + std::to_string(i));
    const auto& pusch = scenario.pusch[i];
    EXPECT_TRUE(pusch.intra_slot_hopping);
    EXPECT_EQ(pusch.prb_start, expected[i].prb_start);
    EXPECT_EQ(pusch.second_hop_prb_start, expected[i].second_hop_prb_start);
    EXPECT_EQ(pusch.second_hop_symbol(), expected[i].second_hop_symbol);
    EXPECT_EQ(airan::phy::pusch_dmrs_symbols(scenario.cell, pusch).mask, expected[i].dmrs_mask);
  }
}

} // namespace
