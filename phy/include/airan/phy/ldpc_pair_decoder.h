/// \file
/// \brief Two code blocks of one code decoded together by the lane decoder's algorithm
/// (ldpc_lane_decoder.h): each lane holds the same check node of both, their APPs packed in one
/// Int16Pair word and their messages in one pair of int8 values, so that one address computation,
/// one load and one SIMD instruction serve both code blocks (on sm_90 the per-half sums, minima
/// and maxima are single instructions: int16_pair.h).
///
/// Each half follows LayeredMinSumDecoder::decode exactly: its own rows (the two may process
/// different numbers: a half's messages on a row it does not process stay 0, so its APPs do not
/// move), its own termination, iteration count, parity and CRC outcome and hard decisions. The
/// pair runs until both halves have finished; a half that finished first keeps being updated
/// (its APPs stay bounded) but its outputs were written when it finished and are not touched
/// again. ldpc_decode_pair_on_host() runs it with a loop over the lanes, so CPU tests prove it bit
/// for bit against the CPU decoders.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/int16_pair.h"
#include "airan/phy/ldpc_lane_decoder.h"

#include <cstdint>
#include <optional>
#include <span>

namespace airan::phy {

/// Two lane codes decoded as a pair: half 0 (low) and half 1 (high).
struct LdpcPairCode {
  LdpcLaneCode half[2];
  unsigned num_rows = 0;    ///< The larger of the halves' rows.
  unsigned num_columns = 0; ///< The larger of the halves' columns.
};

/// Whether \p a and \p b can be decoded as a pair: the same lifted graph (pointers), lifting
/// size, message length, fillers, rule, iteration limit, termination, final parity rule and CRC
/// contributions (pointer). Their rows and received lengths may differ.
AIRAN_HOST_DEVICE inline bool ldpc_lane_codes_pair(const LdpcLaneCode& a, const LdpcLaneCode& b) {
  return a.lifting_size == b.lifting_size && a.row_begin == b.row_begin && a.edges == b.edges &&
         a.num_info_bits == b.num_info_bits && a.filler_begin == b.filler_begin &&
         a.filler_end == b.filler_end && a.max_iterations == b.max_iterations &&
         a.parity_termination == b.parity_termination && a.crc_termination == b.crc_termination &&
         a.parity_only_for_zero_message == b.parity_only_for_zero_message &&
         a.crc_contributions == b.crc_contributions && a.rule.normalized == b.rule.normalized &&
         a.rule.factor_q15 == b.rule.factor_q15 && a.rule.offset == b.rule.offset;
}

/// The pair of \p a and \p b (ldpc_lane_codes_pair() must hold).
AIRAN_HOST_DEVICE inline LdpcPairCode ldpc_pair_code(const LdpcLaneCode& a, const LdpcLaneCode& b) {
  LdpcPairCode pair;
  pair.half[0] = a;
  pair.half[1] = b;
  pair.num_rows = a.num_rows > b.num_rows ? a.num_rows : b.num_rows;
  pair.num_columns = a.num_columns > b.num_columns ? a.num_columns : b.num_columns;
  return pair;
}

/// Pass 1's state of one check node in both halves (LdpcCheckNodeState per half).
struct LdpcPairNodeState {
  Int16Pair min1 = int16_pair(ldpc_message_max, ldpc_message_max);
  Int16Pair min2 = int16_pair(ldpc_message_max, ldpc_message_max);
  Int16Pair sign = 0; ///< XOR of the q words: bit 15 and bit 31 are the halves' sign products.
};

/// ldpc_accumulate_edge() in both halves.
AIRAN_HOST_DEVICE inline void ldpc_pair_accumulate_edge(LdpcPairNodeState& node, Int16Pair q) {
  node.sign ^= q;
  const Int16Pair magnitude = int16_pair_abs(q);
  node.min2 = int16_pair_min(node.min2, int16_pair_max(node.min1, magnitude));
  node.min1 = int16_pair_min(node.min1, magnitude);
}

/// ldpc_merge_check_node_states() in both halves.
AIRAN_HOST_DEVICE inline LdpcPairNodeState ldpc_pair_merge_states(const LdpcPairNodeState& a,
                                                                  const LdpcPairNodeState& b) {
  LdpcPairNodeState merged;
  merged.sign = a.sign ^ b.sign;
  merged.min1 = int16_pair_min(a.min1, b.min1);
  merged.min2 = int16_pair_min(int16_pair_max(a.min1, b.min1), int16_pair_min(a.min2, b.min2));
  return merged;
}

/// What pass 2 applies to every edge of a check node in both halves (LdpcCheckNodeMagnitudes),
/// and which halves process the row.
struct LdpcPairNodeMagnitudes {
  Int16Pair negative_min1 = 0;  ///< -min1 per half.
  Int16Pair scaled_min1 = 0;    ///< rule(min1) per half.
  Int16Pair scaled_min_xor = 0; ///< rule(min1) ^ rule(min2) per half.
  Int16Pair sign = 0;           ///< The state's sign word.
  Int16Pair active = 0;         ///< 0xFFFF in the halves that process the row, else 0.
};

/// 0xFFFF in the halves of \p pair that process row \p row.
AIRAN_HOST_DEVICE inline Int16Pair ldpc_pair_row_mask(const LdpcPairCode& pair, unsigned row) {
  return (row < pair.half[0].num_rows ? 0x0000FFFFU : 0U) |
         (row < pair.half[1].num_rows ? 0xFFFF0000U : 0U);
}

/// ldpc_finish_check_node() in both halves, for a row whose halves \p active process.
AIRAN_HOST_DEVICE inline LdpcPairNodeMagnitudes ldpc_pair_finish_node(const LdpcPairNodeState& node,
                                                                      const LdpcCheckNodeRule& rule,
                                                                      Int16Pair active) {
  const int min1_low = int16_pair_low(node.min1);
  const int min1_high = int16_pair_high(node.min1);
  const int s1_low = ldpc_scale_magnitude(min1_low, rule);
  const int s1_high = ldpc_scale_magnitude(min1_high, rule);
  const int s2_low = ldpc_scale_magnitude(int16_pair_low(node.min2), rule);
  const int s2_high = ldpc_scale_magnitude(int16_pair_high(node.min2), rule);
  LdpcPairNodeMagnitudes magnitudes;
  magnitudes.negative_min1 = int16_pair(-min1_low, -min1_high);
  magnitudes.scaled_min1 = int16_pair(s1_low, s1_high);
  magnitudes.scaled_min_xor = int16_pair(s1_low ^ s2_low, s1_high ^ s2_high);
  magnitudes.sign = node.sign;
  magnitudes.active = active;
  return magnitudes;
}

/// ldpc_edge_message() in both halves for the extrinsic word \p q; 0 in the halves that do not
/// process the row. |q| - min1 is at least 0 in each half, and 0 exactly on the edge that holds
/// min1, where the unsigned minimum with 1 is 0 and adding -1 gives the mask 0xFFFF.
AIRAN_HOST_DEVICE inline Int16Pair ldpc_pair_edge_message(const LdpcPairNodeMagnitudes& node,
                                                          Int16Pair q) {
  const Int16Pair excess = int16_pair_add(int16_pair_abs(q), node.negative_min1);
  const Int16Pair is_min_edge =
      int16_pair_add(int16_pair_min_unsigned(excess, int16_pair_ones), 0xFFFFFFFFU);
  const Int16Pair magnitude = node.scaled_min1 ^ (node.scaled_min_xor & is_min_edge);
  const Int16Pair negative = int16_pair_negative_mask(node.sign ^ q);
  return int16_pair_add((magnitude ^ negative) & node.active,
                        negative & node.active & int16_pair_ones);
}

/// Pass 1 of check node \p lane of row \p row over the edges of part \p part of \p parts, both
/// halves (ldpc_layer_part_state()). \p app: pair words; \p messages: int8 pairs.
AIRAN_HOST_DEVICE inline LdpcPairNodeState
ldpc_pair_part_state(const LdpcPairCode& pair, unsigned row, unsigned lane, unsigned part,
                     unsigned parts, const Int16Pair* app, const std::uint16_t* messages) {
  const LdpcLaneCode& code = pair.half[0];
  const unsigned z = code.lifting_size;
  const unsigned begin = code.row_begin[row] + part;
  const unsigned end = code.row_begin[row + 1];
  const std::uint16_t* message = messages + std::size_t{begin} * z + lane;
  const std::size_t stride = std::size_t{parts} * z;
  LdpcPairNodeState node;
  for (unsigned e = begin; e < end; e += parts, message += stride) {
    const Int16Pair q = int16_pair_sub(app[ldpc_edge_position(code, code.edges[e], lane)],
                                       int16_pair_from_int8s(*message));
    ldpc_pair_accumulate_edge(node, q);
  }
  return node;
}

/// Pass 2 of check node \p lane of row \p row over the edges of part \p part of \p parts, both
/// halves (ldpc_layer_part_update()).
AIRAN_HOST_DEVICE inline void ldpc_pair_part_update(const LdpcPairCode& pair, unsigned row,
                                                    unsigned lane, unsigned part, unsigned parts,
                                                    const LdpcPairNodeMagnitudes& node,
                                                    Int16Pair* app, std::uint16_t* messages) {
  const LdpcLaneCode& code = pair.half[0];
  const unsigned z = code.lifting_size;
  const unsigned begin = code.row_begin[row] + part;
  const unsigned end = code.row_begin[row + 1]; // read once: the stores below may alias it
  std::uint16_t* stored = messages + std::size_t{begin} * z + lane;
  const std::size_t stride = std::size_t{parts} * z;
  for (unsigned e = begin; e < end; e += parts, stored += stride) {
    const unsigned position = ldpc_edge_position(code, code.edges[e], lane);
    const Int16Pair q = int16_pair_sub(app[position], int16_pair_from_int8s(*stored));
    const Int16Pair message = ldpc_pair_edge_message(node, q);
    *stored = static_cast<std::uint16_t>(int16_pair_to_int8s(message));
    app[position] = int16_pair_add(q, message);
  }
}

/// Halves (bit 0: low, bit 1: high) in which check node \p lane of row \p row fails for the hard
/// decision of \p app (only a half that processes the row can fail it).
AIRAN_HOST_DEVICE inline unsigned ldpc_pair_lane_failures(const LdpcPairCode& pair, unsigned row,
                                                          unsigned lane, const Int16Pair* app) {
  const LdpcLaneCode& code = pair.half[0];
  Int16Pair parity = 0;
  for (unsigned e = code.row_begin[row]; e < code.row_begin[row + 1]; ++e) {
    parity ^= app[ldpc_edge_position(code, code.edges[e], lane)];
  }
  const unsigned failing = ((parity >> 15) & 1U) | ((parity >> 30) & 2U);
  return failing &
         ((row < pair.half[0].num_rows ? 1U : 0U) | (row < pair.half[1].num_rows ? 2U : 0U));
}

/// The lane decoder's algorithm (ldpc_lane_decode()) for a pair of code blocks on \p lanes, which
/// offer for_each_item(z, f) and check_nodes(z, state, update) as for ldpc_lane_decode() (with
/// LdpcPairNodeState for the states), and
///   or_items(z, f): f(lane, part) (a uint32) for every item, then a barrier; the OR of all;
///   xor_items_pair(z, f): f(lane, part) (a uint64) for every item, then a barrier; the XOR.
/// \p llrs, \p bits and \p results: per half. \p app holds num_columns Z words, \p messages
/// (num edges of num_rows rows) Z int8 pairs.
template <class Lanes>
AIRAN_HOST_DEVICE void ldpc_pair_decode(Lanes& lanes, const LdpcPairCode& pair,
                                        const std::int8_t* const llrs[2], Int16Pair* app,
                                        std::uint16_t* messages, std::uint8_t* const bits[2],
                                        LdpcLaneResult results[2]) {
  const LdpcLaneCode& code = pair.half[0];
  const unsigned z = code.lifting_size;
  const unsigned parts = lanes.parts();
  const unsigned num_edges = code.row_begin[pair.num_rows];
  lanes.for_each_item(z, [&](unsigned lane, unsigned part) {
    for (unsigned column = part; column < pair.num_columns; column += parts) {
      const unsigned position = column * z + lane;
      app[position] = int16_pair(ldpc_initial_app(pair.half[0], llrs[0], position),
                                 ldpc_initial_app(pair.half[1], llrs[1], position));
    }
    for (unsigned e = part; e < num_edges; e += parts) {
      messages[e * z + lane] = 0;
    }
  });
  // Halves (bit h) whose parity checks fail.
  auto failing_halves = [&]() {
    return lanes.or_items(z, [&](unsigned lane, unsigned part) {
      unsigned failing = 0;
      for (unsigned row = part; row < pair.num_rows; row += parts) {
        failing |= ldpc_pair_lane_failures(pair, row, lane, app);
      }
      return failing;
    });
  };
  // Hard decisions of \p halves, and the halves among them whose CRC holds (none without one).
  auto decide = [&](unsigned halves) {
    const std::uint64_t registers = lanes.xor_items_pair(z, [&](unsigned lane, unsigned part) {
      std::uint64_t reg = 0;
      for (unsigned bit = lane + part * z; bit < code.num_info_bits; bit += parts * z) {
        const Int16Pair value = app[bit];
        for (unsigned h = 0; h < 2; ++h) {
          if ((halves >> h & 1U) == 0) {
            continue;
          }
          const bool one = int16_pair_half(value, h) < 0;
          bits[h][bit] = one ? 1 : 0;
          if (one && code.crc_contributions != nullptr) {
            reg ^= std::uint64_t{code.crc_contributions[code.num_info_bits - 1 - bit]} << (32 * h);
          }
        }
      }
      return reg;
    });
    if (code.crc_contributions == nullptr) {
      return 0U;
    }
    return ((registers & 0xFFFFFFFFU) == 0 ? 1U : 0U) | ((registers >> 32) == 0 ? 2U : 0U);
  };
  // The halves among \p halves whose message is all zero: no APP of a message bit negative (the
  // hard decision).
  auto zero_message_halves = [&](unsigned halves) {
    const unsigned ones = lanes.or_items(z, [&](unsigned lane, unsigned part) {
      std::uint32_t negative = 0;
      for (unsigned bit = lane + part * z; bit < code.num_info_bits; bit += parts * z) {
        negative |= app[bit];
      }
      return ((negative >> 15) & 1U) | ((negative >> 30) & 2U);
    });
    return halves & ~ones;
  };
  // The outputs of \p halves that their last iteration's check did not give yet. The parity
  // check, as the lane decoder's, only for the halves whose outcome is read
  // (LdpcLaneCode::parity_only_for_zero_message); parity_ok is false for the others.
  auto finish = [&](unsigned halves, bool parity_known, bool decided) {
    if (halves == 0) {
      return;
    }
    if (!decided) {
      const unsigned crc_ok = decide(halves);
      for (unsigned h = 0; h < 2; ++h) {
        if ((halves >> h & 1U) != 0) {
          results[h].crc_ok = (crc_ok >> h & 1U) != 0;
        }
      }
    }
    if (!parity_known) {
      unsigned needed = halves;
      if (code.parity_only_for_zero_message && code.crc_contributions != nullptr) {
        unsigned crc_holds = 0;
        for (unsigned h = 0; h < 2; ++h) {
          crc_holds |= results[h].crc_ok ? 1U << h : 0U;
        }
        needed &= crc_holds;
        if (needed != 0) { // the same in every lane: from the block-wide reductions
          needed = zero_message_halves(needed);
        }
      }
      const unsigned failing = needed != 0 ? failing_halves() : 0U;
      for (unsigned h = 0; h < 2; ++h) {
        if ((halves >> h & 1U) != 0) {
          results[h].parity_ok = (needed >> h & 1U) != 0 && (failing >> h & 1U) == 0;
        }
      }
    }
  };
  results[0] = LdpcLaneResult{};
  results[1] = LdpcLaneResult{};
  unsigned pending = 3; // halves still decoding
  bool parity_known = false;
  bool decided = false;
  for (unsigned iteration = 1; iteration <= code.max_iterations && pending != 0; ++iteration) {
    for (unsigned row = 0; row < pair.num_rows; ++row) {
      const Int16Pair active = ldpc_pair_row_mask(pair, row);
      lanes.check_nodes(
          z,
          [&](unsigned lane, unsigned part) {
            return ldpc_pair_part_state(pair, row, lane, part, parts, app, messages);
          },
          [&](unsigned lane, unsigned part, const LdpcPairNodeState& node) {
            ldpc_pair_part_update(pair, row, lane, part, parts,
                                  ldpc_pair_finish_node(node, code.rule, active), app, messages);
          });
    }
    for (unsigned h = 0; h < 2; ++h) {
      if ((pending >> h & 1U) != 0) {
        results[h].iterations = iteration;
      }
    }
    parity_known = false;
    decided = false;
    unsigned finished = 0;
    if (code.parity_termination) {
      const unsigned failing = failing_halves();
      parity_known = true;
      for (unsigned h = 0; h < 2; ++h) {
        if ((pending >> h & 1U) != 0) {
          results[h].parity_ok = (failing >> h & 1U) == 0;
        }
      }
      finished = pending & ~failing;
    } else if (code.crc_termination) {
      const unsigned crc_ok = decide(pending);
      decided = true;
      for (unsigned h = 0; h < 2; ++h) {
        if ((pending >> h & 1U) != 0) {
          results[h].crc_ok = (crc_ok >> h & 1U) != 0;
        }
      }
      finished = pending & crc_ok;
      // An all-zero message passes any CRC (a zero register): such a half ends only once every
      // check holds too, as the acceptance takes it (a zero-padded TB's blocks). The same in
      // every lane: block-wide reductions.
      const unsigned zero = finished != 0 ? zero_message_halves(finished) : 0U;
      if (zero != 0) {
        finished &= ~(zero & failing_halves());
      }
    }
    finish(finished, parity_known, decided);
    pending &= ~finished;
  }
  finish(pending, parity_known, decided);
}

/// Decodes two code blocks as a pair on the host, lanes in a loop (the CUDA pair kernel's
/// algorithm, for tests), with \p parts work items per check node (1, 2 or 4). The configs must
/// differ at most in their rows (0: resolved from the LLRs, as the CPU decoders do); both
/// blocks' \p crc is the same. \p llrs, \p messages, \p results: per half.
/// \p parity_only_for_zero_message: both halves' LdpcLaneCode::parity_only_for_zero_message (as
/// GpuUlschDecoder's code blocks of a segmented TB have it).
/// \throws std::invalid_argument as ldpc_lane_code(), for another \p parts, and for configs that
/// do not pair.
void ldpc_decode_pair_on_host(const std::span<const std::int8_t> llrs[2],
                              const LdpcDecoderConfig configs[2],
                              const std::span<bit_t> messages[2], LdpcLaneResult results[2],
                              std::optional<CrcPolynomial> crc = std::nullopt, unsigned parts = 1,
                              bool parity_only_for_zero_message = false);

} // namespace airan::phy
