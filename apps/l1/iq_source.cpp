#include "airan/l1/iq_source.h"

#include "airan/l1/slot_clock.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace airan::l1 {

InMemoryIqSource::InMemoryIqSource(const InMemoryIqSourceConfig& config)
    : config_(config), entries_(std::max(config.num_entries, 1U)) {
  for (auto& entry : entries_) {
    entry.grid =
        phy::ResourceGrid(config.num_rx_antennas, config.symbols_per_slot, config.num_subcarriers);
    entry.iq.resize(config.max_iq_samples);
    entry.prach.reserve(config.max_prach_sections);
    entry.prach_values.resize(config.max_prach_values);
  }
}

InMemoryIqSource::Entry* InMemoryIqSource::find_locked(std::uint16_t sfn, std::uint16_t slot,
                                                       EntryState state) {
  for (auto& entry : entries_) {
    if (entry.state == state && entry.sfn == sfn && entry.slot == slot) {
      return &entry;
    }
  }
  return nullptr;
}

bool InMemoryIqSource::closed_locked(std::uint16_t sfn, std::uint16_t slot) const {
  if (slots_per_frame_ == 0) {
    return false;
  }
  if (slot >= slots_per_frame_) {
    return true; // The consumer never asks for it: it would sit in an entry for good.
  }
  return nearest_absolute_slot(closed_before_, {sfn, slot}, slots_per_frame_) < closed_before_;
}

template <typename Fill>
bool InMemoryIqSource::push(std::uint16_t sfn, std::uint16_t slot,
                            std::chrono::microseconds timeout, Fill fill) {
  std::unique_lock lock(mutex_);
  Entry* target = nullptr;
  bool closed = false;
  const bool got = changed_.wait_for(lock, timeout, [&] {
    // Samples of a slot the consumer has closed are never taken: refused, not stored.
    closed = closed_locked(sfn, slot);
    if (closed) {
      return true;
    }
    // A slot pushed again replaces its earlier, unconsumed samples.
    target = find_locked(sfn, slot, EntryState::ready);
    if (target == nullptr) {
      target = find_locked(sfn, slot, EntryState::free);
    }
    if (target == nullptr) {
      for (auto& entry : entries_) {
        if (entry.state == EntryState::free) {
          target = &entry;
          break;
        }
      }
    }
    return target != nullptr;
  });
  if (closed) {
    late_samples_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (!got) {
    return false;
  }
  // The copy runs under the lock: the consumer only looks entries up, and a slot's samples
  // must never be seen half written.
  target->sfn = sfn;
  target->slot = slot;
  fill(*target);
  target->available_at = SteadyClock::now();
  target->state = EntryState::ready;
  lock.unlock();
  changed_.notify_all();
  return true;
}

void InMemoryIqSource::check_grid_shape(const phy::ResourceGrid& grid) const {
  if (grid.num_ports() != config_.num_rx_antennas ||
      grid.num_symbols() != config_.symbols_per_slot ||
      grid.num_subcarriers() != config_.num_subcarriers) {
    throw std::invalid_argument("InMemoryIqSource: grid of " + std::to_string(grid.num_ports()) +
                                " x " + std::to_string(grid.num_symbols()) + " x " +
                                std::to_string(grid.num_subcarriers()) +
                                " does not have the configured shape");
  }
}

void InMemoryIqSource::check_iq_size(std::size_t samples) const {
  if (samples > config_.max_iq_samples) {
    throw std::invalid_argument("InMemoryIqSource: " + std::to_string(samples) +
                                " IQ samples exceed the capacity of " +
                                std::to_string(config_.max_iq_samples));
  }
}

bool InMemoryIqSource::push_grid(std::uint16_t sfn, std::uint16_t slot,
                                 const phy::ResourceGrid& grid, std::chrono::microseconds timeout) {
  check_grid_shape(grid);
  return push(sfn, slot, timeout, [&](Entry& entry) {
    std::ranges::copy(grid.elements(), entry.grid.elements().begin());
    entry.has_grid = true;
    entry.iq_size = 0;
    entry.prach.clear();
  });
}

bool InMemoryIqSource::push_grid(std::uint16_t sfn, std::uint16_t slot,
                                 const phy::ResourceGrid& grid,
                                 std::span<const ReceivedPrach> prach,
                                 std::chrono::microseconds timeout) {
  if (prach.empty()) {
    return push_grid(sfn, slot, grid, timeout);
  }
  check_grid_shape(grid);
  return push(sfn, slot, timeout, [&](Entry& entry) {
    std::ranges::copy(grid.elements(), entry.grid.elements().begin());
    entry.has_grid = true;
    entry.iq_size = 0;
    copy_prach(entry, prach);
  });
}

void InMemoryIqSource::copy_prach(Entry& entry, std::span<const ReceivedPrach> prach) {
  entry.prach.clear();
  std::size_t used = 0;
  for (const ReceivedPrach& section : prach) {
    const std::size_t size = section.section.values.size();
    if (entry.prach.size() == config_.max_prach_sections ||
        used + size > entry.prach_values.size()) {
      dropped_prach_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    std::ranges::copy(section.section.values,
                      entry.prach_values.begin() + static_cast<std::ptrdiff_t>(used));
    ReceivedPrach& copy = entry.prach.emplace_back(section);
    copy.section.values = std::span<const phy::cf32>(entry.prach_values.data() + used, size);
    used += size;
  }
}

bool InMemoryIqSource::push_iq(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::cf32> iq,
                               std::chrono::microseconds timeout) {
  check_iq_size(iq.size());
  return push(sfn, slot, timeout, [&](Entry& entry) {
    std::ranges::copy(iq, entry.iq.begin());
    entry.has_grid = false;
    entry.iq_size = iq.size();
    entry.prach.clear();
  });
}

bool InMemoryIqSource::exchange_grid(std::uint16_t sfn, std::uint16_t slot, phy::ResourceGrid& grid,
                                     std::chrono::microseconds timeout) {
  return exchange_grid(sfn, slot, grid, {}, timeout);
}

bool InMemoryIqSource::exchange_grid(std::uint16_t sfn, std::uint16_t slot, phy::ResourceGrid& grid,
                                     std::span<const ReceivedPrach> prach,
                                     std::chrono::microseconds timeout) {
  check_grid_shape(grid);
  return push(sfn, slot, timeout, [&](Entry& entry) {
    std::swap(entry.grid, grid);
    entry.has_grid = true;
    entry.iq_size = 0;
    copy_prach(entry, prach);
  });
}

bool InMemoryIqSource::exchange_iq(std::uint16_t sfn, std::uint16_t slot,
                                   std::vector<phy::cf32>& iq, std::chrono::microseconds timeout) {
  check_iq_size(iq.size());
  return push(sfn, slot, timeout, [&](Entry& entry) {
    const std::size_t samples = iq.size();
    entry.iq.swap(iq);
    entry.iq.resize(config_.max_iq_samples); // what push_iq() copies into
    entry.has_grid = false;
    entry.iq_size = samples;
    entry.prach.clear();
  });
}

bool InMemoryIqSource::push_empty(std::uint16_t sfn, std::uint16_t slot,
                                  std::chrono::microseconds timeout) {
  return push_empty(sfn, slot, {}, timeout);
}

bool InMemoryIqSource::push_empty(std::uint16_t sfn, std::uint16_t slot,
                                  std::span<const ReceivedPrach> prach,
                                  std::chrono::microseconds timeout) {
  return push(sfn, slot, timeout, [&](Entry& entry) {
    entry.has_grid = false;
    entry.iq_size = 0;
    copy_prach(entry, prach);
  });
}

bool InMemoryIqSource::try_acquire(std::uint16_t sfn, std::uint16_t slot, ReceivedSlot& out) {
  std::lock_guard lock(mutex_);
  Entry* entry = find_locked(sfn, slot, EntryState::ready);
  if (entry == nullptr) {
    entry = find_locked(sfn, slot, EntryState::held);
  }
  if (entry == nullptr) {
    return false;
  }
  entry->state = EntryState::held;
  out.sfn = sfn;
  out.slot = slot;
  out.grid = entry->has_grid ? &entry->grid : nullptr;
  out.iq = std::span<const phy::cf32>(entry->iq.data(), entry->iq_size);
  out.prach = entry->prach;
  out.available_at = entry->available_at;
  return true;
}

void InMemoryIqSource::release(std::uint16_t sfn, std::uint16_t slot) {
  {
    std::lock_guard lock(mutex_);
    Entry* entry = find_locked(sfn, slot, EntryState::held);
    if (entry == nullptr) {
      return;
    }
    entry->state = EntryState::free;
  }
  changed_.notify_all();
}

bool InMemoryIqSource::wait_for(std::uint16_t sfn, std::uint16_t slot,
                                std::chrono::microseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    return find_locked(sfn, slot, EntryState::ready) != nullptr ||
           find_locked(sfn, slot, EntryState::held) != nullptr;
  });
}

void InMemoryIqSource::clear() {
  {
    std::lock_guard lock(mutex_);
    for (auto& entry : entries_) {
      if (entry.state == EntryState::ready) {
        entry.state = EntryState::free;
      }
    }
    closed_before_ = 0;
    slots_per_frame_ = 0;
  }
  changed_.notify_all();
}

std::optional<SteadyClock::time_point>
InMemoryIqSource::later_slot_available_since(std::uint64_t absolute_slot,
                                             unsigned slots_per_frame) {
  std::lock_guard lock(mutex_);
  std::optional<SteadyClock::time_point> earliest;
  for (const auto& entry : entries_) {
    if (entry.state != EntryState::ready || entry.slot >= slots_per_frame ||
        nearest_absolute_slot(absolute_slot, {entry.sfn, entry.slot}, slots_per_frame) <=
            absolute_slot) {
      continue;
    }
    earliest = earliest ? std::min(*earliest, entry.available_at) : entry.available_at;
  }
  return earliest;
}

void InMemoryIqSource::close_before(std::uint64_t absolute_slot, unsigned slots_per_frame) {
  std::uint64_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    closed_before_ = absolute_slot;
    slots_per_frame_ = slots_per_frame;
    // Samples that came in after the consumer gave up on their slot: nothing takes them now.
    for (auto& entry : entries_) {
      if (entry.state == EntryState::ready && closed_locked(entry.sfn, entry.slot)) {
        entry.state = EntryState::free;
        ++dropped;
      }
    }
  }
  if (dropped > 0) {
    late_samples_.fetch_add(dropped, std::memory_order_relaxed);
  }
  // Producers waiting for room, or for a slot that is now closed, look again.
  changed_.notify_all();
}

} // namespace airan::l1
