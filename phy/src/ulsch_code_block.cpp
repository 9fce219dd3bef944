/// \file
/// \brief Transport block layout and the per-code-block steps of the UL-SCH decoder.
#include "airan/phy/ulsch_code_block.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace airan::phy::ulsch {

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("UL-SCH decoder: " + what);
}

TransportBlockLayout layout_transport_block(const UlschCodingConfig& coding) {
  if (coding.tbs > max_supported_tbs) { // TBS + CRC below must not wrap
    fail("TBS " + std::to_string(coding.tbs) + " exceeds " + std::to_string(max_supported_tbs));
  }
  TransportBlockLayout layout;
  layout.tb_crc = transport_block_crc_polynomial(coding.tbs);
  const LdpcBaseGraph graph =
      coding.base_graph.value_or(select_ldpc_base_graph(coding.tbs, coding.target_code_rate));
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

TransportBlockLayout check_decoding(std::size_t num_llrs, const UlschDecoderConfig& cfg,
                                    std::size_t num_tb_bits, std::uint32_t max_tbs) {
  const UlschCodingConfig& coding = cfg.coding;
  if (coding.tbs == 0 || coding.tbs > max_tbs || num_tb_bits != coding.tbs) {
    fail("TBS " + std::to_string(coding.tbs) + " (maximum " + std::to_string(max_tbs) +
         ") with an output of " + std::to_string(num_tb_bits) + " bits");
  }
  if (coding.g == 0 || num_llrs != coding.g) {
    fail("G = " + std::to_string(coding.g) + " with " + std::to_string(num_llrs) + " LLRs");
  }
  if (coding.modulation_order == 0 || coding.modulation_order > 10 || coding.num_layers == 0 ||
      coding.num_layers > 4 || coding.g % (coding.modulation_order * coding.num_layers) != 0) {
    fail("Q_m = " + std::to_string(coding.modulation_order) +
         ", N_L = " + std::to_string(coding.num_layers) + " with G = " + std::to_string(coding.g));
  }
  if (coding.rv > 3) {
    fail("redundancy version " + std::to_string(coding.rv));
  }
  if (cfg.max_iterations == 0 ||
      !(cfg.min_sum_scaling_factor > 0.0f && cfg.min_sum_scaling_factor <= 1.0f) ||
      cfg.min_sum_offset > static_cast<unsigned>(ldpc_llr_max) ||
      !(cfg.llr_scale > 0.0f && std::isfinite(cfg.llr_scale))) {
    fail("max_iterations " + std::to_string(cfg.max_iterations) + ", min-sum factor " +
         std::to_string(cfg.min_sum_scaling_factor) + ", offset " +
         std::to_string(cfg.min_sum_offset) + ", LLR scale " + std::to_string(cfg.llr_scale));
  }
  return layout_transport_block(coding);
}

CodeBlockSizes code_block_sizes(const UlschCodingConfig& coding, unsigned num_code_blocks) {
  CodeBlockSizes sizes;
  sizes.short_length = ldpc_rate_matched_length(0, num_code_blocks, coding.g, coding.num_layers,
                                                coding.modulation_order);
  sizes.per_symbol = coding.num_layers * coding.modulation_order;
  sizes.num_short = num_code_blocks - (coding.g / sizes.per_symbol) % num_code_blocks;
  return sizes;
}

HarqCombining begin_harq_combining(HarqSoftBuffer& buffer, const TransportBlockLayout& layout,
                                   const UlschCodingConfig& coding) {
  const CodeBlockSegmentation& seg = layout.seg;
  const unsigned num_cbs = seg.num_code_blocks;
  const unsigned n_cb = layout.rate_match.n_cb;
  if (std::size_t{num_cbs} * n_cb > buffer.capacity()) {
    fail("the TB needs " + std::to_string(std::size_t{num_cbs} * n_cb) +
         " soft values, the HARQ buffer holds " + std::to_string(buffer.capacity()));
  }
  HarqSoftBuffer::State& state = buffer.state();
  if (state.num_transmissions > 0 &&
      (state.tbs != coding.tbs || state.base_graph != seg.base_graph ||
       state.lifting_size != seg.lifting_size || state.num_code_blocks != num_cbs ||
       state.circular_buffer_length != n_cb)) {
    fail("retransmission of TBS " + std::to_string(coding.tbs) + ", N_cb " + std::to_string(n_cb) +
         " into a HARQ buffer holding TBS " + std::to_string(state.tbs) + ", N_cb " +
         std::to_string(state.circular_buffer_length));
  }
  if (state.num_transmissions == 0) {
    state =
        HarqSoftBuffer::State{0, coding.tbs, seg.base_graph, seg.lifting_size, num_cbs, n_cb, 0};
  }
  // Every code block is decoded over the longest received length.
  HarqCombining combining{state.received_length, state.received_length};
  for (unsigned r = 0; r < num_cbs; ++r) {
    const unsigned e =
        ldpc_rate_matched_length(r, num_cbs, coding.g, coding.num_layers, coding.modulation_order);
    if (e != 0) {
      combining.received_length =
          std::max(combining.received_length, ldpc_rate_match_input_length(layout.rate_match, e));
    }
  }
  return combining;
}

unsigned end_harq_combining(HarqSoftBuffer& buffer, const HarqCombining& combining) {
  HarqSoftBuffer::State& state = buffer.state();
  state.received_length = combining.received_length;
  return ++state.num_transmissions;
}

GatherRateRecovery gather_rate_recovery(const TransportBlockLayout& layout,
                                        const UlschCodingConfig& coding) {
  GatherRateRecovery recovery;
  recovery.sizes = code_block_sizes(coding, layout.seg.num_code_blocks);
  recovery.map = ldpc_selection_map(layout.rate_match);
  recovery.modulation_order = coding.modulation_order;
  const auto reach = [&](unsigned e) {
    return e == 0 ? 0U : ldpc_rate_match_input_length(layout.rate_match, e);
  };
  recovery.received_short = reach(recovery.sizes.short_length);
  recovery.received_long = reach(recovery.sizes.short_length + recovery.sizes.per_symbol);
  return recovery;
}

GatherRateRecovery gather_rate_recovery(const TransportBlockLayout& layout,
                                        const UlschCodingConfig& coding,
                                        const HarqCombining& combining) {
  GatherRateRecovery recovery = gather_rate_recovery(layout, coding);
  recovery.received_short = combining.received_length;
  recovery.received_long = combining.received_length;
  recovery.previous_length = combining.previous_length;
  return recovery;
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
  return accept_code_block(
      std::any_of(message.begin(), message.end(), [](bit_t bit) { return bit != 0; }), decoded,
      has_cb_crc);
}

bool accept_code_block(bool message_nonzero, const LdpcDecoderResult& decoded, bool has_cb_crc) {
  return (!has_cb_crc || decoded.crc_ok) && (message_nonzero || decoded.parity_ok);
}

UlschDecoderResult finish_transport_block(const TransportBlockLayout& layout,
                                          std::span<const unsigned> iterations,
                                          std::span<const bool> accepted,
                                          std::span<const bit_t> tb_with_crc,
                                          const CrcCalculator& tb_crc, std::span<bit_t> tb_bits) {
  const CodeBlockSegmentation& seg = layout.seg;
  std::copy_n(tb_with_crc.begin(), tb_bits.size(), tb_bits.begin());
  return finish_transport_block(layout, iterations, accepted,
                                tb_crc.check(tb_with_crc.first(seg.input_length)));
}

UlschDecoderResult finish_transport_block(const TransportBlockLayout& layout,
                                          std::span<const unsigned> iterations,
                                          std::span<const bool> accepted, bool tb_crc_holds) {
  const unsigned num_cbs = layout.seg.num_code_blocks;
  UlschDecoderResult result;
  unsigned decoded_blocks = 0;
  unsigned total_iterations = 0;
  for (unsigned r = 0; r < num_cbs; ++r) {
    result.code_block_crc_ok.set(r, accepted[r]); // C = 1: completed by the TB CRC below
    result.max_ldpc_iterations = std::max(result.max_ldpc_iterations, iterations[r]);
    decoded_blocks += iterations[r] > 0 ? 1 : 0;
    total_iterations += iterations[r];
  }
  if (num_cbs == 1) {
    result.code_block_crc_ok.set(0, tb_crc_holds && result.code_block_crc_ok.test(0));
  }
  result.num_code_blocks = num_cbs;
  result.num_code_blocks_ok = static_cast<unsigned>(result.code_block_crc_ok.count());
  result.tb_crc_ok = tb_crc_holds && result.num_code_blocks_ok == num_cbs;
  result.mean_ldpc_iterations = decoded_blocks == 0 ? 0.0f
                                                    : static_cast<float>(total_iterations) /
                                                          static_cast<float>(decoded_blocks);
  return result;
}

unsigned max_code_blocks_of(std::uint32_t max_tbs) {
  constexpr unsigned smallest_payload = 3840 - 24; // BG2 K_cb minus the CB CRC
  return std::min<unsigned>(ulsch_max_code_blocks,
                            (max_tbs + 24 + smallest_payload - 1) / smallest_payload);
}

} // namespace airan::phy::ulsch
