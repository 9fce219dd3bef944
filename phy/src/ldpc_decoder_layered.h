/// \file
/// \brief Private interface between the layered min-sum LDPC decoder (ldpc_decoder_layered.cpp)
/// and its per-instruction-set layer kernels, and the SIMD kernel template they share.
///
/// A layer is one base-graph row: Z check nodes that are processed together, check node i in
/// lane i. For an edge of shift P, lane i reads variable node (i + P) mod Z of its column. The
/// decoder keeps the a-posteriori LLRs (APP) of each column "in the frame" of the last edge that
/// wrote them: stored[k] = APP[(k + frame) mod Z], stored twice in a row (2Z values), so that the
/// window of any other shift is one contiguous read at offset (P - frame) mod Z. A layer first
/// reads every window (pass 1), then writes each column's new APP in its own frame, rotation
/// free, over the same buffer (pass 2).
///
/// Per lane and edge e the kernels compute, in int16:
///   q_e = APP_e - R_e;  min1 <= min2: the two smallest of 127, 127 and the |q_e|;
///   s = XOR of all q_e (its sign bit is the product of the signs);
///   m1, m2 = rule(min1), rule(min2) (normalized: (min f_q15 + 2^14) >> 15; offset: min - b, >= 0);
///   R_e' = (|q_e| == min1 ? m2 : m1) with the sign of s XOR q_e;  APP_e' = q_e + R_e'.
/// (Where several edges reach min1, min2 == min1 and they all get the same magnitude, so no edge
/// index is needed.)
/// A sign is negative when the value is below 0 (0 counts as positive). Messages are thus 8-bit
/// values (|R| <= 127) and APP = channel LLR + sum of its column's messages stays below
/// 127 (47 + 46) in magnitude (filler bits start at 127 * 47): nothing saturates, so the APP
/// never loses the information that a saturating int8 APP loses (a saturated APP minus a large
/// stored message can flip sign).
/// Every kernel computes exactly these integers, so all implementations give the same outputs.
#pragma once

#include "airan/phy/ldpc_decoder.h"

#include <cstdint>
#include <memory>

namespace airan::phy::detail {

/// Decoder-internal LLRs and messages.
using ldpc_soft_t = std::int16_t;

/// Alignment and padding granule of every kernel buffer, in ldpc_soft_t (one AVX-512 register).
inline constexpr unsigned ldpc_vector_lanes = 32;

/// Check-node magnitude rule in the integer form the kernels apply.
struct LdpcCheckRule {
  bool normalized = true;
  std::int16_t factor_q15 = 24576; ///< Normalized: scaling factor times 2^15 (<= 32767).
  std::int16_t offset = 0;         ///< Offset: subtracted from magnitudes.
};

/// One layer (base-graph row) as the kernels see it. Pointers are per edge, in row order; sizes
/// are in ldpc_soft_t.
struct LdpcLayer {
  unsigned degree = 0;                        ///< Edges of the row (at most 32).
  unsigned lifting_size = 0;                  ///< Z: check nodes, i.e. lanes.
  const ldpc_soft_t* const* app_in = nullptr; ///< APP window of each edge in lane order,
                                              ///< readable for Z rounded up to 32.
  ldpc_soft_t* const* app_out = nullptr;      ///< Buffer of each edge's column, rewritten in
                                              ///< pass 2: lanes at [0, Z) and again at
                                              ///< [Z, 2Z); writable to 2Z + 32.
  ldpc_soft_t* const* messages = nullptr;     ///< Storage of each edge's check-to-variable
                                              ///< messages R_e, Z rounded up to 32 values; the
                                              ///< format is the kernel's (all zeros: R_e = 0).
  ldpc_soft_t* row_state = nullptr;           ///< 2 (Z rounded up to 32) values of per-row
                                              ///< storage for kernels that compress messages
                                              ///< (all zeros initially).
  ldpc_soft_t* scratch = nullptr;             ///< (degree + 3) * scratch_stride: the q_e,
                                              ///< then min1, min2 and s of every lane.
  unsigned scratch_stride = 0;                ///< Multiple of 32, at least Z.
  LdpcCheckRule rule;
};

/// Runs one layer update (messages and APP).
using LdpcLayerUpdate = void (*)(const LdpcLayer& layer);
/// True when every check of the layer holds for the hard decision of app_in (other pointers
/// unused).
using LdpcLayerParityCheck = bool (*)(const LdpcLayer& layer);

/// Writes max(llrs[i], -127) to out[i] for i < count.
using LdpcWidenLlrs = void (*)(const std::int8_t* llrs, ldpc_soft_t* out, unsigned count);
/// Writes bits[i] = (app[i] < 0) for i < count.
using LdpcHardDecide = void (*)(const ldpc_soft_t* app, std::uint8_t* bits, unsigned count);

/// The kernels of one instruction set.
struct LdpcLayerKernels {
  LdpcDecoderImpl impl;
  LdpcLayerUpdate update;
  LdpcLayerParityCheck parity_ok;
  LdpcWidenLlrs widen_llrs;
  LdpcHardDecide hard_decide;
  /// Values of message storage that update() uses per edge and 32 lanes (at most 32).
  unsigned message_values_per_32_lanes;
};

/// The layered min-sum decoder running \p kernels (ldpc_decoder_layered.cpp).
std::unique_ptr<LdpcDecoder> make_layered_min_sum_decoder(const LdpcLayerKernels& kernels);

/// Portable kernels (always available).
const LdpcLayerKernels& ldpc_scalar_layer_kernels();
/// AVX2 kernels, or nullptr when the build target is not x86.
const LdpcLayerKernels* ldpc_avx2_layer_kernels();
/// AVX-512 kernels, or nullptr when the build target is not x86.
const LdpcLayerKernels* ldpc_avx512_layer_kernels();

} // namespace airan::phy::detail

#if defined(AIRAN_LDPC_SIMD_TARGET)
// SIMD kernels, compiled only by the translation units that define AIRAN_LDPC_SIMD_TARGET (the
// function attribute that enables their instruction set) and provide an Ops type of int16 lanes
// with Vec and width (lanes); simd_layer_parity_ok needs load (unaligned), broadcast,
// bitwise_xor and any_negative(v, num_lanes) (sign of one of the first num_lanes lanes set);
// simd_update_layer also needs Mask, store, add, sub, min, max, abs, equal (-> Mask),
// select(mask, if_clear, if_set), apply_sign(v, s) (-v where s < 0),
// scale_normalized(v, factor_q15) and scale_offset(v, offset).
namespace airan::phy::detail {
namespace {

template <class Ops> AIRAN_LDPC_SIMD_TARGET void simd_update_layer(const LdpcLayer& layer) {
  using Vec = typename Ops::Vec;
  constexpr unsigned width = Ops::width;
  const unsigned z = layer.lifting_size;
  const unsigned degree = layer.degree;
  const unsigned stride = layer.scratch_stride;
  const ldpc_soft_t* const* app_in = layer.app_in;
  ldpc_soft_t* const* app_out = layer.app_out;
  ldpc_soft_t* const* messages = layer.messages;
  ldpc_soft_t* q_base = layer.scratch;
  ldpc_soft_t* min1_base = layer.scratch + degree * stride;
  ldpc_soft_t* min2_base = min1_base + stride;
  ldpc_soft_t* sign_base = min2_base + stride;
  const unsigned num_chunks = (z + width - 1) / width;

  // Pass 1: extrinsic q_e, the two minima and the sign product of every lane.
  for (unsigned lane0 = 0; lane0 < num_chunks * width; lane0 += width) {
    Vec min1 = Ops::broadcast(ldpc_llr_max);
    Vec min2 = min1;
    Vec sign_product = Ops::broadcast(0);
    for (unsigned e = 0; e < degree; ++e) {
      const Vec q = Ops::sub(Ops::load(app_in[e] + lane0), Ops::load(messages[e] + lane0));
      Ops::store(q_base + e * stride + lane0, q);
      sign_product = Ops::bitwise_xor(sign_product, q);
      const Vec magnitude = Ops::abs(q);
      min2 = Ops::min(min2, Ops::max(min1, magnitude));
      min1 = Ops::min(min1, magnitude);
    }
    Ops::store(min1_base + lane0, min1);
    Ops::store(min2_base + lane0, min2);
    Ops::store(sign_base + lane0, sign_product);
  }

  // Pass 2: new messages and APP. Downwards: lanes past Z of the last chunk spill into the
  // second copy, [Z, 2Z); chunk 0, written last, repairs them.
  const Vec factor = Ops::broadcast(layer.rule.factor_q15);
  const Vec offset = Ops::broadcast(layer.rule.offset);
  for (unsigned chunk = num_chunks; chunk-- > 0;) {
    const unsigned lane0 = chunk * width;
    const Vec min1 = Ops::load(min1_base + lane0);
    const Vec min2 = Ops::load(min2_base + lane0);
    const Vec sign_product = Ops::load(sign_base + lane0);
    // The minima with the sign of the product of all signs; each edge then removes its own.
    const Vec signed_min1 =
        Ops::apply_sign(layer.rule.normalized ? Ops::scale_normalized(min1, factor)
                                              : Ops::scale_offset(min1, offset),
                        sign_product);
    const Vec signed_min2 =
        Ops::apply_sign(layer.rule.normalized ? Ops::scale_normalized(min2, factor)
                                              : Ops::scale_offset(min2, offset),
                        sign_product);
    for (unsigned e = 0; e < degree; ++e) {
      const Vec q = Ops::load(q_base + e * stride + lane0);
      const auto is_min_edge = Ops::equal(Ops::abs(q), min1);
      const Vec message = Ops::apply_sign(Ops::select(is_min_edge, signed_min1, signed_min2), q);
      Ops::store(messages[e] + lane0, message);
      const Vec app = Ops::add(q, message);
      ldpc_soft_t* column = app_out[e];
      Ops::store(column + lane0, app);
      Ops::store(column + z + lane0, app);
    }
  }
}

/// LdpcWidenLlrs as a loop for the compiler to vectorise.
AIRAN_LDPC_SIMD_TARGET inline void simd_widen_llrs(const std::int8_t* llrs, ldpc_soft_t* out,
                                                   unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    const int llr = llrs[i];
    out[i] = static_cast<ldpc_soft_t>(llr < -ldpc_llr_max ? -ldpc_llr_max : llr);
  }
}

/// LdpcHardDecide as a loop for the compiler to vectorise.
AIRAN_LDPC_SIMD_TARGET inline void simd_hard_decide(const ldpc_soft_t* app, std::uint8_t* bits,
                                                    unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    bits[i] = app[i] < 0 ? 1 : 0;
  }
}

template <class Ops> AIRAN_LDPC_SIMD_TARGET bool simd_layer_parity_ok(const LdpcLayer& layer) {
  using Vec = typename Ops::Vec;
  constexpr unsigned width = Ops::width;
  const unsigned z = layer.lifting_size;
  for (unsigned lane0 = 0; lane0 < z; lane0 += width) {
    Vec parity = Ops::broadcast(0);
    for (unsigned e = 0; e < layer.degree; ++e) {
      parity = Ops::bitwise_xor(parity, Ops::load(layer.app_in[e] + lane0));
    }
    if (Ops::any_negative(parity, z - lane0)) {
      return false;
    }
  }
  return true;
}

} // namespace
} // namespace airan::phy::detail
#endif
