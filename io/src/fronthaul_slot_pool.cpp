/// \file
/// \brief FronthaulSlotAssembler: the slot pool (find or open a slot, pool pressure, overrun),
/// dispatch (zero-filling what never arrived, per-slot and total counters), deadlines, flush and
/// the consumer queue.
#include "airan/io/fronthaul_slot_assembler.h"

#include "fronthaul_slot_accounting.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <stdexcept>

namespace airan::io {

std::int64_t FronthaulSlotAssembler::deadline_ns(std::int64_t absolute_slot) const {
  return clock_.slot_start_ns(*epoch_, absolute_slot + 1) + config_.slot_deadline_ns;
}

AssembledSlot* FronthaulSlotAssembler::find_or_open_slot(std::int64_t absolute_slot,
                                                         std::int64_t arrival_ns) {
  std::size_t oldest = slots_.size();
  std::size_t pending = 0;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (state_[i] != BufferState::pending) {
      continue;
    }
    if (slots_[i].absolute_slot == absolute_slot) {
      return &slots_[i];
    }
    ++pending;
    if (oldest == slots_.size() || slots_[i].absolute_slot < slots_[oldest].absolute_slot) {
      oldest = i;
    }
  }
  // Never a second time: a slot dispatched or given up on, or behind the reorder window.
  if (dispatched_.done(absolute_slot) || arrival_ns > deadline_ns(absolute_slot)) {
    ++counters_.too_late;
    return nullptr;
  }
  const std::int64_t now_slot = clock_.absolute_slot_at(*epoch_, arrival_ns);
  if (absolute_slot - now_slot > std::int64_t{config_.max_slots_in_flight}) {
    ++counters_.too_early;
    return nullptr;
  }
  if (pending >= config_.max_slots_in_flight) {
    if (absolute_slot < slots_[oldest].absolute_slot) {
      ++counters_.too_late; // older than every slot being assembled, and no room for it
      return nullptr;
    }
    dispatch(oldest, SlotDispatchReason::pool_pressure);
  }
  auto free = std::find(state_.begin(), state_.end(), BufferState::free);
  if (free == state_.end()) {
    if (ready_count_ == 0) {
      ++counters_.no_buffer; // the consumer holds every buffer
      return nullptr;
    }
    // Overwrite the oldest dispatched slot the consumer has not taken.
    const std::size_t index = ready_queue_[ready_head_];
    ready_head_ = (ready_head_ + 1) % ready_queue_.size();
    --ready_count_;
    ++counters_.slots_overrun;
    state_[index] = BufferState::free;
    free = state_.begin() + static_cast<std::ptrdiff_t>(index);
  }
  const auto index = static_cast<std::size_t>(free - state_.begin());
  state_[index] = BufferState::pending;
  reset_slot(slots_[index], absolute_slot);
  return &slots_[index];
}

void FronthaulSlotAssembler::reset_slot(AssembledSlot& slot, std::int64_t absolute_slot) {
  const std::int64_t cycle = clock_.slots_per_cycle();
  const auto in_cycle = static_cast<std::uint64_t>(((absolute_slot % cycle) + cycle) % cycle);
  const OranTimingHeader ids = clock_.timing_header(in_cycle, 0);
  slot.frame_id = ids.frame_id;
  slot.subframe_id = ids.subframe_id;
  slot.slot_id = ids.slot_id;
  slot.slot = clock_.slot_in_frame(absolute_slot);
  slot.absolute_slot = absolute_slot;
  slot.nominal_start_ns = clock_.slot_start_ns(*epoch_, absolute_slot);
  slot.reason = SlotDispatchReason::complete;
  slot.stats = {};
  std::size_t samples = 0;
  slot.units_expected_total_ = 0;
  for (unsigned l = 0; l < slot.num_symbols_; ++l) {
    slot.units_per_symbol_[l] = units_in_symbol(slot.slot, l);
    slot.units_expected_total_ += std::uint64_t{slot.units_per_symbol_[l]} * num_rx_;
    slot.symbol_sample_offset_[l] = samples;
    samples += config_.mode == FronthaulIngestMode::time_domain
                   ? numerology_.symbol_length(slot.slot, l)
                   : 0;
  }
  slot.symbol_sample_offset_[slot.num_symbols_] = samples;
  if (config_.mode == FronthaulIngestMode::time_domain) {
    slot.iq_samples_per_antenna = samples;
    slot.iq.resize(samples * num_rx_); // within the reserved capacity
  }
  std::fill(slot.received_count_.begin(), slot.received_count_.end(), 0);
  std::fill(slot.received_bits_.begin(), slot.received_bits_.end(), 0);
  slot.units_received_total_ = 0;
  slot.expected_received_ = 0;
  take_waiting_requests(slot); // with requests, only requested units are expected
}

void FronthaulSlotAssembler::dispatch(std::size_t index, SlotDispatchReason reason) {
  AssembledSlot& slot = slots_[index];
  slot.reason = reason;
  for (unsigned rx = 0; rx < num_rx_; ++rx) {
    for (unsigned l = 0; l < slot.num_symbols_; ++l) {
      const std::size_t row = slot.row(rx, l);
      if (slot.received_count_[row] == slot.units_per_symbol_[l]) {
        continue;
      }
      zero_missing_units(slot, rx, l); // also the units nobody asked for
      // Missing: expected units that did not arrive (with requests, requested ones only).
      unsigned expected = slot.units_per_symbol_[l];
      unsigned received = slot.received_count_[row];
      if (slot.requested_) {
        expected = slot.requested_count_[row];
        received = 0;
        for (std::size_t w = 0; w < slot.words_per_row_; ++w) {
          const std::size_t index = row * slot.words_per_row_ + w;
          received += static_cast<unsigned>(
              std::popcount(slot.requested_bits_[index] & slot.received_bits_[index]));
        }
      }
      if (received == expected) {
        continue;
      }
      slot.stats.missing_units += expected - received;
      ++slot.stats.incomplete_symbols;
      slot.stats.empty_symbols += received == 0 ? 1 : 0;
    }
  }
  counters_.missing_units += slot.stats.missing_units;
  counters_.incomplete_symbols += slot.stats.incomplete_symbols;
  switch (reason) {
  case SlotDispatchReason::complete:
    ++counters_.slots_complete;
    break;
  case SlotDispatchReason::deadline:
    ++counters_.slots_deadline;
    break;
  case SlotDispatchReason::pool_pressure:
    ++counters_.slots_pool_pressure;
    break;
  case SlotDispatchReason::flush:
    ++counters_.slots_flushed;
    break;
  }
  state_[index] = BufferState::ready;
  ready_queue_[(ready_head_ + ready_count_) % ready_queue_.size()] = index;
  ++ready_count_;
  dispatched_.record(slot.absolute_slot);
}

void FronthaulSlotAssembler::advance(std::int64_t now_ns) {
  if (!epoch_) {
    return;
  }
  for (;;) {
    std::size_t oldest = slots_.size();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (state_[i] == BufferState::pending && deadline_ns(slots_[i].absolute_slot) < now_ns &&
          (oldest == slots_.size() || slots_[i].absolute_slot < slots_[oldest].absolute_slot)) {
        oldest = i;
      }
    }
    if (oldest == slots_.size()) {
      return;
    }
    dispatch(oldest, SlotDispatchReason::deadline);
  }
}

void FronthaulSlotAssembler::flush() {
  for (;;) {
    std::size_t oldest = slots_.size();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (state_[i] == BufferState::pending &&
          (oldest == slots_.size() || slots_[i].absolute_slot < slots_[oldest].absolute_slot)) {
        oldest = i;
      }
    }
    if (oldest == slots_.size()) {
      return;
    }
    dispatch(oldest, SlotDispatchReason::flush);
  }
}

bool FronthaulSlotAssembler::dispatch_pending_before(std::int64_t absolute_slot) {
  bool any = false;
  for (;;) {
    std::size_t oldest = slots_.size();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (state_[i] == BufferState::pending && slots_[i].absolute_slot < absolute_slot &&
          (oldest == slots_.size() || slots_[i].absolute_slot < slots_[oldest].absolute_slot)) {
        oldest = i;
      }
    }
    if (oldest == slots_.size()) {
      return any;
    }
    dispatch(oldest, SlotDispatchReason::flush);
    any = true;
  }
}

void FronthaulSlotAssembler::give_up(std::int64_t absolute_slot) {
  // A slot still being assembled goes too: the consumer will not take it (it went on without
  // it), so its packets so far are too late as well, and its buffer is free.
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (state_[i] == BufferState::pending && slots_[i].absolute_slot == absolute_slot) {
      detail::uncount_dropped_slot(counters_, slots_[i].stats, &FronthaulCounters::too_late);
      ++counters_.slots_given_up;
      state_[i] = BufferState::free;
    }
  }
  dispatched_.record(absolute_slot);
}

const AssembledSlot* FronthaulSlotAssembler::next_slot() {
  if (ready_count_ == 0) {
    return nullptr;
  }
  const std::size_t index = ready_queue_[ready_head_];
  ready_head_ = (ready_head_ + 1) % ready_queue_.size();
  --ready_count_;
  state_[index] = BufferState::held;
  return &slots_[index];
}

const AssembledSlot* FronthaulSlotAssembler::next_slot_before(std::int64_t absolute_slot) {
  const std::size_t ring = ready_queue_.size();
  std::size_t best = ready_count_;
  for (std::size_t k = 0; k < ready_count_; ++k) {
    const AssembledSlot& slot = slots_[ready_queue_[(ready_head_ + k) % ring]];
    if (slot.absolute_slot < absolute_slot &&
        (best == ready_count_ ||
         slot.absolute_slot < slots_[ready_queue_[(ready_head_ + best) % ring]].absolute_slot)) {
      best = k;
    }
  }
  if (best == ready_count_) {
    return nullptr;
  }
  const std::size_t index = ready_queue_[(ready_head_ + best) % ring];
  // Out of the ring: the entries before it move up one place.
  for (std::size_t k = best; k > 0; --k) {
    ready_queue_[(ready_head_ + k) % ring] = ready_queue_[(ready_head_ + k - 1) % ring];
  }
  ready_head_ = (ready_head_ + 1) % ring;
  --ready_count_;
  state_[index] = BufferState::held;
  return &slots_[index];
}

void FronthaulSlotAssembler::release(const AssembledSlot* slot) {
  const std::less<const AssembledSlot*> before; // a total order even for foreign pointers
  if (slot == nullptr || before(slot, slots_.data()) ||
      !before(slot, slots_.data() + slots_.size())) {
    return;
  }
  const auto index = static_cast<std::size_t>(slot - slots_.data());
  if (state_[index] == BufferState::held) {
    state_[index] = BufferState::free;
  }
}

AssembledSlot& FronthaulSlotAssembler::held_slot(const AssembledSlot* slot) {
  // std::less: a total order even for pointers into other objects.
  const std::less<const AssembledSlot*> before;
  if (slot == nullptr || before(slot, slots_.data()) ||
      !before(slot, slots_.data() + slots_.size()) ||
      state_[static_cast<std::size_t>(slot - slots_.data())] != BufferState::held) {
    throw std::invalid_argument("FronthaulSlotAssembler: not a slot taken with next_slot()");
  }
  return slots_[static_cast<std::size_t>(slot - slots_.data())];
}

} // namespace airan::io
