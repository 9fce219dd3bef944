/// \file
/// \brief DPDK Environment Abstraction Layer set-up from airan's configuration: the core list,
/// memory (`--no-huge` / `--in-memory`), PCI devices to use and virtual devices (`net_pcap` for
/// capture replay, `net_af_packet` for a kernel interface such as one end of a veth pair).
///
/// rte_eal_init() may run once per process; DpdkEal::initialize() does it on first use and
/// checks that later callers ask for the same set-up. DPDK headers stay out of this header.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::io {

/// Error raised by the DPDK layer; the message names the call that failed and DPDK's reason.
class DpdkError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What the EAL is started with (the `dpdk:` section of a fronthaul configuration).
struct DpdkEalConfig {
  std::string core_list = "0";        ///< `-l`: lcores, e.g. "0" or "2-3".
  bool no_huge = true;                ///< `--no-huge`: malloc'd memory (CI, containers, replay).
  bool in_memory = false;             ///< `--in-memory` (needs hugepages; exclusive with no_huge).
  unsigned memory_mb = 256;           ///< `-m`: memory to reserve in MiB (0: DPDK's default).
  bool no_pci = true;                 ///< `--no-pci`: virtual devices only.
  std::vector<std::string> pci_allow; ///< `-a` PCI addresses (turns no_pci off).
  std::vector<std::string> vdevs;     ///< `--vdev` arguments, e.g. "net_pcap0,rx_pcap=in.pcap".
  /// `--file-prefix`: runtime files of this process; two DPDK processes on one machine need
  /// different prefixes. Empty: "airan-<pid>". With no_huge, `--no-shconf` is added as well.
  std::string file_prefix;
  std::string log_level = "error";     ///< `--log-level`.
  std::vector<std::string> extra_args; ///< Appended verbatim.

  /// Empty when valid, otherwise what is wrong.
  [[nodiscard]] std::string validate() const;
};

/// The argv that rte_eal_init() receives for \p config (program name first).
/// \throws DpdkError when the configuration is invalid.
std::vector<std::string> dpdk_eal_arguments(const DpdkEalConfig& config);

/// The process's EAL.
class DpdkEal {
public:
  /// Starts the EAL with \p config on the first call and returns it; a later call with a
  /// different configuration throws (the EAL cannot be restarted in one process).
  /// \throws DpdkError when rte_eal_init() fails or the configuration differs.
  static DpdkEal& initialize(const DpdkEalConfig& config);

  /// The running EAL. \throws DpdkError when initialize() has not succeeded.
  static DpdkEal& instance();

  /// True once initialize() has succeeded in this process.
  static bool initialized();

  [[nodiscard]] const DpdkEalConfig& config() const { return config_; }
  [[nodiscard]] const std::vector<std::string>& arguments() const { return arguments_; }

  /// Ethernet ports DPDK probed (PCI devices and vdevs).
  [[nodiscard]] unsigned num_ports() const;

  /// DPDK's version string ("DPDK 22.11.x").
  [[nodiscard]] static std::string version();

private:
  explicit DpdkEal(const DpdkEalConfig& config);
  DpdkEalConfig config_;
  std::vector<std::string> arguments_;
};

} // namespace airan::io
