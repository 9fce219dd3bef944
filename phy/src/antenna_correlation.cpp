#include "airan/phy/antenna_correlation.h"

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

void check_size(unsigned num_antennas) {
  if (num_antennas == 0 || num_antennas > max_correlated_antennas) {
    throw std::invalid_argument("antenna correlation: " + std::to_string(num_antennas) +
                                " antennas is not in 1.." +
                                std::to_string(max_correlated_antennas));
  }
}

} // namespace

AntennaCorrelation parse_antenna_correlation(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (AntennaCorrelation level : {AntennaCorrelation::none, AntennaCorrelation::low,
                                   AntennaCorrelation::medium, AntennaCorrelation::high}) {
    if (lower == to_string(level)) {
      return level;
    }
  }
  throw std::invalid_argument("unknown antenna correlation '" + std::string(text) +
                              "'; valid: none, low, medium, high");
}

std::string_view to_string(AntennaCorrelation level) {
  switch (level) {
  case AntennaCorrelation::low:
    return "low";
  case AntennaCorrelation::medium:
    return "medium";
  case AntennaCorrelation::high:
    return "high";
  default:
    return "none";
  }
}

double antenna_correlation_coefficient(AntennaCorrelation level, bool is_gnb) {
  switch (level) {
  case AntennaCorrelation::medium:
    return is_gnb ? 0.9 : 0.3;
  case AntennaCorrelation::high:
    return 0.9;
  default: // none, low
    return 0.0;
  }
}

std::vector<double> antenna_correlation_matrix(AntennaCorrelation level, unsigned num_antennas,
                                               bool is_gnb) {
  check_size(num_antennas);
  const double c = antenna_correlation_coefficient(level, is_gnb);
  const unsigned n = num_antennas;
  std::vector<double> matrix(std::size_t{n} * n, 0.0);
  for (unsigned i = 0; i < n; ++i) {
    for (unsigned j = 0; j < n; ++j) {
      if (i == j) {
        matrix[i * n + j] = 1.0;
      } else if (c > 0.0) {
        const double d = (static_cast<double>(i) - static_cast<double>(j)) / (n - 1);
        matrix[i * n + j] = std::pow(c, d * d);
      }
    }
  }
  return matrix;
}

std::vector<double> antenna_correlation_sqrt(AntennaCorrelation level, unsigned num_antennas,
                                             bool is_gnb) {
  std::vector<double> r = antenna_correlation_matrix(level, num_antennas, is_gnb);
  const unsigned n = num_antennas;
  if (antenna_correlation_coefficient(level, is_gnb) > 0.0 && n > 2) {
    const double a = correlation_regularisation;
    for (unsigned i = 0; i < n; ++i) {
      for (unsigned j = 0; j < n; ++j) {
        r[i * n + j] = (r[i * n + j] + (i == j ? a : 0.0)) / (1.0 + a);
      }
    }
  }
  // Cholesky-Banachiewicz: r = L L^T.
  std::vector<double> l(std::size_t{n} * n, 0.0);
  for (unsigned i = 0; i < n; ++i) {
    for (unsigned j = 0; j <= i; ++j) {
      double sum = r[i * n + j];
      for (unsigned k = 0; k < j; ++k) {
        sum -= l[i * n + k] * l[j * n + k];
      }
      if (i == j) {
        if (!(sum > 0.0)) {
          throw std::runtime_error("antenna correlation matrix is not positive definite");
        }
        l[i * n + i] = std::sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  }
  return l;
}

std::vector<double> spatial_correlation_matrix(AntennaCorrelation level, unsigned num_rx,
                                               unsigned num_tx) {
  const std::vector<double> r_rx = antenna_correlation_matrix(level, num_rx, true);
  const std::vector<double> r_tx = antenna_correlation_matrix(level, num_tx, false);
  const unsigned n = num_rx * num_tx;
  std::vector<double> spatial(std::size_t{n} * n);
  for (unsigned t = 0; t < num_tx; ++t) {
    for (unsigned r = 0; r < num_rx; ++r) {
      for (unsigned t2 = 0; t2 < num_tx; ++t2) {
        for (unsigned r2 = 0; r2 < num_rx; ++r2) {
          spatial[(t * num_rx + r) * n + t2 * num_rx + r2] =
              r_tx[t * num_tx + t2] * r_rx[r * num_rx + r2];
        }
      }
    }
  }
  return spatial;
}

} // namespace airan::phy
