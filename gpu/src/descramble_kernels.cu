/// \file
/// \brief LLR descrambling on the device: one thread per 32 LLRs takes its Gold word (a jump-ahead
/// per warp, gold_warp.cuh), and each warp flips the signs of its words' LLRs with coalesced
/// accesses (phy::flip_llr_sign, bit i of a word for LLR i), the CPU descrambler's output bit for
/// bit; or the words alone, for the demapper to descramble as it writes the LLRs.
#include "descramble_elements.h"
#include "front_end_kernels.h"
#include "gold_warp.cuh"
#include "launch_batches.cuh"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/gold_sequence_jump.h"

#include <utility>

namespace airan::gpu::detail {
namespace {

/// Blocks of one Gold word per thread for \p count LLRs (0 for none).
unsigned word_blocks(std::size_t count) {
  return static_cast<unsigned>((llr_words(count) + descramble_block - 1) / descramble_block);
}

/// descramble_thread() (descramble_elements.h): each lane takes the Gold word of 32 LLRs (the
/// warp's cursor, gold_warp.cuh), then each warp walks its 32 words one at a time with coalesced
/// loads and stores. (A thread per 32 consecutive LLRs, before 2026-11-30, made every load of a
/// warp touch 32 cache lines: 25 us for the 629k LLRs of a 273-PRB 2-layer 256-QAM slot on an
/// H200.)
__global__ void descramble_kernel(float* __restrict__ llrs, std::size_t count, std::uint32_t c_init,
                                  const phy::GoldJumpTable* __restrict__ table) {
  __shared__ phy::GoldJumpTable shared_table;
  load_gold_table(*table, shared_table);
  descramble_thread(llrs, count, c_init, shared_table, blockIdx.x, threadIdx.x, blockDim.x,
                    WarpXorReduce{}, WarpShuffle{});
}

/// Word w of the sequence of c_init (gold_sequence_word(table, c_init, 32 w)) into words[w].
struct ScramblingWordsLaunch {
  static constexpr unsigned threads = descramble_block;
  ScramblingWordsPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void ScramblingWordsLaunch::run(LaunchBlock block) const {
  __shared__ phy::GoldJumpTable shared_table;
  load_gold_table(*p.table, shared_table);
  scrambling_word_thread(p.words, p.count, p.c_init, shared_table, block.index, threadIdx.x,
                         blockDim.x, WarpXorReduce{});
}

} // namespace

void launch_scrambling_words(std::span<const ScramblingWordsPdu> pdus, cudaStream_t stream) {
  launch_all<ScramblingWordsLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        return std::pair(ScramblingWordsLaunch{pdus[i]}, word_blocks(pdus[i].count));
      },
      "scrambling_words_kernel", stream);
}

void launch_descramble(float* llrs, std::size_t count, std::uint32_t c_init,
                       const phy::GoldJumpTable* table, cudaStream_t stream) {
  const unsigned blocks = word_blocks(count);
  if (blocks == 0) {
    return;
  }
  descramble_kernel<<<blocks, descramble_block, 0, stream>>>(llrs, count, c_init, table);
  AIRAN_CUDA_LAUNCHED("descramble_kernel", stream);
}

} // namespace airan::gpu::detail
