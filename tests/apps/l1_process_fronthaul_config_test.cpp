// `airan testmac --fronthaul-config` against `airan l1 --config` with the same file: the
// emulated O-RU end frames its U-plane, and reads the L1's C-plane, with the link the L1's
// config describes (eAxC field widths and ids, VLAN tag, MAC addresses, compression), not with
// the defaults, which this L1 would not take.
#include "l1_process_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

namespace airan::test {
namespace {

TEST(L1ProcessFronthaulConfig, TheOruEndUsesTheLinkTheL1sConfigDescribes) {
  const MemifLink link("fhconfig");
  const std::string pattern = pattern_path("four_ue_harq");
  const auto config = scratch_dir("fhconfig") / "link.yaml";
  {
    std::ofstream out(config);
    out << std::ifstream(pattern).rdbuf() << R"(
fronthaul:
  compression: bfp12
  eaxc_layout: [2, 6, 4, 4]
  du_port: 2
  band_sector: 37
  cc: 5
  ru_mac: "02:11:22:33:44:55"
  du_mac: "02:66:77:88:99:aa"
  vlan: {id: 300, pcp: 6}
)";
  }
  L1Process l1("--config " + config.string() + " --mode 7.2x --cplane " + link.l1 +
                   " --bind 127.0.0.1:0",
               link.l1_prefix);
  const std::string endpoint = l1.endpoint();
  ASSERT_TRUE(endpoint.starts_with("udp:127.0.0.1:")) << l1.finish().output;
  const RunResult mac = run_airan("testmac --pattern " + pattern +
                                  " --slots 20 --quiet --fronthaul 7.2x --cplane "
                                  "--fronthaul-config " +
                                  config.string() + " --l1 " + endpoint + " " + link.mac);
  EXPECT_EQ(mac.status, 0) << mac.output;
  EXPECT_NE(mac.output.find("TBs delivered 70, lost 0"), std::string::npos) << mac.output;
  // The L1's C-plane (its eAxC ids, VLAN and MACs) taken by the O-RU end, every section served.
  EXPECT_NE(mac.output.find("(ignored 0, slots without 0)"), std::string::npos) << mac.output;
  ASSERT_TRUE(l1.wait_for("session 1 ended")) << l1.finish().output;
  const RunResult served = l1.finish();
  // Every U-plane frame the O-RU end sent was the L1's carrier's, at BFP 12: each slot whole.
  const std::regex whole("malformed 0, missing units 0; slots to the L1 2[0-2] \\(partial 0, "
                         "refused 0");
  EXPECT_TRUE(std::regex_search(served.output, whole)) << served.output;
  EXPECT_NE(served.output.find("PDUs decoded 80"), std::string::npos) << served.output;
}

TEST(L1ProcessFronthaulConfig, TestmacRefusesAFronthaulConfigWithoutAFronthaul) {
  const RunResult refused = run_airan("testmac --pattern " + pattern_path("four_ue_harq") +
                                      " --fronthaul-config " + pattern_path("four_ue_harq"));
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("--fronthaul-config needs --fronthaul"), std::string::npos)
      << refused.output;
}

} // namespace
} // namespace airan::test
