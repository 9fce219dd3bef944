/// \file
/// \brief The process-wide DPDK EAL of a test program whose ports are net_pcap vdevs over
/// captures it writes first (the EAL starts once per process, so every vdev is declared up
/// front): a scratch folder of the process's own, the EAL's start-up error kept for the tests to
/// report, the folder removed at the end.
#pragma once

#include "airan/io/dpdk_eal.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace airan::test {

class DpdkPcapEnvironment : public ::testing::Environment {
public:
  /// Writes the captures into the folder it is given and returns the EAL's vdev arguments
  /// ("net_pcap0,rx_pcap=...").
  using CaptureWriter = std::function<std::vector<std::string>(const std::filesystem::path&)>;

  /// \p name makes the scratch folder's name (with the process id).
  DpdkPcapEnvironment(const std::string& name, CaptureWriter write_captures)
      : dir_(std::filesystem::temp_directory_path() /
             ("airan_" + name + "_" + std::to_string(::getpid()))),
        write_captures_(std::move(write_captures)) {}

  void SetUp() override {
    std::filesystem::create_directories(dir_);
    io::DpdkEalConfig config;
    try {
      config.vdevs = write_captures_(dir_);
      io::DpdkEal::initialize(config);
    } catch (const std::exception& error) {
      eal_error_ = error.what();
    }
  }

  /// The captures go with the process (each test case is a process of its own under ctest; the
  /// PMDs' open files stay valid once unlinked).
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  /// Empty when the EAL started.
  [[nodiscard]] const std::string& eal_error() const { return eal_error_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

private:
  std::filesystem::path dir_;
  CaptureWriter write_captures_;
  std::string eal_error_;
};

/// Registers \p environment with GoogleTest (which owns it) and returns it.
inline DpdkPcapEnvironment& add_dpdk_pcap_environment(DpdkPcapEnvironment* environment) {
  ::testing::AddGlobalTestEnvironment(environment);
  return *environment;
}

} // namespace airan::test
