// The conformance case reader (apps/conformance/pusch_case.cpp): a committed reference case
// parses; a transform-precoded one (Sionna's PUSCHConfig.transform_precoding) is refused with the
// key named, never read as CP-OFDM.
#include "airan/apps/pusch_case.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace {

std::string committed_case_text() {
  const std::filesystem::path path =
      std::filesystem::path(AIRAN_TESTVECTOR_DIR) / "pusch" / "case_000" / "config.json";
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(PuschCase, TransformPrecodedReferencesAreRefused) {
  const std::string text = committed_case_text();
  ASSERT_FALSE(text.empty());
  const airan::apps::PuschCase parsed = airan::apps::parse_pusch_case(text);
  EXPECT_FALSE(parsed.pusch.transform_precoding);

  nlohmann::json json = nlohmann::json::parse(text);
  json["pusch"]["transform_precoding"] = false; // stated off: still CP-OFDM
  EXPECT_FALSE(airan::apps::parse_pusch_case(json.dump()).pusch.transform_precoding);
  json["pusch"]["transform_precoding"] = true;
  try {
    (void)airan::apps::parse_pusch_case(json.dump());
    ADD_FAILURE() << "a transform-precoded case was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("transform_precoding"), std::string::npos) << e.what();
  }
}

} // namespace
