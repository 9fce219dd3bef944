// Antenna correlation matrices of TS 38.104 Annex G: values for 2 and 4 antennas against the
// specification's 4-digit tables, the Kronecker spatial matrix, positive definiteness and the
// square roots the channel uses.
#include "airan/phy/antenna_correlation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using namespace airan::phy;

/// Smallest Cholesky pivot of a symmetric matrix (<= 0: not positive definite).
double smallest_cholesky_pivot(std::vector<double> a, unsigned n) {
  double smallest = INFINITY;
  for (unsigned j = 0; j < n; ++j) {
    double pivot = a[j * n + j];
    for (unsigned k = 0; k < j; ++k) {
      pivot -= a[j * n + k] * a[j * n + k];
    }
    smallest = std::min(smallest, pivot);
    if (pivot <= 0.0) {
      return pivot;
    }
    const double d = std::sqrt(pivot);
    a[j * n + j] = d;
    for (unsigned i = j + 1; i < n; ++i) {
      double v = a[i * n + j];
      for (unsigned k = 0; k < j; ++k) {
        v -= a[i * n + k] * a[j * n + k];
      }
      a[i * n + j] = v / d;
    }
  }
  return smallest;
}

TEST(AntennaCorrelation, ParsesLevelsCaseInsensitively) {
  EXPECT_EQ(parse_antenna_correlation("none"), AntennaCorrelation::none);
  EXPECT_EQ(parse_antenna_correlation("Low"), AntennaCorrelation::low);
  EXPECT_EQ(parse_antenna_correlation("MEDIUM"), AntennaCorrelation::medium);
  EXPECT_EQ(parse_antenna_correlation("high"), AntennaCorrelation::high);
  EXPECT_THROW(parse_antenna_correlation("medium-a"), std::invalid_argument);
  EXPECT_THROW(parse_antenna_correlation(""), std::invalid_argument);
  for (auto level : {AntennaCorrelation::none, AntennaCorrelation::low, AntennaCorrelation::medium,
                     AntennaCorrelation::high}) {
    EXPECT_EQ(parse_antenna_correlation(to_string(level)), level);
  }
}

TEST(AntennaCorrelation, CoefficientsOfTheUplinkLevels) {
  EXPECT_EQ(antenna_correlation_coefficient(AntennaCorrelation::low, true), 0.0);
  EXPECT_EQ(antenna_correlation_coefficient(AntennaCorrelation::low, false), 0.0);
  EXPECT_EQ(antenna_correlation_coefficient(AntennaCorrelation::medium, true), 0.9);
  EXPECT_EQ(antenna_correlation_coefficient(AntennaCorrelation::medium, false), 0.3);
  EXPECT_EQ(antenna_correlation_coefficient(AntennaCorrelation::high, true), 0.9);
  EXPECT_EQ(antenna_correlation_coefficient(AntennaCorrelation::high, false), 0.9);
}

TEST(AntennaCorrelation, TwoAntennaMatrices) {
  EXPECT_EQ(antenna_correlation_matrix(AntennaCorrelation::medium, 2, true),
            (std::vector<double>{1.0, 0.9, 0.9, 1.0}));
  EXPECT_EQ(antenna_correlation_matrix(AntennaCorrelation::medium, 2, false),
            (std::vector<double>{1.0, 0.3, 0.3, 1.0}));
  EXPECT_EQ(antenna_correlation_matrix(AntennaCorrelation::low, 2, true),
            (std::vector<double>{1.0, 0.0, 0.0, 1.0}));
  EXPECT_EQ(antenna_correlation_matrix(AntennaCorrelation::none, 1, true),
            (std::vector<double>{1.0}));
}

TEST(AntennaCorrelation, FourAntennaMatricesMatchTheSpecificationTables) {
  // First rows as printed (4 digits): alpha = 0.9 -> 1, 0.9884, 0.9543, 0.9;
  // beta = 0.3 -> 1, 0.8748, 0.5856, 0.3. The matrices are symmetric Toeplitz.
  const double high_row[4] = {1.0, 0.9884, 0.9543, 0.9};
  const double medium_ue_row[4] = {1.0, 0.8748, 0.5856, 0.3};
  const auto gnb = antenna_correlation_matrix(AntennaCorrelation::high, 4, true);
  const auto ue_high = antenna_correlation_matrix(AntennaCorrelation::high, 4, false);
  const auto ue_medium = antenna_correlation_matrix(AntennaCorrelation::medium, 4, false);
  for (unsigned i = 0; i < 4; ++i) {
    for (unsigned j = 0; j < 4; ++j) {
      const unsigned d = i > j ? i - j : j - i;
      EXPECT_NEAR(gnb[i * 4 + j], high_row[d], 5e-5);
      EXPECT_NEAR(ue_high[i * 4 + j], high_row[d], 5e-5);
      EXPECT_NEAR(ue_medium[i * 4 + j], medium_ue_row[d], 5e-5);
    }
  }
}

TEST(AntennaCorrelation, SpatialMatrixIsTheKroneckerProduct) {
  // 2 UE x 2 gNB antennas, high: R_UE (x) R_gNB with alpha = beta = 0.9.
  const auto spatial = spatial_correlation_matrix(AntennaCorrelation::high, 2, 2);
  const std::vector<double> expected = {1.0, 0.9,  0.9, 0.81, 0.9,  1.0, 0.81, 0.9,
                                        0.9, 0.81, 1.0, 0.9,  0.81, 0.9, 0.9,  1.0};
  ASSERT_EQ(spatial.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(spatial[i], expected[i], 1e-12) << i;
  }
  // Medium, 1 UE x 2 gNB antennas: just the gNB matrix.
  EXPECT_EQ(spatial_correlation_matrix(AntennaCorrelation::medium, 2, 1),
            (std::vector<double>{1.0, 0.9, 0.9, 1.0}));
}

TEST(AntennaCorrelation, MatricesArePositiveDefiniteAndTheSquareRootsReproduceThem) {
  for (auto level : {AntennaCorrelation::none, AntennaCorrelation::low, AntennaCorrelation::medium,
                     AntennaCorrelation::high}) {
    for (bool is_gnb : {true, false}) {
      for (unsigned n : {1U, 2U, 4U, 8U, 16U}) {
        const auto r = antenna_correlation_matrix(level, n, is_gnb);
        if (n <= 4) { // the exact matrices; from 8 antennas they are numerically singular
          EXPECT_GT(smallest_cholesky_pivot(r, n), 0.0) << to_string(level) << " " << n;
        }
        const auto l = antenna_correlation_sqrt(level, n, is_gnb);
        const double c = antenna_correlation_coefficient(level, is_gnb);
        const double a = (c > 0.0 && n > 2) ? correlation_regularisation : 0.0;
        for (unsigned i = 0; i < n; ++i) {
          for (unsigned j = 0; j < n; ++j) {
            double product = 0.0;
            for (unsigned k = 0; k < n; ++k) {
              product += l[i * n + k] * l[j * n + k];
            }
            EXPECT_NEAR(product, (r[i * n + j] + (i == j ? a : 0.0)) / (1.0 + a), 1e-12);
            if (j > i) {
              EXPECT_EQ(l[i * n + j], 0.0);
            }
          }
        }
      }
    }
  }
}

TEST(AntennaCorrelation, RejectsUnsupportedSizes) {
  EXPECT_THROW(antenna_correlation_matrix(AntennaCorrelation::high, 0, true),
               std::invalid_argument);
  EXPECT_THROW(antenna_correlation_matrix(AntennaCorrelation::high, 17, true),
               std::invalid_argument);
  EXPECT_THROW(antenna_correlation_sqrt(AntennaCorrelation::low, 0, false), std::invalid_argument);
}

} // namespace
