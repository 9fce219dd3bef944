/// \file
/// \brief The lane decoder's kept edges: pass 1 of a layer keeps each edge's variable position and
/// extrinsic value for pass 2 (LdpcKeptEdges), as straight-line code over a part's slots, a count
/// known at compile time (ldpc_with_slots()). AIRAN_HOST_DEVICE; ldpc_lane_decoder.h runs them.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_check_node_math.h"
#include "airan/phy/ldpc_lane_code.h"

#include <cstdint>
#include <type_traits>
#include <utility>

namespace airan::phy {

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

} // namespace airan::phy
