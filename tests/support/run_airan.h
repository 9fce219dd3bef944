/// \file
/// \brief Runs the `airan` binary from a test the way a user does: output and exit status.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace airan::test {

/// Exit status (-1 when killed) and combined stdout + stderr of one run.
struct RunResult {
  int status = -1;
  std::string output;
};

/// The exit status scripts/test gives the sanitizers (ASAN_OPTIONS exitcode): apart from the 1
/// that a refused input gets, which is what they use by default.
constexpr int sanitizer_exit_status = 86;

/// Fails the calling test when a child process's \p run shows a sanitizer report (AddressSanitizer,
/// LeakSanitizer at exit, UndefinedBehaviorSanitizer) in its output or exit status: under the
/// sanitizers an error path's overflow or leak would otherwise pass a test that expects the
/// process to fail.
inline void expect_no_sanitizer_report(const RunResult& run, const std::string& what) {
  for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "UndefinedBehaviorSanitizer", ": runtime error: "}) {
    if (run.output.find(report) != std::string::npos) {
      ADD_FAILURE() << what << ": a sanitizer report (" << report << "):\n" << run.output;
      return;
    }
  }
  if (run.status == sanitizer_exit_status) {
    ADD_FAILURE() << what << ": exit status " << sanitizer_exit_status << " (the sanitizers'):\n"
                  << run.output;
  }
}

/// Runs `build/bin/airan ARGS` through the shell (a sanitizer report fails the calling test).
inline RunResult run_airan(const std::string& args) {
  const std::string command = std::string(AIRAN_BIN_DIR) + "/airan " + args + " 2>&1";
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
    result.output += buffer.data();
  }
  const int raw = pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  expect_no_sanitizer_report(result, "airan " + args);
  return result;
}

/// The last non-empty line of \p text.
inline std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of('\n');
  if (end == std::string::npos) {
    return {};
  }
  const auto begin = text.rfind('\n', end);
  return text.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin + 1) + 1);
}

/// The repository root (two levels above the committed conformance vectors).
inline std::filesystem::path repo_root() {
  return std::filesystem::path(AIRAN_TESTVECTOR_DIR).parent_path().parent_path();
}

/// Scratch directories made by this process.
inline std::vector<std::filesystem::path>& scratch_dirs() {
  static std::vector<std::filesystem::path> dirs;
  return dirs;
}

/// An empty scratch directory unique to this process and \p name, removed when the process
/// exits (kept when AIRAN_KEEP_SCRATCH is set, to look at after a failure).
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("airan_cli_test_" + std::to_string(getpid()) + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  if (scratch_dirs().empty() && std::getenv("AIRAN_KEEP_SCRATCH") == nullptr) {
    std::atexit([] {
      for (const auto& path : scratch_dirs()) {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    });
  }
  scratch_dirs().push_back(dir);
  return dir;
}

} // namespace airan::test
