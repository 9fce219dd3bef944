/// \file
/// \brief Cyclic redundancy checks of TS 38.212 5.1 (CRC6, CRC11, CRC16, CRC24A/B/C) over unpacked
/// bits, computed with a byte-wise lookup table or, on x86-64 CPUs with PCLMULQDQ and AVX2, by
/// carry-less multiplication (crc_calculator_simd.cpp).
///
/// The parity bits p_0 .. p_{L-1} are the remainder of a(D) D^L divided by g(D), register zero at
/// the start and no final inversion. compute() returns them as an integer whose most significant
/// of the L bits is p_0.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/types.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy {

/// The generator polynomials of TS 38.212 5.1.
enum class CrcPolynomial { crc6, crc11, crc16, crc24a, crc24b, crc24c };

/// Number of parity bits L of \p polynomial.
constexpr unsigned crc_length(CrcPolynomial polynomial) {
  switch (polynomial) {
  case CrcPolynomial::crc6:
    return 6;
  case CrcPolynomial::crc11:
    return 11;
  case CrcPolynomial::crc16:
    return 16;
  default:
    return 24;
  }
}

/// Coefficients of g(D) below D^L, bit i = coefficient of D^i (the D^L term is implied).
constexpr std::uint32_t crc_generator_bits(CrcPolynomial polynomial) {
  switch (polynomial) {
  case CrcPolynomial::crc6:
    return 0x21; // D^6 + D^5 + 1
  case CrcPolynomial::crc11:
    return 0x621; // D^11 + D^10 + D^9 + D^5 + 1
  case CrcPolynomial::crc16:
    return 0x1021; // D^16 + D^12 + D^5 + 1
  case CrcPolynomial::crc24a:
    return 0x864CFB; // D^24 + D^23 + D^18 + D^17 + D^14 + D^11 + D^10 + D^7 + D^6 + D^5 + ...
  case CrcPolynomial::crc24b:
    return 0x800063; // D^24 + D^23 + D^6 + D^5 + D + 1
  case CrcPolynomial::crc24c:
    return 0xB2B117; // D^24 + D^23 + D^21 + D^20 + D^17 + D^15 + D^13 + D^12 + D^8 + D^4 + ...
  }
  return 0;
}

/// Lookup table of a CRC register kept left-aligned in 32 bits: entry v is the register after
/// shifting the byte v (placed in the top 8 bits) through the divider.
using CrcTable = std::array<std::uint32_t, 256>;

/// Four tables for 32 message bits per step ("slicing by 4"), stored one after another: table k
/// (entries 256 k .. 256 k + 255) is the effect of a byte followed by k zero bytes; table 0 is
/// the plain byte table.
using CrcSliceTables = std::array<std::uint32_t, 4 * 256>;

/// Builds the byte table of a polynomial given as generator bits left-aligned in 32 bits.
constexpr CrcTable make_crc_table(std::uint32_t aligned_generator) {
  CrcTable table{};
  for (std::uint32_t value = 0; value < 256; ++value) {
    std::uint32_t reg = value << 24;
    for (int step = 0; step < 8; ++step) {
      reg = (reg & 0x80000000u) != 0 ? (reg << 1) ^ aligned_generator : reg << 1;
    }
    table[value] = reg;
  }
  return table;
}

/// Builds the four slicing tables of a polynomial given as left-aligned generator bits.
constexpr CrcSliceTables make_crc_slice_tables(std::uint32_t aligned_generator) {
  CrcSliceTables tables{};
  const CrcTable byte_table = make_crc_table(aligned_generator);
  for (std::size_t value = 0; value < 256; ++value) {
    tables[value] = byte_table[value];
  }
  for (std::size_t k = 1; k < 4; ++k) {
    for (std::size_t value = 0; value < 256; ++value) {
      const std::uint32_t previous = tables[(k - 1) * 256 + value];
      tables[k * 256 + value] = (previous << 8) ^ byte_table[previous >> 24];
    }
  }
  return tables;
}

/// Feeds one message bit (0 or 1) into a left-aligned register.
AIRAN_HOST_DEVICE inline std::uint32_t crc_shift_bit(std::uint32_t reg, std::uint32_t bit,
                                                     std::uint32_t aligned_generator) {
  reg ^= bit << 31;
  return (reg & 0x80000000u) != 0 ? (reg << 1) ^ aligned_generator : reg << 1;
}

/// Feeds eight message bits, first bit in the most significant position of \p byte, using the
/// byte table (256 entries).
AIRAN_HOST_DEVICE inline std::uint32_t crc_shift_byte(std::uint32_t reg, std::uint32_t byte,
                                                      const std::uint32_t* table) {
  return (reg << 8) ^ table[(reg >> 24) ^ byte];
}

/// Feeds 32 message bits, first bit in the most significant position of \p word, using the
/// four slicing tables stored one after another (4 x 256 entries).
AIRAN_HOST_DEVICE inline std::uint32_t crc_shift_word(std::uint32_t reg, std::uint32_t word,
                                                      const std::uint32_t* tables) {
  reg ^= word;
  return tables[3 * 256 + (reg >> 24)] ^ tables[2 * 256 + ((reg >> 16) & 0xFFu)] ^
         tables[256 + ((reg >> 8) & 0xFFu)] ^ tables[reg & 0xFFu];
}

/// Packs eight unpacked bits (bytes 0/1, only bit 0 of each byte is used) into one byte, the
/// first bit in the most significant position.
AIRAN_HOST_DEVICE inline std::uint32_t pack_eight_bits(const bit_t* bits) {
  std::uint64_t word = 0;
  for (int i = 0; i < 8; ++i) {
    word |= static_cast<std::uint64_t>(bits[i]) << (8 * i);
  }
  // Byte i holds bit i; the multiplication moves bit 0 of byte i to bit 63 - i without carries.
  return static_cast<std::uint32_t>(((word & 0x0101010101010101ull) * 0x8040201008040201ull) >> 56);
}

/// Packs 32 unpacked bits into a word, the first bit in the most significant position.
AIRAN_HOST_DEVICE inline std::uint32_t pack_32_bits(const bit_t* bits) {
  return (pack_eight_bits(bits) << 24) | (pack_eight_bits(bits + 8) << 16) |
         (pack_eight_bits(bits + 16) << 8) | pack_eight_bits(bits + 24);
}

/// Register contribution of a message bit set to 1 that is followed by \p previous's bit count
/// plus one more bit: feeds one zero bit into \p previous (the contribution of the bit one place
/// later). CRCs are linear, so the register of a message is the XOR of the contributions of its
/// set bits; the contribution of the last bit is crc_shift_bit(0, 1, generator).
AIRAN_HOST_DEVICE inline std::uint32_t
crc_earlier_bit_contribution(std::uint32_t previous, std::uint32_t aligned_generator) {
  return crc_shift_bit(previous, 0, aligned_generator);
}

/// The CPU implementations of CrcCalculator::compute; all give the same parity bits.
enum class CrcImplementation {
  automatic, ///< The fastest one that this CPU runs: clmul where available, else table.
  table,     ///< Portable: 32 bits per step through the slicing tables (crc_shift_word()).
  clmul,     ///< x86-64 with PCLMULQDQ and AVX2: bits packed by byte movemasks, 128-bit blocks
             ///< folded by carry-less multiplication, four blocks in flight.
};

/// Number of fold multipliers a CrcCalculator keeps: x^n mod x^32 + aligned generator for
/// n = 128, 192, 256, ..., 576 (entry i holds n = 128 + 64 i).
inline constexpr std::size_t crc_fold_multiplier_count = 8;

/// x^\p exponent modulo x^32 + \p aligned_generator (the polynomial shifted to degree 32), as
/// register bits: bit i is the coefficient of x^i.
constexpr std::uint32_t crc_x_power_mod(unsigned exponent, std::uint32_t aligned_generator) {
  std::uint32_t remainder = 1;
  for (unsigned i = 0; i < exponent; ++i) {
    remainder =
        (remainder & 0x80000000u) != 0 ? (remainder << 1) ^ aligned_generator : remainder << 1;
  }
  return remainder;
}

/// CRC of one polynomial over unpacked bits.
class CrcCalculator {
public:
  explicit CrcCalculator(CrcPolynomial polynomial);

  [[nodiscard]] CrcPolynomial polynomial() const { return polynomial_; }
  /// L, the number of parity bits.
  [[nodiscard]] unsigned length() const { return length_; }

  /// Parity bits of \p bits as an L-bit integer, p_0 in the most significant bit.
  [[nodiscard]] std::uint32_t compute(std::span<const bit_t> bits) const;
  /// compute(\p bits) with an explicit implementation, for tests and benchmarks.
  /// \throws std::invalid_argument when this CPU or build cannot run \p implementation.
  [[nodiscard]] std::uint32_t compute(std::span<const bit_t> bits,
                                      CrcImplementation implementation) const;
  /// True when this CPU and build run \p implementation (automatic and table always do).
  [[nodiscard]] static bool implementation_available(CrcImplementation implementation);

  /// Writes the L parity bits of \p bits to \p parity (size L), p_0 first.
  /// \throws std::invalid_argument when \p parity does not hold L bits.
  void compute_bits(std::span<const bit_t> bits, std::span<bit_t> parity) const;

  /// Attaches the CRC in place: \p block holds the message followed by L places for the parity
  /// bits, which are overwritten. \throws std::invalid_argument when block is shorter than L.
  void attach(std::span<bit_t> block) const;

  /// Left-aligned register contribution of a set bit followed by p bits, for p = 0 ..
  /// \p max_bits - 1: the register of any message of up to max_bits bits is the XOR of
  /// contributions[n - 1 - i] over its set bits i (n bits), so threads can each take some bits.
  [[nodiscard]] std::vector<std::uint32_t> bit_contributions(unsigned max_bits) const;
  /// True when \p block_with_crc (message then its L parity bits) has a correct CRC.
  [[nodiscard]] bool check(std::span<const bit_t> block_with_crc) const;

private:
  CrcPolynomial polynomial_;
  unsigned length_;
  std::uint32_t aligned_generator_;
  CrcSliceTables tables_;
  /// x^(128 + 64 i) mod x^32 + aligned generator, i = 0 .. 7 (the clmul implementation's).
  std::array<std::uint32_t, crc_fold_multiplier_count> fold_multipliers_;
};

} // namespace airan::phy
