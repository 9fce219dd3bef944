/// \file
/// \brief LaunchProfiler: the device time of every kernel (and cuFFT call, and host copy) that
/// airan's CUDA stages launch, for benchmarks that must say where a slot's time goes. Each stage
/// calls profile_begin() on a stream before its first launch and AIRAN_CUDA_LAUNCHED() after
/// each; while a profiler is active on the calling thread these record a CUDA event, and a
/// launch's time is the time between its event and the previous one on the same stream. Inactive
/// (the normal case), they cost one thread-local load. CUDA builds only.
#pragma once

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/cuda_stream.h"

#include <cuda_runtime.h>

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

namespace airan::gpu {

/// Device time of one launch recorded by a LaunchProfiler.
struct LaunchTime {
  std::string name; ///< The kernel's name ("despread_noise_kernel", "cuFFT", ...).
  float device_us = 0.0F;
};

/// Times launches on the constructing thread while it lives (one active profiler per thread).
///
/// Inside a CUDA graph capture the events become event record nodes (CudaEvent::record), so a
/// graph captured while the profiler is active records them at every launch. The events are
/// reused by position after each restart(), so a graph captured again for the next slot has the
/// same nodes and is updated in place rather than instantiated anew. Launches from other threads
/// are not seen.
///
/// Limits: profile one slot in flight at a time (two in flight would record the same events);
/// work that never ran (an abandoned capture, a graph not launched) leaves events that collect()
/// cannot time (CudaError) or that still hold an earlier slot's times, so restart() after a
/// failed slot; launched directly (no graph), a stream's first launches include the host's
/// enqueueing; a cudaMemsetAsync counts in the next marked launch; one device.
class LaunchProfiler {
public:
  /// Becomes the calling thread's active profiler. \throws std::logic_error when one is active.
  LaunchProfiler();
  ~LaunchProfiler();
  LaunchProfiler(const LaunchProfiler&) = delete;
  LaunchProfiler& operator=(const LaunchProfiler&) = delete;

  /// The calling thread's active profiler, or nullptr.
  static LaunchProfiler* active() noexcept;

  /// Starts a chain on \p stream: the next launch marked on it is timed from here.
  void begin(cudaStream_t stream);
  /// Records the end of launch \p name on \p stream (\p name must outlive the profiler: a
  /// string literal).
  void mark(const char* name, cudaStream_t stream);
  /// Forgets the marks so far (keeps the events for reuse): call before each profiled slot.
  void restart();
  /// Waits for the events of the marks since the last restart() and returns the time of each
  /// mark that follows a begin() or another mark on its stream, in the order they were marked.
  /// \throws CudaError.
  [[nodiscard]] std::vector<LaunchTime> collect() const;

private:
  struct Mark {
    const char* name = nullptr; ///< nullptr: a begin()
    cudaStream_t stream = nullptr;
  };
  CudaEvent& next_event();

  std::deque<CudaEvent> events_; ///< events_[i] belongs to marks_[i]
  std::vector<Mark> marks_;
};

/// LaunchProfiler::begin() on the thread's active profiler, if any.
inline void profile_begin(cudaStream_t stream) {
  if (LaunchProfiler* profiler = LaunchProfiler::active()) {
    profiler->begin(stream);
  }
}

/// LaunchProfiler::mark() on the thread's active profiler, if any.
inline void profile_launch(const char* name, cudaStream_t stream) {
  if (LaunchProfiler* profiler = LaunchProfiler::active()) {
    profiler->mark(name, stream);
  }
}

} // namespace airan::gpu

/// AIRAN_CUDA_CHECK_LAUNCH(name), then profile_launch(name, stream).
#define AIRAN_CUDA_LAUNCHED(name, stream)                                                          \
  do {                                                                                             \
    AIRAN_CUDA_CHECK_LAUNCH(name);                                                                 \
    ::airan::gpu::profile_launch(name, stream);                                                    \
  } while (false)
