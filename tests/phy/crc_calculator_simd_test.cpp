// Every CrcCalculator implementation (the slicing table, carry-less multiplication where the CPU
// has PCLMULQDQ and AVX2, and the automatic choice) gives the parity bits of a plain bit-by-bit
// register (crc_shift_bit() with the aligned generator) for every polynomial, every length
// 0..300 and random lengths up to 20000, random bit patterns in bytes whose bits 1..7 are random
// too (only bit 0 counts) and data that starts at any offset from an aligned address. The
// carry-less tests are skipped on a CPU without PCLMULQDQ and AVX2.
#include "airan/phy/crc_calculator.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::all_polynomials;

/// The parity bits of \p bits one bit per step, bit 0 of each byte.
std::uint32_t bit_by_bit_parity(CrcPolynomial polynomial, std::span<const bit_t> bits) {
  const unsigned length = crc_length(polynomial);
  const std::uint32_t aligned_generator = crc_generator_bits(polynomial) << (32 - length);
  std::uint32_t reg = 0;
  for (const bit_t bit : bits) {
    reg = crc_shift_bit(reg, bit & 1u, aligned_generator);
  }
  return reg >> (32 - length);
}

/// \p count random bytes: bit 0 the message bit, bits 1..7 random noise that must not count.
std::vector<bit_t> random_bytes(std::size_t count, std::mt19937& rng) {
  std::vector<bit_t> bytes(count);
  for (auto& byte : bytes) {
    byte = static_cast<bit_t>(rng());
  }
  return bytes;
}

class CrcImplementationTest : public ::testing::TestWithParam<CrcImplementation> {
protected:
  void SetUp() override {
    if (!CrcCalculator::implementation_available(GetParam())) {
      GTEST_SKIP() << "this CPU or build cannot run the implementation";
    }
  }
};

TEST_P(CrcImplementationTest, EveryLengthUpTo300MatchesTheBitByBitRegister) {
  std::mt19937 rng(17);
  for (const auto polynomial : all_polynomials) {
    const CrcCalculator crc(polynomial);
    for (std::size_t length = 0; length <= 300; ++length) {
      const auto bits = random_bytes(length, rng);
      ASSERT_EQ(crc.compute(bits, GetParam()), bit_by_bit_parity(polynomial, bits))
          << "L=" << crc.length() << " length " << length;
    }
  }
}

TEST_P(CrcImplementationTest, RandomLengthsUpTo20000MatchTheBitByBitRegister) {
  std::mt19937 rng(23);
  std::uniform_int_distribution<std::size_t> length_distribution(0, 20000);
  for (const auto polynomial : all_polynomials) {
    const CrcCalculator crc(polynomial);
    std::vector<std::size_t> lengths = {511, 512, 513, 639, 640, 641, 1023, 1024, 8448, 8472};
    for (int i = 0; i < 100; ++i) {
      lengths.push_back(length_distribution(rng));
    }
    for (const std::size_t length : lengths) {
      const auto bits = random_bytes(length, rng);
      ASSERT_EQ(crc.compute(bits, GetParam()), bit_by_bit_parity(polynomial, bits))
          << "L=" << crc.length() << " length " << length;
    }
  }
}

TEST_P(CrcImplementationTest, AnyStartOffsetAndUniformPatternsMatch) {
  std::mt19937 rng(29);
  const auto buffer = random_bytes(4096 + 64, rng);
  for (const auto polynomial : all_polynomials) {
    const CrcCalculator crc(polynomial);
    for (std::size_t offset = 0; offset < 64; ++offset) {
      const auto bits = std::span<const bit_t>(buffer).subspan(offset, 4096 - offset % 7);
      ASSERT_EQ(crc.compute(bits, GetParam()), bit_by_bit_parity(polynomial, bits))
          << "L=" << crc.length() << " offset " << offset;
    }
    for (const bit_t value : {bit_t{0}, bit_t{1}, bit_t{0xFE}, bit_t{0xFF}}) {
      const std::vector<bit_t> bits(2000, value);
      EXPECT_EQ(crc.compute(bits, GetParam()), bit_by_bit_parity(polynomial, bits))
          << "L=" << crc.length() << " bytes " << int{value};
    }
  }
}

TEST_P(CrcImplementationTest, ABlockWithItsParityGivesZeroAndEverySingleBitErrorDoesNot) {
  std::mt19937 rng(31);
  const CrcCalculator crc(CrcPolynomial::crc24b);
  auto block = random_bytes(1000 + crc.length(), rng);
  const std::uint32_t parity = crc.compute(std::span(block).first(1000), GetParam());
  for (unsigned i = 0; i < crc.length(); ++i) {
    block[1000 + i] = static_cast<bit_t>((parity >> (crc.length() - 1 - i)) & 1u);
  }
  EXPECT_EQ(crc.compute(block, GetParam()), 0u);
  for (std::size_t i = 0; i < block.size(); ++i) {
    block[i] ^= 1;
    EXPECT_NE(crc.compute(block, GetParam()), 0u) << "flip at " << i;
    block[i] ^= 1;
  }
}

INSTANTIATE_TEST_SUITE_P(AllImplementations, CrcImplementationTest,
                         ::testing::Values(CrcImplementation::table, CrcImplementation::clmul,
                                           CrcImplementation::automatic),
                         [](const ::testing::TestParamInfo<CrcImplementation>& info) {
                           switch (info.param) {
                           case CrcImplementation::table:
                             return "table";
                           case CrcImplementation::clmul:
                             return "clmul";
                           default:
                             return "automatic";
                           }
                         });

// The reference itself: published check values of "123456789" (CRC-16/XMODEM, CRC-24/LTE-A).
TEST(CrcBitByBitReference, GivesPublishedCheckValues) {
  std::vector<bit_t> message;
  for (const unsigned char c : std::string_view("123456789")) {
    for (int i = 7; i >= 0; --i) {
      message.push_back(static_cast<bit_t>((c >> i) & 1));
    }
  }
  EXPECT_EQ(bit_by_bit_parity(CrcPolynomial::crc16, message), 0x31C3u);
  EXPECT_EQ(bit_by_bit_parity(CrcPolynomial::crc24a, message), 0xCDE703u);
}

TEST(CrcImplementation, AutomaticAndTableAreAlwaysAvailable) {
  EXPECT_TRUE(CrcCalculator::implementation_available(CrcImplementation::automatic));
  EXPECT_TRUE(CrcCalculator::implementation_available(CrcImplementation::table));
#if defined(__x86_64__)
  EXPECT_EQ(CrcCalculator::implementation_available(CrcImplementation::clmul),
            __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("avx2"));
#endif
  if (!CrcCalculator::implementation_available(CrcImplementation::clmul)) {
    const CrcCalculator crc(CrcPolynomial::crc24a);
    EXPECT_THROW((void)crc.compute(std::vector<bit_t>(8), CrcImplementation::clmul),
                 std::invalid_argument);
  }
}

TEST(CrcImplementation, FoldMultipliersArePowersOfXModuloTheGenerator) {
  const std::uint32_t aligned_generator = crc_generator_bits(CrcPolynomial::crc24a) << 8;
  EXPECT_EQ(crc_x_power_mod(0, aligned_generator), 1u);
  EXPECT_EQ(crc_x_power_mod(31, aligned_generator), 0x80000000u);
  EXPECT_EQ(crc_x_power_mod(32, aligned_generator), aligned_generator);
  // x^n mod P' is the register after a set bit followed by n - 32 zero bits.
  std::vector<bit_t> message(128 + 64 * 3 - 32 + 1, 0);
  message[0] = 1;
  const CrcCalculator crc(CrcPolynomial::crc24a);
  EXPECT_EQ(crc_x_power_mod(128 + 64 * 3, aligned_generator) >> 8,
            crc.compute(message, CrcImplementation::table));
}

} // namespace
