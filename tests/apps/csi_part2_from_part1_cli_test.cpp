// A scenario whose CSI part 2 is sized from CSI part 1 (`uci.csi_part2_from_part1`) runs only
// through FAPI (airan testmac / airan l1): `airan tx`, `gen`, `eval` and `replay` refuse it as a
// configuration error (exit status 2) that names the key, and take the same scenario with an
// explicit csi_part2_bits.
#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace airan::test {
namespace {

/// A one-PUSCH scenario in \p dir; \p uci its `uci:` block.
std::string write_csi_part2_cli_scenario(const std::filesystem::path& dir, const std::string& name,
                                         const std::string& uci) {
  const auto path = (dir / name).string();
  std::ofstream(path) << R"(
cell: {num_prbs: 24, numerology: 1, n_cell_id: 3}
num_rx_antennas: 2
pusch:
  - {rnti: 0x4601, bwp_size: 24, prb_size: 24, mcs_index: 10, dmrs_additional_position: 1,
     uci: )" << uci << "}\n";
  return path;
}

TEST(CsiPart2FromPart1Cli, CommandsOutsideFapiRefuseIt) {
  const auto dir = scratch_dir("csi_part2_cli");
  const std::string sized = write_csi_part2_cli_scenario(
      dir, "sized.yaml",
      "{csi_part1_bits: 8, csi_part2_from_part1: [{fields: [[0, 2]], part2_bits: [12, 24, 18, "
      "30]}]}");
  const auto pcap = (dir / "empty.pcap").string();
  std::ofstream(pcap) << "";
  for (const std::string& args :
       {"tx --config " + sized + " -o " + (dir / "tx").string(),
        "gen --config " + sized + " --slots 1 -o " + (dir / "v.h5").string(),
        "eval --config " + sized + " --snr 10", "replay " + pcap + " --config " + sized}) {
    const RunResult result = run_airan(args);
    EXPECT_EQ(result.status, 2) << args << '\n' << result.output;
    EXPECT_NE(result.output.find("pusch[0].uci.csi_part2_from_part1"), std::string::npos)
        << args << '\n'
        << result.output;
    EXPECT_NE(result.output.find("runs only through FAPI: airan testmac / airan l1"),
              std::string::npos)
        << args << '\n'
        << result.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "v.h5"));

  // The same PUSCH with an explicit CSI part 2 size runs.
  const std::string explicit_size =
      write_csi_part2_cli_scenario(dir, "explicit.yaml", "{csi_part1_bits: 8, csi_part2_bits: 24}");
  const RunResult tx = run_airan("tx --config " + explicit_size + " -o " + (dir / "tx2").string());
  EXPECT_EQ(tx.status, 0) << tx.output;
}

} // namespace
} // namespace airan::test
