/// \file
/// \brief Soft values of a codeword for UL-SCH decoder tests: BPSK over AWGN at a given SNR.
#pragma once

#include "airan/phy/types.h"

#include <cmath>
#include <random>
#include <vector>

namespace airan::test {

/// BPSK over AWGN at \p snr_db: LLRs 4 y / N0 of the encoded codeword, with bit errors at low SNR.
inline std::vector<float> noisy_llrs(const phy::BitVector& codeword, float snr_db,
                                     std::mt19937_64& rng) {
  const float n0 = std::pow(10.0F, -snr_db / 10.0F);
  std::normal_distribution<float> noise(0.0F, std::sqrt(n0 / 2.0F));
  std::vector<float> llrs(codeword.size());
  for (std::size_t i = 0; i < codeword.size(); ++i) {
    const float y = (codeword[i] != 0 ? -1.0F : 1.0F) + noise(rng);
    llrs[i] = 4.0F * y / n0;
  }
  return llrs;
}

} // namespace airan::test
