#include "airan/phy/dmrs_pusch.h"

#include "airan/phy/gold_sequence.h"
#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/pusch_frequency_hopping.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// DMRS positions l-bar after l0 for one duration range of TS 38.211 Tables 6.4.1.1.3-3/-4;
/// column c is dmrs-AdditionalPosition pos(c). Unused slots hold 0 (l0 itself is implied).
struct PositionRow {
  unsigned min_duration; ///< Smallest l_d this row covers (rows are sorted by it).
  std::array<std::array<unsigned, 3>, 4> additional;
};

// Table 6.4.1.1.3-3 (single-symbol DMRS), mapping type A: l_d from 4.
constexpr std::array<PositionRow, 5> single_type_a = {{
    {4, {{{}, {}, {}, {}}}},
    {8, {{{}, {7}, {7}, {7}}}},
    {10, {{{}, {9}, {6, 9}, {6, 9}}}},
    {12, {{{}, {9}, {6, 9}, {5, 8, 11}}}},
    {13, {{{}, {11}, {7, 11}, {5, 8, 11}}}},
}};

// Table 6.4.1.1.3-3 (single-symbol DMRS), mapping type B: l_d from 1.
constexpr std::array<PositionRow, 5> single_type_b = {{
    {1, {{{}, {}, {}, {}}}},
    {5, {{{}, {4}, {4}, {4}}}},
    {8, {{{}, {6}, {3, 6}, {3, 6}}}},
    {10, {{{}, {8}, {4, 8}, {3, 6, 9}}}},
    {12, {{{}, {10}, {5, 10}, {3, 6, 9}}}},
}};

// Table 6.4.1.1.3-4 (double-symbol DMRS), mapping type A: l_d from 4, pos0/pos1 only.
constexpr std::array<PositionRow, 3> double_type_a = {{
    {4, {{{}, {}, {}, {}}}},
    {10, {{{}, {8}, {}, {}}}},
    {13, {{{}, {10}, {}, {}}}},
}};

// Table 6.4.1.1.3-4 (double-symbol DMRS), mapping type B: l_d from 5, pos0/pos1 only.
constexpr std::array<PositionRow, 4> double_type_b = {{
    {5, {{{}, {}, {}, {}}}},
    {8, {{{}, {5}, {}, {}}}},
    {10, {{{}, {7}, {}, {}}}},
    {12, {{{}, {9}, {}, {}}}},
}};

template <std::size_t N>
const PositionRow* find_row(const std::array<PositionRow, N>& rows, unsigned duration) {
  const PositionRow* found = nullptr;
  for (const auto& row : rows) {
    if (duration >= row.min_duration) {
      found = &row;
    }
  }
  return found;
}

} // namespace

DmrsPortParams dmrs_port_params(DmrsConfigType type, unsigned port) {
  if (port >= dmrs_num_ports(type)) {
    throw std::invalid_argument("DMRS port " + std::to_string(port) + " does not exist for " +
                                "configuration type " +
                                std::to_string(static_cast<unsigned>(type)));
  }
  // Tables 6.4.1.1.3-1/-2: ports cycle through the CDM groups in pairs (w_f = +1 +1, +1 -1);
  // the second half of the ports uses w_t = +1 -1 (double-symbol DMRS only).
  const unsigned groups = dmrs_num_cdm_groups(type);
  const unsigned ports_per_half = 2 * groups;
  DmrsPortParams params;
  params.cdm_group = (port % ports_per_half) / 2;
  params.delta = type == DmrsConfigType::type1 ? params.cdm_group : 2 * params.cdm_group;
  params.w_f = {1, (port % 2 == 0) ? 1 : -1};
  params.w_t = {1, (port < ports_per_half) ? 1 : -1};
  return params;
}

float dmrs_amplitude(unsigned num_cdm_groups_no_data) {
  if (num_cdm_groups_no_data < 1 || num_cdm_groups_no_data > 3) {
    throw std::invalid_argument("number of DMRS CDM groups without data must be 1, 2 or 3");
  }
  return std::sqrt(static_cast<float>(num_cdm_groups_no_data));
}

std::uint16_t dmrs_symbol_mask_from_tables(PuschMappingType mapping_type, unsigned l0_type_a,
                                           unsigned start_symbol, unsigned num_symbols,
                                           unsigned dmrs_length, unsigned additional_position) {
  if (dmrs_length != 1 && dmrs_length != 2) {
    throw std::invalid_argument("DMRS length must be 1 (single) or 2 (double symbol)");
  }
  if (additional_position > (dmrs_length == 1 ? 3U : 1U)) {
    throw std::invalid_argument("dmrs-AdditionalPosition pos" +
                                std::to_string(additional_position) + " is not allowed with " +
                                (dmrs_length == 1 ? "single" : "double") + "-symbol DMRS");
  }
  const bool type_a = mapping_type == PuschMappingType::type_a;
  if (type_a && l0_type_a != 2 && l0_type_a != 3) {
    throw std::invalid_argument("dmrs-TypeA-Position must be 2 or 3");
  }
  if (type_a && additional_position == 3 && l0_type_a != 2) {
    throw std::invalid_argument("dmrs-AdditionalPosition pos3 needs dmrs-TypeA-Position pos2");
  }
  // l_d: from the slot start (type A) or the PUSCH start (type B) to the last PUSCH symbol.
  const unsigned duration = type_a ? start_symbol + num_symbols : num_symbols;
  const PositionRow* row = nullptr;
  if (dmrs_length == 1) {
    row = type_a ? find_row(single_type_a, duration) : find_row(single_type_b, duration);
  } else {
    row = type_a ? find_row(double_type_a, duration) : find_row(double_type_b, duration);
  }
  if (row == nullptr || duration > max_symbols_per_slot) {
    throw std::invalid_argument(
        "TS 38.211 Table 6.4.1.1.3-" + std::string(dmrs_length == 1 ? "3" : "4") +
        " has no DMRS position for duration l_d = " + std::to_string(duration));
  }
  const unsigned reference = type_a ? 0 : start_symbol;
  const unsigned l0 = type_a ? l0_type_a : 0;
  std::uint16_t mask = 0;
  auto add = [&](unsigned l_bar) {
    for (unsigned l_prime = 0; l_prime < dmrs_length; ++l_prime) {
      mask |= static_cast<std::uint16_t>(1U << (reference + l_bar + l_prime));
    }
  };
  add(l0);
  for (unsigned l_bar : row->additional[additional_position]) {
    if (l_bar != 0) {
      add(l_bar);
    }
  }
  return mask;
}

unsigned DmrsSymbols::count() const {
  return static_cast<unsigned>(std::popcount(mask));
}

DmrsSymbols pusch_dmrs_symbols(const CellConfig& cell, const PuschConfig& pusch) {
  DmrsSymbols symbols;
  if (pusch.dmrs_symbol_mask != 0) {
    symbols.mask = pusch.dmrs_symbol_mask;
  } else if (pusch.intra_slot_hopping) {
    if (pusch.dmrs_length != 1) {
      throw std::invalid_argument("intra-slot frequency hopping needs single-symbol DMRS");
    }
    symbols.mask = dmrs_symbol_mask_with_hopping(pusch.mapping_type, cell.dmrs_type_a_position,
                                                 pusch.start_symbol, pusch.num_symbols,
                                                 pusch.dmrs_additional_position);
  } else {
    symbols.mask = dmrs_symbol_mask_from_tables(pusch.mapping_type, cell.dmrs_type_a_position,
                                                pusch.start_symbol, pusch.num_symbols,
                                                pusch.dmrs_length, pusch.dmrs_additional_position);
  }
  const unsigned end = pusch.start_symbol + pusch.num_symbols;
  const std::uint32_t allocation = ((1U << end) - 1U) & ~((1U << pusch.start_symbol) - 1U);
  if ((symbols.mask & ~allocation) != 0) {
    throw std::invalid_argument("DMRS symbols lie outside the PUSCH symbols " +
                                std::to_string(pusch.start_symbol) + ".." +
                                std::to_string(end - 1));
  }
  if (pusch.dmrs_length == 2) {
    // Pair the DMRS symbols from the first one up: l' = 0, then l' = 1 on the next symbol.
    for (unsigned l = 0; l < max_symbols_per_slot; ++l) {
      if (!symbols.contains(l)) {
        continue;
      }
      if (l + 1 >= max_symbols_per_slot || !symbols.contains(l + 1)) {
        throw std::invalid_argument("double-symbol DMRS needs symbol pairs; symbol " +
                                    std::to_string(l) + " has no second symbol");
      }
      symbols.second_symbol |= static_cast<std::uint16_t>(1U << (l + 1));
      ++l;
    }
  } else if (pusch.dmrs_length != 1) {
    throw std::invalid_argument("DMRS length must be 1 (single) or 2 (double symbol)");
  }
  // TS 38.211 Tables 6.4.1.1.3-3/-4: l_0 and at most 3 additional single-symbol positions, or 1
  // additional double-symbol one (with hopping, Table 6.4.1.1.3-6: at most 2 per hop). An
  // explicit mask (FAPI ulDmrsSymbPos) is held to the same.
  const unsigned occasions = static_cast<unsigned>(std::popcount(symbols.mask)) / pusch.dmrs_length;
  const unsigned max_occasions = pusch.dmrs_length == 1 ? 4U : 2U;
  if (occasions > max_occasions) {
    throw std::invalid_argument(std::to_string(occasions) + " DMRS occasions of " +
                                std::to_string(pusch.dmrs_length) + " symbol(s), more than " +
                                std::to_string(max_occasions) +
                                " (TS 38.211 Tables 6.4.1.1.3-3/-4)");
  }
  return symbols;
}

PuschDmrsParams make_pusch_dmrs_params(const CellConfig& cell, const PuschConfig& pusch,
                                       unsigned slot) {
  PuschDmrsParams params;
  params.config_type = pusch.dmrs_config_type;
  params.symbols_per_slot = symbols_per_slot(cell.cyclic_prefix);
  params.slot = slot;
  params.scrambling_id = pusch.dmrs_scrambling_id;
  params.n_scid = pusch.n_scid;
  params.first_crb = pusch.first_crb();
  if (pusch.intra_slot_hopping) {
    params.second_hop_symbol = pusch.second_hop_symbol();
    params.second_hop_first_crb = pusch.bwp_start + pusch.second_hop_prb_start;
  }
  params.num_prbs = pusch.prb_size;
  params.beta = dmrs_amplitude(pusch.num_dmrs_cdm_groups_no_data);
  params.symbols = pusch_dmrs_symbols(cell, pusch);
  params.transform_precoding = pusch.transform_precoding;
  params.pusch_identity = pusch.pusch_identity;
  params.hopping = pusch.dmrs_hopping;
  return params;
}

namespace {

/// Transform precoding (TS 38.211 6.4.1.1.1.2 and 6.4.1.1.3): beta w_f(k') w_t(l') r(i) with the
/// unit-modulus low-PAPR sequence r = r^(0,1)_{u,v} of length M_sc / 2 = out.size().
void generate_low_papr_dmrs(const PuschDmrsParams& params, const DmrsPortParams& port_params,
                            unsigned symbol, std::span<cf32> out) {
  if (params.config_type != DmrsConfigType::type1) {
    throw std::invalid_argument("transform precoding needs DMRS configuration type 1");
  }
  // The sequence of a double-symbol DMRS is that of its first symbol.
  const unsigned l_prime = params.symbols.l_prime(symbol);
  const LowPaprSequenceId id =
      pusch_low_papr_sequence_id(params.hopping, params.pusch_identity, params.symbols_per_slot,
                                 params.slot, symbol - l_prime, static_cast<unsigned>(out.size()));
  generate_low_papr_sequence(id.u, id.v, 0.0F, out);
  const int time_weight = port_params.w_t[l_prime];
  const float weight[2] = {params.beta * static_cast<float>(time_weight * port_params.w_f[0]),
                           params.beta * static_cast<float>(time_weight * port_params.w_f[1])};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] *= weight[i % 2];
  }
}

} // namespace

void generate_pusch_dmrs(const PuschDmrsParams& params, unsigned port, unsigned symbol,
                         std::span<cf32> out) {
  if (symbol >= max_symbols_per_slot || !params.symbols.contains(symbol)) {
    throw std::invalid_argument("symbol " + std::to_string(symbol) + " carries no DMRS");
  }
  if (out.size() != params.values_per_symbol()) {
    throw std::invalid_argument("DMRS output needs " + std::to_string(params.values_per_symbol()) +
                                " values");
  }
  const DmrsPortParams port_params = dmrs_port_params(params.config_type, port);
  if (params.transform_precoding) {
    generate_low_papr_dmrs(params, port_params, symbol, out);
    return;
  }
  const unsigned first_value = dmrs_res_per_prb(params.config_type) * params.first_crb_of(symbol);
  const std::uint32_t c_init = pusch_dmrs_c_init(params.symbols_per_slot, params.slot, symbol,
                                                 params.scrambling_id, params.n_scid);
  // r(m) = ((1 - 2c(2m)) + j(1 - 2c(2m + 1))) / sqrt(2), from m = first_value on.
  GoldSequenceGenerator sequence(c_init, 2 * first_value);
  const int time_weight = port_params.w_t[params.symbols.l_prime(symbol)];
  const float weight[2] = {dmrs_value_weight(params.beta, time_weight, port_params.w_f[0]),
                           dmrs_value_weight(params.beta, time_weight, port_params.w_f[1])};
  constexpr std::size_t chunk_values = 64;
  std::array<bit_t, 2 * chunk_values> bits{};
  for (std::size_t done = 0; done < out.size(); done += chunk_values) {
    const std::size_t count = std::min(chunk_values, out.size() - done);
    sequence.generate(std::span<bit_t>(bits.data(), 2 * count));
    for (std::size_t j = 0; j < count; ++j) {
      const std::size_t i = done + j;
      const float w = weight[i % 2];
      out[i] = cf32(dmrs_value_component(w, bits[2 * j]), dmrs_value_component(w, bits[2 * j + 1]));
    }
  }
}

} // namespace airan::phy
