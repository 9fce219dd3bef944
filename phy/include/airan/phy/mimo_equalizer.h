/// \file
/// \brief MIMO equalization of 1-4 layers on 1-16 receive antennas: zero forcing, MMSE and
/// MMSE-IRC, with the post-equalization noise variance of every symbol for the soft demapper.
///
/// Per resource element, with y the received vector, H the num_rx x num_layers channel and
/// unit-power symbols:
///  - ZF: x = (H^H H)^-1 H^H y, noise_l = sigma^2 [(H^H H)^-1]_ll.
///  - MMSE: A = (H^H H + sigma^2 I)^-1, x_b = A H^H y (the biased MMSE estimate). Its gain on
///    layer l is mu_l = [A H^H H]_ll = 1 - sigma^2 A_ll; the output is unbiased, x_l = x_b,l /
///    mu_l, with noise-plus-interference variance noise_l = sigma^2 A_ll / mu_l (= 1 / SINR_l).
///  - MMSE-IRC: with the interference-plus-noise covariance R = L L^H (Cholesky), the whitened
///    H' = L^-1 H and y' = L^-1 y go through MMSE with sigma^2 = 1, which is
///    x_b = (H^H R^-1 H + I)^-1 H^H R^-1 y, then unbiased as above.
/// As sigma^2 -> 0 (or R -> 0), MMSE and MMSE-IRC tend to ZF.
///
/// Where (H^H H + lambda I) is not numerically positive definite (ZF on a rank-deficient
/// channel) the RE's symbols are 0 and their noise variance is infinite (LLRs of 0).
#pragma once

#include "airan/phy/complex_matrix.h"
#include "airan/phy/host_device.h"
#include "airan/phy/types.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <span>

namespace airan::phy {

/// Most receive antennas the equalizer handles.
constexpr unsigned max_equalizer_rx_antennas = 16;
/// Most layers the equalizer handles.
constexpr unsigned max_equalizer_layers = 4;

/// Equalization algorithm.
enum class EqualizerAlgorithm : std::uint8_t {
  zf,       ///< Zero forcing (needs num_rx >= num_layers).
  mmse,     ///< Linear MMSE with white noise of variance sigma^2 per antenna.
  mmse_irc, ///< MMSE with interference rejection: full covariance across antennas.
};

/// Equalizes one resource element (the per-RE kernel of every algorithm).
/// \param h            num_rx x num_layers channel, row stride \p ldh.
/// \param y            num_rx received values.
/// \param noise        sigma^2 of y's white noise (1 after whitening).
/// \param mmse         true: regularise with sigma^2 and remove the MMSE bias; false: ZF.
/// \param x            num_layers equalized symbols.
/// \param post_noise   num_layers post-equalization noise variances.
template <unsigned MaxLayers>
AIRAN_HOST_DEVICE inline void equalize_resource_element(const cmat::Complex* h, unsigned ldh,
                                                        const cmat::Complex* y, unsigned num_rx,
                                                        unsigned num_layers, float noise, bool mmse,
                                                        cmat::Complex* x, float* post_noise) {
  cmat::Complex gram[MaxLayers * MaxLayers];
  cmat::Complex matched[MaxLayers];
  cmat::gram(h, num_rx, num_layers, ldh, gram, MaxLayers);
  cmat::matched_filter(h, num_rx, num_layers, ldh, y, matched);
  float largest = 0.0F;
  for (unsigned l = 0; l < num_layers; ++l) {
    largest = gram[l * MaxLayers + l].re > largest ? gram[l * MaxLayers + l].re : largest;
    if (mmse) {
      gram[l * MaxLayers + l].re += noise;
    }
  }
  // Pivots must stay above 1e-6 of the largest diagonal for ZF (numerically singular below).
  const float min_pivot = mmse ? 0.0F : 1e-6F * largest;
  cmat::Complex inverse[MaxLayers * MaxLayers];
  bool solvable = largest > 0.0F || mmse;
  if (solvable && num_layers <= 2) {
    // Closed form (shorter dependency chain than Cholesky): A = adj(G) / det(G).
    const float g00 = gram[0].re;
    if (num_layers == 1) {
      solvable = g00 > min_pivot;
      inverse[0] = {1.0F / g00, 0.0F};
    } else {
      const float g11 = gram[MaxLayers + 1].re;
      const cmat::Complex g01 = gram[1];
      const float det = g00 * g11 - cmat::norm2(g01);
      solvable = g00 > min_pivot && det > min_pivot * g00;
      const float inverse_det = 1.0F / det;
      inverse[0] = {g11 * inverse_det, 0.0F};
      inverse[MaxLayers + 1] = {g00 * inverse_det, 0.0F};
      inverse[1] = -inverse_det * g01;
      inverse[MaxLayers] = cmat::conj(inverse[1]);
    }
  } else if (solvable) {
    solvable = cmat::cholesky(gram, num_layers, MaxLayers, min_pivot);
    if (solvable) {
      cmat::cholesky_inverse<MaxLayers>(gram, num_layers, MaxLayers, inverse, MaxLayers);
    }
  }
  if (!solvable) {
    for (unsigned l = 0; l < num_layers; ++l) {
      x[l] = {0.0F, 0.0F};
      post_noise[l] = INFINITY;
    }
    return;
  }
  for (unsigned l = 0; l < num_layers; ++l) {
    cmat::Complex sum{0.0F, 0.0F};
    for (unsigned k = 0; k < num_layers; ++k) {
      sum += inverse[l * MaxLayers + k] * matched[k];
    }
    const float diagonal = inverse[l * MaxLayers + l].re;
    // MMSE gain mu = 1 - sigma^2 A_ll, kept away from 0 (a layer drowned in noise).
    float gain = mmse ? 1.0F - noise * diagonal : 1.0F;
    gain = gain > 1e-6F ? gain : 1e-6F;
    x[l] = (1.0F / gain) * sum;
    post_noise[l] = noise * diagonal / gain;
  }
}

/// REs to equalize: per-antenna rows of received values and channel coefficients.
struct EqualizerInput {
  unsigned num_rx = 0;     ///< 1 .. max_equalizer_rx_antennas.
  unsigned num_layers = 0; ///< 1 .. max_equalizer_layers.
  std::size_t num_res = 0; ///< REs in every row.
  /// num_rx rows: received[r][i] is RE i on receive antenna r.
  std::span<const cf32* const> received;
  /// num_rx * num_layers rows: channel[r * num_layers + l][i] is H(r, l) of RE i.
  std::span<const cf32* const> channel;
};

/// Noise of the REs of one equalize() call.
struct EqualizerNoise {
  /// sigma^2 per receive antenna (ZF and MMSE).
  float variance = 0.0F;
  /// num_rx x num_rx interference-plus-noise covariance, row-major (MMSE-IRC only).
  std::span<const cf32> covariance;
};

/// MIMO equalizer stage. Allocation-free; not thread-safe.
class MimoEqualizer {
public:
  virtual ~MimoEqualizer() = default;

  [[nodiscard]] virtual EqualizerAlgorithm algorithm() const = 0;

  /// Equalizes input.num_res REs. Outputs are RE-major: symbols[i * num_layers + l] and
  /// noise_variances[i * num_layers + l] for RE i, layer l, which is codeword order (layer
  /// demapping done) when the REs are a PUSCH's data REs in mapping order.
  /// \throws std::invalid_argument on sizes out of range or mismatched spans, ZF with fewer
  /// antennas than layers, or MMSE-IRC without a covariance of num_rx^2 elements.
  virtual void equalize(const EqualizerInput& input, const EqualizerNoise& noise,
                        std::span<cf32> symbols, std::span<float> noise_variances) = 0;
};

/// Creates the default (portable C++) equalizer for \p algorithm.
/// \p simd: use AVX2 where the CPU has it (1 to 4 layers, ZF, MMSE and MMSE-IRC: eight REs per
/// step, bit for bit the scalar kernel's results except the sign of a NaN that a non-finite input
/// leaves); false: the scalar kernel only (for comparisons).
std::unique_ptr<MimoEqualizer> create_mimo_equalizer(EqualizerAlgorithm algorithm,
                                                     bool simd = true);

} // namespace airan::phy
