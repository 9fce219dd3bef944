/// \file
/// \brief FronthaulSlotAssembler: the DU's C-plane requests (expect_sections()): which units a
/// slot must carry when the O-RU sends only what it was asked for.
#include "airan/io/fronthaul_slot_assembler.h"

#include <algorithm>
#include <bit>

namespace airan::io {
namespace {

/// The slot of the 256-frame cycle that absolute slot \p absolute is.
unsigned slot_of_cycle(std::int64_t absolute, const FronthaulSlotClock& clock) {
  const std::int64_t cycle = clock.slots_per_cycle();
  return static_cast<unsigned>(((absolute % cycle) + cycle) % cycle);
}

} // namespace

bool AssembledSlot::unit_expected(unsigned rx, unsigned symbol, unsigned unit) const {
  if (rx >= num_rx_ || symbol >= num_symbols_ || unit >= units_per_symbol_[symbol]) {
    return false;
  }
  if (!requested_) {
    return true;
  }
  const std::uint64_t word = requested_bits_[row(rx, symbol) * words_per_row_ + unit / 64];
  return ((word >> (unit % 64)) & 1U) != 0;
}

void FronthaulSlotAssembler::allocate_requests() {
  if (config_.mode != FronthaulIngestMode::frequency_domain) {
    return;
  }
  const std::size_t bits = slots_.front().received_bits_.size();
  for (AssembledSlot& slot : slots_) {
    slot.requested_count_.assign(slot.received_count_.size(), 0);
    slot.requested_bits_.assign(bits, 0);
  }
  // Room for the requests of twice the pool's slots ahead of their packets.
  waiting_.resize(2 * slots_.size());
  for (WaitingRequests& w : waiting_) {
    w.bits.assign(bits, 0);
  }
  request_scratch_.assign(bits, 0);
}

bool FronthaulSlotAssembler::mark_request(const RuSectionRequest& request,
                                          std::span<std::uint64_t> bits) const {
  const CplaneSection& section = request.section;
  const unsigned symbols = clock_.symbols_per_slot();
  const unsigned first_prb = section.start_prb;
  // numPrbc 0: every PRB of the carrier (from PRB 0: take_cplane_frame() and the O-RU agree).
  const unsigned num_prbs =
      section.num_prbs == 0 ? (first_prb == 0 ? cell_.num_prbs : 0) : section.num_prbs;
  if (request.ru_port >= num_rx_ || section.every_other_prb || section.num_symbols == 0 ||
      num_prbs == 0 || first_prb + num_prbs > cell_.num_prbs ||
      request.start_symbol + section.num_symbols > symbols) {
    return false;
  }
  const std::size_t words = slots_.front().words_per_row_;
  for (unsigned l = request.start_symbol; l < request.start_symbol + section.num_symbols; ++l) {
    std::uint64_t* row = bits.data() + (std::size_t{request.ru_port} * symbols + l) * words;
    for (unsigned prb = first_prb; prb < first_prb + num_prbs; ++prb) {
      row[prb / 64] |= std::uint64_t{1} << (prb % 64);
    }
  }
  return true;
}

void FronthaulSlotAssembler::count_requested_units(AssembledSlot& slot) const {
  slot.units_expected_total_ = 0;
  slot.expected_received_ = 0;
  for (std::size_t row = 0; row < slot.requested_count_.size(); ++row) {
    unsigned requested = 0;
    unsigned received = 0;
    for (std::size_t w = 0; w < slot.words_per_row_; ++w) {
      const std::size_t index = row * slot.words_per_row_ + w;
      requested += static_cast<unsigned>(std::popcount(slot.requested_bits_[index]));
      received += static_cast<unsigned>(
          std::popcount(slot.requested_bits_[index] & slot.received_bits_[index]));
    }
    slot.requested_count_[row] = static_cast<std::uint16_t>(requested);
    slot.units_expected_total_ += requested;
    slot.expected_received_ += received;
  }
}

bool FronthaulSlotAssembler::expect_sections(unsigned cycle_slot,
                                             std::span<const RuSectionRequest> requests) {
  if (config_.mode != FronthaulIngestMode::frequency_domain ||
      cycle_slot >= clock_.slots_per_cycle()) {
    ++counters_.requests_refused;
    return false;
  }
  std::ranges::fill(request_scratch_, 0);
  bool all_taken = true;
  bool any = false;
  for (const RuSectionRequest& request : requests) {
    const bool taken = mark_request(request, request_scratch_);
    all_taken = all_taken && taken;
    any = any || taken;
  }
  if (!any) {
    counters_.requests_refused += all_taken ? 0 : 1;
    return all_taken;
  }
  // A slot being assembled takes them at once.
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    AssembledSlot& slot = slots_[i];
    if (state_[i] != BufferState::pending ||
        slot_of_cycle(slot.absolute_slot, clock_) != cycle_slot) {
      continue;
    }
    if (!slot.requested_) {
      std::ranges::fill(slot.requested_bits_, 0);
      slot.requested_ = true;
      ++counters_.requested_slots;
    }
    for (std::size_t w = 0; w < request_scratch_.size(); ++w) {
      slot.requested_bits_[w] |= request_scratch_[w];
    }
    count_requested_units(slot);
    if (slot.complete()) {
      dispatch(i, SlotDispatchReason::complete);
    }
    counters_.requests_refused += all_taken ? 0 : 1;
    return all_taken;
  }
  auto entry = std::ranges::find_if(
      waiting_, [&](const WaitingRequests& w) { return w.used && w.cycle_slot == cycle_slot; });
  if (entry == waiting_.end()) {
    entry = std::ranges::find_if(waiting_, [](const WaitingRequests& w) { return !w.used; });
    if (entry == waiting_.end()) {
      ++counters_.requests_refused;
      return false;
    }
    entry->used = true;
    entry->cycle_slot = cycle_slot;
    std::ranges::fill(entry->bits, 0);
  }
  for (std::size_t w = 0; w < request_scratch_.size(); ++w) {
    entry->bits[w] |= request_scratch_[w];
  }
  counters_.requests_refused += all_taken ? 0 : 1;
  return all_taken;
}

bool FronthaulSlotAssembler::has_requests(unsigned cycle_slot) const {
  for (const WaitingRequests& w : waiting_) {
    if (w.used && w.cycle_slot == cycle_slot) {
      return true;
    }
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const AssembledSlot& slot = slots_[i];
    if (state_[i] == BufferState::pending && slot.requested_ &&
        slot_of_cycle(slot.absolute_slot, clock_) == cycle_slot) {
      return true;
    }
  }
  return false;
}

void FronthaulSlotAssembler::drop_requests() {
  for (WaitingRequests& w : waiting_) {
    if (w.used) {
      w.used = false;
      ++counters_.requested_slots_unserved;
    }
  }
}

bool FronthaulSlotAssembler::drop_requests(unsigned cycle_slot) {
  for (WaitingRequests& w : waiting_) {
    if (w.used && w.cycle_slot == cycle_slot) {
      w.used = false;
      ++counters_.requested_slots_unserved;
      return true;
    }
  }
  return false;
}

void FronthaulSlotAssembler::take_waiting_requests(AssembledSlot& slot) {
  slot.requested_ = false;
  if (waiting_.empty()) {
    return;
  }
  const unsigned own = slot_of_cycle(slot.absolute_slot, clock_);
  for (WaitingRequests& w : waiting_) {
    if (!w.used) {
      continue;
    }
    if (w.cycle_slot == own) {
      std::ranges::copy(w.bits, slot.requested_bits_.begin());
      slot.requested_ = true;
      w.used = false;
      ++counters_.requested_slots;
    } else if (clock_.cycle_distance(w.cycle_slot, own) <
               -std::int64_t{config_.max_slots_in_flight}) {
      // Its slot's packets never came, and those of a slot more than the slots in flight later
      // do (a nearer one's may overtake its first: packets reorder).
      w.used = false;
      ++counters_.requested_slots_unserved;
    }
  }
  if (slot.requested_) {
    count_requested_units(slot);
  }
}

} // namespace airan::io
