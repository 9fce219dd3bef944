// Modulation mapper (TS 38.211 5.1): spec points, unit power and Gray mapping.
#include "airan/phy/modulation_mapper.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

const Modulation qam_kinds[] = {Modulation::qpsk, Modulation::qam16, Modulation::qam64,
                                Modulation::qam256, Modulation::qam1024};

/// Every bit pattern of one symbol of \p modulation, pattern p's bit j = (p >> (qm-1-j)) & 1.
std::vector<bit_t> all_patterns(unsigned qm) {
  std::vector<bit_t> bits;
  for (unsigned p = 0; p < (1U << qm); ++p) {
    for (unsigned j = 0; j < qm; ++j) {
      bits.push_back(static_cast<bit_t>((p >> (qm - 1 - j)) & 1U));
    }
  }
  return bits;
}

cf32 map_one(std::vector<bit_t> bits, Modulation m) {
  std::vector<cf32> out(1);
  modulate(bits, m, out);
  return out[0];
}

TEST(ModulationMapper, SpecPoints) {
  const float r2 = std::sqrt(2.0F);
  EXPECT_EQ(map_one({0, 0}, Modulation::qpsk), cf32(1 / r2, 1 / r2));
  EXPECT_EQ(map_one({1, 0}, Modulation::qpsk), cf32(-1 / r2, 1 / r2));
  EXPECT_EQ(map_one({0, 1}, Modulation::qpsk), cf32(1 / r2, -1 / r2));
  const float r10 = std::sqrt(10.0F);
  // (1-2b0)[2 - (1-2b2)] + j (1-2b1)[2 - (1-2b3)]
  EXPECT_NEAR(std::abs(map_one({0, 0, 0, 0}, Modulation::qam16) - cf32(1 / r10, 1 / r10)), 0, 1e-6);
  EXPECT_NEAR(std::abs(map_one({0, 0, 1, 1}, Modulation::qam16) - cf32(3 / r10, 3 / r10)), 0, 1e-6);
  EXPECT_NEAR(std::abs(map_one({1, 0, 1, 0}, Modulation::qam16) - cf32(-3 / r10, 1 / r10)), 0,
              1e-6);
  const float r42 = std::sqrt(42.0F);
  EXPECT_NEAR(std::abs(map_one({0, 0, 0, 0, 0, 0}, Modulation::qam64) - cf32(3 / r42, 3 / r42)), 0,
              1e-6);
  EXPECT_NEAR(std::abs(map_one({0, 1, 1, 0, 1, 0}, Modulation::qam64) - cf32(7 / r42, -3 / r42)), 0,
              1e-6);
  const float r170 = std::sqrt(170.0F);
  EXPECT_NEAR(
      std::abs(map_one(std::vector<bit_t>(8, 0), Modulation::qam256) - cf32(5 / r170, 5 / r170)), 0,
      1e-6);
  EXPECT_NEAR(
      std::abs(map_one({0, 0, 1, 1, 1, 1, 1, 1}, Modulation::qam256) - cf32(15 / r170, 15 / r170)),
      0, 1e-6);
  const float r682 = std::sqrt(682.0F);
  EXPECT_NEAR(std::abs(map_one(std::vector<bit_t>(10, 0), Modulation::qam1024) -
                       cf32(11 / r682, 11 / r682)),
              0, 1e-6);
}

TEST(ModulationMapper, Pi2BpskRotatesOddSymbols) {
  const float a = 1.0F / std::sqrt(2.0F);
  std::vector<bit_t> bits = {0, 0, 1, 1};
  std::vector<cf32> out(4);
  modulate(bits, Modulation::pi2_bpsk, out);
  EXPECT_NEAR(std::abs(out[0] - cf32(a, a)), 0, 1e-6);
  EXPECT_NEAR(std::abs(out[1] - cf32(-a, a)), 0, 1e-6); // j (1 + j) / sqrt(2)
  EXPECT_NEAR(std::abs(out[2] - cf32(-a, -a)), 0, 1e-6);
  EXPECT_NEAR(std::abs(out[3] - cf32(a, -a)), 0, 1e-6);
}

TEST(ModulationMapper, UnitAveragePowerAndDistinctPoints) {
  for (Modulation m : qam_kinds) {
    const unsigned qm = bits_per_symbol(m);
    const auto bits = all_patterns(qm);
    std::vector<cf32> points(std::size_t{1} << qm);
    modulate(bits, m, points);
    double power = 0.0;
    for (const auto& p : points) {
      power += std::norm(p);
    }
    EXPECT_NEAR(power / points.size(), 1.0, 1e-6) << "Q_m " << qm;
    for (std::size_t i = 0; i < points.size(); ++i) {
      for (std::size_t j = i + 1; j < points.size(); ++j) {
        ASSERT_GT(std::abs(points[i] - points[j]), 1e-3) << "Q_m " << qm;
      }
    }
  }
}

// Gray mapping: horizontally or vertically adjacent points (distance 2 * scale) differ in exactly
// one bit, and every point has at least two such neighbours.
TEST(ModulationMapper, AdjacentPointsDifferInOneBit) {
  for (Modulation m : qam_kinds) {
    const unsigned qm = bits_per_symbol(m);
    const auto bits = all_patterns(qm);
    std::vector<cf32> points(std::size_t{1} << qm);
    modulate(bits, m, points);
    const float step = 2.0F * qam_scale(qm);
    for (unsigned a = 0; a < points.size(); ++a) {
      int neighbours = 0;
      for (unsigned b = 0; b < points.size(); ++b) {
        if (a != b && std::abs(std::abs(points[a] - points[b]) - step) < 1e-4F) {
          ++neighbours;
          EXPECT_EQ(__builtin_popcount(a ^ b), 1) << "Q_m " << qm << " points " << a << ", " << b;
        }
      }
      EXPECT_GE(neighbours, 2) << "Q_m " << qm;
    }
  }
}

// The table-driven modulate() equals the per-symbol inline formula (shared with CUDA kernels).
TEST(ModulationMapper, BulkMatchesPerSymbolFormula) {
  std::mt19937 rng(7);
  for (Modulation m : qam_kinds) {
    const unsigned qm = bits_per_symbol(m);
    std::vector<bit_t> bits(std::size_t{qm} * 1000);
    for (auto& b : bits) {
      b = static_cast<bit_t>(rng() & 1U);
    }
    std::vector<cf32> symbols(1000);
    modulate(bits, m, symbols);
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      float re = 0;
      float im = 0;
      qam_symbol(bits.data() + i * qm, qm, re, im);
      ASSERT_EQ(symbols[i], cf32(re, im)) << "Q_m " << qm << " symbol " << i;
    }
  }
}

TEST(ModulationMapper, RejectsBadSizesAndOrders) {
  std::vector<bit_t> bits(7);
  std::vector<cf32> out(2);
  EXPECT_THROW(modulate(bits, Modulation::qam16, out), std::invalid_argument);
  EXPECT_THROW(modulation_from_order(3), std::invalid_argument);
  EXPECT_EQ(modulation_from_order(8), Modulation::qam256);
}

} // namespace
} // namespace airan::phy
