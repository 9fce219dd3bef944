/// \file
/// \brief PUSCH bit scrambling (TS 38.211 6.3.1.1) with the Gold sequence of TS 38.211 5.2.1.
#pragma once

#include "airan/phy/gold_sequence.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <span>

namespace airan::phy {

/// Scrambling initialisation c_init = n_RNTI * 2^15 + n_ID (TS 38.211 6.3.1.1, one codeword).
constexpr std::uint32_t pusch_scrambling_init(std::uint16_t rnti, std::uint16_t n_id) {
  return (static_cast<std::uint32_t>(rnti) << 15) + n_id;
}

/// XORs \p bits in place with the Gold sequence initialised by \p c_init.
void scramble_bits(std::span<bit_t> bits, std::uint32_t c_init);

} // namespace airan::phy
