#include "airan/l1/fronthaul_paced_sender.h"

#include "airan/io/fronthaul_timing.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

namespace airan::l1 {
namespace {

/// The sender sleeps on its condition variable until this long before a frame's time, then
/// yields in a loop: a sleep's wake-up can be late by tens of microseconds.
constexpr std::int64_t paced_spin_ns = 200'000;

} // namespace

FronthaulPacedSender::FronthaulPacedSender(FronthaulFrameLink& link, std::size_t max_frame_bytes,
                                           std::size_t capacity)
    : link_(link), max_frame_bytes_(max_frame_bytes) {
  if (max_frame_bytes == 0 || capacity == 0) {
    throw std::invalid_argument("FronthaulPacedSender: the frame size and the capacity must be "
                                "positive");
  }
  buffers_.resize(capacity);
  sizes_.assign(capacity, 0);
  free_.reserve(capacity);
  heap_.reserve(capacity);
  for (std::size_t i = 0; i < capacity; ++i) {
    buffers_[i].resize(max_frame_bytes);
    free_.push_back(capacity - 1 - i);
  }
  thread_ = std::thread([this] { run(); });
}

FronthaulPacedSender::~FronthaulPacedSender() {
  finish();
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void FronthaulPacedSender::queue(std::span<const std::uint8_t> frame, std::int64_t wall_ns) {
  if (frame.size() > max_frame_bytes_) {
    throw std::length_error("FronthaulPacedSender: a frame of " + std::to_string(frame.size()) +
                            " bytes, more than the " + std::to_string(max_frame_bytes_) +
                            " a buffer holds");
  }
  std::size_t buffer = 0;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !free_.empty(); });
    buffer = free_.back();
    free_.pop_back();
  }
  // The buffer is this thread's until it is on the heap.
  std::copy(frame.begin(), frame.end(), buffers_[buffer].begin());
  sizes_[buffer] = frame.size();
  const bool late = wall_ns <= io::realtime_ns();
  {
    const std::lock_guard lock(mutex_);
    heap_.push_back({wall_ns, sequence_++, buffer});
    std::push_heap(heap_.begin(), heap_.end(), later);
    ++queued_;
    late_ += late ? 1 : 0;
    peak_ = std::max(peak_, heap_.size());
  }
  changed_.notify_all();
}

void FronthaulPacedSender::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return heap_.empty() && in_flight_ == 0; });
}

std::size_t FronthaulPacedSender::discard() {
  const std::lock_guard lock(mutex_);
  const std::size_t dropped = heap_.size();
  for (const Key& key : heap_) {
    free_.push_back(key.buffer);
  }
  heap_.clear();
  changed_.notify_all();
  return dropped;
}

std::uint64_t FronthaulPacedSender::frames_queued() const {
  const std::lock_guard lock(mutex_);
  return queued_;
}

std::uint64_t FronthaulPacedSender::frames_late() const {
  const std::lock_guard lock(mutex_);
  return late_;
}

std::uint64_t FronthaulPacedSender::frames_dropped() const {
  const std::lock_guard lock(mutex_);
  return dropped_;
}

std::size_t FronthaulPacedSender::peak_queued() const {
  const std::lock_guard lock(mutex_);
  return peak_;
}

void FronthaulPacedSender::run() {
  std::unique_lock lock(mutex_);
  bool unflushed = false; // frames handed to the link since its last end_of_slot()
  const auto flush = [&] {
    // in_flight_ stays up until the link has its batch out: finish() waits for that too.
    ++in_flight_;
    lock.unlock();
    const std::uint64_t dropped = link_.end_of_slot();
    lock.lock();
    --in_flight_;
    dropped_ += dropped;
    unflushed = false;
    changed_.notify_all();
  };
  for (;;) {
    if (heap_.empty()) {
      if (unflushed) {
        flush();
        continue;
      }
      if (stopping_) {
        return;
      }
      changed_.wait(lock);
      continue;
    }
    const Key next = heap_.front();
    const std::int64_t wait_ns = next.wall_ns - io::realtime_ns();
    if (wait_ns > 0) {
      if (unflushed) { // what is due is out before the wait
        flush();
        continue;
      }
      if (wait_ns > paced_spin_ns) {
        // Woken early by a new frame (perhaps an earlier one): look again.
        changed_.wait_for(lock, std::chrono::nanoseconds(wait_ns - paced_spin_ns));
        continue;
      }
      lock.unlock();
      while (io::realtime_ns() < next.wall_ns) {
        std::this_thread::yield();
      }
      lock.lock();
      continue; // an earlier frame may have come meanwhile
    }
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    ++in_flight_;
    lock.unlock();
    const bool sent = link_.send(
        std::span<const std::uint8_t>(buffers_[next.buffer].data(), sizes_[next.buffer]));
    lock.lock();
    --in_flight_;
    dropped_ += sent ? 0 : 1;
    free_.push_back(next.buffer);
    unflushed = true;
    changed_.notify_all(); // a queue() waiting for a buffer
    // The lock is held from here into flush()'s in_flight_ count: finish() cannot see the heap
    // empty before the link has flushed.
    if (heap_.empty() || heap_.front().wall_ns > io::realtime_ns()) {
      flush();
    }
  }
}

} // namespace airan::l1
