#include "airan/io/dpdk_eal.h"

#include "dpdk_interrupt_thread_gate.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

namespace airan::io {
namespace {

std::mutex eal_mutex;
std::unique_ptr<DpdkEal> eal_instance;

/// At exit: every port stopped and closed (drivers release what they opened at probe, e.g.
/// net_pcap's capture handles), then the EAL's own resources.
void cleanup_at_exit() {
  const std::function<void()> close_ports = [] {
    std::uint16_t port = 0;
    RTE_ETH_FOREACH_DEV(port) {
      rte_eth_dev_stop(port);
      rte_eth_dev_close(port);
    }
  };
  // With memif ports, on the EAL interrupt thread, which then stays parked for good (also for
  // a memif device no DpdkPort opened: closing a server leaves a dangling interrupt source).
  std::uint16_t port = 0;
  RTE_ETH_FOREACH_DEV(port) {
    if (is_net_memif(port)) {
      try {
        DpdkInterruptThreadGate::instance();
      } catch (const DpdkError&) {
        // no gate: the ports are closed here, as without memif
      }
      break;
    }
  }
  if (!DpdkInterruptThreadGate::finish_if_created(close_ports)) {
    close_ports();
  }
  // The EAL leaves its runtime directory (/var/run/dpdk/<file prefix>) behind, empty: removed
  // when it is (a prefix another process still uses keeps its files, and its directory).
  const std::string runtime_directory = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  std::error_code ignored;
  std::filesystem::remove(runtime_directory, ignored); // an empty directory only
}

bool same_config(const DpdkEalConfig& a, const DpdkEalConfig& b) {
  return a.core_list == b.core_list && a.no_huge == b.no_huge && a.in_memory == b.in_memory &&
         a.memory_mb == b.memory_mb && a.no_pci == b.no_pci && a.pci_allow == b.pci_allow &&
         a.vdevs == b.vdevs && a.file_prefix == b.file_prefix && a.log_level == b.log_level &&
         a.extra_args == b.extra_args;
}

} // namespace

DpdkEal::DpdkEal(const DpdkEalConfig& config)
    : config_(config), arguments_(dpdk_eal_arguments(config)) {
  std::vector<char*> argv;
  argv.reserve(arguments_.size() + 1);
  // rte_eal_init() may permute argv; it gets copies it owns for the process's lifetime.
  static std::vector<std::string> storage;
  storage = arguments_;
  for (auto& arg : storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(storage.size()), argv.data()) < 0) {
    throw DpdkError("rte_eal_init failed: " + std::string(rte_strerror(rte_errno)));
  }
}

DpdkEal& DpdkEal::initialize(const DpdkEalConfig& config) {
  const std::lock_guard lock(eal_mutex);
  if (eal_instance) {
    if (!same_config(eal_instance->config(), config)) {
      throw DpdkError("the DPDK EAL is already running with another configuration (it can be "
                      "started once per process)");
    }
    return *eal_instance;
  }
  eal_instance.reset(new DpdkEal(config));
  std::atexit(cleanup_at_exit);
  return *eal_instance;
}

DpdkEal& DpdkEal::instance() {
  const std::lock_guard lock(eal_mutex);
  if (!eal_instance) {
    throw DpdkError("the DPDK EAL is not running");
  }
  return *eal_instance;
}

bool DpdkEal::initialized() {
  const std::lock_guard lock(eal_mutex);
  return eal_instance != nullptr;
}

unsigned DpdkEal::num_ports() const {
  return rte_eth_dev_count_avail();
}

std::string DpdkEal::version() {
  return rte_version();
}

} // namespace airan::io
