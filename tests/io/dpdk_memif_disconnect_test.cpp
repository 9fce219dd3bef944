// A net_memif link whose peer process dies while this end receives: DPDK's memif PMD unmaps the
// peer's shared memory on the EAL interrupt thread when the peer leaves, under a burst that may
// still be reading it. DpdkPort holds that thread while a memif port's bursts run, so the
// receiving end survives its peer being killed mid-stream, again and again, and receives from
// each new peer. The peer is this program run again (AIRAN_MEMIF_PEER_SOCKET set): a memif
// client that floods frames until it is killed. The EAL runs once per process, so the server's
// vdev is declared up front by the environment below.
#include "airan/io/dpdk_eal.h"
#include "airan/io/dpdk_port.h"

#include "../support/dpdk_pcap_environment.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

extern char** environ;

namespace airan::io {
namespace {

constexpr const char* peer_variable = "AIRAN_MEMIF_PEER_SOCKET";
constexpr std::size_t flood_frame_bytes = 8000;

/// In the peer process: a memif client on the socket that sends full bursts of large frames
/// whenever its link is up, until it is killed. Never returns.
[[noreturn]] void run_flooding_peer(const std::string& socket) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL); // no orphan flooding forever if the test dies
  if (::getppid() == 1) {
    std::_Exit(4);
  }
  try {
    DpdkEalConfig eal;
    eal.vdevs = {"net_memif0,role=client,id=0,socket=" + socket};
    DpdkEal::initialize(eal);
    DpdkPortConfig config;
    config.device = "net_memif0";
    DpdkPort port(config);
    const std::vector<std::uint8_t> frame(flood_frame_bytes, 0x5A);
    for (;;) {
      if (!port.link_up()) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        continue;
      }
      for (unsigned i = 0; i < config.burst_size; ++i) {
        port.transmit(frame);
      }
      port.flush_transmit();
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "memif peer: %s\n", error.what());
    std::_Exit(3);
  }
}

/// In the peer process the flood starts here, before main() (and the server's EAL) would.
[[maybe_unused]] const bool peer_mode = [] {
  if (const char* socket = std::getenv(peer_variable); socket != nullptr) {
    run_flooding_peer(socket);
  }
  return false;
}();

std::filesystem::path socket_in(const std::filesystem::path& dir) {
  return dir / "link.sock";
}

auto& memif_environment =
    airan::test::add_dpdk_pcap_environment(new airan::test::DpdkPcapEnvironment(
        "dpdk_memif_disconnect_test", [](const std::filesystem::path& dir) {
          return std::vector<std::string>{"net_memif0,role=server,id=0,socket=" +
                                          socket_in(dir).string()};
        }));

/// This program again, as the flooding peer on \p socket; returns its process id (-1: failed).
pid_t spawn_peer(const std::filesystem::path& socket) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    environment.emplace_back(*entry);
  }
  environment.push_back(std::string(peer_variable) + "=" + socket.string());
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (auto& entry : environment) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  std::string program = std::filesystem::read_symlink("/proc/self/exe").string();
  char* argv[] = {program.data(), nullptr};
  pid_t pid = -1;
  return ::posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv, envp.data()) == 0 ? pid : -1;
}

class CountingSink : public DpdkFrameSink {
public:
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t /*arrival_ns*/) override {
    frames.fetch_add(1, std::memory_order_relaxed);
    if (frame.size() != flood_frame_bytes) {
      wrong_length.fetch_add(1, std::memory_order_relaxed);
    }
  }
  std::atomic<std::uint64_t> frames{0};
  std::atomic<std::uint64_t> wrong_length{0};
};

/// Waits up to \p limit for \p done.
template <class Done> bool wait_for(Done done, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return false;
}

TEST(DpdkMemifLink, ReceiverSurvivesItsPeerKilledMidStreamAndReceivesFromEachNewPeer) {
  if (!memif_environment.eal_error().empty()) {
    FAIL() << "EAL did not start: " << memif_environment.eal_error();
  }
  DpdkPortConfig config;
  config.device = "net_memif0";
  DpdkPort server(config);
  CountingSink sink;
  std::atomic<bool> stop{false};
  std::thread receiver([&] {
    while (!stop.load()) {
      server.receive_burst(sink);
    }
  });
  struct JoinAtScopeEnd { // a failed ASSERT returns early: the receiver is joined, not left
    std::atomic<bool>& stop;
    std::thread& thread;
    ~JoinAtScopeEnd() {
      stop.store(true);
      thread.join();
    }
  } const join_receiver{stop, receiver};
  constexpr unsigned peers = 12;
  unsigned served = 0;
  for (unsigned round = 0; round < peers; ++round) {
    const pid_t peer = spawn_peer(socket_in(memif_environment.dir()));
    ASSERT_GT(peer, 0) << "could not start the peer";
    const std::uint64_t before = sink.frames.load();
    // Killed once it streams: the server is mid-burst when its PMD hears of the disconnection.
    const bool streamed =
        wait_for([&] { return sink.frames.load() >= before + 2000; }, std::chrono::seconds(30));
    ::kill(peer, SIGKILL);
    int status = 0;
    ::waitpid(peer, &status, 0);
    if (!streamed) {
      ADD_FAILURE() << "peer " << round << " sent nothing (exit status " << status << ")";
      break;
    }
    ++served;
    ASSERT_TRUE(wait_for([&] { return !server.link_up(); }, std::chrono::seconds(10)))
        << "the server did not notice its peer's death";
  }
  EXPECT_EQ(served, peers);
  EXPECT_EQ(sink.wrong_length.load(), 0U);
}

} // namespace
} // namespace airan::io
