/// \file
/// \brief ZF/MMSE equalization of 1 or 2 layers, eight resource elements per AVX2 step: the
/// operations of equalize_resource_element() (mimo_equalizer.h) in the same order, each rounded
/// as the scalar code rounds it (separate multiplies and adds, no FMA, IEEE division), so the
/// results are bit for bit those of the scalar kernel. Lanes whose Gram matrix is not invertible
/// get the scalar kernel's zero symbol and infinite noise.
#include "mimo_equalizer_avx2.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cmath>

namespace airan::phy::detail {
namespace {

#define AIRAN_EQ_AVX2 __attribute__((target("avx2")))

/// Eight complex values as separate real and imaginary vectors.
struct Vc {
  __m256 re;
  __m256 im;
};

/// Loads eight consecutive complex values (interleaved) as two vectors of parts.
AIRAN_EQ_AVX2 inline Vc load8(const cf32* p) {
  const auto* f = reinterpret_cast<const float*>(p);
  const __m256 a = _mm256_loadu_ps(f);     // r0 i0 r1 i1 | r2 i2 r3 i3
  const __m256 b = _mm256_loadu_ps(f + 8); // r4 i4 r5 i5 | r6 i6 r7 i7
  // Per 128-bit lane: re = r0 r1 r4 r5 | r2 r3 r6 r7 (then fix the order with a permute).
  const __m256 re = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 im = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
  return {_mm256_permutevar8x32_ps(re, order), _mm256_permutevar8x32_ps(im, order)};
}

/// sum += conj(a) * b, as cmat::conj_mul then +=.
AIRAN_EQ_AVX2 inline void add_conj_mul(Vc& sum, const Vc& a, const Vc& b) {
  const __m256 re = _mm256_add_ps(_mm256_mul_ps(a.re, b.re), _mm256_mul_ps(a.im, b.im));
  const __m256 im = _mm256_sub_ps(_mm256_mul_ps(a.re, b.im), _mm256_mul_ps(a.im, b.re));
  sum.re = _mm256_add_ps(sum.re, re);
  sum.im = _mm256_add_ps(sum.im, im);
}

/// sum += a * b, as cmat::operator* then +=.
AIRAN_EQ_AVX2 inline void add_mul(Vc& sum, const Vc& a, const Vc& b) {
  const __m256 re = _mm256_sub_ps(_mm256_mul_ps(a.re, b.re), _mm256_mul_ps(a.im, b.im));
  const __m256 im = _mm256_add_ps(_mm256_mul_ps(a.re, b.im), _mm256_mul_ps(a.im, b.re));
  sum.re = _mm256_add_ps(sum.re, re);
  sum.im = _mm256_add_ps(sum.im, im);
}

/// Eight REs of \p Layers layers from \p first: the scalar kernel's steps, lane by lane.
template <unsigned Layers>
AIRAN_EQ_AVX2 void equalize8(const EqualizerInput& input, std::size_t first, float noise, bool mmse,
                             cf32* symbols, float* noise_variances) {
  const unsigned num_rx = input.num_rx;
  const __m256 zero = _mm256_setzero_ps();
  Vc gram[Layers][Layers];
  Vc matched[Layers];
  for (unsigned i = 0; i < Layers; ++i) {
    matched[i] = {zero, zero};
    for (unsigned j = 0; j < Layers; ++j) {
      gram[i][j] = {zero, zero};
    }
  }
  for (unsigned r = 0; r < num_rx; ++r) {
    const Vc y = load8(input.received[r] + first);
    Vc h[Layers];
    for (unsigned l = 0; l < Layers; ++l) {
      h[l] = load8(input.channel[std::size_t{r} * Layers + l] + first);
    }
    for (unsigned i = 0; i < Layers; ++i) {
      for (unsigned j = i; j < Layers; ++j) {
        add_conj_mul(gram[i][j], h[i], h[j]);
      }
      add_conj_mul(matched[i], h[i], y);
    }
  }
  const __m256 noise8 = _mm256_set1_ps(noise);
  __m256 largest = zero;
  __m256 diagonal[Layers];
  for (unsigned l = 0; l < Layers; ++l) {
    const __m256 g = gram[l][l].re; // the diagonal's imaginary part is set to 0
    largest = _mm256_blendv_ps(largest, g, _mm256_cmp_ps(g, largest, _CMP_GT_OQ));
    diagonal[l] = mmse ? _mm256_add_ps(g, noise8) : g;
  }
  const __m256 min_pivot = mmse ? zero : _mm256_mul_ps(_mm256_set1_ps(1e-6F), largest);
  __m256 solvable =
      mmse ? _mm256_castsi256_ps(_mm256_set1_epi32(-1)) : _mm256_cmp_ps(largest, zero, _CMP_GT_OQ);
  const __m256 one = _mm256_set1_ps(1.0F);
  Vc inverse[Layers][Layers];
  if constexpr (Layers == 1) {
    solvable = _mm256_and_ps(solvable, _mm256_cmp_ps(diagonal[0], min_pivot, _CMP_GT_OQ));
    inverse[0][0] = {_mm256_div_ps(one, diagonal[0]), zero};
  } else {
    const __m256 g00 = diagonal[0];
    const __m256 g11 = diagonal[1];
    const Vc g01 = gram[0][1];
    const __m256 norm = _mm256_add_ps(_mm256_mul_ps(g01.re, g01.re), _mm256_mul_ps(g01.im, g01.im));
    const __m256 det = _mm256_sub_ps(_mm256_mul_ps(g00, g11), norm);
    solvable = _mm256_and_ps(solvable, _mm256_cmp_ps(g00, min_pivot, _CMP_GT_OQ));
    solvable =
        _mm256_and_ps(solvable, _mm256_cmp_ps(det, _mm256_mul_ps(min_pivot, g00), _CMP_GT_OQ));
    const __m256 inverse_det = _mm256_div_ps(one, det);
    inverse[0][0] = {_mm256_mul_ps(g11, inverse_det), zero};
    inverse[1][1] = {_mm256_mul_ps(g00, inverse_det), zero};
    const __m256 sign = _mm256_set1_ps(-0.0F);
    const __m256 minus = _mm256_xor_ps(inverse_det, sign); // -inverse_det
    inverse[0][1] = {_mm256_mul_ps(minus, g01.re), _mm256_mul_ps(minus, g01.im)};
    inverse[1][0] = {inverse[0][1].re, _mm256_xor_ps(inverse[0][1].im, sign)}; // conj
  }
  const __m256 floor = _mm256_set1_ps(1e-6F);
  const __m256 infinity = _mm256_set1_ps(INFINITY);
  alignas(32) float x_re[Layers][8];
  alignas(32) float x_im[Layers][8];
  alignas(32) float post[Layers][8];
  for (unsigned l = 0; l < Layers; ++l) {
    Vc sum{zero, zero};
    for (unsigned k = 0; k < Layers; ++k) {
      add_mul(sum, inverse[l][k], matched[k]);
    }
    const __m256 d = inverse[l][l].re;
    __m256 gain = mmse ? _mm256_sub_ps(one, _mm256_mul_ps(noise8, d)) : one;
    gain = _mm256_blendv_ps(floor, gain, _mm256_cmp_ps(gain, floor, _CMP_GT_OQ));
    const __m256 scale = _mm256_div_ps(one, gain);
    const __m256 variance = _mm256_div_ps(_mm256_mul_ps(noise8, d), gain);
    _mm256_store_ps(x_re[l], _mm256_and_ps(solvable, _mm256_mul_ps(scale, sum.re)));
    _mm256_store_ps(x_im[l], _mm256_and_ps(solvable, _mm256_mul_ps(scale, sum.im)));
    _mm256_store_ps(post[l], _mm256_blendv_ps(infinity, variance, solvable));
  }
  auto* out = reinterpret_cast<float*>(symbols + first * Layers);
  float* out_noise = noise_variances + first * Layers;
  for (std::size_t e = 0; e < 8; ++e) {
    for (std::size_t l = 0; l < Layers; ++l) {
      out[(e * Layers + l) * 2] = x_re[l][e];
      out[(e * Layers + l) * 2 + 1] = x_im[l][e];
      out_noise[e * Layers + l] = post[l][e];
    }
  }
}

} // namespace

bool equalizer_avx2_available() {
  return __builtin_cpu_supports("avx2");
}

std::size_t equalize_rows_avx2(const EqualizerInput& input, float noise, bool mmse, cf32* symbols,
                               float* noise_variances) {
  const std::size_t blocks = input.num_res / 8;
  for (std::size_t b = 0; b < blocks; ++b) {
    if (input.num_layers == 1) {
      equalize8<1>(input, b * 8, noise, mmse, symbols, noise_variances);
    } else {
      equalize8<2>(input, b * 8, noise, mmse, symbols, noise_variances);
    }
  }
  return blocks * 8;
}

} // namespace airan::phy::detail

#else

namespace airan::phy::detail {

bool equalizer_avx2_available() {
  return false;
}

std::size_t equalize_rows_avx2(const EqualizerInput&, float, bool, cf32*, float*) {
  return 0;
}

} // namespace airan::phy::detail

#endif
