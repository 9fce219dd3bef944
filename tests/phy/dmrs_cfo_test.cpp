// The CFO math shared by the CPU estimator and the CUDA one (phy/dmrs_cfo.h): occasion time
// steps from the numerology, the correlation of one pilot pair, and the weighted mean over
// occasion pairs (pairs without correlation left out).
#include "airan/phy/dmrs_cfo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace {

using namespace airan::phy;

TEST(DmrsCfo, OccasionTimeStepsFollowTheNumerology) {
  CellConfig cell;
  cell.numerology = 1;
  cell.num_prbs = 106;
  double dt[max_dmrs_occasions - 1] = {};
  // Symbols 2 and 11 of a 30 kHz slot: nine normal-CP symbols of (1 + 144 / 2048) / 30 kHz.
  const std::vector<unsigned> single = {2, 11};
  EXPECT_EQ(dmrs_occasion_time_steps(cell, 1, single, 1, dt), 1U);
  EXPECT_NEAR(dt[0], 9.0 * (1.0 + 144.0 / 2048.0) / 30000.0, 1e-12);
  // Double-symbol occasions (2, 3) and (10, 11): centres eight symbols apart.
  const std::vector<unsigned> pairs = {2, 3, 10, 11};
  EXPECT_EQ(dmrs_occasion_time_steps(cell, 1, pairs, 2, dt), 1U);
  EXPECT_NEAR(dt[0], 8.0 * (1.0 + 144.0 / 2048.0) / 30000.0, 1e-12);
  const std::vector<unsigned> one = {2};
  EXPECT_EQ(dmrs_occasion_time_steps(cell, 1, one, 1, dt), 0U);
  EXPECT_THROW(dmrs_occasion_time_steps(cell, 1, pairs, 3, dt), std::invalid_argument);
}

TEST(DmrsCfo, WeightedMeanOfThePairsPhaseSteps) {
  // A pilot rotating by phi between occasions: b conj(a) has phase phi.
  const double phi = 0.3;
  double c_re[3] = {};
  double c_im[3] = {};
  add_cfo_correlation(2.0F, 0.0F, static_cast<float>(2.0 * std::cos(phi)),
                      static_cast<float>(2.0 * std::sin(phi)), c_re[0], c_im[0]);
  EXPECT_NEAR(std::atan2(c_im[0], c_re[0]), phi, 1e-6);
  EXPECT_NEAR(std::hypot(c_re[0], c_im[0]), 4.0, 1e-6);
  // Two pairs with different steps and weights, one without correlation.
  const double re[3] = {3.0 * std::cos(0.2), 0.0, std::cos(-0.1)};
  const double im[3] = {3.0 * std::sin(0.2), 0.0, std::sin(-0.1)};
  const double dt[3] = {1e-4, 1e-4, 2e-4};
  const double expected =
      (3.0 * 0.2 / (2 * std::numbers::pi * 1e-4) + 1.0 * -0.1 / (2 * std::numbers::pi * 2e-4)) /
      4.0;
  EXPECT_NEAR(cfo_from_correlations(re, im, dt, 3), expected, 1e-9 * std::abs(expected));
  EXPECT_EQ(cfo_from_correlations(re + 1, im + 1, dt, 1), 0.0) << "no correlation: 0";
}

} // namespace
