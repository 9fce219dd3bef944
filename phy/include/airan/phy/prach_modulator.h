/// \file
/// \brief The PRACH preamble in the time domain at a carrier's sample rate (TS 38.211 5.3.2):
/// PrachModulator writes a UE's preamble, PrachDemodulator takes an occasion's samples back to
/// its L_RA subcarriers per period (the receiver's OFDM step for PRACH).
#pragma once

#include "airan/phy/fft_plan.h"
#include "airan/phy/prach_buffer.h"
#include "airan/phy/prach_config.h"

#include <span>
#include <vector>

namespace airan::phy {

/// Generates the preambles of one PRACH configuration on one carrier. The samples of a period
/// are an IFFT scaled by 1/sqrt(N) of unit-magnitude subcarriers times the amplitude, like
/// OfdmModulator: amplitude a gives a^2 per PRACH subcarrier after PrachDemodulator.
/// Allocates at construction only. Not thread-safe.
class PrachModulator {
public:
  /// \throws std::invalid_argument when validate_prach_config() fails.
  PrachModulator(const PrachConfig& config, const Numerology& numerology, unsigned num_prbs);

  [[nodiscard]] const PrachConfig& config() const { return config_; }
  /// The occasion's layout in slot \p slot.
  [[nodiscard]] PrachOccasionLayout layout(unsigned slot) const;

  /// Writes preamble \p preamble_index (0 .. 63) with amplitude \p amplitude into \p out, which
  /// must hold layout(slot).length() samples: the CP then every period.
  /// \throws std::invalid_argument for a bad index or size.
  void modulate(unsigned slot, unsigned preamble_index, float amplitude, std::span<cf32> out);

private:
  PrachConfig config_;
  Numerology numerology_;
  unsigned num_prbs_;
  PrachOccasionLayout layout_; ///< Of slot 0 (the CP is per slot; the rest is not).
  FftPlan ifft_;
  std::vector<cf32> root_spectrum_;
  unsigned spectrum_root_ = 0; ///< Root of root_spectrum_; 0 (no root) before the first call.
};

/// Takes one antenna's samples of a PRACH occasion to its L_RA subcarriers per period: one
/// N-point FFT per period (scaled 1/sqrt(N)), the occasion's bins picked out.
/// Allocates at construction only. Not thread-safe.
class PrachDemodulator {
public:
  /// \throws std::invalid_argument when validate_prach_config() fails.
  PrachDemodulator(const PrachConfig& config, const Numerology& numerology, unsigned num_prbs);

  [[nodiscard]] PrachOccasionLayout layout(unsigned slot) const;

  /// Demodulates \p samples (layout(slot).length() samples from the occasion's CP start) of
  /// receive antenna \p antenna into \p buffer, which must have the layout's periods and L_RA.
  /// \throws std::invalid_argument on a size or shape mismatch.
  void demodulate(unsigned slot, std::span<const cf32> samples, unsigned antenna,
                  PrachBuffer& buffer);

private:
  PrachConfig config_;
  Numerology numerology_;
  unsigned num_prbs_;
  PrachOccasionLayout layout_;
  FftPlan fft_;
};

} // namespace airan::phy
