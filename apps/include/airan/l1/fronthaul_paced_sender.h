/// \file
/// \brief An emulated O-RU's transmit pacing: frames queued with their wall-clock transmit time
/// (CLOCK_REALTIME ns) leave on a FronthaulFrameLink from a sender thread at that time, in time
/// order, as a live O-RU sends each symbol's U-plane shortly after the symbol is over the air.
///
/// The queue is preallocated (capacity frames of up to max_frame_bytes each): queuing copies the
/// frame into a free buffer, and sending never allocates. A frame whose time has already passed
/// when it is queued goes at once and is counted late. When the queue is full, queue() waits
/// for the sender to free a buffer. After each run of frames that are due the sender calls the
/// link's end_of_slot() (a batching link, DPDK, transmits its batch then).
///
/// Threads: queue(), finish() and the counters from any thread; the link's send() and
/// end_of_slot() are called from the sender thread only, while the queuing thread may use the
/// link's receive() (FronthaulFrameLink's threading requirement).
#pragma once

#include "airan/l1/fronthaul_sample_feeder.h"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace airan::l1 {

/// Sends queued frames at their wall-clock times (see the file comment).
class FronthaulPacedSender {
public:
  /// \p link must outlive the sender. \throws std::invalid_argument for a capacity or frame size
  /// of 0.
  FronthaulPacedSender(FronthaulFrameLink& link, std::size_t max_frame_bytes, std::size_t capacity);
  /// Sends what is queued (finish()), then stops the sender thread.
  ~FronthaulPacedSender();
  FronthaulPacedSender(const FronthaulPacedSender&) = delete;
  FronthaulPacedSender& operator=(const FronthaulPacedSender&) = delete;

  /// Queues \p frame (copied) to leave at \p wall_ns (CLOCK_REALTIME ns); at once, counted late,
  /// when that time has passed. Waits while the queue is full.
  /// \throws std::length_error for a frame longer than max_frame_bytes.
  void queue(std::span<const std::uint8_t> frame, std::int64_t wall_ns);
  /// Waits until every frame queued so far has been handed to the link.
  void finish();
  /// Drops the frames still queued (not yet handed to the link); returns how many (a session
  /// that ended: the O-RU's frames for slots after it are nobody's).
  std::size_t discard();

  /// Frames queued.
  [[nodiscard]] std::uint64_t frames_queued() const;
  /// Frames queued after their transmit time (sent at once).
  [[nodiscard]] std::uint64_t frames_late() const;
  /// Frames the link dropped (send() false, or reported by end_of_slot()).
  [[nodiscard]] std::uint64_t frames_dropped() const;
  /// The most frames queued at once.
  [[nodiscard]] std::size_t peak_queued() const;

private:
  /// A queued frame: when it leaves, in which order among frames of the same time, where.
  struct Key {
    std::int64_t wall_ns = 0;
    std::uint64_t sequence = 0;
    std::size_t buffer = 0;
  };
  /// Min-heap order on (wall_ns, sequence).
  static bool later(const Key& a, const Key& b) {
    return a.wall_ns != b.wall_ns ? a.wall_ns > b.wall_ns : a.sequence > b.sequence;
  }
  void run();

  FronthaulFrameLink& link_;
  std::size_t max_frame_bytes_;
  std::vector<std::vector<std::uint8_t>> buffers_; ///< Each of capacity max_frame_bytes.
  std::vector<std::size_t> sizes_;                 ///< Bytes of each buffer in use.
  std::vector<std::size_t> free_;                  ///< Indices of the free buffers.
  std::vector<Key> heap_;                          ///< The queued frames.
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t sequence_ = 0;
  std::uint64_t queued_ = 0;
  std::uint64_t late_ = 0;
  std::uint64_t dropped_ = 0;
  std::size_t peak_ = 0;
  std::size_t in_flight_ = 0; ///< Frames taken off the heap and not yet handed to the link.
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace airan::l1
