/// \file
/// \brief Requests kept by slot of the frame cycle in preallocated storage: what an O-RU or an
/// L1's fronthaul receiver takes from C-plane frames on its hot path without allocating.
///
/// A RequestsBySlot holds at most max_slots() slots, in the order they were first asked for. Each
/// slot's requests live in a vector of their own that keeps its capacity when the slot is erased
/// or the whole is cleared, so once every slot's vector has grown to the largest slot it held, no
/// call allocates. Erasing keeps the order of the others and moves no request (vectors swap).
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace airan::io {

/// Requests by slot of the frame cycle (see the file comment). \p Request is any copyable type.
template <class Request> class RequestsBySlot {
public:
  /// One slot's requests.
  struct Slot {
    unsigned cycle_slot = 0;
    std::vector<Request> requests;
  };

  /// Room for \p max_slots slots (at least one), each reserving \p requests_per_slot requests.
  explicit RequestsBySlot(std::size_t max_slots = default_max_slots,
                          std::size_t requests_per_slot = default_requests_per_slot)
      : slots_(max_slots == 0 ? 1 : max_slots) {
    for (Slot& slot : slots_) {
      slot.requests.reserve(requests_per_slot);
    }
  }

  static constexpr std::size_t default_max_slots = 16;
  static constexpr std::size_t default_requests_per_slot = 32;

  /// The slots that hold requests, in the order they were first asked for.
  [[nodiscard]] const Slot* begin() const { return slots_.data(); }
  [[nodiscard]] const Slot* end() const { return slots_.data() + used_; }
  [[nodiscard]] std::size_t size() const { return used_; }
  [[nodiscard]] bool empty() const { return used_ == 0; }
  [[nodiscard]] std::size_t max_slots() const { return slots_.size(); }

  /// The requests of \p cycle_slot (empty when it has none).
  [[nodiscard]] std::span<const Request> find(unsigned cycle_slot) const {
    const std::size_t index = index_of(cycle_slot);
    return index == used_ ? std::span<const Request>{}
                          : std::span<const Request>(slots_[index].requests);
  }
  [[nodiscard]] bool contains(unsigned cycle_slot) const { return index_of(cycle_slot) != used_; }

  /// The list to append \p cycle_slot's requests to, opened (empty) when the slot had none;
  /// nullptr when it had none and max_slots() other slots are held. A caller that leaves the list
  /// empty erases the slot.
  std::vector<Request>* requests_of(unsigned cycle_slot) {
    std::size_t index = index_of(cycle_slot);
    if (index == used_) {
      if (used_ == slots_.size()) {
        return nullptr;
      }
      slots_[used_].cycle_slot = cycle_slot;
      slots_[used_].requests.clear();
      ++used_;
    }
    return &slots_[index].requests;
  }

  /// Appends \p request to \p cycle_slot's requests; false (nothing kept) when there is no room.
  bool add(unsigned cycle_slot, const Request& request) {
    std::vector<Request>* list = requests_of(cycle_slot);
    if (list == nullptr) {
      return false;
    }
    list->push_back(request);
    return true;
  }

  /// Drops the slots for which \p drop(cycle_slot) is true; returns how many.
  template <class Predicate> std::size_t erase_if(Predicate drop) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < used_; ++i) {
      if (drop(slots_[i].cycle_slot)) {
        continue;
      }
      if (kept != i) {
        std::swap(slots_[kept], slots_[i]); // the dropped slot's vector goes to the spare end
      }
      ++kept;
    }
    const std::size_t dropped = used_ - kept;
    used_ = kept;
    return dropped;
  }

  /// Drops \p cycle_slot; false when it had no requests.
  bool erase(unsigned cycle_slot) {
    return erase_if([cycle_slot](unsigned slot) { return slot == cycle_slot; }) > 0;
  }

  /// Drops every slot (their vectors keep their capacity).
  void clear() { used_ = 0; }

private:
  [[nodiscard]] std::size_t index_of(unsigned cycle_slot) const {
    std::size_t index = 0;
    while (index < used_ && slots_[index].cycle_slot != cycle_slot) {
      ++index;
    }
    return index;
  }

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

} // namespace airan::io
