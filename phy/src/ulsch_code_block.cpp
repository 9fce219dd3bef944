/// \file
/// \brief Transport block layout and the per-code-block steps of the UL-SCH decoder.
#include "ulsch_code_block.h"

#include <algorithm>
#include <stdexcept>

namespace airan::phy::ulsch_detail {

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("UL-SCH decoder: " + what);
}

TransportBlockLayout layout_transport_block(const UlschCodingConfig& coding) {
  TransportBlockLayout layout;
  layout.tb_crc = transport_block_crc_polynomial(coding.tbs);
  const LdpcBaseGraph graph = select_ldpc_base_graph(coding.tbs, coding.target_code_rate);
  layout.seg = segment_code_blocks(coding.tbs + crc_length(layout.tb_crc), graph);
  if (layout.seg.num_code_blocks > ulsch_max_code_blocks) {
    fail(std::to_string(layout.seg.num_code_blocks) + " code blocks exceed " +
         std::to_string(ulsch_max_code_blocks));
  }
  const unsigned z = layout.seg.lifting_size;
  layout.rate_match.code = {graph, z, layout.seg.num_info_bits};
  layout.rate_match.n_cb =
      ldpc_circular_buffer_length(graph, z, layout.seg.num_code_blocks, coding.tbs_lbrm);
  layout.rate_match.rv = coding.rv;
  layout.rate_match.modulation_order = coding.modulation_order;
  return layout;
}

LdpcDecoderConfig code_block_ldpc_config(const TransportBlockLayout& layout,
                                         const UlschDecoderConfig& cfg, unsigned received_length) {
  const CodeBlockSegmentation& seg = layout.seg;
  LdpcDecoderConfig ldpc;
  ldpc.base_graph = seg.base_graph;
  ldpc.lifting_size = seg.lifting_size;
  ldpc.num_info_bits = seg.num_info_bits;
  ldpc.max_iterations = cfg.max_iterations;
  ldpc.rule = cfg.min_sum_rule;
  ldpc.scaling_factor = cfg.min_sum_scaling_factor;
  ldpc.offset = cfg.min_sum_offset;
  ldpc.num_rows = ldpc_rows_for_received_length(seg.base_graph, seg.lifting_size, received_length);
  if (!cfg.early_termination) {
    ldpc.early_termination = LdpcEarlyTermination::none;
  } else {
    ldpc.early_termination = seg.num_code_blocks > 1 ? LdpcEarlyTermination::crc_check
                                                     : LdpcEarlyTermination::parity_check;
  }
  return ldpc;
}

bool quantize_code_block(std::span<const float> soft_values, float llr_scale,
                         std::span<std::int8_t> llrs) {
  quantize_ldpc_llrs(soft_values, llr_scale, llrs);
  return std::any_of(llrs.begin(), llrs.end(), [](std::int8_t llr) { return llr != 0; });
}

bool accept_code_block(std::span<const bit_t> message, const LdpcDecoderResult& decoded,
                       bool has_cb_crc) {
  const bool all_zero =
      std::none_of(message.begin(), message.end(), [](bit_t bit) { return bit != 0; });
  return (!has_cb_crc || decoded.crc_ok) && (!all_zero || decoded.parity_ok);
}

unsigned max_code_blocks_of(std::uint32_t max_tbs) {
  constexpr unsigned smallest_payload = 3840 - 24; // BG2 K_cb minus the CB CRC
  return std::min<unsigned>(ulsch_max_code_blocks,
                            (max_tbs + 24 + smallest_payload - 1) / smallest_payload);
}

} // namespace airan::phy::ulsch_detail
