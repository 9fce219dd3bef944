#include "airan/phy/ptrs_pusch.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/gold_sequence.h"

#include <array>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

// TS 38.211 Table 6.4.1.2.2.1-1: k_ref^RE per DMRS port (rows) and resourceElementOffset
// '00' .. '11' (columns), for DMRS configuration type 1 and type 2; -1: no entry.
constexpr std::array<std::array<int, 4>, 6> re_reference_type1{{
    {0, 2, 6, 8},
    {2, 4, 8, 10},
    {1, 3, 7, 9},
    {3, 5, 9, 11},
    {-1, -1, -1, -1},
    {-1, -1, -1, -1},
}};
constexpr std::array<std::array<int, 4>, 6> re_reference_type2{{
    {0, 1, 6, 7},
    {1, 6, 7, 0},
    {2, 3, 8, 9},
    {3, 8, 9, 2},
    {4, 5, 10, 11},
    {5, 10, 11, 4},
}};

} // namespace

std::uint16_t ptrs_symbol_mask(unsigned start_symbol, unsigned num_symbols,
                               std::uint16_t dmrs_symbol_mask, unsigned time_density) {
  if (time_density == 0) {
    throw std::invalid_argument("PT-RS time density must be 1, 2 or 4");
  }
  // Symbols counted from the first PUSCH symbol, as in the clause.
  const auto is_dmrs = [&](unsigned l) {
    return ((dmrs_symbol_mask >> (start_symbol + l)) & 1U) != 0;
  };
  std::uint16_t mask = 0;
  unsigned l_ref = 0;
  unsigned i = 0;
  while (l_ref + i * time_density < num_symbols) {
    const unsigned last = l_ref + i * time_density;
    const unsigned first = i == 0 ? l_ref : l_ref + (i - 1) * time_density + 1;
    bool restarted = false;
    for (unsigned l = last + 1; l-- > first;) {
      if (is_dmrs(l)) { // the latest DMRS symbol: the second of a double-symbol pair
        l_ref = l;
        i = 1;
        restarted = true;
        break;
      }
    }
    if (!restarted) {
      mask = static_cast<std::uint16_t>(mask | (1U << (start_symbol + last)));
      ++i;
    }
  }
  return mask;
}

int ptrs_re_reference(DmrsConfigType type, unsigned dmrs_port, unsigned re_offset) {
  if (dmrs_port >= 6 || re_offset >= 4) {
    return -1;
  }
  return type == DmrsConfigType::type1 ? re_reference_type1[dmrs_port][re_offset]
                                       : re_reference_type2[dmrs_port][re_offset];
}

PtrsPattern make_ptrs_pattern(const PuschConfig& pusch, std::uint16_t dmrs_symbol_mask) {
  PtrsPattern pattern;
  const PuschPtrsConfig& ptrs = pusch.ptrs;
  if (!ptrs.enabled) {
    return pattern;
  }
  const int k_re = ptrs_re_reference(pusch.dmrs_config_type, ptrs.dmrs_port, ptrs.re_offset);
  if (k_re < 0 || (ptrs.frequency_density != 2 && ptrs.frequency_density != 4) ||
      (ptrs.time_density != 1 && ptrs.time_density != 2 && ptrs.time_density != 4) ||
      ((pusch.dmrs_ports >> ptrs.dmrs_port) & 1U) == 0 || pusch.prb_size == 0) {
    throw std::invalid_argument("PT-RS: invalid configuration");
  }
  const unsigned k_density = ptrs.frequency_density;
  const unsigned n_rb = pusch.prb_size;
  const unsigned k_rb =
      n_rb % k_density == 0 ? pusch.rnti % k_density : pusch.rnti % (n_rb % k_density);
  pattern.period = subcarriers_per_prb * k_density;
  pattern.offset = subcarriers_per_prb * k_rb + static_cast<unsigned>(k_re);
  pattern.layer = static_cast<unsigned>(
      std::popcount(static_cast<unsigned>(pusch.dmrs_ports) & ((1U << ptrs.dmrs_port) - 1U)));
  pattern.symbol_mask =
      ptrs_symbol_mask(pusch.start_symbol, pusch.num_symbols, dmrs_symbol_mask, ptrs.time_density);
  return pattern;
}

float ptrs_amplitude(unsigned power, unsigned num_layers) {
  if (power > 1 || num_layers == 0) {
    throw std::invalid_argument("PT-RS power must be 0 ('00') or 1 ('01')");
  }
  // '00': alpha = 10 log10(N_layers) dB, so beta = sqrt(N_layers); '01' with one port: 0 dB.
  return power == 0 ? std::sqrt(static_cast<float>(num_layers)) : 1.0F;
}

void generate_pusch_ptrs(const PuschDmrsParams& dmrs, const PuschConfig& pusch,
                         const PtrsPattern& pattern, std::span<cf32> out) {
  const unsigned width = subcarriers_per_prb * dmrs.num_prbs;
  if (out.size() != ptrs_count(pattern, width)) {
    throw std::invalid_argument("PT-RS output needs " + std::to_string(ptrs_count(pattern, width)) +
                                " values");
  }
  if (out.empty()) {
    return;
  }
  if (dmrs.symbols.mask == 0) {
    throw std::invalid_argument("PT-RS needs a DMRS symbol");
  }
  const auto first_dmrs_symbol = static_cast<unsigned>(std::countr_zero(dmrs.symbols.mask));
  const DmrsPortParams port = dmrs_port_params(dmrs.config_type, pusch.ptrs.dmrs_port);
  const float beta = ptrs_amplitude(pusch.ptrs.power, pusch.num_layers) * dmrs_inverse_sqrt2;
  const unsigned first_value = dmrs_res_per_prb(dmrs.config_type) * dmrs.first_crb;
  const std::uint32_t c_init = pusch_dmrs_c_init(
      dmrs.symbols_per_slot, dmrs.slot, first_dmrs_symbol, dmrs.scrambling_id, dmrs.n_scid);
  GoldSequenceGenerator sequence(c_init, 2 * first_value);
  unsigned position = 0; // DMRS value index the generator stands at
  std::array<bit_t, 2> bits{};
  for (std::size_t n = 0; n < out.size(); ++n) {
    const unsigned k = pattern.offset + static_cast<unsigned>(n) * pattern.period;
    const unsigned i = dmrs_value_index(dmrs.config_type, port.delta, k);
    sequence.advance(2 * std::uint64_t{i - position});
    sequence.generate(bits);
    position = i + 1;
    out[n] = cf32(beta * (1.0F - 2.0F * static_cast<float>(bits[0])),
                  beta * (1.0F - 2.0F * static_cast<float>(bits[1])));
  }
}

} // namespace airan::phy
