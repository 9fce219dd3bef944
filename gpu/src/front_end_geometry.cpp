// Host side of the front end's kernels: the plain parameter structs of one PDU
// (front_end_kernels.h), built from its configuration. No CUDA calls, so host emulation tests
// build the same structs as GpuPuschFrontEnd.
#include "dmrs_generation_elements.h"
#include "front_end_hops.h"
#include "front_end_kernels.h"
#include "neural_input_launch.h"
#include "ptrs_phase_elements.h"
#include "time_wiener_elements.h"
#include "transform_deprecoding_elements.h"

#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/numerology.h"
#include "airan/phy/ptrs_pusch.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_frequency_hopping.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/soft_demapper.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <span>
#include <stdexcept>
#include <vector>

namespace airan::gpu::detail {

PduGeometry make_pdu_geometry(const phy::CellConfig& cell, unsigned grid_rx, unsigned grid_symbols,
                              const phy::PuschConfig& pusch, unsigned slot,
                              const phy::PuschFrontEndOptions& options,
                              DmrsGeneration& dmrs_generation) {
  const phy::PuschReMapping mapping = phy::make_pusch_re_mapping(cell, pusch);
  const phy::PuschDmrsParams params = phy::make_pusch_dmrs_params(cell, pusch, slot);
  const phy::DmrsConfigType type = pusch.dmrs_config_type;
  PduGeometry g;
  g.num_rx = grid_rx;
  g.num_layers = pusch.num_layers;
  g.grid_symbols = grid_symbols;
  g.grid_subcarriers = phy::subcarriers_per_prb * cell.num_prbs;
  g.first_subcarrier = mapping.first_subcarrier;
  g.num_subcarriers = mapping.num_subcarriers();
  g.start_symbol = mapping.start_symbol;
  g.end_symbol = mapping.start_symbol + mapping.num_symbols;
  g.comb_period = type == phy::DmrsConfigType::type1 ? 4 : 6;
  g.pair_offset = type == phy::DmrsConfigType::type1 ? 2 : 1;
  g.num_values = params.values_per_symbol();
  g.num_pilots = g.num_values / 2;
  for (unsigned l = g.start_symbol; l < g.end_symbol; ++l) {
    if (params.symbols.contains(l)) {
      g.dmrs_symbols[g.num_dmrs_symbols++] = l;
    }
  }
  g.symbols_per_occasion = pusch.dmrs_length;
  g.num_occasions = g.num_dmrs_symbols / pusch.dmrs_length;
  g.num_occasion_pairs =
      phy::dmrs_occasion_time_steps(cell, slot, std::span(g.dmrs_symbols, g.num_dmrs_symbols),
                                    g.symbols_per_occasion, g.occasion_dt);
  g.beta = params.beta;
  g.scs_hz = static_cast<float>(phy::subcarrier_spacing_hz(cell.numerology));
  // The DMRS of every layer and symbol, generated on the device (no host work, no waiting).
  DmrsGeneration generation;
  generation.first_gold_bit = 2 * phy::dmrs_res_per_prb(type) * params.first_crb;
  for (unsigned s = 0; s < g.num_dmrs_symbols; ++s) {
    generation.c_init[s] =
        phy::pusch_dmrs_c_init(params.symbols_per_slot, params.slot, g.dmrs_symbols[s],
                               params.scrambling_id, params.n_scid);
    generation.l_prime[s] = params.symbols.l_prime(g.dmrs_symbols[s]);
  }
  for (unsigned layer = 0; layer < g.num_layers; ++layer) {
    const phy::DmrsPortParams port = phy::dmrs_port_params(type, pusch.dmrs_port_of_layer(layer));
    g.deltas[layer] = port.delta;
    g.twice_first[layer] = static_cast<int>(phy::dmrs_subcarrier(type, g.deltas[layer], 0) +
                                            phy::dmrs_subcarrier(type, g.deltas[layer], 1));
    for (unsigned k = 0; k < 2; ++k) {
      generation.w_f[layer][k] = port.w_f[k];
      generation.w_t[layer][k] = port.w_t[k];
    }
  }
  if (params.transform_precoding) { // the low-PAPR sequence of each DMRS symbol instead
    generation.low_papr = true;
    generation.n_zc =
        g.num_values >= phy::low_papr_zc_min_length ? phy::low_papr_zc_prime(g.num_values) : 0;
    for (unsigned s = 0; s < g.num_dmrs_symbols; ++s) {
      // A double-symbol DMRS takes its first symbol's sequence (phy::generate_pusch_dmrs).
      const phy::LowPaprSequenceId id = phy::pusch_low_papr_sequence_id(
          params.hopping, params.pusch_identity, params.symbols_per_slot, params.slot,
          g.dmrs_symbols[s] - generation.l_prime[s], g.num_values);
      generation.u[s] = static_cast<std::uint8_t>(id.u);
      generation.v[s] = static_cast<std::uint8_t>(id.v);
    }
  }
  dmrs_generation = generation; // launched by process(), inside its graph

  const phy::DmrsChannelEstimatorOptions& estimator = options.estimator;
  g.compensate_delay = estimator.compensate_delay;
  g.mmse_frequency = estimator.frequency_interpolation == phy::FrequencyInterpolation::mmse;
  g.average_time = estimator.time_interpolation == phy::TimeInterpolation::average;
  g.wiener_time = estimator.time_interpolation == phy::TimeInterpolation::wiener;
  // PT-RS phase tracking, as phy::PuschFrontEnd decides it (the estimator then aligns the
  // occasions).
  g.align_occasions = pusch.ptrs.enabled && options.track_phase && mapping.ptrs.present();
  g.configured_prior = estimator.delay_spread_s > 0.0F;
  g.prior_profile = static_cast<int>(estimator.delay_profile);
  g.mmse_window =
      std::clamp(estimator.mmse_window, 2U, std::min(phy::max_mmse_window, g.num_pilots));
  g.bank_positions = phy::mmse_bank_positions(g.comb_period, g.mmse_window);
  // Covariance groups as phy::ChannelEstimate::set_covariance_groups() makes them.
  g.estimate_covariance =
      estimator.estimate_covariance || options.equalizer == phy::EqualizerAlgorithm::mmse_irc;
  const unsigned prbs = pusch.prb_size;
  unsigned group_prbs = estimator.covariance_group_prbs;
  group_prbs = (group_prbs == 0 || group_prbs > prbs) ? std::max(prbs, 1U) : group_prbs;
  g.covariance_group_subcarriers = phy::subcarriers_per_prb * group_prbs;
  g.num_covariance_groups = g.estimate_covariance ? (prbs + group_prbs - 1) / group_prbs : 0;
  return g;
}

TimeWienerPdu make_time_wiener_pdu(const phy::CellConfig& cell, unsigned slot, const PduGeometry& g,
                                   const float2* banks, const EstimatorState* state,
                                   float2* weights) {
  TimeWienerPdu w;
  w.start_symbol = g.start_symbol;
  w.end_symbol = g.end_symbol;
  std::array<double, phy::max_symbols_per_slot> centre{};
  phy::dmrs_symbol_centres(cell, slot, centre);
  w.occasions = phy::dmrs_occasion_times(centre, std::span(g.dmrs_symbols, g.num_dmrs_symbols),
                                         g.symbols_per_occasion, w.occasion_time_s);
  std::copy_n(centre.begin(), std::min<std::size_t>(centre.size(), max_symbols), w.symbol_time_s);
  w.pairs = g.num_occasion_pairs;
  w.terms_per_pair = static_cast<double>(g.num_rx) * g.num_layers * g.num_pilots;
  w.mmse_frequency = g.mmse_frequency;
  w.aligned = g.align_occasions && g.num_occasion_pairs > 0;
  w.bank_positions = g.bank_positions;
  w.bank_window = g.mmse_window;
  w.banks = banks;
  w.state = state;
  w.weights = weights;
  return w;
}

PtrsPhasePdu make_ptrs_phase_pdu(const phy::PuschConfig& pusch, const PduGeometry& g,
                                 const DmrsGeneration& generation) {
  PtrsPhasePdu p;
  p.g = g;
  if (!g.align_occasions || g.num_dmrs_symbols == 0) {
    return p;
  }
  unsigned dmrs_mask = 0;
  for (unsigned s = 0; s < g.num_dmrs_symbols; ++s) {
    dmrs_mask |= 1U << g.dmrs_symbols[s];
  }
  p.pattern = phy::make_ptrs_pattern(pusch, static_cast<std::uint16_t>(dmrs_mask));
  p.type = pusch.dmrs_config_type;
  p.count = phy::ptrs_count(p.pattern, g.num_subcarriers);
  // generate_pusch_ptrs()'s amplitude, computed in the same order.
  p.amplitude = phy::ptrs_amplitude(pusch.ptrs.power, pusch.num_layers) * phy::dmrs_inverse_sqrt2;
  p.w_f[0] = generation.w_f[p.pattern.layer][0];
  p.w_f[1] = generation.w_f[p.pattern.layer][1];
  return p;
}

DataGeometry make_data_geometry(const phy::CellConfig& cell, const phy::PuschConfig& pusch,
                                const phy::PuschFrontEndOptions& options,
                                const PamLlrTables* device_tables) {
  const phy::PuschReMapping mapping = phy::make_pusch_re_mapping(cell, pusch);
  DataGeometry d;
  d.layout = phy::make_pusch_data_layout(mapping);
  d.qm = pusch.modulation_order();
  d.mmse = options.equalizer != phy::EqualizerAlgorithm::zf;
  d.irc = options.equalizer == phy::EqualizerAlgorithm::mmse_irc;
  d.rotate = pusch.ptrs.enabled && options.track_phase && mapping.ptrs.present();
  d.transform_precoding = pusch.transform_precoding;
  if (mapping.second_hop_symbol < max_symbols) {
    d.second_hop_symbol = mapping.second_hop_symbol;
    d.second_hop_first_subcarrier = mapping.second_hop_first_subcarrier;
  }
  // (pointer arithmetic only: the tables are in device memory)
  d.table = device_tables == nullptr
                ? nullptr
                : device_tables->tables + PamLlrTables::index_of(std::min(d.qm, 8U));
  return d;
}

EmptyValues make_empty_values(const phy::CellConfig& cell, const phy::PuschConfig& pusch) {
  std::array<phy::ValueRange, phy::max_symbols_per_slot> ranges{};
  EmptyValues empty;
  empty.count = phy::pusch_empty_value_ranges(phy::make_pusch_re_mapping(cell, pusch), pusch.ulsch,
                                              pusch.num_layers, ranges);
  for (unsigned r = 0; r < empty.count; ++r) {
    empty.first[r] = static_cast<std::uint32_t>(ranges[r].first);
    empty.end[r] = static_cast<std::uint32_t>(ranges[r].end);
  }
  return empty;
}

TransformDeprecodingPdu make_transform_deprecoding_pdu(const phy::PuschConfig& pusch,
                                                       const DataGeometry& d) {
  TransformDeprecodingPdu t;
  if (!pusch.transform_precoding) {
    return t;
  }
  // One layer and M REs on every data symbol (phy::PuschConfig::validate()).
  t.m = phy::subcarriers_per_prb * pusch.prb_size;
  t.rows = d.layout.num_res() / t.m;
  if (pusch.num_layers != 1 || t.rows * t.m != d.layout.num_res() || t.rows > max_symbols) {
    throw std::invalid_argument("transform deprecoding: the PDU's data REs are not whole symbols "
                                "of one layer");
  }
  t.qm = d.qm;
  t.table = d.table;
  return t;
}

HopGeometries make_hop_geometries(const phy::CellConfig& cell, unsigned grid_rx,
                                  unsigned grid_symbols, const phy::PuschConfig& pusch,
                                  unsigned slot, const phy::PuschFrontEndOptions& options) {
  HopGeometries out;
  if (!pusch.intra_slot_hopping) {
    out.count = 1;
    out.hops[0].g = make_pdu_geometry(cell, grid_rx, grid_symbols, pusch, slot, options,
                                      out.hops[0].generation);
    return out;
  }
  const std::uint16_t mask = phy::pusch_dmrs_symbols(cell, pusch).mask;
  const phy::PuschHops hops = phy::pusch_hops(pusch);
  out.count = hops.count;
  for (unsigned h = 0; h < hops.count; ++h) {
    out.hops[h].g = make_pdu_geometry(cell, grid_rx, grid_symbols,
                                      phy::pusch_hop_config(pusch, hops.hops[h], mask), slot,
                                      options, out.hops[h].generation);
  }
  return out;
}

std::vector<std::int8_t> make_low_papr_phase_tables() {
  std::vector<std::int8_t> table(std::size_t{low_papr_phase_table_rows} *
                                 phy::low_papr_max_table_length);
  for (unsigned length = 6; length <= phy::low_papr_max_table_length; length += 6) {
    for (unsigned u = 0; u < phy::low_papr_num_groups; ++u) {
      const std::span<const std::int8_t> phases = phy::low_papr_table_phases(length, u);
      const std::int8_t* row = low_papr_phase_row(table.data(), length, u);
      std::copy(phases.begin(), phases.end(), table.begin() + (row - table.data()));
    }
  }
  return table;
}

PamLlrTables make_pam_llr_tables() {
  PamLlrTables tables;
  tables.tables[0] = phy::make_pam_llr_table(1, phy::qam_scale(2));
  for (unsigned b = 1; b < PamLlrTables::count; ++b) {
    tables.tables[b] = phy::make_pam_llr_table(b, phy::qam_scale(2 * b));
  }
  return tables;
}

NeuralInputGeometry make_neural_input_geometry(const phy::CellConfig& cell,
                                               const phy::PuschConfig& pusch,
                                               const PduGeometry& g) {
  const phy::PuschReMapping mapping = phy::make_pusch_re_mapping(cell, pusch);
  NeuralInputGeometry n;
  n.num_symbols = mapping.num_symbols;
  n.num_subcarriers = mapping.num_subcarriers();
  n.num_rx = g.num_rx;
  n.num_layers = pusch.num_layers;
  const bool type1 = pusch.dmrs_config_type == phy::DmrsConfigType::type1;
  for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
    n.blocks[layer] = phy::nn::neural_block_grid(type1, g.deltas[layer], g.num_pilots);
  }
  const phy::nn::NeuralSymbolMap symbols =
      phy::nn::neural_symbol_map(mapping.dmrs_symbols, mapping.start_symbol, n.num_symbols);
  for (unsigned l = 0; l < n.num_symbols; ++l) {
    n.nearest_occasion[l] = symbols.nearest_occasion[l];
    n.time_distance[l] = symbols.time_distance[l];
    if (n.time_distance[l] != 0.0F) {
      n.data_row[l] = n.num_data_rows++;
    }
  }
  return n;
}

bool DmrsGenerationKey::operator==(const DmrsGenerationKey& other) const {
  const DmrsGeneration& a = generation;
  const DmrsGeneration& b = other.generation;
  return num_layers == other.num_layers && num_dmrs_symbols == other.num_dmrs_symbols &&
         num_values == other.num_values && beta == other.beta &&
         a.first_gold_bit == b.first_gold_bit &&
         std::equal(std::begin(a.c_init), std::end(a.c_init), std::begin(b.c_init)) &&
         std::equal(std::begin(a.l_prime), std::end(a.l_prime), std::begin(b.l_prime)) &&
         std::equal(&a.w_f[0][0], &a.w_f[0][0] + 8, &b.w_f[0][0]) &&
         std::equal(&a.w_t[0][0], &a.w_t[0][0] + 8, &b.w_t[0][0]) && a.low_papr == b.low_papr &&
         a.n_zc == b.n_zc && std::equal(std::begin(a.u), std::end(a.u), std::begin(b.u)) &&
         std::equal(std::begin(a.v), std::end(a.v), std::begin(b.v));
}

} // namespace airan::gpu::detail
