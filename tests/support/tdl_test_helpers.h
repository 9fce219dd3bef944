/// \file
/// \brief Helpers shared by the TDL channel tests.
#pragma once

#include "airan/phy/resource_grid.h"
#include "airan/phy/tdl_channel.h"

#include <random>

namespace airan::test {

/// A TdlChannelConfig of \p profile (spread \p spread_s, 0 for the fixed ones), no Doppler.
inline phy::TdlChannelConfig make_tdl_config(const char* profile, double spread_s,
                                             unsigned num_rx = 1, unsigned num_tx = 1) {
  phy::TdlChannelConfig config;
  config.profile = phy::make_tdl_profile(profile, spread_s);
  config.num_rx = num_rx;
  config.num_tx = num_tx;
  return config;
}

/// Bessel function J0 by its power series, accurate to about 1e-12 for |x| < 8.
inline double bessel_j0(double x) {
  double term = 1.0;
  double sum = 1.0;
  for (int k = 1; k < 60; ++k) {
    term *= -(x * x / 4.0) / (static_cast<double>(k) * k);
    sum += term;
  }
  return sum;
}

/// A grid of random unit-power QPSK symbols.
inline phy::ResourceGrid random_qpsk_grid(unsigned ports, unsigned symbols, unsigned subcarriers,
                                          unsigned seed) {
  phy::ResourceGrid grid(ports, symbols, subcarriers);
  std::mt19937_64 rng(seed);
  for (phy::cf32& v : grid.elements()) { // QPSK
    v = phy::cf32((rng() & 1) ? 0.70710678F : -0.70710678F,
                  (rng() & 2) ? 0.70710678F : -0.70710678F);
  }
  return grid;
}

} // namespace airan::test
