/// \file
/// \brief Which absolute slots a slot assembler is done with (dispatched or given up on), so
/// that no slot is assembled and dispatched twice however late a copy of its packets comes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace airan::io {

/// The slots an assembler dispatched or gave up on: the newest of them (the horizon) and, for
/// the reorder window of window_slots() slots up to and including it, exactly which. A slot in
/// the window that is not recorded may still open (packets reordered across slots); one further
/// behind the horizon counts as done whether it was recorded or not. Memory is allocated at
/// construction only: record() and done() never allocate.
class FronthaulDispatchRecord {
public:
  /// A record with a reorder window of \p window_slots slots.
  /// \throws std::invalid_argument when \p window_slots is not positive.
  explicit FronthaulDispatchRecord(std::int64_t window_slots);

  /// Records absolute slot \p absolute_slot as done. A slot past the horizon becomes the new
  /// horizon (the window slides with it); one behind the window is done already.
  void record(std::int64_t absolute_slot);
  /// Whether absolute slot \p absolute_slot is done: recorded, or at least window_slots() slots
  /// behind the horizon. Nothing is done before the first record() (and after clear()).
  [[nodiscard]] bool done(std::int64_t absolute_slot) const;
  /// The newest slot recorded since construction or clear(); nullopt before the first.
  [[nodiscard]] std::optional<std::int64_t> horizon() const { return horizon_; }
  /// How many slots up to the horizon the record tells apart.
  [[nodiscard]] std::int64_t window_slots() const { return window_slots_; }
  /// Forgets every slot (a new time line: the old slot numbers say nothing about new ones).
  void clear();

private:
  [[nodiscard]] std::size_t bit_index(std::int64_t absolute_slot) const;
  void set_bit(std::int64_t absolute_slot, bool value);
  [[nodiscard]] bool bit(std::int64_t absolute_slot) const;

  std::int64_t window_slots_;
  std::optional<std::int64_t> horizon_;
  /// One bit per slot of the window, slot s at s mod window_slots_.
  std::vector<std::uint64_t> recorded_bits_;
};

} // namespace airan::io
