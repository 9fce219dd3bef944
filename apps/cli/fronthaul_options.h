/// \file
/// \brief Command-line options shared by `airan ru-emulator` and `airan replay` for the
/// fronthaul: the scenario's `fronthaul:` / `dpdk:` sections, overridden by --mode, --comp and
/// the DPDK device options.
#pragma once

#include "airan/io/dpdk_config.h"
#include "airan/io/fronthaul_config.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace airan::cli {

/// Fronthaul options as typed.
struct FronthaulOptions {
  std::string config;             ///< Scenario YAML with optional fronthaul/dpdk sections.
  std::string mode;               ///< 7.2x | time-domain (empty: the config's).
  std::string compression;        ///< none | bfp1 .. bfp16 (empty: the config's).
  std::vector<std::string> vdevs; ///< DPDK --vdev arguments.
  std::vector<std::string> pci;   ///< DPDK PCI devices.
  std::vector<std::string> dpdk;  ///< --dpdk: PCI addresses or vdev arguments, told apart.
  std::string device;             ///< DPDK port device name.
  std::string file_prefix;        ///< DPDK --file-prefix.

  /// True when a DPDK device was given (--dpdk, --vdev or --pci).
  [[nodiscard]] bool has_dpdk_device() const {
    return !dpdk.empty() || !vdevs.empty() || !pci.empty();
  }
};

/// Registers --mode, --comp, --dpdk, --vdev, --pci, --device, --file-prefix (not --config).
void add_fronthaul_options(CLI::App& app, FronthaulOptions& options);

/// The fronthaul configuration: the scenario's section with the overrides applied.
/// \throws io::ConfigError for a bad config file or option value.
io::FronthaulConfig resolve_fronthaul_config(const FronthaulOptions& options);

/// The DPDK configuration: the scenario's section with the device options applied.
/// \throws io::ConfigError.
io::DpdkConfig resolve_dpdk_config(const FronthaulOptions& options);

/// "7.2x"/"frequency_domain" or "time-domain"/"time_domain". \throws io::ConfigError.
io::FronthaulIngestMode parse_ingest_mode(const std::string& text);

/// "none" (16-bit) or "bfpN" (N = 1 .. 16). \throws io::ConfigError.
io::IqCompression parse_compression(const std::string& text);

} // namespace airan::cli
