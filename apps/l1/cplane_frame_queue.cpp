#include "airan/l1/cplane_frame_queue.h"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace airan::l1 {

CplaneFrameQueue::CplaneFrameQueue(std::size_t reserve_bytes, std::size_t reserve_items) {
  for (Buffer* buffer : {&filling_, &draining_, &arrived_}) {
    buffer->bytes.reserve(reserve_bytes);
    buffer->items.reserve(reserve_items);
  }
}

void CplaneFrameQueue::add_frame(std::span<const std::uint8_t> frame) {
  const std::lock_guard lock(mutex_);
  filling_.items.push_back({.offset = filling_.bytes.size(), .size = frame.size()});
  filling_.bytes.insert(filling_.bytes.end(), frame.begin(), frame.end());
}

void CplaneFrameQueue::add_slot_done(std::uint16_t sfn, std::uint16_t slot) {
  const std::lock_guard lock(mutex_);
  filling_.items.push_back({.slot_done = true, .sfn = sfn, .slot = slot});
}

void CplaneFrameQueue::gather() {
  auto& items = draining_.items;
  auto& bytes = draining_.bytes;
  while (next_ < items.size() && items[next_].taken) {
    ++next_; // handed over ahead of what was before it
  }
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
  if (items.empty()) {
    const std::lock_guard lock(mutex_);
    std::swap(filling_, draining_); // the capacities travel with the buffers
    return;
  }
  {
    const std::lock_guard lock(mutex_);
    std::swap(filling_, arrived_); // arrived_ was left empty
  }
  const std::size_t shift = bytes.size();
  for (Item item : arrived_.items) {
    item.offset = item.slot_done ? 0 : item.offset + shift;
    items.push_back(item);
  }
  bytes.insert(bytes.end(), arrived_.bytes.begin(), arrived_.bytes.end());
  arrived_.items.clear();
  arrived_.bytes.clear();
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
  std::size_t handed = 0;
  for (; next_ < count; ++next_) {
    if (!draining_.items[next_].taken) { // not handed over by take_due() already
      hand_over(draining_.items[next_], visitor);
      ++handed;
    }
  }
  return handed;
}

std::size_t CplaneFrameQueue::take_due(CplaneQueueVisitor& visitor, CplaneSlotRelease& release) {
  gather();
  auto& items = draining_.items;
  std::size_t taken = 0;
  for (std::size_t begin = next_; begin < items.size();) {
    std::size_t end = begin;
    while (end < items.size() && !items[end].slot_done) {
      ++end;
    }
    if (end == items.size()) {
      break; // the slot's end is not queued yet: it and what follows wait
    }
    if (!items[end].taken && release.due(items[end].sfn, items[end].slot)) {
      for (std::size_t i = begin; i <= end; ++i) {
        hand_over(items[i], visitor);
        items[i].taken = true;
        ++taken;
      }
    }
    begin = end + 1;
  }
  while (next_ < items.size() && items[next_].taken) {
    ++next_;
  }
  return taken;
}

std::size_t CplaneFrameQueue::clear() {
  const auto frames = [](const std::vector<Item>& items, std::size_t from) {
    return static_cast<std::size_t>(
        std::count_if(items.begin() + static_cast<std::ptrdiff_t>(from), items.end(),
                      [](const Item& item) { return !item.slot_done && !item.taken; }));
  };
  std::size_t dropped = frames(draining_.items, next_);
  draining_.items.clear();
  draining_.bytes.clear();
  next_ = 0;
  const std::lock_guard lock(mutex_);
  dropped += frames(filling_.items, 0);
  filling_.bytes.clear();
  filling_.items.clear();
  return dropped;
}

} // namespace airan::l1
