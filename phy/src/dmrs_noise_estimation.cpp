#include "dmrs_estimation_steps.h"

#include "airan/phy/complex_matrix.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/irc_whitening.h"
#include "airan/phy/numerology.h"

#include "airan/phy/dmrs_cfo.h"
#include <algorithm>
#include <array>

#include <cmath>
#include <numbers>

namespace airan::phy::detail {

NoiseEstimate estimate_noise(const DespreadPilots& pilots, bool with_covariance,
                             ChannelEstimate& estimate, unsigned spacing,
                             std::vector<unsigned>& group_samples) {
  const unsigned num_rx = pilots.num_rx;
  const unsigned count = pilots.num_pilots;
  const DifferenceFilter filter = difference_filter(count);
  NoiseEstimate result;
  result.residual_factor = filter.energy;
  if (with_covariance) {
    for (unsigned g = 0; g < estimate.num_covariance_groups(); ++g) {
      std::ranges::fill(estimate.covariance(g), cf32(0.0F, 0.0F));
      group_samples[g] = 0;
    }
  }
  double residual_power = 0.0;
  std::size_t residual_count = 0;
  double pilot_power = 0.0;
  double lag_re = 0.0;
  double lag_im = 0.0;
  std::array<cmat::Complex, max_irc_rx_antennas> d{};
  for (unsigned layer = 0; layer < pilots.num_layers; ++layer) {
    for (unsigned o = 0; o < pilots.num_occasions; ++o) {
      for (unsigned rx = 0; rx < num_rx; ++rx) {
        const cf32* h = pilots.pilots(rx, layer, o);
        for (unsigned n = 0; n < count; ++n) {
          pilot_power += static_cast<double>(std::norm(h[n]));
        }
        for (unsigned n = 1; n < count; ++n) {
          lag_re +=
              static_cast<double>(h[n].real() * h[n - 1].real() + h[n].imag() * h[n - 1].imag());
          lag_im +=
              static_cast<double>(h[n].imag() * h[n - 1].real() - h[n].real() * h[n - 1].imag());
        }
      }
      for (unsigned n = 0; n + filter.order < count; ++n) {
        for (unsigned rx = 0; rx < num_rx; ++rx) {
          const cmat::Complex sum = difference_residual(
              filter, reinterpret_cast<const float*>(pilots.pilots(rx, layer, o) + n));
          d[rx] = sum;
          residual_power += static_cast<double>(cmat::norm2(sum));
        }
        residual_count += num_rx;
        if (!with_covariance) {
          continue;
        }
        const unsigned group = estimate.covariance_group_of((n + filter.order / 2) * spacing);
        accumulate_residual_covariance(d.data(), num_rx,
                                       reinterpret_cast<float*>(estimate.covariance(group).data()));
        ++group_samples[group];
      }
    }
  }
  const double num_pilots =
      static_cast<double>(num_rx) * pilots.num_layers * pilots.num_occasions * count;
  result.mean_pilot_power = static_cast<float>(pilot_power / std::max(num_pilots, 1.0));
  const double num_pairs =
      static_cast<double>(num_rx) * pilots.num_layers * pilots.num_occasions * (count - 1);
  result.lag_one_correlation = cf32(static_cast<float>(lag_re / std::max(num_pairs, 1.0)),
                                    static_cast<float>(lag_im / std::max(num_pairs, 1.0)));
  result.despread_variance =
      residual_count == 0
          ? 0.0F
          : static_cast<float>(residual_power /
                               (static_cast<double>(residual_count) * result.residual_factor));
  return result;
}

float estimate_delay_spread(const NoiseEstimate& noise, double pilot_spacing_hz) {
  const double power = static_cast<double>(noise.mean_pilot_power) - noise.despread_variance;
  return delay_spread_from_correlation(power, std::abs(noise.lag_one_correlation),
                                       pilot_spacing_hz);
}

void finish_covariances(ChannelEstimate& estimate, std::span<const unsigned> group_samples,
                        float despread_gain, float noise_variance, float signal_power) {
  const unsigned num_rx = estimate.num_rx_antennas();
  std::array<cmat::Complex, irc_factor_scratch_size> factor{};
  for (unsigned g = 0; g < estimate.num_covariance_groups(); ++g) {
    regularise_covariance(reinterpret_cast<float*>(estimate.covariance(g).data()), num_rx,
                          group_samples[g], despread_gain, noise_variance, signal_power,
                          factor.data());
  }
}

std::optional<float> estimate_cfo(const DespreadPilots& pilots, const CellConfig& cell,
                                  unsigned slot, std::span<const unsigned> dmrs_symbols,
                                  unsigned symbols_per_occasion) {
  if (pilots.num_occasions < 2) {
    return std::nullopt;
  }
  double dt[max_dmrs_occasions - 1] = {};
  const unsigned pairs =
      dmrs_occasion_time_steps(cell, slot, dmrs_symbols, symbols_per_occasion, dt);
  double c_re[max_dmrs_occasions - 1] = {};
  double c_im[max_dmrs_occasions - 1] = {};
  for (unsigned o = 0; o < pairs; ++o) {
    for (unsigned rx = 0; rx < pilots.num_rx; ++rx) {
      for (unsigned layer = 0; layer < pilots.num_layers; ++layer) {
        const cf32* a = pilots.pilots(rx, layer, o);
        const cf32* b = pilots.pilots(rx, layer, o + 1);
        for (unsigned n = 0; n < pilots.num_pilots; ++n) {
          add_cfo_correlation(a[n].real(), a[n].imag(), b[n].real(), b[n].imag(), c_re[o], c_im[o]);
        }
      }
    }
  }
  return static_cast<float>(cfo_from_correlations(c_re, c_im, dt, pairs));
}

} // namespace airan::phy::detail
