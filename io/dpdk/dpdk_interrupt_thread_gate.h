/// \file
/// \brief Keeps DPDK's EAL interrupt thread out of the way of a net_memif port's bursts.
///
/// DPDK 22.11's memif PMD runs its control channel on the EAL interrupt thread: when the peer
/// leaves, that thread unmaps the shared memory the port's rings and buffers live in, while a
/// burst on another thread may still be reading it (a SIGSEGV in rte_eth_rx_burst). The gate
/// parks the interrupt thread in a callback of its own while bursts run. It lets the thread go
/// for a turn every period, once the bursts in progress are done (new ones wait for it to park
/// again), and for good when no burst has come for ten periods (at least 10 ms), so that
/// connections, disconnections, alarms and other PMDs' events are still handled, at most a
/// period late while bursts run.
///
/// A parked thread holds the batch of events it was woken with: a descriptor closed and reused
/// meanwhile would have a stale event handed to its new owner. So what opens or closes a
/// device's descriptors (start, stop, close) runs on the interrupt thread itself, in the gate's
/// callback, with no burst in progress, one such step per batch of events (a stop and a start
/// go in two), as DPDK runs the PMD's own connections and disconnections.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>

struct rte_intr_handle;

namespace airan::io {

/// Whether DPDK port \p port is a net_memif device (whose PMD the gate below is for).
[[nodiscard]] bool is_net_memif(std::uint16_t port);

class DpdkInterruptThreadGate {
public:
  /// The process's gate, created on first use (needs a running EAL).
  /// \throws DpdkError when its event descriptor or its EAL callback cannot be set up.
  static DpdkInterruptThreadGate& instance();
  /// At the EAL's clean-up: runs \p last_step (closing the ports) on the interrupt thread and
  /// keeps that thread parked for good, so that it never reads a source a closed memif server
  /// left behind (DPDK 22.11 frees the listening socket's handle without unregistering it);
  /// bursts no longer wait. Returns false, without running the step, when no gate was created.
  static bool finish_if_created(const std::function<void()>& last_step);

  /// Makes turns at most \p period apart (the shortest period a port asked for).
  void ask_for_period(std::chrono::microseconds period);
  /// Waits until the interrupt thread is parked (no turn begun), then counts the caller in (at
  /// once on the interrupt thread itself, which is then neither parked nor in a turn). Not while
  /// the caller is already in: it would wait for a turn that waits for it.
  void enter();
  /// Counts the caller out; the last one out lets a waiting turn begin.
  void leave();
  /// Runs \p step on the interrupt thread once no burst is in progress (new ones wait) and
  /// returns when it has; rethrows what it threw. Steps run one at a time. On the interrupt
  /// thread itself, and once finished, they run at once on the caller's thread (after the
  /// finish, no longer one at a time).
  void run_on_interrupt_thread(const std::function<void()>& step);

  DpdkInterruptThreadGate(const DpdkInterruptThreadGate&) = delete;
  DpdkInterruptThreadGate& operator=(const DpdkInterruptThreadGate&) = delete;

private:
  DpdkInterruptThreadGate();
  ~DpdkInterruptThreadGate() = default; // lives as long as the process (never destroyed)
  static void on_interrupt_thread(void* gate);
  void park();
  void arm();           ///< Makes the callback due on the interrupt thread.
  void enter_waiting(); ///< enter() when the gate is not open.
  /// run_on_interrupt_thread(); \p last: the thread then stays parked for good. Which step is
  /// the last is set with the step itself (another caller's step may be waiting before it).
  void run_step(const std::function<void()>& step, bool last);

  // The bursts' path, lock-free: a burst counts itself in and goes through while the gate is
  // open; a turn closes the gate, then waits for the count to drop to zero (both sequentially
  // consistent, so that one of the two sees the other). Each on a cache line of its own.
  alignas(64) std::atomic<unsigned> inside_{0};
  alignas(64) std::atomic<bool> open_{false}; ///< Parked, no turn begun (or finished).
  alignas(64) std::atomic<bool> entered_since_turn_{false};

  alignas(64) mutable std::mutex mutex_;
  std::condition_variable parked_changed_; ///< Waited on by enter() and the steps' callers.
  std::condition_variable wake_;           ///< Waited on by the parked interrupt thread.
  int event_fd_ = -1;
  rte_intr_handle* handle_ = nullptr;
  std::chrono::microseconds period_{0}; ///< 0: none asked for yet (1 ms then).
  unsigned idle_turns_ = 0;             ///< Turns in a row with no burst (interrupt thread only).
  unsigned waiting_ = 0;                ///< Bursts waiting in enter_waiting().
  bool hold_wanted_ = false;
  bool finishing_ = false; ///< The step waiting or running is the last one.
  bool finished_ = false;  ///< The last step ran: the thread stays parked for good.
  const std::function<void()>* step_ = nullptr; ///< The step waiting or running, if any.
  bool step_done_ = false;
  std::exception_ptr step_error_;
};

/// Holds \p gate (when not null) for its lifetime.
class DpdkInterruptThreadPass {
public:
  explicit DpdkInterruptThreadPass(DpdkInterruptThreadGate* gate) : gate_(gate) {
    if (gate_ != nullptr) {
      gate_->enter();
    }
  }
  ~DpdkInterruptThreadPass() {
    if (gate_ != nullptr) {
      gate_->leave();
    }
  }
  DpdkInterruptThreadPass(const DpdkInterruptThreadPass&) = delete;
  DpdkInterruptThreadPass& operator=(const DpdkInterruptThreadPass&) = delete;

private:
  DpdkInterruptThreadGate* gate_;
};

} // namespace airan::io
