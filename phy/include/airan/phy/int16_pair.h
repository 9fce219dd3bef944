/// \file
/// \brief Two int16 values in one 32-bit word (the low half and the high half) and the per-half
/// arithmetic that the paired LDPC decoder needs (ldpc_pair_decoder.h), as AIRAN_HOST_DEVICE
/// functions: CUDA SIMD intrinsics and PTX `prmt` on the device (on sm_90 the sums and minima
/// are single add.u16x2, min.s16x2 and max.s16x2 instructions; older architectures emulate
/// them), portable per-half arithmetic on the host. Both give the same words bit for bit, so
/// host tests of the decoder check the device's arithmetic.
#pragma once

#include "airan/phy/host_device.h"

#include <cstdint>

namespace airan::phy {

/// Two int16 values: bits 0-15 (low) and 16-31 (high), two's complement each.
using Int16Pair = std::uint32_t;

/// 1 in each half.
inline constexpr Int16Pair int16_pair_ones = 0x00010001U;

/// The pair (\p low, \p high), each reduced mod 2^16.
AIRAN_HOST_DEVICE constexpr Int16Pair int16_pair(int low, int high) {
  return (static_cast<std::uint32_t>(low) & 0xFFFFU) | (static_cast<std::uint32_t>(high) << 16);
}

/// The low half, sign-extended.
AIRAN_HOST_DEVICE constexpr int int16_pair_low(Int16Pair v) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(v & 0xFFFFU));
}

/// The high half, sign-extended.
AIRAN_HOST_DEVICE constexpr int int16_pair_high(Int16Pair v) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(v >> 16));
}

/// Half \p half (0: low, 1: high), sign-extended.
AIRAN_HOST_DEVICE constexpr int int16_pair_half(Int16Pair v, unsigned half) {
  return half == 0 ? int16_pair_low(v) : int16_pair_high(v);
}

/// Per-half sum mod 2^16 (no carry between the halves).
AIRAN_HOST_DEVICE inline Int16Pair int16_pair_add(Int16Pair a, Int16Pair b) {
#if defined(__CUDA_ARCH__)
  return __vadd2(a, b);
#else
  return int16_pair(int16_pair_low(a) + int16_pair_low(b), int16_pair_high(a) + int16_pair_high(b));
#endif
}

/// Per-half signed minimum.
AIRAN_HOST_DEVICE inline Int16Pair int16_pair_min(Int16Pair a, Int16Pair b) {
#if defined(__CUDA_ARCH__)
  return __vmins2(a, b);
#else
  const int low = int16_pair_low(a) < int16_pair_low(b) ? int16_pair_low(a) : int16_pair_low(b);
  const int high =
      int16_pair_high(a) < int16_pair_high(b) ? int16_pair_high(a) : int16_pair_high(b);
  return int16_pair(low, high);
#endif
}

/// Per-half signed maximum.
AIRAN_HOST_DEVICE inline Int16Pair int16_pair_max(Int16Pair a, Int16Pair b) {
#if defined(__CUDA_ARCH__)
  return __vmaxs2(a, b);
#else
  const int low = int16_pair_low(a) < int16_pair_low(b) ? int16_pair_low(b) : int16_pair_low(a);
  const int high =
      int16_pair_high(a) < int16_pair_high(b) ? int16_pair_high(b) : int16_pair_high(a);
  return int16_pair(low, high);
#endif
}

/// Per-half unsigned minimum.
AIRAN_HOST_DEVICE inline Int16Pair int16_pair_min_unsigned(Int16Pair a, Int16Pair b) {
#if defined(__CUDA_ARCH__)
  return __vminu2(a, b);
#else
  const std::uint32_t low = (a & 0xFFFFU) < (b & 0xFFFFU) ? (a & 0xFFFFU) : (b & 0xFFFFU);
  const std::uint32_t high = (a >> 16) < (b >> 16) ? (a >> 16) : (b >> 16);
  return low | (high << 16);
#endif
}

/// PTX `prmt.b32` in its default mode: byte i of the result is byte (s_i & 7) of the eight bytes
/// \p b:\p a (a's bytes 0-3, b's 4-7), s_i being nibble i of \p Selector; when bit 3 of s_i is
/// set, that byte's sign bit replicated instead.
template <std::uint32_t Selector>
AIRAN_HOST_DEVICE inline std::uint32_t byte_permute(std::uint32_t a, std::uint32_t b) {
#if defined(__CUDA_ARCH__)
  std::uint32_t d;
  asm("prmt.b32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "n"(Selector));
  return d;
#else
  const std::uint64_t bytes = a | (static_cast<std::uint64_t>(b) << 32);
  std::uint32_t d = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const unsigned nibble = (Selector >> (4 * i)) & 0xFU;
    std::uint32_t byte = static_cast<std::uint32_t>(bytes >> (8 * (nibble & 7U))) & 0xFFU;
    if ((nibble & 8U) != 0) {
      byte = (byte & 0x80U) != 0 ? 0xFFU : 0U;
    }
    d |= byte << (8 * i);
  }
  return d;
#endif
}

/// 0xFFFF in each half that is negative, 0 in the others.
AIRAN_HOST_DEVICE inline Int16Pair int16_pair_negative_mask(Int16Pair v) {
  return byte_permute<0xBB99U>(v, 0);
}

/// The two int8 values of \p v (bits 0-7 low, 8-15 high) sign-extended into a pair.
AIRAN_HOST_DEVICE inline Int16Pair int16_pair_from_int8s(std::uint32_t v) {
  return byte_permute<0x9180U>(v, 0);
}

/// The low bytes of the halves of \p v as two int8 values (bits 0-7 from the low half, 8-15
/// from the high half; bits 16-31 are not specified): the inverse of int16_pair_from_int8s() for
/// halves in [-128, 127].
AIRAN_HOST_DEVICE inline std::uint32_t int16_pair_to_int8s(Int16Pair v) {
  return byte_permute<0x3120U>(v, 0);
}

/// Per-half magnitude (halves above -32768).
AIRAN_HOST_DEVICE inline Int16Pair int16_pair_abs(Int16Pair v) {
  const Int16Pair negative = int16_pair_negative_mask(v);
  return int16_pair_add(v ^ negative, negative & int16_pair_ones);
}

/// Per-half difference \p a - \p b mod 2^16.
AIRAN_HOST_DEVICE inline Int16Pair int16_pair_sub(Int16Pair a, Int16Pair b) {
  return int16_pair_add(int16_pair_add(a, ~b), int16_pair_ones);
}

} // namespace airan::phy
