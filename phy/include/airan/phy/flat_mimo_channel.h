/// \file
/// \brief Frequency-flat MIMO channel with AWGN, applied to resource grids: the simplest channel
/// for receiver round trips and benchmarks (the TDL models of TR 38.901 build on the same
/// grid interface).
#pragma once

#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <random>
#include <vector>

namespace airan::phy {

/// y[rx] = sum_p H[rx][p] x[p] + n, the same H on every resource element.
class FlatMimoChannel {
public:
  /// Channel with the given matrix, row-major [rx][port].
  FlatMimoChannel(unsigned num_rx, unsigned num_ports, std::vector<cf32> matrix);

  /// A random matrix with orthonormal columns (num_rx >= num_ports): every port arrives with unit
  /// gain and the ports stay separable, so the link is limited by the noise alone.
  static FlatMimoChannel random_unitary(unsigned num_rx, unsigned num_ports, std::uint64_t seed);

  /// Rayleigh: i.i.d. CN(0, 1) entries.
  static FlatMimoChannel rayleigh(unsigned num_rx, unsigned num_ports, std::uint64_t seed);

  [[nodiscard]] unsigned num_rx() const { return num_rx_; }
  [[nodiscard]] unsigned num_ports() const { return num_ports_; }
  [[nodiscard]] cf32 gain(unsigned rx, unsigned port) const {
    return matrix_[rx * num_ports_ + port];
  }

  /// Writes \p rx (num_rx ports of the same symbols and subcarriers as \p tx) with the channel
  /// output plus complex white Gaussian noise of variance \p noise_variance per RE (an
  /// AwgnGenerator seeded by one draw of \p rng, taken always, also without noise: independent
  /// of the standard library's distributions).
  /// \throws std::invalid_argument on a shape mismatch or a negative or non-finite variance.
  void apply(const ResourceGrid& tx, float noise_variance, std::mt19937_64& rng,
             ResourceGrid& rx) const;

private:
  unsigned num_rx_;
  unsigned num_ports_;
  std::vector<cf32> matrix_;
};

} // namespace airan::phy
