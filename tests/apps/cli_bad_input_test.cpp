// Bad input to the CLI is refused up front with exit status 2 and a message naming it: an empty
// output path (before the run, not after it), a usage error CLI11 finds (its own statuses were
// 105 .. 114), options that do not apply to the input (they were ignored, even when invalid), a
// C-plane capture with no request for the carrier (an empty capture came out), and a capture
// replayed against a damaged vector (it exited 1, as if the receiver had missed TBs).
#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace cli_bad_input_test {

namespace fs = std::filesystem;
using airan::test::run_airan;
using airan::test::scratch_dir;

const std::string scenario =
    (airan::test::repo_root() / "configs/pusch_20mhz_1layer_16qam.yaml").string();
const std::string committed_vector =
    (airan::test::repo_root() / "testvectors/vectors/tdl-c300_20mhz_2ue_1x2.h5").string();

void expect_refused(const std::string& args, const std::string& fragment) {
  const auto result = run_airan(args);
  EXPECT_EQ(result.status, 2) << args << "\n" << result.output;
  EXPECT_NE(result.output.find(fragment), std::string::npos) << args << "\n" << result.output;
}

TEST(CliBadInput, AnEmptyOutputPathFailsBeforeTheRun) {
  expect_refused("gen --config " + scenario + " -o '' --slots 2 --no-iq", "output path '': empty");
  expect_refused("cplane --vector " + committed_vector + " --pcap ''", "output path '': empty");
}

TEST(CliBadInput, UsageErrorsExitTwo) {
  expect_refused("gen --config " + scenario + " -o x.h5 --slots -1", "--slots");
  expect_refused("gen --config " + scenario + " -o x.h5 --no-such-option", "--no-such-option");
  expect_refused("gen -o x.h5", "--config is required");
  EXPECT_EQ(run_airan("--help").status, 0);
  EXPECT_EQ(run_airan("gen --help").status, 0);
}

TEST(CliBadInput, OptionsThatDoNotApplyAreRefused) {
  for (const char* option : {"--comp bfp9", "--ingest-only", "--mode 7.2x", "--slots 3"}) {
    expect_refused("replay " + committed_vector + " " + option,
                   "applies to a capture or a DPDK port, not an HDF5 vector");
  }
  const std::string pattern = (airan::test::repo_root() / "configs/patterns/pucch.yaml").string();
  expect_refused("testmac --pattern " + pattern + " --slots 2 --quiet --comp bfp0",
                 "--comp needs --fronthaul");
}

TEST(CliBadInput, ACplaneCaptureWithoutRequestsIsRefused) {
  const fs::path dir = scratch_dir("cli_bad_cplane");
  const fs::path cplane = dir / "c.pcap";
  ASSERT_EQ(run_airan("cplane --vector " + committed_vector + " --pcap " + cplane.string()).status,
            0);
  fs::resize_file(cplane, 24); // the pcap header alone
  const fs::path out = dir / "u.pcap";
  expect_refused("ru-emulator --vector " + committed_vector + " --cplane " + cplane.string() +
                     " --pcap " + out.string(),
                 "no uplink C-plane request for this carrier");
  EXPECT_FALSE(fs::exists(out));
}

TEST(CliBadInput, ACaptureReplayedAgainstADamagedVectorExitsTwo) {
  const fs::path dir = scratch_dir("cli_bad_vector");
  const fs::path vector = dir / "v.h5";
  ASSERT_EQ(run_airan("gen --config " + scenario + " -o " + vector.string() +
                      " --slots 2 --reference-receiver none")
                .status,
            0);
  const fs::path capture = dir / "u.pcap";
  ASSERT_EQ(
      run_airan("ru-emulator --vector " + vector.string() + " --pcap " + capture.string()).status,
      0);
  std::vector<char> bytes;
  {
    std::ifstream in(vector, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string name = "rnti";
  const auto at = std::search(bytes.begin(), bytes.end(), name.begin(), name.end());
  ASSERT_NE(at, bytes.end());
  *(at - 2) = static_cast<char>(*(at - 2) ^ 0x77); // an attribute header: its checksum fails
  const fs::path damaged = dir / "damaged.h5";
  std::ofstream(damaged, std::ios::binary).write(bytes.data(), std::ssize(bytes));
  const auto result = run_airan("replay " + capture.string() + " --vector " + damaged.string() +
                                " --config " + scenario + " --no-dpdk");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("of the vector's slots failed (a damaged vector)"),
            std::string::npos)
      << result.output;
}

} // namespace cli_bad_input_test
