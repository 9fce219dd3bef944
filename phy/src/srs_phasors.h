/// \file
/// \brief Internal helpers of the SRS writer and estimator: the cyclic-shift phasors
/// e^{+-j 2 pi n / n_SRS^cs,max} as an exact table, and complex products written out (std::complex
/// multiplication checks for NaN and does not vectorise without -ffast-math).
#pragma once

#include "airan/phy/types.h"

#include <array>
#include <complex>
#include <cstddef>
#include <numbers>
#include <span>

namespace airan::phy::srs_detail {

/// a b.
inline cf32 multiply(cf32 a, cf32 b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

/// a conj(b).
inline cf32 multiply_conj(cf32 a, cf32 b) {
  return {a.real() * b.real() + a.imag() * b.imag(), a.imag() * b.real() - a.real() * b.imag()};
}

/// out[k] = e^{j theta k}: eight phasors by recurrence from std::polar, then blocks of eight by a
/// double-precision recurrence (error about 1e-13 rad over 1632 values, and short chains).
inline void fill_phase_ramp(double theta, std::span<cf32> out) {
  constexpr std::size_t span = 8;
  std::array<std::complex<double>, span> near{};
  const std::complex<double> turn = std::polar(1.0, theta);
  near[0] = 1.0;
  for (std::size_t j = 1; j < span; ++j) {
    near[j] = near[j - 1] * turn;
  }
  const std::complex<double> block_turn = near[span - 1] * turn;
  std::complex<double> block(1.0, 0.0);
  for (std::size_t start = 0; start < out.size(); start += span) {
    for (std::size_t j = 0; j < span && start + j < out.size(); ++j) {
      const double re = block.real() * near[j].real() - block.imag() * near[j].imag();
      const double im = block.real() * near[j].imag() + block.imag() * near[j].real();
      out[start + j] = cf32(static_cast<float>(re), static_cast<float>(im));
    }
    block = {block.real() * block_turn.real() - block.imag() * block_turn.imag(),
             block.real() * block_turn.imag() + block.imag() * block_turn.real()};
  }
}

/// e^{j 2 pi n / N} and its conjugate for n = 0 .. N - 1, N = n_SRS^cs,max (8 or 12): the phase
/// alpha_i k' = 2 pi (n_SRS^cs,i k' mod N) / N of a port's cyclic shift on comb RE k', exact for
/// every k' (a float alpha times k' drifts by 1e-3 rad over 1632 REs).
class CyclicShiftPhasors {
public:
  static constexpr unsigned max_size = 12;

  explicit CyclicShiftPhasors(unsigned size) : size_(size) {
    for (unsigned n = 0; n < size; ++n) {
      const std::complex<double> value =
          std::polar(1.0, 2.0 * std::numbers::pi * static_cast<double>(n) / size);
      forward_[n] = cf32(static_cast<float>(value.real()), static_cast<float>(value.imag()));
      backward_[n] = std::conj(forward_[n]);
    }
  }

  [[nodiscard]] unsigned size() const { return size_; }
  /// e^{j 2 pi n / N}, n < N.
  [[nodiscard]] cf32 forward(unsigned n) const { return forward_[n]; }
  /// e^{-j 2 pi n / N}, n < N.
  [[nodiscard]] cf32 backward(unsigned n) const { return backward_[n]; }
  /// (n + step) mod N for n, step < N.
  [[nodiscard]] unsigned next(unsigned n, unsigned step) const {
    const unsigned sum = n + step;
    return sum >= size_ ? sum - size_ : sum;
  }

private:
  unsigned size_;
  std::array<cf32, max_size> forward_{};
  std::array<cf32, max_size> backward_{};
};

/// The phasors of n_SRS^cs,max for comb \p comb_size: 8 for comb 2, 12 for comb 4 (built once).
inline const CyclicShiftPhasors& cyclic_shift_phasors(unsigned comb_size) {
  static const CyclicShiftPhasors comb2(8);
  static const CyclicShiftPhasors comb4(12);
  return comb_size == 4 ? comb4 : comb2;
}

} // namespace airan::phy::srs_detail
