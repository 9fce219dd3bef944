/// \file
/// \brief The Gold sequence cursor of a warp's consecutive words (device only, private): the
/// warp jumps once, its 32 lanes sharing each jump matrix's 31 columns (__reduce_xor_sync) read
/// from a copy of the table in shared memory, and each lane then runs its cursor on to its own
/// word. A jump per thread is a chain of up to 33 x 31
/// dependent steps (about 4 us on an H200, which set the time of DMRS generation and of
/// descrambling); this is 33 steps of one load and one reduction, then at most 31 words of
/// shift-and-XOR.
#pragma once

#include "airan/phy/gold_sequence_jump.h"

#include <cstdint>

namespace airan::gpu::detail {

/// Copies \p table into \p shared (a __shared__ table of the block); every thread of the block
/// must call it (it ends with a barrier). The jumps then read their columns from shared memory:
/// from global memory, each level's load was a round trip on the jump's dependency chain.
__device__ inline void load_gold_table(const phy::GoldJumpTable& table,
                                       phy::GoldJumpTable& shared) {
  constexpr unsigned words = sizeof(phy::GoldJumpTable) / sizeof(std::uint32_t);
  const auto* from = reinterpret_cast<const std::uint32_t*>(&table);
  auto* to = reinterpret_cast<std::uint32_t*>(&shared);
  for (unsigned i = threadIdx.x; i < words; i += blockDim.x) {
    to[i] = from[i];
  }
  __syncthreads();
}

/// One matrix of gold_jump(): the register \p x times the 31 columns \p columns, lane j taking
/// column j and the warp XOR-reducing.
__device__ inline std::uint32_t warp_gold_apply(const std::uint32_t* columns, std::uint32_t x) {
  const unsigned lane = threadIdx.x % 32;
  const std::uint32_t column = lane < 31 && ((x >> lane) & 1U) != 0 ? columns[lane] : 0U;
  return __reduce_xor_sync(0xFFFFFFFFU, column);
}

/// The cursor of lane l at c(n + 32 l) of the sequence of \p c_init (\p n and \p c_init the same
/// in every lane; every lane of the warp must call it): phy::gold_word_cursor(table, c_init,
/// n + 32 l). The warp jumps both registers to c(n) together (gold_jump() level by level, the two
/// chains interleaved), then lane l runs on l words.
__device__ inline phy::GoldWordCursor warp_gold_word_cursor(const phy::GoldJumpTable& table,
                                                            std::uint32_t c_init, std::uint32_t n) {
  phy::GoldWordCursor cursor;
  cursor.x2 = c_init & 0x7fffffffU;
  std::uint64_t steps = std::uint64_t{phy::gold_nc} + n;
  for (unsigned k = 0; k < phy::gold_jump_levels && steps != 0; ++k, steps >>= 1) {
    if ((steps & 1U) != 0) {
      const std::uint32_t x1 = warp_gold_apply(table.x1[k], cursor.x1);
      cursor.x2 = warp_gold_apply(table.x2[k], cursor.x2);
      cursor.x1 = x1;
    }
  }
  for (unsigned word = 0; word < threadIdx.x % 32; ++word) {
    cursor.step16();
    cursor.step16();
  }
  return cursor;
}

} // namespace airan::gpu::detail
