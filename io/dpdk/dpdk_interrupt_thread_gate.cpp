#include "dpdk_interrupt_thread_gate.h"

#include "airan/io/dpdk_eal.h"

#include <rte_ethdev.h>
#include <rte_interrupts.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace airan::io {
namespace {

std::mutex creation_mutex;
DpdkInterruptThreadGate* created_gate = nullptr;

} // namespace

bool is_net_memif(std::uint16_t port) {
  rte_eth_dev_info info{};
  return rte_eth_dev_info_get(port, &info) == 0 && info.driver_name != nullptr &&
         std::string_view(info.driver_name) == "net_memif";
}

DpdkInterruptThreadGate& DpdkInterruptThreadGate::instance() {
  const std::lock_guard lock(creation_mutex);
  if (created_gate == nullptr) {
    created_gate = new DpdkInterruptThreadGate(); // never deleted: threads may use it at exit
  }
  return *created_gate;
}

bool DpdkInterruptThreadGate::finish_if_created(const std::function<void()>& last_step) {
  DpdkInterruptThreadGate* gate = nullptr;
  {
    const std::lock_guard lock(creation_mutex);
    gate = created_gate;
  }
  if (gate == nullptr) {
    return false;
  }
  gate->run_step(last_step, true);
  return true;
}

DpdkInterruptThreadGate::DpdkInterruptThreadGate() {
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) {
    throw DpdkError("eventfd for the EAL interrupt thread's gate failed: " +
                    std::string(std::strerror(errno)));
  }
  handle_ = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
  if (handle_ == nullptr || rte_intr_fd_set(handle_, event_fd_) != 0 ||
      rte_intr_type_set(handle_, RTE_INTR_HANDLE_EXT) != 0 ||
      rte_intr_callback_register(handle_, &DpdkInterruptThreadGate::on_interrupt_thread, this) !=
          0) {
    rte_intr_instance_free(handle_);
    ::close(event_fd_);
    throw DpdkError("the EAL interrupt thread's gate could not register its callback");
  }
}

void DpdkInterruptThreadGate::ask_for_period(std::chrono::microseconds period) {
  const std::lock_guard lock(mutex_);
  if (period_.count() == 0 || period < period_) {
    period_ = period;
  }
}

void DpdkInterruptThreadGate::enter() {
  if (rte_thread_is_intr()) {
    inside_.fetch_add(1); // the thread itself (an EAL callback): not parked, not in a turn
    return;
  }
  if (!entered_since_turn_.load(std::memory_order_relaxed)) {
    entered_since_turn_.store(true, std::memory_order_relaxed);
  }
  inside_.fetch_add(1);
  if (open_.load()) {
    return;
  }
  leave(); // closed: out again, and wait for it to open
  enter_waiting();
}

void DpdkInterruptThreadGate::enter_waiting() {
  std::unique_lock lock(mutex_);
  ++waiting_; // no idle release while a burst waits (a starved one may miss several turns)
  for (;;) {
    if (!hold_wanted_ && !finished_) {
      hold_wanted_ = true;
      arm();
    }
    parked_changed_.wait(lock, [&] { return open_.load() || !hold_wanted_; });
    inside_.fetch_add(1);
    if (open_.load()) {
      --waiting_;
      return;
    }
    lock.unlock(); // a turn began in between
    leave();
    lock.lock();
  }
}

void DpdkInterruptThreadGate::leave() {
  if (inside_.fetch_sub(1) == 1 && !open_.load()) {
    const std::lock_guard lock(mutex_); // the turn waits under it: no lost wake-up
    wake_.notify_all();
  }
}

void DpdkInterruptThreadGate::run_on_interrupt_thread(const std::function<void()>& step) {
  run_step(step, false);
}

void DpdkInterruptThreadGate::run_step(const std::function<void()>& step, bool last) {
  std::unique_lock lock(mutex_);
  if (rte_thread_is_intr()) { // from an EAL callback: this is the thread, and it is not parked
    if (last) {
      finished_ = true; // no later step is queued for it
      open_.store(true);
      parked_changed_.notify_all();
    }
    lock.unlock();
    step();
    return;
  }
  parked_changed_.wait(lock, [&] { return step_ == nullptr || finished_; });
  if (finished_) {
    lock.unlock();
    step();
    return;
  }
  finishing_ = last;
  step_ = &step;
  step_done_ = false;
  step_error_ = nullptr;
  arm();              // a free thread comes to the callback
  wake_.notify_all(); // a parked one takes its turn now
  parked_changed_.wait(lock, [&] { return step_done_; });
  const std::exception_ptr error = step_error_;
  step_ = nullptr;
  parked_changed_.notify_all();
  lock.unlock();
  if (error) {
    std::rethrow_exception(error);
  }
}

void DpdkInterruptThreadGate::on_interrupt_thread(void* gate) {
  static_cast<DpdkInterruptThreadGate*>(gate)->park();
}

void DpdkInterruptThreadGate::park() {
  // The EAL polls the descriptor level-triggered: the callback stays due until it is read.
  std::uint64_t count = 0;
  if (::read(event_fd_, &count, sizeof(count)) < 0 && errno != EAGAIN) {
    return; // cannot happen on an eventfd; the next arm() makes the callback due again
  }
  std::unique_lock lock(mutex_);
  const auto step_waiting = [&] { return step_ != nullptr && !step_done_; };
  if (finished_ || (!hold_wanted_ && !step_waiting())) {
    return;
  }
  const auto period = period_.count() > 0 ? period_ : std::chrono::microseconds(1000);
  bool timed_turn = false;
  if (!step_waiting()) {
    open_.store(true);
    parked_changed_.notify_all();
    timed_turn = !wake_.wait_for(lock, period, step_waiting);
  }
  // The turn: bursts that come now wait; the ones in progress finish first.
  open_.store(false);
  wake_.wait(lock, [&] { return inside_.load() == 0; });
  if (step_waiting()) {
    lock.unlock();
    try {
      (*step_)();
    } catch (...) {
      step_error_ = std::current_exception();
    }
    lock.lock();
    step_done_ = true;
    if (finishing_) {
      // Parked for good: bursts go through, the EAL never gets this thread back.
      finished_ = true;
      open_.store(true);
      parked_changed_.notify_all();
      wake_.wait(lock, [] { return false; });
    }
  } else if (timed_turn) {
    idle_turns_ =
        entered_since_turn_.exchange(false, std::memory_order_relaxed) ? 0 : idle_turns_ + 1;
    // Ten periods, and at least 10 ms, without a burst: the thread runs freely until the next.
    const auto idle_limit =
        std::max<std::int64_t>(10, 10'000 / std::max<std::int64_t>(1, period.count()));
    if (idle_turns_ >= idle_limit && waiting_ == 0) {
      hold_wanted_ = false;
      idle_turns_ = 0;
    }
  }
  parked_changed_.notify_all();
  if (hold_wanted_ || step_waiting()) {
    arm(); // back here once the events pending now are handled
  }
}

void DpdkInterruptThreadGate::arm() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(event_fd_, &one, sizeof(one));
}

} // namespace airan::io
