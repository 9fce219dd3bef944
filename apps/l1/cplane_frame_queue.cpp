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

void CplaneFrameQueue::gather() {
  auto& items = draining_.items;
  auto& bytes = draining_.bytes;
  if (next_ == items.size()) {
    items.clear();
    bytes.clear();
  } else if (next_ > 0) {
    // Drop what was handed over; the frames held back move to the front.
    std::size_t base = bytes.size();
    for (std::size_t i = next_; i < items.size(); ++i) {
      if (!items[i].slot_done) {
        base = items[i].offset;
        break;
      }
    }
    items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(next_));
    bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(base));
    for (Item& item : items) {
      item.offset = item.slot_done ? 0 : item.offset - base;
    }
  }
  next_ = 0;
  const std::lock_guard lock(mutex_);
  if (items.empty()) {
    std::swap(filling_, draining_); // the capacities travel with the buffers
    return;
  }
  const std::size_t shift = bytes.size();
  for (Item item : filling_.items) {
    item.offset = item.slot_done ? 0 : item.offset + shift;
    items.push_back(item);
  }
  bytes.insert(bytes.end(), filling_.bytes.begin(), filling_.bytes.end());
  filling_.items.clear();
  filling_.bytes.clear();
}

void CplaneFrameQueue::hand_over(const Item& item, CplaneQueueVisitor& visitor) const {
  if (item.slot_done) {
    visitor.on_slot_done(item.sfn, item.slot);
  } else {
    visitor.on_frame(
        std::span<const std::uint8_t>(draining_.bytes).subspan(item.offset, item.size));
  }
}

std::size_t CplaneFrameQueue::take_all(CplaneQueueVisitor& visitor) {
  gather();
  const std::size_t count = draining_.items.size();
  for (; next_ < count; ++next_) {
    hand_over(draining_.items[next_], visitor);
  }
  return count;
}

std::size_t CplaneFrameQueue::take_due(CplaneQueueVisitor& visitor, CplaneSlotRelease& release) {
  gather();
  const auto& items = draining_.items;
  std::size_t taken = 0;
  while (next_ < items.size()) {
    std::size_t end = next_;
    while (end < items.size() && !items[end].slot_done) {
      ++end;
    }
    if (end == items.size() || !release.due(items[end].sfn, items[end].slot)) {
      break; // the slot's end is not queued yet, or its time has not come
    }
    for (; next_ <= end; ++next_, ++taken) {
      hand_over(items[next_], visitor);
    }
  }
  return taken;
}

void CplaneFrameQueue::clear() {
  draining_.items.clear();
  draining_.bytes.clear();
  next_ = 0;
  const std::lock_guard lock(mutex_);
  filling_.bytes.clear();
  filling_.items.clear();
}

} // namespace airan::l1
