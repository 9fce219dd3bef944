/// \file
/// \brief The Gold sequence cursor of a warp's consecutive words (device only, private): the
/// warp jumps once, its 32 lanes sharing each jump matrix's 31 columns (__reduce_xor_sync) read
/// from a copy of the table in shared memory, and each lane then runs its cursor on to its own
/// word. A jump per thread is a chain of up to 33 x 31
/// dependent steps (about 4 us on an H200, which set the time of DMRS generation and of
/// descrambling); this is 33 steps of one load and one reduction, then at most 31 words of
/// shift-and-XOR. The per-lane code is gold_warp_elements.h's (host and device); this header adds
/// the warp intrinsics.
#pragma once

#include "airan/phy/gold_sequence_jump.h"
#include "gold_warp_elements.h"

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

/// The XOR of the 32 lanes' \p value (every lane of the warp must call it).
struct WarpXorReduce {
  __device__ std::uint32_t operator()(std::uint32_t value) const {
    return __reduce_xor_sync(0xFFFFFFFFU, value);
  }
};

/// Lane \p source's \p value (every lane of the warp must call it).
struct WarpShuffle {
  __device__ std::uint32_t operator()(std::uint32_t value, unsigned source) const {
    return __shfl_sync(0xFFFFFFFFU, value, static_cast<int>(source));
  }
};

/// The cursor of this thread's lane l at c(n + 32 l) of the sequence of \p c_init (\p n and
/// \p c_init the same in every lane; every lane of the warp must call it): phy::gold_word_cursor(
/// table, c_init, n + 32 l), by the warp's shared jump (gold_warp_elements.h).
__device__ inline phy::GoldWordCursor warp_gold_word_cursor(const phy::GoldJumpTable& table,
                                                            std::uint32_t c_init, std::uint32_t n) {
  return warp_gold_word_cursor(table, c_init, n, threadIdx.x % warp_lanes, WarpXorReduce{});
}

} // namespace airan::gpu::detail
