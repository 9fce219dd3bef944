/// \file
/// \brief AVX-512 (F, BW, VBMI) kernels of the IQ compressor: a whole PRB (24 int16 values) in
/// one register. Packing: pairs by madd, quads by 64-bit shifts (4 * width bits per 64-bit
/// lane), then one byte permute (vpermb) into the big-endian stream and one masked store of its
/// 3 * width bytes. Unpacking: one masked load, a vpermb that puts each 64-bit lane's bytes in
/// little-endian order, then vpmultishiftqb picks each value's 16-bit window and an arithmetic
/// shift sign-extends it. Masked loads and stores mean no tail handling. Float decompression
/// and no compression reuse the AVX2 loops (see bfp_avx512_kernels()). Compiled with a function
/// attribute only; the factory calls them only on CPUs with AVX-512F/BW/VBMI. Bit-exact with the
/// scalar kernels (bfp_compression_kernels.h).
#include "bfp_compression_kernels.h"

#include <array>

#if defined(__x86_64__) || defined(__i386__)
// GCC 12 reports the _mm512_undefined_*() placeholders inside its own AVX-512 intrinsics as
// maybe-uninitialized once they are inlined here; nothing of ours is uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define AIRAN_BFP_AVX512 __attribute__((target("avx2,avx512f,avx512bw,avx512vbmi")))
#endif

namespace airan::io::detail {

#if defined(AIRAN_BFP_AVX512)
namespace {

constexpr __mmask32 prb_lanes = 0x00FFFFFF; ///< The 24 int16 lanes of a PRB.

/// Byte-permute and multishift controls of one width (computed at compile time).
template <unsigned W> struct Tables {
  std::array<std::uint8_t, 64> pack{};        ///< Stream byte j <- quads byte.
  std::array<std::uint8_t, 64> pack_nibble{}; ///< W = 9: the second source of the shared bytes.
  std::uint64_t pack_nibble_mask = 0;
  std::array<std::uint8_t, 64> arrange{}; ///< 64-bit lane q byte j <- stream byte k0(q) + 7 - j.
  std::array<std::uint8_t, 64> windows{}; ///< Per 16-bit lane: bit offsets of its two bytes.

  constexpr Tables() {
    constexpr unsigned quad_bytes = W / 2; // 4 * W bits = W / 2 bytes (W even)
    for (unsigned j = 0; j < 3 * W; ++j) {
      if constexpr (W == 9) {
        // Pairs of quads make 9 bytes: 4 from the even quad (moved up a nibble), 1 shared,
        // 4 from the odd quad.
        const unsigned t = j / 9;
        const unsigned r = j % 9;
        pack[j] = static_cast<std::uint8_t>(r < 5 ? 16 * t + 4 - r : 16 * t + 8 + 8 - r);
        if (r == 4) {
          pack_nibble[j] = static_cast<std::uint8_t>(16 * t + 8 + 4);
          pack_nibble_mask |= std::uint64_t{1} << j;
        }
      } else {
        pack[j] = static_cast<std::uint8_t>(8 * (j / quad_bytes) + quad_bytes - 1 - j % quad_bytes);
      }
    }
    for (unsigned q = 0; q < 8; ++q) {
      const unsigned k0 = 4 * q * W / 8;
      for (unsigned j = 0; j < 8; ++j) {
        arrange[8 * q + j] = static_cast<std::uint8_t>(std::min(k0 + 7 - j, 63U));
      }
      for (unsigned t = 0; t < 4; ++t) {
        const unsigned s = (4 * q + t) * W;
        const unsigned r = s / 8 - k0;
        const unsigned start = 8 * (6 - r) - s % 8;
        windows[8 * q + 2 * t] = static_cast<std::uint8_t>(start);
        windows[8 * q + 2 * t + 1] = static_cast<std::uint8_t>(start + 8);
      }
    }
  }
};

template <unsigned W> constexpr Tables<W> tables{};

AIRAN_BFP_AVX512 inline __m512i load_table(const std::array<std::uint8_t, 64>& table) {
  return _mm512_loadu_si512(table.data());
}

/// Exponent of the 24 values in the low lanes of \p v (the other lanes are 0).
AIRAN_BFP_AVX512 inline unsigned exponent_of(__m512i v, unsigned width) {
  const __m512i m = _mm512_xor_si512(v, _mm512_srai_epi16(v, 15)); // v >= 0 ? v : -v - 1
  const __m256i m256 = _mm256_max_epi16(_mm512_castsi512_si256(m), _mm512_extracti64x4_epi64(m, 1));
  const __m128i m128 =
      _mm_max_epi16(_mm256_castsi256_si128(m256), _mm256_extracti128_si256(m256, 1));
  const __m128i flipped = _mm_sub_epi16(_mm_set1_epi16(0x7FFF), m128);
  const unsigned widest =
      0x7FFFU - (static_cast<unsigned>(_mm_cvtsi128_si32(_mm_minpos_epu16(flipped))) & 0xFFFFU);
  const unsigned bits = static_cast<unsigned>(std::bit_width(widest)) + 1;
  return bits > width ? bits - width : 0;
}

/// Packs 24 mantissas into the big-endian stream's first 3W bytes.
template <unsigned W> AIRAN_BFP_AVX512 inline __m512i pack_prb(__m512i v) {
  if constexpr (W == 16) {
    const __m512i swap =
        _mm512_set_epi8(14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1, 14, 15, 12, 13, 10,
                        11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1, 14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5,
                        2, 3, 0, 1, 14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1);
    return _mm512_shuffle_epi8(v, swap);
  } else if constexpr (W == 8) {
    return _mm512_castsi256_si512(_mm512_cvtepi16_epi8(v));
  } else {
    const __m512i masked = _mm512_and_si512(v, _mm512_set1_epi16((1 << W) - 1));
    const __m512i pairs = _mm512_madd_epi16(masked, _mm512_set1_epi32((1 << 16) | (1 << W)));
    const __m512i low = _mm512_and_si512(pairs, _mm512_set1_epi64(0xFFFFFFFF));
    __m512i quads = _mm512_or_si512(_mm512_slli_epi64(low, 2 * W), _mm512_srli_epi64(pairs, 32));
    if constexpr (W == 9) {
      quads = _mm512_sllv_epi64(quads, _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4));
      const __m512i head = _mm512_permutexvar_epi8(load_table(tables<W>.pack), quads);
      const __m512i nibble = _mm512_maskz_permutexvar_epi8(
          tables<W>.pack_nibble_mask, load_table(tables<W>.pack_nibble), quads);
      return _mm512_or_si512(head, nibble);
    } else {
      return _mm512_permutexvar_epi8(load_table(tables<W>.pack), quads);
    }
  }
}

/// The 24 sign-extended mantissas of a PRB's 3W stream bytes, in int16 lanes 0..23.
template <unsigned W> AIRAN_BFP_AVX512 inline __m512i unpack_prb(const std::uint8_t* stream) {
  const __m512i bytes = _mm512_maskz_loadu_epi8((std::uint64_t{1} << (3 * W)) - 1, stream);
  const __m512i arranged = _mm512_permutexvar_epi8(load_table(tables<W>.arrange), bytes);
  const __m512i windows = _mm512_multishift_epi64_epi8(load_table(tables<W>.windows), arranged);
  return _mm512_srai_epi16(windows, 16 - W);
}

/// (v + 2^(e-1)) >> e saturated at \p top (as the AVX2 kernel: the saturating add only clips
/// where the result is the top mantissa anyway).
AIRAN_BFP_AVX512 inline __m512i round_shift(__m512i v, unsigned e, __m512i top) {
  if (e == 0) {
    return v;
  }
  v = _mm512_adds_epi16(v, _mm512_set1_epi16(static_cast<short>(1 << (e - 1))));
  v = _mm512_sra_epi16(v, _mm_cvtsi32_si128(static_cast<int>(e)));
  return _mm512_min_epi16(v, top);
}

template <unsigned W>
AIRAN_BFP_AVX512 inline void write_prb(__m512i mantissas, unsigned e, std::uint8_t* out) {
  out[0] = static_cast<std::uint8_t>(e);
  _mm512_mask_storeu_epi8(out + 1, (std::uint64_t{1} << (3 * W)) - 1, pack_prb<W>(mantissas));
}

template <unsigned W>
AIRAN_BFP_AVX512 void compress_i16_width(const std::int16_t* iq, std::size_t n, std::uint8_t* out) {
  const __m512i top = _mm512_set1_epi16(static_cast<short>((1 << (W - 1)) - 1));
  for (std::size_t p = 0; p < n; ++p) {
    const __m512i v = _mm512_maskz_loadu_epi16(prb_lanes, iq + p * iq_values_per_prb);
    const unsigned e = exponent_of(v, W);
    write_prb<W>(round_shift(v, e, top), e, out + p * bfp_prb_size(W));
  }
}

/// x times \p scale, clamped to [low, high] like the scalar code (minps returns its second
/// operand for NaN), rounded to nearest even, narrowed to int16.
AIRAN_BFP_AVX512 inline __m256i quantize16(__m512 x, __m512 scale, __m512 low, __m512 high) {
  x = _mm512_max_ps(_mm512_min_ps(_mm512_mul_ps(x, scale), high), low);
  return _mm512_cvtsepi32_epi16(_mm512_cvtps_epi32(x));
}

/// 24 floats quantised (quantize16) into int16 lanes 0..23.
AIRAN_BFP_AVX512 inline __m512i quantize24(const float* p, __m512 scale, __m512 low, __m512 high) {
  const __m256i first = quantize16(_mm512_loadu_ps(p), scale, low, high);
  const __m256i rest = quantize16(_mm512_maskz_loadu_ps(0xFF, p + 16), scale, low, high);
  return _mm512_inserti64x4(_mm512_castsi256_si512(first), rest, 1);
}

template <unsigned W>
AIRAN_BFP_AVX512 void compress_f32_width(const float* iq, std::size_t n, float scale,
                                         std::uint8_t* out) {
  const auto mantissa_scales = bfp_mantissa_scales(scale);
  const __m512 scale16 = _mm512_set1_ps(scale);
  const __m512 int16_low = _mm512_set1_ps(-32768.0F);
  const __m512 int16_high = _mm512_set1_ps(32767.0F);
  const __m512 top = _mm512_set1_ps(static_cast<float>((1 << (W - 1)) - 1));
  const __m512 bottom = _mm512_set1_ps(-static_cast<float>(1 << (W - 1)));
  for (std::size_t p = 0; p < n; ++p) {
    const float* in = iq + p * iq_values_per_prb;
    const unsigned e = exponent_of(quantize24(in, scale16, int16_low, int16_high), W);
    // Mantissas rounded once from the floats (bfp_mantissa_of_float).
    write_prb<W>(quantize24(in, _mm512_set1_ps(mantissa_scales[e]), bottom, top), e,
                 out + p * bfp_prb_size(W));
  }
}

template <unsigned W>
AIRAN_BFP_AVX512 void decompress_i16_width(const std::uint8_t* in, std::size_t n,
                                           std::int16_t* iq) {
  for (std::size_t p = 0; p < n; ++p) {
    const std::uint8_t* prb = in + p * bfp_prb_size(W);
    const __m512i m = unpack_prb<W>(prb + 1);
    const unsigned e = prb[0] & 0x0F;
    const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(e));
    std::int16_t* out = iq + p * iq_values_per_prb;
    if (e <= 16 - W) {
      // W - 1 + e <= 15 bits: every mantissa * 2^e fits int16 (all our compressor writes).
      _mm512_mask_storeu_epi16(out, prb_lanes, _mm512_sll_epi16(m, shift));
      continue;
    }
    // A foreign exponent: widen, shift, narrow with saturation (as bfp_expand_to_int16).
    const __m512i first = _mm512_sll_epi32(_mm512_cvtepi16_epi32(_mm512_castsi512_si256(m)), shift);
    const __m512i rest =
        _mm512_sll_epi32(_mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(m, 1)), shift);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm512_cvtsepi32_epi16(first));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16),
                     _mm256_castsi256_si128(_mm512_cvtsepi32_epi16(rest)));
  }
}

void avx512_compress_i16(const std::int16_t* iq, std::size_t n, unsigned width, std::uint8_t* out) {
  dispatch_bfp_width(
      width, [&](auto w) { compress_i16_width<w()>(iq, n, out); },
      [&] { bfp_scalar_kernels().compress_i16(iq, n, width, out); });
}

void avx512_decompress_i16(const std::uint8_t* in, std::size_t n, unsigned width,
                           std::int16_t* iq) {
  dispatch_bfp_width(
      width, [&](auto w) { decompress_i16_width<w()>(in, n, iq); },
      [&] { bfp_scalar_kernels().decompress_i16(in, n, width, iq); });
}

void avx512_compress_f32(const float* iq, std::size_t n, unsigned width, float scale,
                         std::uint8_t* out) {
  dispatch_bfp_width(
      width, [&](auto w) { compress_f32_width<w()>(iq, n, scale, out); },
      [&] { bfp_scalar_kernels().compress_f32(iq, n, width, scale, out); });
}

} // namespace

const BfpKernels* bfp_avx512_kernels() {
  // Measured (bench/bfp_bench.cpp): the AVX-512 loops win on int16 (decompression 2x) and tie on
  // float compression; float decompression and no compression are memory-bound and the AVX2
  // loops (256-bit stores into 96-byte PRBs, no split cache lines) are as fast or faster.
  static const BfpKernels kernels = [] {
    const BfpKernels* avx2 = bfp_avx2_kernels();
    const BfpKernels& base = avx2 != nullptr ? *avx2 : bfp_scalar_kernels();
    return BfpKernels{BfpImpl::avx512,     avx512_compress_i16, avx512_decompress_i16,
                      avx512_compress_f32, base.decompress_f32, base.pack_i16,
                      base.unpack_i16,     base.pack_f32,       base.unpack_f32};
  }();
  return &kernels;
}
#else
const BfpKernels* bfp_avx512_kernels() {
  return nullptr;
}
#endif

} // namespace airan::io::detail
