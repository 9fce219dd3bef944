/// \file
/// \brief Basic value types shared by every PHY stage.
#pragma once

#include <complex>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy {

/// Complex baseband sample or resource element, single precision.
using cf32 = std::complex<float>;

/// Bits are stored unpacked, one bit (0 or 1) per byte, in transmission order (TS 38.212 order).
using bit_t = std::uint8_t;
using BitVector = std::vector<bit_t>;

} // namespace airan::phy
