#include "airan/io/dpdk_config.h"
#include "airan/io/fronthaul_config.h"
#include "airan/io/pusch_config_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>

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

std::string scenario_error_of(const std::string& yaml) {
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

// cell.fft_size: the sample rate of the cell's IQ (a multiple of 128 that holds its subcarriers).
TEST(SlotScenarioFile, CellFftSize) {
  EXPECT_EQ(parse_slot_scenario(minimal, "minimal").cell.fft_size, 0U); // choose_fft_size()
  std::string text = minimal;
  text.replace(text.find("num_antenna_ports: 1"), 20, "fft_size: 768");
  EXPECT_EQ(parse_slot_scenario(text, "768").cell.fft_size, 768U);
  for (const auto& [size, expected] :
       {std::pair<const char*, const char*>{"1000", "is not a multiple of 128"},
        {"512", "below the carrier's 624 subcarriers"},
        {"20000", "is larger than 16384"}}) {
    std::string bad = minimal;
    bad.replace(bad.find("num_antenna_ports: 1"), 20, std::string("fft_size: ") + size);
    const std::string error = scenario_error_of(bad);
    EXPECT_NE(error.find(expected), std::string::npos) << size << ": " << error;
  }
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
  EXPECT_NE(scenario_error_of(yaml).find("unknown key 'mcs_indx'"), std::string::npos)
      << scenario_error_of(yaml);
}

TEST(SlotScenarioFile, WrongTypesAndRangesAreErrors) {
  auto negative = minimal;
  negative.replace(negative.find("rnti: 100"), 9, "rnti: -4");
  EXPECT_NE(scenario_error_of(negative).find("pusch[0].rnti"), std::string::npos)
      << scenario_error_of(negative);

  auto word = minimal;
  word.replace(word.find("mcs_index: 10"), 13, "mcs_index: ten");
  EXPECT_NE(scenario_error_of(word).find("not a non-negative integer"), std::string::npos);

  auto too_big = minimal;
  too_big.replace(too_big.find("mcs_index: 10"), 13, "mcs_index: 40");
  EXPECT_NE(scenario_error_of(too_big).find("larger than 31"), std::string::npos);

  auto bad_slot = minimal;
  bad_slot.replace(bad_slot.find("slot_number: 5"), 14, "slot_number: 20");
  EXPECT_NE(scenario_error_of(bad_slot).find("slot_number"), std::string::npos);
}

TEST(SlotScenarioFile, ImpossibleAllocationIsRejectedByValidation) {
  auto yaml = minimal;
  yaml.replace(yaml.find("prb_size: 52"), 12, "prb_size: 60");
  EXPECT_NE(scenario_error_of(yaml).find("pusch[0]"), std::string::npos) << scenario_error_of(yaml);

  auto layers = minimal;
  layers.replace(layers.find("dmrs_ports: [0]"), 15, "dmrs_ports: [0, 1], num_layers: 2");
  EXPECT_FALSE(scenario_error_of(layers).empty()) << "2 layers on a 1-port UE must be rejected";
}

const std::string transform_precoded = R"(
cell: {num_prbs: 52, numerology: 1, n_cell_id: 7}
pusch:
  - {bwp_size: 52, prb_size: 48, num_dmrs_cdm_groups_no_data: 2, transform_precoding: true,
     mcs_table: 4, mcs_index: 0}
)";

TEST(SlotScenarioFile, ParsesTransformPrecoding) {
  const auto defaults = parse_slot_scenario(transform_precoded, "tp");
  ASSERT_EQ(defaults.pusch.size(), 1U);
  const auto& tp = defaults.pusch[0];
  EXPECT_TRUE(tp.transform_precoding);
  EXPECT_FALSE(tp.tp_pi2bpsk);
  EXPECT_EQ(tp.mcs_table, airan::phy::McsTable::transform_precoding_qam64);
  EXPECT_EQ(tp.modulation_order(), 2U);
  // No pusch_identity: n_ID^RS is N_ID^cell (TS 38.211 6.4.1.1.1.2).
  EXPECT_EQ(tp.pusch_identity, 7U);
  EXPECT_EQ(tp.dmrs_hopping, airan::phy::LowPaprHopping::none);

  auto configured = transform_precoded;
  configured.replace(configured.find("mcs_index: 0}"), 13,
                     "mcs_index: 0, tp_pi2bpsk: true, pusch_identity: 1007, dmrs_hopping: group}");
  const auto pusch = parse_slot_scenario(configured, "tp").pusch.at(0);
  EXPECT_TRUE(pusch.tp_pi2bpsk);
  EXPECT_EQ(pusch.modulation_order(), 1U);
  EXPECT_EQ(pusch.pusch_identity, 1007U);
  EXPECT_EQ(pusch.dmrs_hopping, airan::phy::LowPaprHopping::group);
  auto sequence = transform_precoded;
  sequence.replace(sequence.find("mcs_index: 0}"), 13, "dmrs_hopping: sequence}");
  EXPECT_EQ(parse_slot_scenario(sequence, "tp").pusch.at(0).dmrs_hopping,
            airan::phy::LowPaprHopping::sequence);
  // Without transform precoding the keys default too.
  EXPECT_FALSE(parse_slot_scenario(minimal, "cp").pusch.at(0).transform_precoding);
  EXPECT_EQ(parse_slot_scenario(minimal, "cp").pusch.at(0).pusch_identity, 7U);
}

TEST(SlotScenarioFile, BadTransformPrecodingKeysAreErrors) {
  // The entry with "key: value" in place of the key's value, or added (a key twice is an error).
  const auto with = [](const std::string& replacement) {
    auto yaml = transform_precoded;
    const std::string key = replacement.substr(0, replacement.find(':') + 1);
    if (const auto at = yaml.find(" " + key); at != std::string::npos) {
      const auto end = yaml.find_first_of(",}", at);
      yaml.replace(at + 1, end - at - 1, replacement);
    } else {
      yaml.replace(yaml.find("mcs_index: 0}"), 13, "mcs_index: 0, " + replacement + "}");
    }
    return scenario_error_of(yaml);
  };
  EXPECT_NE(with("transform_precoding: maybe")
                .find("pusch[0].transform_precoding: expected true "
                      "or false"),
            std::string::npos)
      << with("transform_precoding: maybe");
  EXPECT_NE(with("tp_pi2bpsk: 2").find("pusch[0].tp_pi2bpsk: expected true or false"),
            std::string::npos);
  EXPECT_NE(with("pusch_identity: 1008").find("pusch[0].pusch_identity: 1008 is larger than 1007"),
            std::string::npos)
      << with("pusch_identity: 1008");
  EXPECT_NE(with("dmrs_hopping: both")
                .find("pusch[0].dmrs_hopping: expected none, group or "
                      "sequence"),
            std::string::npos)
      << with("dmrs_hopping: both");
  EXPECT_NE(with("mcs_table: 6").find("pusch[0].mcs_table: 6 is larger than 5"), std::string::npos);
  EXPECT_NE(with("mcs_table: 0").find("4 or 5 (Tables 6.1.4.1-1/2)"), std::string::npos);

  // The TS 38.211/38.214 rules come from PuschConfig::validate(), named by the entry.
  auto cdm1 = transform_precoded;
  cdm1.replace(cdm1.find("num_dmrs_cdm_groups_no_data: 2"), 30, "num_dmrs_cdm_groups_no_data: 1");
  EXPECT_NE(scenario_error_of(cdm1).find("pusch[0]: transform precoding needs 2 DMRS CDM groups"),
            std::string::npos)
      << scenario_error_of(cdm1);
  auto prbs = transform_precoded;
  prbs.replace(prbs.find("prb_size: 48"), 12, "prb_size: 49");
  EXPECT_NE(scenario_error_of(prbs).find("2^a 3^b 5^c"), std::string::npos)
      << scenario_error_of(prbs);
  auto table4_cp = minimal;
  table4_cp.replace(table4_cp.find("mcs_table: 1"), 12, "mcs_table: 4");
  EXPECT_NE(scenario_error_of(table4_cp).find("needs transform precoding"), std::string::npos)
      << scenario_error_of(table4_cp);
  auto bpsk_cp = minimal;
  bpsk_cp.replace(bpsk_cp.find("mcs_table: 1"), 12, "mcs_table: 1, tp_pi2bpsk: true");
  EXPECT_NE(scenario_error_of(bpsk_cp).find("tp-pi2BPSK needs transform precoding"),
            std::string::npos)
      << scenario_error_of(bpsk_cp);
  auto hopping_cp = minimal;
  hopping_cp.replace(hopping_cp.find("mcs_table: 1"), 12, "mcs_table: 1, dmrs_hopping: group");
  EXPECT_NE(scenario_error_of(hopping_cp).find("hopping needs transform precoding"),
            std::string::npos)
      << scenario_error_of(hopping_cp);
}

/// minimal with \p keys added to its PUSCH entry.
std::string minimal_with(const std::string& keys) {
  auto yaml = minimal;
  yaml.replace(yaml.find("mcs_table: 1}"), 13, "mcs_table: 1, " + keys + "}");
  return yaml;
}

TEST(SlotScenarioFile, ParsesPtrs) {
  EXPECT_FALSE(parse_slot_scenario(minimal, "none").pusch.at(0).ptrs.enabled);
  const auto configured = parse_slot_scenario(
      minimal_with(
          "ptrs: {time_density: 2, frequency_density: 4, re_offset: 3, dmrs_port: 0, power: 1}"),
      "ptrs");
  const airan::phy::PuschPtrsConfig expected{true, 2, 4, 3, 0, 1};
  EXPECT_EQ(configured.pusch.at(0).ptrs, expected);
  // The map's presence enables PT-RS with the defaults (L 1, K 2, offset '00', port 0, '00').
  const auto defaults = parse_slot_scenario(minimal_with("ptrs: {}"), "defaults").pusch.at(0);
  EXPECT_EQ(defaults.ptrs, (airan::phy::PuschPtrsConfig{true, 1, 2, 0, 0, 0}));
  const auto off =
      parse_slot_scenario(minimal_with("ptrs: {enabled: false, time_density: 4}"), "off");
  EXPECT_FALSE(off.pusch.at(0).ptrs.enabled);
  EXPECT_EQ(off.pusch.at(0).ptrs.time_density, 4U);
  // The associated DMRS port of a 2-layer PUSCH on ports 0 and 2.
  auto two = minimal_with("ptrs: {dmrs_port: 2, re_offset: 1}");
  two.replace(two.find("num_antenna_ports: 1"), 20, "num_antenna_ports: 2");
  two.replace(two.find("dmrs_ports: [0]"), 15,
              "dmrs_ports: [0, 2], num_layers: 2, num_dmrs_cdm_groups_no_data: 2");
  const auto pusch = parse_slot_scenario(two, "two").pusch.at(0);
  EXPECT_EQ(pusch.ptrs, (airan::phy::PuschPtrsConfig{true, 1, 2, 1, 2, 0}));
}

TEST(SlotScenarioFile, BadPtrsKeysAreErrors) {
  const auto with = [](const std::string& ptrs) { return scenario_error_of(minimal_with(ptrs)); };
  const std::pair<const char*, const char*> cases[] = {
      {"ptrs: {density: 2}", "pusch[0].ptrs: unknown key 'density'"},
      {"ptrs: 1", "pusch[0].ptrs: expected a mapping"},
      {"ptrs: {enabled: maybe}", "pusch[0].ptrs.enabled: expected true or false"},
      {"ptrs: {time_density: 8}", "pusch[0].ptrs.time_density: 8 is larger than 4"},
      {"ptrs: {re_offset: 4}", "pusch[0].ptrs.re_offset: 4 is larger than 3"},
      {"ptrs: {dmrs_port: 12}", "pusch[0].ptrs.dmrs_port: 12 is larger than 11"},
      // PuschConfig::validate()'s PT-RS rules, named by the entry.
      {"ptrs: {time_density: 3}", "pusch[0]: PT-RS time density must be 1, 2 or 4, not 3"},
      {"ptrs: {frequency_density: 3}", "pusch[0]: PT-RS frequency density must be 2 or 4"},
      {"ptrs: {power: 2}", "pusch[0]: PT-RS power 2 is reserved"},
      {"ptrs: {dmrs_port: 1}", "pusch[0]: PT-RS DMRS port 1 is not one of the PDU's DMRS ports"},
  };
  for (const auto& [ptrs, message] : cases) {
    EXPECT_NE(with(ptrs).find(message), std::string::npos) << ptrs << ": " << with(ptrs);
  }
  auto tp = transform_precoded;
  tp.replace(tp.find("mcs_index: 0}"), 13, "mcs_index: 0, ptrs: {}}");
  EXPECT_NE(scenario_error_of(tp).find("pusch[0]: PT-RS with transform precoding"),
            std::string::npos)
      << scenario_error_of(tp);
}

TEST(SlotScenarioFile, MalformedDocumentsAreErrors) {
  EXPECT_NE(scenario_error_of("cell: [unclosed").find("not valid YAML"), std::string::npos);
  EXPECT_NE(scenario_error_of("- just a list").find("top level"), std::string::npos);
  EXPECT_NE(scenario_error_of("cell: {num_prbs: 52}\n").find("pusch"), std::string::npos);
  EXPECT_NE(scenario_error_of("").find("top level"), std::string::npos);
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
