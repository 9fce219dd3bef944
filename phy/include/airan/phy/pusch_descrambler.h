/// \file
/// \brief PUSCH descrambling of soft bits (inverse of TS 38.211 6.3.1.1 on LLRs).
///
/// Scrambling XORs bit b(i) with the Gold sequence c(i) of TS 38.211 5.2.1. On log-likelihood
/// ratios that is a sign flip: the LLR of b(i) is the LLR of the scrambled bit with its sign
/// changed wherever c(i) = 1. The sequence is generated 16 bits per register step and applied 32
/// LLRs per sequence word, so descrambling costs about as much as one pass over the LLRs.
#pragma once

#include "airan/phy/host_device.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace airan::phy {

/// \p llr with its sign bit flipped when \p bit is 1 (bit-exact: zeros, NaNs, infinities keep
/// their magnitude).
AIRAN_HOST_DEVICE inline float flip_llr_sign(float llr, std::uint32_t bit) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(__float_as_uint(llr) ^ (bit << 31));
#else
  std::uint32_t raw = 0;
  std::memcpy(&raw, &llr, sizeof raw);
  raw ^= bit << 31;
  std::memcpy(&llr, &raw, sizeof raw);
  return llr;
#endif
}

/// Descrambles \p count <= 32 LLRs starting at codeword index 32 w with \p bits = c(32 w) ..
/// c(32 w + 31) (gold_sequence_word()): the unit of work of parallel descramblers.
AIRAN_HOST_DEVICE inline void descramble_llr_word(float* llrs, unsigned count, std::uint32_t bits) {
  for (unsigned i = 0; i < count; ++i) {
    llrs[i] = flip_llr_sign(llrs[i], (bits >> i) & 1U);
  }
}

/// Descrambles \p count <= 32 LLRs that start at codeword index \p first_index (anywhere in a
/// word) with the sequence packed in \p words (words[w] = c(32 w) .. c(32 w + 31), bit i of a
/// word c(32 w + i), as gold_sequence_word() gives them; the words the LLRs fall into must
/// exist): the demapper's descrambling of the LLRs of one RE and layer as it writes them.
AIRAN_HOST_DEVICE inline void descramble_llrs_from_words(float* llrs, unsigned count,
                                                         std::size_t first_index,
                                                         const std::uint32_t* words) {
  const std::size_t word = first_index / 32;
  const unsigned shift = static_cast<unsigned>(first_index % 32);
  std::uint64_t bits = words[word];
  if (shift + count > 32) {
    bits |= std::uint64_t{words[word + 1]} << 32;
  }
  bits >>= shift;
  for (unsigned i = 0; i < count; ++i) {
    llrs[i] = flip_llr_sign(llrs[i], static_cast<std::uint32_t>(bits >> i) & 1U);
  }
}

/// Descrambles \p llrs in place: negates llrs[i] wherever c(i) = 1, c being the Gold sequence
/// initialised by \p c_init (the same sequence as scramble_bits(), starting at c(0)).
/// Only the sign bit changes, so magnitudes (and zeros, NaNs, infinities) are kept exactly.
void descramble_llrs(std::span<float> llrs, std::uint32_t c_init);

/// descramble_llrs() for the part of a codeword that starts at codeword index \p first_index (a
/// multiple of 32): llrs[i] is negated where c(first_index + i) = 1. The sequence starts there
/// by jump-ahead (gold_sequence_jump.h), so parts of one codeword can go to different threads.
/// \throws std::invalid_argument when \p first_index is not a multiple of 32.
void descramble_llrs(std::span<float> llrs, std::uint32_t c_init, std::uint32_t first_index);

class ThreadPool;

/// descramble_llrs() split over the lanes of \p pool (which must not be running another job);
/// the output is the same bit for bit.
void descramble_llrs(std::span<float> llrs, std::uint32_t c_init, ThreadPool& pool);

} // namespace airan::phy
