/// \file
/// \brief Relative errors of one sequence of values against a reference, as the GPU tests compare
/// a device stage with the CPU's: ||a - b|| / ||b|| and max |a - b| / rms(b).
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <span>

namespace airan::test {

/// ||a - b|| / ||b|| (norm) and max |a - b| / rms(b) (max).
struct RelativeErrors {
  double norm = 0.0;
  double max = 0.0;
};

/// The relative errors of \p a against \p b (T: float or std::complex<float>); \p a holds at
/// least b.size() values.
template <typename T> RelativeErrors relative_errors(std::span<const T> a, std::span<const T> b) {
  double difference = 0.0;
  double reference = 0.0;
  double largest = 0.0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const double d = std::norm(a[i] - b[i]);
    difference += d;
    reference += std::norm(b[i]);
    largest = std::max(largest, d);
  }
  const double rms = std::sqrt(reference / std::max<double>(1.0, static_cast<double>(b.size())));
  return {std::sqrt(difference / std::max(reference, 1e-30)), std::sqrt(largest) / rms};
}

} // namespace airan::test
