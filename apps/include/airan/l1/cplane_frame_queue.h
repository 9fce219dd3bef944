/// \file
/// \brief Carries the L1's uplink C-plane from the thread that builds it (the PHY's, in
/// FronthaulCplaneSender's callbacks) to the thread that owns the fronthaul port (`airan l1`'s
/// receive loop), in order: each frame, and the end of each slot's C-plane after its frames.
/// The port's thread sends the frames and gives them to its FronthaulLinkReceiver, so that the
/// receiver knows what the O-RU was asked for before its U-plane can arrive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace airan::l1 {

/// What take_all() hands over, in the order it was added.
class CplaneQueueVisitor {
public:
  virtual ~CplaneQueueVisitor() = default;
  virtual void on_frame(std::span<const std::uint8_t> frame) = 0;
  virtual void on_slot_done(std::uint16_t sfn, std::uint16_t slot) = 0;
};

/// Says whether a slot's C-plane may leave now (CplaneFrameQueue::take_due()).
class CplaneSlotRelease {
public:
  virtual ~CplaneSlotRelease() = default;
  /// Whether slot (\p sfn, \p slot)'s C-plane may be handed over now.
  virtual bool due(std::uint16_t sfn, std::uint16_t slot) = 0;
};

/// A two-thread queue of C-plane frames and slot ends (see the file comment). Grows only when
/// more is queued (or held back by take_due()) than ever before: a steady state allocates
/// nothing.
class CplaneFrameQueue {
public:
  /// \p reserve_bytes, \p reserve_items: the capacity both buffers start with.
  explicit CplaneFrameQueue(std::size_t reserve_bytes = 64 * 1024, std::size_t reserve_items = 256);

  /// Queues a copy of \p frame (any thread).
  void add_frame(std::span<const std::uint8_t> frame);
  /// Queues the end of slot (\p sfn, \p slot)'s C-plane (any thread).
  void add_slot_done(std::uint16_t sfn, std::uint16_t slot);
  /// Hands everything queued so far to \p visitor, in order, outside the lock (one consumer
  /// thread); returns how many items.
  std::size_t take_all(CplaneQueueVisitor& visitor);
  /// Like take_all(), slot by slot: hands over a slot's frames and its end once that end is
  /// queued and \p release says the slot is due. A slot that is not due does not hold back a
  /// later-queued one that is (a MAC may send its UL_TTI.requests out of slot order); frames
  /// whose slot's end is not queued yet wait, with everything queued after them. What stays is
  /// kept for the next call. Returns how many items it handed over.
  std::size_t take_due(CplaneQueueVisitor& visitor, CplaneSlotRelease& release);
  /// Drops everything queued or held back (a session ended). On the consumer's thread. Returns
  /// how many frames it dropped (slot ends are not counted).
  std::size_t clear();

private:
  struct Item {
    std::size_t offset = 0; ///< Frame: its bytes in the buffer.
    std::size_t size = 0;
    bool slot_done = false;
    bool taken = false; ///< Handed over by take_due() ahead of an earlier item.
    std::uint16_t sfn = 0;
    std::uint16_t slot = 0;
  };
  struct Buffer {
    std::vector<std::uint8_t> bytes;
    std::vector<Item> items;
  };

  /// Moves what was queued behind what take_due() held back in draining_ (whose items before
  /// next_ are dropped first).
  void gather();
  void hand_over(const Item& item, CplaneQueueVisitor& visitor) const;

  std::mutex mutex_;
  Buffer filling_;       ///< Under the lock.
  Buffer draining_;      ///< The consumer's.
  Buffer arrived_;       ///< The consumer's: what gather() took from filling_, appended outside
                         ///< the lock to what draining_ held back.
  std::size_t next_ = 0; ///< First item of draining_ not handed over yet.
};

} // namespace airan::l1
