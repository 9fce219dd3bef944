// OFDM modulation and demodulation: placement around DC, CP, scaling, and round trip.
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/ofdm_modulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

ResourceGrid random_grid(unsigned ports, unsigned symbols, unsigned subcarriers, unsigned seed) {
  ResourceGrid grid(ports, symbols, subcarriers);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  for (auto& re : grid.elements()) {
    re = cf32(normal(rng), normal(rng));
  }
  return grid;
}

// A single subcarrier k gives a complex exponential at frequency (k - 6 N_grid) * SCS:
// sample n of the symbol (CP included) = a / sqrt(N) * exp(j 2 pi f (n - cp) / N).
TEST(OfdmModulator, SubcarrierPlacementAroundDc) {
  const Numerology numerology(1, CyclicPrefix::normal, 256);
  OfdmModulator modulator(numerology, 10); // 120 subcarriers, DC at k = 60
  std::vector<cf32> subcarriers(120);
  for (int offset : {0, 1, -1, 59, -60}) {
    std::fill(subcarriers.begin(), subcarriers.end(), cf32(0.0F, 0.0F));
    const int k = 60 + offset; // never negative: offset >= -60
    subcarriers[static_cast<std::size_t>(k)] = cf32(0.0F, 2.0F);
    std::vector<cf32> out(numerology.symbol_length(0, 1));
    modulator.modulate_symbol(subcarriers, 0, 1, out);
    const unsigned cp = numerology.cp_length(0, 1);
    for (std::size_t n = 0; n < out.size(); ++n) {
      const double phase = 2.0 * std::numbers::pi * offset * (static_cast<double>(n) - cp) / 256.0;
      const std::complex<double> expected =
          std::complex<double>(0.0, 2.0) / 16.0 * std::polar(1.0, phase);
      ASSERT_NEAR(std::abs(std::complex<double>(out[n]) - expected), 0.0, 1e-6)
          << "offset " << offset << " n " << n;
    }
  }
}

TEST(OfdmModulator, CyclicPrefixCopiesTheSymbolEnd) {
  const Numerology numerology(0, CyclicPrefix::normal, 512);
  OfdmModulator modulator(numerology, 25);
  const ResourceGrid grid = random_grid(1, 14, 300, 1);
  std::vector<cf32> slot(numerology.slot_length(0));
  modulator.modulate_slot(grid, 0, 0, slot);
  std::size_t start = 0;
  for (unsigned l = 0; l < 14; ++l) {
    const unsigned cp = numerology.cp_length(0, l);
    for (unsigned i = 0; i < cp; ++i) {
      ASSERT_EQ(slot[start + i], slot[start + 512 + i]) << "symbol " << l;
    }
    start += numerology.symbol_length(0, l);
  }
  EXPECT_EQ(start, slot.size());
  EXPECT_EQ(numerology.cp_length(0, 0), 40u); // 512: 36 + 4 on symbols 0 and 7
  EXPECT_EQ(numerology.cp_length(0, 7), 40u);
}

// Parseval with the 1/sqrt(N) scaling: symbol energy (without CP) equals the RE energy.
TEST(OfdmModulator, EnergyIsPreserved) {
  const Numerology numerology(1, CyclicPrefix::normal, 4096);
  OfdmModulator modulator(numerology, 273);
  const ResourceGrid grid = random_grid(1, 14, 3276, 2);
  std::vector<cf32> out(numerology.symbol_length(0, 3));
  modulator.modulate_symbol(grid.symbol(0, 3), 0, 3, out);
  double re_energy = 0.0;
  for (const auto& re : grid.symbol(0, 3)) {
    re_energy += std::norm(re);
  }
  double sample_energy = 0.0;
  for (std::size_t n = numerology.cp_length(0, 3); n < out.size(); ++n) {
    sample_energy += std::norm(out[n]);
  }
  EXPECT_NEAR(sample_energy / re_energy, 1.0, 1e-4);
}

TEST(OfdmModulator, RoundTripThroughDemodulator) {
  for (unsigned mu : {0u, 1u}) {
    const Numerology numerology(mu, CyclicPrefix::normal, 4096);
    OfdmModulator modulator(numerology, 273);
    OfdmDemodulator demodulator(numerology, 273);
    for (unsigned slot : {0u, 1u, 3u}) {
      const ResourceGrid grid = random_grid(2, 14, 3276, 10 * mu + slot);
      ResourceGrid back(2, 14, 3276);
      std::vector<cf32> samples(numerology.slot_length(slot));
      float worst = 0.0F;
      for (unsigned port = 0; port < 2; ++port) {
        modulator.modulate_slot(grid, port, slot, samples);
        demodulator.demodulate_slot(samples, slot, back, port);
      }
      for (std::size_t i = 0; i < grid.size(); ++i) {
        worst = std::max(worst, std::abs(grid.elements()[i] - back.elements()[i]));
      }
      EXPECT_LT(worst, 1e-5F) << "mu " << mu << " slot " << slot;
    }
  }
  const Numerology extended(2, CyclicPrefix::extended, 1024);
  OfdmModulator modulator(extended, 51);
  OfdmDemodulator demodulator(extended, 51);
  const ResourceGrid grid = random_grid(1, 12, 612, 99);
  ResourceGrid back(1, 12, 612);
  std::vector<cf32> samples(extended.slot_length(2));
  modulator.modulate_slot(grid, 0, 2, samples);
  demodulator.demodulate_slot(samples, 2, back, 0);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    ASSERT_LT(std::abs(grid.elements()[i] - back.elements()[i]), 1e-5F);
  }
}

TEST(OfdmModulator, RejectsMismatches) {
  const Numerology numerology(1, CyclicPrefix::normal, 256);
  EXPECT_THROW(OfdmModulator(numerology, 22), std::invalid_argument); // 264 > 256
  EXPECT_THROW(OfdmDemodulator(numerology, 22), std::invalid_argument);
  // 12 x 357913942 wraps to 8 in 32 bits, which fitted.
  EXPECT_THROW(OfdmModulator(numerology, 357913942U), std::invalid_argument);
  EXPECT_THROW(OfdmDemodulator(numerology, 357913942U), std::invalid_argument);
  EXPECT_NO_THROW(OfdmModulator(numerology, 21)); // 252 <= 256
  EXPECT_NO_THROW(OfdmDemodulator(numerology, 21));
  OfdmModulator modulator(numerology, 10);
  std::vector<cf32> subcarriers(120);
  std::vector<cf32> wrong(100);
  EXPECT_THROW(modulator.modulate_symbol(subcarriers, 0, 0, wrong), std::invalid_argument);
  const ResourceGrid grid(1, 14, 132);
  std::vector<cf32> slot(numerology.slot_length(0));
  EXPECT_THROW(modulator.modulate_slot(grid, 0, 0, slot), std::invalid_argument);
}

} // namespace
} // namespace airan::phy
