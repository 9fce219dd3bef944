#include "airan/phy/flat_mimo_channel.h"

#include "airan/phy/awgn.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {

FlatMimoChannel::FlatMimoChannel(unsigned num_rx, unsigned num_ports, std::vector<cf32> matrix)
    : num_rx_(num_rx), num_ports_(num_ports), matrix_(std::move(matrix)) {
  if (num_rx == 0 || num_ports == 0 || matrix_.size() != std::size_t{num_rx} * num_ports) {
    throw std::invalid_argument("FlatMimoChannel: the matrix must be num_rx x num_ports");
  }
}

FlatMimoChannel FlatMimoChannel::rayleigh(unsigned num_rx, unsigned num_ports, std::uint64_t seed) {
  // AwgnGenerator, not std::normal_distribution: independent of the library's distributions.
  std::vector<cf32> matrix(std::size_t{num_rx} * num_ports, cf32(0.0F, 0.0F));
  AwgnGenerator(seed).add(matrix, 1.0F);
  return {num_rx, num_ports, std::move(matrix)};
}

FlatMimoChannel FlatMimoChannel::random_unitary(unsigned num_rx, unsigned num_ports,
                                                std::uint64_t seed) {
  if (num_rx < num_ports) {
    throw std::invalid_argument("FlatMimoChannel: a unitary channel needs num_rx >= num_ports");
  }
  // Gram-Schmidt on the columns of a Rayleigh matrix.
  std::vector<cf32> matrix = rayleigh(num_rx, num_ports, seed).matrix_;
  auto at = [&](unsigned r, unsigned p) -> cf32& { return matrix[r * num_ports + p]; };
  for (unsigned p = 0; p < num_ports; ++p) {
    for (unsigned q = 0; q < p; ++q) {
      cf32 dot(0.0F, 0.0F);
      for (unsigned r = 0; r < num_rx; ++r) {
        dot += std::conj(at(r, q)) * at(r, p);
      }
      for (unsigned r = 0; r < num_rx; ++r) {
        at(r, p) -= dot * at(r, q);
      }
    }
    float norm = 0.0F;
    for (unsigned r = 0; r < num_rx; ++r) {
      norm += std::norm(at(r, p));
    }
    const float scale = 1.0F / std::sqrt(norm);
    for (unsigned r = 0; r < num_rx; ++r) {
      at(r, p) *= scale;
    }
  }
  return {num_rx, num_ports, std::move(matrix)};
}

void FlatMimoChannel::apply(const ResourceGrid& tx, float noise_variance, std::mt19937_64& rng,
                            ResourceGrid& rx) const {
  if (tx.num_ports() != num_ports_ || rx.num_ports() != num_rx_ ||
      tx.num_symbols() != rx.num_symbols() || tx.num_subcarriers() != rx.num_subcarriers()) {
    throw std::invalid_argument("FlatMimoChannel: grids of " + std::to_string(tx.num_ports()) +
                                " and " + std::to_string(rx.num_ports()) + " ports do not fit a " +
                                std::to_string(num_rx_) + "x" + std::to_string(num_ports_) +
                                " channel");
  }
  if (!std::isfinite(noise_variance) || noise_variance < 0.0F) {
    throw std::invalid_argument("FlatMimoChannel: the noise variance must be finite and >= 0");
  }
  // The noise from an AwgnGenerator seeded by one draw of rng (whose sequence the standard
  // fixes): independent of the standard library's distributions, unlike std::normal_distribution.
  AwgnGenerator noise(rng());
  for (unsigned r = 0; r < num_rx_; ++r) {
    for (unsigned l = 0; l < rx.num_symbols(); ++l) {
      auto out = rx.symbol(r, l);
      std::fill(out.begin(), out.end(), cf32(0.0F, 0.0F));
      noise.add(out, noise_variance);
      for (unsigned p = 0; p < num_ports_; ++p) {
        const cf32 h = gain(r, p);
        const auto in = tx.symbol(p, l);
        for (unsigned k = 0; k < rx.num_subcarriers(); ++k) {
          out[k] += h * in[k];
        }
      }
    }
  }
}

} // namespace airan::phy
