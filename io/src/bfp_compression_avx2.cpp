/// \file
/// \brief AVX2 kernels of the IQ compressor. One PRB per step: the exponent from a horizontal
/// max (minpos), rounding by a saturating add and arithmetic shift, then each group of 8 values
/// (one 128-bit lane) packed to `width` bytes with madd / 64-bit shifts / byte shuffles, or
/// unpacked with byte shuffles and per-lane variable shifts. Compiled for AVX2 with a function
/// attribute only; the factory calls them only when the CPU has AVX2. Bit-exact with the
/// scalar kernels (bfp_compression_kernels.h).
#include "bfp_compression_kernels.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AIRAN_BFP_AVX2 __attribute__((target("avx2")))
#endif

namespace airan::io::detail {

#if defined(AIRAN_BFP_AVX2)
namespace {

/// Exponent of the 24 values in \p a (16) and \p b (8).
AIRAN_BFP_AVX2 inline unsigned exponent_of(__m256i a, __m128i b, unsigned width) {
  // v >= 0 ? v : -v - 1, i.e. v XOR its sign: every lane becomes 0..32767.
  const __m256i ma = _mm256_xor_si256(a, _mm256_srai_epi16(a, 15));
  const __m128i mb = _mm_xor_si128(b, _mm_srai_epi16(b, 15));
  const __m128i m =
      _mm_max_epi16(_mm_max_epi16(_mm256_castsi256_si128(ma), _mm256_extracti128_si256(ma, 1)), mb);
  // Horizontal max of non-negative lanes: minpos of 0x7FFF - m.
  const __m128i flipped = _mm_sub_epi16(_mm_set1_epi16(0x7FFF), m);
  const unsigned widest =
      0x7FFFU - (static_cast<unsigned>(_mm_cvtsi128_si32(_mm_minpos_epu16(flipped))) & 0xFFFFU);
  const unsigned bits = static_cast<unsigned>(std::bit_width(widest)) + 1;
  return bits > width ? bits - width : 0;
}

/// (v + 2^(e-1)) >> e, saturated at the top mantissa. The saturating add only clips when
/// e = 16 - width, where 32767 >> e is the top mantissa anyway: same result as the scalar code.
AIRAN_BFP_AVX2 inline __m256i round_shift(__m256i v, unsigned e, __m256i top) {
  if (e == 0) {
    return v;
  }
  v = _mm256_adds_epi16(v, _mm256_set1_epi16(static_cast<short>(1 << (e - 1))));
  v = _mm256_sra_epi16(v, _mm_cvtsi32_si128(static_cast<int>(e)));
  return _mm256_min_epi16(v, top);
}

/// Packs the 8 mantissas of each 128-bit lane into the lane's first W bytes, big-endian.
template <unsigned W> AIRAN_BFP_AVX2 inline __m256i pack_lanes(__m256i v) {
  if constexpr (W == 16) {
    const __m256i swap = _mm256_setr_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14, 1,
                                          0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
    return _mm256_shuffle_epi8(v, swap);
  } else if constexpr (W == 8) {
    return _mm256_packs_epi16(v, v);
  } else {
    // Pairs: 32-bit lane j = v[2j] << W | v[2j+1]; quads: 64-bit lane = pair0 << 2W | pair1.
    const __m256i masked = _mm256_and_si256(v, _mm256_set1_epi16((1 << W) - 1));
    const __m256i pairs = _mm256_madd_epi16(masked, _mm256_set1_epi32((1 << 16) | (1 << W)));
    const __m256i low = _mm256_and_si256(pairs, _mm256_set1_epi64x(0xFFFFFFFF));
    __m256i quads = _mm256_or_si256(_mm256_slli_epi64(low, 2 * W), _mm256_srli_epi64(pairs, 32));
    if constexpr (W == 12) { // 2 x 48 bits: 6 bytes from each quad
      return _mm256_shuffle_epi8(quads, _mm256_setr_epi8(5, 4, 3, 2, 1, 0, 13, 12, 11, 10, 9, 8, -1,
                                                         -1, -1, -1, 5, 4, 3, 2, 1, 0, 13, 12, 11,
                                                         10, 9, 8, -1, -1, -1, -1));
    } else if constexpr (W == 14) { // 2 x 56 bits: 7 bytes from each quad
      return _mm256_shuffle_epi8(quads, _mm256_setr_epi8(6, 5, 4, 3, 2, 1, 0, 14, 13, 12, 11, 10, 9,
                                                         8, -1, -1, 6, 5, 4, 3, 2, 1, 0, 14, 13, 12,
                                                         11, 10, 9, 8, -1, -1));
    } else { // W == 9: 2 x 36 bits; the first quad moves up a nibble, byte 4 is shared.
      static_assert(W == 9);
      quads = _mm256_sllv_epi64(quads, _mm256_set_epi64x(0, 4, 0, 4));
      const __m256i head = _mm256_shuffle_epi8(
          quads, _mm256_setr_epi8(4, 3, 2, 1, 0, 11, 10, 9, 8, -1, -1, -1, -1, -1, -1, -1, 4, 3, 2,
                                  1, 0, 11, 10, 9, 8, -1, -1, -1, -1, -1, -1, -1));
      const __m256i nibble = _mm256_shuffle_epi8(
          quads, _mm256_setr_epi8(-1, -1, -1, -1, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                  -1, -1, -1, -1, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
      return _mm256_or_si256(head, nibble);
    }
  }
}

/// Writes 16 bytes of which the first W are group data; the rest is overwritten later or, for
/// the last group of the call, never written past \p end.
AIRAN_BFP_AVX2 inline void store_group(std::uint8_t* out, __m128i group, unsigned width,
                                       const std::uint8_t* end) {
  if (out + 16 <= end) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), group);
  } else {
    alignas(16) std::uint8_t bytes[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(bytes), group);
    std::memcpy(out, bytes, width);
  }
}

/// Writes one PRB: exponent byte and the mantissas in a (values 0..15) and b (16..23, low lane).
template <unsigned W>
AIRAN_BFP_AVX2 inline void write_prb(__m256i a, __m256i b, unsigned e, std::uint8_t* out,
                                     const std::uint8_t* end) {
  const __m256i pa = pack_lanes<W>(a);
  const __m256i pb = pack_lanes<W>(b);
  out[0] = static_cast<std::uint8_t>(e);
  store_group(out + 1, _mm256_castsi256_si128(pa), W, end);
  store_group(out + 1 + W, _mm256_extracti128_si256(pa, 1), W, end);
  store_group(out + 1 + std::size_t{2} * W, _mm256_castsi256_si128(pb), W, end);
}

template <unsigned W>
AIRAN_BFP_AVX2 void compress_i16_width(const std::int16_t* iq, std::size_t num_prbs,
                                       std::uint8_t* out) {
  const std::uint8_t* end = out + num_prbs * bfp_prb_size(W);
  const __m256i top = _mm256_set1_epi16(static_cast<short>((1 << (W - 1)) - 1));
  for (std::size_t p = 0; p < num_prbs; ++p) {
    const std::int16_t* in = iq + p * iq_values_per_prb;
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
    const __m256i b =
        _mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16)));
    const unsigned e = exponent_of(a, _mm256_castsi256_si128(b), W);
    write_prb<W>(round_shift(a, e, top), round_shift(b, e, top), e, out + p * bfp_prb_size(W), end);
  }
}

/// 8 floats times \p scale, clamped to [low, high] as the scalar code does (minps returns its
/// second operand for NaN), converted to int32 to nearest even.
AIRAN_BFP_AVX2 inline __m256i quantize8(const float* p, __m256 scale, __m256 low, __m256 high) {
  __m256 v = _mm256_mul_ps(_mm256_loadu_ps(p), scale);
  v = _mm256_min_ps(v, high);
  v = _mm256_max_ps(v, low);
  return _mm256_cvtps_epi32(v);
}

/// packs_epi32 interleaves 128-bit lanes; this restores value order.
AIRAN_BFP_AVX2 inline __m256i pack_in_order(__m256i lo, __m256i hi) {
  return _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0xD8);
}

/// 24 floats at \p p quantised to int16 (a: values 0..15, b: 16..23 in the low lane).
AIRAN_BFP_AVX2 inline void quantize24(const float* p, __m256 scale, __m256 low, __m256 high,
                                      __m256i& a, __m256i& b) {
  a = pack_in_order(quantize8(p, scale, low, high), quantize8(p + 8, scale, low, high));
  b = _mm256_zextsi128_si256(_mm256_castsi256_si128(
      pack_in_order(quantize8(p + 16, scale, low, high), _mm256_setzero_si256())));
}

template <unsigned W>
AIRAN_BFP_AVX2 void compress_f32_width(const float* iq, std::size_t num_prbs, float scale,
                                       std::uint8_t* out) {
  const std::uint8_t* end = out + num_prbs * bfp_prb_size(W);
  const auto mantissa_scales = bfp_mantissa_scales(scale);
  const __m256 scale8 = _mm256_set1_ps(scale);
  const __m256 int16_low = _mm256_set1_ps(-32768.0F);
  const __m256 int16_high = _mm256_set1_ps(32767.0F);
  const __m256 top = _mm256_set1_ps(static_cast<float>((1 << (W - 1)) - 1));
  const __m256 bottom = _mm256_set1_ps(-static_cast<float>(1 << (W - 1)));
  for (std::size_t p = 0; p < num_prbs; ++p) {
    const float* in = iq + p * iq_values_per_prb;
    __m256i a;
    __m256i b;
    quantize24(in, scale8, int16_low, int16_high, a, b);
    const unsigned e = exponent_of(a, _mm256_castsi256_si128(b), W);
    // Mantissas rounded once from the floats (bfp_mantissa_of_float).
    quantize24(in, _mm256_set1_ps(mantissa_scales[e]), bottom, top, a, b);
    write_prb<W>(a, b, e, out + p * bfp_prb_size(W), end);
  }
}

/// Loads 16 bytes at \p p, or the \p width that remain before \p end.
AIRAN_BFP_AVX2 inline __m128i load_group(const std::uint8_t* p, unsigned width,
                                         const std::uint8_t* end) {
  if (p + 16 <= end) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  }
  alignas(16) std::uint8_t bytes[16] = {};
  std::memcpy(bytes, p, width);
  return _mm_load_si128(reinterpret_cast<const __m128i*>(bytes));
}

/// The 8 sign-extended mantissas of a W-byte group, as int32.
template <unsigned W> AIRAN_BFP_AVX2 inline __m256i unpack_group(__m128i bytes) {
  if constexpr (W == 16) {
    const __m128i swap = _mm_setr_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
    return _mm256_cvtepi16_epi32(_mm_shuffle_epi8(bytes, swap));
  } else if constexpr (W == 8) {
    return _mm256_cvtepi8_epi32(bytes);
  } else {
    // Value i starts at bit W*i: take the 4 bytes from byte W*i/8 as a big-endian word, shift
    // its first bit to the top, then shift arithmetically down to W bits.
    constexpr auto byte = [](int i, int k) { return static_cast<char>(W * i / 8 + 3 - k); };
    const __m256i gather = _mm256_setr_epi8(
        byte(0, 0), byte(0, 1), byte(0, 2), byte(0, 3), byte(1, 0), byte(1, 1), byte(1, 2),
        byte(1, 3), byte(2, 0), byte(2, 1), byte(2, 2), byte(2, 3), byte(3, 0), byte(3, 1),
        byte(3, 2), byte(3, 3), byte(4, 0), byte(4, 1), byte(4, 2), byte(4, 3), byte(5, 0),
        byte(5, 1), byte(5, 2), byte(5, 3), byte(6, 0), byte(6, 1), byte(6, 2), byte(6, 3),
        byte(7, 0), byte(7, 1), byte(7, 2), byte(7, 3));
    const __m256i offsets = _mm256_setr_epi32(0, W % 8, 2 * W % 8, 3 * W % 8, 4 * W % 8, 5 * W % 8,
                                              6 * W % 8, 7 * W % 8);
    const __m256i words = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(bytes), gather);
    return _mm256_srai_epi32(_mm256_sllv_epi32(words, offsets), 32 - W);
  }
}

/// The 24 mantissas of one PRB as three groups of 8 int32; returns the exponent.
template <unsigned W>
AIRAN_BFP_AVX2 inline unsigned unpack_prb(const std::uint8_t* prb, const std::uint8_t* end,
                                          __m256i* groups) {
  for (unsigned g = 0; g < 3; ++g) {
    groups[g] = unpack_group<W>(load_group(prb + 1 + std::size_t{g} * W, W, end));
  }
  return prb[0] & 0x0F;
}

template <unsigned W>
AIRAN_BFP_AVX2 void decompress_i16_width(const std::uint8_t* in, std::size_t num_prbs,
                                         std::int16_t* iq) {
  const std::uint8_t* end = in + num_prbs * bfp_prb_size(W);
  for (std::size_t p = 0; p < num_prbs; ++p) {
    __m256i g[3];
    const unsigned e = unpack_prb<W>(in + p * bfp_prb_size(W), end, g);
    const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(e));
    std::int16_t* out = iq + p * iq_values_per_prb;
    const __m256i a = pack_in_order(_mm256_sll_epi32(g[0], shift), _mm256_sll_epi32(g[1], shift));
    const __m256i b = pack_in_order(_mm256_sll_epi32(g[2], shift), _mm256_setzero_si256());
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), a);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm256_castsi256_si128(b));
  }
}

template <unsigned W>
AIRAN_BFP_AVX2 void decompress_f32_width(const std::uint8_t* in, std::size_t num_prbs, float scale,
                                         float* iq) {
  const auto scales = bfp_exponent_scales(scale);
  const std::uint8_t* end = in + num_prbs * bfp_prb_size(W);
  for (std::size_t p = 0; p < num_prbs; ++p) {
    __m256i g[3];
    const unsigned e = unpack_prb<W>(in + p * bfp_prb_size(W), end, g);
    const __m256 factor = _mm256_set1_ps(scales[e]);
    float* out = iq + p * iq_values_per_prb;
    for (unsigned k = 0; k < 3; ++k) {
      _mm256_storeu_ps(out + std::size_t{8} * k, _mm256_mul_ps(_mm256_cvtepi32_ps(g[k]), factor));
    }
  }
}

void avx2_compress_i16(const std::int16_t* iq, std::size_t n, unsigned width, std::uint8_t* out) {
  dispatch_bfp_width(
      width, [&](auto w) { compress_i16_width<w()>(iq, n, out); },
      [&] { bfp_scalar_kernels().compress_i16(iq, n, width, out); });
}

void avx2_decompress_i16(const std::uint8_t* in, std::size_t n, unsigned width, std::int16_t* iq) {
  dispatch_bfp_width(
      width, [&](auto w) { decompress_i16_width<w()>(in, n, iq); },
      [&] { bfp_scalar_kernels().decompress_i16(in, n, width, iq); });
}

void avx2_compress_f32(const float* iq, std::size_t n, unsigned width, float scale,
                       std::uint8_t* out) {
  dispatch_bfp_width(
      width, [&](auto w) { compress_f32_width<w()>(iq, n, scale, out); },
      [&] { bfp_scalar_kernels().compress_f32(iq, n, width, scale, out); });
}

void avx2_decompress_f32(const std::uint8_t* in, std::size_t n, unsigned width, float scale,
                         float* iq) {
  dispatch_bfp_width(
      width, [&](auto w) { decompress_f32_width<w()>(in, n, scale, iq); },
      [&] { bfp_scalar_kernels().decompress_f32(in, n, width, scale, iq); });
}

/// Swaps the bytes of every 16-bit lane (native <-> big-endian).
AIRAN_BFP_AVX2 inline __m256i swap16(__m256i v) {
  return pack_lanes<16>(v);
}

AIRAN_BFP_AVX2 void avx2_pack_i16(const std::int16_t* iq, std::size_t n, std::uint8_t* out) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(iq + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * i), swap16(v));
  }
  bfp_scalar_kernels().pack_i16(iq + i, n - i, out + 2 * i);
}

AIRAN_BFP_AVX2 void avx2_unpack_i16(const std::uint8_t* in, std::size_t n, std::int16_t* iq) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 2 * i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(iq + i), swap16(v));
  }
  bfp_scalar_kernels().unpack_i16(in + 2 * i, n - i, iq + i);
}

AIRAN_BFP_AVX2 void avx2_pack_f32(const float* iq, std::size_t n, float scale, std::uint8_t* out) {
  const __m256 scale8 = _mm256_set1_ps(scale);
  const __m256 low = _mm256_set1_ps(-32768.0F);
  const __m256 high = _mm256_set1_ps(32767.0F);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i v = pack_in_order(quantize8(iq + i, scale8, low, high),
                                    quantize8(iq + i + 8, scale8, low, high));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * i), swap16(v));
  }
  bfp_scalar_kernels().pack_f32(iq + i, n - i, scale, out + 2 * i);
}

AIRAN_BFP_AVX2 void avx2_unpack_f32(const std::uint8_t* in, std::size_t n, float scale, float* iq) {
  const __m256 scale8 = _mm256_set1_ps(scale);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i v =
        unpack_group<16>(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 2 * i)));
    _mm256_storeu_ps(iq + i, _mm256_mul_ps(_mm256_cvtepi32_ps(v), scale8));
  }
  bfp_scalar_kernels().unpack_f32(in + 2 * i, n - i, scale, iq + i);
}

const BfpKernels avx2_kernels{BfpImpl::avx2,     avx2_compress_i16,   avx2_decompress_i16,
                              avx2_compress_f32, avx2_decompress_f32, avx2_pack_i16,
                              avx2_unpack_i16,   avx2_pack_f32,       avx2_unpack_f32};

} // namespace

const BfpKernels* bfp_avx2_kernels() {
  return &avx2_kernels;
}
#else
const BfpKernels* bfp_avx2_kernels() {
  return nullptr;
}
#endif

} // namespace airan::io::detail
