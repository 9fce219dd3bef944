#include "airan/phy/modulation_mapper.h"

#include <array>
#include <stdexcept>
#include <string>

namespace airan::phy {

Modulation modulation_from_order(unsigned modulation_order) {
  switch (modulation_order) {
  case 1:
    return Modulation::pi2_bpsk;
  case 2:
    return Modulation::qpsk;
  case 4:
    return Modulation::qam16;
  case 6:
    return Modulation::qam64;
  case 8:
    return Modulation::qam256;
  case 10:
    return Modulation::qam1024;
  default:
    throw std::invalid_argument("no modulation of order " + std::to_string(modulation_order));
  }
}

void modulate(std::span<const bit_t> bits, Modulation modulation, std::span<cf32> symbols) {
  const unsigned qm = bits_per_symbol(modulation);
  if (bits.size() != symbols.size() * qm) {
    throw std::invalid_argument("modulate: " + std::to_string(bits.size()) + " bits do not fill " +
                                std::to_string(symbols.size()) + " symbols of " +
                                std::to_string(qm) + " bits");
  }
  if (modulation == Modulation::pi2_bpsk) {
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      float re = 0.0F;
      float im = 0.0F;
      pi2_bpsk_symbol(bits[i], i, re, im);
      symbols[i] = cf32(re, im);
    }
    return;
  }
  // Both axes use the same amplitude table, indexed by the axis bits (first bit most significant),
  // filled once per call from the per-symbol formula.
  const unsigned bits_per_axis = qm / 2;
  std::array<float, 32> axis_table{};
  std::array<bit_t, 10> axis_bits{};
  for (unsigned index = 0; index < (1U << bits_per_axis); ++index) {
    for (unsigned j = 0; j < bits_per_axis; ++j) {
      axis_bits[std::size_t{2} * j] = static_cast<bit_t>((index >> (bits_per_axis - 1 - j)) & 1U);
    }
    axis_table[index] = qam_scale(qm) * qam_axis_amplitude(axis_bits.data(), bits_per_axis);
  }
  const bit_t* in = bits.data();
  for (auto& symbol : symbols) {
    unsigned re_index = 0;
    unsigned im_index = 0;
    for (unsigned j = 0; j < bits_per_axis; ++j) {
      re_index = (re_index << 1) | (in[std::size_t{2} * j] & 1U);
      im_index = (im_index << 1) | (in[std::size_t{2} * j + 1] & 1U);
    }
    symbol = cf32(axis_table[re_index], axis_table[im_index]);
    in += qm;
  }
}

} // namespace airan::phy
