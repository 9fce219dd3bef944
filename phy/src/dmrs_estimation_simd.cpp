/// \file
/// \brief AVX2 kernels of the DMRS channel estimator (dmrs_estimation_simd.h). Every
/// lane does the operations of the scalar code for its output in the same order: the MMSE taps
/// as apply_mmse_taps() (even taps in one partial sum, odd taps in the other, the two added at
/// the end), the linear interpolation as interpolate_linear(), the ramp as
/// multiply_by_conjugate() (x - y computed as x + (-y), which IEEE defines as the same) and the
/// time interpolation as interpolate_time(). No FMA: the functions are compiled for AVX2 without
/// it, so no multiply and add can be contracted. (An AVX-512 variant of the MMSE kernel, four
/// runs per register, measured within noise of this one on the AMD EPYC of the benchmarks.)
#include "dmrs_estimation_simd.h"

#include "airan/phy/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AIRAN_DMRS_SIMD_X86 1
#endif

namespace airan::phy::detail {

bool dmrs_simd_supported(DmrsSimd level) {
#if defined(AIRAN_DMRS_SIMD_X86)
  switch (level) {
  case DmrsSimd::baseline:
    return true;
  case DmrsSimd::avx2:
    return cpu_features().avx2;
  }
  return false;
#else
  return level == DmrsSimd::baseline;
#endif
}

DmrsSimd dmrs_simd_best() {
  static const DmrsSimd best =
      dmrs_simd_supported(DmrsSimd::avx2) ? DmrsSimd::avx2 : DmrsSimd::baseline;
  return best;
}

#if defined(AIRAN_DMRS_SIMD_X86)

namespace {

#define AIRAN_DMRS_AVX2 __attribute__((target("avx2")))

/// Floats per position and tap of the regrouped MMSE taps (4 real, then 4 imaginary parts).
constexpr int lane_floats_per_tap = 8;

/// h times conj(r) of two complex values (interleaved), as multiply_by_conjugate().
AIRAN_DMRS_AVX2 inline __m128 conj_multiply(__m128 h, __m128 r) {
  const __m128 sign = _mm_setr_ps(0.0F, -0.0F, 0.0F, -0.0F);
  const __m128 t1 = _mm_mul_ps(h, _mm_moveldup_ps(r));                          // hr rr, hi rr
  const __m128 t2 = _mm_mul_ps(_mm_shuffle_ps(h, h, 0xB1), _mm_movehdup_ps(r)); // hi ri, hr ri
  return _mm_add_ps(t1, _mm_xor_ps(t2, sign));
}

/// h times conj(r) of four complex values (interleaved).
AIRAN_DMRS_AVX2 inline __m256 conj_multiply(__m256 h, __m256 r) {
  const __m256 sign = _mm256_setr_ps(0.0F, -0.0F, 0.0F, -0.0F, 0.0F, -0.0F, 0.0F, -0.0F);
  const __m256 t1 = _mm256_mul_ps(h, _mm256_moveldup_ps(r));
  const __m256 t2 = _mm256_mul_ps(_mm256_permute_ps(h, 0xB1), _mm256_movehdup_ps(r));
  return _mm256_add_ps(t1, _mm256_xor_ps(t2, sign));
}

/// Stores \p count (1 .. 4) complex values of \p v at \p out, times conj(ramp) with \p ramp.
AIRAN_DMRS_AVX2 inline void store_outputs(__m256 v, float* out, const float* ramp, int count) {
  if (count == 4) {
    if (ramp != nullptr) {
      v = conj_multiply(v, _mm256_loadu_ps(ramp));
    }
    _mm256_storeu_ps(out, v);
    return;
  }
  __m128 low = _mm256_castps256_ps128(v);
  if (count >= 2) {
    if (ramp != nullptr) {
      low = conj_multiply(low, _mm_loadu_ps(ramp));
    }
    _mm_storeu_ps(out, low);
    if (count == 2) {
      return;
    }
    low = _mm256_extractf128_ps(v, 1);
    out += 4;
    ramp = ramp != nullptr ? ramp + 4 : nullptr;
  }
  if (ramp != nullptr) {
    const __m128 r = _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(ramp)));
    low = conj_multiply(low, r);
  }
  _mm_storel_pi(reinterpret_cast<__m64*>(out), low);
}

/// Expands \p num_pilots pilots (interleaved re, im) into \p re and \p im, each value four
/// times: then eight floats from re + 4 n hold pilot n in lanes 0 .. 3 and n + 1 in 4 .. 7.
AIRAN_DMRS_AVX2 void expand_pilots(const float* pilots, int num_pilots, float* re, float* im) {
  const __m256i re_index = _mm256_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2);
  const __m256i im_index = _mm256_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3);
  int n = 0;
  for (; n + 2 <= num_pilots; n += 2) {
    const __m256 v = _mm256_castps128_ps256(_mm_loadu_ps(pilots + std::ptrdiff_t{2} * n));
    _mm256_storeu_ps(re + std::ptrdiff_t{4} * n, _mm256_permutevar8x32_ps(v, re_index));
    _mm256_storeu_ps(im + std::ptrdiff_t{4} * n, _mm256_permutevar8x32_ps(v, im_index));
  }
  if (n < num_pilots) {
    _mm_storeu_ps(re + std::ptrdiff_t{4} * n, _mm_set1_ps(pilots[std::ptrdiff_t{2} * n]));
    _mm_storeu_ps(im + std::ptrdiff_t{4} * n, _mm_set1_ps(pilots[std::ptrdiff_t{2} * n + 1]));
  }
}

/// Adds tap t of two interior MMSE runs (lanes 0 .. 3 the first, 4 .. 7 the second) to the
/// partial sums, as apply_mmse_taps() does for each output; \p pr, \p pi the expanded pilots
/// from the first run's start.
AIRAN_DMRS_AVX2 inline void mmse_tap(const float* w, const float* pr, const float* pi, int t,
                                     __m256& sum_re, __m256& sum_im) {
  const float* wt = w + std::ptrdiff_t{lane_floats_per_tap} * t;
  const __m256 wr = _mm256_broadcast_ps(reinterpret_cast<const __m128*>(wt));
  const __m256 wi = _mm256_broadcast_ps(reinterpret_cast<const __m128*>(wt + 4));
  const __m256 p_re = _mm256_loadu_ps(pr + std::ptrdiff_t{4} * t);
  const __m256 p_im = _mm256_loadu_ps(pi + std::ptrdiff_t{4} * t);
  sum_re = _mm256_add_ps(sum_re, _mm256_sub_ps(_mm256_mul_ps(wr, p_re), _mm256_mul_ps(wi, p_im)));
  sum_im = _mm256_add_ps(sum_im, _mm256_add_ps(_mm256_mul_ps(wr, p_im), _mm256_mul_ps(wi, p_re)));
}

/// Outputs j .. j + 3 of \p Pairs (1 or 2) pairs of interior MMSE runs (\p w the taps of
/// output j's position, \p pr and \p pi the expanded pilots of the first run, the next pair
/// 8 floats on): the pairs' partial sums interleaved, so that their addition chains overlap.
template <int Pairs>
AIRAN_DMRS_AVX2 inline void mmse_pairs(const float* w, const float* pr, const float* pi, int window,
                                       __m256* re, __m256* im) {
  __m256 re0[Pairs];
  __m256 re1[Pairs];
  __m256 im0[Pairs];
  __m256 im1[Pairs];
  for (int q = 0; q < Pairs; ++q) {
    re0[q] = re1[q] = im0[q] = im1[q] = _mm256_setzero_ps();
  }
  int t = 0;
  for (; t + 1 < window; t += 2) {
    for (int q = 0; q < Pairs; ++q) {
      mmse_tap(w, pr + std::ptrdiff_t{8} * q, pi + std::ptrdiff_t{8} * q, t, re0[q], im0[q]);
    }
    for (int q = 0; q < Pairs; ++q) {
      mmse_tap(w, pr + std::ptrdiff_t{8} * q, pi + std::ptrdiff_t{8} * q, t + 1, re1[q], im1[q]);
    }
  }
  if (t < window) {
    for (int q = 0; q < Pairs; ++q) {
      mmse_tap(w, pr + std::ptrdiff_t{8} * q, pi + std::ptrdiff_t{8} * q, t, re0[q], im0[q]);
    }
  }
  for (int q = 0; q < Pairs; ++q) {
    re[q] = _mm256_add_ps(re0[q], re1[q]);
    im[q] = _mm256_add_ps(im0[q], im1[q]);
  }
}

/// Stores outputs j .. j + 3 (\p count of them) of the pair of runs in \p re, \p im: the first
/// run's from \p o, the second's spacing outputs on.
AIRAN_DMRS_AVX2 inline void store_pair(__m256 re, __m256 im, float* o, const float* ramp,
                                       int spacing, int count) {
  const __m256 low = _mm256_unpacklo_ps(re, im);  // outputs 0, 1 | 0, 1 of the second run
  const __m256 high = _mm256_unpackhi_ps(re, im); // outputs 2, 3 | 2, 3
  store_outputs(_mm256_permute2f128_ps(low, high, 0x20), o, ramp, count);
  const std::ptrdiff_t second = std::ptrdiff_t{2} * spacing;
  store_outputs(_mm256_permute2f128_ps(low, high, 0x31), o + second,
                ramp != nullptr ? ramp + second : nullptr, count);
}

AIRAN_DMRS_AVX2 int mmse_interior_avx2(const float* lanes, int window, const float* pilots,
                                       int spacing, int num_runs, float* out, const float* ramp,
                                       float* scratch) {
  const int pairs = num_runs / 2;
  // Pilots of every run: start .. start + num_runs - 1 + window - 1.
  const int num_pilots = 2 * pairs + window;
  float* expanded_re = scratch;
  float* expanded_im = scratch + std::ptrdiff_t{4} * num_pilots;
  expand_pilots(pilots, num_pilots, expanded_re, expanded_im);
  for (int r = 0; r < pairs;) {
    const int group = pairs - r >= 2 ? 2 : 1;
    const float* pr = expanded_re + std::ptrdiff_t{8} * r;
    const float* pi = expanded_im + std::ptrdiff_t{8} * r;
    float* o = out + std::ptrdiff_t{4} * spacing * r;
    const float* rp = ramp != nullptr ? ramp + std::ptrdiff_t{4} * spacing * r : nullptr;
    for (int j = 0; j < spacing; j += 4) {
      const float* w = lanes + std::ptrdiff_t{2} * j * window * lane_floats_per_tap;
      const int count = spacing - j < 4 ? spacing - j : 4;
      __m256 re[2];
      __m256 im[2];
      if (group == 2) {
        mmse_pairs<2>(w, pr, pi, window, re, im);
      } else {
        mmse_pairs<1>(w, pr, pi, window, re, im);
      }
      for (int q = 0; q < group; ++q) {
        const std::ptrdiff_t offset = std::ptrdiff_t{4} * spacing * q + std::ptrdiff_t{2} * j;
        store_pair(re[q], im[q], o + offset, rp != nullptr ? rp + offset : nullptr, spacing, count);
      }
    }
    r += group;
  }
  return 2 * pairs;
}

AIRAN_DMRS_AVX2 int linear_runs_avx2(const float* pilots, const float* fractions, int spacing,
                                     int num_runs, float* out, const float* ramp) {
  // Per chunk of four outputs: each fraction over the real and imaginary lane of its output.
  __m256 f[2];
  for (int c = 0; c < 2; ++c) {
    float lanes[8] = {};
    for (int j = 0; j < 4 && 4 * c + j < spacing; ++j) {
      lanes[std::ptrdiff_t{2} * j] = lanes[std::ptrdiff_t{2} * j + 1] =
          fractions[std::ptrdiff_t{4} * c + j];
    }
    f[c] = _mm256_loadu_ps(lanes);
  }
  for (int n = 0; n < num_runs; ++n) {
    const auto* pair = reinterpret_cast<const double*>(pilots + std::ptrdiff_t{2} * n);
    const __m256 a = _mm256_castpd_ps(_mm256_broadcast_sd(pair));
    const __m256 b = _mm256_castpd_ps(_mm256_broadcast_sd(pair + 1));
    const __m256 d = _mm256_sub_ps(b, a);
    float* o = out + std::ptrdiff_t{2} * spacing * n;
    const float* rp = ramp != nullptr ? ramp + std::ptrdiff_t{2} * spacing * n : nullptr;
    for (int j = 0, c = 0; j < spacing; j += 4, ++c) {
      const int count = spacing - j < 4 ? spacing - j : 4;
      store_outputs(_mm256_add_ps(a, _mm256_mul_ps(f[c], d)), o + std::ptrdiff_t{2} * j,
                    rp != nullptr ? rp + std::ptrdiff_t{2} * j : nullptr, count);
    }
  }
  return num_runs;
}

AIRAN_DMRS_AVX2 std::size_t multiply_by_conjugate_avx2(float* h, const float* ramp,
                                                       std::size_t num_values) {
  std::size_t k = 0;
  for (; k + 4 <= num_values; k += 4) {
    _mm256_storeu_ps(h + 2 * k,
                     conj_multiply(_mm256_loadu_ps(h + 2 * k), _mm256_loadu_ps(ramp + 2 * k)));
  }
  return k;
}

AIRAN_DMRS_AVX2 std::size_t lerp_rows_avx2(const float* a, const float* b, float weight, float* out,
                                           std::size_t num_floats) {
  const __m256 w = _mm256_set1_ps(weight);
  std::size_t k = 0;
  for (; k + 8 <= num_floats; k += 8) {
    const __m256 va = _mm256_loadu_ps(a + k);
    const __m256 vb = _mm256_loadu_ps(b + k);
    _mm256_storeu_ps(out + k, _mm256_add_ps(va, _mm256_mul_ps(w, _mm256_sub_ps(vb, va))));
  }
  return k;
}

/// w x for four complex values x (interleaved) at \p values: w_re x + (-w_im, w_im) (im, re).
AIRAN_DMRS_AVX2 inline __m256 weighted_values(const float* values, __m256 w_re, __m256 w_im) {
  const __m256 v = _mm256_loadu_ps(values);
  const __m256 swapped = _mm256_permute_ps(v, 0xB1); // (im, re) pairs
  return _mm256_add_ps(_mm256_mul_ps(w_re, v), _mm256_mul_ps(w_im, swapped));
}

/// wiener_row_avx2() with the occasion count known at compile time (the weights in registers).
template <unsigned Occasions>
AIRAN_DMRS_AVX2 std::size_t wiener_row_fixed(const float* const* rows, const float* weights,
                                             float* out, std::size_t num_values) {
  // Per occasion: w_re broadcast, and (-w_im, w_im) pairs for the swapped (im, re) values.
  __m256 w_re[Occasions];
  __m256 w_im[Occasions];
  for (std::size_t o = 0; o < Occasions; ++o) {
    w_re[o] = _mm256_set1_ps(weights[2 * o]);
    const float wi = weights[2 * o + 1];
    w_im[o] = _mm256_setr_ps(-wi, wi, -wi, wi, -wi, wi, -wi, wi);
  }
  std::size_t k = 0;
  for (; k + 4 <= num_values; k += 4) {
    __m256 sum = weighted_values(rows[0] + 2 * k, w_re[0], w_im[0]);
    for (unsigned o = 1; o < Occasions; ++o) {
      sum = _mm256_add_ps(sum, weighted_values(rows[o] + 2 * k, w_re[o], w_im[o]));
    }
    _mm256_storeu_ps(out + 2 * k, sum);
  }
  return k;
}

AIRAN_DMRS_AVX2 std::size_t wiener_row_avx2(const float* const* rows, const float* weights,
                                            unsigned occasions, float* out,
                                            std::size_t num_values) {
  switch (occasions) {
  case 1:
    return wiener_row_fixed<1>(rows, weights, out, num_values);
  case 2:
    return wiener_row_fixed<2>(rows, weights, out, num_values);
  case 3:
    return wiener_row_fixed<3>(rows, weights, out, num_values);
  default:
    return wiener_row_fixed<4>(rows, weights, out, num_values);
  }
}

} // namespace

int mmse_interior_runs(DmrsSimd level, const float* lanes, int window, const float* pilots,
                       int spacing, int num_runs, float* out, const float* ramp, float* scratch) {
  if (level == DmrsSimd::baseline || scratch == nullptr) {
    return 0;
  }
  return mmse_interior_avx2(lanes, window, pilots, spacing, num_runs, out, ramp, scratch);
}

int linear_runs(DmrsSimd level, const float* pilots, const float* fractions, int spacing,
                int num_runs, float* out, const float* ramp) {
  if (level == DmrsSimd::baseline || spacing > 8) {
    return 0;
  }
  return linear_runs_avx2(pilots, fractions, spacing, num_runs, out, ramp);
}

std::size_t multiply_by_conjugate_simd(DmrsSimd level, float* h, const float* ramp,
                                       std::size_t num_values) {
  return level == DmrsSimd::baseline ? 0 : multiply_by_conjugate_avx2(h, ramp, num_values);
}

std::size_t lerp_rows_simd(DmrsSimd level, const float* a, const float* b, float weight, float* out,
                           std::size_t num_floats) {
  return level == DmrsSimd::baseline ? 0 : lerp_rows_avx2(a, b, weight, out, num_floats);
}

std::size_t wiener_row_simd(DmrsSimd level, const float* const* rows, const float* weights,
                            unsigned occasions, float* out, std::size_t num_values) {
  if (level == DmrsSimd::baseline || occasions == 0 || occasions > 4) {
    return 0;
  }
  return wiener_row_avx2(rows, weights, occasions, out, num_values);
}

#else

int mmse_interior_runs(DmrsSimd, const float*, int, const float*, int, int, float*, const float*,
                       float*) {
  return 0;
}
int linear_runs(DmrsSimd, const float*, const float*, int, int, float*, const float*) {
  return 0;
}
std::size_t multiply_by_conjugate_simd(DmrsSimd, float*, const float*, std::size_t) {
  return 0;
}
std::size_t lerp_rows_simd(DmrsSimd, const float*, const float*, float, float*, std::size_t) {
  return 0;
}
std::size_t wiener_row_simd(DmrsSimd, const float* const*, const float*, unsigned, float*,
                            std::size_t) {
  return 0;
}

#endif

} // namespace airan::phy::detail
