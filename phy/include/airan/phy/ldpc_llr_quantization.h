/// \file
/// \brief Conversion of one real LLR to the LDPC decoder's int8 input, shared by the CPU
/// (quantize_ldpc_llrs()) and the CUDA UL-SCH decoder.
#pragma once

#include "airan/phy/host_device.h"

#include <cstdint>

#if !defined(__CUDA_ARCH__)
#include <cmath>
#endif

namespace airan::phy {

/// Largest magnitude of a decoder LLR; inputs equal to -128 are treated as -127.
inline constexpr int ldpc_llr_max = 127;

/// One decoder LLR from \p scaled (a real LLR times the quantisation scale): clamped to +-127,
/// then rounded to nearest, ties to even; NaN gives 0, an erasure (it gave +127, a confident 0
/// bit that HARQ combining would keep for the later transmissions of the TB).
AIRAN_HOST_DEVICE inline std::int8_t quantize_ldpc_llr(float scaled) {
  if (scaled != scaled) {
    return 0;
  }
  constexpr auto limit = static_cast<float>(ldpc_llr_max);
  scaled = scaled < limit ? scaled : limit;
  scaled = scaled > -limit ? scaled : -limit;
#if defined(__CUDA_ARCH__)
  return static_cast<std::int8_t>(__float2int_rn(scaled));
#else
  return static_cast<std::int8_t>(std::nearbyint(scaled));
#endif
}

} // namespace airan::phy
