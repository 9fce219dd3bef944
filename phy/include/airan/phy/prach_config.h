/// \file
/// \brief One PRACH occasion of a carrier (TS 38.211 5.3.2 and 6.3.3): its configuration, where
/// its samples and subcarriers lie at the carrier's sample rate, and the root sequence and
/// cyclic shift of each of its 64 preambles (unrestricted set).
#pragma once

#include "airan/phy/numerology.h"
#include "airan/phy/prach_format.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <span>
#include <string>

namespace airan::phy {

/// Configuration of one PRACH occasion, in the terms of RACH-ConfigCommon and the FAPI PRACH PDU.
struct PrachConfig {
  PrachFormat format = PrachFormat::f0;
  /// msg1-SubcarrierSpacing of a short format: the PRACH spacing is 15 * 2^mu kHz. Ignored by
  /// the long formats, whose spacing the format fixes.
  unsigned short_format_numerology = 0;
  /// prach-RootSequenceIndex: the first logical root (0 .. 837 for L_RA 839, 0 .. 137 for 139).
  unsigned root_sequence_index = 0;
  /// N_CS, the cyclic shift length (FAPI numCs): a value of the unrestricted N_CS table of the
  /// PRACH spacing; 0 means one preamble per root sequence.
  unsigned cyclic_shift_length = 13;
  /// First PRB of the occasion from the carrier's PRB 0, in PUSCH PRBs: BWP start +
  /// msg1-FrequencyStart + n_RA * N_RB^RA.
  unsigned first_prb = 0;
  /// OFDM symbol (of the carrier's numerology) of the occasion's slot at which the preamble's
  /// cyclic prefix begins (FAPI prachStartSymbol).
  unsigned start_symbol = 0;

  friend bool operator==(const PrachConfig&, const PrachConfig&) = default;
};

/// PRACH subcarrier spacing of \p config in Hz.
[[nodiscard]] std::uint32_t prach_subcarrier_spacing_hz(const PrachConfig& config);

/// Empty when \p config is a PRACH occasion a carrier of \p numerology and \p num_prbs PRBs can
/// carry (format, spacing pair of Table 6.3.3.2-1, a short format at the carrier's own spacing
/// (else its occasions are not whole carrier symbols), N_CS in its table, root index in range,
/// occasion inside the carrier, start symbol in the slot, lengths whole samples); otherwise why
/// not.
[[nodiscard]] std::string validate_prach_config(const PrachConfig& config,
                                                const Numerology& numerology, unsigned num_prbs);

/// Where one PRACH occasion lies in a carrier's sampled signal, at the carrier's sample rate.
/// The occasion is cyclic_prefix samples of CP then repetitions periods of period_length
/// samples; each period is one period of the preamble, whose subcarrier k (0 .. L_RA - 1) is bin
/// (first_bin + k) mod period_length of a period_length-point DFT.
struct PrachOccasionLayout {
  unsigned sequence_length = 0;            ///< L_RA.
  std::uint32_t subcarrier_spacing_hz = 0; ///< PRACH spacing.
  unsigned repetitions = 0;                ///< Periods of the sequence.
  unsigned period_length = 0;              ///< Samples per period: sample rate / PRACH spacing.
  unsigned cyclic_prefix = 0;      ///< CP samples, with 16 kappa per half-subframe boundary met.
  unsigned start = 0;              ///< Offset of the CP's first sample from the slot's start.
  int first_bin = 0;               ///< K k_1 + k-bar, in PRACH subcarriers from DC.
  unsigned preambles_per_root = 0; ///< floor(L_RA / N_CS), or 1 when N_CS is 0.
  unsigned num_roots = 0;          ///< Root sequences the 64 preambles use.
  double sample_rate_hz = 0;       ///< The carrier's.

  /// CP plus every period.
  [[nodiscard]] unsigned length() const { return cyclic_prefix + repetitions * period_length; }
};

/// The layout of \p config's occasion in slot \p slot (only its place in the subframe matters).
/// \throws std::invalid_argument when validate_prach_config() fails.
[[nodiscard]] PrachOccasionLayout prach_occasion_layout(const PrachConfig& config,
                                                        const Numerology& numerology,
                                                        unsigned num_prbs, unsigned slot);

/// Root sequence and cyclic shift of one preamble.
struct PrachPreambleSequence {
  unsigned root = 0;         ///< Physical root u.
  unsigned root_ordinal = 0; ///< Which of the occasion's roots (0 .. num_roots - 1).
  unsigned cyclic_shift = 0; ///< C_v.
};

/// Preamble \p preamble_index (0 .. 63) of \p config: preambles fill the cyclic shifts of a
/// root in increasing order, then the next logical root (38.211 6.3.3.1, unrestricted set).
/// \throws std::invalid_argument for an index over 63 or an invalid N_CS.
[[nodiscard]] PrachPreambleSequence prach_preamble_sequence(const PrachConfig& config,
                                                            unsigned preamble_index);

/// The Zadoff-Chu root \p root of length \p sequence_length in the frequency domain, normalised
/// to unit magnitude: Y_u(k) = L^-1/2 sum_n x_u(n) exp(-j 2 pi n k / L), x_u(n) =
/// exp(-j pi u n (n + 1) / L). A cyclic shift C_v multiplies bin k by exp(j 2 pi C_v k / L).
/// \throws std::invalid_argument when \p out does not hold sequence_length values.
void prach_root_spectrum(unsigned sequence_length, unsigned root, std::span<cf32> out);

} // namespace airan::phy
