// Test support for the host emulations of the GPU front end's kernels: the descrambling kernels'
// grids (descramble_kernels.cu) on the host, each thread's code (descramble_elements.h) on
// emulated warps (front_end_emulation_warp.h), block after block and warp after warp.
// CUDA-free.
#pragma once

#include "airan/phy/gold_sequence_jump.h"

#include "descramble_elements.h"
#include "front_end_emulation_warp.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

namespace emulation_test {

/// Blocks of the descrambling kernels' grids for \p count LLRs (word_blocks() of
/// descramble_kernels.cu).
inline unsigned descramble_grid_blocks(std::size_t count) {
  using namespace airan::gpu::detail;
  return static_cast<unsigned>((llr_words(count) + descramble_block - 1) / descramble_block);
}

/// Runs \p thread_code(block, thread, lane) for every thread of a descrambling grid of \p blocks
/// blocks of descramble_block threads: the blocks and their warps one after the other, each
/// warp's lanes together on \p warp. Fails the test where a warp's lanes did not meet.
template <typename ThreadCode>
void run_descramble_grid(EmulatedWarp& warp, unsigned blocks, ThreadCode&& thread_code) {
  using airan::gpu::detail::descramble_block;
  for (unsigned block = 0; block < blocks; ++block) {
    for (unsigned w = 0; w < descramble_block / EmulatedWarp::lanes; ++w) {
      const bool met = warp.run([&](EmulatedWarp::Lane& lane) {
        thread_code(block, w * EmulatedWarp::lanes + lane.index(), lane);
      });
      ASSERT_TRUE(met) << "block " << block << " warp " << w;
    }
  }
}

/// The scrambling words kernel (launch_scrambling_words()) for \p count LLRs of the sequence of
/// \p c_init on the host: scrambling_word_thread() of every thread, into \p words.
inline void emulate_scrambling_words(EmulatedWarp& warp, const airan::phy::GoldJumpTable& table,
                                     std::uint32_t c_init, std::size_t count,
                                     std::uint32_t* words) {
  using namespace airan::gpu::detail;
  run_descramble_grid(warp, descramble_grid_blocks(count),
                      [&](unsigned block, unsigned thread, EmulatedWarp::Lane& lane) {
                        scrambling_word_thread(words, count, c_init, table, block, thread,
                                               descramble_block, lane);
                      });
}

/// The descrambling pass (launch_descramble()) over \p count \p llrs with the sequence of
/// \p c_init on the host: descramble_thread() of every thread.
inline void emulate_descramble(EmulatedWarp& warp, const airan::phy::GoldJumpTable& table,
                               float* llrs, std::size_t count, std::uint32_t c_init) {
  using namespace airan::gpu::detail;
  run_descramble_grid(warp, descramble_grid_blocks(count),
                      [&](unsigned block, unsigned thread, EmulatedWarp::Lane& lane) {
                        descramble_thread(llrs, count, c_init, table, block, thread,
                                          descramble_block, lane, lane);
                      });
}

} // namespace emulation_test
