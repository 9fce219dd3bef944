/// \file
/// \brief Portable MIMO equalizer: the per-RE kernel of mimo_equalizer.h over rows of REs, with
/// the layer and antenna counts as template parameters and, for MMSE-IRC, whitening by the
/// inverse Cholesky factor of the covariance (computed once per call; the math is irc_whitening.h,
/// shared with the CUDA front end).
#include "airan/phy/mimo_equalizer.h"

#include "mimo_equalizer_avx2.h"

#include "airan/phy/irc_whitening.h"

#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

using cmat::Complex;

Complex load(const cf32& value) {
  const auto* parts = reinterpret_cast<const float*>(&value);
  return {parts[0], parts[1]};
}

/// Whitening matrix W = L^-1 of an interference covariance R = L L^H (lower triangular, row
/// stride max_equalizer_rx_antennas), so that W y and W H have white unit-variance noise.
struct Whitening {
  Complex matrix[max_equalizer_rx_antennas * max_equalizer_rx_antennas];
};

/// Equalizes the rows of \p input with \p Layers layers and \p Rx receive antennas (0: the
/// runtime input.num_rx), so that the common shapes get fully unrolled kernels.
template <unsigned Layers, unsigned Rx>
void equalize_rows(const EqualizerInput& input, std::size_t first_re, float noise, bool mmse,
                   const Whitening* whitening, cf32* symbols, float* noise_variances) {
  const unsigned num_rx = Rx != 0 ? Rx : input.num_rx;
  Complex h[max_equalizer_rx_antennas * Layers];
  Complex y[max_equalizer_rx_antennas];
  Complex x[Layers];
  float post_noise[Layers];
  for (std::size_t i = first_re; i < input.num_res; ++i) {
    for (unsigned r = 0; r < num_rx; ++r) {
      y[r] = load(input.received[r][i]);
      for (unsigned l = 0; l < Layers; ++l) {
        h[r * Layers + l] = load(input.channel[r * Layers + l][i]);
      }
    }
    if (whitening != nullptr) {
      whiten_resource_element<max_equalizer_rx_antennas>(
          whitening->matrix, max_equalizer_rx_antennas, num_rx, Layers, y, h, Layers);
    }
    equalize_resource_element<Layers>(h, Layers, y, num_rx, Layers, noise, mmse, x, post_noise);
    float* out = reinterpret_cast<float*>(symbols + i * Layers);
    for (unsigned l = 0; l < Layers; ++l) {
      out[std::size_t{2} * l] = x[l].re;
      out[2 * l + 1] = x[l].im;
      noise_variances[i * Layers + l] = post_noise[l];
    }
  }
}

/// equalize_rows() with a compile-time antenna count for 1, 2, 4, 8 and 16 antennas.
template <unsigned Layers>
void dispatch_rx(const EqualizerInput& input, std::size_t first_re, float noise, bool mmse,
                 const Whitening* whitening, cf32* symbols, float* noise_variances) {
  switch (input.num_rx) {
  case 1:
    equalize_rows<Layers, 1>(input, first_re, noise, mmse, whitening, symbols, noise_variances);
    break;
  case 2:
    equalize_rows<Layers, 2>(input, first_re, noise, mmse, whitening, symbols, noise_variances);
    break;
  case 4:
    equalize_rows<Layers, 4>(input, first_re, noise, mmse, whitening, symbols, noise_variances);
    break;
  case 8:
    equalize_rows<Layers, 8>(input, first_re, noise, mmse, whitening, symbols, noise_variances);
    break;
  case 16:
    equalize_rows<Layers, 16>(input, first_re, noise, mmse, whitening, symbols, noise_variances);
    break;
  default:
    equalize_rows<Layers, 0>(input, first_re, noise, mmse, whitening, symbols, noise_variances);
    break;
  }
}

class MimoEqualizerImpl final : public MimoEqualizer {
public:
  MimoEqualizerImpl(EqualizerAlgorithm algorithm, bool avx2) : algorithm_(algorithm), avx2_(avx2) {}

  [[nodiscard]] EqualizerAlgorithm algorithm() const override { return algorithm_; }

  void equalize(const EqualizerInput& input, const EqualizerNoise& noise, std::span<cf32> symbols,
                std::span<float> noise_variances) override {
    check(input, noise, symbols, noise_variances);
    if (input.num_res == 0) {
      return;
    }
    const Whitening* whitening = nullptr;
    float variance = noise.variance;
    bool mmse = algorithm_ != EqualizerAlgorithm::zf;
    if (algorithm_ == EqualizerAlgorithm::mmse_irc) {
      factor_covariance(input.num_rx, noise.covariance);
      whitening = &whitening_;
      variance = 1.0F;
    }
    cf32* out = symbols.data();
    float* out_noise = noise_variances.data();
    // Eight REs per AVX2 step where it applies (bit-exact with the scalar kernel), the rest here.
    std::size_t first = 0;
    if (avx2_) {
      first = detail::equalize_rows_avx2(input, variance, mmse,
                                         whitening != nullptr ? whitening->matrix : nullptr, out,
                                         out_noise);
    }
    switch (input.num_layers) {
    case 1:
      dispatch_rx<1>(input, first, variance, mmse, whitening, out, out_noise);
      break;
    case 2:
      dispatch_rx<2>(input, first, variance, mmse, whitening, out, out_noise);
      break;
    case 3:
      dispatch_rx<3>(input, first, variance, mmse, whitening, out, out_noise);
      break;
    default:
      dispatch_rx<4>(input, first, variance, mmse, whitening, out, out_noise);
      break;
    }
  }

private:
  void check(const EqualizerInput& input, const EqualizerNoise& noise,
             std::span<const cf32> symbols, std::span<const float> noise_variances) const {
    if (input.num_rx < 1 || input.num_rx > max_equalizer_rx_antennas || input.num_layers < 1 ||
        input.num_layers > max_equalizer_layers) {
      throw std::invalid_argument("MIMO equalizer: 1..16 receive antennas and 1..4 layers");
    }
    if (input.received.size() < input.num_rx ||
        input.channel.size() < std::size_t{input.num_rx} * input.num_layers) {
      throw std::invalid_argument("MIMO equalizer: fewer rows than antennas (x layers)");
    }
    const std::size_t outputs = input.num_res * input.num_layers;
    if (symbols.size() != outputs || noise_variances.size() != outputs) {
      throw std::invalid_argument("MIMO equalizer: outputs need " + std::to_string(outputs) +
                                  " symbols and noise variances");
    }
    if (algorithm_ == EqualizerAlgorithm::zf && input.num_rx < input.num_layers) {
      throw std::invalid_argument("MIMO equalizer: zero forcing needs at least as many receive "
                                  "antennas as layers");
    }
    if (algorithm_ == EqualizerAlgorithm::mmse_irc &&
        noise.covariance.size() != std::size_t{input.num_rx} * input.num_rx) {
      throw std::invalid_argument("MIMO equalizer: MMSE-IRC needs a num_rx x num_rx covariance");
    }
  }

  /// Whitening matrix L^-1 of the covariance into whitening_ (irc_whitening.h, shared with the
  /// CUDA front end). \throws std::invalid_argument when the covariance is not positive definite.
  void factor_covariance(unsigned num_rx, std::span<const cf32> covariance) {
    Complex factor[irc_factor_scratch_size];
    if (!whitening_from_covariance(reinterpret_cast<const float*>(covariance.data()), num_rx,
                                   whitening_.matrix, max_equalizer_rx_antennas, factor)) {
      throw std::invalid_argument("MIMO equalizer: the interference covariance is not positive "
                                  "definite");
    }
  }

  EqualizerAlgorithm algorithm_;
  Whitening whitening_{};
  bool avx2_ = false; ///< Eight REs per AVX2 step (every layer count and algorithm).
};

} // namespace

std::unique_ptr<MimoEqualizer> create_mimo_equalizer(EqualizerAlgorithm algorithm, bool simd) {
  return std::make_unique<MimoEqualizerImpl>(algorithm, simd && detail::equalizer_avx2_available());
}

} // namespace airan::phy
