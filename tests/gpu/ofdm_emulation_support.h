// What the OFDM emulation tests share (CUDA builds: the kernels' structs hold CUDA vector types):
// how far an emulated grid is from phy::OfdmDemodulator's.
#pragma once

#include "airan/phy/resource_grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include <cuda_runtime.h>

namespace airan::gpu::test {

/// The errors of an emulated grid against the CPU demodulator's.
struct GridErrors {
  double relative_rms = 0.0;     ///< RMS error over the RMS value.
  double largest_over_rms = 0.0; ///< Largest error over the RMS value.
};

/// \p grid (float2, in the grid's element order) against \p want; a value left unwritten (NaN)
/// or a size mismatch fails the test and gives infinite errors.
inline GridErrors grid_errors(const std::vector<float2>& grid, std::span<const phy::cf32> want) {
  constexpr double infinite = std::numeric_limits<double>::infinity();
  if (want.size() != grid.size()) {
    ADD_FAILURE() << "grid of " << grid.size() << " values, expected " << want.size();
    return {infinite, infinite};
  }
  double difference = 0.0;
  double power = 0.0;
  double largest = 0.0;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const double d = std::norm(phy::cf32(grid[i].x, grid[i].y) - want[i]);
    if (std::isnan(d)) {
      ADD_FAILURE() << "value " << i << " not written";
      return {infinite, infinite};
    }
    difference += d;
    power += std::norm(want[i]);
    largest = std::max(largest, d);
  }
  const double rms = std::sqrt(power / static_cast<double>(grid.size()));
  return {std::sqrt(difference / power), std::sqrt(largest) / rms};
}

} // namespace airan::gpu::test
