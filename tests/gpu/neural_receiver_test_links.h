// The links the neural receiver's device tests run (gpu_neural_input_emulation_test,
// gpu_neural_pusch_detector_test): PRB counts 3-273, 1-4 receive antennas, 1-4 layers, DMRS
// types 1 and 2, 1-3 CDM groups without data, single and double-symbol DMRS, 0-3 additional
// positions, type A and B mapping, the PDU off the carrier's edge where the carrier has room.
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/phy/pusch_config.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace airan::test {

struct NeuralCase {
  unsigned prbs;
  unsigned rx;
  unsigned layers;
  phy::DmrsConfigType type;
  unsigned dmrs_length;
  unsigned additional_positions;
  unsigned cdm_groups;
  bool type_b;
  unsigned mcs;
  float snr_db;
};

struct NeuralLink {
  apps::LinkScenario scenario;
  phy::PuschConfig pusch;
};

inline const std::vector<NeuralCase>& neural_cases() {
  using phy::DmrsConfigType;
  static const std::vector<NeuralCase> all{
      {106, 4, 1, DmrsConfigType::type1, 1, 1, 2, false, 14, 8.0F},
      {273, 4, 2, DmrsConfigType::type1, 1, 1, 2, false, 20, 20.0F},
      {3, 1, 1, DmrsConfigType::type1, 1, 0, 1, false, 5, 5.0F},
      {24, 2, 2, DmrsConfigType::type2, 1, 2, 2, false, 10, 15.0F},
      {51, 4, 4, DmrsConfigType::type2, 2, 1, 3, false, 9, 25.0F},
      {16, 3, 1, DmrsConfigType::type1, 2, 0, 1, true, 12, 12.0F},
      {7, 4, 2, DmrsConfigType::type1, 1, 3, 2, false, 27, 20.0F},
  };
  return all;
}

/// The link of \p c on a TDL-B100 channel at 100 Hz Doppler, 30 kHz.
inline NeuralLink make_neural_link(const NeuralCase& c,
                                   apps::ChannelDomain domain = apps::ChannelDomain::frequency) {
  NeuralLink link;
  apps::LinkScenario& scenario = link.scenario;
  scenario.cell.num_prbs = std::min(c.prbs + 5, 275U);
  scenario.cell.numerology = 1;
  scenario.cell.n_cell_id = 17;
  scenario.cell.num_antenna_ports = c.layers;
  scenario.num_rx_antennas = c.rx;
  scenario.channel.model = "TDL-B100";
  scenario.channel.max_doppler_hz = 100.0;
  scenario.channel.domain = domain;
  phy::PuschConfig& p = link.pusch;
  p.rnti = 0x4601;
  p.bwp_size = scenario.cell.num_prbs;
  p.prb_start = std::min(3U, p.bwp_size - c.prbs);
  p.prb_size = c.prbs;
  p.num_layers = c.layers;
  p.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1);
  p.dmrs_config_type = c.type;
  p.dmrs_length = c.dmrs_length;
  p.dmrs_additional_position = c.additional_positions;
  p.num_dmrs_cdm_groups_no_data = c.cdm_groups;
  p.dmrs_scrambling_id = 7;
  p.data_scrambling_id = 9;
  p.mcs_index = c.mcs;
  if (c.type_b) {
    p.mapping_type = phy::PuschMappingType::type_b;
    p.start_symbol = 3;
    p.num_symbols = 9;
  }
  return link;
}

} // namespace airan::test
