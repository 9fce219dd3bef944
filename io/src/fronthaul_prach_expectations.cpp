/// \file
/// \brief FronthaulPrachAssembler: the occasions the DU's type 3 C-plane asks for (one
/// expectation per cycle slot and sectionId, its antennas added one eAxC at a time), the entry
/// pool, dispatch, deadlines, flush and the consumer queue. PRACH U-plane into the occasions is
/// in fronthaul_prach_assembler.cpp.
#include "fronthaul_prach_entry.h"

#include <algorithm>

namespace airan::io {
namespace {

constexpr std::uint16_t prach_full_re_mask = 0xFFF;

/// Whether two requests for one occasion (two antennas' sections) ask for the same thing.
bool same_prach_request(const OranPrachWindow& a, const OranPrachWindow& b) {
  return a.start == b.start && a.period_length == b.period_length &&
         a.num_periods == b.num_periods && a.first_bin == b.first_bin && a.num_res == b.num_res &&
         a.filter_index == b.filter_index;
}

} // namespace

std::optional<unsigned> FronthaulPrachAssembler::prach_antenna(std::uint16_t eaxc_id) const {
  const EaxcId eaxc = unpack_eaxc_id(eaxc_id, config_.eaxc_layout);
  const unsigned first = config_.prach_first_ru_port(num_rx_);
  if (eaxc.du_port != config_.du_port || eaxc.band_sector != config_.band_sector ||
      eaxc.cc != config_.cc || eaxc.ru_port < first || eaxc.ru_port >= first + num_rx_) {
    return std::nullopt;
  }
  return eaxc.ru_port - first;
}

unsigned FronthaulPrachAssembler::expect_cplane_frame(std::span<const std::uint8_t> frame) {
  const auto parsed = parse_ecpri_frame(frame);
  if (!parsed.ok()) {
    return 0;
  }
  unsigned taken = 0;
  for_each_ecpri_message(frame, parsed.frame, [&](const EcpriMessageView& message) {
    taken += take_cplane_message(message);
  });
  return taken;
}

unsigned FronthaulPrachAssembler::take_cplane_message(const EcpriMessageView& message) {
  if (message.header.type != EcpriMessageType::real_time_control) {
    return 0;
  }
  const auto parsed = parse_cplane_message(message.application_payload);
  if (!parsed.ok()) {
    return 0;
  }
  const CplaneMessageHeader& header = parsed.message.header;
  if (header.section_type != CplaneSectionType::prach_mixed_numerology ||
      header.timing.filter_index == 0 || header.timing.direction != DataDirection::uplink) {
    return 0; // PUSCH (or downlink) requests: not this assembler's
  }
  const auto antenna = prach_antenna(message.header.eaxc_id);
  if (!antenna) {
    return 0; // another carrier's, or a PUSCH eAxC
  }
  const auto cycle_slot = clock_.cycle_slot(header.timing);
  unsigned taken = 0;
  for (const auto& view : parsed.message.sections) {
    if (cycle_slot && expect_section(header, view.section, *cycle_slot, *antenna)) {
      ++taken;
    } else {
      ++counters_.expect_refused;
    }
  }
  return taken;
}

bool FronthaulPrachAssembler::expect_section(const CplaneMessageHeader& header,
                                             const CplaneSection& section, unsigned cycle_slot,
                                             unsigned antenna) {
  // What the U-plane of this occasion will look like must fit an entry: startSymbolId is per
  // message (no symInc), every RE of every PRB (no reMask), at most 96 PRBs, 12 periods and 384
  // PRBs over the periods (every NR format fits).
  if (section.symbol_increment || section.re_mask != prach_full_re_mask ||
      section.num_prbs > prach_max_section_prbs || section.num_symbols > prach_max_periods ||
      unsigned{section.num_prbs} * section.num_symbols > prach_max_prb_periods) {
    return false;
  }
  const OranPrachWindowResult request =
      oran_prach_window(numerology_, cell_.num_prbs, header, section);
  if (!request.error.empty()) {
    return false;
  }
  const auto antenna_bit = static_cast<std::uint16_t>(1U << antenna);
  if (Entry* entry = find_pending(cycle_slot, section.section_id); entry != nullptr) {
    if (!same_prach_request(entry->window, request.window) ||
        entry->occasion.start_symbol != header.timing.symbol_id ||
        entry->occasion.frequency_offset != section.frequency_offset) {
      return false; // the antennas of one occasion disagree
    }
    entry->antennas |= antenna_bit;
    return true;
  }
  // The values first: without room for them nothing is pushed out to make room for the entry.
  const std::size_t units = std::size_t{section.num_prbs} * request.window.num_periods;
  const std::optional<std::size_t> first_unit = free_values(units);
  Entry* entry = first_unit ? open_entry() : nullptr; // which only frees units
  if (entry == nullptr) {
    ++counters_.no_room;
    return false;
  }
  take_values(*entry, *first_unit, units);
  entry->state = Entry::State::pending;
  entry->window = request.window;
  entry->num_prbs = section.num_prbs;
  entry->antennas = antenna_bit;
  entry->opened = next_opened_++;
  entry->prbs_received = 0;
  const auto rate = static_cast<std::uint64_t>(numerology_.sample_rate_hz());
  entry->window_end_ns =
      static_cast<std::int64_t>((request.window.end() * 1'000'000'000U + rate - 1) / rate);
  AssembledPrach& occasion = entry->occasion;
  occasion.cycle_slot = cycle_slot;
  occasion.start_symbol = header.timing.symbol_id;
  occasion.filter_index = header.timing.filter_index;
  occasion.section_id = section.section_id;
  occasion.frequency_offset = section.frequency_offset;
  occasion.num_antennas = num_rx_;
  occasion.num_periods = request.window.num_periods;
  occasion.num_res = request.window.num_res;
  occasion.missing_prbs = 0;
  const std::size_t used = std::size_t{num_rx_} * occasion.num_periods * occasion.num_res;
  std::fill_n(entry->values, used, phy::cf32{});
  occasion.values = std::span<const phy::cf32>(entry->values, used);
  std::fill(entry->received.begin(), entry->received.end(), 0);
  ++counters_.expected;
  return true;
}

FronthaulPrachAssembler::Entry* FronthaulPrachAssembler::find_pending(unsigned cycle_slot,
                                                                      std::uint16_t section_id) {
  for (Entry& entry : entries_) {
    if (entry.state == Entry::State::pending && entry.occasion.cycle_slot == cycle_slot &&
        entry.occasion.section_id == section_id) {
      return &entry;
    }
  }
  return nullptr;
}

bool FronthaulPrachAssembler::window_ended(const Entry& entry, std::int64_t now_slot) const {
  if (!now_ns_) {
    return false; // no time yet: every window may still be to come
  }
  const std::int64_t slot = clock_.resolve(entry.occasion.cycle_slot, now_slot);
  return clock_.slot_start_ns(epoch_ns_, slot) + entry.window_end_ns <= *now_ns_;
}

FronthaulPrachAssembler::Entry* FronthaulPrachAssembler::open_entry() {
  // An occasion whose window is still open (or to come) keeps its entry: the O-RU has not sent
  // it yet. Only one whose window ended may leave, partial, to make room.
  const std::int64_t now_slot = now_ns_ ? clock_.absolute_slot_at(epoch_ns_, *now_ns_) : 0;
  Entry* oldest_ended = nullptr;
  unsigned pending = 0;
  for (Entry& entry : entries_) {
    if (entry.state == Entry::State::pending) {
      ++pending;
      if ((oldest_ended == nullptr || entry.opened < oldest_ended->opened) &&
          window_ended(entry, now_slot)) {
        oldest_ended = &entry;
      }
    }
  }
  if (pending >= max_occasions_) {
    if (oldest_ended == nullptr) {
      return nullptr; // every pending occasion's window is still open
    }
    dispatch(*oldest_ended); // partial, to make room
  }
  const auto free = std::find_if(entries_.begin(), entries_.end(), [](const Entry& entry) {
    return entry.state == Entry::State::free;
  });
  if (free != entries_.end()) {
    return &*free;
  }
  if (ready_count_ == 0) {
    return nullptr; // the consumer holds every entry that is not pending
  }
  // Overwrite the oldest dispatched occasion the consumer has not taken.
  const std::size_t index = ready_queue_[ready_head_];
  ready_head_ = (ready_head_ + 1) % ready_queue_.size();
  --ready_count_;
  ++counters_.dropped;
  free_entry(entries_[index]);
  return &entries_[index];
}

std::optional<std::size_t> FronthaulPrachAssembler::free_values(std::size_t units) const {
  constexpr std::uint64_t all_used = ~std::uint64_t{0};
  std::size_t run = 0;
  for (std::size_t unit = 0; unit < arena_units_; ++unit) {
    const std::uint64_t word = arena_used_[unit / 64];
    if (unit % 64 == 0 && word == all_used) {
      run = 0;
      unit += 63; // a whole word in use
      continue;
    }
    if (((word >> (unit % 64)) & 1U) != 0) {
      run = 0;
      continue;
    }
    if (++run == units) {
      return unit + 1 - units;
    }
  }
  return std::nullopt;
}

void FronthaulPrachAssembler::take_values(Entry& entry, std::size_t first_unit, std::size_t units) {
  for (std::size_t u = first_unit; u < first_unit + units; ++u) {
    arena_used_[u / 64] |= std::uint64_t{1} << (u % 64);
  }
  entry.first_unit = first_unit;
  entry.units = units;
  entry.values = arena_.data() + first_unit * num_rx_ * phy::subcarriers_per_prb;
}

void FronthaulPrachAssembler::free_entry(Entry& entry) {
  for (std::size_t u = entry.first_unit; u < entry.first_unit + entry.units; ++u) {
    arena_used_[u / 64] &= ~(std::uint64_t{1} << (u % 64));
  }
  entry.values = nullptr;
  entry.units = 0;
  entry.state = Entry::State::free;
}

void FronthaulPrachAssembler::dispatch(Entry& entry) {
  const std::uint64_t missing = entry.expected_prbs() - entry.prbs_received;
  entry.occasion.missing_prbs = static_cast<unsigned>(missing);
  if (missing == 0) {
    ++counters_.complete;
  } else {
    ++counters_.partial;
    counters_.missing_prbs += missing;
  }
  entry.state = Entry::State::ready;
  ready_queue_[(ready_head_ + ready_count_) % ready_queue_.size()] =
      static_cast<std::size_t>(&entry - entries_.data());
  ++ready_count_;
}

void FronthaulPrachAssembler::advance(std::int64_t now_ns, std::int64_t epoch_ns) {
  now_ns_ = now_ns;
  epoch_ns_ = epoch_ns;
  const std::int64_t now_slot = clock_.absolute_slot_at(epoch_ns, now_ns);
  for (;;) {
    // The overdue occasion whose deadline came first.
    Entry* first = nullptr;
    std::int64_t first_deadline = 0;
    for (Entry& entry : entries_) {
      if (entry.state != Entry::State::pending) {
        continue;
      }
      const std::int64_t slot = clock_.resolve(entry.occasion.cycle_slot, now_slot);
      const std::int64_t deadline =
          clock_.slot_start_ns(epoch_ns, slot) + entry.window_end_ns + config_.slot_deadline_ns;
      if (deadline < now_ns && (first == nullptr || deadline < first_deadline)) {
        first = &entry;
        first_deadline = deadline;
      }
    }
    if (first == nullptr) {
      return;
    }
    dispatch(*first);
  }
}

void FronthaulPrachAssembler::flush() {
  for (;;) {
    Entry* oldest = nullptr;
    for (Entry& entry : entries_) {
      if (entry.state == Entry::State::pending &&
          (oldest == nullptr || entry.opened < oldest->opened)) {
        oldest = &entry;
      }
    }
    if (oldest == nullptr) {
      return;
    }
    dispatch(*oldest);
  }
}

const AssembledPrach* FronthaulPrachAssembler::next_occasion() {
  if (ready_count_ == 0) {
    return nullptr;
  }
  const std::size_t index = ready_queue_[ready_head_];
  ready_head_ = (ready_head_ + 1) % ready_queue_.size();
  --ready_count_;
  entries_[index].state = Entry::State::held;
  return &entries_[index].occasion;
}

void FronthaulPrachAssembler::release(const AssembledPrach* occasion) {
  for (Entry& entry : entries_) {
    if (&entry.occasion == occasion && entry.state == Entry::State::held) {
      free_entry(entry);
      return;
    }
  }
}

std::size_t FronthaulPrachAssembler::pending() const {
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(),
                    [](const Entry& entry) { return entry.state == Entry::State::pending; }));
}

} // namespace airan::io
