/// \file
/// \brief Random access into the Gold sequence c(n) of TS 38.211 5.2.1: 32 bits from any index
/// without generating the ones before it, for code that produces the sequence in parallel (CUDA
/// threads, one word each). Host-device (AIRAN_HOST_DEVICE); the CPU tests check it against
/// GoldSequenceGenerator.
///
/// Each m-sequence register holds x(n) .. x(n+30) in bits 0..30 and advances linearly over
/// GF(2), so advancing it by s steps is a 31 x 31 bit matrix: the table holds those matrices for
/// s = 2^k (k = 0..32, as 31 column words each) for x1 and x2, and a jump by any s applies the
/// matrices of the set bits of s.
#pragma once

#include "airan/phy/host_device.h"

#include <cstdint>

namespace airan::phy {

/// Number of power-of-two jump matrices: jumps up to 2^33 - 1 steps (N_C + any 32-bit index).
inline constexpr unsigned gold_jump_levels = 33;

/// Jump matrices of both m-sequences: column j of level k is the register after 2^k steps from
/// the register holding only bit j.
struct GoldJumpTable {
  std::uint32_t x1[gold_jump_levels][31];
  std::uint32_t x2[gold_jump_levels][31];
};

/// The table (about 8 KB; build it once, e.g. as a static, and copy it to the device).
GoldJumpTable make_gold_jump_table();

/// One step of x1 (x1(n+31) = x1(n+3) + x1(n)) on a register.
AIRAN_HOST_DEVICE inline std::uint32_t gold_step_x1(std::uint32_t x) {
  return (x >> 1) | ((((x >> 3) ^ x) & 1U) << 30);
}

/// One step of x2 (x2(n+31) = x2(n+3) + x2(n+2) + x2(n+1) + x2(n)) on a register.
AIRAN_HOST_DEVICE inline std::uint32_t gold_step_x2(std::uint32_t x) {
  return (x >> 1) | ((((x >> 3) ^ (x >> 2) ^ (x >> 1) ^ x) & 1U) << 30);
}

/// The register \p x after \p steps steps, with the jump matrices \p levels of its sequence.
AIRAN_HOST_DEVICE inline std::uint32_t gold_jump(const std::uint32_t (*levels)[31], std::uint32_t x,
                                                 std::uint64_t steps) {
  for (unsigned k = 0; k < gold_jump_levels && steps != 0; ++k, steps >>= 1) {
    if ((steps & 1U) != 0) {
      std::uint32_t result = 0;
      for (unsigned j = 0; j < 31; ++j) {
        result ^= ((x >> j) & 1U) != 0 ? levels[k][j] : 0U;
      }
      x = result;
    }
  }
  return x;
}

/// Both m-sequence registers at an index n of c (x1 and x2 at n + N_C), producing c a word at a
/// time: x(m+31) .. x(m+46) depend only on x(m) .. x(m+18), all in the register, so one
/// shift-and-XOR makes 16 new values. Cheap to run on from any start that gold_word_cursor()
/// jumps to (a CUDA thread: one jump, then as many words as it needs).
struct GoldWordCursor {
  std::uint32_t x1 = 1; ///< x1(n + N_C) .. in bits 0..30
  std::uint32_t x2 = 0; ///< x2(n + N_C) ..

  /// Advances both registers by 16 steps.
  AIRAN_HOST_DEVICE void step16() {
    const std::uint32_t new_x1 = ((x1 >> 3) ^ x1) & 0xffffU;
    const std::uint32_t new_x2 = ((x2 >> 3) ^ (x2 >> 2) ^ (x2 >> 1) ^ x2) & 0xffffU;
    x1 = (x1 >> 16) | (new_x1 << 15);
    x2 = (x2 >> 16) | (new_x2 << 15);
  }
  /// c(n) .. c(n+31), c(n) in bit 0; then n += 32.
  AIRAN_HOST_DEVICE std::uint32_t next_word() {
    const std::uint32_t low = (x1 ^ x2) & 0xffffU;
    step16();
    const std::uint32_t high = (x1 ^ x2) & 0xffffU;
    step16();
    return low | (high << 16);
  }
};

/// N_C of TS 38.211 5.2.1.
inline constexpr std::uint32_t gold_nc = 1600;

/// The cursor at c(\p n) of the sequence initialised by \p c_init, by jump-ahead.
AIRAN_HOST_DEVICE inline GoldWordCursor gold_word_cursor(const GoldJumpTable& table,
                                                         std::uint32_t c_init, std::uint32_t n) {
  GoldWordCursor cursor;
  cursor.x1 = gold_jump(table.x1, 1U, std::uint64_t{gold_nc} + n);
  cursor.x2 = gold_jump(table.x2, c_init & 0x7fffffffU, std::uint64_t{gold_nc} + n);
  return cursor;
}

/// c(n) .. c(n+31) of the sequence initialised by \p c_init: bit i of the result is c(n + i).
AIRAN_HOST_DEVICE inline std::uint32_t gold_sequence_word(const GoldJumpTable& table,
                                                          std::uint32_t c_init, std::uint32_t n) {
  const std::uint32_t x1 = gold_jump(table.x1, 1U, std::uint64_t{gold_nc} + n);
  const std::uint32_t x2 = gold_jump(table.x2, c_init & 0x7fffffffU, std::uint64_t{gold_nc} + n);
  // Bits 0..30 are in the registers; bit 31 is bit 30 of the registers one step later.
  const std::uint32_t last = ((gold_step_x1(x1) ^ gold_step_x2(x2)) >> 30) & 1U;
  return ((x1 ^ x2) & 0x7fffffffU) | (last << 31);
}

} // namespace airan::phy
