/// \file
/// \brief Conversion of real LLRs to the LDPC decoder's int8 input (quantize_ldpc_llrs()): SSE2
/// in the portable build, AVX2 or AVX-512 chosen at run time. Every path multiplies by the scale,
/// sets a NaN to 0 (an erasure, as quantize_ldpc_llr() does), clamps with min(v, 127) and at -127
/// (SSE2: max(v, -127) in float; AVX2, AVX-512: in int8 after the saturating narrowing, see below)
/// and converts with the current rounding mode (nearest, ties to even, as std::nearbyint), so all
/// give the scalar result bit for bit.
#include "airan/phy/ldpc_decoder.h"

#include "ldpc_rate_recovery_simd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AIRAN_QUANTIZER_X86 1
#endif

#include <cmath>
#include <stdexcept>

namespace airan::phy {

namespace {

/// The portable path: SSE2 where the build targets it, then one value at a time.
void quantize_baseline(const float* llrs, std::size_t count, float scale, std::int8_t* out) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const auto limit = static_cast<float>(ldpc_llr_max);
  // 16 values per step: scale, clamp, convert with the current rounding mode (nearest even),
  // pack with saturation (the clamp keeps every value inside +-127 already).
  const __m128 scale4 = _mm_set1_ps(scale);
  const __m128 high = _mm_set1_ps(limit);
  const __m128 low = _mm_set1_ps(-limit);
  const auto convert = [&](const float* p) {
    __m128 v = _mm_mul_ps(_mm_loadu_ps(p), scale4);
    v = _mm_and_ps(v, _mm_cmpord_ps(v, v)); // NaN -> 0
    return _mm_cvtps_epi32(_mm_max_ps(_mm_min_ps(v, high), low));
  };
  for (; i + 16 <= count; i += 16) {
    const float* p = llrs + i;
    const __m128i lo = _mm_packs_epi32(convert(p), convert(p + 4));
    const __m128i hi = _mm_packs_epi32(convert(p + 8), convert(p + 12));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_packs_epi16(lo, hi));
  }
#endif
  for (; i < count; ++i) {
    out[i] = quantize_ldpc_llr(llrs[i] * scale); // the SIMD steps' clamp and rounding
  }
}

} // namespace

#if defined(AIRAN_QUANTIZER_X86)

// The SIMD paths below set NaN to 0, clamp only the upper side in floating point (min(v, 127)),
// convert, narrow with signed saturation and then clamp the lower side in
// int8 (max(b, -127)). That is quantize_ldpc_llr(): rounding to nearest is monotone and -127 an
// integer, so round(max(v, -127)) = max(round(v), -127); values below the int32 range (and
// -inf) convert to INT32_MIN, which saturates to -128 and is clamped to -127 too.

__attribute__((target("avx2"))) std::size_t detail::quantize_ldpc_llrs_avx2(const float* llrs,
                                                                            std::size_t count,
                                                                            float scale,
                                                                            std::int8_t* out) {
  const __m256 scale8 = _mm256_set1_ps(scale);
  const __m256 high = _mm256_set1_ps(static_cast<float>(ldpc_llr_max));
  const __m256i low = _mm256_set1_epi8(static_cast<char>(-ldpc_llr_max));
  // The packs work inside 128-bit lanes: the dwords of four values come out in the order
  // a0 b0 c0 d0 | a1 b1 c1 d1, which one permute puts right.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  std::size_t i = 0;
  for (; i + 32 <= count; i += 32) {
    __m256i converted[4];
    for (unsigned q = 0; q < 4; ++q) {
      __m256 v = _mm256_mul_ps(_mm256_loadu_ps(llrs + i + std::size_t{8} * q), scale8);
      v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q)); // NaN -> 0
      converted[q] = _mm256_cvtps_epi32(_mm256_min_ps(v, high));
    }
    const __m256i ab = _mm256_packs_epi32(converted[0], converted[1]);
    const __m256i cd = _mm256_packs_epi32(converted[2], converted[3]);
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd), order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_max_epi8(bytes, low));
  }
  return i;
}

namespace {

#define AIRAN_QUANTIZER_AVX512 __attribute__((target("avx2,avx512f,avx512bw,avx512dq,avx512vl")))

/// Sixteen values scaled, clamped above (NaN to 0) and converted to int32.
AIRAN_QUANTIZER_AVX512 inline __m512i convert16(__m512 v, __m512 scale, __m512 high) {
  // The zero-masked forms under a full mask are the plain instructions; GCC 12 warns about the
  // undefined source operand of the unmasked intrinsics (-Wmaybe-uninitialized) once inlined.
  constexpr __mmask16 all = 0xFFFF;
  const __m512 scaled = _mm512_mul_ps(v, scale);
  const __mmask16 ordered = _mm512_cmp_ps_mask(scaled, scaled, _CMP_ORD_Q); // NaN lanes: 0
  return _mm512_maskz_cvtps_epi32(all, _mm512_maskz_min_ps(ordered, scaled, high));
}

} // namespace

AIRAN_QUANTIZER_AVX512 std::size_t detail::quantize_ldpc_llrs_avx512(const float* llrs,
                                                                     std::size_t count, float scale,
                                                                     std::int8_t* out) {
  const __m512 scale16 = _mm512_set1_ps(scale);
  const __m512 high = _mm512_set1_ps(static_cast<float>(ldpc_llr_max));
  const __m512i low = _mm512_set1_epi8(static_cast<char>(-ldpc_llr_max));
  // The packs work inside 128-bit lanes: dword 4L + s of the result holds chunk L (values
  // 4L .. 4L + 3) of input s; this permute puts chunk L of input s at dword 4s + L.
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  std::size_t i = 0;
  for (; i + 64 <= count; i += 64) {
    const __m512i a = convert16(_mm512_loadu_ps(llrs + i), scale16, high);
    const __m512i b = convert16(_mm512_loadu_ps(llrs + i + 16), scale16, high);
    const __m512i c = convert16(_mm512_loadu_ps(llrs + i + 32), scale16, high);
    const __m512i d = convert16(_mm512_loadu_ps(llrs + i + 48), scale16, high);
    const __m512i bytes = _mm512_maskz_permutexvar_epi32(
        0xFFFF, order, _mm512_packs_epi16(_mm512_packs_epi32(a, b), _mm512_packs_epi32(c, d)));
    _mm512_storeu_si512(out + i, _mm512_max_epi8(bytes, low));
  }
  for (; i < count; i += 16) {
    // The last values under a mask: masked-off lanes are neither read nor written.
    const std::size_t left = count - i;
    const auto mask = static_cast<__mmask16>(left >= 16 ? 0xFFFFU : (1U << left) - 1U);
    const __m128i bytes = _mm512_maskz_cvtsepi32_epi8(
        0xFFFF, convert16(_mm512_maskz_loadu_ps(mask, llrs + i), scale16, high));
    _mm_mask_storeu_epi8(out + i, mask,
                         _mm_max_epi8(bytes, _mm_set1_epi8(static_cast<char>(-ldpc_llr_max))));
  }
  return count;
}

#else

std::size_t detail::quantize_ldpc_llrs_avx2(const float*, std::size_t, float, std::int8_t*) {
  return 0;
}
std::size_t detail::quantize_ldpc_llrs_avx512(const float*, std::size_t, float, std::int8_t*) {
  return 0;
}

#endif

void detail::quantize_ldpc_llrs(std::span<const float> llrs, float scale,
                                std::span<std::int8_t> out, LlrSimd level) {
  if (llrs.size() != out.size() || !(scale > 0.0f) || !std::isfinite(scale)) {
    throw std::invalid_argument(
        "quantize_ldpc_llrs: sizes differ or scale is not positive and finite");
  }
  if (level != LlrSimd::scalar && level != llr_simd_best() && !llr_simd_supported(level)) {
    throw std::invalid_argument("quantize_ldpc_llrs: this CPU cannot run the requested SIMD path");
  }
  std::size_t done = 0;
  if (level == LlrSimd::avx512) {
    done = quantize_ldpc_llrs_avx512(llrs.data(), llrs.size(), scale, out.data());
  } else if (level == LlrSimd::avx2) {
    done = quantize_ldpc_llrs_avx2(llrs.data(), llrs.size(), scale, out.data());
  }
  quantize_baseline(llrs.data() + done, llrs.size() - done, scale, out.data() + done);
}

void quantize_ldpc_llrs(std::span<const float> llrs, float scale, std::span<std::int8_t> out) {
  detail::quantize_ldpc_llrs(llrs, scale, out, detail::llr_simd_best());
}

} // namespace airan::phy
