/// \file
/// \brief Per-thread code of the descrambling kernels (descramble_kernels.cu): a thread's Gold
/// word from its warp's shared jump (gold_warp_elements.h), the scrambling words the demapper
/// descrambles with, and the descrambling pass's transpose. Host and device, with the warp's
/// cross-lane operations (XOR reduction, shuffle) parameters, so that a CPU test runs each
/// thread's code with an emulated warp against phy's scrambling sequence and descrambler
/// (tests/gpu/descramble_emulation_test.cpp); the kernels add the indices and the warp intrinsics.
#pragma once

#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/host_device.h"
#include "airan/phy/pusch_descrambler.h"
#include "gold_warp_elements.h"

#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// Threads per block of both descrambling kernels, one Gold word (32 LLRs) each.
inline constexpr unsigned descramble_block = 256;

/// Gold words (of 32 LLRs) of \p count LLRs.
AIRAN_HOST_DEVICE inline std::size_t llr_words(std::size_t count) {
  return (count + 31) / 32;
}

/// Where thread \p thread of block \p block (of \p threads threads) finds its Gold word of
/// \p c_init, one word per thread of the grid: the warp's first word (thread index minus lane)
/// into \p warp_first_word and, in every lane of a warp that has words left (\p num_words), its
/// own word (warp_gold_word_cursor() at 32 times the warp's first word, run on by the lane) into
/// \p bits; false for a warp past the end, which returns as a whole.
template <typename WarpXor>
AIRAN_HOST_DEVICE inline bool lane_gold_word(const phy::GoldJumpTable& table, std::uint32_t c_init,
                                             std::size_t num_words, std::uint32_t block,
                                             unsigned thread, unsigned threads, WarpXor&& warp_xor,
                                             std::size_t& warp_first_word, std::uint32_t& bits) {
  const std::size_t word = std::size_t{block} * threads + thread;
  const unsigned lane = thread % warp_lanes;
  warp_first_word = word - lane;
  if (warp_first_word >= num_words) {
    return false;
  }
  bits = warp_gold_word_cursor(table, c_init, static_cast<std::uint32_t>(32 * warp_first_word),
                               lane, warp_xor)
             .next_word();
  return true;
}

/// Thread \p thread of block \p block (of \p threads) of the scrambling words of \p count LLRs:
/// words[w] = c(32 w) .. c(32 w + 31) of the sequence of \p c_init (phy::gold_sequence_word())
/// for its own word w, when w < llr_words(\p count). (\p words by reference, read where the word
/// is stored: a copy read before the jump held a 64-bit register through it, 2 to 3 more in the
/// batched kernel.)
template <typename WarpXor>
AIRAN_HOST_DEVICE inline void
scrambling_word_thread(std::uint32_t* const& words, std::size_t count, std::uint32_t c_init,
                       const phy::GoldJumpTable& table, std::uint32_t block, unsigned thread,
                       unsigned threads, WarpXor&& warp_xor) {
  const std::size_t num_words = llr_words(count);
  std::size_t warp_first_word = 0;
  std::uint32_t bits = 0;
  if (!lane_gold_word(table, c_init, num_words, block, thread, threads, warp_xor, warp_first_word,
                      bits)) {
    return; // the whole warp
  }
  const std::size_t word = warp_first_word + thread % warp_lanes;
  if (word < num_words) {
    words[word] = bits;
  }
}

/// Thread \p thread of block \p block (of \p threads) of the descrambling pass over \p count
/// \p llrs with the sequence of \p c_init: each lane takes the Gold word of 32 LLRs
/// (lane_gold_word()); then the warp walks its 32 words one at a time (\p warp_shuffle(value, k):
/// lane k's value), lane l flipping LLR l of the word (bit l, phy::flip_llr_sign), so that the
/// loads and stores of a warp are 128 consecutive bytes.
template <typename WarpXor, typename WarpShuffle>
AIRAN_HOST_DEVICE inline void
descramble_thread(float* llrs, std::size_t count, std::uint32_t c_init,
                  const phy::GoldJumpTable& table, std::uint32_t block, unsigned thread,
                  unsigned threads, WarpXor&& warp_xor, WarpShuffle&& warp_shuffle) {
  const unsigned lane = thread % warp_lanes;
  std::size_t warp_first_word = 0;
  std::uint32_t bits = 0;
  if (!lane_gold_word(table, c_init, llr_words(count), block, thread, threads, warp_xor,
                      warp_first_word, bits)) {
    return; // the whole warp
  }
  for (unsigned k = 0; k < warp_lanes; ++k) {
    const std::uint32_t word_bits = warp_shuffle(bits, k);
    const std::size_t index = 32 * (warp_first_word + k) + lane;
    if (index < count) {
      llrs[index] = phy::flip_llr_sign(llrs[index], (word_bits >> lane) & 1U);
    }
  }
}

} // namespace airan::gpu::detail
