#include "airan/io/fapi_srs_conversion.h"

#include "airan/io/fapi_indication_conversion.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace airan::io {

namespace {

constexpr FapiMessageType srs_conversion_message = FapiMessageType::ul_tti_request;
constexpr unsigned srs_symbols_per_slot = 14;

/// SRS-PeriodicityAndOffset of TS 38.331: the periodicities T_SRS (slots) an SRS can have.
constexpr std::array<unsigned, 17> srs_periodicities = {1,  2,  4,  5,   8,   10,  16,   20,  32,
                                                        40, 64, 80, 160, 320, 640, 1280, 2560};

unsigned srs_fapi_cyclic_prefix(const phy::CellConfig& cell) {
  return cell.cyclic_prefix == phy::CyclicPrefix::extended ? 1 : 0;
}

/// 1, 2, 4 for the FAPI codes 0, 1, 2 of numAntPorts, numSymbols and numRepetitions.
unsigned srs_count_of(unsigned code) {
  return 1U << code;
}

/// The FAPI code 0, 1, 2 of a count 1, 2, 4.
std::uint8_t srs_code_of(unsigned count) {
  return count >= 4 ? 2 : (count >= 2 ? 1 : 0);
}

FapiError srs_error(FapiStatus status, const char* format, unsigned a, unsigned b) {
  return make_fapi_error(status, FapiErrorCode::msg_slot_err, srs_conversion_message, 0, format, a,
                         b);
}

/// False, with \p error set (OUT_OF_RANGE), when \p value is outside \p low .. \p high.
bool srs_in_range(const char* field, unsigned value, unsigned low, unsigned high,
                  FapiError& error) {
  if (value >= low && value <= high) {
    return true;
  }
  error =
      make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, srs_conversion_message,
                      0, "SRS PDU: %s %u is not in %u..%u", field, value, low, high);
  return false;
}

/// The enumerated fields, the numerology and cyclic prefix.
FapiError check_srs_codes(const FapiSrsPdu& pdu, const phy::CellConfig& cell) {
  if (pdu.comb_size == 2) { // 222.10.04's comb 8
    return make_fapi_error(FapiStatus::unsupported, FapiErrorCode::msg_slot_err,
                           srs_conversion_message, 0,
                           "SRS PDU: combSize 2 is not supported (comb 8, the Rel-16 positioning "
                           "SRS)");
  }
  FapiError error;
  const bool ok =
      srs_in_range("numAntPorts", pdu.num_ant_ports, 0, 2, error) &&
      srs_in_range("numSymbols", pdu.num_symbols, 0, 2, error) &&
      srs_in_range("numRepetitions", pdu.num_repetitions, 0, 2, error) &&
      srs_in_range("combSize", pdu.comb_size, 0, 1, error) &&
      srs_in_range("groupOrSequenceHopping", pdu.group_or_sequence_hopping, 0, 2, error) &&
      srs_in_range("resourceType", pdu.resource_type, 0, 2, error);
  if (!ok) {
    return error;
  }
  if (pdu.subcarrier_spacing != cell.numerology) {
    return srs_error(FapiStatus::out_of_range,
                     "SRS PDU: SubcarrierSpacing %u is not the cell's mu %u",
                     pdu.subcarrier_spacing, cell.numerology);
  }
  if (pdu.cyclic_prefix != srs_fapi_cyclic_prefix(cell)) {
    return srs_error(FapiStatus::out_of_range, "SRS PDU: CyclicPrefix %u is not the cell's %u",
                     pdu.cyclic_prefix, srs_fapi_cyclic_prefix(cell));
  }
  return {};
}

/// The other fields' ranges and the ones that depend on each other (after check_srs_codes()).
FapiError check_srs_ranges(const FapiSrsPdu& pdu) {
  const unsigned comb = pdu.comb_size == 1 ? 4 : 2;
  const unsigned max_cyclic_shift = comb == 4 ? 11 : 7; // n_SRS^cs,max - 1
  FapiError error;
  const bool ok =
      srs_in_range("BWPSize", pdu.bwp_size, 1, 275, error) &&
      srs_in_range("BWPStart", pdu.bwp_start, 0, 274, error) &&
      srs_in_range("timeStartPosition", pdu.time_start_position, 0, srs_symbols_per_slot - 1,
                   error) &&
      srs_in_range("configIndex", pdu.config_index, 0, phy::SrsConfig::max_c_srs, error) &&
      srs_in_range("sequenceId", pdu.sequence_id, 0, 1023, error) &&
      srs_in_range("bandwidthIndex", pdu.bandwidth_index, 0, 3, error) &&
      srs_in_range("combOffset", pdu.comb_offset, 0, comb - 1, error) &&
      srs_in_range("cyclicShift", pdu.cyclic_shift, 0, max_cyclic_shift, error) &&
      srs_in_range("frequencyPosition", pdu.frequency_position, 0, 67, error) &&
      srs_in_range("frequencyShift", pdu.frequency_shift, 0, 268, error) &&
      srs_in_range("frequencyHopping", pdu.frequency_hopping, 0, 3, error);
  if (!ok) {
    return error;
  }
  const unsigned symbols = srs_count_of(pdu.num_symbols);
  if (srs_count_of(pdu.num_repetitions) > symbols) {
    return srs_error(FapiStatus::out_of_range,
                     "SRS PDU: numRepetitions R = %u exceeds the SRS's %u symbols",
                     srs_count_of(pdu.num_repetitions), symbols);
  }
  if (pdu.time_start_position + symbols > srs_symbols_per_slot) {
    return srs_error(FapiStatus::out_of_range,
                     "SRS PDU: %u symbols from timeStartPosition %u pass the slot's last symbol",
                     symbols, pdu.time_start_position);
  }
  if (pdu.resource_type == static_cast<std::uint8_t>(phy::SrsResourceType::aperiodic)) {
    return {};
  }
  if (std::ranges::find(srs_periodicities, unsigned{pdu.t_srs}) == srs_periodicities.end()) {
    return srs_error(FapiStatus::out_of_range,
                     "SRS PDU: Tsrs %u is not a periodicity of TS 38.331 (1, 2, 4, 5, 8, 10, "
                     "16, .. 2560 slots; resourceType %u)",
                     pdu.t_srs, pdu.resource_type);
  }
  if (pdu.t_offset >= pdu.t_srs) {
    return srs_error(FapiStatus::out_of_range, "SRS PDU: Toffset %u is not below Tsrs %u",
                     pdu.t_offset, pdu.t_srs);
  }
  return {};
}

} // namespace

FapiError to_srs_config(const FapiSrsPdu& pdu, const phy::CellConfig& cell, phy::SrsConfig& out) {
  if (FapiError error = check_srs_codes(pdu, cell); !error.ok()) {
    return error;
  }
  if (FapiError error = check_srs_ranges(pdu); !error.ok()) {
    return error;
  }
  phy::SrsConfig config;
  config.rnti = pdu.rnti;
  config.handle = pdu.handle;
  config.bwp_start = pdu.bwp_start;
  config.bwp_size = pdu.bwp_size;
  config.num_ports = srs_count_of(pdu.num_ant_ports);
  config.num_symbols = srs_count_of(pdu.num_symbols);
  config.repetition = srs_count_of(pdu.num_repetitions);
  config.start_symbol = pdu.time_start_position;
  config.c_srs = pdu.config_index;
  config.sequence_id = pdu.sequence_id;
  config.b_srs = pdu.bandwidth_index;
  config.comb_size = pdu.comb_size == 1 ? 4 : 2;
  config.comb_offset = pdu.comb_offset;
  config.cyclic_shift = pdu.cyclic_shift;
  config.frequency_position = pdu.frequency_position;
  config.frequency_shift = pdu.frequency_shift;
  config.hopping_bandwidth = pdu.frequency_hopping;
  config.group_or_sequence_hopping = static_cast<phy::SrsHopping>(pdu.group_or_sequence_hopping);
  config.resource_type = static_cast<phy::SrsResourceType>(pdu.resource_type);
  if (config.resource_type != phy::SrsResourceType::aperiodic) {
    config.periodicity = pdu.t_srs;
    config.slot_offset = pdu.t_offset;
  }
  if (const std::string problem = config.validate(cell); !problem.empty()) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                           srs_conversion_message, 0, "SRS PDU: %s", problem.c_str());
  }
  out = config;
  return {};
}

FapiSrsPdu to_fapi_srs_pdu(const phy::SrsConfig& srs, const phy::CellConfig& cell) {
  FapiSrsPdu pdu;
  pdu.rnti = srs.rnti;
  pdu.handle = srs.handle;
  pdu.bwp_size = static_cast<std::uint16_t>(srs.bwp_size);
  pdu.bwp_start = static_cast<std::uint16_t>(srs.bwp_start);
  pdu.subcarrier_spacing = static_cast<std::uint8_t>(cell.numerology);
  pdu.cyclic_prefix = static_cast<std::uint8_t>(srs_fapi_cyclic_prefix(cell));
  pdu.num_ant_ports = srs_code_of(srs.num_ports);
  pdu.num_symbols = srs_code_of(srs.num_symbols);
  pdu.num_repetitions = srs_code_of(srs.repetition);
  pdu.time_start_position = static_cast<std::uint8_t>(srs.start_symbol);
  pdu.config_index = static_cast<std::uint8_t>(srs.c_srs);
  pdu.sequence_id = srs.sequence_id;
  pdu.bandwidth_index = static_cast<std::uint8_t>(srs.b_srs);
  pdu.comb_size = srs.comb_size == 4 ? 1 : 0;
  pdu.comb_offset = static_cast<std::uint8_t>(srs.comb_offset);
  pdu.cyclic_shift = static_cast<std::uint8_t>(srs.cyclic_shift);
  pdu.frequency_position = static_cast<std::uint8_t>(srs.frequency_position);
  pdu.frequency_shift = static_cast<std::uint16_t>(srs.frequency_shift);
  pdu.frequency_hopping = static_cast<std::uint8_t>(srs.hopping_bandwidth);
  pdu.group_or_sequence_hopping = static_cast<std::uint8_t>(srs.group_or_sequence_hopping);
  pdu.resource_type = static_cast<std::uint8_t>(srs.resource_type);
  pdu.t_srs = static_cast<std::uint16_t>(srs.periodicity);
  pdu.t_offset = static_cast<std::uint16_t>(srs.slot_offset);
  return pdu;
}

void to_fapi_srs_indication_pdu(const phy::SrsEstimatorResult& result, const phy::SrsConfig& srs,
                                const phy::CellConfig& cell, FapiSrsIndicationPdu& out) {
  out = invalid_fapi_srs_indication_pdu(srs);
  if (!result.error.empty()) {
    return;
  }
  out.timing_advance = fapi_timing_advance_from_delay(result.delay_s, cell.numerology);
  out.wide_band_snr = fapi_ul_cqi_from_snr_db(result.wideband_snr_db);
  const std::size_t symbols =
      std::min<std::size_t>(result.num_symbols, fapi_max_srs_reported_symbols);
  const std::size_t rbs = std::min<std::size_t>(srs.bwp_size, fapi_max_srs_reported_rbs);
  out.num_reported_symbols = static_cast<std::uint8_t>(symbols);
  for (std::size_t s = 0; s < symbols; ++s) {
    FapiSrsReportedSymbol& symbol = out.reported_symbols[s];
    symbol.num_rbs = static_cast<std::uint16_t>(rbs);
    for (std::size_t prb = 0; prb < rbs; ++prb) {
      // NaN (a PRB without SRS on this symbol) gives 0xFF, invalid.
      symbol.rb_snr[prb] = fapi_ul_cqi_from_snr_db(
          result.prb_snr(static_cast<unsigned>(s), static_cast<unsigned>(prb)));
    }
  }
}

FapiSrsIndicationPdu invalid_fapi_srs_indication_pdu(const phy::SrsConfig& srs) {
  FapiSrsIndicationPdu pdu;
  pdu.handle = srs.handle;
  pdu.rnti = srs.rnti;
  pdu.num_symbols = static_cast<std::uint8_t>(std::min(srs.num_symbols, 255U));
  unmeasured_symbols(pdu);
  return pdu; // TimingAdvance 0xFFFF, WideBandSNR 0xFF, each symbol without RBs
}

FapiSrsIndicationPdu invalid_fapi_srs_indication_pdu(const FapiSrsPdu& pdu) {
  FapiSrsIndicationPdu out;
  out.handle = pdu.handle;
  out.rnti = pdu.rnti;
  out.num_symbols =
      static_cast<std::uint8_t>(pdu.num_symbols <= 2 ? srs_count_of(pdu.num_symbols) : 1U);
  unmeasured_symbols(out);
  return out;
}

void unmeasured_symbols(FapiSrsIndicationPdu& pdu) {
  pdu.num_reported_symbols = static_cast<std::uint8_t>(
      std::min<std::size_t>(pdu.num_symbols, fapi_max_srs_reported_symbols));
  for (FapiSrsReportedSymbol& symbol : pdu.reported_symbols) {
    symbol.num_rbs = 0;
  }
}

} // namespace airan::io
