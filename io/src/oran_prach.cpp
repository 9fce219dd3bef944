/// \file
/// \brief The O-RAN 7.2x PRACH stream's C-plane fields and what an O-RU makes of them (see
/// oran_prach.h and docs/FRONTHAUL.md, "PRACH over 7.2x").
#include "airan/io/oran_prach.h"

#include "airan/phy/prach_format.h"

#include <cmath>
#include <limits>

namespace airan::io {
namespace {

/// The carrier's sample rate in Hz as an integer: FFT size x 15 kHz x 2^mu.
std::uint64_t sample_rate(const phy::Numerology& numerology) {
  return (std::uint64_t{numerology.fft_size()} << numerology.mu()) * 15'000U;
}

constexpr std::uint64_t time_offset_rate = 30'720'000;

} // namespace

std::uint8_t oran_prach_filter_index(const phy::PrachConfig& config) {
  if (phy::prach_is_long_format(config.format)) {
    return config.format == phy::PrachFormat::f3 ? 2 : 1;
  }
  // C0 and C2 have filters of their own at 15 and 30 kHz (CUS 7.5.2.3).
  if ((config.format == phy::PrachFormat::c0 || config.format == phy::PrachFormat::c2) &&
      config.short_format_numerology <= 1) {
    return config.short_format_numerology == 0 ? 6 : 7;
  }
  return 3;
}

std::optional<std::uint8_t> oran_scs_code(std::uint32_t spacing_hz) {
  switch (spacing_hz) {
  case 1250:
    return 12;
  case 3750:
    return 13;
  case 5000:
    return 14;
  case 7500:
    return 15;
  default:
    break;
  }
  for (std::uint8_t mu = 0; mu <= 5; ++mu) {
    if (spacing_hz == (15'000U << mu)) {
      return mu;
    }
  }
  return std::nullopt;
}

std::uint32_t oran_scs_hz(std::uint8_t code) {
  switch (code) {
  case 12:
    return 1250;
  case 13:
    return 3750;
  case 14:
    return 5000;
  case 15:
    return 7500;
  default:
    return code <= 5 ? 15'000U << code : 0U;
  }
}

OranPrachRequestResult oran_prach_request(const phy::PrachConfig& config,
                                          const phy::Numerology& numerology, unsigned num_prbs,
                                          unsigned slot) {
  OranPrachRequestResult result;
  if (std::string error = phy::validate_prach_config(config, numerology, num_prbs);
      !error.empty()) {
    result.error = std::move(error);
    return result;
  }
  const phy::PrachOccasionLayout layout =
      phy::prach_occasion_layout(config, numerology, num_prbs, slot);
  OranPrachRequest& request = result.request;
  request.filter_index = oran_prach_filter_index(config);
  request.start_symbol = static_cast<std::uint8_t>(config.start_symbol);

  // timeOffset: the first period's start in Ts = 1 / 30.72 MHz.
  const std::uint64_t first_period = std::uint64_t{layout.start} + layout.cyclic_prefix;
  const std::uint64_t scaled = first_period * time_offset_rate;
  const std::uint64_t rate = sample_rate(numerology);
  if (scaled % rate != 0) {
    result.error = "the PRACH occasion's first period does not start on a whole Ts";
    return result;
  }
  if (scaled / rate > std::numeric_limits<std::uint16_t>::max()) {
    result.error = "the PRACH occasion's first period starts past timeOffset's 16 bits";
    return result;
  }
  request.time_offset = static_cast<std::uint16_t>(scaled / rate);

  const auto fft_code = fft_size_code(numerology.fft_size());
  const auto scs_code = oran_scs_code(layout.subcarrier_spacing_hz);
  if (!fft_code || !scs_code) {
    result.error = "the carrier's FFT size or the PRACH spacing has no frameStructure code";
    return result;
  }
  request.fft_size_code = *fft_code;
  request.scs_code = *scs_code;

  // The section: the occasion's N_RB^RA PUSCH PRBs in PRBs of the PRACH spacing.
  const auto mapping = *phy::prach_frequency_mapping(
      layout.sequence_length, layout.subcarrier_spacing_hz, numerology.subcarrier_spacing());
  const unsigned ratio = numerology.subcarrier_spacing() / layout.subcarrier_spacing_hz;
  request.num_prbs = static_cast<std::uint8_t>(mapping.num_prbs * ratio);
  request.num_symbols = static_cast<std::uint8_t>(layout.repetitions);
  request.sequence_offset = mapping.k_bar;
  request.frequency_offset = 2 * (layout.first_bin - static_cast<int>(mapping.k_bar));
  return result;
}

void fill_prach_cplane(const OranPrachRequest& request, const IqCompression& compression,
                       std::uint16_t section_id, CplaneMessageHeader& header,
                       CplaneSection& section) {
  header.timing.direction = DataDirection::uplink;
  header.timing.payload_version = oran_payload_version;
  header.timing.filter_index = request.filter_index;
  header.timing.symbol_id = request.start_symbol;
  header.section_type = CplaneSectionType::prach_mixed_numerology;
  header.compression = compression;
  header.time_offset = request.time_offset;
  header.fft_size_code = request.fft_size_code;
  header.subcarrier_spacing = request.scs_code;
  header.cp_length = 0;
  section = CplaneSection{};
  section.section_id = section_id;
  section.start_prb = 0;
  section.num_prbs = request.num_prbs;
  section.re_mask = 0xFFF;
  section.num_symbols = request.num_symbols;
  section.beam_id = 0;
  section.frequency_offset = request.frequency_offset;
}

OranPrachWindowResult oran_prach_window(const phy::Numerology& numerology, unsigned num_prbs,
                                        const CplaneMessageHeader& header,
                                        const CplaneSection& section) {
  OranPrachWindowResult result;
  const auto fail = [&](const char* why) {
    result.error = why;
    return result;
  };
  if (header.section_type != CplaneSectionType::prach_mixed_numerology ||
      header.timing.filter_index == 0) {
    return fail("not a PRACH request (section type 3 with filterIndex != 0)");
  }
  const std::uint32_t spacing = oran_scs_hz(header.subcarrier_spacing);
  if (spacing == 0) {
    return fail("reserved subcarrier spacing code");
  }
  const std::uint64_t rate = sample_rate(numerology);
  if (rate % spacing != 0) {
    return fail("the PRACH period is not a whole number of samples");
  }
  // timeOffset in Ts plus cpLength in Ts x 2^-mu, both in units of Ts x 2^-mu.
  const unsigned mu = numerology.mu();
  const std::uint64_t scaled =
      ((std::uint64_t{header.time_offset} << mu) + header.cp_length) * rate;
  if (scaled % (time_offset_rate << mu) != 0) {
    return fail("timeOffset + cpLength is not a whole number of samples");
  }
  if (section.num_prbs == 0 || section.num_symbols == 0) {
    return fail("numPrbc and numSymbol must not be 0");
  }
  if (section.start_prb != 0 || section.every_other_prb) {
    return fail("a PRACH section starts at PRB 0 and takes every PRB");
  }
  if (section.frequency_offset % 2 != 0) {
    return fail("freqOffset is not a whole PRACH subcarrier");
  }
  OranPrachWindow& window = result.window;
  window.start = static_cast<std::uint32_t>(scaled / (time_offset_rate << mu));
  window.period_length = static_cast<std::uint32_t>(rate / spacing);
  window.num_periods = section.num_symbols;
  window.first_bin = section.frequency_offset / 2;
  window.num_res = 12U * section.num_prbs;
  window.filter_index = header.timing.filter_index;
  const auto half = static_cast<std::int64_t>(window.period_length / 2);
  if (window.first_bin < -half || window.first_bin + std::int64_t{window.num_res} > half) {
    return fail("the section's REs leave the band of the PRACH period");
  }
  // The section inside the carrier: RE 0 no lower than subcarrier 0, the last RE below the
  // carrier's upper edge (in Hz from the centre).
  const std::int64_t carrier_half = 6 * std::int64_t{num_prbs} * numerology.subcarrier_spacing();
  if (window.first_bin * std::int64_t{spacing} < -carrier_half ||
      (window.first_bin + std::int64_t{window.num_res}) * spacing > carrier_half) {
    return fail("the section's REs leave the carrier");
  }
  if (static_cast<double>(window.end()) >
      oran_prach_max_window_s * static_cast<double>(rate) + 0.5) {
    return fail("the PRACH window is longer than 4 ms");
  }
  return result;
}

} // namespace airan::io
