#include "airan/phy/flat_mimo_channel.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace airan::phy;

TEST(FlatMimoChannel, RandomUnitaryHasOrthonormalColumns) {
  for (unsigned rx : {1U, 2U, 4U, 8U}) {
    for (unsigned ports = 1; ports <= rx && ports <= 4; ++ports) {
      const auto h = FlatMimoChannel::random_unitary(rx, ports, 42 + rx * 10 + ports);
      for (unsigned p = 0; p < ports; ++p) {
        for (unsigned q = 0; q < ports; ++q) {
          cf32 dot(0.0F, 0.0F);
          for (unsigned r = 0; r < rx; ++r) {
            dot += std::conj(h.gain(r, p)) * h.gain(r, q);
          }
          EXPECT_NEAR(std::abs(dot), p == q ? 1.0F : 0.0F, 1e-5F) << rx << "x" << ports;
        }
      }
    }
  }
  EXPECT_THROW(FlatMimoChannel::random_unitary(1, 2, 0), std::invalid_argument);
}

TEST(FlatMimoChannel, AppliesTheMatrixAndNoiseOfTheRequestedVariance) {
  const FlatMimoChannel channel(2, 1, {cf32(0.5F, 0.0F), cf32(0.0F, -2.0F)});
  ResourceGrid tx(1, 14, 1200);
  for (auto& x : tx.elements()) {
    x = cf32(1.0F, 1.0F);
  }
  ResourceGrid rx(2, 14, 1200);
  std::mt19937_64 rng(1);
  channel.apply(tx, 0.0F, rng, rx);
  EXPECT_EQ(rx.at(0, 3, 7), cf32(0.5F, 0.5F));
  EXPECT_EQ(rx.at(1, 3, 7), cf32(2.0F, -2.0F));

  channel.apply(tx, 0.25F, rng, rx);
  double power = 0.0;
  for (unsigned l = 0; l < 14; ++l) {
    for (unsigned k = 0; k < 1200; ++k) {
      power += std::norm(rx.at(0, l, k) - cf32(0.5F, 0.5F));
    }
  }
  EXPECT_NEAR(power / (14 * 1200), 0.25, 0.01);
  EXPECT_THROW(channel.apply(tx, 0.0F, rng, tx), std::invalid_argument);
  EXPECT_THROW(channel.apply(tx, -1.0F, rng, rx), std::invalid_argument);
}

// Rayleigh entries are CN(0, 1) from AwgnGenerator: unit power, and independent of the standard
// library's distributions (std::normal_distribution's differ between libstdc++ and libc++), so
// the matrix of a seed is pinned here (to 1e-6: libm's log/cos/sin may round apart).
TEST(FlatMimoChannel, RayleighEntriesAreUnitPowerAndTheSameEverywhere) {
  const auto h = FlatMimoChannel::rayleigh(64, 64, 5);
  double power = 0.0;
  for (unsigned r = 0; r < 64; ++r) {
    for (unsigned p = 0; p < 64; ++p) {
      power += std::norm(h.gain(r, p));
    }
  }
  EXPECT_NEAR(power / (64 * 64), 1.0, 0.05);
  EXPECT_NEAR(FlatMimoChannel::rayleigh(1, 1, 7).gain(0, 0).real(), 0.583012, 1e-6);
  EXPECT_NEAR(FlatMimoChannel::rayleigh(1, 1, 7).gain(0, 0).imag(), -0.126290, 1e-6);
}

} // namespace
