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
#include "airan/phy/ldpc_lane_code.h"
#include "airan/phy/ldpc_lane_kept_edges.h"

#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

namespace airan::phy {

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
      // An all-zero message passes any CRC (a zero register): it ends the decoding only once
      // every check holds too, as the acceptance takes it (a zero-padded TB's blocks).
      bool stop = result.crc_ok;
      if (stop && message_is_zero()) {
        result.parity_ok = all_checks_hold();
        parity_known = true;
        stop = result.parity_ok;
      }
      if (stop) {
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
