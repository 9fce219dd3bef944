#include "airan/phy/pusch_frequency_hopping.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/numerology.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// l-bar of one hop from TS 38.211 Table 6.4.1.1.3-6, as a bitmap relative to the hop's first
/// symbol; 0 for "-".
/// \param first_hop the first hop (type A: DMRS at l0) or the second (type A: at 0).
/// \param l0 dmrs-TypeA-Position (type A) or 0 (type B).
/// \param pos1 dmrs-AdditionalPosition other than pos0.
std::uint16_t hop_positions(bool type_a, bool first_hop, unsigned l0, unsigned duration,
                            bool pos1) {
  if (type_a) {
    if (duration < 4) {
      return 0;
    }
    if (first_hop) {
      // pos1 adds symbol 6 to l0 = 2 only when the hop lasts 7 symbols.
      const bool second = pos1 && l0 == 2 && duration >= 7;
      return static_cast<std::uint16_t>((1U << l0) | (second ? 1U << 6 : 0U));
    }
    return static_cast<std::uint16_t>(1U | (pos1 && duration >= 5 ? 1U << 4 : 0U));
  }
  // Type B: l0 = 0 in both hops, and symbol 4 with pos1 from 5 symbols on.
  return static_cast<std::uint16_t>(1U | (pos1 && duration >= 5 ? 1U << 4 : 0U));
}

std::string hop_str(unsigned value) {
  return std::to_string(value);
}

} // namespace

PuschHops pusch_hops(const PuschConfig& pusch) {
  PuschHops result;
  if (!pusch.intra_slot_hopping) {
    result.hops[0] = {pusch.start_symbol, pusch.num_symbols, pusch.prb_start};
    return result;
  }
  const unsigned first = pusch.num_symbols / 2;
  result.count = 2;
  result.hops[0] = {pusch.start_symbol, first, pusch.prb_start};
  result.hops[1] = {pusch.start_symbol + first, pusch.num_symbols - first,
                    pusch.second_hop_prb_start};
  return result;
}

std::uint16_t dmrs_symbol_mask_with_hopping(PuschMappingType mapping_type, unsigned l0_type_a,
                                            unsigned start_symbol, unsigned num_symbols,
                                            unsigned additional_position) {
  const bool type_a = mapping_type == PuschMappingType::type_a;
  if (type_a && l0_type_a != 2 && l0_type_a != 3) {
    throw std::invalid_argument("dmrs-TypeA-Position must be 2 or 3");
  }
  if (additional_position > 3) {
    throw std::invalid_argument("dmrs-AdditionalPosition must be pos0..pos3");
  }
  if (num_symbols < 2 || std::uint64_t{start_symbol} + num_symbols > max_symbols_per_slot) {
    throw std::invalid_argument("intra-slot hopping needs 2 to 14 PUSCH symbols in the slot");
  }
  const unsigned first = num_symbols / 2;
  const unsigned durations[2] = {first, num_symbols - first};
  const unsigned starts[2] = {start_symbol, start_symbol + first};
  std::uint16_t mask = 0;
  for (unsigned hop = 0; hop < 2; ++hop) {
    const std::uint16_t positions = hop_positions(type_a, hop == 0, type_a ? l0_type_a : 0,
                                                  durations[hop], additional_position != 0);
    if (positions == 0) {
      throw std::invalid_argument("TS 38.211 Table 6.4.1.1.3-6 has no DMRS position for a " +
                                  std::string(hop == 0 ? "first" : "second") +
                                  " hop of l_d = " + hop_str(durations[hop]) + " symbols");
    }
    mask |= static_cast<std::uint16_t>(positions << starts[hop]);
  }
  return mask;
}

std::string validate_frequency_hopping(const CellConfig& cell, const PuschConfig& pusch) {
  if (!pusch.intra_slot_hopping) {
    return {};
  }
  if (std::uint64_t{pusch.second_hop_prb_start} + pusch.prb_size > pusch.bwp_size) {
    return "second hop PRBs " + hop_str(pusch.second_hop_prb_start) + "+" +
           hop_str(pusch.prb_size) + " do not fit the BWP of " + hop_str(pusch.bwp_size) + " PRBs";
  }
  if (pusch.num_symbols < 2) {
    return "intra-slot frequency hopping needs at least 2 symbols";
  }
  if (pusch.dmrs_length != 1) {
    return "intra-slot frequency hopping needs single-symbol DMRS (TS 38.211 Table 6.4.1.1.3-6)";
  }
  if (pusch.ptrs.enabled) {
    return "PT-RS with intra-slot frequency hopping is not supported";
  }
  if (pusch.uci.present()) {
    return "UCI on a PUSCH with intra-slot frequency hopping is not supported";
  }
  std::uint16_t mask = 0;
  try {
    mask = pusch_dmrs_symbols(cell, pusch).mask;
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  const PuschHops hops = pusch_hops(pusch);
  for (unsigned h = 0; h < hops.count; ++h) {
    const PuschHop& hop = hops.hops[h];
    const unsigned symbols = ((1U << hop.num_symbols) - 1U) << hop.start_symbol;
    if ((mask & symbols) == 0) {
      return "hop " + hop_str(h + 1) + " (symbols " + hop_str(hop.start_symbol) + "+" +
             hop_str(hop.num_symbols) + ") carries no DMRS symbol";
    }
  }
  return {};
}

PuschConfig pusch_hop_config(const PuschConfig& pusch, const PuschHop& hop,
                             std::uint16_t dmrs_mask) {
  PuschConfig config = pusch;
  config.intra_slot_hopping = false;
  config.second_hop_prb_start = 0;
  config.prb_start = hop.prb_start;
  config.start_symbol = hop.start_symbol;
  config.num_symbols = hop.num_symbols;
  config.mapping_type = PuschMappingType::type_b;
  const unsigned symbols = ((1U << hop.num_symbols) - 1U) << hop.start_symbol;
  config.dmrs_symbol_mask = static_cast<std::uint16_t>(dmrs_mask & symbols);
  return config;
}

void merge_hop_estimates(ChannelEstimate& whole, const ChannelEstimate& second_hop,
                         unsigned second_hop_symbol) {
  if (whole.num_rx_antennas() != second_hop.num_rx_antennas() ||
      whole.num_layers() != second_hop.num_layers() || whole.num_prbs() != second_hop.num_prbs() ||
      whole.num_covariance_groups() != second_hop.num_covariance_groups()) {
    throw std::invalid_argument("hop channel estimates of different shapes");
  }
  for (unsigned rx = 0; rx < whole.num_rx_antennas(); ++rx) {
    for (unsigned layer = 0; layer < whole.num_layers(); ++layer) {
      for (unsigned l = second_hop_symbol; l < max_symbols_per_slot; ++l) {
        std::ranges::copy(second_hop.channel(rx, layer, l), whole.channel(rx, layer, l).begin());
      }
    }
  }
  const unsigned groups = whole.num_covariance_groups();
  for (unsigned g = 0; g < groups; ++g) {
    std::ranges::copy(second_hop.covariance(g), whole.covariance(groups + g).begin());
  }
  whole.set_second_hop(second_hop_symbol, whole.measurements.noise_variance,
                       second_hop.measurements.noise_variance);

  merge_hop_measurements(whole.measurements, second_hop.measurements);
}

void merge_hop_measurements(DmrsMeasurements& m, const DmrsMeasurements& n) {
  const auto linear = [](float db) { return std::pow(10.0F, 0.1F * db); };
  m.sinr_db = 10.0F * std::log10(0.5F * (linear(m.sinr_db) + linear(n.sinr_db)));
  m.noise_variance = 0.5F * (m.noise_variance + n.noise_variance);
  m.rsrp = 0.5F * (m.rsrp + n.rsrp);
  m.delay_s = 0.5F * (m.delay_s + n.delay_s);
  m.delay_spread_s = 0.5F * (m.delay_spread_s + n.delay_spread_s);
  if (m.cfo_hz && n.cfo_hz) {
    m.cfo_hz = 0.5F * (*m.cfo_hz + *n.cfo_hz);
  } else if (n.cfo_hz) {
    m.cfo_hz = n.cfo_hz;
  }
}

} // namespace airan::phy
