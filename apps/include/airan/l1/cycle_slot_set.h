/// \file
/// \brief A small set of slots of the frame cycle in preallocated storage: what an O-RU end keeps
/// per slot (C-plane complete, nothing asked) without allocating per slot.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace airan::l1 {

/// Slots of the frame cycle, at most capacity() of them: inserting one more drops the one
/// inserted first. Allocates only when constructed.
class CycleSlotSet {
public:
  explicit CycleSlotSet(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
    slots_.reserve(capacity_);
  }

  /// Adds \p cycle_slot (the oldest goes when the set is full).
  void insert(unsigned cycle_slot) {
    if (contains(cycle_slot)) {
      return;
    }
    if (slots_.size() == capacity_) {
      slots_.erase(slots_.begin());
    }
    slots_.push_back(cycle_slot);
  }
  /// Removes \p cycle_slot; false when it was not there.
  bool erase(unsigned cycle_slot) {
    const auto found = std::ranges::find(slots_, cycle_slot);
    if (found == slots_.end()) {
      return false;
    }
    slots_.erase(found);
    return true;
  }
  [[nodiscard]] bool contains(unsigned cycle_slot) const {
    return std::ranges::find(slots_, cycle_slot) != slots_.end();
  }
  /// Removes the slots for which \p drop(cycle_slot) is true.
  template <class Predicate> void erase_if(Predicate drop) { std::erase_if(slots_, drop); }
  [[nodiscard]] std::size_t size() const { return slots_.size(); }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }

private:
  std::size_t capacity_;
  std::vector<unsigned> slots_;
};

} // namespace airan::l1
