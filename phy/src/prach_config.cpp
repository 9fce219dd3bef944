#include "airan/phy/prach_config.h"

#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

/// Samples at \p numerology's rate of a duration of \p kappa_units kappa T_c scaled by 2^-mu_ra;
/// nullopt when it is not a whole number of samples. One kappa T_c at mu = 0 is fft_size * 2^mu /
/// 2048 samples of a carrier of numerology mu.
std::optional<unsigned> prach_samples(std::uint64_t kappa_units, unsigned mu_ra,
                                      const Numerology& numerology) {
  const std::uint64_t numerator =
      kappa_units * numerology.fft_size() * (std::uint64_t{1} << numerology.mu());
  const std::uint64_t denominator = std::uint64_t{2048} << mu_ra;
  if (numerator % denominator != 0) {
    return std::nullopt;
  }
  return static_cast<unsigned>(numerator / denominator);
}

/// PRACH numerology of the durations of Tables 6.3.3.1-1/2: 0 for the long formats.
unsigned prach_duration_numerology(const PrachConfig& config) {
  return prach_is_long_format(config.format) ? 0 : config.short_format_numerology;
}

bool prach_ncs_in_table(std::uint32_t scs_hz, unsigned ncs) {
  for (unsigned zcz = 0; zcz < 16; ++zcz) {
    if (prach_cyclic_shift_length(scs_hz, zcz) == ncs) {
      return true;
    }
  }
  return false;
}

/// Samples from the slot's start to the start of symbol \p symbol.
unsigned prach_symbol_start(const Numerology& numerology, unsigned slot, unsigned symbol) {
  unsigned offset = 0;
  for (unsigned l = 0; l < symbol; ++l) {
    offset += numerology.symbol_length(slot, l);
  }
  return offset;
}

} // namespace

std::uint32_t prach_subcarrier_spacing_hz(const PrachConfig& config) {
  const auto& info = prach_format_info(config.format);
  if (info.long_subcarrier_spacing_hz != 0) {
    return info.long_subcarrier_spacing_hz;
  }
  return config.short_format_numerology <= 3 ? 15000U << config.short_format_numerology : 0U;
}

std::string validate_prach_config(const PrachConfig& config, const Numerology& numerology,
                                  unsigned num_prbs) {
  if (static_cast<unsigned>(config.format) >= num_prach_formats) {
    return "PRACH format " + std::to_string(static_cast<unsigned>(config.format)) +
           " does not exist";
  }
  const auto& info = prach_format_info(config.format);
  if (!prach_is_long_format(config.format) && config.short_format_numerology > 3) {
    return "short PRACH formats use 15, 30, 60 or 120 kHz (numerology 0 .. 3), not numerology " +
           std::to_string(config.short_format_numerology);
  }
  if (numerology.cyclic_prefix() != CyclicPrefix::normal) {
    return "PRACH is supported on normal-CP carriers only";
  }
  const std::uint32_t scs = prach_subcarrier_spacing_hz(config);
  const auto mapping =
      prach_frequency_mapping(info.sequence_length, scs, numerology.subcarrier_spacing());
  if (!mapping) {
    return "TS 38.211 Table 6.3.3.2-1 has no PRACH of " + std::to_string(scs) +
           " Hz with PUSCH of " + std::to_string(numerology.subcarrier_spacing()) + " Hz";
  }
  if (!prach_is_long_format(config.format) && scs != numerology.subcarrier_spacing()) {
    // Table 6.3.3.2-1 allows it, but then the occasions (N_dur^RA symbols of the PRACH spacing)
    // are not whole symbols of the carrier, whose symbols prachStartSymbol counts.
    return "a short-format PRACH of " + std::to_string(scs / 1000) + " kHz on a " +
           std::to_string(numerology.subcarrier_spacing() / 1000) +
           " kHz carrier is not supported (it takes the carrier's subcarrier spacing)";
  }
  if (!prach_ncs_in_table(scs, config.cyclic_shift_length)) {
    return "N_CS " + std::to_string(config.cyclic_shift_length) +
           " is not in the unrestricted N_CS table of a " + std::to_string(scs) +
           " Hz PRACH (restricted sets are not supported)";
  }
  if (config.root_sequence_index >= info.sequence_length - 1) {
    return "prach-RootSequenceIndex " + std::to_string(config.root_sequence_index) + " is over " +
           std::to_string(info.sequence_length - 2);
  }
  // Without the sum, which wrapped for a first PRB near 2^32 and passed.
  if (config.first_prb > num_prbs || mapping->num_prbs > num_prbs - config.first_prb) {
    return "PRACH occasion PRBs " + std::to_string(config.first_prb) + " .. " +
           std::to_string(std::uint64_t{config.first_prb} + mapping->num_prbs - 1) +
           " exceed the carrier's " + std::to_string(num_prbs) + " PRBs";
  }
  if (config.start_symbol >= numerology.symbols_per_slot()) {
    return "PRACH start symbol " + std::to_string(config.start_symbol) + " is outside the slot";
  }
  const unsigned mu_ra = prach_duration_numerology(config);
  const auto period = prach_samples(info.sequence_duration / info.repetitions, mu_ra, numerology);
  const auto cp = prach_samples(info.cyclic_prefix_duration, mu_ra, numerology);
  if (!period || !cp || *period < info.sequence_length) {
    return "the PRACH's sequence and CP are not whole samples at the carrier's " +
           std::to_string(numerology.sample_rate_hz()) + " Hz (raise the FFT size)";
  }
  return {};
}

PrachOccasionLayout prach_occasion_layout(const PrachConfig& config, const Numerology& numerology,
                                          unsigned num_prbs, unsigned slot) {
  if (const auto error = validate_prach_config(config, numerology, num_prbs); !error.empty()) {
    throw std::invalid_argument(error);
  }
  const auto& info = prach_format_info(config.format);
  const unsigned mu_ra = prach_duration_numerology(config);
  PrachOccasionLayout layout;
  layout.sequence_length = info.sequence_length;
  layout.subcarrier_spacing_hz = prach_subcarrier_spacing_hz(config);
  layout.repetitions = info.repetitions;
  layout.period_length =
      *prach_samples(info.sequence_duration / info.repetitions, mu_ra, numerology);
  layout.cyclic_prefix = *prach_samples(info.cyclic_prefix_duration, mu_ra, numerology);
  layout.start = prach_symbol_start(numerology, slot, config.start_symbol);
  layout.sample_rate_hz = numerology.sample_rate_hz();

  // Short formats: 16 kappa more CP for each half-subframe boundary (0 or 0.5 ms) the occasion
  // meets (38.211 5.3.2); the long formats have none.
  if (!prach_is_long_format(config.format)) {
    const unsigned half_subframe = numerology.subframe_length() / 2;
    unsigned slot_start = 0;
    for (unsigned s = 0; s < slot % numerology.slots_per_subframe(); ++s) {
      slot_start += numerology.slot_length(s);
    }
    const unsigned extra = (numerology.fft_size() << numerology.mu()) / 128; // 16 kappa T_c
    const unsigned begin = slot_start + layout.start;
    unsigned boundaries = 0;
    for (unsigned boundary = 0; boundary <= numerology.subframe_length();
         boundary += half_subframe) {
      const unsigned end = begin + layout.length() + boundaries * extra;
      if (boundary >= begin && boundary < end) {
        ++boundaries;
      }
    }
    layout.cyclic_prefix += boundaries * extra;
  }

  // Subcarrier k sits at (k + K k_1 + k-bar) PRACH spacings from DC, k_1 = 12 first_prb -
  // 6 N_grid in PUSCH subcarriers (k_0 = 0), K = PUSCH spacing / PRACH spacing.
  const auto mapping = *prach_frequency_mapping(info.sequence_length, layout.subcarrier_spacing_hz,
                                                numerology.subcarrier_spacing());
  const std::int64_t k1 = 12 * std::int64_t{config.first_prb} - 6 * std::int64_t{num_prbs};
  const std::int64_t scaled = k1 * numerology.subcarrier_spacing();
  if (scaled % layout.subcarrier_spacing_hz != 0) {
    throw std::invalid_argument("the PRACH occasion's first subcarrier is not on the PRACH grid");
  }
  layout.first_bin = static_cast<int>(scaled / layout.subcarrier_spacing_hz + mapping.k_bar);

  layout.preambles_per_root =
      config.cyclic_shift_length == 0 ? 1U : info.sequence_length / config.cyclic_shift_length;
  layout.num_roots =
      (prach_preambles_per_occasion + layout.preambles_per_root - 1) / layout.preambles_per_root;
  return layout;
}

PrachPreambleSequence prach_preamble_sequence(const PrachConfig& config, unsigned preamble_index) {
  if (preamble_index >= prach_preambles_per_occasion) {
    throw std::invalid_argument("PRACH preamble index " + std::to_string(preamble_index) +
                                " is over 63");
  }
  const auto& info = prach_format_info(config.format);
  const unsigned ncs = config.cyclic_shift_length;
  if (ncs > info.sequence_length) {
    throw std::invalid_argument("N_CS " + std::to_string(ncs) + " exceeds L_RA");
  }
  const unsigned per_root = ncs == 0 ? 1U : info.sequence_length / ncs;
  PrachPreambleSequence sequence;
  sequence.root_ordinal = preamble_index / per_root;
  sequence.root = prach_root_sequence_number(info.sequence_length,
                                             config.root_sequence_index + sequence.root_ordinal);
  sequence.cyclic_shift = (preamble_index % per_root) * ncs;
  return sequence;
}

void prach_root_spectrum(unsigned sequence_length, unsigned root, std::span<cf32> out) {
  if (out.size() != sequence_length || sequence_length == 0) {
    throw std::invalid_argument("PRACH root spectrum needs L_RA outputs");
  }
  const unsigned length = sequence_length;
  // x_u(n) with the phase reduced modulo 2 L exactly; twiddles exp(-j 2 pi m / L) by table.
  std::vector<std::complex<double>> zc(length);
  std::vector<std::complex<double>> twiddle(length);
  for (unsigned n = 0; n < length; ++n) {
    const std::uint64_t phase = (std::uint64_t{root} * n * (n + 1)) % (2 * std::uint64_t{length});
    zc[n] = std::polar(1.0, -std::numbers::pi * static_cast<double>(phase) / length);
    twiddle[n] = std::polar(1.0, -2 * std::numbers::pi * n / length);
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(length));
  for (unsigned k = 0; k < length; ++k) {
    std::complex<double> sum = 0;
    std::uint64_t index = 0;
    for (unsigned n = 0; n < length; ++n) {
      sum += zc[n] * twiddle[index];
      index += k;
      if (index >= length) {
        index -= length;
      }
    }
    out[k] = cf32(static_cast<float>(sum.real() * scale), static_cast<float>(sum.imag() * scale));
  }
}

} // namespace airan::phy
