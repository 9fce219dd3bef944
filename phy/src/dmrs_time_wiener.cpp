/// \file
/// \brief Wiener time interpolation weights (dmrs_time_wiener.h).
#include "dmrs_time_wiener.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

namespace airan::phy::detail {
namespace {

using cd = std::complex<double>;

/// Entries of an occasions x occasions matrix.
constexpr std::size_t max_matrix_entries = std::size_t{max_dmrs_occasions} * max_dmrs_occasions;

/// First zero of J0.
constexpr double j0_first_zero = 2.404825557695773;

/// rho(tau) of time_wiener_weights().
cd time_correlation(double tau, double doppler_hz, double cfo_hz) {
  const double two_pi = 2.0 * std::numbers::pi;
  return std::cyl_bessel_j(0.0, two_pi * doppler_hz * std::abs(tau)) *
         std::polar(1.0, two_pi * cfo_hz * tau);
}

/// Solves a x = b for a (n x n, row-major, n <= max_dmrs_occasions) by Gaussian elimination
/// with partial pivoting; a and b are overwritten, x is left in b.
void solve(std::array<cd, max_matrix_entries>& a, std::array<cd, max_dmrs_occasions>& b,
           unsigned n) {
  for (unsigned c = 0; c < n; ++c) {
    unsigned pivot = c;
    for (unsigned r = c + 1; r < n; ++r) {
      if (std::abs(a[r * n + c]) > std::abs(a[pivot * n + c])) {
        pivot = r;
      }
    }
    if (pivot != c) {
      for (unsigned k = 0; k < n; ++k) {
        std::swap(a[c * n + k], a[pivot * n + k]);
      }
      std::swap(b[c], b[pivot]);
    }
    for (unsigned r = c + 1; r < n; ++r) {
      const cd factor = a[r * n + c] / a[c * n + c];
      for (unsigned k = c; k < n; ++k) {
        a[r * n + k] -= factor * a[c * n + k];
      }
      b[r] -= factor * b[c];
    }
  }
  for (unsigned c = n; c-- > 0;) {
    for (unsigned k = c + 1; k < n; ++k) {
      b[c] -= a[c * n + k] * b[k];
    }
    b[c] /= a[c * n + c];
  }
}

} // namespace

double doppler_from_time_correlation(double correlation, double dt) {
  if (!(dt > 0.0) || correlation >= 1.0) {
    return 0.0;
  }
  const double scale = 1.0 / (2.0 * std::numbers::pi * dt);
  if (!(correlation > 0.0)) {
    return j0_first_zero * scale;
  }
  // J0 falls monotonically from 1 to 0 on [0, first zero]: bisection to double precision.
  double low = 0.0;
  double high = j0_first_zero;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (low + high);
    if (std::cyl_bessel_j(0.0, mid) > correlation) {
      low = mid;
    } else {
      high = mid;
    }
  }
  return 0.5 * (low + high) * scale;
}

void time_wiener_weights(std::span<const double> occasion_times_s,
                         std::span<const double> symbol_times_s, unsigned first, unsigned end,
                         double doppler_hz, double cfo_hz, double noise_ratio,
                         TimeWienerWeights& out) {
  const auto n = static_cast<unsigned>(occasion_times_s.size());
  out.occasions = n;
  const double loading = std::max(noise_ratio, 1e-6);
  std::array<cd, max_matrix_entries> r{};
  for (unsigned l = first; l < end; ++l) {
    for (unsigned a = 0; a < n; ++a) {
      for (unsigned b = 0; b < n; ++b) {
        r[a * n + b] =
            time_correlation(occasion_times_s[a] - occasion_times_s[b], doppler_hz, cfo_hz) +
            (a == b ? loading : 0.0);
      }
    }
    // w = r_l R^-1, i.e. R^T w^T = r_l^T: R is Hermitian, so R^T = conj(R) and the solution of
    // conj(R) v = r_l^T is w.
    std::array<cd, max_dmrs_occasions> w{};
    for (unsigned o = 0; o < n; ++o) {
      w[o] = time_correlation(symbol_times_s[l] - occasion_times_s[o], doppler_hz, cfo_hz);
    }
    for (cd& v : r) {
      v = std::conj(v);
    }
    solve(r, w, n);
    // Gain towards a channel that only rotates at the CFO: sum_o w_o e^{j 2 pi f (t_o - t_l)}.
    cd gain = 0.0;
    for (unsigned o = 0; o < n; ++o) {
      gain += w[o] * std::polar(1.0, 2.0 * std::numbers::pi * cfo_hz *
                                         (occasion_times_s[o] - symbol_times_s[l]));
    }
    for (unsigned o = 0; o < n; ++o) {
      const cd v = std::abs(gain) > 1e-12 ? w[o] / gain : w[o];
      out.weights[l][o] = cf32(static_cast<float>(v.real()), static_cast<float>(v.imag()));
    }
  }
}

} // namespace airan::phy::detail
