/// \file
/// \brief `airan l1`'s PHY on a thread of its own.
#pragma once

#include "airan/io/fapi_transport.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/iq_source.h"

#include <sched.h>

#include <thread>

namespace airan::cli {

/// The PHY on a thread of its own, stopped and joined when destroyed (also on an exception).
/// The thread runs on every CPU the process had before the EAL pinned its main thread (and the
/// threads started after) to the DPDK lcore.
struct PhyRunner {
  PhyRunner(io::FapiTransport& transport, l1::IqSource& samples, const l1::FapiPhyConfig& config)
      : phy(transport, samples, config), thread([this] {
          ::sched_setaffinity(0, sizeof(all_cpus()), &all_cpus());
          phy.run();
        }) {}
  ~PhyRunner() { stop(); }
  PhyRunner(const PhyRunner&) = delete;
  PhyRunner& operator=(const PhyRunner&) = delete;
  /// Asks the PHY to stop and joins its thread (once).
  void stop() {
    phy.request_stop();
    if (thread.joinable()) {
      thread.join();
    }
  }
  /// The CPUs of the process when first asked (before the EAL starts).
  static const cpu_set_t& all_cpus() {
    static const cpu_set_t cpus = [] {
      cpu_set_t set;
      CPU_ZERO(&set);
      ::sched_getaffinity(0, sizeof(set), &set);
      return set;
    }();
    return cpus;
  }

  l1::FapiPhy phy;
  std::thread thread;
};

} // namespace airan::cli
