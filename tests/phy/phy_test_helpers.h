/// \file
/// \brief Helpers that several phy tests had each defined for themselves, defined here once: the
/// sources of phy_tests compile as unity batches, where an anonymous namespace is shared by the
/// whole batch and two definitions of one helper would clash.
#pragma once

#include "airan/phy/crc_calculator.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"

#include <cmath>
#include <cstddef>
#include <numbers>
#include <random>

namespace airan::test {

/// 2 pi (the CDL and TDL channel tests).
inline constexpr double two_pi = 2.0 * std::numbers::pi;

/// The carrier of the CDL channel tests: 52 PRBs at 30 kHz, normal cyclic prefix.
inline phy::Numerology carrier() {
  return phy::Numerology::for_carrier(1, phy::CyclicPrefix::normal, 52);
}

/// A circularly symmetric complex Gaussian sample of \p variance.
inline phy::cf32 complex_normal(std::mt19937& rng, float variance) {
  std::normal_distribution<float> normal(0.0F, std::sqrt(variance / 2.0F));
  return {normal(rng), normal(rng)};
}

/// Every CRC polynomial of TS 38.212 5.1 (the CRC calculator tests).
inline constexpr phy::CrcPolynomial all_polynomials[] = {
    phy::CrcPolynomial::crc6,   phy::CrcPolynomial::crc11,  phy::CrcPolynomial::crc16,
    phy::CrcPolynomial::crc24a, phy::CrcPolynomial::crc24b, phy::CrcPolynomial::crc24c};

/// \p size random bits (0 or 1 each) from the 32-bit \p rng (the UL-SCH coding tests' TBs).
inline phy::BitVector random_tb_bits(std::size_t size, std::mt19937& rng) {
  phy::BitVector bits(size);
  for (auto& bit : bits) {
    bit = static_cast<phy::bit_t>(rng() & 1U);
  }
  return bits;
}

/// The cell of the PuschReceiver detector tests: 52 PRBs at 30 kHz, cell ID 5, 2 antenna ports.
inline phy::CellConfig detector_test_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 52;
  cell.numerology = 1;
  cell.n_cell_id = 5;
  cell.num_antenna_ports = 2;
  return cell;
}

} // namespace airan::test
