#include "evaluation_scenario_json.h"

namespace airan::apps {

nlohmann::json evaluation_scenario_json(const EvaluationConfig& config) {
  const auto& s = config.scenario;
  const auto& pusch = config.pusch;
  return {{"num_prbs", s.cell.num_prbs},
          {"numerology", s.cell.numerology},
          {"num_rx_antennas", s.num_rx_antennas},
          {"prb_start", pusch.prb_start},
          {"prb_size", pusch.prb_size},
          {"intra_slot_hopping",
           pusch.intra_slot_hopping
               ? nlohmann::json{{"second_hop_prb_start", pusch.second_hop_prb_start},
                                {"second_hop_symbol", pusch.second_hop_symbol()}}
               : nlohmann::json(nullptr)},
          {"num_layers", pusch.num_layers},
          {"mcs_index", pusch.mcs_index},
          {"mcs_table", static_cast<int>(pusch.mcs_table)},
          {"transform_precoding", pusch.transform_precoding},
          {"tp_pi2bpsk", pusch.tp_pi2bpsk},
          {"ptrs", pusch.ptrs.enabled
                       ? nlohmann::json{{"time_density", pusch.ptrs.time_density},
                                        {"frequency_density", pusch.ptrs.frequency_density},
                                        {"re_offset", pusch.ptrs.re_offset},
                                        {"dmrs_port", pusch.ptrs.dmrs_port},
                                        {"power", pusch.ptrs.power}}
                       : nlohmann::json(nullptr)},
          {"tbs_bits", evaluation_tbs(config)},
          {"channel", s.channel.describe()},
          {"target_errors", config.target_errors},
          {"max_slots", config.max_slots},
          {"seed", config.seed},
          {"snr_axis", config.snr_is_ebno ? "ebno_db" : "snr_per_re_db"},
          {"ldpc_max_iterations", config.ldpc_max_iterations},
          {"uci",
           {{"harq_ack_bits", pusch.uci.harq_ack_bits},
            {"csi_part1_bits", pusch.uci.csi_part1_bits},
            {"csi_part2_bits", pusch.uci.csi_part2_bits},
            {"alpha_scaling", pusch.uci.alpha_scaling},
            {"beta_offset_harq_ack", pusch.uci.beta_offset_harq_ack},
            {"beta_offset_csi1", pusch.uci.beta_offset_csi1},
            {"beta_offset_csi2", pusch.uci.beta_offset_csi2}}}};
}

} // namespace airan::apps
