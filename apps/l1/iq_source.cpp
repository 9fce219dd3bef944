#include "airan/l1/iq_source.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::l1 {

InMemoryIqSource::InMemoryIqSource(const InMemoryIqSourceConfig& config)
    : config_(config), entries_(std::max(config.num_entries, 1U)) {
  for (auto& entry : entries_) {
    entry.grid =
        phy::ResourceGrid(config.num_rx_antennas, config.symbols_per_slot, config.num_subcarriers);
    entry.iq.resize(config.max_iq_samples);
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

template <typename Fill>
bool InMemoryIqSource::push(std::uint16_t sfn, std::uint16_t slot,
                            std::chrono::microseconds timeout, Fill fill) {
  std::unique_lock lock(mutex_);
  Entry* target = nullptr;
  const bool got = changed_.wait_for(lock, timeout, [&] {
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

bool InMemoryIqSource::push_grid(std::uint16_t sfn, std::uint16_t slot,
                                 const phy::ResourceGrid& grid, std::chrono::microseconds timeout) {
  if (grid.num_ports() != config_.num_rx_antennas ||
      grid.num_symbols() != config_.symbols_per_slot ||
      grid.num_subcarriers() != config_.num_subcarriers) {
    throw std::invalid_argument("InMemoryIqSource: grid of " + std::to_string(grid.num_ports()) +
                                " x " + std::to_string(grid.num_symbols()) + " x " +
                                std::to_string(grid.num_subcarriers()) +
                                " does not have the configured shape");
  }
  return push(sfn, slot, timeout, [&](Entry& entry) {
    std::ranges::copy(grid.elements(), entry.grid.elements().begin());
    entry.has_grid = true;
    entry.iq_size = 0;
  });
}

bool InMemoryIqSource::push_iq(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::cf32> iq,
                               std::chrono::microseconds timeout) {
  if (iq.size() > config_.max_iq_samples) {
    throw std::invalid_argument("InMemoryIqSource: " + std::to_string(iq.size()) +
                                " IQ samples exceed the capacity of " +
                                std::to_string(config_.max_iq_samples));
  }
  return push(sfn, slot, timeout, [&](Entry& entry) {
    std::ranges::copy(iq, entry.iq.begin());
    entry.has_grid = false;
    entry.iq_size = iq.size();
  });
}

bool InMemoryIqSource::push_empty(std::uint16_t sfn, std::uint16_t slot,
                                  std::chrono::microseconds timeout) {
  return push(sfn, slot, timeout, [](Entry& entry) {
    entry.has_grid = false;
    entry.iq_size = 0;
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
  }
  changed_.notify_all();
}

} // namespace airan::l1
