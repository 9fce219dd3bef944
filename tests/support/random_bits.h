/// \file
/// \brief Random transport-block bits for the tests that transmit and receive PUSCHs.
#pragma once

#include "airan/phy/types.h"

#include <cstddef>
#include <random>

namespace airan::test {

/// \p n random bits (0 or 1 each) from \p rng.
inline phy::BitVector random_bits(std::size_t n, std::mt19937_64& rng) {
  phy::BitVector bits(n);
  for (auto& b : bits) {
    b = static_cast<phy::bit_t>(rng() & 1U);
  }
  return bits;
}

} // namespace airan::test
