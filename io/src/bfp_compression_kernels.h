/// \file
/// \brief Kernel table behind IqCompressor: one set of raw-pointer loops per implementation
/// (scalar, AVX2, AVX-512), plus the scalar helpers every implementation must match bit for bit.
#pragma once

#include "airan/io/bfp_compression.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace airan::io::detail {

/// The loops of one implementation. BFP kernels take any width 1..16; the SIMD ones hand the
/// widths they have no code for to the scalar kernels. "Scale" is 32768 / full_scale when
/// compressing and full_scale / 32768 when decompressing.
struct BfpKernels {
  BfpImpl impl;
  void (*compress_i16)(const std::int16_t* iq, std::size_t num_prbs, unsigned width,
                       std::uint8_t* out);
  void (*decompress_i16)(const std::uint8_t* in, std::size_t num_prbs, unsigned width,
                         std::int16_t* iq);
  void (*compress_f32)(const float* iq, std::size_t num_prbs, unsigned width, float scale,
                       std::uint8_t* out);
  void (*decompress_f32)(const std::uint8_t* in, std::size_t num_prbs, unsigned width, float scale,
                         float* iq);
  /// No compression: num_values 16-bit big-endian values.
  void (*pack_i16)(const std::int16_t* iq, std::size_t num_values, std::uint8_t* out);
  void (*unpack_i16)(const std::uint8_t* in, std::size_t num_values, std::int16_t* iq);
  void (*pack_f32)(const float* iq, std::size_t num_values, float scale, std::uint8_t* out);
  void (*unpack_f32)(const std::uint8_t* in, std::size_t num_values, float scale, float* iq);
};

const BfpKernels& bfp_scalar_kernels();
/// nullptr when the build has no such code (non-x86).
const BfpKernels* bfp_avx2_kernels();
const BfpKernels* bfp_avx512_kernels();

// --- Reference arithmetic shared by every implementation ----------------------------------

/// x * scale rounded to nearest even and saturated to int16; NaN becomes 32767. The clamp
/// before the conversion is min(v, hi) then max(v, lo) with the operand order of minps/maxps.
inline std::int16_t quantize_to_int16(float x, float scale) {
  float v = x * scale;
  v = v < 32767.0F ? v : 32767.0F;
  v = v > -32768.0F ? v : -32768.0F;
  return static_cast<std::int16_t>(std::nearbyint(v));
}

/// The BFP exponent of 24 values (see bfp_compression.h).
inline unsigned bfp_exponent_of(const std::int16_t* values, unsigned width) {
  unsigned widest = 0;
  for (std::size_t i = 0; i < iq_values_per_prb; ++i) {
    const int v = values[i];
    widest = std::max(widest, static_cast<unsigned>(v >= 0 ? v : -v - 1));
  }
  const unsigned bits = static_cast<unsigned>(std::bit_width(widest)) + 1;
  return bits > width ? bits - width : 0;
}

/// One mantissa: v / 2^e rounded half up, saturated at the top of the width.
inline int bfp_mantissa(int v, unsigned exponent, unsigned width) {
  const int rounded = exponent == 0 ? v : (v + (1 << (exponent - 1))) >> exponent;
  return std::min(rounded, (1 << (width - 1)) - 1);
}

/// Float interface: the mantissa straight from the float, x * scale / 2^e rounded to nearest
/// even (one rounding, not two through int16) and saturated to the width; \p mantissa_scale is
/// bfp_mantissa_scales(scale)[e]. Clamped before conversion as quantize_to_int16.
inline int bfp_mantissa_of_float(float x, float mantissa_scale, unsigned width) {
  const float top = static_cast<float>((1 << (width - 1)) - 1);
  const float bottom = -static_cast<float>(1 << (width - 1));
  float v = x * mantissa_scale;
  v = v < top ? v : top;
  v = v > bottom ? v : bottom;
  return static_cast<int>(std::nearbyint(v));
}

/// scale / 2^e for every exponent.
inline std::array<float, 16> bfp_mantissa_scales(float scale) {
  std::array<float, 16> scales{};
  for (unsigned e = 0; e < 16; ++e) {
    scales[e] = std::ldexp(scale, -static_cast<int>(e));
  }
  return scales;
}

/// mantissa * 2^e saturated to int16.
inline std::int16_t bfp_expand_to_int16(int mantissa, unsigned exponent) {
  return static_cast<std::int16_t>(std::clamp(mantissa * (1 << exponent), -32768, 32767));
}

/// Float scale of each exponent: scale * 2^e, the factor every implementation multiplies by.
inline std::array<float, 16> bfp_exponent_scales(float scale) {
  std::array<float, 16> scales{};
  for (unsigned e = 0; e < 16; ++e) {
    scales[e] = std::ldexp(scale, static_cast<int>(e));
  }
  return scales;
}

/// Calls \p simd with std::integral_constant<unsigned, W> for the widths that have SIMD kernels
/// (8, 9, 12, 14, 16), \p scalar otherwise.
template <class SimdCall, class ScalarCall>
void dispatch_bfp_width(unsigned width, SimdCall&& simd, ScalarCall&& scalar) {
  switch (width) {
  case 8:
    return simd(std::integral_constant<unsigned, 8>{});
  case 9:
    return simd(std::integral_constant<unsigned, 9>{});
  case 12:
    return simd(std::integral_constant<unsigned, 12>{});
  case 14:
    return simd(std::integral_constant<unsigned, 14>{});
  case 16:
    return simd(std::integral_constant<unsigned, 16>{});
  default:
    return scalar();
  }
}

} // namespace airan::io::detail
