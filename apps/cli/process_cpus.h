/// \file
/// \brief The CPUs of the process before the DPDK EAL pins its main thread.
#pragma once

#include <sched.h>

namespace airan::cli {

/// The CPUs the process may run on, as they were when first asked: ask before the EAL starts. The
/// EAL pins the calling thread to its main lcore, and threads started after inherit that one CPU;
/// a helper thread that should not take turns with a spinning lcore sets these back
/// (sched_setaffinity(0, sizeof(cpu_set_t), &process_cpus())).
inline const cpu_set_t& process_cpus() {
  static const cpu_set_t cpus = [] {
    cpu_set_t set;
    CPU_ZERO(&set);
    ::sched_getaffinity(0, sizeof(set), &set);
    return set;
  }();
  return cpus;
}

} // namespace airan::cli
