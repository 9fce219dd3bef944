/// \file
/// \brief A fixed set of worker threads that runs index-parallel jobs (one slot's PDUs, code
/// blocks, simulation slots). The caller takes part in the work, so a pool of N workers runs
/// N + 1 tasks at once and a pool of 0 workers runs everything on the caller's thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace airan::phy {

/// Fixed-size thread pool for blocking parallel-for jobs. One job at a time per pool: a call from
/// another thread while a job runs waits for it to finish; a call from inside an item of the
/// pool's own job (which would wait for itself), directly or through other pools' jobs on any of
/// their threads, throws. Not detected: two independent callers whose jobs call into each
/// other's pools (thread 1's job on P calls Q while thread 2's job on Q calls P) wait forever.
class ThreadPool {
public:
  /// Work function: (item index, lane). The lane (0 .. num_lanes() - 1) identifies the thread,
  /// so callers can keep one non-thread-safe object (a decoder, say) per lane.
  using ItemFunction = std::function<void(std::size_t item, unsigned lane)>;

  /// \param num_workers Threads besides the caller (0: everything runs on the caller's thread).
  explicit ThreadPool(unsigned num_workers);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Threads that run items: the workers plus the caller.
  [[nodiscard]] unsigned num_lanes() const { return static_cast<unsigned>(workers_.size()) + 1; }

  /// Runs \p fn for every item 0 .. num_items - 1 and returns when all are done. Items are
  /// handed out dynamically. The first exception thrown by an item is rethrown here after the
  /// other items finished.
  /// \throws std::logic_error when called from an item of this pool's running job (nested).
  void parallel_for(std::size_t num_items, const ItemFunction& fn);

private:
  void worker_loop(unsigned lane);
  /// Wakes every worker to stop and joins them.
  void stop_workers();
  /// Runs items of job \p generation until none is left or another job replaced it.
  void run_items(unsigned lane, std::uint64_t generation);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::condition_variable idle_; ///< Signalled when a job ends (for waiting callers).
  const ItemFunction* job_ = nullptr;
  std::size_t num_items_ = 0;
  std::size_t next_item_ = 0;
  std::size_t items_done_ = 0;
  std::uint64_t generation_ = 0;
  /// The caller's chain of pools it works for (this pool first), which workers adopt while they
  /// run the job's items, so that an item calling back into a pool up the chain is caught on
  /// whichever thread it runs (an opaque pointer to the caller's stack frame, alive while the
  /// job runs).
  const void* job_chain_ = nullptr;
  bool stopping_ = false;
  std::exception_ptr first_error_;
};

} // namespace airan::phy
