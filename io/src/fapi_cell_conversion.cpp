#include "airan/io/fapi_cell_conversion.h"

#include <string>
#include <utility>

namespace airan::io {

namespace {

constexpr FapiMessageType config_request = FapiMessageType::config_request;

FapiError config_error(FapiStatus status, const char* what, unsigned value) {
  return make_fapi_error(status, FapiErrorCode::msg_invalid_config, config_request, 0, what, value);
}

void list_missing(FapiConfigResponse* response, std::uint16_t tag) {
  if (response != nullptr) {
    FapiTlv tlv;
    tlv.tag = tag;
    response->missing.push(tlv);
  }
}

void list_invalid(FapiConfigResponse* response, std::uint16_t tag, std::uint32_t value,
                  std::uint16_t size) {
  if (response != nullptr) {
    response->invalid_or_unsupported.push_scalar(tag, value, size);
  }
}

/// The numerology whose ulGridSize is non-zero (scsCommon decides between several); -1 if none.
int pick_numerology(const FapiConfigRequest& request) {
  int chosen = -1;
  unsigned count = 0;
  for (std::size_t mu = 0; mu < fapi_num_numerologies; ++mu) {
    if ((*request.ul_grid_size)[mu] != 0) {
      chosen = static_cast<int>(mu);
      ++count;
    }
  }
  if (count > 1) {
    if (request.scs_common && *request.scs_common < fapi_num_numerologies &&
        (*request.ul_grid_size)[*request.scs_common] != 0) {
      return *request.scs_common;
    }
    return -2;
  }
  return chosen;
}

} // namespace

FapiError to_cell_config(const FapiConfigRequest& request, phy::CellConfig& cell,
                         unsigned& num_rx_antennas, FapiConfigResponse* response,
                         bool rssi_dbm_supported) {
  if (response != nullptr) {
    *response = {};
  }
  FapiError first_error;
  const auto note = [&](const FapiError& error) {
    if (first_error.ok()) {
      first_error = error;
    }
  };
  if (!request.ul_grid_size) {
    list_missing(response, fapi_config_tag::ul_grid_size);
    note(config_error(FapiStatus::out_of_range, "CONFIG.request: ulGridSize (0x%04X) missing",
                      fapi_config_tag::ul_grid_size));
  }
  if (!request.phy_cell_id) {
    list_missing(response, fapi_config_tag::phy_cell_id);
    note(config_error(FapiStatus::out_of_range, "CONFIG.request: phyCellId (0x%04X) missing",
                      fapi_config_tag::phy_cell_id));
  }
  if (!request.num_rx_ant) {
    list_missing(response, fapi_config_tag::num_rx_ant);
    note(config_error(FapiStatus::out_of_range, "CONFIG.request: numRxAnt (0x%04X) missing",
                      fapi_config_tag::num_rx_ant));
  }
  if (request.frequency_shift_7p5khz.value_or(0) != 0) {
    list_invalid(response, fapi_config_tag::frequency_shift_7p5khz, 1, 1);
    note(config_error(FapiStatus::unsupported,
                      "CONFIG.request: FrequencyShift7p5KHz = %u is not supported", 1));
  }
  if (request.rssi_measurement.value_or(fapi_rssi_in_dbfs) == fapi_rssi_in_dbm &&
      !rssi_dbm_supported) {
    list_invalid(response, fapi_config_tag::rssi_measurement, fapi_rssi_in_dbm, 1);
    note(config_error(FapiStatus::unsupported,
                      "CONFIG.request: RSSIMeasurement = %u (dBm) is not supported: the L1 has no "
                      "RU calibration (FapiPhyConfig::rssi_dbm_at_full_scale); RSSI is reported "
                      "in dBFS or not at all",
                      fapi_rssi_in_dbm));
  }
  phy::CellConfig candidate;
  if (request.ul_grid_size) {
    const int mu = pick_numerology(request);
    if (mu < 0) {
      list_invalid(response, fapi_config_tag::ul_grid_size, 0, 0);
      note(make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_invalid_config,
                           config_request, 0, "CONFIG.request: %s",
                           mu == -1 ? "ulGridSize is 0 for every numerology"
                                    : "ulGridSize has several numerologies, scsCommon picks none"));
    } else {
      candidate.numerology = static_cast<unsigned>(mu);
      candidate.num_prbs = (*request.ul_grid_size)[static_cast<std::size_t>(mu)];
    }
  }
  candidate.n_cell_id = request.phy_cell_id.value_or(0);
  candidate.cyclic_prefix = request.cyclic_prefix.value_or(0) == 1 ? phy::CyclicPrefix::extended
                                                                   : phy::CyclicPrefix::normal;
  candidate.dmrs_type_a_position = request.dmrs_type_a_position.value_or(2);
  candidate.grid_start_crb = request.grid_start_crb.value_or(0);
  if (first_error.ok()) {
    if (const std::string problem = candidate.validate(); !problem.empty()) {
      // Every field but the CP / numerology pair was range-checked when decoding.
      list_invalid(response, fapi_config_tag::vendor_cyclic_prefix,
                   request.cyclic_prefix.value_or(0), 1);
      FapiError error = make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_invalid_config,
                                        config_request, 0, "CONFIG.request: %s", problem.c_str());
      note(error);
    }
  }
  if (response != nullptr) {
    response->error_code =
        first_error.ok() ? FapiErrorCode::msg_ok : FapiErrorCode::msg_invalid_config;
  }
  if (!first_error.ok()) {
    return first_error;
  }
  cell = candidate;
  num_rx_antennas = *request.num_rx_ant;
  return {};
}

FapiError to_csi_part2_size_maps(const FapiConfigRequest& request,
                                 std::vector<phy::CsiPart2SizeMap>& maps,
                                 FapiConfigResponse* response) {
  std::vector<phy::CsiPart2SizeMap> candidate;
  candidate.reserve(request.uci_part2_maps.size());
  for (std::size_t m = 0; m < request.uci_part2_maps.size(); ++m) {
    const FapiUciPart2Map& fapi = request.uci_part2_maps[m];
    phy::CsiPart2SizeMap& map = candidate.emplace_back();
    map.field_bits = fapi.sizes_part1_params;
    map.part2_bits = fapi.map;
    if (const std::string problem = map.validate(); !problem.empty()) {
      if (response != nullptr) {
        FapiTlv tlv;
        tlv.tag = fapi_config_tag::uci_configuration;
        response->invalid_or_unsupported.push(tlv); // too long to hold: listed by its tag
        response->error_code = FapiErrorCode::msg_invalid_config;
      }
      return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_invalid_config,
                             config_request, 0, "CONFIG.request: UCI configuration map %zu: %s", m,
                             problem.c_str());
    }
  }
  maps = std::move(candidate);
  return {};
}

FapiConfigRequest to_fapi_config_request(const phy::CellConfig& cell, unsigned num_rx_antennas) {
  FapiConfigRequest request;
  std::array<std::uint16_t, fapi_num_numerologies> grid{};
  if (cell.numerology < fapi_num_numerologies) {
    grid[cell.numerology] = static_cast<std::uint16_t>(cell.num_prbs);
  }
  request.ul_grid_size = grid;
  request.ul_k0 = std::array<std::uint16_t, fapi_num_numerologies>{};
  request.num_rx_ant = static_cast<std::uint16_t>(num_rx_antennas);
  request.frequency_shift_7p5khz = 0;
  request.phy_cell_id = cell.n_cell_id;
  if (cell.numerology <= 3) {
    request.scs_common = static_cast<std::uint8_t>(cell.numerology);
  }
  request.cyclic_prefix = cell.cyclic_prefix == phy::CyclicPrefix::extended ? 1 : 0;
  request.dmrs_type_a_position = static_cast<std::uint8_t>(cell.dmrs_type_a_position);
  request.grid_start_crb = static_cast<std::uint16_t>(cell.grid_start_crb);
  request.rssi_measurement = fapi_rssi_in_dbfs;
  return request;
}

FapiConfigRequest merge_config_request(const FapiConfigRequest& applied,
                                       const FapiConfigRequest& update) {
  FapiConfigRequest out = applied;
  const auto take = [](auto& field, const auto& sent) {
    if (sent) {
      field = sent;
    }
  };
  take(out.ul_bandwidth_mhz, update.ul_bandwidth_mhz);
  take(out.ul_frequency_khz, update.ul_frequency_khz);
  take(out.ul_k0, update.ul_k0);
  take(out.ul_grid_size, update.ul_grid_size);
  take(out.num_rx_ant, update.num_rx_ant);
  take(out.frequency_shift_7p5khz, update.frequency_shift_7p5khz);
  take(out.phy_cell_id, update.phy_cell_id);
  take(out.frame_duplex_type, update.frame_duplex_type);
  take(out.scs_common, update.scs_common);
  take(out.rssi_measurement, update.rssi_measurement);
  take(out.cyclic_prefix, update.cyclic_prefix);
  take(out.dmrs_type_a_position, update.dmrs_type_a_position);
  take(out.grid_start_crb, update.grid_start_crb);
  FapiPrachConfig& prach = out.prach;
  take(prach.prach_sequence_length, update.prach.prach_sequence_length);
  take(prach.prach_sub_c_spacing, update.prach.prach_sub_c_spacing);
  take(prach.restricted_set_config, update.prach.restricted_set_config);
  take(prach.num_prach_fd_occasions, update.prach.num_prach_fd_occasions);
  take(prach.prach_config_index, update.prach.prach_config_index);
  take(prach.ssb_per_rach, update.prach.ssb_per_rach);
  take(prach.prach_multiple_carriers_in_a_band, update.prach.prach_multiple_carriers_in_a_band);
  if (update.prach.num_fd_occasions > 0) {
    prach.fd_occasions = update.prach.fd_occasions;
    prach.num_fd_occasions = update.prach.num_fd_occasions;
  }
  if (update.uci_configuration_present()) { // with no map, it removes the maps
    out.uci_part2_maps = update.uci_part2_maps;
    out.uci_configuration_without_maps = update.uci_configuration_without_maps;
  }
  out.unrecognised = update.unrecognised;
  return out;
}

} // namespace airan::io
