#include "airan/io/fapi_prach_conversion.h"

#include "airan/io/fapi_pusch_conversion.h"
#include "fapi_prach_pdu_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace airan::io {
namespace {

FapiError prach_refusal(FapiStatus status, const char* text, unsigned value) {
  return make_fapi_error(status, FapiErrorCode::msg_slot_err, FapiMessageType::ul_tti_request, 0,
                         "PRACH: %s (%u)", text, value);
}

/// The formats of a PDU's occasions for prachFormat \p value (at most fapi_prach_format::last):
/// every occasion's but the last in the slot, and the last one's (A_x and B_x of a pair).
struct PrachPduFormats {
  phy::PrachFormat others;
  phy::PrachFormat last;
};

PrachPduFormats prach_pdu_formats(std::uint8_t value) {
  using phy::PrachFormat;
  namespace f = fapi_prach_format;
  constexpr std::array<PrachPduFormats, f::last + 1> table{{
      {PrachFormat::f0, PrachFormat::f0},
      {PrachFormat::f1, PrachFormat::f1},
      {PrachFormat::f2, PrachFormat::f2},
      {PrachFormat::f3, PrachFormat::f3},
      {PrachFormat::a1, PrachFormat::a1},
      {PrachFormat::a2, PrachFormat::a2},
      {PrachFormat::a3, PrachFormat::a3},
      {PrachFormat::b1, PrachFormat::b1},
      {PrachFormat::b4, PrachFormat::b4},
      {PrachFormat::c0, PrachFormat::c0},
      {PrachFormat::c2, PrachFormat::c2},
      {PrachFormat::a1, PrachFormat::b1},
      {PrachFormat::a2, PrachFormat::b2},
      {PrachFormat::a3, PrachFormat::b3},
  }};
  return table[value];
}

/// prachFormat of occasions of \p format: B2 and B3 as the pairs A2/B2 and A3/B3 (whose only
/// occasion, or last, is the B format).
std::uint8_t fapi_prach_format_of(phy::PrachFormat format) {
  using phy::PrachFormat;
  namespace f = fapi_prach_format;
  switch (format) {
  case PrachFormat::f0:
    return f::format0;
  case PrachFormat::f1:
    return f::format1;
  case PrachFormat::f2:
    return f::format2;
  case PrachFormat::f3:
    return f::format3;
  case PrachFormat::a1:
    return f::a1;
  case PrachFormat::a2:
    return f::a2;
  case PrachFormat::a3:
    return f::a3;
  case PrachFormat::b1:
    return f::b1;
  case PrachFormat::b2:
    return f::a2_b2;
  case PrachFormat::b3:
    return f::a3_b3;
  case PrachFormat::b4:
    return f::b4;
  case PrachFormat::c0:
    return f::c0;
  case PrachFormat::c2:
    return f::c2;
  }
  return f::format0;
}

/// FAPI prachSubCSpacing of a PRACH subcarrier spacing: 0 .. 3 for 15 * 2^mu kHz, 4 for 1.25 kHz,
/// 5 for 5 kHz.
std::uint8_t prach_fapi_spacing(std::uint32_t spacing_hz) {
  switch (spacing_hz) {
  case 1250:
    return 4;
  case 5000:
    return 5;
  default:
    return static_cast<std::uint8_t>(std::countr_zero(spacing_hz / 15000U));
  }
}

/// 0.5 dB steps from -64 dB, 0 .. 254.
std::uint8_t prach_half_db(float db) {
  return static_cast<std::uint8_t>(std::clamp(std::round((db + 64.0F) * 2.0F), 0.0F, 254.0F));
}

} // namespace

FapiError to_prach_occasions(const FapiPrachPdu& pdu, const FapiPrachConfig& config,
                             const phy::CellConfig& cell, std::span<FapiPrachOccasion> out,
                             std::size_t& count) {
  // The PDU's fields against their ranges (the codec checks only the beamforming part).
  if (FapiError error = fapi_detail::check_prach_pdu(pdu, 0); !error.ok()) {
    return error;
  }
  if (config.empty() || config.num_fd_occasions == 0) {
    return prach_refusal(FapiStatus::out_of_range,
                         "CONFIG.request gave no PRACH configuration (FD occasions)", 0);
  }
  if (config.restricted_set_config.value_or(0) != 0) {
    return prach_refusal(FapiStatus::unsupported, "restricted sets are not supported",
                         *config.restricted_set_config);
  }
  phy::PrachConfig prach;
  const PrachPduFormats formats = prach_pdu_formats(pdu.prach_format);
  prach.format = formats.others; // A_x and B_x of a pair: the same length, duration and spacing
  const bool long_format = phy::prach_is_long_format(prach.format);
  if (config.prach_sequence_length && *config.prach_sequence_length != (long_format ? 0 : 1)) {
    return prach_refusal(FapiStatus::out_of_range, "prachSequenceLength contradicts prachFormat",
                         pdu.prach_format);
  }
  const std::uint32_t long_spacing =
      phy::prach_format_info(prach.format).long_subcarrier_spacing_hz;
  if (config.prach_sub_c_spacing) {
    const unsigned spacing = *config.prach_sub_c_spacing;
    if (long_format ? spacing != prach_fapi_spacing(long_spacing) : spacing > 3) {
      return prach_refusal(FapiStatus::out_of_range, "prachSubCSpacing contradicts prachFormat",
                           spacing);
    }
    prach.short_format_numerology = long_format ? 0 : spacing;
  } else {
    prach.short_format_numerology = long_format ? 0 : cell.numerology;
  }
  prach.cyclic_shift_length = pdu.num_cs;
  const unsigned duration = phy::prach_format_info(prach.format).duration_symbols;
  // FAPIv3: NumFdRa FD occasions from numRa on, each with the PDU's TD occasions.
  const unsigned num_fd = pdu.maintenance_v3 ? pdu.maintenance_v3->num_fd_ra : 1U;
  if (pdu.num_prach_ocas == 0 || std::size_t{pdu.num_prach_ocas} * num_fd > out.size() ||
      (long_format && pdu.num_prach_ocas != 1) ||
      (!long_format && pdu.prach_start_symbol + pdu.num_prach_ocas * duration > 14)) {
    return prach_refusal(FapiStatus::out_of_range,
                         "NumPrachOcas does not fit the slot for this format", pdu.num_prach_ocas);
  }
  const auto occasions = config.occasions();
  const unsigned num_configured = config.num_prach_fd_occasions.value_or(occasions.size());
  const auto numerology = phy::carrier_numerology(cell);
  // Every FD occasion checked before any is written.
  for (unsigned pass = 0; pass < 2; ++pass) {
    for (unsigned f = 0; f < num_fd; ++f) {
      const unsigned num_ra = pdu.num_ra + f;
      const FapiPrachFdOccasionConfig& fd =
          num_ra < occasions.size() ? occasions[num_ra] : occasions[0];
      if (num_ra >= num_configured || !fd.prach_root_sequence_index || !fd.k1) {
        return prach_refusal(FapiStatus::out_of_range,
                             f == 0 ? "numRa has no FD occasion with a root sequence and k1"
                                    : "numRa + NumFdRa - 1 has no FD occasion with a root "
                                      "sequence and k1",
                             num_ra);
      }
      prach.root_sequence_index = *fd.prach_root_sequence_index;
      prach.first_prb = *fd.k1;
      if (num_ra >= occasions.size()) {
        const auto mapping = phy::prach_frequency_mapping(
            phy::prach_format_info(prach.format).sequence_length,
            phy::prach_subcarrier_spacing_hz(prach), phy::subcarrier_spacing_hz(cell.numerology));
        prach.first_prb += num_ra * (mapping ? mapping->num_prbs : 0U);
      }
      for (unsigned i = 0; i < pdu.num_prach_ocas; ++i) {
        prach.start_symbol = pdu.prach_start_symbol + i * duration;
        prach.format = i + 1 == pdu.num_prach_ocas ? formats.last : formats.others;
        if (pass == 1) {
          out[f * pdu.num_prach_ocas + i] =
              FapiPrachOccasion{prach, 0, pdu.phys_cell_id, static_cast<std::uint8_t>(num_ra)};
        } else if (const auto error = phy::validate_prach_config(prach, numerology, cell.num_prbs);
                   !error.empty()) {
          return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                                 FapiMessageType::ul_tti_request, 0, "PRACH: %s", error.c_str());
        }
      }
    }
  }
  count = std::size_t{pdu.num_prach_ocas} * num_fd;
  return {};
}

FapiRachPdu to_rach_pdu(const FapiPrachOccasion& occasion,
                        const phy::PrachDetectionResult& detection, std::uint8_t slot_index,
                        float full_scale) {
  FapiRachPdu pdu;
  pdu.phys_cell_id = occasion.phys_cell_id;
  pdu.symbol_index = static_cast<std::uint8_t>(occasion.config.start_symbol);
  pdu.slot_index = slot_index;
  pdu.freq_index = occasion.num_ra;
  const float scale = full_scale * full_scale;
  if (detection.rssi > 0) {
    pdu.avg_rssi = prach_half_db(10.0F * std::log10(detection.rssi / scale));
  }
  const unsigned length = phy::prach_format_info(occasion.config.format).sequence_length;
  float snr_sum = 0;
  for (const auto& preamble : detection.preambles) {
    if (pdu.num_preambles >= pdu.preambles.size()) {
      break;
    }
    FapiRachPreamble& out = pdu.preambles[pdu.num_preambles++];
    out.preamble_index = static_cast<std::uint8_t>(preamble.index);
    out.timing_advance = static_cast<std::uint16_t>(
        std::min<unsigned>(preamble.timing_advance, FapiRachPreamble::max_timing_advance));
    if (preamble.power > 0) {
      const float db = 10.0F * std::log10(preamble.power * float(length) / scale);
      out.preamble_power = static_cast<std::uint32_t>(std::clamp(
          std::round((db + 140.0F) * 1000.0F), 0.0F, float(FapiRachPreamble::max_preamble_power)));
    }
    snr_sum += preamble.snr_db;
  }
  if (pdu.num_preambles > 0) {
    pdu.avg_snr = prach_half_db(snr_sum / pdu.num_preambles);
  }
  return pdu;
}

FapiPrachPdu to_fapi_prach_pdu(const phy::PrachConfig& config, std::uint8_t num_ra,
                               std::uint8_t num_occasions, std::uint16_t phys_cell_id) {
  FapiPrachPdu pdu;
  pdu.phys_cell_id = phys_cell_id;
  pdu.num_prach_ocas = num_occasions;
  pdu.prach_format = fapi_prach_format_of(config.format);
  pdu.num_ra = num_ra;
  pdu.prach_start_symbol = static_cast<std::uint8_t>(config.start_symbol);
  pdu.num_cs = static_cast<std::uint16_t>(config.cyclic_shift_length);
  return pdu;
}

FapiPrachConfig to_fapi_prach_config(const phy::PrachConfig& config) {
  FapiPrachConfig out;
  const std::uint32_t spacing = phy::prach_subcarrier_spacing_hz(config);
  out.prach_sequence_length = phy::prach_is_long_format(config.format) ? 0 : 1;
  out.prach_sub_c_spacing = prach_fapi_spacing(spacing);
  out.restricted_set_config = 0;
  out.num_prach_fd_occasions = 1;
  out.num_fd_occasions = 1;
  FapiPrachFdOccasionConfig& fd = out.fd_occasions[0];
  fd.prach_root_sequence_index = static_cast<std::uint16_t>(config.root_sequence_index);
  fd.num_root_sequences = 1;
  fd.k1 = static_cast<std::uint16_t>(config.first_prb);
  for (unsigned zone = 0; zone < 16; ++zone) {
    if (phy::prach_cyclic_shift_length(spacing, zone) == config.cyclic_shift_length) {
      fd.prach_zero_corr_conf = static_cast<std::uint8_t>(zone);
      break;
    }
  }
  fd.num_unused_root_sequences = 0;
  return out;
}

} // namespace airan::io

namespace airan::io {

void add_prach_pdus(const FapiUlTtiRequest& request, const FapiPrachConfig& config,
                    const phy::CellConfig& cell, FapiSlotRequest& out) {
  out.num_prach = 0;
  out.num_rejected_prach = 0;
  std::array<FapiPrachOccasion, 7 * fapi_max_prach_fd_occasions> occasions{};
  for (std::size_t i = 0; i < request.num_prach && i < request.prach.size(); ++i) {
    std::size_t count = 0;
    FapiError error = to_prach_occasions(request.prach[i], config, cell, occasions, count);
    if (error.ok() && out.num_prach + count > out.prach.size()) {
      error = make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err,
                              FapiMessageType::ul_tti_request, 0,
                              "PRACH: more than %zu occasions in the slot", out.prach.size());
    }
    if (!error.ok()) {
      out.rejected_prach[out.num_rejected_prach++] = FapiRejectedPrach{i, error};
      continue;
    }
    for (std::size_t j = 0; j < count; ++j) {
      occasions[j].prach_index = i;
      out.prach[out.num_prach++] = occasions[j];
    }
  }
}

} // namespace airan::io
