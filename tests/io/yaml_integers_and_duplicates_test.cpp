// YAML input, the same in every reader: integers as YAML 1.2 reads them (decimal with or without
// leading zeros, 0x hex, 0o octal; "010" was octal 8 and "09" refused), and a mapping that holds a
// key twice refused with its path (yaml-cpp keeps both copies; the scenario reader took the last,
// the launch patterns the first); a fronthaul epoch outside [0, 2^62].
#include "airan/io/fronthaul_config.h"
#include "airan/io/pusch_config_file.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using airan::io::ConfigError;

std::string scenario(const std::string& slot_number, const std::string& extra = "") {
  return "cell: {num_prbs: 24, numerology: 1}\nslot_number: " + slot_number +
         "\npusch:\n  - {bwp_size: 24, prb_size: 24" + extra + "}\n";
}

std::string error_of(const std::string& yaml) {
  try {
    (void)airan::io::parse_slot_scenario(yaml, "s.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(YamlIntegers, ReadAsYaml12) {
  const auto slot = [](const std::string& text) {
    return airan::io::parse_slot_scenario(scenario(text), "s.yaml").slot_number;
  };
  EXPECT_EQ(slot("010"), 10U);
  EXPECT_EQ(slot("09"), 9U);
  EXPECT_EQ(slot("0x0c"), 12U);
  EXPECT_EQ(slot("0o17"), 15U);
  EXPECT_EQ(slot("+3"), 3U);
  for (const char* bad : {"0x", "0o8", "1_0", "'-1'", "1.0", "0b1"}) {
    EXPECT_NE(error_of(scenario(bad)).find("is not a non-negative integer"), std::string::npos)
        << bad << ": " << error_of(scenario(bad));
  }
  // A signed key reads the same way.
  const auto fronthaul =
      airan::io::parse_fronthaul_config("fronthaul: {epoch_ns: 010}\n", "f.yaml");
  ASSERT_TRUE(fronthaul.epoch_ns.has_value());
  EXPECT_EQ(*fronthaul.epoch_ns, 10);
}

TEST(YamlDuplicateKeys, AreRefusedWithTheirPath) {
  EXPECT_NE(error_of(scenario("1", ", mcs_index: 4, mcs_index: 27"))
                .find("s.yaml: pusch[0]: duplicate key 'mcs_index'"),
            std::string::npos)
      << error_of(scenario("1", ", mcs_index: 4, mcs_index: 27"));
  EXPECT_NE(error_of(scenario("1") + "pusch:\n  - {bwp_size: 24, prb_size: 4}\n")
                .find("s.yaml: top level: duplicate key 'pusch'"),
            std::string::npos);
  try {
    (void)airan::io::parse_fronthaul_config("fronthaul: {compression: none, compression: bfp9}\n",
                                            "f.yaml");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("f.yaml: fronthaul: duplicate key 'compression'"),
              std::string::npos)
        << e.what();
  }
}

// Aliases make the tree a graph: `&x [*x]` is a cycle and nested aliases expand exponentially
// ("billion laughs"); walking the tree for duplicate keys never ended. Every reader refuses them
// where they are; an anchor alone is harmless.
TEST(YamlAliases, AreRefusedByEveryReader) {
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int copy = 1; copy < 8; ++copy) {
      laughs += ", ";
      laughs += prev;
    }
    laughs += "]\n";
  }
  for (const std::string& yaml :
       {std::string("a: &x [*x]\n"), laughs, scenario("1") + "extra: &e 1\nmore: *e\n"}) {
    const std::string scenario_error = error_of(yaml);
    EXPECT_NE(scenario_error.find("aliases (*name) are not supported"), std::string::npos)
        << scenario_error;
    try {
      (void)airan::io::parse_fronthaul_config(yaml, "f.yaml");
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("f.yaml: not valid YAML"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_NE(error_of("a: &x [*x]\n").find("line"), std::string::npos) << error_of("a: &x [*x]\n");
  EXPECT_EQ(airan::io::parse_slot_scenario(scenario("&s 3"), "s.yaml").slot_number, 3U);
  // A stray ',' (a fuzzer's find): yaml-cpp's event parser reports documents without end, so the
  // alias check reads the first document only, the one YAML::Load reads.
  EXPECT_NE(error_of(","), "accepted");
  EXPECT_NE(error_of(scenario("1") + ","), "accepted");
}

TEST(YamlFronthaulEpoch, LiesIn0To2Pow62) {
  for (const char* epoch : {"-1", "-9223372036854775808", "4611686018427387905"}) {
    EXPECT_THROW(airan::io::parse_fronthaul_config(
                     std::string("fronthaul: {epoch_ns: ") + epoch + "}\n", "f.yaml"),
                 ConfigError)
        << epoch;
  }
  EXPECT_EQ(
      *airan::io::parse_fronthaul_config("fronthaul: {epoch_ns: 4611686018427387904}\n", "f.yaml")
           .epoch_ns,
      std::int64_t{1} << 62);
}

// The fronthaul's reader takes its section of a scenario or a launch pattern: a misspelled
// section is an error (ru-emulator, cplane, l1 and testmac ran on the defaults), the other
// files' sections are not its business.
TEST(YamlFronthaulSections, AMisspelledSectionIsAnError) {
  try {
    (void)airan::io::parse_fronthaul_config("fronthual: {compression: none}\n", "f.yaml");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("f.yaml: top level: unknown key 'fronthual'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW((void)airan::io::parse_fronthaul_config(
      "cell: {num_prbs: 24}\npusch: []\nues: []\nharq: {}\nfronthaul: {compression: none}\n",
      "f.yaml"));
}

} // namespace
