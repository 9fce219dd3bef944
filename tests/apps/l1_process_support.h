/// \file
/// \brief The two processes of the L1 process tests: `airan l1` in the background (L1Process)
/// and a net_memif link's two DPDK devices (MemifLink), for `airan testmac --l1` beside it.
#pragma once

#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

namespace airan::test {

inline const std::string airan_binary = std::string(AIRAN_BIN_DIR) + "/airan";

inline std::string pattern_path(const std::string& name) {
  return (repo_root() / "configs/patterns" / (name + ".yaml")).string();
}

/// Reads \p pipe (unbuffered) into \p output until \p text appears (true), or the writer ends
/// or \p timeout passes (false).
inline bool read_until(FILE* pipe, std::string& output, const std::string& text,
                       std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  char chunk[4096];
  while (pipe != nullptr && output.find(text) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    pollfd ready{::fileno(pipe), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&ready, 1, static_cast<int>(left.count())) <= 0) {
      return false;
    }
    const ssize_t got = ::read(::fileno(pipe), chunk, sizeof(chunk));
    if (got <= 0) {
      return false;
    }
    output.append(chunk, static_cast<std::size_t>(got));
  }
  return output.find(text) != std::string::npos;
}

/// `airan l1` in the background: started, its output read as asked and collected at the end.
class L1Process {
public:
  /// \p prefix: its DPDK --file-prefix, which names it for finish()'s SIGTERM.
  L1Process(const std::string& args, std::string prefix) : prefix_(std::move(prefix)) {
    pipe_ = ::popen((airan_binary + " l1 " + args + " 2>&1").c_str(), "r");
    wait_for("serving the MAC on");
  }
  ~L1Process() { finish(); }
  L1Process(const L1Process&) = delete;
  L1Process& operator=(const L1Process&) = delete;

  /// Reads its output until \p text appears (true), or the process ends or 60 s pass (false).
  bool wait_for(const std::string& text) {
    return read_until(pipe_, output_, text, std::chrono::seconds(60));
  }
  /// Where it serves ("udp:127.0.0.1:PORT", "shm:NAME"), empty when it did not start.
  [[nodiscard]] std::string endpoint() const {
    std::smatch match;
    return std::regex_search(output_, match, std::regex(R"(serving the MAC on (\S+))"))
               ? match[1].str()
               : std::string{};
  }
  /// Ends the process (SIGTERM, as a user's Ctrl-C would) and returns its exit status and its
  /// whole output.
  RunResult finish() {
    if (pipe_ != nullptr) {
      // The pattern matches the airan process, not the shell popen started it from.
      const std::string stop = "pkill -TERM -f '^" + airan_binary + " l1 .*" + prefix_ + "'";
      [[maybe_unused]] const int ignored = std::system(stop.c_str()); // it may have ended
      char chunk[4096];
      for (ssize_t got = 0; (got = ::read(::fileno(pipe_), chunk, sizeof(chunk))) > 0;) {
        output_.append(chunk, static_cast<std::size_t>(got));
      }
      const int raw = ::pclose(pipe_);
      pipe_ = nullptr;
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
      expect_no_sanitizer_report({status_, output_}, "airan l1");
    }
    return {status_, output_};
  }

private:
  std::string prefix_;
  FILE* pipe_ = nullptr;
  std::string output_;
  int status_ = -1;
};

/// A memif link's two DPDK devices and file prefixes, unique to this process and \p tag.
struct MemifLink {
  explicit MemifLink(const std::string& tag)
      : l1_prefix("l1" + std::to_string(::getpid()) + tag),
        mac_prefix("mac" + std::to_string(::getpid()) + tag) {
    const std::string socket = (scratch_dir("memif" + tag) / "fh.sock").string();
    l1 = "--dpdk net_memif0,role=server,socket=" + socket + " --file-prefix " + l1_prefix;
    mac = "--dpdk net_memif0,role=client,socket=" + socket + " --file-prefix " + mac_prefix;
  }
  std::string l1_prefix;  ///< The L1's DPDK --file-prefix, unique to it.
  std::string mac_prefix; ///< The MAC's.
  std::string l1;
  std::string mac;
};

/// Sends \p signal to the airan process whose command is \p command and whose arguments hold
/// \p prefix (the pattern matches it, not the shell popen started it from).
inline void signal_airan(const std::string& signal, const std::string& command,
                         const std::string& prefix) {
  const std::string line =
      "pkill -" + signal + " -f '^" + airan_binary + " " + command + " .*" + prefix + "'";
  EXPECT_EQ(std::system(line.c_str()), 0) << line;
}

} // namespace airan::test
