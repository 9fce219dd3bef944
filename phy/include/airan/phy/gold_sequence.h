/// \file
/// \brief Length-31 Gold pseudo-random sequence c(n) of TS 38.211 5.2.1.
#pragma once

#include "airan/phy/types.h"

#include <cstdint>
#include <span>

namespace airan::phy {

/// Stateful generator of c(n): create with an initialisation, then draw bits in chunks.
class GoldSequenceGenerator {
public:
  /// \param c_init Initialisation of the second m-sequence x2 (31 bits are used).
  /// \param offset Index of the first bit that generate() returns.
  explicit GoldSequenceGenerator(std::uint32_t c_init, std::uint32_t offset = 0);

  /// Writes the next \c out.size() bits of c(n), one bit per byte.
  void generate(std::span<bit_t> out);

  /// XORs the next \c bits.size() bits of c(n) into \p bits.
  void apply(std::span<bit_t> bits);

  /// Skips the next \p steps bits of c(n).
  void advance(std::uint64_t steps);

  /// The next 24 bits of c(n) in bits 0..23 (bit i = c(n + i)); the generator then moves past them.
  std::uint32_t next_word24();

private:
  std::uint32_t x1_ = 1;
  std::uint32_t x2_ = 0;
};

/// Generates c(n) for n = offset .. offset + out.size() - 1, one bit per byte.
void gold_sequence(std::uint32_t c_init, std::span<bit_t> out, std::uint32_t offset = 0);

} // namespace airan::phy
