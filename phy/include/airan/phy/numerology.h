/// \file
/// \brief NR numerology and OFDM timing (TS 38.211 4.2, 4.3 and 5.3.1): subcarrier spacing,
/// slots, FFT size, sample rate and cyclic-prefix lengths in samples.
#pragma once

#include <cstdint>

namespace airan::phy {

/// Largest numerology mu defined by TS 38.211 Table 4.2-1 (960 kHz).
constexpr unsigned max_numerology = 6;

/// Subcarriers per resource block, N_sc^RB.
constexpr unsigned subcarriers_per_prb = 12;

/// Most OFDM symbols in one slot (normal cyclic prefix).
constexpr unsigned max_symbols_per_slot = 14;

/// Cyclic prefix kind (TS 38.211 Table 4.2-1; extended only for mu = 2).
enum class CyclicPrefix : std::uint8_t { normal, extended };

/// Subcarrier spacing 15 * 2^mu kHz, in Hz.
constexpr std::uint32_t subcarrier_spacing_hz(unsigned mu) {
  return 15000U << mu;
}

/// Slots per 1 ms subframe, N_slot^{subframe,mu} = 2^mu.
constexpr unsigned slots_per_subframe(unsigned mu) {
  return 1U << mu;
}

/// Slots per 10 ms frame, N_slot^{frame,mu} = 10 * 2^mu.
constexpr unsigned slots_per_frame(unsigned mu) {
  return 10U << mu;
}

/// OFDM symbols per slot, N_symb^slot: 14 with the normal CP, 12 with the extended CP.
constexpr unsigned symbols_per_slot(CyclicPrefix cp) {
  return cp == CyclicPrefix::normal ? 14U : 12U;
}

/// Largest FFT size of a Numerology (16 times NR's 4096; 5461 PRBs at full occupancy): every
/// sample count of a subframe stays far inside 32 bits at every numerology.
constexpr unsigned max_fft_size = 65536;

/// Granularity of an FFT size: every multiple of it makes every CP a whole number of samples at
/// every numerology (the normal CP is 9 N / 128 samples), and no other size does.
constexpr unsigned fft_size_granularity = 128;

/// Whether \p fft_size is an FFT size a Numerology takes: a multiple of fft_size_granularity in
/// 128 .. max_fft_size (powers of two, and sizes such as 768, 1536 or 3072 for the sample rates
/// 11.52, 23.04 or 46.08 MHz at 15 kHz).
constexpr bool is_valid_fft_size(unsigned fft_size) {
  return fft_size >= fft_size_granularity && fft_size <= max_fft_size &&
         fft_size % fft_size_granularity == 0;
}

/// Smallest power-of-two FFT size N (at least 128) with 12 * num_prbs <= max_occupancy * N.
/// \throws std::invalid_argument when num_prbs is 0, max_occupancy is not in (0, 1], or N
/// would be above max_fft_size.
unsigned choose_fft_size(unsigned num_prbs, double max_occupancy = 0.85);

/// OFDM timing of one carrier: numerology, CP kind and FFT size; every length is in samples at
/// the sample rate fft_size * subcarrier spacing.
///
/// TS 38.211 5.3.1 gives the CP lengths in units of T_c for a 2048 * kappa * 2^-mu long
/// symbol. Scaled to an N-point symbol: normal CP 144 * N / 2048 samples, plus 16 * kappa T_c
/// (= N * 2^mu / 128 samples) on the symbols l = 0 and l = 7 * 2^mu of every subframe (the
/// first symbol of each half subframe); extended CP N / 4 samples on every symbol.
class Numerology {
public:
  /// \param mu       Numerology 0 .. 6.
  /// \param cp       Cyclic prefix; extended only with mu = 2.
  /// \param fft_size is_valid_fft_size(): a multiple of 128 in 128 .. max_fft_size, so that
  ///                 every CP is a whole number of samples.
  /// \throws std::invalid_argument for an unsupported combination.
  Numerology(unsigned mu, CyclicPrefix cp, unsigned fft_size);

  /// Numerology for a carrier of \p num_prbs PRBs with the FFT size from choose_fft_size().
  static Numerology for_carrier(unsigned mu, CyclicPrefix cp, unsigned num_prbs);

  [[nodiscard]] unsigned mu() const { return mu_; }
  [[nodiscard]] CyclicPrefix cyclic_prefix() const { return cp_; }
  [[nodiscard]] unsigned fft_size() const { return fft_size_; }
  [[nodiscard]] std::uint32_t subcarrier_spacing() const { return subcarrier_spacing_hz(mu_); }
  /// Sample rate fft_size * subcarrier spacing, in Hz.
  [[nodiscard]] double sample_rate_hz() const;
  [[nodiscard]] unsigned symbols_per_slot() const { return phy::symbols_per_slot(cp_); }
  [[nodiscard]] unsigned slots_per_subframe() const { return phy::slots_per_subframe(mu_); }
  [[nodiscard]] unsigned slots_per_frame() const { return phy::slots_per_frame(mu_); }

  /// CP length of symbol \p symbol (0 .. symbols_per_slot - 1) of slot \p slot (slot number in
  /// the frame; only its position in the subframe matters).
  [[nodiscard]] unsigned cp_length(unsigned slot, unsigned symbol) const;
  /// CP length plus FFT size.
  [[nodiscard]] unsigned symbol_length(unsigned slot, unsigned symbol) const {
    return cp_length(slot, symbol) + fft_size_;
  }
  /// Samples in slot \p slot (all its symbols with their CPs).
  [[nodiscard]] unsigned slot_length(unsigned slot) const;
  /// Samples in a 1 ms subframe: sample rate / 1000.
  [[nodiscard]] unsigned subframe_length() const;

private:
  unsigned mu_;
  CyclicPrefix cp_;
  unsigned fft_size_;
};

} // namespace airan::phy
