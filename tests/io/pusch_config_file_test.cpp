#include "airan/io/dpdk_config.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/pusch_config_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace {

using airan::io::ConfigError;
using airan::io::parse_slot_scenario;

const std::filesystem::path configs_dir =
    std::filesystem::path(AIRAN_TESTVECTOR_DIR).parent_path().parent_path() / "configs";

const std::string minimal = R"(
cell: {num_prbs: 52, numerology: 1, n_cell_id: 7, num_antenna_ports: 1}
slot_number: 5
pusch:
  - {rnti: 100, bwp_size: 52, prb_size: 52, dmrs_ports: [0], mcs_index: 10, mcs_table: 1}
)";

std::string error_of(const std::string& yaml) {
  try {
    parse_slot_scenario(yaml, "test.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

TEST(SlotScenarioFile, ParsesMinimalScenario) {
  const auto scenario = parse_slot_scenario(minimal, "minimal");
  EXPECT_EQ(scenario.cell.num_prbs, 52U);
  EXPECT_EQ(scenario.cell.numerology, 1U);
  EXPECT_EQ(scenario.slot_number, 5U);
  ASSERT_EQ(scenario.pusch.size(), 1U);
  EXPECT_EQ(scenario.pusch[0].rnti, 100);
  EXPECT_EQ(scenario.pusch[0].mcs_index, 10U);
  EXPECT_EQ(scenario.pusch[0].dmrs_ports, 0x1);
  // No scrambling identity configured: the cell's (TS 38.211 6.3.1.1, 6.4.1.1.1.1), not 0.
  EXPECT_EQ(scenario.pusch[0].data_scrambling_id, 7U);
  EXPECT_EQ(scenario.pusch[0].dmrs_scrambling_id, 7U);
  const auto configured = parse_slot_scenario(
      R"(
cell: {num_prbs: 52, numerology: 1, n_cell_id: 7}
pusch:
  - {bwp_size: 52, prb_size: 52, data_scrambling_id: 0, dmrs_scrambling_id: 300}
)",
      "configured");
  EXPECT_EQ(configured.pusch[0].data_scrambling_id, 0U);
  EXPECT_EQ(configured.pusch[0].dmrs_scrambling_id, 300U);
}

TEST(SlotScenarioFile, LoadsEveryBundledConfig) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(configs_dir)) {
    if (entry.path().extension() == ".yaml" &&
        entry.path().filename().string().starts_with("pusch")) {
      const auto scenario = airan::io::load_slot_scenario(entry.path());
      EXPECT_FALSE(scenario.pusch.empty()) << entry.path();
      ++loaded;
    }
  }
  EXPECT_GE(loaded, 2);
}

TEST(SlotScenarioFile, PeakConfigHasTheBenchmarkShape) {
  const auto scenario =
      airan::io::load_slot_scenario(configs_dir / "pusch_273prb_2layer_256qam.yaml");
  ASSERT_EQ(scenario.pusch.size(), 1U);
  const auto& pusch = scenario.pusch[0];
  EXPECT_EQ(pusch.prb_size, 273U);
  EXPECT_EQ(pusch.num_layers, 2U);
  EXPECT_EQ(pusch.mcs_index, 27U);
  EXPECT_EQ(pusch.mcs_table, airan::phy::McsTable::qam256);
  EXPECT_EQ(pusch.modulation_order(), 8U);
}

TEST(SlotScenarioFile, UnknownKeyIsNamed) {
  auto yaml = minimal;
  yaml.replace(yaml.find("mcs_index"), 9, "mcs_indx");
  EXPECT_NE(error_of(yaml).find("unknown key 'mcs_indx'"), std::string::npos) << error_of(yaml);
}

TEST(SlotScenarioFile, WrongTypesAndRangesAreErrors) {
  auto negative = minimal;
  negative.replace(negative.find("rnti: 100"), 9, "rnti: -4");
  EXPECT_NE(error_of(negative).find("pusch[0].rnti"), std::string::npos) << error_of(negative);

  auto word = minimal;
  word.replace(word.find("mcs_index: 10"), 13, "mcs_index: ten");
  EXPECT_NE(error_of(word).find("not a non-negative integer"), std::string::npos);

  auto too_big = minimal;
  too_big.replace(too_big.find("mcs_index: 10"), 13, "mcs_index: 40");
  EXPECT_NE(error_of(too_big).find("larger than 31"), std::string::npos);

  auto bad_slot = minimal;
  bad_slot.replace(bad_slot.find("slot_number: 5"), 14, "slot_number: 20");
  EXPECT_NE(error_of(bad_slot).find("slot_number"), std::string::npos);
}

TEST(SlotScenarioFile, ImpossibleAllocationIsRejectedByValidation) {
  auto yaml = minimal;
  yaml.replace(yaml.find("prb_size: 52"), 12, "prb_size: 60");
  EXPECT_NE(error_of(yaml).find("pusch[0]"), std::string::npos) << error_of(yaml);

  auto layers = minimal;
  layers.replace(layers.find("dmrs_ports: [0]"), 15, "dmrs_ports: [0, 1], num_layers: 2");
  EXPECT_FALSE(error_of(layers).empty()) << "2 layers on a 1-port UE must be rejected";
}

TEST(SlotScenarioFile, MalformedDocumentsAreErrors) {
  EXPECT_NE(error_of("cell: [unclosed").find("not valid YAML"), std::string::npos);
  EXPECT_NE(error_of("- just a list").find("top level"), std::string::npos);
  EXPECT_NE(error_of("cell: {num_prbs: 52}\n").find("pusch"), std::string::npos);
  EXPECT_NE(error_of("").find("top level"), std::string::npos);
}

TEST(SlotScenarioFile, MissingFileIsAClearError) {
  EXPECT_THROW(airan::io::load_slot_scenario("/nonexistent/scenario.yaml"), ConfigError);
}

} // namespace

// Found by slot_scenario_fuzzer: a mapping used as a key ("? a: b") made yaml-cpp throw its own
// exception out of the parser. Every key shape is now a ConfigError naming the place.
TEST(SlotScenarioFile, NonScalarKeysAreConfigErrors) {
  for (const char* text : {"? num_antenna_ports: 0\n: 1\n", "cell:\n  ? [a, b]\n  : 1\n",
                           "pusch:\n  - ? {x: 1}\n    : 2\n", "fronthaul: 1\n? [1]\n: 2\n"}) {
    try {
      airan::io::parse_slot_scenario(text, "keys.yaml");
      ADD_FAILURE() << "no error for: " << text;
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find("keys.yaml: "), std::string::npos) << error.what();
    } catch (const std::exception& error) {
      ADD_FAILURE() << "not a ConfigError for " << text << ": " << error.what();
    }
  }
  EXPECT_THROW(airan::io::parse_fronthaul_config("fronthaul:\n  ? [a]\n  : 1\n", "f.yaml"),
               ConfigError);
  EXPECT_THROW(airan::io::parse_dpdk_config("dpdk:\n  ? {a: 1}\n  : 1\n", "d.yaml"), ConfigError);
}
