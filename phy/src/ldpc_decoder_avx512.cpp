/// \file
/// \brief AVX-512 layer kernels of the layered min-sum LDPC decoder: 32 check nodes (int16 lanes)
/// per instruction. Compiled for AVX-512F/BW with a function attribute only, so the rest of the
/// library stays portable; the factory calls them only when the CPU supports AVX-512BW.
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AIRAN_LDPC_SIMD_TARGET __attribute__((target("avx2,avx512f,avx512bw")))
#endif

#include "ldpc_decoder_layered.h"

namespace airan::phy::detail {

#if defined(AIRAN_LDPC_SIMD_TARGET)
namespace {

/// The vector operations on 32 int16 lanes that the shared parity check template and the
/// update below use.
struct Avx512Ops {
  using Vec = __m512i;
  static constexpr unsigned width = 32;

  AIRAN_LDPC_SIMD_TARGET static Vec load(const ldpc_soft_t* p) { return _mm512_loadu_si512(p); }
  AIRAN_LDPC_SIMD_TARGET static Vec broadcast(ldpc_soft_t v) { return _mm512_set1_epi16(v); }
  AIRAN_LDPC_SIMD_TARGET static Vec bitwise_xor(Vec a, Vec b) { return _mm512_xor_si512(a, b); }
  /// -value in the lanes where sign_source is negative.
  AIRAN_LDPC_SIMD_TARGET static Vec apply_sign(Vec value, Vec sign_source) {
    return _mm512_mask_sub_epi16(value, _mm512_movepi16_mask(sign_source), _mm512_setzero_si512(),
                                 value);
  }
  /// (v * factor_q15 + 2^14) >> 15 per lane.
  AIRAN_LDPC_SIMD_TARGET static Vec scale_normalized(Vec v, Vec factor_q15) {
    return _mm512_mulhrs_epi16(v, factor_q15);
  }
  /// max(v - offset, 0) for v >= 0.
  AIRAN_LDPC_SIMD_TARGET static Vec scale_offset(Vec v, Vec offset) {
    return _mm512_subs_epu16(v, offset);
  }
  AIRAN_LDPC_SIMD_TARGET static bool any_negative(Vec v, unsigned num_lanes) {
    std::uint32_t negative = _mm512_movepi16_mask(v);
    if (num_lanes < width) {
      negative &= (std::uint32_t{1} << num_lanes) - 1;
    }
    return negative != 0;
  }
};

/// Mask of 32 lanes stored in two values of message storage (copied, so no aliasing issue).
AIRAN_LDPC_SIMD_TARGET inline __mmask32 load_mask(const ldpc_soft_t* stored) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, stored, sizeof bits);
  return _cvtu32_mask32(bits);
}

AIRAN_LDPC_SIMD_TARGET inline void store_mask(ldpc_soft_t* stored, __mmask32 mask) {
  const std::uint32_t bits = _cvtmask32_u32(mask);
  std::memcpy(stored, &bits, sizeof bits);
}

/// Layer update with compressed messages: R_e of a lane is s_e * (is_min_e ? m2s : m1s) where
/// m1s, m2s are the row's scaled minima with the sign of the sign product (kept in row_state),
/// s_e is the sign of q_e and two bit masks per edge and 32 lanes record is_min_e and s_e < 0.
/// The messages of a layer take 8 bytes instead of 64 per 32 lanes and edge, which keeps the
/// working set near the L1 cache, and pass 2 works on |q_e| and s_e:
/// APP_e' = q_e + R_e' = s_e (|q_e| + (is_min_e ? m2s' : m1s')). Computes exactly the integers
/// of ldpc_decoder_layered.h, as the scalar and AVX2 kernels do.
AIRAN_LDPC_SIMD_TARGET void avx512_update_layer(const LdpcLayer& layer) {
  constexpr unsigned width = Avx512Ops::width;
  const unsigned z = layer.lifting_size;
  const unsigned degree = layer.degree;
  const unsigned stride = layer.scratch_stride;
  const unsigned num_chunks = (z + width - 1) / width;
  const ldpc_soft_t* const* app_in = layer.app_in;
  ldpc_soft_t* const* app_out = layer.app_out;
  ldpc_soft_t* const* messages = layer.messages; // per chunk: masks is_min, then s < 0
  constexpr unsigned mask_values = 2;            // values of message storage per mask
  ldpc_soft_t* abs_q_base = layer.scratch;
  ldpc_soft_t* min1_base = layer.scratch + std::size_t{degree} * stride;
  ldpc_soft_t* min2_base = min1_base + stride;
  ldpc_soft_t* sign_base = min2_base + stride;
  ldpc_soft_t* row_min1 = layer.row_state; // m1s of the previous update of this row
  ldpc_soft_t* row_min2 = layer.row_state + stride;
  const __m512i zero = _mm512_setzero_si512();

  // Pass 1: q_e = APP_e - R_e (R_e rebuilt from the masks), its sign mask, |q_e|, the minima and
  // the sign product.
  for (unsigned chunk = 0; chunk < num_chunks; ++chunk) {
    const unsigned lane0 = chunk * width;
    const __m512i old_min1 = _mm512_loadu_si512(row_min1 + lane0);
    const __m512i old_min2 = _mm512_loadu_si512(row_min2 + lane0);
    __m512i min1 = _mm512_set1_epi16(ldpc_llr_max);
    __m512i min2 = min1;
    __m512i sign_product = zero;
    for (unsigned e = 0; e < degree; ++e) {
      ldpc_soft_t* masks = messages[e] + std::size_t{2} * mask_values * chunk;
      const __m512i app = _mm512_loadu_si512(app_in[e] + lane0);
      const __m512i old_magnitude = _mm512_mask_blend_epi16(load_mask(masks), old_min1, old_min2);
      // q = APP - s R: APP - magnitude, or APP + magnitude where the old sign was negative.
      const __m512i q = _mm512_mask_add_epi16(_mm512_sub_epi16(app, old_magnitude),
                                              load_mask(masks + mask_values), app, old_magnitude);
      store_mask(masks + mask_values, _mm512_movepi16_mask(q));
      const __m512i abs_q = _mm512_abs_epi16(q);
      _mm512_storeu_si512(abs_q_base + std::size_t{e} * stride + lane0, abs_q);
      sign_product = _mm512_xor_si512(sign_product, q);
      min2 = _mm512_min_epi16(min2, _mm512_max_epi16(min1, abs_q));
      min1 = _mm512_min_epi16(min1, abs_q);
    }
    _mm512_storeu_si512(min1_base + lane0, min1);
    _mm512_storeu_si512(min2_base + lane0, min2);
    _mm512_storeu_si512(sign_base + lane0, sign_product);
  }

  // Pass 2, downwards: lanes past Z of the last chunk spill into the second copy, [Z, 2Z);
  // chunk 0, written last, repairs them.
  const __m512i factor = _mm512_set1_epi16(layer.rule.factor_q15);
  const __m512i offset = _mm512_set1_epi16(layer.rule.offset);
  for (unsigned chunk = num_chunks; chunk-- > 0;) {
    const unsigned lane0 = chunk * width;
    const __m512i min1 = _mm512_loadu_si512(min1_base + lane0);
    const __m512i min2 = _mm512_loadu_si512(min2_base + lane0);
    const __m512i sign_product = _mm512_loadu_si512(sign_base + lane0);
    const __m512i signed_min1 =
        Avx512Ops::apply_sign(layer.rule.normalized ? Avx512Ops::scale_normalized(min1, factor)
                                                    : Avx512Ops::scale_offset(min1, offset),
                              sign_product);
    const __m512i signed_min2 =
        Avx512Ops::apply_sign(layer.rule.normalized ? Avx512Ops::scale_normalized(min2, factor)
                                                    : Avx512Ops::scale_offset(min2, offset),
                              sign_product);
    _mm512_storeu_si512(row_min1 + lane0, signed_min1);
    _mm512_storeu_si512(row_min2 + lane0, signed_min2);
    for (unsigned e = 0; e < degree; ++e) {
      ldpc_soft_t* masks = messages[e] + std::size_t{2} * mask_values * chunk;
      const __m512i abs_q = _mm512_loadu_si512(abs_q_base + std::size_t{e} * stride + lane0);
      const __mmask32 is_min_edge = _mm512_cmpeq_epi16_mask(abs_q, min1);
      store_mask(masks, is_min_edge);
      const __m512i sum =
          _mm512_add_epi16(abs_q, _mm512_mask_blend_epi16(is_min_edge, signed_min1, signed_min2));
      const __m512i app = _mm512_mask_sub_epi16(sum, load_mask(masks + mask_values), zero, sum);
      ldpc_soft_t* column = app_out[e];
      _mm512_storeu_si512(column + lane0, app);
      _mm512_storeu_si512(column + z + lane0, app);
    }
  }
}

bool avx512_layer_parity_ok(const LdpcLayer& layer) {
  return simd_layer_parity_ok<Avx512Ops>(layer);
}

const LdpcLayerKernels avx512_kernels{LdpcDecoderImpl::avx512, avx512_update_layer,
                                      avx512_layer_parity_ok,  simd_widen_llrs,
                                      simd_hard_decide,        4};

} // namespace

const LdpcLayerKernels* ldpc_avx512_layer_kernels() {
  return &avx512_kernels;
}
#else
const LdpcLayerKernels* ldpc_avx512_layer_kernels() {
  return nullptr;
}
#endif

} // namespace airan::phy::detail
