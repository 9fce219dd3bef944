/// \file
/// \brief MMSE-IRC math shared by the CPU receiver and the CUDA front end: the interference-plus-
/// noise covariance of a PRB group from the DMRS residuals, its regularisation, the whitening
/// matrix W = L^-1 of R = L L^H, and the whitening of one resource element.
///
/// The CPU DMRS estimator (estimate_noise() and finish_covariances() in
/// phy/src/dmrs_noise_estimation.cpp) and MimoEqualizer (phy/src/mimo_equalizer_impl.cpp) call
/// these functions, and so do the kernels of GpuPuschFrontEnd, so both backends compute the same
/// thing (the CUDA kernel adds the covariance sums in another order). Everything is inline and
/// AIRAN_HOST_DEVICE.
///
/// Covariances are stored as interleaved floats (re, im), row-major num_rx x num_rx: element
/// (a, b) is at 2 (a num_rx + b). That is the layout of std::complex<float> arrays (whose
/// reinterpretation as float arrays the standard allows) and of CUDA float2 arrays.
#pragma once

#include "airan/phy/complex_matrix.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/host_device.h"

namespace airan::phy {

/// Most receive antennas of the IRC math (the MIMO equalizer's limit).
constexpr unsigned max_irc_rx_antennas = 16;
/// Values of the Cholesky scratch that regularise_covariance() and whitening_from_covariance()
/// take (row stride max_irc_rx_antennas): a local array on the host, shared memory in a kernel
/// (which keeps 2 KB off every thread's stack).
constexpr unsigned irc_factor_scratch_size = max_irc_rx_antennas * max_irc_rx_antennas;

/// Difference-filter residual d = sum_j c_j h(n + j) of the pilots at \p h (interleaved re, im,
/// pilot n first): white-noise residual of the de-spread pilots, with the channel cancelled.
AIRAN_HOST_DEVICE inline cmat::Complex difference_residual(const DifferenceFilter& filter,
                                                           const float* h) {
  cmat::Complex sum{0.0F, 0.0F};
  for (unsigned j = 0; j <= filter.order; ++j) {
    sum += filter.coefficients[j] * cmat::Complex{h[2 * j], h[2 * j + 1]};
  }
  return sum;
}

/// d_a conj(d_b): one residual vector's contribution to covariance element (a, b).
AIRAN_HOST_DEVICE inline cmat::Complex residual_outer_element(cmat::Complex d_a,
                                                              cmat::Complex d_b) {
  return d_a * cmat::conj(d_b);
}

/// Adds d d^H of the residual vector \p d (one value per antenna) to the upper triangle
/// (b >= a) of the covariance sums \p covariance.
AIRAN_HOST_DEVICE inline void accumulate_residual_covariance(const cmat::Complex* d,
                                                             unsigned num_rx, float* covariance) {
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned b = a; b < num_rx; ++b) {
      const cmat::Complex term = residual_outer_element(d[a], d[b]);
      covariance[2 * (a * num_rx + b)] += term.re;
      covariance[2 * (a * num_rx + b) + 1] += term.im;
    }
  }
}

/// Residuals (by their first pilot n) whose centre pilot lies in one covariance group.
struct ResidualRange {
  unsigned first = 0; ///< First n.
  unsigned end = 0;   ///< One past the last n.
};

/// The residuals of covariance group \p group, the ones ChannelEstimate::covariance_group_of()
/// puts there: residual n (pilots n .. n + order, n + order < num_pilots) belongs to the group of
/// its centre subcarrier (n + order / 2) spacing, groups being \p group_subcarriers wide.
AIRAN_HOST_DEVICE inline ResidualRange
covariance_group_residuals(unsigned group, unsigned group_subcarriers, unsigned spacing,
                           unsigned num_pilots, unsigned order) {
  const unsigned half = order / 2;
  const unsigned residuals = num_pilots > order ? num_pilots - order : 0;
  // Centres c (pilot indices) with c spacing in [group width, (group + 1) width).
  const unsigned first_centre = (group * group_subcarriers + spacing - 1) / spacing;
  const unsigned end_centre = ((group + 1) * group_subcarriers + spacing - 1) / spacing;
  ResidualRange range;
  range.first = first_centre > half ? first_centre - half : 0;
  range.end = end_centre > half ? end_centre - half : 0;
  range.end = range.end < residuals ? range.end : residuals;
  range.first = range.first < range.end ? range.first : range.end;
  return range;
}

/// Turns the residual sums of one covariance group (upper triangle, \p samples residual vectors)
/// into the regularised interference-plus-noise covariance, in place, both triangles: scaled by
/// \p despread_gain / samples (despread_gain = beta^2 D / residual energy), diagonal made real,
/// then diagonal loading of (num_rx / samples) times a noise-floor proxy (the smallest squared
/// Cholesky pivot, or the mean diagonal when samples < num_rx) plus a floor of 1e-6 of the mean
/// diagonal and 1e-10 of \p signal_power. Without samples: \p noise_variance times the identity.
/// \p factor: scratch of irc_factor_scratch_size values. The CPU's finish_covariances() runs this
/// per group.
AIRAN_HOST_DEVICE inline void regularise_covariance(float* covariance, unsigned num_rx,
                                                    unsigned samples, float despread_gain,
                                                    float noise_variance, float signal_power,
                                                    cmat::Complex* factor) {
  const float scale = samples == 0 ? 0.0F : despread_gain / static_cast<float>(samples);
  float trace = 0.0F;
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned b = a; b < num_rx; ++b) {
      float* value = covariance + 2 * (a * num_rx + b);
      if (samples == 0) {
        value[0] = a == b ? noise_variance : 0.0F;
        value[1] = 0.0F;
      } else {
        value[0] = value[0] * scale;
        value[1] = value[1] * scale;
      }
      if (a == b) {
        value[1] = 0.0F;
        trace += value[0];
      }
      // The mirror (the diagonal itself for a == b, whose imaginary part becomes -0).
      float* mirror = covariance + 2 * (b * num_rx + a);
      const float re = value[0];
      const float im = value[1];
      mirror[0] = re;
      mirror[1] = -im;
    }
  }
  const float mean_power = trace / static_cast<float>(num_rx);
  const float floor = 1e-6F * mean_power + 1e-10F * signal_power + 1e-30F;
  // Noise-floor proxy: the smallest squared Cholesky pivot (a conditional variance, never below
  // the smallest eigenvalue); the average power when the samples cannot span the space.
  float noise_floor = mean_power;
  if (samples >= num_rx) {
    constexpr unsigned stride = max_irc_rx_antennas;
    for (unsigned a = 0; a < num_rx; ++a) {
      for (unsigned b = 0; b < num_rx; ++b) {
        const float* v = covariance + 2 * (a * num_rx + b);
        factor[a * stride + b] = {v[0] + (a == b ? floor : 0.0F), v[1]};
      }
    }
    if (cmat::cholesky(factor, num_rx, stride, 0.0F)) {
      for (unsigned a = 0; a < num_rx; ++a) {
        const float pivot2 = factor[a * stride + a].re * factor[a * stride + a].re;
        noise_floor = pivot2 < noise_floor ? pivot2 : noise_floor;
      }
    }
  }
  const float loading =
      samples == 0 ? 0.0F : static_cast<float>(num_rx) / static_cast<float>(samples) * noise_floor;
  for (unsigned a = 0; a < num_rx; ++a) {
    covariance[2 * (a * num_rx + a)] += floor + loading;
  }
}

/// Whitening matrix W = L^-1 (lower triangular, num_rx x num_rx at \p whitening with row stride
/// \p ldw, strict upper triangle 0) of the covariance R = L L^H (interleaved, as above), so that
/// W y and W H have white unit-variance interference plus noise. \p factor: scratch of
/// irc_factor_scratch_size values.
/// \return false when R is not numerically positive definite (\p whitening is then undefined).
AIRAN_HOST_DEVICE inline bool whitening_from_covariance(const float* covariance, unsigned num_rx,
                                                        cmat::Complex* whitening, unsigned ldw,
                                                        cmat::Complex* factor) {
  constexpr unsigned stride = max_irc_rx_antennas;
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned b = 0; b < num_rx; ++b) {
      factor[a * stride + b] = {covariance[2 * (a * num_rx + b)],
                                covariance[2 * (a * num_rx + b) + 1]};
    }
  }
  if (!cmat::cholesky(factor, num_rx, stride, 0.0F)) {
    return false;
  }
  // Column j of L^-1: forward substitution on the unit vector e_j.
  for (unsigned j = 0; j < num_rx; ++j) {
    cmat::Complex column[stride];
    for (unsigned i = 0; i < num_rx; ++i) {
      column[i] = {i == j ? 1.0F : 0.0F, 0.0F};
    }
    cmat::solve_lower(factor, num_rx, stride, column);
    for (unsigned i = 0; i < num_rx; ++i) {
      whitening[i * ldw + j] = column[i];
    }
  }
  return true;
}

/// v = W v for the lower-triangular whitening matrix \p w (stride \p ldw) and num_rx values of
/// \p v at stride \p stride. Rows are independent (no serial substitution). \pre num_rx <= MaxRx.
template <unsigned MaxRx>
AIRAN_HOST_DEVICE inline void whiten(const cmat::Complex* w, unsigned ldw, unsigned num_rx,
                                     cmat::Complex* v, unsigned stride) {
  cmat::Complex result[MaxRx];
  for (unsigned r = 0; r < num_rx; ++r) {
    const cmat::Complex* row = w + r * ldw;
    cmat::Complex sum{0.0F, 0.0F};
    for (unsigned k = 0; k <= r; ++k) {
      sum += row[k] * v[k * stride];
    }
    result[r] = sum;
  }
  for (unsigned r = 0; r < num_rx; ++r) {
    v[r * stride] = result[r];
  }
}

/// Whitens one resource element for MMSE-IRC: y = W y (num_rx values) and H = W H (num_rx x
/// num_layers, row stride \p ldh), after which equalize_resource_element() runs with noise 1.
template <unsigned MaxRx>
AIRAN_HOST_DEVICE inline void
whiten_resource_element(const cmat::Complex* w, unsigned ldw, unsigned num_rx, unsigned num_layers,
                        cmat::Complex* y, cmat::Complex* h, unsigned ldh) {
  whiten<MaxRx>(w, ldw, num_rx, y, 1);
  for (unsigned l = 0; l < num_layers; ++l) {
    whiten<MaxRx>(w, ldw, num_rx, h + l, ldh);
  }
}

} // namespace airan::phy
