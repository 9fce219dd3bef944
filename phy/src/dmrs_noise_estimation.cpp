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

namespace {

/// Difference residuals d(n) = sum_j c_j h(n + j) (as difference_residual()) of \p outputs
/// consecutive pilots, into planes re and im.
template <unsigned Order>
void difference_residuals(const float* coefficients, const cf32* pilots, unsigned outputs,
                          float* __restrict re, float* __restrict im) {
  float c[Order + 1];
  for (unsigned j = 0; j <= Order; ++j) {
    c[j] = coefficients[j];
  }
  const auto* __restrict h = reinterpret_cast<const float*>(pilots);
  for (std::size_t n = 0; n < outputs; ++n) {
    float sum_re = 0.0F;
    float sum_im = 0.0F;
    for (std::size_t j = 0; j <= Order; ++j) {
      sum_re += c[j] * h[2 * (n + j)];
      sum_im += c[j] * h[2 * (n + j) + 1];
    }
    re[n] = sum_re;
    im[n] = sum_im;
  }
}

} // namespace

NoiseEstimate estimate_noise(const DespreadPilots& pilots, bool with_covariance,
                             ChannelEstimate& estimate, unsigned spacing,
                             std::vector<unsigned>& group_samples, NoiseScratch& scratch) {
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
  const unsigned lag = delay_spread_lag(count);
  double far_re = 0.0; // lag-k correlation
  double far_im = 0.0;
  // Per layer and occasion, the terms of the four sums are computed first (vectorised), in the
  // order in which they are added: pilot power and lag antenna by antenna, pilot by pilot; the
  // residual power pilot by pilot, antenna by antenna. The sums then run in one loop, so that
  // their dependency chains overlap; each keeps its order and its double precision.
  const std::size_t block = std::size_t{num_rx} * count;
  const unsigned outputs = count > filter.order ? count - filter.order : 0;
  double* power_terms = scratch.terms.data();
  double* lag_re_terms = power_terms + block;
  double* lag_im_terms = lag_re_terms + block;
  double* residual_terms = lag_im_terms + block;
  float* residual_re = scratch.residuals.data();
  float* residual_im = residual_re + block;
  std::array<cmat::Complex, max_irc_rx_antennas> d{};
  for (unsigned layer = 0; layer < pilots.num_layers; ++layer) {
    for (unsigned o = 0; o < pilots.num_occasions; ++o) {
      for (unsigned rx = 0; rx < num_rx; ++rx) {
        const auto* __restrict h = reinterpret_cast<const float*>(pilots.pilots(rx, layer, o));
        if (lag >= 2) {
          for (std::size_t n = lag; n < count; ++n) {
            const std::size_t m = n - lag;
            far_re += static_cast<double>(h[2 * n] * h[2 * m] + h[2 * n + 1] * h[2 * m + 1]);
            far_im += static_cast<double>(h[2 * n + 1] * h[2 * m] - h[2 * n] * h[2 * m + 1]);
          }
        }
        double* __restrict power = power_terms + std::size_t{rx} * count;
        for (std::size_t n = 0; n < count; ++n) {
          power[n] = static_cast<double>(h[2 * n] * h[2 * n] + h[2 * n + 1] * h[2 * n + 1]);
        }
        double* __restrict lr = lag_re_terms + std::size_t{rx} * (count - 1);
        double* __restrict li = lag_im_terms + std::size_t{rx} * (count - 1);
        for (std::size_t n = 1; n < count; ++n) {
          lr[n - 1] = static_cast<double>(h[2 * n] * h[2 * n - 2] + h[2 * n + 1] * h[2 * n - 1]);
          li[n - 1] = static_cast<double>(h[2 * n + 1] * h[2 * n - 2] - h[2 * n] * h[2 * n - 1]);
        }
        float* re = residual_re + std::size_t{rx} * count;
        float* im = residual_im + std::size_t{rx} * count;
        if (filter.order == 4) {
          difference_residuals<4>(filter.coefficients, pilots.pilots(rx, layer, o), outputs, re,
                                  im);
        } else if (filter.order == 2) {
          difference_residuals<2>(filter.coefficients, pilots.pilots(rx, layer, o), outputs, re,
                                  im);
        } else {
          difference_residuals<1>(filter.coefficients, pilots.pilots(rx, layer, o), outputs, re,
                                  im);
        }
        for (std::size_t n = 0; n < outputs; ++n) {
          residual_terms[n * num_rx + rx] = static_cast<double>(re[n] * re[n] + im[n] * im[n]);
        }
      }
      const std::size_t residual_end = std::size_t{outputs} * num_rx;
      const std::size_t lag_end = std::size_t{count - 1} * num_rx;
      std::size_t m = 0;
      for (; m < residual_end; ++m) {
        pilot_power += power_terms[m];
        lag_re += lag_re_terms[m];
        lag_im += lag_im_terms[m];
        residual_power += residual_terms[m];
      }
      for (; m < lag_end; ++m) {
        pilot_power += power_terms[m];
        lag_re += lag_re_terms[m];
        lag_im += lag_im_terms[m];
      }
      for (; m < block; ++m) {
        pilot_power += power_terms[m];
      }
      residual_count += residual_end;
      if (!with_covariance) {
        continue;
      }
      for (unsigned n = 0; n < outputs; ++n) {
        for (unsigned rx = 0; rx < num_rx; ++rx) {
          d[rx] = {residual_re[std::size_t{rx} * count + n],
                   residual_im[std::size_t{rx} * count + n]};
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
  result.lag = lag;
  if (lag >= 2) {
    const double far_pairs =
        static_cast<double>(num_rx) * pilots.num_layers * pilots.num_occasions * (count - lag);
    result.lag_correlation =
        cf32(static_cast<float>(far_re / far_pairs), static_cast<float>(far_im / far_pairs));
  }
  result.despread_variance =
      residual_count == 0
          ? 0.0F
          : static_cast<float>(residual_power /
                               (static_cast<double>(residual_count) * result.residual_factor));
  return result;
}

float estimate_delay_spread(const NoiseEstimate& noise, double pilot_spacing_hz) {
  const double power = static_cast<double>(noise.mean_pilot_power) - noise.despread_variance;
  return estimate_rms_delay_spread(power, std::abs(noise.lag_one_correlation),
                                   std::abs(noise.lag_correlation), noise.lag, pilot_spacing_hz);
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

OccasionCorrelations occasion_correlations(const DespreadPilots& pilots) {
  OccasionCorrelations c;
  c.pairs = pilots.num_occasions > 0 ? pilots.num_occasions - 1 : 0;
  c.terms_per_pair = static_cast<double>(pilots.num_rx) * pilots.num_layers * pilots.num_pilots;
  for (unsigned o = 0; o < c.pairs; ++o) {
    for (unsigned rx = 0; rx < pilots.num_rx; ++rx) {
      for (unsigned layer = 0; layer < pilots.num_layers; ++layer) {
        const cf32* a = pilots.pilots(rx, layer, o);
        const cf32* b = pilots.pilots(rx, layer, o + 1);
        for (unsigned n = 0; n < pilots.num_pilots; ++n) {
          add_cfo_correlation(a[n].real(), a[n].imag(), b[n].real(), b[n].imag(), c.c_re[o],
                              c.c_im[o]);
        }
      }
    }
  }
  return c;
}

std::optional<float> estimate_cfo(const OccasionCorrelations& correlations, const CellConfig& cell,
                                  unsigned slot, std::span<const unsigned> dmrs_symbols,
                                  unsigned symbols_per_occasion) {
  if (correlations.pairs == 0) {
    return std::nullopt;
  }
  double dt[max_dmrs_occasions - 1] = {};
  const unsigned pairs =
      dmrs_occasion_time_steps(cell, slot, dmrs_symbols, symbols_per_occasion, dt);
  return static_cast<float>(cfo_from_correlations(correlations.c_re, correlations.c_im, dt, pairs));
}

} // namespace airan::phy::detail
