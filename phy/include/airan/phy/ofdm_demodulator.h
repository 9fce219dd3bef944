/// \file
/// \brief CP-OFDM demodulation, the inverse of OfdmModulator: CP removal, FFT (scaled by
/// 1/sqrt(N)) and extraction of the carrier's 12 N_grid subcarriers around DC.
#pragma once

#include "airan/phy/numerology.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <memory>
#include <span>

namespace airan::phy {

/// OFDM demodulator for one carrier; owns one FFT plan and its buffers, made once and reused.
/// Not thread-safe: use one object per thread.
class OfdmDemodulator {
public:
  /// \throws std::invalid_argument when 12 * num_prbs exceeds the FFT size.
  OfdmDemodulator(const Numerology& numerology, unsigned num_prbs);
  ~OfdmDemodulator();
  OfdmDemodulator(const OfdmDemodulator&) = delete;
  OfdmDemodulator& operator=(const OfdmDemodulator&) = delete;
  OfdmDemodulator(OfdmDemodulator&&) noexcept;
  OfdmDemodulator& operator=(OfdmDemodulator&&) noexcept;

  [[nodiscard]] const Numerology& numerology() const;
  [[nodiscard]] unsigned num_subcarriers() const;

  /// Demodulates one symbol of numerology().symbol_length(slot, symbol) samples into
  /// \p subcarriers (12 * num_prbs). The FFT window starts right after the CP.
  /// \throws std::invalid_argument on a size mismatch.
  void demodulate_symbol(std::span<const cf32> samples, unsigned slot, unsigned symbol,
                         std::span<cf32> subcarriers);

  /// Demodulates one slot of numerology().slot_length(slot) samples into port \p port of
  /// \p grid (symbols_per_slot symbols, 12 * num_prbs subcarriers).
  /// \throws std::invalid_argument on a shape or size mismatch.
  void demodulate_slot(std::span<const cf32> samples, unsigned slot, ResourceGrid& grid,
                       unsigned port);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::phy
