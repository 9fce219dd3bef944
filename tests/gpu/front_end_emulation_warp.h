// Test support for the host emulations of the GPU front end's kernels: a warp of 32 lanes on 32
// host threads, for the per-lane code that shares values across the warp (the Gold sequence's
// warp jump, gold_warp_elements.h; the descrambling transpose, descramble_elements.h). Each lane
// runs the kernel's per-thread function with its own state; the cross-lane operations
// (__reduce_xor_sync, __shfl_sync on the device) meet at a barrier where every lane gives its
// value and takes the 32 lanes' values. A lane that leaves while the others wait at a barrier
// (a reduction not every lane reaches: on the device a hang or undefined behaviour) makes the
// run fail instead of hanging. The threads stay up between runs (starting 32 threads took longer
// than a warp's work). CUDA-free.
#pragma once

#include "gold_warp_elements.h"

#include <array>
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace emulation_test {

/// The lanes of one warp on host threads: run() runs a lane function on all of them, the lanes
/// exchanging values through their Lane.
class EmulatedWarp {
public:
  static constexpr unsigned lanes = airan::gpu::detail::warp_lanes;
  using Values = std::array<std::uint32_t, lanes>;

  /// One lane's view of the warp: the cross-lane operations as the device code calls them.
  class Lane {
  public:
    Lane(EmulatedWarp& warp, unsigned index) : warp_(warp), index_(index) {}
    /// This lane's index in the warp.
    [[nodiscard]] unsigned index() const { return index_; }
    /// __reduce_xor_sync(full mask, value): the XOR of the 32 lanes' values.
    std::uint32_t operator()(std::uint32_t value) const {
      std::uint32_t sum = 0;
      for (const std::uint32_t v : warp_.exchange(index_, value)) {
        sum ^= v;
      }
      return sum;
    }
    /// __shfl_sync(full mask, value, source): lane \p source's value.
    std::uint32_t operator()(std::uint32_t value, unsigned source) const {
      return warp_.exchange(index_, value)[source % lanes];
    }

  private:
    EmulatedWarp& warp_;
    unsigned index_;
  };

  EmulatedWarp() {
    threads_.reserve(lanes);
    for (unsigned l = 0; l < lanes; ++l) {
      threads_.emplace_back([this, l] { serve(l); });
    }
  }
  EmulatedWarp(const EmulatedWarp&) = delete;
  EmulatedWarp& operator=(const EmulatedWarp&) = delete;
  ~EmulatedWarp() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    started_.notify_all();
    for (std::thread& t : threads_) {
      t.join();
    }
  }

  /// Runs \p lane_code(Lane&) on the 32 lanes and waits for them. False when the lanes did not
  /// meet at the same exchanges (some lane left while others waited).
  bool run(const std::function<void(Lane&)>& lane_code) {
    barrier_ = std::make_unique<std::barrier<Completion>>(lanes, Completion{this});
    failed_ = false;
    {
      std::lock_guard lock(mutex_);
      code_ = &lane_code;
      running_ = lanes;
      ++job_;
    }
    started_.notify_all();
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [this] { return running_ == 0; });
    return !failed_;
  }

private:
  /// Ends a barrier phase: the round's values complete the exchange; with fewer than all 32
  /// lanes giving one (the others gone), the exchange fails. (A phase of lanes leaving only is
  /// the end of the run.)
  struct Completion {
    EmulatedWarp* warp;
    void operator()() noexcept {
      const unsigned given = warp->given_.exchange(0);
      if (given != 0 && given != lanes) {
        warp->failed_ = true;
      }
      warp->values_ = warp->pending_;
    }
  };

  /// Every lane's value of this exchange, once all 32 lanes have given theirs.
  Values exchange(unsigned lane, std::uint32_t value) {
    pending_[lane] = value;
    given_.fetch_add(1);
    barrier_->arrive_and_wait();
    return failed_ ? Values{} : values_;
  }

  /// Lane thread \p lane: runs each job's code, then leaves the job's barrier.
  void serve(unsigned lane) {
    std::uint64_t done = 0;
    for (;;) {
      const std::function<void(Lane&)>* code = nullptr;
      {
        std::unique_lock lock(mutex_);
        started_.wait(lock, [&] { return stop_ || job_ != done; });
        if (stop_) {
          return;
        }
        done = job_;
        code = code_;
      }
      Lane view(*this, lane);
      (*code)(view);
      barrier_->arrive_and_drop();
      std::lock_guard lock(mutex_);
      if (--running_ == 0) {
        finished_.notify_one();
      }
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable started_;
  std::condition_variable finished_;
  const std::function<void(Lane&)>* code_ = nullptr;
  std::uint64_t job_ = 0;
  unsigned running_ = 0;
  bool stop_ = false;
  std::unique_ptr<std::barrier<Completion>> barrier_;
  std::atomic<unsigned> given_{0};
  std::atomic<bool> failed_{false};
  Values pending_{};
  Values values_{};
};

} // namespace emulation_test
