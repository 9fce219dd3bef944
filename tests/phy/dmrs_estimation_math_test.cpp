// The DMRS estimator math shared by the CPU estimator and the CUDA kernels
// (dmrs_estimation_math.h): difference filters, SNR bins, the adapted prior, MMSE window
// placement, the tap sum and the filter banks.
#include "airan/phy/dmrs_estimation_math.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <vector>

namespace {

using namespace airan::phy;

TEST(DmrsEstimationMath, DifferenceFiltersCancelPolynomialsAndKnowTheirEnergy) {
  for (unsigned pilots : {2U, 3U, 4U, 5U, 100U}) {
    const DifferenceFilter f = difference_filter(pilots);
    float energy = 0.0F;
    float constant = 0.0F;
    float linear = 0.0F;
    for (unsigned j = 0; j <= f.order; ++j) {
      energy += f.coefficients[j] * f.coefficients[j];
      constant += f.coefficients[j];
      linear += f.coefficients[j] * static_cast<float>(j);
    }
    EXPECT_EQ(energy, f.energy);
    EXPECT_EQ(constant, 0.0F);
    if (f.order >= 2) {
      EXPECT_EQ(linear, 0.0F);
    }
    EXPECT_EQ(f.order, pilots >= 5 ? 4U : (pilots >= 3 ? 2U : 1U));
  }
}

TEST(DmrsEstimationMath, SnrBinsCoverMinus10To50DbIn2DbSteps) {
  EXPECT_EQ(mmse_snr_bin(0.0F), 0);
  EXPECT_EQ(mmse_snr_bin(1e-6F), 0);
  EXPECT_EQ(mmse_snr_bin(1.0F), 5);    // 0 dB
  EXPECT_EQ(mmse_snr_bin(100.0F), 15); // 20 dB
  EXPECT_EQ(mmse_snr_bin(1e9F), mmse_num_snr_bins - 1);
}

TEST(DmrsEstimationMath, AdaptedPriorIsOnItsGrid) {
  EXPECT_EQ(prior_spread_exponent(DelayProfile::exponential, 0.0F), min_prior_spread_exponent);
  EXPECT_EQ(prior_spread_exponent(DelayProfile::uniform, 1.0F), max_prior_spread_exponent);
  // 2 x 100 ns rms (exponential) = 200 ns = 10^(-53.6 / 8): exponent -54.
  EXPECT_EQ(prior_spread_exponent(DelayProfile::exponential, 100e-9F), -54);
  EXPECT_NEAR(prior_spread_from_exponent(-56), 1e-7F, 1e-12F);
  // The clamp limits 20 ns and 5 us round to the nearest grid values, 17.8 ns and 5.62 us.
  EXPECT_NEAR(prior_spread_from_exponent(min_prior_spread_exponent), 17.78e-9F, 0.01e-9F);
  EXPECT_NEAR(prior_spread_from_exponent(max_prior_spread_exponent), 5.623e-6F, 0.001e-6F);
}

TEST(DmrsEstimationMath, DelaySpreadFromCorrelation) {
  EXPECT_EQ(delay_spread_from_correlation(0.0, 1.0, 120e3), 0.0F);
  EXPECT_EQ(delay_spread_from_correlation(1.0, 0.0, 120e3), 0.0F);
  EXPECT_EQ(delay_spread_from_correlation(1.0, 1.0, 120e3), 0.0F);
  // |r| = 1 / sqrt(1 + (2 pi df tau)^2) for an exponential profile of rms tau.
  const double tau = 300e-9;
  const double df = 120e3;
  const double rho = 1.0 / std::sqrt(1.0 + std::pow(2.0 * 3.141592653589793 * df * tau, 2.0));
  EXPECT_NEAR(delay_spread_from_correlation(2.0, 2.0 * rho, df), tau, 1e-12);
}

TEST(DmrsEstimationMath, DelaySpreadFromLagRatio) {
  // The lag: 4 pilots, at most half a row; below 2 the ratio is not used.
  EXPECT_EQ(delay_spread_lag(300), 4U);
  EXPECT_EQ(delay_spread_lag(8), 4U);
  EXPECT_EQ(delay_spread_lag(7), 3U);
  EXPECT_EQ(delay_spread_lag(3), 1U);
  EXPECT_EQ(delay_spread_from_lag_ratio(1.0, 0.5, 1, 120e3), 0.0F);
  // Exponential profiles: |r(k df)| = 1 / sqrt(1 + (2 pi k df tau)^2); any scale cancels.
  const double df = 120e3;
  const auto r = [&](double k, double tau) {
    return 1.0 / std::sqrt(1.0 + std::pow(2.0 * 3.141592653589793 * k * df * tau, 2.0));
  };
  for (const double tau : {30e-9, 100e-9, 300e-9, 1e-6}) {
    for (const unsigned lag : {2U, 3U, 4U}) {
      EXPECT_NEAR(delay_spread_from_lag_ratio(5.0 * r(1, tau), 5.0 * r(lag, tau), lag, df), tau,
                  1e-6 * tau)
          << tau << " " << lag;
    }
  }
  // Flat (ratio 1 or above): 0. Faster than the model can decorrelate (ratio <= 1 / lag): the
  // comb's unambiguous range 1 / df.
  EXPECT_EQ(delay_spread_from_lag_ratio(1.0, 1.0, 4, df), 0.0F);
  EXPECT_EQ(delay_spread_from_lag_ratio(1.0, 1.2, 4, df), 0.0F);
  EXPECT_EQ(delay_spread_from_lag_ratio(0.0, 0.0, 4, df), 0.0F);
  EXPECT_NEAR(delay_spread_from_lag_ratio(1.0, 0.25, 4, df), 1.0 / df, 1e-12);
  EXPECT_NEAR(delay_spread_from_lag_ratio(1.0, 0.1, 4, df), 1.0 / df, 1e-12);
  // The estimate is the wider fit: the ratio's when the power fit says flat (a noise estimate
  // biased up by the channel's curvature), the power's when it is wider (a long tail that has
  // decorrelated by lag one).
  const double tau = 100e-9;
  EXPECT_NEAR(estimate_rms_delay_spread(0.99 * r(1, tau), r(1, tau), r(4, tau), 4, df), tau,
              1e-6 * tau);
  EXPECT_NEAR(
      estimate_rms_delay_spread(1.0, r(1, 300e-9), r(4, tau) / r(1, tau) * r(1, 300e-9), 4, df),
      300e-9, 1e-6 * 300e-9);
  EXPECT_EQ(estimate_rms_delay_spread(1.0, 1.0, 1.0, 1, df), 0.0F);
}

TEST(DmrsEstimationMath, PlacementCentresTheWindowAndStaysInside) {
  for (int spacing : {4, 6}) {
    for (int window : {2, 5, 12, 16}) {
      const int count = 40;
      for (int twice_offset = -3; twice_offset < 2 * spacing * count; ++twice_offset) {
        const MmsePlacement p = mmse_placement(twice_offset, spacing, window, count);
        const int left =
            static_cast<int>(std::floor(static_cast<double>(twice_offset) / (2.0 * spacing)));
        const int expected = std::clamp(left - window / 2 + 1, 0, count - window);
        ASSERT_EQ(p.start, expected);
        ASSERT_EQ(p.position, twice_offset + 2 * spacing * (1 - p.start));
        ASSERT_GE(p.position, 0);
      }
    }
  }
}

TEST(DmrsEstimationMath, TapSumIsTheComplexDotProduct) {
  for (int window : {1, 2, 7, 12}) {
    std::vector<std::complex<float>> w(window);
    std::vector<std::complex<float>> p(window);
    std::complex<double> expected = 0.0;
    for (int t = 0; t < window; ++t) {
      w[t] = {0.1F * static_cast<float>(t + 1), -0.05F * static_cast<float>(t)};
      p[t] = {1.0F - 0.2F * static_cast<float>(t), 0.3F};
      expected += std::complex<double>(w[t]) * std::complex<double>(p[t]);
    }
    float out[2];
    apply_mmse_taps(reinterpret_cast<const float*>(w.data()),
                    reinterpret_cast<const float*>(p.data()), window, out);
    EXPECT_NEAR(out[0], expected.real(), 1e-5);
    EXPECT_NEAR(out[1], expected.imag(), 1e-5);
  }
}

TEST(DmrsEstimationMath, FilterBanksHaveUnitDcGain) {
  MmseFilterKey key;
  key.spacing = 4;
  key.window = 12;
  key.profile = DelayProfile::uniform;
  key.delay_spread_s = 1e-6F;
  key.subcarrier_spacing_hz = 30e3F;
  key.snr_bin = 10;
  const unsigned positions = mmse_bank_positions(key.spacing, key.window);
  std::vector<cf32> taps(std::size_t{positions} * key.window);
  compute_mmse_filter_bank(key, taps);
  for (unsigned position = 0; position < positions; ++position) {
    std::complex<double> gain = 0.0;
    for (unsigned t = 0; t < key.window; ++t) {
      gain += std::complex<double>(taps[position * key.window + t]);
    }
    EXPECT_NEAR(gain.real(), 1.0, 1e-5);
    EXPECT_NEAR(gain.imag(), 0.0, 1e-5);
  }
  std::vector<cf32> small(taps.size() - 1);
  EXPECT_THROW(compute_mmse_filter_bank(key, small), std::invalid_argument);
}

} // namespace
