/// \file
/// \brief AVX2 layer kernels of the layered min-sum LDPC decoder: 16 check nodes (int16 lanes) per
/// instruction. Compiled for AVX2 with a function attribute only, so the rest of the library
/// stays portable; the factory calls them only when the CPU supports AVX2.
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AIRAN_LDPC_SIMD_TARGET __attribute__((target("avx2")))
#endif

#include "ldpc_decoder_layered.h"

namespace airan::phy::detail {

#if defined(AIRAN_LDPC_SIMD_TARGET)
namespace {

/// Vector operations of the shared kernel template on 16 int16 lanes.
struct Avx2Ops {
  using Vec = __m256i;
  using Mask = __m256i; ///< All ones in the selected lanes.
  static constexpr unsigned width = 16;

  AIRAN_LDPC_SIMD_TARGET static Vec load(const ldpc_soft_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  AIRAN_LDPC_SIMD_TARGET static void store(ldpc_soft_t* p, Vec v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  }
  AIRAN_LDPC_SIMD_TARGET static Vec broadcast(ldpc_soft_t v) { return _mm256_set1_epi16(v); }
  AIRAN_LDPC_SIMD_TARGET static Vec add(Vec a, Vec b) { return _mm256_add_epi16(a, b); }
  AIRAN_LDPC_SIMD_TARGET static Vec sub(Vec a, Vec b) { return _mm256_sub_epi16(a, b); }
  AIRAN_LDPC_SIMD_TARGET static Vec min(Vec a, Vec b) { return _mm256_min_epi16(a, b); }
  AIRAN_LDPC_SIMD_TARGET static Vec max(Vec a, Vec b) { return _mm256_max_epi16(a, b); }
  AIRAN_LDPC_SIMD_TARGET static Vec abs(Vec a) { return _mm256_abs_epi16(a); }
  AIRAN_LDPC_SIMD_TARGET static Vec bitwise_xor(Vec a, Vec b) { return _mm256_xor_si256(a, b); }
  AIRAN_LDPC_SIMD_TARGET static Mask equal(Vec a, Vec b) { return _mm256_cmpeq_epi16(a, b); }
  AIRAN_LDPC_SIMD_TARGET static Vec select(Mask m, Vec if_clear, Vec if_set) {
    return _mm256_blendv_epi8(if_clear, if_set, m);
  }
  /// -value in the lanes where sign_source is negative: vpsignw with the zero lanes of
  /// sign_source made positive (OR 1 keeps every sign and turns 0 into 1).
  AIRAN_LDPC_SIMD_TARGET static Vec apply_sign(Vec value, Vec sign_source) {
    return _mm256_sign_epi16(value, _mm256_or_si256(sign_source, _mm256_set1_epi16(1)));
  }
  /// (v * factor_q15 + 2^14) >> 15 per lane.
  AIRAN_LDPC_SIMD_TARGET static Vec scale_normalized(Vec v, Vec factor_q15) {
    return _mm256_mulhrs_epi16(v, factor_q15);
  }
  /// max(v - offset, 0) for v >= 0.
  AIRAN_LDPC_SIMD_TARGET static Vec scale_offset(Vec v, Vec offset) {
    return _mm256_subs_epu16(v, offset);
  }
  AIRAN_LDPC_SIMD_TARGET static bool any_negative(Vec v, unsigned num_lanes) {
    // Two mask bits per lane; the upper byte's bit carries the sign.
    std::uint32_t negative = static_cast<std::uint32_t>(_mm256_movemask_epi8(v)) & 0xAAAAAAAAu;
    if (num_lanes < width) {
      negative &= (std::uint32_t{1} << (2 * num_lanes)) - 1;
    }
    return negative != 0;
  }
};

void avx2_update_layer(const LdpcLayer& layer) {
  simd_update_layer<Avx2Ops>(layer);
}

bool avx2_layer_parity_ok(const LdpcLayer& layer) {
  return simd_layer_parity_ok<Avx2Ops>(layer);
}

const LdpcLayerKernels avx2_kernels{LdpcDecoderImpl::avx2, avx2_update_layer, avx2_layer_parity_ok,
                                    simd_widen_llrs,       simd_hard_decide,  32};

} // namespace

const LdpcLayerKernels* ldpc_avx2_layer_kernels() {
  return &avx2_kernels;
}
#else
const LdpcLayerKernels* ldpc_avx2_layer_kernels() {
  return nullptr;
}
#endif

} // namespace airan::phy::detail
