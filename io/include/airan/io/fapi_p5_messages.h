/// \file
/// \brief SCF 222.10.02 configuration (P5) messages as plain data: PARAM, CONFIG, START, STOP,
/// STOP.indication and ERROR.indication, with the TLVs an uplink-only L1 needs (and FAPIv3's UCI
/// configuration TLV, the CSI part 2 size maps).
///
/// Every TLV the codec knows has a std::optional field (absent = not in the message); TLVs it
/// does not know are kept in `unrecognised` (tag, length and value) and skipped, never an error.
/// Field names follow the spec's parameter names; units are in the comments.
#pragma once

#include "airan/io/fapi_prach_messages.h"
#include "airan/io/fapi_types.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace airan::io {

/// PARAM TLV tags (SCF 222.10.02 section 3.3.1, cell/carrier/PUSCH/measurement parameters).
namespace fapi_param_tag {
inline constexpr std::uint16_t release_capability = 0x0001;
inline constexpr std::uint16_t phy_state = 0x0002;
inline constexpr std::uint16_t skip_blank_ul_config = 0x0004;
inline constexpr std::uint16_t cyclic_prefix = 0x0006;
inline constexpr std::uint16_t supported_subcarrier_spacings_ul = 0x0009;
inline constexpr std::uint16_t supported_bandwidth_ul = 0x000A;
inline constexpr std::uint16_t uci_mux_ulsch_in_pusch = 0x0021;
inline constexpr std::uint16_t uci_only_pusch = 0x0022;
inline constexpr std::uint16_t pusch_frequency_hopping = 0x0023;
inline constexpr std::uint16_t pusch_dmrs_config_types = 0x0024;
inline constexpr std::uint16_t pusch_dmrs_max_len = 0x0025;
inline constexpr std::uint16_t pusch_dmrs_additional_pos = 0x0026;
inline constexpr std::uint16_t pusch_cbg = 0x0027;
inline constexpr std::uint16_t pusch_mapping_type = 0x0028;
inline constexpr std::uint16_t pusch_allocation_types = 0x0029;
inline constexpr std::uint16_t pusch_vrb_to_prb_mapping = 0x002A;
inline constexpr std::uint16_t pusch_max_ptrs_ports = 0x002B;
inline constexpr std::uint16_t max_puschs_tbs_per_slot = 0x002C;
inline constexpr std::uint16_t max_number_mimo_layers_non_cb_pusch = 0x002D;
inline constexpr std::uint16_t supported_modulation_order_ul = 0x002E;
inline constexpr std::uint16_t max_mu_mimo_users_ul = 0x002F;
inline constexpr std::uint16_t dfts_ofdm_support = 0x0030;
inline constexpr std::uint16_t pusch_aggregation_factor = 0x0031;
inline constexpr std::uint16_t prach_long_formats = 0x0032;
inline constexpr std::uint16_t prach_short_formats = 0x0033;
inline constexpr std::uint16_t prach_restricted_sets = 0x0034;
inline constexpr std::uint16_t max_prach_fd_occasions_in_a_slot = 0x0035;
inline constexpr std::uint16_t rssi_measurement_support = 0x0036;
} // namespace fapi_param_tag

/// CONFIG TLV tags (SCF 222.10.02 section 3.3.2, carrier and cell configuration), and the
/// airan vendor TLVs (range 0xA000 .. 0xAFFF) for what CONFIG.request 222.10.02 does not carry.
namespace fapi_config_tag {
inline constexpr std::uint16_t ul_bandwidth = 0x1006;
inline constexpr std::uint16_t ul_frequency = 0x1007;
inline constexpr std::uint16_t ul_k0 = 0x1008;
inline constexpr std::uint16_t ul_grid_size = 0x1009;
inline constexpr std::uint16_t num_rx_ant = 0x100A;
inline constexpr std::uint16_t frequency_shift_7p5khz = 0x100B;
inline constexpr std::uint16_t phy_cell_id = 0x100C;
inline constexpr std::uint16_t frame_duplex_type = 0x100D;
inline constexpr std::uint16_t scs_common = 0x1010;
/// RSSIMeasurement (measurement config): 0 do not report RSSI, 1 in dBm, 2 in dBFS (uint8).
inline constexpr std::uint16_t rssi_measurement = 0x1028;
/// UCI configuration (SCF 222.10.04): the CSI part 1 to part 2 size maps, numUci2Maps (uint16)
/// then per map numPart1Params (uint8), sizesPart1Params (uint8 each) and map (uint16 each).
inline constexpr std::uint16_t uci_configuration = 0x1036;
/// airan: cyclic prefix of the carrier, 0 normal, 1 extended (uint8).
inline constexpr std::uint16_t vendor_cyclic_prefix = 0xA001;
/// airan: dmrs-TypeA-Position, 2 or 3 (uint8; 222.10.02 carries it only in the MIB).
inline constexpr std::uint16_t vendor_dmrs_type_a_position = 0xA002;
/// airan: first CRB of the uplink carrier from point A, N_grid^start, 0 .. 2199 (uint16).
inline constexpr std::uint16_t vendor_grid_start_crb = 0xA003;
} // namespace fapi_config_tag

/// Numerologies a per-numerology CONFIG array covers (mu = 0 .. 4).
inline constexpr std::size_t fapi_num_numerologies = 5;

/// PARAM.request: empty body.
struct FapiParamRequest {
  static constexpr FapiMessageType message_type = FapiMessageType::param_request;
  friend bool operator==(const FapiParamRequest&, const FapiParamRequest&) = default;
};

/// What a PHY reports in PARAM.response (only the uplink and cell parameters).
struct FapiPhyCapabilities {
  std::optional<std::uint16_t> release_capability;  ///< Bitmap, bit 0: Rel-15.
  std::optional<std::uint16_t> phy_state;           ///< 0 IDLE, 1 CONFIGURED, 2 RUNNING.
  std::optional<std::uint8_t> skip_blank_ul_config; ///< 0/1.
  std::optional<std::uint8_t> cyclic_prefix;        ///< Bitmap: bit 0 normal, bit 1 extended.
  std::optional<std::uint8_t> supported_subcarrier_spacings_ul; ///< Bit mu: 15 * 2^mu kHz.
  std::optional<std::uint16_t> supported_bandwidth_ul;          ///< The spec's bandwidth bitmap.
  std::optional<std::uint8_t> uci_mux_ulsch_in_pusch;           ///< 0/1.
  std::optional<std::uint8_t> uci_only_pusch;                   ///< 0/1.
  std::optional<std::uint8_t> pusch_frequency_hopping;          ///< 0/1.
  std::optional<std::uint8_t> pusch_dmrs_config_types;          ///< 0: type 1, 1: types 1 and 2.
  std::optional<std::uint8_t> pusch_dmrs_max_len;               ///< 0: single symbol, 1: double.
  std::optional<std::uint8_t> pusch_dmrs_additional_pos;        ///< Largest pos0..pos3 as 0..3.
  std::optional<std::uint8_t> pusch_cbg;                        ///< 0/1.
  std::optional<std::uint8_t> pusch_mapping_type;               ///< Bitmap: bit 0 type A, bit 1 B.
  std::optional<std::uint8_t> pusch_allocation_types;   ///< Bitmap: bit 0 type 0, bit 1 type 1.
  std::optional<std::uint8_t> pusch_vrb_to_prb_mapping; ///< Bitmap: bit 0 non-interleaved.
  std::optional<std::uint8_t> pusch_max_ptrs_ports;     ///< 0..2.
  std::optional<std::uint8_t> max_puschs_tbs_per_slot;
  std::optional<std::uint8_t> max_number_mimo_layers_non_cb_pusch; ///< 1..4.
  std::optional<std::uint8_t> supported_modulation_order_ul;       ///< 0 QPSK .. 3 256-QAM.
  std::optional<std::uint8_t> max_mu_mimo_users_ul;
  std::optional<std::uint8_t> dfts_ofdm_support;        ///< 0/1.
  std::optional<std::uint8_t> pusch_aggregation_factor; ///< 0: 1, 1: 2, 2: 4, 3: 8.
  std::optional<std::uint8_t> prach_long_formats;       ///< Bitmap: bit n format n (0 .. 3).
  /// Bitmap: bits 0 .. 8 A1, A2, A3, B1, B2, B3, B4, C0, C2.
  std::optional<std::uint16_t> prach_short_formats;
  std::optional<std::uint8_t> prach_restricted_sets;            ///< 0/1.
  std::optional<std::uint8_t> max_prach_fd_occasions_in_a_slot; ///< 0: 1, 1: 2, 2: 4, 3: 8.
  std::optional<std::uint8_t> rssi_measurement_support;         ///< 0 none, 1 dBm, 2 dBFS.
  friend bool operator==(const FapiPhyCapabilities&, const FapiPhyCapabilities&) = default;
};

/// PARAM.response: error code and the capability TLVs.
struct FapiParamResponse {
  static constexpr FapiMessageType message_type = FapiMessageType::param_response;
  FapiErrorCode error_code = FapiErrorCode::msg_ok;
  FapiPhyCapabilities capabilities;
  FapiTlvList unrecognised; ///< TLVs with tags the codec does not know, in message order.
  friend bool operator==(const FapiParamResponse&, const FapiParamResponse&) = default;
};

/// One map of CONFIG.request's UCI configuration (TLV 0x1036): the widths of the CSI part 1
/// fields it is indexed by and the CSI part 2 size for each value of their concatenation (the
/// first field's most significant bit first).
struct FapiUciPart2Map {
  static constexpr std::size_t max_part1_params = 4; ///< numPart1Params 1 .. 4.
  static constexpr unsigned max_index_bits = 12;     ///< sizesPart1Params sum to at most 12.
  std::vector<std::uint8_t> sizes_part1_params;      ///< sizesPart1Params, bits of each field.
  std::vector<std::uint16_t> map; ///< map: 2^(sum of sizes_part1_params) part 2 sizes, bits.
  friend bool operator==(const FapiUciPart2Map&, const FapiUciPart2Map&) = default;
};

/// Maps one UCI configuration TLV carries at most (numUci2Maps).
inline constexpr std::size_t fapi_max_uci_part2_maps = 64;

/// CONFIG.request: the uplink carrier and cell TLVs, the PRACH configuration TLVs (and airan's
/// vendor TLVs).
struct FapiConfigRequest {
  static constexpr FapiMessageType message_type = FapiMessageType::config_request;
  std::optional<std::uint16_t> ul_bandwidth_mhz; ///< Carrier bandwidth, MHz (5 .. 400).
  std::optional<std::uint32_t> ul_frequency_khz; ///< Point A, kHz (450000 .. 52600000).
  /// k0^mu per numerology, subcarriers (0 .. 23699).
  std::optional<std::array<std::uint16_t, fapi_num_numerologies>> ul_k0;
  /// N_grid^size,mu per numerology, PRBs (0 .. 275; 0: numerology unused).
  std::optional<std::array<std::uint16_t, fapi_num_numerologies>> ul_grid_size;
  std::optional<std::uint16_t> num_rx_ant;            ///< Receive antennas.
  std::optional<std::uint8_t> frequency_shift_7p5khz; ///< 0/1.
  std::optional<std::uint16_t> phy_cell_id;           ///< N_ID^cell, 0 .. 1007.
  std::optional<std::uint8_t> frame_duplex_type;      ///< 0 FDD, 1 TDD.
  std::optional<std::uint8_t> scs_common;             ///< mu of the common SCS, 0 .. 3.
  /// RSSIMeasurement: 0 no RSSI in the indications, 1 dBm, 2 dBFS (absent: dBFS).
  std::optional<std::uint8_t> rssi_measurement;
  std::optional<std::uint8_t> cyclic_prefix;        ///< airan vendor TLV: 0 normal, 1 extended.
  std::optional<std::uint8_t> dmrs_type_a_position; ///< airan vendor TLV: 2 or 3.
  std::optional<std::uint16_t> grid_start_crb;      ///< airan vendor TLV: 0 .. 2199.
  FapiPrachConfig prach; ///< The PRACH configuration TLVs (0x1011 .. 0x101C, 0x1029).
  /// The UCI configuration TLV (0x1036, FAPIv3): CSI part 2 size maps, numbered from 0 as a
  /// PUSCH PDU's part2SizeMapIndex names them (empty: no TLV, unless
  /// uci_configuration_without_maps). Up to fapi_max_uci_part2_maps.
  std::vector<FapiUciPart2Map> uci_part2_maps;
  /// The UCI configuration TLV was sent with no map (numUci2Maps 0): in the CONFIGURED state it
  /// removes the maps in force. The encoder writes the TLV when this is set or maps are given.
  bool uci_configuration_without_maps = false;
  FapiTlvList unrecognised; ///< TLVs with tags the codec does not know, in message order.

  /// The UCI configuration TLV is (to be) sent: with maps, or without.
  [[nodiscard]] bool uci_configuration_present() const {
    return !uci_part2_maps.empty() || uci_configuration_without_maps;
  }
  friend bool operator==(const FapiConfigRequest&, const FapiConfigRequest&) = default;
};

/// CONFIG.response: error code and the four TLV lists of the spec (each TLV as received;
/// a missing TLV is listed with its tag and length 0).
struct FapiConfigResponse {
  static constexpr FapiMessageType message_type = FapiMessageType::config_response;
  FapiErrorCode error_code = FapiErrorCode::msg_ok;
  FapiTlvList invalid_or_unsupported;
  FapiTlvList idle_only;    ///< Valid, but only settable while IDLE.
  FapiTlvList running_only; ///< Valid, but only settable while RUNNING.
  FapiTlvList missing;
  friend bool operator==(const FapiConfigResponse&, const FapiConfigResponse&) = default;
};

/// START.request: empty body.
struct FapiStartRequest {
  static constexpr FapiMessageType message_type = FapiMessageType::start_request;
  friend bool operator==(const FapiStartRequest&, const FapiStartRequest&) = default;
};

/// STOP.request: empty body.
struct FapiStopRequest {
  static constexpr FapiMessageType message_type = FapiMessageType::stop_request;
  friend bool operator==(const FapiStopRequest&, const FapiStopRequest&) = default;
};

/// STOP.indication: empty body.
struct FapiStopIndication {
  static constexpr FapiMessageType message_type = FapiMessageType::stop_indication;
  friend bool operator==(const FapiStopIndication&, const FapiStopIndication&) = default;
};

/// ERROR.indication: which message of which slot failed, and why.
struct FapiErrorIndication {
  static constexpr FapiMessageType message_type = FapiMessageType::error_indication;
  std::uint16_t sfn = 0;       ///< 0 .. 1023.
  std::uint16_t slot = 0;      ///< 0 .. 159.
  std::uint8_t message_id = 0; ///< Type id of the failed message (low byte; ids are <= 0xFF).
  FapiErrorCode error_code = FapiErrorCode::msg_ok;
  friend bool operator==(const FapiErrorIndication&, const FapiErrorIndication&) = default;
};

} // namespace airan::io
