/// \file
/// \brief LaunchProfiler: a thread's active profiler, events reused by position, and the
/// per-stream intervals between them.
#include "airan/gpu/launch_profiler.h"

#include <stdexcept>

namespace airan::gpu {
namespace {

thread_local LaunchProfiler* active_profiler = nullptr;

} // namespace

LaunchProfiler::LaunchProfiler() {
  if (active_profiler != nullptr) {
    throw std::logic_error("LaunchProfiler: another profiler is active on this thread");
  }
  active_profiler = this;
}

LaunchProfiler::~LaunchProfiler() {
  active_profiler = nullptr;
}

LaunchProfiler* LaunchProfiler::active() noexcept {
  return active_profiler;
}

CudaEvent& LaunchProfiler::next_event() {
  if (marks_.size() == events_.size()) {
    events_.emplace_back();
  }
  return events_[marks_.size()];
}

void LaunchProfiler::begin(cudaStream_t stream) {
  next_event().record(stream);
  marks_.push_back({nullptr, stream});
}

void LaunchProfiler::mark(const char* name, cudaStream_t stream) {
  next_event().record(stream);
  marks_.push_back({name, stream});
}

void LaunchProfiler::restart() {
  marks_.clear();
}

std::vector<LaunchTime> LaunchProfiler::collect() const {
  std::vector<LaunchTime> times;
  for (std::size_t i = 0; i < marks_.size(); ++i) {
    if (marks_[i].name == nullptr) {
      continue;
    }
    // The previous begin or mark on the same stream.
    std::size_t previous = i;
    while (previous > 0 && marks_[previous - 1].stream != marks_[i].stream) {
      --previous;
    }
    if (previous == 0) {
      continue; // the first record on its stream: nothing to time it from
    }
    events_[i].synchronize();
    times.push_back({marks_[i].name, 1e3F * events_[i].elapsed_ms_since(events_[previous - 1])});
  }
  return times;
}

} // namespace airan::gpu
