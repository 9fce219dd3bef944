/// \file
/// \brief The layered min-sum LDPC decoder written lane by lane for one code block: the whole
/// algorithm (APP loading, layer updates, early termination on parity checks or on a CRC of the
/// message bits computed from per-bit contributions, hard decision) as
/// AIRAN_HOST_DEVICE code over an abstract set of lanes, one lane per check node of a layer.
///
/// The CUDA decoder runs it with one thread per lane and a barrier between layers (one thread
/// block per code block); ldpc_decode_lanes_on_host() runs it with a loop over the lanes, so CPU
/// tests prove the algorithm and its indexing bit-exact against the CPU decoders
/// (ldpc_decoder.h), whose arithmetic it shares (ldpc_check_node_math.h).
///
/// Storage, in natural order (no APP frames): app[c Z + k] is the a-posteriori LLR of codeword
/// bit c Z + k (int16, never saturates, see ldpc_decoder_layered.h); messages[e Z + i] is the
/// message of edge e (in row order over the processed rows) to check node i, in [-127, 127] so
/// int8. In a layer, lane i reads and writes only position (i + shift_e) mod Z of each column of
/// its row, so the lanes of one layer never touch the same value. Every message starts at 0 and
/// each edge's is read before it is written once per iteration, so the first iteration reads none
/// (ldpc_previous_message() takes them as 0): the messages need no initial value.
#pragma once

#include "airan/phy/crc_calculator.h"
#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_check_node_math.h"
#include "airan/phy/ldpc_decoder.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

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

/// Position of lane \p lane's variable in the edge's column c: c Z + (lane + s) mod Z.
AIRAN_HOST_DEVICE inline unsigned ldpc_edge_position(const LdpcLaneCode& code,
                                                     const LdpcLiftedEdge& edge, unsigned lane) {
  return (edge.packed & 0xFFFFU) + (lane >= (edge.packed >> 16) ? lane - code.lifting_size : lane);
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
  for (unsigned e = code.row_begin[row] + part; e < code.row_begin[row + 1]; e += parts) {
    const unsigned position = ldpc_edge_position(code, code.edges[e], lane);
    const int previous = ldpc_previous_message(messages, e * z + lane, first_iteration);
    const int q = app[position] - previous;
    const int message = ldpc_edge_message(node, q);
    messages[e * z + lane] = static_cast<std::int8_t>(message);
    app[position] = static_cast<std::int16_t>(q + message);
  }
}

/// Edges of one part of a check node whose extrinsic values pass 1 keeps for pass 2: every part
/// of a BG2 row (10 edges at most), and of a BG1 row (19) with two or more parts.
inline constexpr unsigned ldpc_kept_edges = 10;

/// What pass 1 keeps of each of a part's edges for pass 2 (in registers on the device: the loops
/// over them unroll): the variable's position (low 16 bits: below 68 x 384) and the extrinsic
/// value q (high 16 bits, two's complement: the APPs are int16 and never saturate, so |q| stays
/// below 2^15). Pass 2 then neither reloads the edge, the APP and the message nor recomputes the
/// position.
struct LdpcKeptEdges {
  std::uint32_t packed[ldpc_kept_edges];
};

/// Whether the parts of row \p row keep their edges (LdpcLaneCode::keep_extrinsics, and at most
/// ldpc_kept_edges edges per part).
AIRAN_HOST_DEVICE inline bool ldpc_row_keeps_edges(const LdpcLaneCode& code, unsigned row,
                                                   unsigned parts) {
  const unsigned degree = code.row_begin[row + 1] - code.row_begin[row];
  return code.keep_extrinsics && degree <= ldpc_kept_edges * parts;
}

/// Slots of one part of row \p row with \p parts parts: ceil(degree / parts), the same for every
/// part of the row (the last parts may have one edge fewer: their last slot is empty).
AIRAN_HOST_DEVICE inline unsigned ldpc_part_slots(const LdpcLaneCode& code, unsigned row,
                                                  unsigned parts) {
  return (code.row_begin[row + 1] - code.row_begin[row] + parts - 1) / parts;
}

/// Calls \p f(std::integral_constant<unsigned, N>{}) for N = \p slots, which must be 1 ..
/// ldpc_kept_edges (a larger count takes the last instance), so that the kept-edge passes below
/// run a loop of a count known at compile time: no branch per edge, so the compiler can issue
/// their loads together.
template <unsigned N = 1, class F>
AIRAN_HOST_DEVICE inline decltype(auto) ldpc_with_slots(unsigned slots, F&& f) {
  if constexpr (N == ldpc_kept_edges) {
    return f(std::integral_constant<unsigned, N>{});
  } else {
    if (slots == N) {
      return f(std::integral_constant<unsigned, N>{});
    }
    return ldpc_with_slots<N + 1>(slots, f);
  }
}

/// ldpc_layer_part_state() that also keeps the part's edges in \p kept (ldpc_row_keeps_edges()),
/// over the part's Slots = ldpc_part_slots() slots. The empty slot (past the row's end: the
/// last, in the parts with one edge fewer) counts as an extrinsic value of +127, which changes
/// neither minimum (both start at 127) nor the sign of the sign product: the state is the one of
/// the part's edges alone. It reads the part's previous edge again (values this work item alone
/// writes in the layer, so no other thread's pass 2 races with the read), and nothing when it is
/// the part's only slot (a row with fewer edges than parts). All loads come before the minima,
/// so none waits for another's result. \p first_iteration: in the first iteration (no message
/// read).
template <unsigned Slots>
AIRAN_HOST_DEVICE inline LdpcCheckNodeState
ldpc_layer_part_state_slots(const LdpcLaneCode& code, unsigned row, unsigned lane, unsigned part,
                            unsigned parts, const std::int16_t* app, const std::int8_t* messages,
                            LdpcKeptEdges& kept, bool first_iteration) {
  static_assert(Slots >= 1 && Slots <= ldpc_kept_edges);
  const unsigned z = code.lifting_size;
  const unsigned first = code.row_begin[row];
  const unsigned end = code.row_begin[row + 1];
  int q[Slots];
  AIRAN_UNROLL
  for (unsigned i = 0; i < Slots; ++i) {
    const unsigned e = first + part + i * parts;
    const bool filled = e < end;
    const unsigned edge = filled ? e : (i > 0 ? e - parts : first); // the graph: read-only
    const unsigned position = ldpc_edge_position(code, code.edges[edge], lane);
    int read = ldpc_message_max;
    if (filled || i > 0) { // always, but in a part without edges
      const int previous = ldpc_previous_message(messages, edge * z + lane, first_iteration);
      read = app[position] - previous;
    }
    q[i] = filled ? read : ldpc_message_max;
    kept.packed[i] = position | (static_cast<std::uint32_t>(q[i]) << 16);
  }
  LdpcCheckNodeState node;
  AIRAN_UNROLL
  for (unsigned i = 0; i < Slots; ++i) {
    ldpc_accumulate_edge(node, q[i]);
  }
  return node;
}

/// ldpc_layer_part_state_slots() for the row's ldpc_part_slots().
AIRAN_HOST_DEVICE inline LdpcCheckNodeState
ldpc_layer_part_state_kept(const LdpcLaneCode& code, unsigned row, unsigned lane, unsigned part,
                           unsigned parts, const std::int16_t* app, const std::int8_t* messages,
                           LdpcKeptEdges& kept, bool first_iteration) {
  return ldpc_with_slots(ldpc_part_slots(code, row, parts), [&](auto slots) {
    return ldpc_layer_part_state_slots<decltype(slots)::value>(code, row, lane, part, parts, app,
                                                               messages, kept, first_iteration);
  });
}

/// ldpc_layer_part_update() from the edges pass 1 kept in \p kept, over the part's Slots slots
/// (the empty one writes nothing).
template <unsigned Slots>
AIRAN_HOST_DEVICE inline void
ldpc_layer_part_update_slots(const LdpcLaneCode& code, unsigned row, unsigned lane, unsigned part,
                             unsigned parts, const LdpcCheckNodeMagnitudes& node,
                             const LdpcKeptEdges& kept, std::int16_t* app, std::int8_t* messages) {
  const unsigned z = code.lifting_size;
  const unsigned begin = code.row_begin[row] + part;
  const unsigned end = code.row_begin[row + 1];
  AIRAN_UNROLL
  for (unsigned i = 0; i < Slots; ++i) {
    const unsigned e = begin + i * parts;
    const unsigned position = kept.packed[i] & 0xFFFFU;
    const int q = static_cast<std::int32_t>(kept.packed[i]) >> 16;
    const int message = ldpc_edge_message(node, q);
    if (e < end) {
      messages[e * z + lane] = static_cast<std::int8_t>(message);
      app[position] = static_cast<std::int16_t>(q + message);
    }
  }
}

/// ldpc_layer_part_update_slots() for the row's ldpc_part_slots().
AIRAN_HOST_DEVICE inline void
ldpc_layer_part_update_kept(const LdpcLaneCode& code, unsigned row, unsigned lane, unsigned part,
                            unsigned parts, const LdpcCheckNodeMagnitudes& node,
                            const LdpcKeptEdges& kept, std::int16_t* app, std::int8_t* messages) {
  ldpc_with_slots(ldpc_part_slots(code, row, parts), [&](auto slots) {
    ldpc_layer_part_update_slots<decltype(slots)::value>(code, row, lane, part, parts, node, kept,
                                                         app, messages);
  });
}

/// True when check node \p lane of row \p row holds for the hard decision of \p app.
AIRAN_HOST_DEVICE inline bool ldpc_lane_parity_ok(const LdpcLaneCode& code, unsigned row,
                                                  unsigned lane, const std::int16_t* app) {
  int parity = 0;
  for (unsigned e = code.row_begin[row]; e < code.row_begin[row + 1]; ++e) {
    parity ^= app[ldpc_edge_position(code, code.edges[e], lane)];
  }
  return parity >= 0;
}

#if defined(__CUDACC__)
#pragma nv_exec_check_disable
#endif
/// Decodes one code block on \p lanes, which run work items (lane, part) for every lane
/// 0 .. z-1 and part 0 .. parts-1 (parts = lanes.parts(), 1 or more threads per check node):
///   for_each_item(z, f): f(lane, part) for every item, then a barrier;
///   any_item(z, f): f(lane, part) for every item, then a barrier; true when any returned true
///   (the same answer in every item);
///   xor_items(z, f): f(lane, part) (a uint32) for every item, then a barrier; the XOR of all;
///   check_nodes(z, state, update): s = state(lane, part) for every item, the states of the
///   parts of each lane merged (ldpc_merge_check_node_states), then update(lane, part, merged)
///   for every item, then a barrier;
///   check_nodes_kept(z, state, update): the same with an LdpcKeptEdges per item, which
///   state(lane, part, kept) fills and update(lane, part, merged, kept) reads.
/// Termination, outcomes and hard decisions follow LayeredMinSumDecoder::decode exactly, for
/// any number of parts. \p app holds num_columns Z values, \p messages (num edges of the
/// processed rows) Z values (any initial content: the first iteration reads none), \p bits K'
/// hard decisions (1 per byte).
template <class Lanes>
AIRAN_HOST_DEVICE LdpcLaneResult ldpc_lane_decode(Lanes& lanes, const LdpcLaneCode& code,
                                                  const std::int8_t* llrs, std::int16_t* app,
                                                  std::int8_t* messages, std::uint8_t* bits) {
  const unsigned z = code.lifting_size;
  const unsigned parts = lanes.parts();
  lanes.for_each_item(z, [&](unsigned lane, unsigned part) {
    for (unsigned column = part; column < code.num_columns; column += parts) {
      app[column * z + lane] =
          static_cast<std::int16_t>(ldpc_initial_app(code, llrs, column * z + lane));
    }
  });
  auto all_checks_hold = [&]() {
    return !lanes.any_item(z, [&](unsigned lane, unsigned part) {
      for (unsigned row = part; row < code.num_rows; row += parts) {
        if (!ldpc_lane_parity_ok(code, row, lane, app)) {
          return true;
        }
      }
      return false;
    });
  };
  auto hard_decide = [&]() {
    lanes.for_each_item(z, [&](unsigned lane, unsigned part) {
      for (unsigned bit = lane + part * z; bit < code.num_info_bits; bit += parts * z) {
        bits[bit] = app[bit] < 0 ? 1 : 0;
      }
    });
  };
  // The hard decision and the CRC register of its bits in one pass (one barrier).
  auto decide_and_check_crc = [&]() {
    return lanes.xor_items(z, [&](unsigned lane, unsigned part) {
      std::uint32_t reg = 0;
      for (unsigned bit = lane + part * z; bit < code.num_info_bits; bit += parts * z) {
        const bool one = app[bit] < 0;
        bits[bit] = one ? 1 : 0;
        reg ^= one ? code.crc_contributions[code.num_info_bits - 1 - bit] : 0u;
      }
      return reg;
    }) == 0;
  };
  LdpcLaneResult result;
  bool decided = false;      // bits hold the hard decision of the current APP
  bool parity_known = false; // result.parity_ok is that of the current APP
  for (unsigned iteration = 1; iteration <= code.max_iterations; ++iteration) {
    const bool first_iteration = iteration == 1; // reads no message
    for (unsigned row = 0; row < code.num_rows; ++row) {
      if (ldpc_row_keeps_edges(code, row, parts)) {
        lanes.check_nodes_kept(
            z,
            [&](unsigned lane, unsigned part, LdpcKeptEdges& kept) {
              return ldpc_layer_part_state_kept(code, row, lane, part, parts, app, messages, kept,
                                                first_iteration);
            },
            [&](unsigned lane, unsigned part, const LdpcCheckNodeState& node,
                const LdpcKeptEdges& kept) {
              ldpc_layer_part_update_kept(code, row, lane, part, parts,
                                          ldpc_finish_check_node(node, code.rule), kept, app,
                                          messages);
            });
        continue;
      }
      // The first iteration's layers are separate code (first: a std::bool_constant), so no edge
      // of either tests it.
      auto layer = [&](auto first) {
        lanes.check_nodes(
            z,
            [&](unsigned lane, unsigned part) {
              return ldpc_layer_part_state(code, row, lane, part, parts, app, messages, first);
            },
            [&](unsigned lane, unsigned part, const LdpcCheckNodeState& node) {
              ldpc_layer_part_update(code, row, lane, part, parts,
                                     ldpc_finish_check_node(node, code.rule), app, messages, first);
            });
      };
      if (first_iteration) {
        layer(std::true_type{});
      } else {
        layer(std::false_type{});
      }
    }
    result.iterations = iteration;
    decided = false;
    parity_known = false;
    if (code.parity_termination) {
      result.parity_ok = all_checks_hold();
      parity_known = true;
      if (result.parity_ok) {
        break;
      }
    } else if (code.crc_termination) {
      result.crc_ok = decide_and_check_crc();
      decided = true;
      if (result.crc_ok) {
        break;
      }
    }
  }
  if (!decided && code.crc_contributions != nullptr) {
    result.crc_ok = decide_and_check_crc();
  } else if (!decided) {
    hard_decide();
  }
  if (!parity_known) {
    // The message is all zero when no APP of a message bit is negative (the hard decision).
    const auto message_is_zero = [&]() {
      return !lanes.any_item(z, [&](unsigned lane, unsigned part) {
        bool one = false;
        for (unsigned bit = lane + part * z; bit < code.num_info_bits; bit += parts * z) {
          one = one || app[bit] < 0;
        }
        return one;
      });
    };
    const bool needed = !code.parity_only_for_zero_message || code.crc_contributions == nullptr ||
                        (result.crc_ok && message_is_zero());
    result.parity_ok = needed && all_checks_hold();
  }
  return result;
}

/// Decodes one code block with the lane decoder on the host, lanes in a loop (the CUDA kernel's
/// algorithm, for tests), with \p parts work items per check node (1, 2 or 4, as the CUDA
/// kernel's threads per check node). Resolves config.num_rows = 0 like the CPU decoders.
/// \p crc, when set, is the CRC that ends the K' message bits (crc_ok; crc_check termination
/// needs it). \p keep_extrinsics: LdpcLaneCode::keep_extrinsics.
/// \throws std::invalid_argument as ldpc_lane_code(), and for another \p parts.
LdpcLaneResult ldpc_decode_lanes_on_host(std::span<const std::int8_t> llrs,
                                         const LdpcDecoderConfig& config, std::span<bit_t> message,
                                         std::optional<CrcPolynomial> crc = std::nullopt,
                                         unsigned parts = 1, bool keep_extrinsics = true);

/// Decodes one code block of the ready lane code \p code (its graph and CRC contributions in
/// host memory, as a kernel's LdpcKernelBlock holds them) with the lane decoder on the host:
/// \p llrs its code.num_llrs received LLRs, \p message its K' hard decisions.
/// \throws std::invalid_argument for another \p parts than 1, 2 or 4, or spans too short.
LdpcLaneResult ldpc_decode_lane_code_on_host(const LdpcLaneCode& code,
                                             std::span<const std::int8_t> llrs,
                                             std::span<bit_t> message, unsigned parts);

} // namespace airan::phy
