/// \file
/// \brief The lane decoder's code block and layer steps (ldpc_lane_decoder.h runs them): the
/// lifted graph in the form the lanes read, LdpcLaneCode, the variable position of a lane, the
/// initial APPs, and one part of a check node's two passes over its edges, AIRAN_HOST_DEVICE for
/// the CUDA kernels and the host emulation. Storage and message conventions: ldpc_lane_decoder.h.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_check_node_math.h"
#include "airan/phy/ldpc_decoder.h"

#include <array>
#include <cstdint>

namespace airan::phy {

/// One edge of the lifted graph (column c, shift s reduced mod Z) in the form the lanes read
/// (ldpc_lifted_edge()): low 16 bits the position c Z + s of lane 0's variable (below 68 x 384),
/// high 16 bits Z - s, the first lane whose position wraps to the column's start.
struct LdpcLiftedEdge {
  std::uint32_t packed = 0;
};

/// The lifted edge of column \p column and shift \p shift (< \p z) for lifting size \p z.
AIRAN_HOST_DEVICE constexpr LdpcLiftedEdge ldpc_lifted_edge(unsigned column, unsigned shift,
                                                            unsigned z) {
  return {(column * z + shift) | ((z - shift) << 16)};
}

/// Largest number of edges of a base graph (BG1).
inline constexpr unsigned ldpc_max_edges = 316;

/// A base graph lifted for one Z: the edges of every row, in row order.
struct LdpcLiftedGraph {
  LdpcBaseGraph base_graph = LdpcBaseGraph::bg1;
  unsigned lifting_size = 0;
  std::array<std::uint16_t, 47> row_begin{}; ///< Edges of row r: [row_begin[r], row_begin[r+1]).
  std::array<LdpcLiftedEdge, ldpc_max_edges> edges{};
};

/// Lifts \p graph for \p lifting_size.
/// \throws std::invalid_argument when \p lifting_size is not a lifting size.
LdpcLiftedGraph ldpc_lift_graph(LdpcBaseGraph graph, unsigned lifting_size);

/// One code block as the lane decoder sees it (built by ldpc_lane_code()).
struct LdpcLaneCode {
  unsigned lifting_size = 0;      ///< Z: lanes.
  unsigned num_rows = 0;          ///< Rows processed (4 .. 46).
  unsigned num_columns = 0;       ///< Systematic columns + num_rows.
  unsigned num_info_bits = 0;     ///< K'.
  unsigned num_llrs = 0;          ///< Received LLRs of d (positions 2Z ..).
  unsigned filler_begin = 0;      ///< Filler bits: codeword positions [begin, end).
  unsigned filler_end = 0;        ///<
  unsigned max_iterations = 1;    ///< At least 1.
  bool parity_termination = true; ///< Stop once every processed check holds.
  bool crc_termination = false;   ///< Stop once the CRC of the message bits holds.
  /// Pass 1 of a layer keeps each edge's extrinsic value and variable position for pass 2
  /// (LdpcKeptEdges) where a part's edges fit; false: pass 2 reads them again (the baseline; the
  /// results are the same bit for bit).
  bool keep_extrinsics = true;
  /// With a CRC (crc_contributions): the parity check after the last iteration (where the
  /// termination did not make it) runs only when the CRC holds on an all-zero message, the one
  /// case in which ulsch::accept_code_block() reads parity_ok; otherwise parity_ok is false
  /// without being computed. For UL-SCH code blocks (GpuUlschDecoder); false: always computed,
  /// as the CPU decoders do.
  bool parity_only_for_zero_message = false;
  /// CRC bit contributions (CrcCalculator::bit_contributions, at least K' of them) of the CRC
  /// that ends the K' message bits, or null: no CRC (crc_ok stays false).
  const std::uint32_t* crc_contributions = nullptr;
  LdpcCheckNodeRule rule;                   ///< Check-node rule.
  const std::uint16_t* row_begin = nullptr; ///< num_rows + 1 entries (the lifted graph's).
  const LdpcLiftedEdge* edges = nullptr;    ///< The lifted graph's edges.
};

/// The lane code of \p config for \p num_llrs received LLRs, pointing at \p row_begin and
/// \p edges (the arrays of the lifted graph of config's code) and \p crc_contributions (null
/// for none), all in whichever memory the lanes run. num_rows = 0 in \p config must have been
/// resolved by the caller (ldpc_rows_for_llrs()).
/// \throws std::invalid_argument on the same bad arguments as LdpcDecoder::decode, and on
/// crc_check termination without CRC contributions.
LdpcLaneCode ldpc_lane_code(const LdpcDecoderConfig& config, unsigned num_llrs,
                            const std::uint16_t* row_begin, const LdpcLiftedEdge* edges,
                            const std::uint32_t* crc_contributions = nullptr);

/// Outcome of one code block.
struct LdpcLaneResult {
  unsigned iterations = 0;
  bool parity_ok = false;
  bool crc_ok = false; ///< The CRC of the final hard decision holds (false without a CRC).
};

/// ldpc_edge_position() comparing the lane with the high half Z - s, the first lane that wraps.
AIRAN_HOST_DEVICE inline unsigned
ldpc_edge_position_shifted(const LdpcLaneCode& code, const LdpcLiftedEdge& edge, unsigned lane) {
  return (edge.packed & 0xFFFFU) + (lane >= (edge.packed >> 16) ? lane - code.lifting_size : lane);
}

/// ldpc_edge_position() comparing on the whole word: with lane < 2^16, lane >= Z - s exactly when
/// (lane << 16 | 0xFFFF) >= packed, a value fixed per lane, so no shift extracts the high half
/// for each edge (one SASS instruction fewer per edge and pass on sm_90).
AIRAN_HOST_DEVICE inline unsigned
ldpc_edge_position_keyed(const LdpcLaneCode& code, const LdpcLiftedEdge& edge, unsigned lane) {
  const unsigned lane_key = (lane << 16) | 0xFFFFU;
  return (edge.packed & 0xFFFFU) + (lane_key >= edge.packed ? lane - code.lifting_size : lane);
}

/// Position of lane \p lane's variable in the edge's column c: c Z + (lane + s) mod Z. Keyed on
/// the host and on sm_90; shifted below sm_90, where the lane key's extra register made the
/// 40-register kernels spill (the two are equal: ldpc_lane_decoder_test).
AIRAN_HOST_DEVICE inline unsigned ldpc_edge_position(const LdpcLaneCode& code,
                                                     const LdpcLiftedEdge& edge, unsigned lane) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 900
  return ldpc_edge_position_shifted(code, edge, lane);
#else
  return ldpc_edge_position_keyed(code, edge, lane);
#endif
}

/// Initial APP of codeword bit \p position: its channel LLR (0 when punctured or not received),
/// 127 * 47 for a filler bit (a known zero no message sum can flip).
AIRAN_HOST_DEVICE inline int ldpc_initial_app(const LdpcLaneCode& code, const std::int8_t* llrs,
                                              unsigned position) {
  if (position >= code.filler_begin && position < code.filler_end) {
    return ldpc_message_max * 47;
  }
  const unsigned punctured = 2 * code.lifting_size;
  if (position >= punctured && position - punctured < code.num_llrs) {
    return ldpc_widen_llr(llrs[position - punctured]);
  }
  return 0;
}

/// What the host emulations (ldpc_decode_lanes_on_host(), ldpc_decode_pair_on_host()) fill the
/// message buffers with before decoding, as the device leaves them unset: a valid message (90),
/// so that reading one before the decoder writes it changes the results.
inline constexpr std::int8_t ldpc_unwritten_message = 90;

/// The message \p messages[\p index] of the previous iteration, or 0 in the first
/// (\p first_iteration), which reads none. Widened to int: on the device a select of int8 values
/// took three more instructions per edge than one of their widened values. Callers read it before
/// the APP: after it, the APP's load and sign extension stay in one block (one signed load).
AIRAN_HOST_DEVICE inline int ldpc_previous_message(const std::int8_t* messages, unsigned index,
                                                   bool first_iteration) {
  return first_iteration ? 0 : int{messages[index]};
}

/// Pass 1 of check node \p lane of layer \p row over the edges of part \p part of \p parts (the
/// row's edges begin + part, begin + part + parts, ...): the minima and sign product of their
/// extrinsic values. \p first_iteration: in the first iteration (no message read).
AIRAN_HOST_DEVICE inline LdpcCheckNodeState
ldpc_layer_part_state(const LdpcLaneCode& code, unsigned row, unsigned lane, unsigned part,
                      unsigned parts, const std::int16_t* app, const std::int8_t* messages,
                      bool first_iteration) {
  const unsigned z = code.lifting_size;
  LdpcCheckNodeState node;
  for (unsigned e = code.row_begin[row] + part; e < code.row_begin[row + 1]; e += parts) {
    const int previous = ldpc_previous_message(messages, e * z + lane, first_iteration);
    const int q = app[ldpc_edge_position(code, code.edges[e], lane)] - previous;
    ldpc_accumulate_edge(node, q);
  }
  return node;
}

/// The state of a check node from the states of two disjoint sets of its edges: the two smallest
/// of their minima and the XOR of their sign products, exactly what accumulating every edge in
/// one pass gives (neither depends on the order of the edges), so that the parts of a check node
/// can run on different threads and the decoder stays bit-exact with the CPU decoders.
AIRAN_HOST_DEVICE inline LdpcCheckNodeState
ldpc_merge_check_node_states(const LdpcCheckNodeState& a, const LdpcCheckNodeState& b) {
  LdpcCheckNodeState merged;
  merged.sign = a.sign ^ b.sign;
  merged.min1 = a.min1 < b.min1 ? a.min1 : b.min1;
  const int larger_min1 = a.min1 < b.min1 ? b.min1 : a.min1;
  const int smaller_min2 = a.min2 < b.min2 ? a.min2 : b.min2;
  merged.min2 = larger_min1 < smaller_min2 ? larger_min1 : smaller_min2;
  return merged;
}

/// Pass 2 of check node \p lane of layer \p row over the edges of part \p part of \p parts: their
/// new messages from the check node's finished state \p node, and the APPs of their variables.
/// \p first_iteration: in the first iteration (no message read).
AIRAN_HOST_DEVICE inline void ldpc_layer_part_update(const LdpcLaneCode& code, unsigned row,
                                                     unsigned lane, unsigned part, unsigned parts,
                                                     const LdpcCheckNodeMagnitudes& node,
                                                     std::int16_t* app, std::int8_t* messages,
                                                     bool first_iteration) {
  const unsigned z = code.lifting_size;
  // The row's end read once: the stores below may alias row_begin for all the compiler knows, so
  // the loop condition would load it again for every edge.
  const unsigned end = code.row_begin[row + 1];
  for (unsigned e = code.row_begin[row] + part; e < end; e += parts) {
    const unsigned position = ldpc_edge_position(code, code.edges[e], lane);
    const int previous = ldpc_previous_message(messages, e * z + lane, first_iteration);
    const int q = app[position] - previous;
    const int message = ldpc_edge_message(node, q);
    messages[e * z + lane] = static_cast<std::int8_t>(message);
    app[position] = static_cast<std::int16_t>(q + message);
  }
}

} // namespace airan::phy
