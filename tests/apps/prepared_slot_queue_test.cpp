// The ring between the ru-emulator's preparing thread and its sender: slots in order with their
// frames, a producer held at the ring's depth, wait_prepared(), the producer's error after the
// slots before it, a cancel that frees a producer waiting for room, and buffers reused.
#include "prepared_slot_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace airan::cli {
namespace {

/// Fills the next buffer with \p frames frames of one byte each, \p tag, at times tag * 10 + f.
bool fill(PreparedSlotQueue& queue, std::uint8_t tag, std::size_t frames) {
  PreparedSlot* slot = queue.begin_fill();
  if (slot == nullptr) {
    return false;
  }
  for (std::size_t f = 0; f < frames; ++f) {
    slot->add(&tag, 1, std::int64_t{tag} * 10 + static_cast<std::int64_t>(f));
  }
  queue.end_fill();
  return true;
}

TEST(PreparedSlotQueue, SlotsComeOutInOrderWithTheirFrames) {
  PreparedSlotQueue queue(3);
  std::thread producer([&] {
    for (std::uint8_t tag = 1; tag <= 20; ++tag) {
      ASSERT_TRUE(fill(queue, tag, tag % 4 + 1)); // counts change: buffers are reused
    }
    queue.finish();
  });
  std::uint8_t expected = 1;
  while (PreparedSlot* slot = queue.begin_take()) {
    ASSERT_EQ(slot->used, std::size_t{expected} % 4 + 1) << int(expected);
    for (std::size_t f = 0; f < slot->used; ++f) {
      EXPECT_EQ(slot->frames[f].bytes, std::vector<std::uint8_t>{expected});
      EXPECT_EQ(slot->frames[f].tx_ns, std::int64_t{expected} * 10 + static_cast<std::int64_t>(f));
    }
    queue.end_take();
    ++expected;
  }
  producer.join();
  EXPECT_EQ(expected, 21);
}

TEST(PreparedSlotQueue, TheProducerStopsAtTheDepthUntilASlotIsTaken) {
  PreparedSlotQueue queue(2);
  std::atomic<int> filled = 0;
  std::thread producer([&] {
    for (std::uint8_t tag = 0; tag < 3; ++tag) {
      ASSERT_TRUE(fill(queue, tag, 1));
      ++filled;
    }
    queue.finish();
  });
  queue.wait_prepared(5); // more than the depth: returns once the ring is full
  // The producer counts its second slot just after end_fill(): wait for that, then give it time
  // to (wrongly) prepare a third.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (filled.load() < 2 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(filled.load(), 2); // the third waits for room
  PreparedSlot* slot = queue.begin_take();
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->frames[0].bytes[0], 0);
  queue.end_take();
  for (std::uint8_t tag = 1; tag < 3; ++tag) {
    slot = queue.begin_take();
    ASSERT_NE(slot, nullptr);
    EXPECT_EQ(slot->frames[0].bytes[0], tag);
    queue.end_take();
  }
  EXPECT_EQ(queue.begin_take(), nullptr);
  producer.join();
  EXPECT_EQ(filled.load(), 3);
}

TEST(PreparedSlotQueue, AProducerErrorArrivesAfterTheSlotsBeforeIt) {
  PreparedSlotQueue queue(4);
  ASSERT_TRUE(fill(queue, 7, 2));
  queue.finish(std::make_exception_ptr(std::runtime_error("vector slot 1 unreadable")));
  queue.wait_prepared(4); // finished: does not wait for the rest
  PreparedSlot* slot = queue.begin_take();
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->used, 2U);
  queue.end_take();
  EXPECT_THROW((void)queue.begin_take(), std::runtime_error);
}

TEST(PreparedSlotQueue, CancelFreesAProducerWaitingForRoom) {
  PreparedSlotQueue queue(1);
  std::atomic<bool> stopped = false;
  std::thread producer([&] {
    std::uint8_t tag = 0;
    while (fill(queue, tag++, 1)) {
    }
    stopped = true;
  });
  queue.wait_prepared(1);
  queue.cancel(); // the sender gives up with a slot still in the ring
  producer.join();
  EXPECT_TRUE(stopped.load());
}

} // namespace
} // namespace airan::cli
