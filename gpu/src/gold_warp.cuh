/// \file
/// \brief The Gold sequence cursor of a warp's consecutive words (device only, private): the
/// warp jumps once, its 32 lanes sharing each jump matrix's 31 columns (__reduce_xor_sync), and
/// each lane then runs its cursor on to its own word. A jump per thread is a chain of up to 33 x 31
/// dependent steps (about 4 us on an H200, which set the time of DMRS generation and of
/// descrambling); this is 33 steps of one load and one reduction, then at most 31 words of
/// shift-and-XOR.
#pragma once

#include "airan/phy/gold_sequence_jump.h"

#include <cstdint>

namespace airan::gpu::detail {

/// gold_jump() by all 32 lanes of a warp with the same \p x and \p steps (the result in every
/// lane). Every lane of the warp must call it.
__device__ inline std::uint32_t warp_gold_jump(const std::uint32_t (*levels)[31], std::uint32_t x,
                                               std::uint64_t steps) {
  const unsigned lane = threadIdx.x % 32;
  for (unsigned k = 0; k < phy::gold_jump_levels && steps != 0; ++k, steps >>= 1) {
    if ((steps & 1U) != 0) {
      const std::uint32_t column = lane < 31 && ((x >> lane) & 1U) != 0 ? levels[k][lane] : 0U;
      x = __reduce_xor_sync(0xFFFFFFFFU, column);
    }
  }
  return x;
}

/// The cursor of lane l at c(n + 32 l) of the sequence of \p c_init (\p n and \p c_init the same
/// in every lane; every lane of the warp must call it): phy::gold_word_cursor(table, c_init,
/// n + 32 l).
__device__ inline phy::GoldWordCursor warp_gold_word_cursor(const phy::GoldJumpTable& table,
                                                            std::uint32_t c_init, std::uint32_t n) {
  phy::GoldWordCursor cursor;
  cursor.x1 = warp_gold_jump(table.x1, 1U, std::uint64_t{phy::gold_nc} + n);
  cursor.x2 = warp_gold_jump(table.x2, c_init & 0x7fffffffU, std::uint64_t{phy::gold_nc} + n);
  for (unsigned word = 0; word < threadIdx.x % 32; ++word) {
    cursor.step16();
    cursor.step16();
  }
  return cursor;
}

} // namespace airan::gpu::detail
