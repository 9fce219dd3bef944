// Intra-slot frequency hopping through the fronthaul path: a vector of the bundled hopping
// scenario (configs/pusch_frequency_hopping.yaml: two UEs swapping band edges, one mini-slot
// hopping) -> RU emulator pcap -> slot assembler -> receiver decodes every TB the vector expects,
// with each hop's PRBs checked as received.
#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace airan::test {
namespace {

TEST(FronthaulReplayHopping, EmulatorCaptureOfHoppingUesDecodes) {
  const auto dir = scratch_dir("fh_hopping");
  const std::string config = (repo_root() / "configs/pusch_frequency_hopping.yaml").string();
  const std::string vector = (dir / "hopping.h5").string();
  const std::string pcap = (dir / "uplane.pcap").string();
  const auto gen = run_airan("gen --config " + config +
                             " --channel TDL-A30 --snr 25 --slots 4 --seed 9 -o " + vector);
  ASSERT_EQ(gen.status, 0) << gen.output;
  const auto emulate = run_airan("ru-emulator --vector " + vector + " --pcap " + pcap);
  ASSERT_EQ(emulate.status, 0) << emulate.output;
  const auto replay =
      run_airan("replay -q " + pcap + " --config " + config + " --vector " + vector + " --no-dpdk");
  EXPECT_EQ(replay.status, 0) << replay.output;
  const std::regex pattern(R"((\d+)/(\d+) expected-good undamaged TBs decoded)");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(replay.output, match, pattern)) << replay.output;
  EXPECT_EQ(std::stoi(match[2]), 12) << replay.output; // 3 UEs x 4 slots, none damaged
  EXPECT_EQ(std::stoi(match[1]), 12) << replay.output;
}

} // namespace
} // namespace airan::test
