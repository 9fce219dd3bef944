#include "airan/l1/cplane_frame_queue.h"

#include <utility>

namespace airan::l1 {

CplaneFrameQueue::CplaneFrameQueue(std::size_t reserve_bytes, std::size_t reserve_items) {
  for (Buffer* buffer : {&filling_, &draining_}) {
    buffer->bytes.reserve(reserve_bytes);
    buffer->items.reserve(reserve_items);
  }
}

void CplaneFrameQueue::add_frame(std::span<const std::uint8_t> frame) {
  const std::lock_guard lock(mutex_);
  filling_.items.push_back({filling_.bytes.size(), frame.size(), false, 0, 0});
  filling_.bytes.insert(filling_.bytes.end(), frame.begin(), frame.end());
}

void CplaneFrameQueue::add_slot_done(std::uint16_t sfn, std::uint16_t slot) {
  const std::lock_guard lock(mutex_);
  filling_.items.push_back({0, 0, true, sfn, slot});
}

std::size_t CplaneFrameQueue::take_all(CplaneQueueVisitor& visitor) {
  draining_.bytes.clear();
  draining_.items.clear();
  {
    const std::lock_guard lock(mutex_);
    if (filling_.items.empty()) {
      return 0;
    }
    std::swap(filling_, draining_); // the capacities travel with the buffers
  }
  for (const Item& item : draining_.items) {
    if (item.slot_done) {
      visitor.on_slot_done(item.sfn, item.slot);
    } else {
      visitor.on_frame(
          std::span<const std::uint8_t>(draining_.bytes).subspan(item.offset, item.size));
    }
  }
  return draining_.items.size();
}

void CplaneFrameQueue::clear() {
  const std::lock_guard lock(mutex_);
  filling_.bytes.clear();
  filling_.items.clear();
}

} // namespace airan::l1
