/// \file
/// \brief PUSCH descrambling of soft bits (inverse of TS 38.211 6.3.1.1 on LLRs).
///
/// Scrambling XORs bit b(i) with the Gold sequence c(i) of TS 38.211 5.2.1. On log-likelihood
/// ratios that is a sign flip: the LLR of b(i) is the LLR of the scrambled bit with its sign
/// changed wherever c(i) = 1. The sequence is generated 16 bits per register step and applied 32
/// LLRs per sequence word, so descrambling costs about as much as one pass over the LLRs.
#pragma once

#include <cstdint>
#include <span>

namespace airan::phy {

/// Descrambles \p llrs in place: negates llrs[i] wherever c(i) = 1, c being the Gold sequence
/// initialised by \p c_init (the same sequence as scramble_bits(), starting at c(0)).
/// Only the sign bit changes, so magnitudes (and zeros, NaNs, infinities) are kept exactly.
void descramble_llrs(std::span<float> llrs, std::uint32_t c_init);

} // namespace airan::phy
