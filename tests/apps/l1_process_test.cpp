// The L1 as a process of its own: `airan l1` serving `airan testmac --l1` over UDP or shared
// memory, the slots' samples over a DPDK net_memif link between the two processes (the O-RU end
// in the test MAC's process), and the refusals of both commands.
#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <regex>
#include <string>

namespace airan::test {
namespace {

const std::string bin = std::string(AIRAN_BIN_DIR) + "/airan";

std::string pattern_path(const std::string& name) {
  return (repo_root() / "configs/patterns" / (name + ".yaml")).string();
}

/// `airan l1` in the background: started, its first line read, its output collected at the end.
class L1Process {
public:
  explicit L1Process(const std::string& args) {
    pipe_ = ::popen((bin + " l1 " + args + " 2>&1").c_str(), "r");
    if (pipe_ == nullptr) {
      return;
    }
    char chunk[4096];
    while (output_.find("serving the MAC on") == std::string::npos &&
           std::fgets(chunk, sizeof(chunk), pipe_) != nullptr) {
      output_ += chunk;
    }
  }
  ~L1Process() { finish(); }
  L1Process(const L1Process&) = delete;
  L1Process& operator=(const L1Process&) = delete;

  /// Where it serves ("udp:127.0.0.1:PORT", "shm:NAME"), empty when it did not start.
  [[nodiscard]] std::string endpoint() const {
    std::smatch match;
    return std::regex_search(output_, match, std::regex(R"(serving the MAC on (\S+))"))
               ? match[1].str()
               : std::string{};
  }
  /// Waits for the process to end; its exit status and whole output.
  RunResult finish() {
    if (pipe_ != nullptr) {
      char chunk[4096];
      while (std::fgets(chunk, sizeof(chunk), pipe_) != nullptr) {
        output_ += chunk;
      }
      const int raw = ::pclose(pipe_);
      pipe_ = nullptr;
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    }
    return {status_, output_};
  }

private:
  FILE* pipe_ = nullptr;
  std::string output_;
  int status_ = -1;
};

/// A memif link's two DPDK devices and file prefixes, unique to this process and \p tag.
struct MemifLink {
  explicit MemifLink(const std::string& tag) {
    const std::string id = std::to_string(::getpid()) + tag;
    const std::string socket = (scratch_dir("memif" + tag) / "fh.sock").string();
    l1 = "--dpdk net_memif0,role=server,socket=" + socket + " --file-prefix l1" + id;
    mac = "--dpdk net_memif0,role=client,socket=" + socket + " --file-prefix mac" + id;
  }
  std::string l1;
  std::string mac;
};

/// The L1's link summary: every slot whole. The MAC sends 42 slots (40 and the 2 it answers
/// while waiting for the last indications); the last one, which the L1 never needed, can be lost
/// (whole, or part of it, dropped at STOP) when the MAC's process exits, and memif's shared
/// rings with it, before the L1 read it.
void expect_whole_slots(const std::string& served, const std::string& mac) {
  const std::regex whole("malformed 0, missing units [0-9]+; slots to the L1 4[12] \\(partial "
                         "0, refused 0, flushed after a quiet link 0, dropped at STOP [01]\\)");
  EXPECT_TRUE(std::regex_search(served, whole)) << served << "\nMAC:\n" << mac;
}

TEST(L1Process, ServesTheTestMacOverUdpWith72xSamplesOnAMemifLink) {
  const MemifLink link("udp");
  const std::string pattern = pattern_path("four_ue_harq");
  L1Process l1("--config " + pattern + " --mode 7.2x --comp bfp9 " + link.l1 +
               " --bind 127.0.0.1:0 --exit-on-stop");
  const std::string endpoint = l1.endpoint();
  ASSERT_TRUE(endpoint.starts_with("udp:127.0.0.1:")) << l1.finish().output;
  const RunResult mac = run_airan("testmac --pattern " + pattern +
                                  " --slots 40 --quiet --fronthaul 7.2x --comp bfp9 --l1 " +
                                  endpoint + " " + link.mac);
  const RunResult served = l1.finish();
  EXPECT_EQ(mac.status, 0) << mac.output << "\nL1:\n" << served.output;
  EXPECT_NE(mac.output.find("TBs delivered 140, lost 0"), std::string::npos) << mac.output;
  EXPECT_NE(mac.output.find("L1: in another process"), std::string::npos) << mac.output;
  EXPECT_NE(mac.output.find("dropped by the link 0"), std::string::npos) << mac.output;
  EXPECT_EQ(served.status, 0) << served.output;
  // The L1's own account: every PDU decoded there, every slot whole off the link.
  EXPECT_NE(served.output.find("PDUs decoded 160, CRC ok 140, CRC failed 20"), std::string::npos)
      << served.output;
  expect_whole_slots(served.output, mac.output);
  EXPECT_NE(served.output.find("sessions 1"), std::string::npos) << served.output;
}

TEST(L1Process, ServesTheTestMacOverSharedMemoryWithTimeDomainSamplesAndPrach) {
  const MemifLink link("shm");
  const std::string pattern = pattern_path("prach");
  const std::string segment = "/airan_l1_test_" + std::to_string(::getpid());
  L1Process l1("--config " + pattern + " --mode time-domain --comp bfp14 " + link.l1 +
               " --transport shm --shm " + segment + " --exit-on-stop");
  ASSERT_EQ(l1.endpoint(), "shm:" + segment) << l1.finish().output;
  const RunResult mac = run_airan("testmac --pattern " + pattern +
                                  " --slots 40 --quiet --fronthaul time-domain --comp bfp14 "
                                  "--l1 shm:" +
                                  segment + " " + link.mac);
  const RunResult served = l1.finish();
  EXPECT_EQ(mac.status, 0) << mac.output << "\nL1:\n" << served.output;
  std::smatch match;
  const std::regex preambles("preambles sent ([0-9]+), detected ([0-9]+), missed 0");
  ASSERT_TRUE(std::regex_search(mac.output, match, preambles)) << mac.output;
  EXPECT_EQ(match[1], match[2]) << mac.output;
  EXPECT_GT(std::stoi(match[1]), 0) << mac.output;
  EXPECT_EQ(served.status, 0) << served.output;
  expect_whole_slots(served.output, mac.output);
}

TEST(L1Process, RefusesAMacWhoseCarrierIsNotTheFronthauls) {
  const MemifLink link("cfg");
  // The L1 is set up for four_ue_harq's 2 receive antennas; this pattern has 4.
  L1Process l1("--config " + pattern_path("four_ue_harq") + " --mode 7.2x " + link.l1 +
               " --exit-on-stop");
  const std::string endpoint = l1.endpoint();
  ASSERT_FALSE(endpoint.empty()) << l1.finish().output;
  const RunResult mac =
      run_airan("testmac --pattern " + pattern_path("cdl_cross_polarized") +
                " --slots 4 --quiet --fronthaul 7.2x --l1 " + endpoint + " " + link.mac);
  EXPECT_EQ(mac.status, 2) << mac.output;
  EXPECT_NE(mac.output.find("the L1 refused the cell: MSG_INVALID_CONFIG"), std::string::npos)
      << mac.output;
  // The L1 is still there for the right MAC; SIGTERM ends it with its summary.
  // (The pattern matches the airan process, not the shell popen started it from.)
  const std::string stop =
      "pkill -TERM -f '^" + bin + " l1 .*--file-prefix l1" + std::to_string(::getpid()) + "cfg'";
  EXPECT_EQ(std::system(stop.c_str()), 0);
  const RunResult served = l1.finish();
  EXPECT_EQ(served.status, 0) << served.output;
  EXPECT_NE(served.output.find("CONFIGs refused 1"), std::string::npos) << served.output;
  EXPECT_NE(served.output.find("sessions 0"), std::string::npos) << served.output;
}

TEST(L1Process, CommandLineRefusals) {
  const std::string pattern = pattern_path("four_ue_harq");
  const RunResult no_port = run_airan("l1 --config " + pattern + " --mode 7.2x");
  EXPECT_EQ(no_port.status, 2) << no_port.output;
  EXPECT_NE(no_port.output.find("give its DPDK port"), std::string::npos) << no_port.output;
  const RunResult no_cell =
      run_airan("l1 --config " + (repo_root() / "README.md").string() + " --dpdk net_null0");
  EXPECT_EQ(no_cell.status, 2) << no_cell.output;
  const RunResult bad_address =
      run_airan("testmac --pattern " + pattern + " --fronthaul 7.2x --l1 tcp:1.2.3.4 --dpdk x");
  EXPECT_EQ(bad_address.status, 2) << bad_address.output;
  EXPECT_NE(bad_address.output.find("expected udp:ADDRESS:PORT"), std::string::npos)
      << bad_address.output;
  const RunResult no_link =
      run_airan("testmac --pattern " + pattern + " --fronthaul 7.2x --l1 udp:127.0.0.1:9");
  EXPECT_EQ(no_link.status, 2) << no_link.output;
  EXPECT_NE(no_link.output.find("needs the fronthaul link's DPDK port"), std::string::npos)
      << no_link.output;
  const RunResult cplane = run_airan("testmac --pattern " + pattern +
                                     " --fronthaul 7.2x --cplane --l1 udp:127.0.0.1:9 "
                                     "--dpdk net_null0");
  EXPECT_EQ(cplane.status, 2) << cplane.output;
  EXPECT_NE(cplane.output.find("C-plane to an L1 in another process"), std::string::npos)
      << cplane.output;
}

} // namespace
} // namespace airan::test
