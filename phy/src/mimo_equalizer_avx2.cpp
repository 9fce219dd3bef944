/// \file
/// \brief ZF/MMSE/MMSE-IRC equalization of 1-4 layers, eight resource elements per AVX2 step:
/// the operations of whiten_resource_element() (irc_whitening.h) and equalize_resource_element()
/// (mimo_equalizer.h) in the same order, each rounded as the scalar code rounds it (separate
/// multiplies and adds, no FMA, IEEE division and square root, the same signed zeros), so the
/// results are bit for bit those of the scalar kernel: the closed-form inverse for 1 and 2 layers,
/// Cholesky and cholesky_inverse() (complex_matrix.h) for 3 and 4. Lanes whose Gram matrix is not
/// invertible get the scalar kernel's zero symbol and infinite noise.
#include "mimo_equalizer_avx2.h"

#include "airan/phy/cpu_features.h"

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

/// -v (sign flip), as the scalar unary minus and cmat::conj.
AIRAN_EQ_AVX2 inline __m256 negate(__m256 v) {
  return _mm256_xor_ps(v, _mm256_set1_ps(-0.0F));
}

/// cmat::conj.
AIRAN_EQ_AVX2 inline Vc conj(const Vc& a) {
  return {a.re, negate(a.im)};
}

/// a * b, as cmat::operator*.
AIRAN_EQ_AVX2 inline Vc mul(const Vc& a, const Vc& b) {
  return {_mm256_sub_ps(_mm256_mul_ps(a.re, b.re), _mm256_mul_ps(a.im, b.im)),
          _mm256_add_ps(_mm256_mul_ps(a.re, b.im), _mm256_mul_ps(a.im, b.re))};
}

/// s * a, as cmat::operator*(float, Complex).
AIRAN_EQ_AVX2 inline Vc scale(__m256 s, const Vc& a) {
  return {_mm256_mul_ps(s, a.re), _mm256_mul_ps(s, a.im)};
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
  const Vc p = mul(a, b);
  sum.re = _mm256_add_ps(sum.re, p.re);
  sum.im = _mm256_add_ps(sum.im, p.im);
}

/// sum -= a * b, as cmat::operator* then -=.
AIRAN_EQ_AVX2 inline void sub_mul(Vc& sum, const Vc& a, const Vc& b) {
  const Vc p = mul(a, b);
  sum.re = _mm256_sub_ps(sum.re, p.re);
  sum.im = _mm256_sub_ps(sum.im, p.im);
}

/// Inverse of the Hermitian Gram matrix of 1 or 2 layers in closed form, as the scalar kernel:
/// \p diagonal the (regularised) real diagonal, \p gram the upper triangle. Returns the lanes
/// whose pivots pass \p min_pivot (and-ed into nothing else).
template <unsigned Layers>
AIRAN_EQ_AVX2 inline __m256 invert_closed_form(const __m256 (&diagonal)[Layers],
                                               const Vc (&gram)[Layers][Layers], __m256 min_pivot,
                                               Vc (&inverse)[Layers][Layers]) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 one = _mm256_set1_ps(1.0F);
  if constexpr (Layers == 1) {
    inverse[0][0] = {_mm256_div_ps(one, diagonal[0]), zero};
    return _mm256_cmp_ps(diagonal[0], min_pivot, _CMP_GT_OQ);
  } else {
    const __m256 g00 = diagonal[0];
    const __m256 g11 = diagonal[1];
    const Vc g01 = gram[0][1];
    const __m256 norm = _mm256_add_ps(_mm256_mul_ps(g01.re, g01.re), _mm256_mul_ps(g01.im, g01.im));
    const __m256 det = _mm256_sub_ps(_mm256_mul_ps(g00, g11), norm);
    const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(g00, min_pivot, _CMP_GT_OQ),
                                    _mm256_cmp_ps(det, _mm256_mul_ps(min_pivot, g00), _CMP_GT_OQ));
    const __m256 inverse_det = _mm256_div_ps(one, det);
    inverse[0][0] = {_mm256_mul_ps(g11, inverse_det), zero};
    inverse[1][1] = {_mm256_mul_ps(g00, inverse_det), zero};
    inverse[0][1] = scale(negate(inverse_det), g01);
    inverse[1][0] = conj(inverse[0][1]);
    return ok;
  }
}

/// Inverse of the Hermitian Gram matrix of 3 or 4 layers: cmat::cholesky() of the lower triangle
/// (the conjugated upper triangle \p gram, real diagonal \p diagonal), then
/// cmat::cholesky_inverse(), every lane computed in full. Returns the lanes whose pivots all pass
/// \p min_pivot.
template <unsigned N>
AIRAN_EQ_AVX2 inline __m256 invert_cholesky(const __m256 (&diagonal)[N], const Vc (&gram)[N][N],
                                            __m256 min_pivot, Vc (&inverse)[N][N]) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 one = _mm256_set1_ps(1.0F);
  Vc lower[N][N]; // L(i, k) for k < i
  __m256 inverse_pivot[N];
  __m256 ok = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
  for (unsigned i = 1; i < N; ++i) {
    for (unsigned k = 0; k < i; ++k) {
      lower[i][k] = conj(gram[k][i]);
    }
  }
  for (unsigned j = 0; j < N; ++j) {
    __m256 d = diagonal[j];
    for (unsigned k = 0; k < j; ++k) {
      const Vc& a = lower[j][k];
      d = _mm256_sub_ps(d, _mm256_add_ps(_mm256_mul_ps(a.re, a.re), _mm256_mul_ps(a.im, a.im)));
    }
    ok = _mm256_and_ps(ok, _mm256_cmp_ps(d, min_pivot, _CMP_GT_OQ)); // also rejects NaN
    inverse_pivot[j] = _mm256_div_ps(one, _mm256_sqrt_ps(d));
    for (unsigned i = j + 1; i < N; ++i) {
      Vc sum = lower[i][j];
      for (unsigned k = 0; k < j; ++k) {
        sub_mul(sum, lower[i][k], conj(lower[j][k]));
      }
      lower[i][j] = scale(inverse_pivot[j], sum);
    }
  }
  // M = L^-1 (lower), column by column.
  Vc m[N][N];
  for (unsigned j = 0; j < N; ++j) {
    for (unsigned i = j; i < N; ++i) {
      Vc sum{i == j ? one : zero, zero};
      for (unsigned k = j; k < i; ++k) {
        sub_mul(sum, lower[i][k], m[k][j]);
      }
      m[i][j] = scale(inverse_pivot[i], sum);
    }
  }
  // A^-1 = M^H M; the diagonal's imaginary part is 0 then conjugated (-0), as the scalar code.
  for (unsigned i = 0; i < N; ++i) {
    for (unsigned j = i; j < N; ++j) {
      Vc sum{zero, zero};
      for (unsigned k = j; k < N; ++k) {
        add_conj_mul(sum, m[k][i], m[k][j]);
      }
      if (i == j) {
        sum.im = zero;
      }
      inverse[i][j] = sum;
      inverse[j][i] = conj(sum);
    }
  }
  return ok;
}

/// y = W y for \p num_rx rows of eight REs (lower-triangular \p w, row stride \p ldw), as
/// whiten(): each row a sum from 0 over k <= r, rows done from the last so that the input rows
/// they read are still the unwhitened ones.
AIRAN_EQ_AVX2 inline void whiten8(const cmat::Complex* w, unsigned ldw, unsigned num_rx, Vc* v,
                                  unsigned stride) {
  const __m256 zero = _mm256_setzero_ps();
  for (unsigned rr = num_rx; rr > 0; --rr) {
    const unsigned r = rr - 1;
    const cmat::Complex* row = w + std::size_t{r} * ldw;
    Vc sum{zero, zero};
    for (unsigned k = 0; k <= r; ++k) {
      add_mul(sum, {_mm256_broadcast_ss(&row[k].re), _mm256_broadcast_ss(&row[k].im)},
              v[std::size_t{k} * stride]);
    }
    v[std::size_t{r} * stride] = sum;
  }
}

/// gram += h^H h (upper triangle) and matched += h^H y for one antenna's row of eight REs, as
/// cmat::gram() and cmat::matched_filter() add it (antennas in order, each sum from 0).
template <unsigned Layers>
AIRAN_EQ_AVX2 inline void accumulate(const Vc& y, const Vc* h, Vc (&gram)[Layers][Layers],
                                     Vc (&matched)[Layers]) {
  for (unsigned i = 0; i < Layers; ++i) {
    for (unsigned j = i; j < Layers; ++j) {
      add_conj_mul(gram[i][j], h[i], h[j]);
    }
    add_conj_mul(matched[i], h[i], y);
  }
}

/// Eight REs of \p Layers layers from \p first: the scalar kernel's steps, lane by lane.
template <unsigned Layers, bool Whiten, unsigned Rx>
AIRAN_EQ_AVX2 void equalize8(const EqualizerInput& input, std::size_t first, float noise, bool mmse,
                             const cmat::Complex* whitening, cf32* symbols,
                             float* noise_variances) {
  const unsigned num_rx = Rx != 0 ? Rx : input.num_rx;
  const __m256 zero = _mm256_setzero_ps();
  Vc gram[Layers][Layers];
  Vc matched[Layers];
  for (unsigned i = 0; i < Layers; ++i) {
    matched[i] = {zero, zero};
    for (unsigned j = 0; j < Layers; ++j) {
      gram[i][j] = {zero, zero};
    }
  }
  if constexpr (Whiten) {
    // Row r: y then the layers' channel values (whitened column by column).
    constexpr unsigned stride = Layers + 1;
    Vc rows[max_equalizer_rx_antennas * stride];
    for (unsigned r = 0; r < num_rx; ++r) {
      rows[r * stride] = load8(input.received[r] + first);
      for (unsigned l = 0; l < Layers; ++l) {
        rows[r * stride + 1 + l] = load8(input.channel[std::size_t{r} * Layers + l] + first);
      }
    }
    for (unsigned c = 0; c < stride; ++c) {
      whiten8(whitening, max_equalizer_rx_antennas, num_rx, rows + c, stride);
    }
    for (unsigned r = 0; r < num_rx; ++r) {
      accumulate<Layers>(rows[r * stride], rows + r * stride + 1, gram, matched);
    }
  } else {
    for (unsigned r = 0; r < num_rx; ++r) {
      const Vc y = load8(input.received[r] + first);
      Vc h[Layers];
      for (unsigned l = 0; l < Layers; ++l) {
        h[l] = load8(input.channel[std::size_t{r} * Layers + l] + first);
      }
      accumulate<Layers>(y, h, gram, matched);
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
  const __m256 solvable_gram =
      mmse ? _mm256_castsi256_ps(_mm256_set1_epi32(-1)) : _mm256_cmp_ps(largest, zero, _CMP_GT_OQ);
  Vc inverse[Layers][Layers];
  __m256 pivots_ok;
  if constexpr (Layers <= 2) {
    pivots_ok = invert_closed_form<Layers>(diagonal, gram, min_pivot, inverse);
  } else {
    pivots_ok = invert_cholesky<Layers>(diagonal, gram, min_pivot, inverse);
  }
  const __m256 solvable = _mm256_and_ps(solvable_gram, pivots_ok);
  const __m256 one = _mm256_set1_ps(1.0F);
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
    const Vc x = scale(_mm256_div_ps(one, gain), sum);
    const __m256 variance = _mm256_div_ps(_mm256_mul_ps(noise8, d), gain);
    _mm256_store_ps(x_re[l], _mm256_and_ps(solvable, x.re));
    _mm256_store_ps(x_im[l], _mm256_and_ps(solvable, x.im));
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

/// All whole steps of eight REs with \p Layers layers and \p Rx antennas (0: input.num_rx).
template <unsigned Layers, bool Whiten, unsigned Rx>
std::size_t equalize_blocks(const EqualizerInput& input, float noise, bool mmse,
                            const cmat::Complex* whitening, cf32* symbols, float* noise_variances) {
  const std::size_t blocks = input.num_res / 8;
  for (std::size_t b = 0; b < blocks; ++b) {
    equalize8<Layers, Whiten, Rx>(input, b * 8, noise, mmse, whitening, symbols, noise_variances);
  }
  return blocks * 8;
}

/// equalize_blocks() with a compile-time antenna count for the common 4 (fully unrolled).
template <unsigned Layers, bool Whiten>
std::size_t dispatch_rx(const EqualizerInput& input, float noise, bool mmse,
                        const cmat::Complex* whitening, cf32* symbols, float* noise_variances) {
  if (input.num_rx == 4) {
    return equalize_blocks<Layers, Whiten, 4>(input, noise, mmse, whitening, symbols,
                                              noise_variances);
  }
  return equalize_blocks<Layers, Whiten, 0>(input, noise, mmse, whitening, symbols,
                                            noise_variances);
}

template <unsigned Layers>
std::size_t dispatch_whitening(const EqualizerInput& input, float noise, bool mmse,
                               const cmat::Complex* whitening, cf32* symbols,
                               float* noise_variances) {
  if (whitening != nullptr) {
    return dispatch_rx<Layers, true>(input, noise, mmse, whitening, symbols, noise_variances);
  }
  return dispatch_rx<Layers, false>(input, noise, mmse, nullptr, symbols, noise_variances);
}

} // namespace

bool equalizer_avx2_available() {
  return cpu_features().avx2;
}

std::size_t equalize_rows_avx2(const EqualizerInput& input, float noise, bool mmse,
                               const cmat::Complex* whitening, cf32* symbols,
                               float* noise_variances) {
  switch (input.num_layers) {
  case 1:
    return dispatch_whitening<1>(input, noise, mmse, whitening, symbols, noise_variances);
  case 2:
    return dispatch_whitening<2>(input, noise, mmse, whitening, symbols, noise_variances);
  case 3:
    return dispatch_whitening<3>(input, noise, mmse, whitening, symbols, noise_variances);
  case 4:
    return dispatch_whitening<4>(input, noise, mmse, whitening, symbols, noise_variances);
  default:
    return 0;
  }
}

} // namespace airan::phy::detail

#else

namespace airan::phy::detail {

bool equalizer_avx2_available() {
  return false;
}

std::size_t equalize_rows_avx2(const EqualizerInput&, float, bool, const cmat::Complex*, cf32*,
                               float*) {
  return 0;
}

} // namespace airan::phy::detail

#endif
