/// \file
/// \brief LLR descrambling on the device: one thread per 32 LLRs takes its Gold word (a jump-ahead
/// per warp, gold_warp.cuh), and each warp flips the signs of its words' LLRs with coalesced
/// accesses (phy::flip_llr_sign, bit i of a word for LLR i), the CPU descrambler's output bit for
/// bit; or the words alone, for the demapper to descramble as it writes the LLRs.
#include "front_end_kernels.h"
#include "gold_warp.cuh"
#include "launch_batches.cuh"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_descrambler.h"

#include <utility>

namespace airan::gpu::detail {
namespace {

constexpr unsigned descramble_block = 256;
constexpr unsigned words_per_block = descramble_block; ///< One Gold word per thread.

/// Blocks of one Gold word per thread for \p count LLRs (0 for none).
unsigned word_blocks(std::size_t count) {
  const std::size_t words = (count + 31) / 32;
  return static_cast<unsigned>((words + words_per_block - 1) / words_per_block);
}

/// The warp's first word (thread index minus lane) in block \p block, and in every lane of a warp
/// that has words left (\p num_words) its own Gold word of \p c_init (gold_warp.cuh); false for
/// a warp past the end, which returns as a whole.
__device__ bool lane_gold_word(const phy::GoldJumpTable& table, std::uint32_t c_init,
                               std::size_t num_words, std::uint32_t block,
                               std::size_t& warp_first_word, std::uint32_t& bits) {
  const std::size_t word = std::size_t{block} * blockDim.x + threadIdx.x;
  warp_first_word = word - threadIdx.x % 32;
  if (warp_first_word >= num_words) {
    return false;
  }
  bits = warp_gold_word_cursor(table, c_init, static_cast<std::uint32_t>(32 * warp_first_word))
             .next_word();
  return true;
}

/// Each lane takes the Gold word of 32 LLRs (the warp's cursor, gold_warp.cuh); then each warp
/// walks its 32 words one at a time, lane l flipping LLR l of the word (bit l), so that the loads
/// and stores of a warp are 128 consecutive bytes. (A thread per 32 consecutive LLRs, before
/// 2026-11-30, made every load of a warp touch 32 cache lines: 25 us for the 629k LLRs of a 273-PRB
/// 2-layer 256-QAM slot on an H200.)
__global__ void descramble_kernel(float* __restrict__ llrs, std::size_t count, std::uint32_t c_init,
                                  const phy::GoldJumpTable* __restrict__ table) {
  __shared__ phy::GoldJumpTable shared_table;
  load_gold_table(*table, shared_table);
  const unsigned lane = threadIdx.x % 32;
  std::size_t warp_first_word = 0;
  std::uint32_t bits = 0;
  if (!lane_gold_word(shared_table, c_init, (count + 31) / 32, blockIdx.x, warp_first_word, bits)) {
    return; // the whole warp
  }
  for (unsigned k = 0; k < 32; ++k) {
    const std::uint32_t word_bits = __shfl_sync(0xFFFFFFFFU, bits, static_cast<int>(k));
    const std::size_t index = 32 * (warp_first_word + k) + lane;
    if (index < count) {
      llrs[index] = phy::flip_llr_sign(llrs[index], (word_bits >> lane) & 1U);
    }
  }
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
  const std::size_t num_words = (p.count + 31) / 32;
  std::size_t warp_first_word = 0;
  std::uint32_t bits = 0;
  if (!lane_gold_word(shared_table, p.c_init, num_words, block.index, warp_first_word, bits)) {
    return; // the whole warp
  }
  const std::size_t word = warp_first_word + threadIdx.x % 32;
  if (word < num_words) {
    p.words[word] = bits;
  }
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
