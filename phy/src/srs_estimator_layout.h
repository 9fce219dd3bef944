/// \file
/// \brief Internal to SrsEstimator (srs_estimator.cpp, srs_estimator_ports.cpp): the scratch
/// bounds, what process() derives from a PDU and its foreign ports before reading the grid (the
/// cyclic shifts, period P and block B of each comb), and what the port separation sums.
#pragma once

#include "airan/phy/numerology.h"
#include "airan/phy/srs_estimator.h"

#include "srs_phasors.h"

#include <array>
#include <cstdint>

namespace airan::phy {
namespace srs_detail {

constexpr unsigned max_prbs = 272; // the widest m_SRS,0 of Table 6.4.1.4.3-1
constexpr unsigned max_sequence_length = max_prbs * subcarriers_per_prb / 2;
constexpr unsigned max_combs = 2;
constexpr unsigned max_bwp_prbs = 275; // the rows of SrsEstimatorResult::prb_snr_db
constexpr unsigned max_period = CyclicShiftPhasors::max_size;

} // namespace srs_detail

/// One comb of a PDU: its ports, the foreign shifts beside them, P and B.
struct SrsEstimator::CombLayout {
  unsigned count = 0;                                 ///< This PDU's ports on the comb.
  std::array<unsigned, SrsConfig::max_ports> ports{}; ///< Their port numbers.
  unsigned comb = 0;                                  ///< k_TC of the comb.
  unsigned first_shift = 0;                           ///< n_0: the first port's n_SRS^cs,i.
  std::uint16_t shifts = 0;                           ///< Bit n: cyclic shift n is in use.
  bool foreign = false;                               ///< Some shift is another UE's.
  unsigned period = 1;                                ///< P.
  unsigned block = 0;                                 ///< B: comb REs per block.
  /// The DFT bins of no shift (bit m, m < P): the noise when the comb has no second difference.
  std::uint16_t empty_bins = 0;
  /// Second differences within windows of this many REs: B when B >= 3 P, else M when M >= 3 P,
  /// else 0 (the empty bins instead).
  unsigned noise_window = 0;
  float gain = 0.0F; ///< sqrt(N_ap) / B: g_p from a DFT of class sums.
};

/// What process() derives from the PDU and its foreign ports before reading the grid.
struct SrsEstimator::Layout {
  unsigned length = 0;      ///< M = M_sc,b^SRS: comb REs per symbol and comb.
  unsigned comb_size = 2;   ///< K_TC.
  unsigned res_per_prb = 0; ///< 12 / K_TC.
  unsigned num_symbols = 1; ///< N_symb^SRS.
  unsigned num_combs = 1;   ///< 2 when a 4-port SRS splits over two combs.
  unsigned lag = 1;         ///< L: the lcm of the combs' P.
  bool foreign = false;     ///< Some comb has a foreign shift.
  std::array<CombLayout, srs_detail::max_combs> combs{};
  std::array<std::array<unsigned, srs_detail::max_combs>, SrsConfig::max_symbols> k0{};
  std::array<unsigned, SrsConfig::max_symbols> first_prb{}; ///< Relative to the BWP start.
  std::array<LowPaprSequenceId, SrsConfig::max_symbols> ids{};
  /// Per port and class r < P: e^{-j (alpha_p - alpha_0) r} (alpha_0: the first port of the
  /// port's comb), the DFT at the port's bin.
  std::array<std::array<cf32, srs_detail::max_period>, SrsConfig::max_ports> unshift{};
};

/// What separate_ports() summed over the PDU.
struct SrsEstimator::Sums {
  double residual = 0.0;       ///< |d(k' - P) + d(k' + P) - 2 d(k')|^2, |empty bin|^2 / B.
  double residual_terms = 0.0; ///< Its expectation per unit noise variance.
};

} // namespace airan::phy
