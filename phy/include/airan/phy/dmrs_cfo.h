/// \file
/// \brief Carrier frequency offset from the phase drift of the de-spread DMRS pilots between
/// consecutive DMRS occasions, the math shared by the CPU channel estimator and the CUDA one:
/// per occasion pair the correlation sum of b conj(a) over every antenna, layer and pilot, then
/// the correlation-weighted mean of arg(c) / (2 pi dt).
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/pusch_config.h"

#include <array>
#include <cmath>
#include <span>

namespace airan::phy {

/// Most DMRS occasions in a slot (front-loaded plus three additional positions).
inline constexpr unsigned max_dmrs_occasions = 4;

/// Adds b conj(a) of one pilot (a of an occasion, b of the next) to the pair's correlation,
/// accumulated in double.
AIRAN_HOST_DEVICE inline void add_cfo_correlation(float a_re, float a_im, float b_re, float b_im,
                                                  double& c_re, double& c_im) {
  c_re += static_cast<double>(b_re * a_re + b_im * a_im);
  c_im += static_cast<double>(b_im * a_re - b_re * a_im);
}

/// The CFO in Hz of \p num_pairs occasion pairs with correlations (c_re, c_im) and time steps
/// \p dt (seconds between the occasions' centres): sum_p |c_p| arg(c_p) / (2 pi dt_p) / sum |c_p|,
/// pairs with c = 0 left out, 0 when all are.
AIRAN_HOST_DEVICE inline double cfo_from_correlations(const double* c_re, const double* c_im,
                                                      const double* dt, unsigned num_pairs) {
  constexpr double two_pi = 6.283185307179586476925286766559;
  double weighted = 0.0;
  double total = 0.0;
  for (unsigned p = 0; p < num_pairs; ++p) {
    const double weight = hypot(c_re[p], c_im[p]);
    if (weight == 0.0) {
      continue;
    }
    weighted += weight * atan2(c_im[p], c_re[p]) / (two_pi * dt[p]);
    total += weight;
  }
  return total > 0.0 ? weighted / total : 0.0;
}

/// Seconds between the centres of consecutive DMRS occasions of \p cell's slot \p slot (an
/// occasion's centre is the mean of its symbols' FFT-window centres): dt[o] for occasions o and
/// o + 1, \p dmrs_symbols in slot order, \p symbols_per_occasion of them per occasion. Returns the
/// number of pairs (occasions - 1, 0 with one occasion).
unsigned dmrs_occasion_time_steps(const CellConfig& cell, unsigned slot,
                                  std::span<const unsigned> dmrs_symbols,
                                  unsigned symbols_per_occasion,
                                  double (&dt)[max_dmrs_occasions - 1]);

/// FFT-window centre of each symbol of \p cell's slot \p slot, in seconds from the slot start
/// (the times dmrs_occasion_time_steps() takes its steps between).
void dmrs_symbol_centres(const CellConfig& cell, unsigned slot,
                         std::array<double, max_symbols_per_slot>& centre_s);

/// Each DMRS occasion's time, the mean of its symbols' \p centre_s (dmrs_symbol_centres()):
/// \p dmrs_symbols in slot order, \p symbols_per_occasion of them per occasion. Returns the
/// number of occasions. \throws std::invalid_argument as dmrs_occasion_time_steps().
unsigned dmrs_occasion_times(const std::array<double, max_symbols_per_slot>& centre_s,
                             std::span<const unsigned> dmrs_symbols, unsigned symbols_per_occasion,
                             double (&times_s)[max_dmrs_occasions]);

} // namespace airan::phy
