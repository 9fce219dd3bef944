#include "pusch_base_graph.h"

#include "airan/phy/code_block_segmentation.h"

#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

unsigned number_of(LdpcBaseGraph graph) {
  return graph == LdpcBaseGraph::bg1 ? 1 : 2;
}

LdpcBaseGraph selected_base_graph(const PuschConfig& pusch, std::uint32_t tbs) {
  return select_ldpc_base_graph(tbs, pusch.code_rate_x10240() / 10240.0);
}

} // namespace

LdpcBaseGraph pusch_ldpc_base_graph(const PuschConfig& pusch, std::uint32_t tbs) {
  return pusch.ldpc_base_graph.value_or(selected_base_graph(pusch, tbs));
}

namespace pusch_config_detail {

std::string validate_ldpc_base_graph(const PuschConfig& pusch, std::uint32_t tbs) {
  if (!pusch.ldpc_base_graph) {
    return {};
  }
  if (!pusch.ulsch) {
    return "an LDPC base graph is set on a PUSCH without UL-SCH";
  }
  const LdpcBaseGraph selected = selected_base_graph(pusch, tbs);
  if (pusch.new_data_indicator && *pusch.ldpc_base_graph != selected) {
    return "LDPC base graph " + std::to_string(number_of(*pusch.ldpc_base_graph)) +
           " of new data is not BG" + std::to_string(number_of(selected)) + " of TBS " +
           std::to_string(tbs) + " bits at its code rate (TS 38.212 7.2.2; only a " +
           "retransmission keeps its first transmission's)";
  }
  return {};
}

std::string validate_segmentation(const PuschConfig& pusch, std::uint32_t tbs,
                                  std::optional<LdpcBaseGraph>& kept) {
  const std::uint32_t input = tbs + crc_length(transport_block_crc_polynomial(tbs));
  const auto problem = [&](LdpcBaseGraph graph) -> std::string {
    try {
      (void)segment_code_blocks(input, graph);
      return {};
    } catch (const std::invalid_argument& e) {
      return "TB size " + std::to_string(tbs) + " bits cannot be segmented: " + e.what();
    }
  };
  const LdpcBaseGraph graph = pusch_ldpc_base_graph(pusch, tbs);
  std::string own = problem(graph);
  if (own.empty() || pusch.new_data_indicator || pusch.ldpc_base_graph) {
    return own;
  }
  const LdpcBaseGraph other = graph == LdpcBaseGraph::bg1 ? LdpcBaseGraph::bg2 : LdpcBaseGraph::bg1;
  if (!problem(other).empty()) {
    return own;
  }
  kept = other;
  return {};
}

} // namespace pusch_config_detail
} // namespace airan::phy
