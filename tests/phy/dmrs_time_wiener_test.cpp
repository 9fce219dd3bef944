/// \file
/// \brief Wiener time interpolation of the DMRS channel estimator: the Doppler fit, the weights'
/// limits (averaging a static channel, extrapolating a fast one, passing a CFO rotation), and the
/// estimate's error against the true channel on TDL channels slow and fast.

#include "../../phy/src/dmrs_time_wiener.h"

#include "airan/phy/dmrs_channel_estimator.h"

#include "../support/estimation_error.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <complex>
#include <iostream>
#include <numbers>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using detail::doppler_from_time_correlation;
using detail::time_wiener_weights;
using detail::TimeWienerWeights;

/// Symbol centres of a 30 kHz slot, approximately (35.7 us apart), and occasions at 2 and 11.
std::array<double, max_symbols_per_slot> symbol_times() {
  std::array<double, max_symbols_per_slot> t{};
  for (unsigned l = 0; l < max_symbols_per_slot; ++l) {
    t[l] = (l + 0.5) * 0.5e-3 / 14.0;
  }
  return t;
}

TEST(DmrsTimeWiener, DopplerFitInvertsJakesCorrelation) {
  const double dt = 0.32e-3;
  for (const double doppler : {5.0, 100.0, 400.0, 1000.0}) {
    const double rho = std::cyl_bessel_j(0.0, 2.0 * std::numbers::pi * doppler * dt);
    EXPECT_NEAR(doppler_from_time_correlation(rho, dt), doppler, 1e-9 * doppler) << doppler;
  }
  EXPECT_EQ(doppler_from_time_correlation(1.0, dt), 0.0);
  EXPECT_EQ(doppler_from_time_correlation(1.3, dt), 0.0);
  const double first_zero = 2.404825557695773 / (2.0 * std::numbers::pi * dt);
  EXPECT_NEAR(doppler_from_time_correlation(0.0, dt), first_zero, 1e-9);
  EXPECT_NEAR(doppler_from_time_correlation(-0.2, dt), first_zero, 1e-9);
}

TEST(DmrsTimeWiener, WeightsAverageSlowAndExtrapolateFastChannels) {
  const auto t = symbol_times();
  const std::array<double, 2> occasions{t[2], t[11]};
  TimeWienerWeights w;
  // A static channel in much noise: every symbol the mean of the two occasions.
  time_wiener_weights(occasions, t, 0, 14, 0.0, 0.0, 1.0, w);
  for (unsigned l = 0; l < 14; ++l) {
    EXPECT_NEAR(w.weights[l][0].real(), 0.5F, 1e-4F) << l;
    EXPECT_NEAR(w.weights[l][1].real(), 0.5F, 1e-4F) << l;
  }
  // Noise at or above the pilots' power (channel power clamped to 0: noise ratio ~1e28) is the
  // same average, not weights of ~1e-29 (an estimate of zero); one occasion is taken whole.
  time_wiener_weights(occasions, t, 0, 14, 100.0, 0.0, 1e28, w);
  for (unsigned l = 0; l < 14; ++l) {
    EXPECT_NEAR(w.weights[l][0].real(), 0.5F, 1e-4F) << l;
    EXPECT_NEAR(w.weights[l][1].real(), 0.5F, 1e-4F) << l;
  }
  const std::array<double, 1> one{t[2]};
  time_wiener_weights(one, t, 0, 14, 100.0, 0.0, 1e28, w);
  for (unsigned l = 0; l < 14; ++l) {
    EXPECT_NEAR(w.weights[l][0].real(), 1.0F, 1e-5F) << l;
  }
  // A fast channel (400 Hz) without noise: the occasions themselves, and beyond them the trend
  // continued (the last symbol weighs the second occasion above 1), gains summing to 1.
  time_wiener_weights(occasions, t, 0, 14, 400.0, 0.0, 1e-6, w);
  EXPECT_NEAR(w.weights[2][0].real(), 1.0F, 1e-3F);
  EXPECT_NEAR(w.weights[11][1].real(), 1.0F, 1e-3F);
  EXPECT_GT(w.weights[13][1].real(), 1.05F);
  EXPECT_LT(w.weights[13][0].real(), -0.05F);
  for (unsigned l = 0; l < 14; ++l) {
    EXPECT_NEAR(w.weights[l][0].real() + w.weights[l][1].real(), 1.0F, 1e-5F) << l;
    EXPECT_NEAR(w.weights[l][0].imag(), 0.0F, 1e-6F);
  }
}

TEST(DmrsTimeWiener, ChannelRotatingAtTheCfoPassesUnchanged) {
  // Four occasions, 700 Hz CFO, 50 Hz Doppler, some noise: h e^{j 2 pi f t_o} at the occasions
  // gives h e^{j 2 pi f t_l} on every symbol.
  const auto t = symbol_times();
  const std::array<double, 4> occasions{t[2], t[5], t[8], t[11]};
  TimeWienerWeights w;
  const double cfo = 700.0;
  const std::complex<double> h(0.3, -0.8);
  for (const double noise_ratio : {0.1, 1e28}) { // 1e28: channel power clamped to 0
    time_wiener_weights(occasions, t, 0, 14, 50.0, cfo, noise_ratio, w);
    for (unsigned l = 0; l < 14; ++l) {
      std::complex<double> got = 0.0;
      for (unsigned o = 0; o < 4; ++o) {
        got += std::complex<double>(w.weights[l][o]) * h *
               std::polar(1.0, 2.0 * std::numbers::pi * cfo * occasions[o]);
      }
      const std::complex<double> want = h * std::polar(1.0, 2.0 * std::numbers::pi * cfo * t[l]);
      EXPECT_NEAR(std::abs(got - want), 0.0, 1e-5) << l << " noise ratio " << noise_ratio;
    }
  }
}

/// Channel-estimate error (dB) of linear and of Wiener time interpolation (MMSE in frequency
/// for both) over \p slots realisations: 106 PRB (estimation_error.h's link).
std::array<double, 2> time_errors_db(const char* profile, double spread_s, double doppler_hz,
                                     double snr_db, unsigned slots, double cfo_hz = 0.0) {
  DmrsChannelEstimatorOptions wiener;
  wiener.time_interpolation = TimeInterpolation::wiener;
  const DmrsChannelEstimatorOptions options[] = {DmrsChannelEstimatorOptions{}, wiener};
  const airan::test::EstimationErrors errors = airan::test::estimation_errors(
      {106, profile, spread_s, doppler_hz, cfo_hz}, options, snr_db, slots);
  std::cout << profile << " " << spread_s * 1e9 << " ns, " << doppler_hz << " Hz, CFO " << cfo_hz
            << " Hz, SNR " << snr_db << " dB: linear " << errors.error_db[0] << " dB, Wiener "
            << errors.error_db[1] << " dB\n";
  return {errors.error_db[0], errors.error_db[1]};
}

TEST(DmrsTimeWiener, FollowsFastChannelsAndAveragesSlowOnes) {
  // 400 Hz: linear interpolation holds the estimate flat before symbol 2 and after 11.
  // (40 realisations: -23.6 dB linear, -26.8 dB Wiener.)
  const auto fast = time_errors_db("TDL-B", 100e-9, 400.0, 20.0, 12);
  EXPECT_LT(fast[1], fast[0] - 2.0);
  // 10 Hz at low SNR: the two occasions averaged (-20.0 against -21.8 dB).
  const auto slow = time_errors_db("TDL-A", 30e-9, 10.0, 3.5, 12);
  EXPECT_LT(slow[1], slow[0] - 1.0);
}

TEST(DmrsTimeWiener, FollowsACarrierFrequencyOffset) {
  // 500 Hz CFO on a slow channel: linear interpolation cuts the chord of the rotation and holds
  // the phase beyond the occasions (-18.3 dB at 20 dB SNR), the Wiener weights rotate (-35.9).
  const auto cfo = time_errors_db("TDL-A", 30e-9, 10.0, 20.0, 12, 500.0);
  EXPECT_LT(cfo[1], cfo[0] - 10.0);
}

TEST(DmrsTimeWiener, BeatsHoldingAtTheLimitOfTwoOccasions) {
  // 1 kHz, where the occasions 0.32 ms apart correlate at J0(2.0) = 0.22 and the edge symbols'
  // correlation with the far occasion has passed J0's first zero: the least-squares weights
  // under the unit-gain constraint are 0.5 dB ahead of linear interpolation's hold (-13.3 dB
  // against -13.8); the MMSE weights scaled up to unit gain were 0.4 dB behind it (-12.9 dB).
  const auto limit = time_errors_db("TDL-B", 100e-9, 1000.0, 20.0, 12);
  EXPECT_LT(limit[1], limit[0] - 0.2);
}

} // namespace
