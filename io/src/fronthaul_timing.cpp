/// \file
/// \brief The fronthaul slot clock.
#include "airan/io/fronthaul_timing.h"

#include <stdexcept>

namespace airan::io {
namespace {

/// Floor division for a positive divisor.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  return a - floor_div(a, b) * b;
}

/// \p mu, checked before any shift by it.
unsigned checked_numerology(unsigned mu) {
  if (mu > phy::max_numerology) {
    throw std::invalid_argument("FronthaulSlotClock: numerology above 6");
  }
  return mu;
}

} // namespace

FronthaulSlotClock::FronthaulSlotClock(unsigned mu, phy::CyclicPrefix cp)
    : mu_(checked_numerology(mu)), symbols_per_slot_(phy::symbols_per_slot(cp)),
      slot_ns_(1'000'000 >> mu_) {
  // Lengths in samples at a 4096-point FFT (every CP a whole number of samples for mu <= 6),
  // converted to ns at that sample rate and rounded.
  constexpr unsigned fft = 4096;
  const phy::Numerology numerology(mu, cp, fft); // throws for extended CP with mu != 2
  const std::int64_t rate_hz = std::int64_t{fft} * phy::subcarrier_spacing_hz(mu);
  const auto fill = [&](unsigned slot, auto& offsets) {
    std::int64_t samples = 0;
    for (unsigned l = 0; l < symbols_per_slot_; ++l) {
      offsets[l] = (samples * 1'000'000'000 + rate_hz / 2) / rate_hz;
      samples += numerology.symbol_length(slot, l);
    }
    offsets[symbols_per_slot_] = (samples * 1'000'000'000 + rate_hz / 2) / rate_hz;
  };
  fill(0, first_slot_offsets_);
  std::int64_t samples = 0;
  for (unsigned slot = 0; slot <= phy::slots_per_subframe(mu); ++slot) {
    slot_offsets_[slot] = (samples * 1'000'000'000 + rate_hz / 2) / rate_hz;
    samples += slot < phy::slots_per_subframe(mu) ? numerology.slot_length(slot) : 0;
  }
  // Slot 1 of the subframe is not the first of a half subframe for mu >= 2; for mu 0 and 1
  // every slot is, and slot 1 gives the same offsets as slot 0.
  fill(phy::slots_per_subframe(mu) > 1 ? 1 : 0, other_slot_offsets_);
}

std::optional<unsigned> FronthaulSlotClock::cycle_slot(const OranTimingHeader& timing) const {
  if (timing.subframe_id >= 10 || timing.slot_id >= phy::slots_per_subframe(mu_) ||
      timing.symbol_id >= symbols_per_slot_) {
    return std::nullopt;
  }
  return (unsigned{timing.frame_id} * 10 + timing.subframe_id) * phy::slots_per_subframe(mu_) +
         timing.slot_id;
}

OranTimingHeader FronthaulSlotClock::timing_header(std::uint64_t slot, unsigned symbol) const {
  const std::uint64_t per_subframe = phy::slots_per_subframe(mu_);
  const std::uint64_t subframe = slot / per_subframe;
  OranTimingHeader header;
  header.direction = DataDirection::uplink;
  header.frame_id = static_cast<std::uint8_t>((subframe / 10) % oran_frames_per_cycle);
  header.subframe_id = static_cast<std::uint8_t>(subframe % 10);
  header.slot_id = static_cast<std::uint8_t>(slot % per_subframe);
  header.symbol_id = static_cast<std::uint8_t>(symbol);
  return header;
}

unsigned FronthaulSlotClock::slot_in_frame(std::int64_t absolute_slot) const {
  return static_cast<unsigned>(floor_mod(absolute_slot, slots_per_frame()));
}

namespace {

bool long_first_symbol(unsigned mu, unsigned slot_in_frame) {
  // The first slot of each half subframe: (slot mod 2^mu) * 14 is a multiple of 7 * 2^mu.
  const unsigned in_subframe = slot_in_frame % phy::slots_per_subframe(mu);
  return mu == 0 || in_subframe % (phy::slots_per_subframe(mu) / 2) == 0;
}

} // namespace

std::int64_t FronthaulSlotClock::symbol_offset_ns(unsigned slot_in_frame, unsigned symbol) const {
  const auto& offsets =
      long_first_symbol(mu_, slot_in_frame) ? first_slot_offsets_ : other_slot_offsets_;
  return offsets[symbol < symbols_per_slot_ ? symbol : symbols_per_slot_];
}

std::int64_t FronthaulSlotClock::symbol_duration_ns(unsigned slot_in_frame, unsigned symbol) const {
  return symbol_offset_ns(slot_in_frame, symbol + 1) - symbol_offset_ns(slot_in_frame, symbol);
}

std::int64_t FronthaulSlotClock::symbol_start_ns(std::int64_t epoch_ns, std::int64_t absolute_slot,
                                                 unsigned symbol) const {
  return slot_start_ns(epoch_ns, absolute_slot) +
         symbol_offset_ns(slot_in_frame(absolute_slot), symbol);
}

std::int64_t FronthaulSlotClock::slot_start_ns(std::int64_t epoch_ns,
                                               std::int64_t absolute_slot) const {
  const std::int64_t per_subframe = phy::slots_per_subframe(mu_);
  return epoch_ns + floor_div(absolute_slot, per_subframe) * 1'000'000 +
         slot_offsets_[floor_mod(absolute_slot, per_subframe)];
}

std::int64_t FronthaulSlotClock::absolute_slot_at(std::int64_t epoch_ns,
                                                  std::int64_t time_ns) const {
  const std::int64_t elapsed = time_ns - epoch_ns;
  const std::int64_t subframe = floor_div(elapsed, 1'000'000);
  const std::int64_t in_subframe = elapsed - subframe * 1'000'000;
  const auto per_subframe = static_cast<std::int64_t>(phy::slots_per_subframe(mu_));
  std::int64_t slot = std::min(in_subframe / slot_ns_, per_subframe - 1);
  while (slot > 0 && slot_offsets_[slot] > in_subframe) {
    --slot;
  }
  while (slot + 1 < per_subframe && slot_offsets_[slot + 1] <= in_subframe) {
    ++slot;
  }
  return subframe * per_subframe + slot;
}

std::int64_t FronthaulSlotClock::cycle_distance(unsigned a, unsigned b) const {
  const std::int64_t cycle = slots_per_cycle();
  std::int64_t d = floor_mod(std::int64_t{a} - std::int64_t{b}, cycle);
  if (d >= cycle / 2) {
    d -= cycle;
  }
  return d;
}

std::int64_t FronthaulSlotClock::resolve(unsigned cycle_slot,
                                         std::int64_t reference_absolute_slot) const {
  const auto reference_in_cycle =
      static_cast<unsigned>(floor_mod(reference_absolute_slot, slots_per_cycle()));
  std::int64_t d = cycle_distance(cycle_slot, reference_in_cycle);
  if (d == -std::int64_t{slots_per_cycle()} / 2) {
    d = -d; // tie: the later one
  }
  return reference_absolute_slot + d;
}

std::int64_t FronthaulSlotClock::epoch_for(unsigned cycle_slot, unsigned symbol,
                                           std::int64_t symbol_start_ns) const {
  const unsigned in_frame = cycle_slot % slots_per_frame();
  return symbol_start_ns - symbol_offset_ns(in_frame, symbol) - slot_start_ns(0, cycle_slot);
}

} // namespace airan::io
