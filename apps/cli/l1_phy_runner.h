/// \file
/// \brief `airan l1`'s PHY on a thread of its own.
#pragma once

#include "airan/io/fapi_transport.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/iq_source.h"
#include "process_cpus.h"

#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace airan::cli {

/// The PHY on a thread of its own, stopped and joined when destroyed (also on an exception).
/// The thread runs on every CPU the process had before the EAL pinned its main thread (and the
/// threads started after) to the DPDK lcore.
struct PhyRunner {
  PhyRunner(io::FapiTransport& transport, l1::IqSource& samples, const l1::FapiPhyConfig& config)
      : phy(transport, samples, config), thread([this] {
          ::sched_setaffinity(0, sizeof(cpu_set_t), &process_cpus());
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
  l1::FapiPhy phy;
  std::thread thread;
};

/// The end of a session handed from the PHY's thread (FapiPhyConfig::on_session_stopped) to the
/// receive loop, which resets the fronthaul's slot count: the PHY's thread waits (2 s at most)
/// until the loop has, so that a START right behind the STOP, in the same poll even, begins on a
/// fresh count and with no C-plane of the old session left in the queue.
class SessionEndHandshake {
public:
  /// The PHY's thread: a session ended; returns once the loop handled it (or 2 s passed).
  void session_stopped() {
    std::unique_lock lock(mutex_);
    pending_.store(true, std::memory_order_release);
    handled_.wait_for(lock, std::chrono::seconds(2),
                      [&] { return !pending_.load(std::memory_order_acquire); });
  }
  /// The loop: a session ended and waits for handled().
  [[nodiscard]] bool pending() const { return pending_.load(std::memory_order_acquire); }
  /// The loop: done with the session's end; the PHY's thread goes on.
  void handled() {
    {
      const std::lock_guard lock(mutex_);
      pending_.store(false, std::memory_order_release);
    }
    handled_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable handled_;
  std::atomic<bool> pending_{false};
};

} // namespace airan::cli
