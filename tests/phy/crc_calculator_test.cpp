// CRC calculator: published check values, a bit-by-bit long-division reference, attach/check.
#include "airan/phy/crc_calculator.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

using namespace airan::phy;

namespace {

using airan::test::all_polynomials;

/// Full generator polynomial coefficients, highest degree first, from TS 38.212 5.1.
std::vector<int> generator_coefficients(CrcPolynomial polynomial) {
  auto from_degrees = [](unsigned length, std::initializer_list<unsigned> degrees) {
    std::vector<int> g(length + 1, 0);
    for (unsigned degree : degrees) {
      g[length - degree] = 1;
    }
    return g;
  };
  switch (polynomial) {
  case CrcPolynomial::crc6:
    return from_degrees(6, {6, 5, 0});
  case CrcPolynomial::crc11:
    return from_degrees(11, {11, 10, 9, 5, 0});
  case CrcPolynomial::crc16:
    return from_degrees(16, {16, 12, 5, 0});
  case CrcPolynomial::crc24a:
    return from_degrees(24, {24, 23, 18, 17, 14, 11, 10, 7, 6, 5, 4, 3, 1, 0});
  case CrcPolynomial::crc24b:
    return from_degrees(24, {24, 23, 6, 5, 1, 0});
  case CrcPolynomial::crc24c:
    return from_degrees(24, {24, 23, 21, 20, 17, 15, 13, 12, 8, 4, 2, 1, 0});
  }
  return {};
}

/// Remainder of a(D) D^L / g(D) by schoolbook long division.
BitVector reference_parity(const BitVector& message, CrcPolynomial polynomial) {
  const auto g = generator_coefficients(polynomial);
  const std::size_t length = g.size() - 1;
  BitVector dividend = message;
  dividend.resize(message.size() + length, 0);
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (dividend[i] != 0) {
      for (std::size_t j = 0; j < g.size(); ++j) {
        dividend[i + j] ^= static_cast<bit_t>(g[j]);
      }
    }
  }
  return BitVector(dividend.end() - static_cast<std::ptrdiff_t>(length), dividend.end());
}

BitVector ascii_bits(const std::string& text) {
  BitVector bits;
  for (unsigned char c : text) {
    for (int i = 7; i >= 0; --i) {
      bits.push_back(static_cast<bit_t>((c >> i) & 1));
    }
  }
  return bits;
}

TEST(CrcCalculator, LengthsAndGenerators) {
  EXPECT_EQ(crc_length(CrcPolynomial::crc6), 6u);
  EXPECT_EQ(crc_length(CrcPolynomial::crc11), 11u);
  EXPECT_EQ(crc_length(CrcPolynomial::crc16), 16u);
  for (auto p : {CrcPolynomial::crc24a, CrcPolynomial::crc24b, CrcPolynomial::crc24c}) {
    EXPECT_EQ(crc_length(p), 24u);
  }
}

// Check values of "123456789" from the CRC catalogue: CRC-16/XMODEM (0x1021), CRC-24/LTE-A
// (0x864CFB) and CRC-24/LTE-B (0x800063), all with a zero register and no final XOR.
TEST(CrcCalculator, PublishedCheckValues) {
  const BitVector message = ascii_bits("123456789");
  EXPECT_EQ(CrcCalculator(CrcPolynomial::crc16).compute(message), 0x31C3u);
  EXPECT_EQ(CrcCalculator(CrcPolynomial::crc24a).compute(message), 0xCDE703u);
  EXPECT_EQ(CrcCalculator(CrcPolynomial::crc24b).compute(message), 0x23EF52u);
}

// Every length 0..300 (whole bytes and leftover bits) against long division.
TEST(CrcCalculator, MatchesLongDivisionForAllLengths) {
  std::mt19937 rng(5);
  for (auto polynomial : all_polynomials) {
    const CrcCalculator crc(polynomial);
    for (std::size_t length = 0; length <= 300; ++length) {
      BitVector message(length);
      for (auto& bit : message) {
        bit = static_cast<bit_t>(rng() & 1u);
      }
      BitVector parity(crc.length());
      crc.compute_bits(message, parity);
      ASSERT_EQ(parity, reference_parity(message, polynomial))
          << "polynomial L=" << crc.length() << " length " << length;
    }
  }
}

TEST(CrcCalculator, AttachThenCheckDetectsEverySingleBitError) {
  std::mt19937 rng(11);
  for (auto polynomial : all_polynomials) {
    const CrcCalculator crc(polynomial);
    BitVector block(157 + crc.length());
    for (auto& bit : block) {
      bit = static_cast<bit_t>(rng() & 1u);
    }
    crc.attach(block);
    EXPECT_TRUE(crc.check(block));
    for (std::size_t i = 0; i < block.size(); ++i) {
      block[i] ^= 1;
      EXPECT_FALSE(crc.check(block)) << "flip at " << i;
      block[i] ^= 1;
    }
  }
}

TEST(CrcCalculator, ZeroMessageHasZeroParityAndShortBlocksFail) {
  const CrcCalculator crc(CrcPolynomial::crc24a);
  EXPECT_EQ(crc.compute(BitVector(1000, 0)), 0u);
  EXPECT_FALSE(crc.check(BitVector(10, 0))); // shorter than L
  BitVector too_short(10);
  EXPECT_THROW(crc.attach(too_short), std::invalid_argument);
  BitVector wrong_size(23);
  EXPECT_THROW(crc.compute_bits(BitVector(8, 1), wrong_size), std::invalid_argument);
}

TEST(CrcCalculator, BitContributionsXorToTheRegisterOfEveryMessage) {
  std::mt19937 rng(3);
  for (const auto polynomial :
       {CrcPolynomial::crc16, CrcPolynomial::crc24a, CrcPolynomial::crc24b, CrcPolynomial::crc6}) {
    const CrcCalculator crc(polynomial);
    const auto contributions = crc.bit_contributions(8448);
    for (const unsigned length : {1u, 24u, 77u, 1000u, 8448u}) {
      BitVector bits(length);
      for (auto& bit : bits) {
        bit = static_cast<bit_t>(rng() & 1u);
      }
      std::uint32_t reg = 0;
      for (unsigned i = 0; i < length; ++i) {
        reg ^= bits[i] != 0 ? contributions[length - 1 - i] : 0u;
      }
      EXPECT_EQ(reg >> (32 - crc.length()), crc.compute(bits)) << length;
      if (length > crc.length()) {
        crc.attach(bits);
        reg = 0;
        for (unsigned i = 0; i < length; ++i) {
          reg ^= bits[i] != 0 ? contributions[length - 1 - i] : 0u;
        }
        EXPECT_EQ(reg, 0u) << "a block with its CRC XORs to zero";
      }
    }
  }
}

TEST(CrcCalculator, PackEightBitsPutsTheFirstBitFirst) {
  const bit_t bits[8] = {1, 0, 0, 0, 0, 0, 1, 1};
  EXPECT_EQ(pack_eight_bits(bits), 0x83u);
}

} // namespace
