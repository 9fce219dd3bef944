/// \file
/// \brief FronthaulDispatchRecord: a horizon and a ring of one bit per slot of the window
/// behind it.
#include "airan/io/fronthaul_dispatch_record.h"

#include <algorithm>
#include <stdexcept>

namespace airan::io {

namespace {

constexpr std::int64_t bits_per_word = 64;

} // namespace

FronthaulDispatchRecord::FronthaulDispatchRecord(std::int64_t window_slots)
    : window_slots_(window_slots) {
  if (window_slots < 1) {
    throw std::invalid_argument("FronthaulDispatchRecord: the window must hold a slot");
  }
  recorded_bits_.assign(
      static_cast<std::size_t>((window_slots + bits_per_word - 1) / bits_per_word), 0);
}

std::size_t FronthaulDispatchRecord::bit_index(std::int64_t absolute_slot) const {
  return static_cast<std::size_t>(((absolute_slot % window_slots_) + window_slots_) %
                                  window_slots_);
}

void FronthaulDispatchRecord::set_bit(std::int64_t absolute_slot, bool value) {
  const std::size_t index = bit_index(absolute_slot);
  const std::uint64_t mask = std::uint64_t{1} << (index % bits_per_word);
  std::uint64_t& word = recorded_bits_[index / bits_per_word];
  word = value ? (word | mask) : (word & ~mask);
}

bool FronthaulDispatchRecord::bit(std::int64_t absolute_slot) const {
  const std::size_t index = bit_index(absolute_slot);
  return ((recorded_bits_[index / bits_per_word] >> (index % bits_per_word)) & 1U) != 0;
}

void FronthaulDispatchRecord::record(std::int64_t absolute_slot) {
  if (horizon_ && absolute_slot <= *horizon_) {
    if (*horizon_ - absolute_slot < window_slots_) {
      set_bit(absolute_slot, true);
    }
    return; // further back it is done already
  }
  // The window slides on: the slots it takes in are not recorded yet (their bits still held
  // the slots that left it behind).
  if (!horizon_ || absolute_slot - *horizon_ >= window_slots_) {
    std::fill(recorded_bits_.begin(), recorded_bits_.end(), 0);
  } else {
    for (std::int64_t slot = *horizon_ + 1; slot < absolute_slot; ++slot) {
      set_bit(slot, false);
    }
  }
  horizon_ = absolute_slot;
  set_bit(absolute_slot, true);
}

bool FronthaulDispatchRecord::done(std::int64_t absolute_slot) const {
  if (!horizon_ || absolute_slot > *horizon_) {
    return false;
  }
  return *horizon_ - absolute_slot >= window_slots_ || bit(absolute_slot);
}

void FronthaulDispatchRecord::clear() {
  horizon_.reset();
  std::fill(recorded_bits_.begin(), recorded_bits_.end(), 0);
}

} // namespace airan::io
