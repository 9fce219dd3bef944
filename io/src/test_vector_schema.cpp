#include "test_vector_schema.h"

#include "airan/phy/numerology.h"
#include "airan/phy/tbs_calculator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace airan::io::schema {
namespace {

bool one_of(const std::string& value, std::span<const char* const> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

std::string list(std::span<const char* const> allowed) {
  std::string text;
  for (const char* a : allowed) {
    text += (text.empty() ? "" : ", ") + std::string(a);
  }
  return text;
}

} // namespace

std::string slot_name(std::size_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "%04zu", index);
  return name;
}

unsigned num_symbols(const phy::CellConfig& cell) {
  return phy::symbols_per_slot(cell.cyclic_prefix);
}

unsigned num_subcarriers(const phy::CellConfig& cell) {
  return phy::subcarriers_per_prb * cell.num_prbs;
}

std::string validate_header(const TestVectorHeader& header) {
  if (std::string error = header.cell.validate(); !error.empty()) {
    return "cell: " + error;
  }
  if (header.num_rx_antennas < 1 || header.num_rx_antennas > max_rx_antennas) {
    return "num_rx_antennas " + std::to_string(header.num_rx_antennas) + " is not in 1.." +
           std::to_string(max_rx_antennas);
  }
  if (header.num_tx_antennas < 1 || header.num_tx_antennas > max_tx_antennas) {
    return "num_tx_antennas " + std::to_string(header.num_tx_antennas) + " is not in 1.." +
           std::to_string(max_tx_antennas);
  }
  const TestVectorChannel& channel = header.channel;
  if (!one_of(channel.model, channel_models)) {
    return "channel model '" + channel.model + "' is not one of " + list(channel_models);
  }
  if (!one_of(channel.correlation, correlations)) {
    return "channel correlation '" + channel.correlation + "' is not one of " + list(correlations);
  }
  if (!one_of(channel.domain, domains)) {
    return "channel domain '" + channel.domain + "' is not one of " + list(domains);
  }
  if (!one_of(channel.bs_antenna_pattern, antenna_patterns)) {
    return "channel bs_antenna_pattern '" + channel.bs_antenna_pattern + "' is not one of " +
           list(antenna_patterns);
  }
  if (!one_of(channel.bs_polarization, polarizations)) {
    return "channel bs_polarization '" + channel.bs_polarization + "' is not one of " +
           list(polarizations);
  }
  if (!one_of(channel.ue_polarization, polarizations)) {
    return "channel ue_polarization '" + channel.ue_polarization + "' is not one of " +
           list(polarizations);
  }
  const bool arrays_described = channel.bs_antenna_pattern != "omni" ||
                                channel.bs_polarization != "V" || channel.ue_polarization != "V";
  if (arrays_described && channel.model.rfind("CDL-", 0) != 0) {
    std::string message = "channel bs_antenna_pattern, bs_polarization and ue_polarization other "
                          "than omni, V and V need a CDL model, not ";
    message += channel.model;
    return message;
  }
  const auto dual = [](const std::string& polarization) {
    return polarization == "VH" || polarization == "cross";
  };
  if ((dual(channel.bs_polarization) && header.num_rx_antennas % 2 != 0) ||
      (dual(channel.ue_polarization) && header.num_tx_antennas % 2 != 0)) {
    return "a dual-polarised array (VH, cross) needs an even number of antennas (num_rx_antennas " +
           std::to_string(header.num_rx_antennas) + ", num_tx_antennas " +
           std::to_string(header.num_tx_antennas) + ")";
  }
  if (!std::isfinite(channel.delay_spread_s) || channel.delay_spread_s < 0.0 ||
      !std::isfinite(channel.max_doppler_hz) || channel.max_doppler_hz < 0.0) {
    return "channel delay_spread_s and max_doppler_hz must be finite and >= 0";
  }
  if (!std::isfinite(channel.cfo_hz) || !std::isfinite(channel.timing_offset_s)) {
    return "channel cfo_hz and timing_offset_s must be finite";
  }
  if (!std::isfinite(channel.phase_noise_linewidth_hz) || channel.phase_noise_linewidth_hz < 0.0) {
    return "channel phase_noise_linewidth_hz must be finite and >= 0";
  }
  if (!std::isfinite(header.snr_db)) {
    return "snr_db must be finite";
  }
  if (!std::isfinite(header.noise_variance) || header.noise_variance < 0.0F) {
    return "noise_variance must be finite and >= 0";
  }
  if (header.generator.size() > max_text_length ||
      header.reference_receiver.size() > max_text_length) {
    return "generator and reference_receiver must be at most " + std::to_string(max_text_length) +
           " bytes";
  }
  return {};
}

std::string validate_slot_number(const phy::CellConfig& cell, std::uint64_t absolute_slot,
                                 unsigned slot) {
  if (absolute_slot > max_absolute_slot) {
    return "absolute_slot " + std::to_string(absolute_slot) + " exceeds 2^40";
  }
  const unsigned per_frame = phy::slots_per_frame(cell.numerology);
  if (slot != absolute_slot % per_frame) {
    return "slot " + std::to_string(slot) + " is not absolute_slot " +
           std::to_string(absolute_slot) + " mod " + std::to_string(per_frame) +
           " (slots per frame)";
  }
  return {};
}

unsigned fft_size_for_slot(const phy::CellConfig& cell, unsigned slot, std::size_t samples) {
  std::size_t smallest_slot = 0; // the slot's length at min_fft_size
  try {
    smallest_slot =
        phy::Numerology(cell.numerology, cell.cyclic_prefix, min_fft_size).slot_length(slot);
  } catch (const std::exception&) {
    return 0; // not a valid numerology and cyclic prefix
  }
  if (samples == 0 || samples % smallest_slot != 0 ||
      samples / smallest_slot > max_fft_size / min_fft_size) {
    return 0;
  }
  const auto fft = static_cast<unsigned>(samples / smallest_slot * min_fft_size);
  return fft >= num_subcarriers(cell) ? fft : 0;
}

std::string validate_pdu_config(const phy::CellConfig& cell, const phy::PuschConfig& config,
                                std::uint32_t& tbs) {
  if (std::string error = config.validate(cell); !error.empty()) {
    return "invalid PUSCH configuration: " + error;
  }
  if (!config.ulsch) {
    tbs = 0; // UCI only: tb_bits is empty
    return {};
  }
  try {
    tbs = config.tb_size_bits != 0 ? config.tb_size_bits : phy::compute_pusch_tbs(cell, config);
  } catch (const std::exception& e) {
    return std::string("cannot compute the TBS: ") + e.what();
  }
  if (tbs == 0 || tbs > max_tb_bits) {
    return "TBS " + std::to_string(tbs) + " is not in 1.." + std::to_string(max_tb_bits);
  }
  return {};
}

std::size_t find_non_bit(std::span<const phy::bit_t> bits) {
  return static_cast<std::size_t>(
      std::find_if(bits.begin(), bits.end(), [](phy::bit_t b) { return b > 1; }) - bits.begin());
}

std::size_t find_non_finite(std::span<const phy::cf32> values) {
  return static_cast<std::size_t>(std::find_if(values.begin(), values.end(),
                                               [](phy::cf32 v) {
                                                 return !std::isfinite(v.real()) ||
                                                        !std::isfinite(v.imag());
                                               }) -
                                  values.begin());
}

} // namespace airan::io::schema
