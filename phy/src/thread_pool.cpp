#include "airan/phy/thread_pool.h"

#include <exception>
#include <stdexcept>

namespace airan::phy {
namespace {

/// The pools whose items this thread is running (or whose job it called), innermost first: a
/// thread may run an item of one pool that calls parallel_for() on another.
struct ActivePool {
  const ThreadPool* pool;
  const ActivePool* outer;
};
thread_local const ActivePool* active_pools = nullptr;

/// Runs with the calling thread's chain set to another thread's (a worker adopting its job
/// caller's) and restores the thread's own afterwards.
class AdoptedChain {
public:
  explicit AdoptedChain(const void* chain) : saved_(active_pools) {
    active_pools = static_cast<const ActivePool*>(chain);
  }
  ~AdoptedChain() { active_pools = saved_; }
  AdoptedChain(const AdoptedChain&) = delete;
  AdoptedChain& operator=(const AdoptedChain&) = delete;

private:
  const ActivePool* saved_;
};

/// Marks the current thread as working for \p pool while it lives.
class ActivePoolScope {
public:
  explicit ActivePoolScope(const ThreadPool* pool) : frame_{pool, active_pools} {
    active_pools = &frame_;
  }
  ~ActivePoolScope() { active_pools = frame_.outer; }
  ActivePoolScope(const ActivePoolScope&) = delete;
  ActivePoolScope& operator=(const ActivePoolScope&) = delete;

private:
  ActivePool frame_;
};

bool works_for(const ThreadPool* pool) {
  for (const ActivePool* frame = active_pools; frame != nullptr; frame = frame->outer) {
    if (frame->pool == pool) {
      return true;
    }
  }
  return false;
}

} // namespace

ThreadPool::ThreadPool(unsigned num_workers) {
  workers_.reserve(num_workers);
  try {
    for (unsigned i = 0; i < num_workers; ++i) {
      workers_.emplace_back([this, lane = i + 1] { worker_loop(lane); });
    }
  } catch (...) {
    // A thread the system would not create: the ones started are stopped and joined before the
    // error leaves (members destroyed under waiting workers would hang or terminate).
    stop_workers();
    throw;
  }
}

ThreadPool::~ThreadPool() {
  stop_workers();
}

void ThreadPool::stop_workers() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& worker : workers_) {
    worker.join();
  }
}

void ThreadPool::run_items(unsigned lane, std::uint64_t generation) {
  std::unique_lock lock(mutex_);
  while (job_ != nullptr && generation_ == generation && next_item_ < num_items_) {
    const std::size_t item = next_item_++;
    const ItemFunction& fn = *job_;
    lock.unlock();
    std::exception_ptr error;
    try {
      fn(item, lane);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !first_error_) {
      first_error_ = error;
    }
    if (++items_done_ == num_items_) {
      work_done_.notify_all();
    }
  }
}

void ThreadPool::worker_loop(unsigned lane) {
  std::uint64_t seen_generation = 0;
  const void* chain = nullptr;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen_generation; });
      if (stopping_) {
        return;
      }
      seen_generation = generation_;
      chain = job_chain_;
    }
    const AdoptedChain adopted(chain); // the job's caller's pools, this one first
    run_items(lane, seen_generation);
  }
}

void ThreadPool::parallel_for(std::size_t num_items, const ItemFunction& fn) {
  if (num_items == 0) {
    return;
  }
  if (works_for(this)) {
    throw std::logic_error("ThreadPool: parallel_for() from an item of the same pool's job (it "
                           "would wait for itself)");
  }
  const ActivePoolScope scope(this);
  std::uint64_t generation = 0;
  {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return job_ == nullptr; }); // another thread's job first
    job_ = &fn;
    num_items_ = num_items;
    next_item_ = 0;
    items_done_ = 0;
    first_error_ = nullptr;
    job_chain_ = active_pools; // this pool (scope above), then what the caller works for
    generation = ++generation_;
  }
  work_ready_.notify_all();
  run_items(0, generation);
  std::unique_lock lock(mutex_);
  work_done_.wait(lock, [&] { return items_done_ == num_items_; });
  job_ = nullptr;
  job_chain_ = nullptr;
  const std::exception_ptr error = first_error_;
  lock.unlock();
  idle_.notify_all(); // every waiting caller re-checks; one claims the pool
  if (error) {
    std::rethrow_exception(error);
  }
}

} // namespace airan::phy
