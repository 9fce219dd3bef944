/// \file
/// \brief CP-OFDM modulation (TS 38.211 5.3.1): per antenna and OFDM symbol, the carrier's
/// subcarriers go into an IFFT around DC and the cyclic prefix is prepended.
///
/// Placement: carrier subcarrier k (0 .. 12 N_grid - 1) is at frequency (k - 6 N_grid) * SCS,
/// i.e. FFT bin (k - 6 N_grid) mod N, as in the baseband signal of TS 38.211 5.3.1 with k0 = 0
/// (one numerology per carrier). The upconversion phase term of 5.4 is left to the radio.
///
/// Normalisation: the IFFT is scaled by 1/sqrt(N), so a symbol carrying unit-power REs on all N
/// bins has unit sample power; with 12 N_grid < N used bins the mean sample power is 12 N_grid /
/// N. OfdmDemodulator applies the matching 1/sqrt(N) to its FFT, making the pair an identity.
#pragma once

#include "airan/phy/numerology.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <memory>
#include <span>

namespace airan::phy {

/// OFDM modulator for one carrier; owns one FFT plan and its buffers, made once and reused.
/// Not thread-safe: use one object per thread.
class OfdmModulator {
public:
  /// \param numerology Timing (mu, CP, FFT size).
  /// \param num_prbs   Carrier size N_grid in PRBs; 12 * num_prbs must not exceed the FFT size.
  /// \throws std::invalid_argument when the carrier does not fit the FFT.
  OfdmModulator(const Numerology& numerology, unsigned num_prbs);
  ~OfdmModulator();
  OfdmModulator(const OfdmModulator&) = delete;
  OfdmModulator& operator=(const OfdmModulator&) = delete;
  OfdmModulator(OfdmModulator&&) noexcept;
  OfdmModulator& operator=(OfdmModulator&&) noexcept;

  [[nodiscard]] const Numerology& numerology() const;
  [[nodiscard]] unsigned num_subcarriers() const;

  /// Modulates one OFDM symbol: \p subcarriers (12 * num_prbs) into \p out, which must hold
  /// numerology().symbol_length(slot, symbol) samples (CP first).
  /// \throws std::invalid_argument on a size mismatch.
  void modulate_symbol(std::span<const cf32> subcarriers, unsigned slot, unsigned symbol,
                       std::span<cf32> out);

  /// Modulates every symbol of port \p port of \p grid (its symbols are those of one slot,
  /// subcarriers the carrier's) into \p out of numerology().slot_length(slot) samples.
  /// \throws std::invalid_argument on a shape or size mismatch.
  void modulate_slot(const ResourceGrid& grid, unsigned port, unsigned slot, std::span<cf32> out);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::phy
