/// \file
/// \brief FronthaulSlotAssembler: U-plane sections into a slot's grid or IQ, coverage bitmaps,
/// zero-filling what never arrived; the AssembledSlot coverage queries.
#include "airan/io/fronthaul_slot_assembler.h"

#include <algorithm>
#include <bit>

namespace airan::io {
namespace {

constexpr unsigned re_per_unit = phy::subcarriers_per_prb;

} // namespace

bool AssembledSlot::unit_received(unsigned rx, unsigned symbol, unsigned unit) const {
  if (rx >= num_rx_ || symbol >= num_symbols_ || unit >= units_per_symbol_[symbol]) {
    return false;
  }
  const std::uint64_t word = received_bits_[row(rx, symbol) * words_per_row_ + unit / 64];
  return ((word >> (unit % 64)) & 1U) != 0;
}

bool AssembledSlot::units_received(unsigned rx, unsigned symbol, unsigned first,
                                   unsigned count) const {
  for (unsigned u = first; u < first + count; ++u) {
    if (!unit_received(rx, symbol, u)) {
      return false;
    }
  }
  return true;
}

bool AssembledSlot::allocation_received(unsigned first_prb, unsigned num_prbs,
                                        unsigned first_symbol, unsigned num_symbols) const {
  for (unsigned rx = 0; rx < num_rx_; ++rx) {
    for (unsigned l = first_symbol; l < first_symbol + num_symbols; ++l) {
      if (l >= num_symbols_) {
        return false;
      }
      const bool ok = mode == FronthaulIngestMode::frequency_domain
                          ? units_received(rx, l, first_prb, num_prbs)
                          : received_count_[row(rx, l)] == units_per_symbol_[l];
      if (!ok) {
        return false;
      }
    }
  }
  return true;
}

unsigned FronthaulSlotAssembler::write_section(AssembledSlot& slot, unsigned rx, unsigned symbol,
                                               const UplaneSectionView& section) {
  const unsigned stride = section.header.every_other_prb ? 2 : 1;
  const unsigned start = section.header.start_prb;
  if (config_.mode == FronthaulIngestMode::frequency_domain) {
    decompress_section(section, *compressor_, config_.full_scale, slot.grid.symbol(rx, symbol));
  } else if (stride == 1) {
    write_time_units(slot, rx, symbol, section, 0, section.num_prbs);
  } else {
    for (unsigned k = 0; k < section.num_prbs; ++k) {
      write_time_units(slot, rx, symbol, section, k, 1);
    }
  }
  // Coverage: mark the units, count the new ones.
  const std::size_t row = slot.row(rx, symbol);
  std::uint64_t* bits = slot.received_bits_.data() + row * slot.words_per_row_;
  unsigned fresh = 0;
  for (unsigned k = 0; k < section.num_prbs; ++k) {
    const unsigned unit = start + k * stride;
    const std::uint64_t mask = std::uint64_t{1} << (unit % 64);
    if ((bits[unit / 64] & mask) == 0) {
      bits[unit / 64] |= mask;
      ++fresh;
      // With C-plane requests only requested units complete the slot.
      if (!slot.requested_ ||
          (slot.requested_bits_[row * slot.words_per_row_ + unit / 64] & mask) != 0) {
        ++slot.expected_received_;
      }
    }
  }
  const unsigned duplicates = section.num_prbs - fresh;
  slot.received_count_[row] = static_cast<std::uint16_t>(slot.received_count_[row] + fresh);
  slot.units_received_total_ += fresh;
  slot.stats.duplicate_units += duplicates;
  counters_.units += fresh;
  counters_.duplicate_units += duplicates;
  return fresh;
}

void FronthaulSlotAssembler::write_time_units(AssembledSlot& slot, unsigned rx, unsigned symbol,
                                              const UplaneSectionView& section, unsigned first,
                                              unsigned count) {
  // Units first .. first + count - 1 of the section; unit k of the section is block
  // startPrbu + k * stride of the symbol (stride 2 is only ever called with count 1).
  const unsigned stride = section.header.every_other_prb ? 2 : 1;
  const unsigned block = section.header.start_prb + first * stride;
  const std::size_t prb_bytes = section.prbs.size() / section.num_prbs;
  const std::size_t symbol_begin = slot.symbol_sample_offset_[symbol];
  const std::size_t symbol_samples = slot.symbol_sample_offset_[symbol + 1] - symbol_begin;
  phy::cf32* out = slot.iq.data() + rx * slot.iq_samples_per_antenna + symbol_begin;
  const std::size_t whole_blocks = symbol_samples / re_per_unit;
  // Blocks that lie wholly inside the symbol go straight into the IQ.
  const unsigned direct =
      block >= whole_blocks
          ? 0
          : static_cast<unsigned>(std::min<std::size_t>(count, whole_blocks - block));
  if (direct > 0) {
    compressor_->decompress(
        section.prbs.subspan(first * prb_bytes, direct * prb_bytes), section.compression,
        config_.full_scale,
        std::span(out + std::size_t{block} * re_per_unit, std::size_t{direct} * re_per_unit));
  }
  if (direct < count) {
    // The symbol's last, partial block (check_sections() keeps every block inside the symbol).
    compressor_->decompress(section.prbs.subspan((first + direct) * prb_bytes, prb_bytes),
                            section.compression, config_.full_scale, std::span(scratch_));
    const std::size_t offset = std::size_t{block + direct} * re_per_unit;
    std::copy_n(scratch_.begin(), symbol_samples - offset, out + offset);
  }
}

void FronthaulSlotAssembler::zero_missing_units(AssembledSlot& slot, unsigned rx, unsigned symbol) {
  const unsigned units = slot.units_per_symbol_[symbol];
  const std::uint64_t* bits =
      slot.received_bits_.data() + slot.row(rx, symbol) * slot.words_per_row_;
  for (unsigned unit = 0; unit < units; ++unit) {
    if (((bits[unit / 64] >> (unit % 64)) & 1U) != 0) {
      continue;
    }
    if (config_.mode == FronthaulIngestMode::frequency_domain) {
      std::fill_n(slot.grid.symbol(rx, symbol).begin() + std::size_t{unit} * re_per_unit,
                  re_per_unit, phy::cf32{});
    } else {
      const std::size_t begin = slot.symbol_sample_offset_[symbol];
      const std::size_t samples = slot.symbol_sample_offset_[symbol + 1] - begin;
      const std::size_t offset = std::size_t{unit} * re_per_unit;
      phy::cf32* out = slot.iq.data() + rx * slot.iq_samples_per_antenna + begin + offset;
      std::fill_n(out, std::min<std::size_t>(re_per_unit, samples - offset), phy::cf32{});
    }
  }
}

} // namespace airan::io
