/// \file
/// \brief Integer check-node arithmetic of the layered min-sum LDPC decoder, for one check node
/// (one lane of a layer), shared by the CPU kernels and the CUDA decoder (AIRAN_HOST_DEVICE).
///
/// Per check node and edge e of its row: q_e = APP_e - R_e (the extrinsic value); min1 <= min2
/// are the two smallest of 127, 127 and the |q_e|; the sign product is the XOR of all q_e. The
/// new message of edge e is (|q_e| == min1 ? rule(min2) : rule(min1)) with the sign of the
/// product times the sign of q_e, and the new APP is q_e + R_e'. Every implementation computes
/// exactly these integers (a value below 0 is negative; 0 counts as positive), so all of them
/// decode bit for bit alike (ldpc_decoder.h).
#pragma once

#include "airan/phy/host_device.h"

#include <cstdint>

namespace airan::phy {

/// Largest magnitude of a check-to-variable message (and of a decoder input LLR).
inline constexpr int ldpc_message_max = 127;

/// The check-node magnitude rule in integer form.
struct LdpcCheckNodeRule {
  bool normalized = false; ///< true: round(min * factor_q15 / 2^15); false: max(min - offset, 0).
  int factor_q15 = 24576;  ///< Normalized scaling factor times 2^15 (1 .. 32767).
  int offset = 2;          ///< Offset subtracted from magnitudes (0 .. 127).
};

/// \p magnitude (0 .. 127) after the rule.
AIRAN_HOST_DEVICE inline int ldpc_scale_magnitude(int magnitude, const LdpcCheckNodeRule& rule) {
  if (rule.normalized) {
    return (magnitude * rule.factor_q15 + (1 << 14)) >> 15;
  }
  const int reduced = magnitude - rule.offset;
  return reduced > 0 ? reduced : 0;
}

/// What pass 1 of a layer accumulates for one check node.
struct LdpcCheckNodeState {
  int min1 = ldpc_message_max; ///< Smallest |q_e| (at most 127).
  int min2 = ldpc_message_max; ///< Second smallest |q_e| (min1 <= min2 <= 127).
  int sign = 0;                ///< XOR of the q_e: negative when an odd number of them are.
};

/// Adds the extrinsic value \p q of one edge to a check node's minima and sign product, in the
/// integer type \p T of the caller's storage (int16 lanes on the CPU vectorise twice as wide).
template <typename T>
AIRAN_HOST_DEVICE inline void ldpc_accumulate_edge(T& min1, T& min2, T& sign, T q) {
  sign = static_cast<T>(sign ^ q);
  const T magnitude = static_cast<T>(q < 0 ? -q : q);
  const T larger = min1 > magnitude ? min1 : magnitude;
  min2 = min2 < larger ? min2 : larger;
  min1 = min1 < magnitude ? min1 : magnitude;
}

/// Adds the extrinsic value \p q of one edge to \p state.
AIRAN_HOST_DEVICE inline void ldpc_accumulate_edge(LdpcCheckNodeState& state, int q) {
  ldpc_accumulate_edge(state.min1, state.min2, state.sign, q);
}

/// The minima of a finished state after the rule (what pass 2 applies to every edge).
struct LdpcCheckNodeMagnitudes {
  int min1 = 0;        ///< min1 before the rule (identifies the edge that holds it).
  int scaled_min1 = 0; ///< rule(min1).
  int scaled_min2 = 0; ///< rule(min2).
  int sign = 0;        ///< The state's sign product.
};

/// Applies the rule to the minima of \p state.
AIRAN_HOST_DEVICE inline LdpcCheckNodeMagnitudes
ldpc_finish_check_node(const LdpcCheckNodeState& state, const LdpcCheckNodeRule& rule) {
  return {state.min1, ldpc_scale_magnitude(state.min1, rule),
          ldpc_scale_magnitude(state.min2, rule), state.sign};
}

/// New check-to-variable message of the edge whose extrinsic value is \p q. Branch free (masks
/// of all ones or zeros), so that CPU loops over check nodes vectorise.
AIRAN_HOST_DEVICE inline int ldpc_edge_message(const LdpcCheckNodeMagnitudes& node, int q) {
  const int magnitude_q = q < 0 ? -q : q;
  const int is_min_edge = -static_cast<int>(magnitude_q == node.min1);
  const int magnitude = node.scaled_min1 ^ ((node.scaled_min1 ^ node.scaled_min2) & is_min_edge);
  const int negative = (node.sign ^ q) >> 31; // -1 where the sign is negative, else 0
  return (magnitude ^ negative) - negative;
}

/// Decoder value of an input LLR: -128 is read as -127.
AIRAN_HOST_DEVICE inline int ldpc_widen_llr(std::int8_t llr) {
  return llr < -ldpc_message_max ? -ldpc_message_max : llr;
}

} // namespace airan::phy
