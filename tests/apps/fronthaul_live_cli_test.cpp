// Live fronthaul on the same machine: a veth pair inside a network namespace that the test
// creates, `airan ru-emulator` sending a vector's U-plane on one end through DPDK's
// net_af_packet PMD with slot timing, `airan replay` receiving on the other end through DPDK and
// decoding. Needs CAP_NET_ADMIN (ip netns); skipped without it.
#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace airan::test {
namespace {

int shell(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

/// A network namespace with a veth pair (va <-> vb), both ends up; removed on destruction.
class VethNamespace {
public:
  VethNamespace() : name_("airan-fh-" + std::to_string(::getpid())) {
    ok_ = shell("ip netns add " + name_) == 0 &&
          shell(exec("ip link add va type veth peer name vb")) == 0 &&
          shell(exec("ip link set va up")) == 0 && shell(exec("ip link set vb up")) == 0 &&
          shell(exec("ip link set lo up")) == 0;
  }
  ~VethNamespace() { shell("ip netns del " + name_); }
  VethNamespace(const VethNamespace&) = delete;
  VethNamespace& operator=(const VethNamespace&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }
  /// \p command run inside the namespace.
  [[nodiscard]] std::string exec(const std::string& command) const {
    return "ip netns exec " + name_ + " " + command;
  }

private:
  std::string name_;
  bool ok_ = false;
};

/// Runs \p command and collects its output.
RunResult run_command(const std::string& command) {
  RunResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char chunk[4096];
  while (std::fgets(chunk, sizeof(chunk), pipe) != nullptr) {
    result.output += chunk;
  }
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  expect_no_sanitizer_report(result, command);
  return result;
}

TEST(FronthaulLive, EmulatorToReceiverOverVethThroughDpdkAfPacket) {
  VethNamespace ns;
  if (!ns.ok()) {
    GTEST_SKIP() << "cannot create a network namespace with a veth pair (needs CAP_NET_ADMIN)";
  }
  const auto dir = scratch_dir("fh_live");
  const auto base_config = repo_root() / "configs/pusch_20mhz_1layer_16qam.yaml";
  const auto vector = (dir / "v.h5").string();
  const auto gen =
      run_airan("gen --config " + base_config.string() +
                " --channel TDL-C300 --doppler 100 --snr 22 --slots 12 --seed 9 -o " + vector);
  ASSERT_EQ(gen.status, 0) << gen.output;
  // The emulator stretches the slot timeline 20x so that the CPU receiver keeps up on a loaded
  // machine; the receiver's deadline is set well past that (slots leave when complete).
  const auto config = dir / "live.yaml";
  {
    std::ifstream in(base_config);
    std::ofstream out(config);
    out << in.rdbuf() << "\nfronthaul:\n  compression: bfp9\n  slot_deadline_ns: 1000000000\n"
        << "  max_slots_in_flight: 8\n";
  }
  const std::string bin = std::string(AIRAN_BIN_DIR) + "/airan";
  const std::string receiver_command =
      ns.exec(bin + " replay --config " + config.string() + " --vector " + vector +
              " --vdev net_af_packet0,iface=vb --file-prefix fhrx" + std::to_string(::getpid()) +
              " --slots 12 --timeout 60 2>&1");
  FILE* receiver = ::popen(receiver_command.c_str(), "r");
  ASSERT_NE(receiver, nullptr);
  // Wait until the receiver's port is up before the emulator sends anything.
  std::string output;
  char chunk[4096];
  while (output.find("receiving on DPDK port") == std::string::npos &&
         std::fgets(chunk, sizeof(chunk), receiver) != nullptr) {
    output += chunk;
  }
  ASSERT_NE(output.find("receiving on DPDK port"), std::string::npos) << output;
  const auto emulate =
      run_command(ns.exec(bin + " ru-emulator --vector " + vector + " --config " + config.string() +
                          " --dpdk net_af_packet0,iface=va --file-prefix fhtx" +
                          std::to_string(::getpid()) + " --time-scale 20 2>&1"));
  EXPECT_EQ(emulate.status, 0) << emulate.output;
  EXPECT_NE(emulate.output.find("symbol burst(s) left more than 20 us after their time"),
            std::string::npos)
      << emulate.output;
  while (std::fgets(chunk, sizeof(chunk), receiver) != nullptr) {
    output += chunk;
  }
  const int status = ::pclose(receiver);
  expect_no_sanitizer_report({WIFEXITED(status) ? WEXITSTATUS(status) : -1, output}, "receiver");
  EXPECT_EQ(status, 0) << output << "\nemulator:\n" << emulate.output;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(output, match,
                                std::regex(R"((\d+)/(\d+) expected-good undamaged TBs decoded)")))
      << output;
  EXPECT_EQ(match[1], match[2]) << output;
  EXPECT_EQ(std::stoi(match[2]), 24) << output; // 12 slots x 2 UEs at 22 dB
  EXPECT_NE(output.find("12 slot(s) (0 partial)"), std::string::npos) << output;
}

} // namespace
} // namespace airan::test
