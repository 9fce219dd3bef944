#include "fapi_pusch_maintenance_conversion.h"

#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/tbs_calculator.h"

namespace airan::io::fapi_detail {
namespace {

/// Largest tbSizeLbrmBytes whose bit count fits 32 bits.
constexpr std::uint32_t max_tb_size_lbrm_bytes = 0x1FFFFFFFU;

/// A MSG_SLOT_ERR of UL_TTI.request (the PDU's offset is not known here).
constexpr FapiErrorCode maintenance_code = FapiErrorCode::msg_slot_err;
constexpr FapiMessageType maintenance_message = FapiMessageType::ul_tti_request;

/// 1 or 2: the LDPC base graph of TS 38.212 6.2.2 for \p tbs bits at \p rate.
unsigned base_graph_number(std::uint32_t tbs, double rate) {
  return phy::select_ldpc_base_graph(tbs, rate) == phy::LdpcBaseGraph::bg1 ? 1 : 2;
}

} // namespace

FapiError check_pusch_maintenance(const FapiPuschPdu& pdu) {
  if (pdu.maintenance_v3 && pdu.maintenance_v3->tb_size_lbrm_bytes > max_tb_size_lbrm_bytes) {
    return make_fapi_error(FapiStatus::out_of_range, maintenance_code, maintenance_message, 0,
                           "tbSizeLbrmBytes %u does not fit 32 bits as bits",
                           pdu.maintenance_v3->tb_size_lbrm_bytes);
  }
  if (pdu.frequency_hopping != 0 && !pdu.maintenance_v3) {
    return make_fapi_error(FapiStatus::unsupported, maintenance_code, maintenance_message, 0,
                           "frequency hopping without the FAPIv3 maintenance part: no "
                           "puschSecondHopPRB");
  }
  return {};
}

void apply_pusch_maintenance(const FapiPuschPdu& pdu, phy::PuschConfig& config) {
  const auto& v3 = pdu.maintenance_v3;
  if (!v3) {
    return;
  }
  // groupOrSequenceHopping applies to the low-PAPR DMRS of transform precoding only.
  if (config.transform_precoding) {
    config.dmrs_hopping = static_cast<phy::LowPaprHopping>(v3->group_or_sequence_hopping);
  }
  config.intra_slot_hopping = pdu.frequency_hopping != 0;
  config.second_hop_prb_start = config.intra_slot_hopping ? v3->pusch_second_hop_prb : 0;
  if (config.intra_slot_hopping) {
    // Hops have single-symbol DMRS only (TS 38.211 Table 6.4.1.1.3-6): the first hop's last
    // DMRS symbol right before the second hop's first one (type A at l0 = 3 with 4-symbol hops:
    // ulDmrsSymbPos 0x0018) is two occasions, not the double-symbol one dmrs_length_of() saw.
    config.dmrs_length = 1;
  }
  config.tbs_lbrm = v3->tb_size_lbrm_bytes * 8;
  // A retransmission keeps its TB's first base graph (TS 38.212 6.2.2), which its own MCS may
  // not select: ldpcBaseGraph says which (its UCI is sized with it too). New data's is checked
  // against the one selected (check_ldpc_base_graph()).
  if (pdu.data && pdu.data->new_data_indicator == 0) {
    config.ldpc_base_graph =
        v3->ldpc_base_graph == 1 ? phy::LdpcBaseGraph::bg1 : phy::LdpcBaseGraph::bg2;
  }
}

FapiError check_ldpc_base_graph(const FapiPuschPdu& pdu, const phy::CellConfig& cell,
                                const phy::PuschConfig& config) {
  const auto& v3 = pdu.maintenance_v3;
  // A retransmission keeps its TB's first base graph (TS 38.212 6.2.2): its own MCS may select
  // another, so its ldpcBaseGraph is not checked but carried (apply_pusch_maintenance()).
  if (!v3 || !config.new_data_indicator) {
    return {};
  }
  // The TBS the receiver decodes: TBSize, or (TBSize 0) the one TS 38.214 gives.
  const std::uint32_t tbs =
      config.tb_size_bits != 0 ? config.tb_size_bits : phy::compute_pusch_tbs(cell, config);
  const double rate = config.code_rate_x10240() / 10240.0;
  const unsigned graph = base_graph_number(tbs, rate);
  if (v3->ldpc_base_graph != graph) {
    return make_fapi_error(
        FapiStatus::out_of_range, maintenance_code, maintenance_message, 0,
        "ldpcBaseGraph %u is not BG%u of TBS %u bits at R %.4f (TS 38.212 6.2.2)",
        v3->ldpc_base_graph, graph, tbs, rate);
  }
  return {};
}

FapiError add_pusch_maintenance(const phy::PuschConfig& pusch, std::uint32_t tbs_bits,
                                FapiPuschPdu& pdu) {
  // CSI part 2 sized from part 1: the part 1 to part 2 correspondence follows this part.
  if (!pusch.intra_slot_hopping && pusch.dmrs_hopping == phy::LowPaprHopping::none &&
      pusch.tbs_lbrm == 0 && pusch.uci.csi_part2_sizing.empty() && !pusch.ldpc_base_graph) {
    return {};
  }
  if (pusch.tbs_lbrm % 8 != 0) {
    return make_fapi_error(FapiStatus::out_of_range, maintenance_code, maintenance_message, 0,
                           "TBS_LBRM %u bits is not whole bytes", pusch.tbs_lbrm);
  }
  pdu.frequency_hopping = pusch.intra_slot_hopping ? 1 : 0;
  FapiPuschMaintenanceV3& v3 = pdu.maintenance_v3.emplace();
  v3.initial_ul_bwp_size = static_cast<std::uint16_t>(pusch.bwp_size);
  v3.group_or_sequence_hopping = static_cast<std::uint8_t>(pusch.dmrs_hopping);
  v3.pusch_second_hop_prb =
      static_cast<std::uint16_t>(pusch.intra_slot_hopping ? pusch.second_hop_prb_start : 0);
  v3.ldpc_base_graph =
      phy::pusch_ldpc_base_graph(pusch, tbs_bits) == phy::LdpcBaseGraph::bg1 ? 1 : 2;
  v3.tb_size_lbrm_bytes = pusch.tbs_lbrm / 8;
  return {};
}

} // namespace airan::io::fapi_detail
