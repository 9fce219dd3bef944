#include "airan/phy/pucch_sequence.h"

#include "airan/phy/gold_sequence.h"
#include "airan/phy/numerology.h"

#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace airan::phy {
namespace {

constexpr unsigned max_spreading_factor = 7;
constexpr unsigned bits_per_hopping_value = 8;

/// phi(m) of TS 38.211 Table 6.3.2.4.1-2, [N_SF - 1][i][m].
constexpr std::array<
    std::array<std::array<std::uint8_t, max_spreading_factor>, max_spreading_factor>,
    max_spreading_factor>
    cover_phases = {{
        {{{0}}},
        {{{0, 0}, {0, 1}}},
        {{{0, 0, 0}, {0, 1, 2}, {0, 2, 1}}},
        {{{0, 0, 0, 0}, {0, 2, 0, 2}, {0, 0, 2, 2}, {0, 2, 2, 0}}},
        {{{0, 0, 0, 0, 0}, {0, 1, 2, 3, 4}, {0, 2, 4, 1, 3}, {0, 3, 1, 4, 2}, {0, 4, 3, 2, 1}}},
        {{{0, 0, 0, 0, 0, 0},
          {0, 1, 2, 3, 4, 5},
          {0, 2, 4, 0, 2, 4},
          {0, 3, 0, 3, 0, 3},
          {0, 4, 2, 0, 4, 2},
          {0, 5, 4, 3, 2, 1}}},
        {{{0, 0, 0, 0, 0, 0, 0},
          {0, 1, 2, 3, 4, 5, 6},
          {0, 2, 4, 6, 1, 3, 5},
          {0, 3, 6, 2, 5, 1, 4},
          {0, 4, 1, 5, 2, 6, 3},
          {0, 5, 3, 1, 6, 4, 2},
          {0, 6, 5, 4, 3, 2, 1}}},
    }};

/// The 8 bits c(offset) .. c(offset + 7) as sum 2^m c(offset + m).
unsigned gold_byte(std::uint32_t c_init, std::uint32_t offset) {
  std::array<bit_t, bits_per_hopping_value> bits{};
  gold_sequence(c_init, bits, offset);
  unsigned value = 0;
  for (unsigned m = 0; m < bits_per_hopping_value; ++m) {
    value |= static_cast<unsigned>(bits[m] & 1U) << m;
  }
  return value;
}

/// exp(j 2 pi q / 12), q = 0..11.
const std::array<cf32, pucch_num_cyclic_shifts>& unit_roots() {
  static const std::array<cf32, pucch_num_cyclic_shifts> roots = [] {
    std::array<cf32, pucch_num_cyclic_shifts> out{};
    for (unsigned q = 0; q < pucch_num_cyclic_shifts; ++q) {
      const double angle = 2.0 * std::numbers::pi * q / pucch_num_cyclic_shifts;
      out[q] = {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
    }
    return out;
  }();
  return roots;
}

using CoverTable =
    std::array<std::array<std::array<cf32, max_spreading_factor>, max_spreading_factor>,
               max_spreading_factor>;

/// w_i(m) of every N_SF, i and m, computed once.
const CoverTable& cover_table() {
  static const CoverTable table = [] {
    CoverTable out{};
    for (unsigned n_sf = 1; n_sf <= max_spreading_factor; ++n_sf) {
      for (unsigned i = 0; i < n_sf; ++i) {
        for (unsigned m = 0; m < n_sf; ++m) {
          const double angle =
              2.0 * std::numbers::pi * cover_phases[n_sf - 1][i][m] / static_cast<double>(n_sf);
          out[n_sf - 1][i][m] = {static_cast<float>(std::cos(angle)),
                                 static_cast<float>(std::sin(angle))};
        }
      }
    }
    return out;
  }();
  return table;
}

} // namespace

void apply_pucch_cyclic_shift(std::span<const cf32> base, unsigned cs, std::span<cf32> out) {
  const auto& roots = unit_roots();
  for (unsigned n = 0; n < pucch_num_cyclic_shifts; ++n) {
    out[n] = roots[(cs * n) % pucch_num_cyclic_shifts] * base[n];
  }
}

std::array<std::array<cf32, pucch_num_cyclic_shifts>, 2>
pucch_hop_base_sequences(const PucchConfig& pucch, unsigned slot) {
  std::array<std::array<cf32, pucch_num_cyclic_shifts>, 2> out{};
  for (unsigned hop = 0; hop < (pucch.intra_slot_hopping ? 2U : 1U); ++hop) {
    const LowPaprSequenceId id =
        pucch_sequence_id(pucch.group_hopping, pucch.hopping_id, slot, hop);
    generate_low_papr_sequence(id.u, id.v, 0.0F, out[hop]);
  }
  return out;
}

LowPaprSequenceId pucch_sequence_id(PucchGroupHopping hopping, std::uint16_t n_id, unsigned slot,
                                    unsigned n_hop, unsigned m_zc) {
  const unsigned f_ss = n_id % low_papr_num_groups;
  const std::uint32_t hop_index = 2 * slot + n_hop;
  switch (hopping) {
  case PucchGroupHopping::neither:
    return {f_ss, 0};
  case PucchGroupHopping::enable: {
    const unsigned f_gh =
        gold_byte(n_id / low_papr_num_groups, bits_per_hopping_value * hop_index) %
        low_papr_num_groups;
    return {(f_gh + f_ss) % low_papr_num_groups, 0};
  }
  case PucchGroupHopping::disable: {
    constexpr unsigned min_length_with_two_bases = 72;
    if (m_zc < min_length_with_two_bases) {
      return {f_ss, 0};
    }
    const std::uint32_t c_init = (32U * (n_id / low_papr_num_groups)) + f_ss;
    std::array<bit_t, 1> v{};
    gold_sequence(c_init, v, hop_index);
    return {f_ss, v[0] & 1U};
  }
  }
  throw std::invalid_argument("pucch_sequence_id: unknown group hopping mode");
}

unsigned pucch_cyclic_shift_hopping(std::uint16_t n_id, unsigned symbols_per_slot, unsigned slot,
                                    unsigned symbol) {
  return gold_byte(n_id, bits_per_hopping_value * (symbols_per_slot * slot + symbol));
}

unsigned pucch_cyclic_shift_index(const PucchConfig& pucch, unsigned symbols_per_slot,
                                  unsigned slot, unsigned symbol, unsigned m_cs) {
  return (pucch.initial_cyclic_shift + m_cs +
          pucch_cyclic_shift_hopping(pucch.hopping_id, symbols_per_slot, slot, symbol)) %
         pucch_num_cyclic_shifts;
}

void pucch_cyclic_shift_indices(const PucchConfig& pucch, unsigned symbols_per_slot, unsigned slot,
                                std::span<unsigned> out) {
  std::array<bit_t, std::size_t{bits_per_hopping_value} * max_symbols_per_slot> bits{};
  const std::span<bit_t> run =
      std::span(bits).first(std::size_t{bits_per_hopping_value} * pucch.num_symbols);
  gold_sequence(pucch.hopping_id, run,
                bits_per_hopping_value * ((symbols_per_slot * slot) + pucch.start_symbol));
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    unsigned n_cs = 0;
    for (unsigned m = 0; m < bits_per_hopping_value; ++m) {
      n_cs |= static_cast<unsigned>(run[(bits_per_hopping_value * l) + m] & 1U) << m;
    }
    out[l] = (pucch.initial_cyclic_shift + n_cs) % pucch_num_cyclic_shifts;
  }
}

unsigned pucch_format1_spreading_factor(const PucchConfig& pucch, unsigned hop, bool dmrs) {
  // DMRS on the even PUCCH symbols, data on the odd ones (TS 38.211 6.3.2.4.2, 6.4.1.3.1.2).
  const unsigned first = hop == 0 ? 0 : pucch.first_hop_symbols();
  const unsigned end = hop == 0 ? pucch.first_hop_symbols() : pucch.num_symbols;
  unsigned count = 0;
  for (unsigned l = first; l < end; ++l) {
    count += (l % 2 == 0) == dmrs ? 1U : 0U;
  }
  return count;
}

unsigned pucch_format1_min_spreading_factor(const PucchConfig& pucch) {
  const unsigned hops = pucch.intra_slot_hopping ? 2 : 1;
  unsigned smallest = max_spreading_factor;
  for (unsigned hop = 0; hop < hops; ++hop) {
    for (const bool dmrs : {false, true}) {
      const unsigned n_sf = pucch_format1_spreading_factor(pucch, hop, dmrs);
      smallest = n_sf < smallest ? n_sf : smallest;
    }
  }
  return smallest;
}

cf32 pucch_format1_cover(unsigned n_sf, unsigned i, unsigned m) {
  if (n_sf == 0 || n_sf > max_spreading_factor || i >= n_sf || m >= n_sf) {
    throw std::invalid_argument("pucch_format1_cover: N_SF " + std::to_string(n_sf) + ", i " +
                                std::to_string(i) + ", m " + std::to_string(m));
  }
  return cover_table()[n_sf - 1][i][m];
}

} // namespace airan::phy
