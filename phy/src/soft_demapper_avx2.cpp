/// \file
/// \brief Square-QAM soft demapping, eight symbols per AVX2 step: the operations of
/// pam_axis_llrs(table, ...) and qam_symbol_llrs(table, ...) (soft_demapper.h) in the same order
/// and rounded as the scalar code rounds them (IEEE division for 1 / sigma^2, the interval index
/// truncated like static_cast<int> on x86 and then clamped, separate multiplies and adds, no
/// FMA), so the LLRs are bit for bit those of the scalar code. The table lookups are register
/// permutes (vpermps, the table held in registers) rather than gathers, and the LLRs are
/// transposed in registers into the scalar output order.
#include "soft_demapper_avx2.h"

#include "airan/phy/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cstring>

namespace airan::phy::detail {
namespace {

// AVX2 only: without FMA in the target the compiler cannot contract a multiply and an add.
#define AIRAN_DEMAP_AVX2 __attribute__((target("avx2")))

/// The table of one axis by bit: values[j][interval], in ceil(levels / 8) registers per bit.
struct AxisTable {
  alignas(32) float slope[max_pam_bits][max_pam_levels];
  alignas(32) float offset[max_pam_bits][max_pam_levels];
};

/// Picks values[interval] lane by lane from the \p Regs registers of 8 values (1, 2 or 4).
template <unsigned Regs>
AIRAN_DEMAP_AVX2 inline __m256 lookup(const __m256* values, __m256i interval) {
  // vpermps uses the low three index bits; bits 3 and 4 select the register.
  const __m256 r0 = _mm256_permutevar8x32_ps(values[0], interval);
  if constexpr (Regs == 1) {
    return r0;
  } else {
    const __m256 bit3 = _mm256_castsi256_ps(_mm256_slli_epi32(interval, 28));
    const __m256 r01 = _mm256_blendv_ps(r0, _mm256_permutevar8x32_ps(values[1], interval), bit3);
    if constexpr (Regs == 2) {
      return r01;
    } else {
      const __m256 r2 = _mm256_permutevar8x32_ps(values[2], interval);
      const __m256 r23 = _mm256_blendv_ps(r2, _mm256_permutevar8x32_ps(values[3], interval), bit3);
      const __m256 bit4 = _mm256_castsi256_ps(_mm256_slli_epi32(interval, 27));
      return _mm256_blendv_ps(r01, r23, bit4);
    }
  }
}

/// The LLRs of one axis for eight samples \p y: llrs[j] holds bit j of the eight symbols.
template <unsigned Bits, unsigned Regs>
AIRAN_DEMAP_AVX2 inline void axis8(const __m256 (&slope)[Bits][Regs],
                                   const __m256 (&offset)[Bits][Regs], __m256 inverse_interval,
                                   __m256 half_levels, __m256 last, __m256 y, __m256 inverse_noise,
                                   __m256 (&llrs)[Bits]) {
  // y * inverse_interval + 0.5F * num_levels clamped to [0, last] as a float, then truncated,
  // as the scalar code: max_ps(p, 0) is 0 for a NaN p (it returns its second operand then),
  // min_ps(p, last) is p < last ? p : last.
  const __m256 position =
      _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(_mm256_mul_ps(y, inverse_interval), half_levels),
                                  _mm256_setzero_ps()),
                    last);
  const __m256i interval = _mm256_cvttps_epi32(position);
  for (unsigned j = 0; j < Bits; ++j) {
    const __m256 s = lookup<Regs>(slope[j], interval);
    const __m256 o = lookup<Regs>(offset[j], interval);
    llrs[j] = _mm256_mul_ps(_mm256_add_ps(_mm256_mul_ps(s, y), o), inverse_noise);
  }
}

/// Writes the LLRs of eight symbols (real-axis bit j of symbol s in re[j] lane s, imaginary in
/// im[j]) in the scalar order: symbol after symbol, real bit j at 2j and imaginary at 2j + 1.
template <unsigned Bits>
AIRAN_DEMAP_AVX2 inline void store8(const __m256 (&re)[Bits], const __m256 (&im)[Bits],
                                    float* out) {
  // (re, im) pairs of bit j as 64-bit elements: lo[j] holds symbols 0 1 | 4 5, hi[j] 2 3 | 6 7.
  __m256d lo[Bits];
  __m256d hi[Bits];
  for (unsigned j = 0; j < Bits; ++j) {
    lo[j] = _mm256_castps_pd(_mm256_unpacklo_ps(re[j], im[j]));
    hi[j] = _mm256_castps_pd(_mm256_unpackhi_ps(re[j], im[j]));
  }
  auto* o = reinterpret_cast<double*>(out); // unaligned stores only, never dereferenced
  if constexpr (Bits == 1) {
    _mm256_storeu_pd(o, _mm256_permute2f128_pd(lo[0], hi[0], 0x20));
    _mm256_storeu_pd(o + 4, _mm256_permute2f128_pd(lo[0], hi[0], 0x31));
  } else if constexpr (Bits == 2) {
    const __m256d s04 = _mm256_unpacklo_pd(lo[0], lo[1]);
    const __m256d s15 = _mm256_unpackhi_pd(lo[0], lo[1]);
    const __m256d s26 = _mm256_unpacklo_pd(hi[0], hi[1]);
    const __m256d s37 = _mm256_unpackhi_pd(hi[0], hi[1]);
    _mm256_storeu_pd(o, _mm256_permute2f128_pd(s04, s15, 0x20));
    _mm256_storeu_pd(o + 4, _mm256_permute2f128_pd(s26, s37, 0x20));
    _mm256_storeu_pd(o + 8, _mm256_permute2f128_pd(s04, s15, 0x31));
    _mm256_storeu_pd(o + 12, _mm256_permute2f128_pd(s26, s37, 0x31));
  } else if constexpr (Bits == 4) {
    for (unsigned h = 0; h < 2; ++h) {
      const __m256d* p = h == 0 ? lo : hi;                // symbols 0 1 4 5, or 2 3 6 7
      const __m256d a01 = _mm256_unpacklo_pd(p[0], p[1]); // first symbol, bits 0 1 | third
      const __m256d b01 = _mm256_unpackhi_pd(p[0], p[1]); // second symbol | fourth
      const __m256d a23 = _mm256_unpacklo_pd(p[2], p[3]);
      const __m256d b23 = _mm256_unpackhi_pd(p[2], p[3]);
      double* first = o + std::size_t{8} * h; // symbol 2h, four pairs per symbol
      _mm256_storeu_pd(first, _mm256_permute2f128_pd(a01, a23, 0x20));
      _mm256_storeu_pd(first + 4, _mm256_permute2f128_pd(b01, b23, 0x20));
      _mm256_storeu_pd(first + 16, _mm256_permute2f128_pd(a01, a23, 0x31));
      _mm256_storeu_pd(first + 20, _mm256_permute2f128_pd(b01, b23, 0x31));
    }
  } else {
    // 64- and 1024-QAM: through a buffer, one (re, im) pair at a time.
    alignas(32) double pairs[2][Bits][4];
    for (unsigned j = 0; j < Bits; ++j) {
      _mm256_store_pd(pairs[0][j], lo[j]);
      _mm256_store_pd(pairs[1][j], hi[j]);
    }
    for (unsigned s = 0; s < 8; ++s) {
      const unsigned half = (s >> 1) & 1;
      const unsigned element = (s & 1) + 2 * (s >> 2);
      for (unsigned j = 0; j < Bits; ++j) {
        std::memcpy(out + std::size_t{2} * (s * Bits + j), &pairs[half][j][element],
                    sizeof(double));
      }
    }
  }
}

/// Loads eight consecutive complex values (interleaved) as real and imaginary vectors.
AIRAN_DEMAP_AVX2 inline void load8(const cf32* p, __m256& re, __m256& im) {
  const auto* f = reinterpret_cast<const float*>(p);
  const __m256 a = _mm256_loadu_ps(f);     // r0 i0 r1 i1 | r2 i2 r3 i3
  const __m256 b = _mm256_loadu_ps(f + 8); // r4 i4 r5 i5 | r6 i6 r7 i7
  const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
  re = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)), order);
  im = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)), order);
}

/// All whole steps of eight symbols with \p Bits bits per axis.
template <unsigned Bits>
AIRAN_DEMAP_AVX2 std::size_t demodulate(const PamLlrTable& table, const cf32* symbols,
                                        const float* noise_variances, std::size_t num_symbols,
                                        float* llrs) {
  constexpr unsigned levels = 1U << Bits;
  constexpr unsigned regs = levels < 8 ? 1 : levels / 8;
  AxisTable by_bit{};
  for (unsigned i = 0; i < levels; ++i) {
    for (unsigned j = 0; j < Bits; ++j) {
      by_bit.slope[j][i] = table.slope[i][j];
      by_bit.offset[j][i] = table.offset[i][j];
    }
  }
  __m256 slope[Bits][regs];
  __m256 offset[Bits][regs];
  for (unsigned j = 0; j < Bits; ++j) {
    for (unsigned r = 0; r < regs; ++r) {
      slope[j][r] = _mm256_load_ps(&by_bit.slope[j][std::size_t{8} * r]);
      offset[j][r] = _mm256_load_ps(&by_bit.offset[j][std::size_t{8} * r]);
    }
  }
  const __m256 inverse_interval = _mm256_set1_ps(table.inverse_interval);
  const __m256 half_levels = _mm256_set1_ps(0.5F * table.num_levels);
  const __m256 last = _mm256_set1_ps(static_cast<float>(table.num_levels - 1));
  const __m256 min_variance = _mm256_set1_ps(min_demapper_noise_variance);
  const __m256 one = _mm256_set1_ps(1.0F);
  const std::size_t steps = num_symbols / 8;
  for (std::size_t step = 0; step < steps; ++step) {
    __m256 re;
    __m256 im;
    load8(symbols + 8 * step, re, im);
    // demapper_inverse_noise(): 1 / (noise > min ? noise : min), and 0 for a NaN noise (max
    // returns its second operand, min, for NaN; the ordered compare then clears the lane).
    const __m256 noise = _mm256_loadu_ps(noise_variances + 8 * step);
    const __m256 inverse_noise =
        _mm256_and_ps(_mm256_div_ps(one, _mm256_max_ps(noise, min_variance)),
                      _mm256_cmp_ps(noise, noise, _CMP_ORD_Q));
    __m256 re_llrs[Bits];
    __m256 im_llrs[Bits];
    axis8<Bits, regs>(slope, offset, inverse_interval, half_levels, last, re, inverse_noise,
                      re_llrs);
    axis8<Bits, regs>(slope, offset, inverse_interval, half_levels, last, im, inverse_noise,
                      im_llrs);
    store8<Bits>(re_llrs, im_llrs, llrs + 8 * step * 2 * Bits);
  }
  return steps * 8;
}

} // namespace

bool soft_demapper_avx2_available() {
  return cpu_features().avx2;
}

std::size_t demodulate_qam_avx2(const PamLlrTable& table, const cf32* symbols,
                                const float* noise_variances, std::size_t num_symbols,
                                float* llrs) {
  switch (table.bits_per_axis) {
  case 1:
    return demodulate<1>(table, symbols, noise_variances, num_symbols, llrs);
  case 2:
    return demodulate<2>(table, symbols, noise_variances, num_symbols, llrs);
  case 3:
    return demodulate<3>(table, symbols, noise_variances, num_symbols, llrs);
  case 4:
    return demodulate<4>(table, symbols, noise_variances, num_symbols, llrs);
  case 5:
    return demodulate<5>(table, symbols, noise_variances, num_symbols, llrs);
  default:
    return 0;
  }
}

} // namespace airan::phy::detail

#else

namespace airan::phy::detail {

bool soft_demapper_avx2_available() {
  return false;
}

std::size_t demodulate_qam_avx2(const PamLlrTable&, const cf32*, const float*, std::size_t,
                                float*) {
  return 0;
}

} // namespace airan::phy::detail

#endif
