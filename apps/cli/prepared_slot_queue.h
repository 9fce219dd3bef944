/// \file
/// \brief A bounded ring of packetized slots between the thread that prepares them and the one
/// that sends each frame at its time (`airan ru-emulator` on a DPDK port).
///
/// Reading a vector slot and compressing it take longer than the gap between one slot's last
/// symbol and the next one's first; prepared ahead on their own thread, the frames are ready
/// when their times come. The ring's buffers are reused, so a warm ring allocates nothing.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <vector>

namespace airan::cli {

/// A frame waiting for its transmit time.
struct TimedFrame {
  std::vector<std::uint8_t> bytes;
  std::int64_t tx_ns = 0;
};

/// The frames of one slot, in transmit order.
struct PreparedSlot {
  std::vector<TimedFrame> frames; ///< Reused: the first `used` are this slot's.
  std::size_t used = 0;

  /// Appends a frame (reusing a buffer of an earlier slot when there is one).
  void add(const std::uint8_t* data, std::size_t size, std::int64_t tx_ns) {
    if (used == frames.size()) {
      frames.emplace_back();
    }
    frames[used].bytes.assign(data, data + size);
    frames[used].tx_ns = tx_ns;
    ++used;
  }
};

/// Single producer, single consumer; slots come out in the order they went in.
class PreparedSlotQueue {
public:
  /// \p depth slots can be prepared ahead of the one being sent (at least 1).
  explicit PreparedSlotQueue(std::size_t depth) : ring_(depth == 0 ? 1 : depth) {}

  /// Producer: the next buffer to fill, waiting while every buffer is prepared and not yet
  /// sent; nullptr once the consumer has cancelled.
  PreparedSlot* begin_fill() {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return cancelled_ || count_ < ring_.size(); });
    if (cancelled_) {
      return nullptr;
    }
    PreparedSlot& slot = ring_[(head_ + count_) % ring_.size()];
    slot.used = 0;
    return &slot;
  }
  /// Producer: the buffer from begin_fill() is ready to send.
  void end_fill() {
    {
      const std::lock_guard lock(mutex_);
      ++count_;
    }
    ready_.notify_one();
  }
  /// Producer: nothing more comes; \p error (if any) reaches the consumer after the slots
  /// prepared before it.
  void finish(std::exception_ptr error = nullptr) {
    {
      const std::lock_guard lock(mutex_);
      finished_ = true;
      error_ = std::move(error);
    }
    ready_.notify_one();
  }

  /// Consumer: waits until \p count slots are prepared (at most the ring's depth) or the
  /// producer has finished.
  void wait_prepared(std::size_t count) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return count_ >= std::min(count, ring_.size()) || finished_; });
  }

  /// Consumer: the next prepared slot, waiting for it; nullptr after the last one.
  /// \throws what the producer passed to finish(), after the slots prepared before it.
  PreparedSlot* begin_take() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return count_ > 0 || finished_; });
    if (count_ > 0) {
      return &ring_[head_];
    }
    if (error_) {
      std::rethrow_exception(error_);
    }
    return nullptr;
  }
  /// Consumer: the slot from begin_take() is sent; its buffer goes back to the producer.
  void end_take() {
    {
      const std::lock_guard lock(mutex_);
      head_ = (head_ + 1) % ring_.size();
      --count_;
    }
    space_.notify_one();
  }
  /// Consumer: stops the producer (its begin_fill() returns nullptr from now on).
  void cancel() {
    {
      const std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    space_.notify_one();
  }

private:
  std::vector<PreparedSlot> ring_;
  std::mutex mutex_;
  std::condition_variable space_; ///< A buffer became free, or the consumer cancelled.
  std::condition_variable ready_; ///< A slot was prepared, or the producer finished.
  std::size_t head_ = 0;          ///< The oldest prepared slot.
  std::size_t count_ = 0;         ///< Prepared slots not yet taken back by end_take().
  bool finished_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
};

} // namespace airan::cli
