/// \file
/// \brief The scalar TLVs of PARAM.response and CONFIG.request as tables (tag, value size,
/// allowed range, field), and the decoder, encoder and check that serve any such table (the PRACH
/// configuration's too, fapi_prach_config_codec.cpp).
#pragma once

#include "airan/io/fapi_p5_messages.h"
#include "fapi_codec_common.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace airan::io::fapi_detail {

/// One scalar TLV of \p Struct: exactly one of the three member pointers is set.
template <typename Struct> struct ScalarTlvField {
  std::uint16_t tag = 0;
  std::uint8_t size = 0; ///< Value bytes on the wire: 1, 2 or 4.
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  std::optional<std::uint8_t> Struct::*u8 = nullptr;
  std::optional<std::uint16_t> Struct::*u16 = nullptr;
  std::optional<std::uint32_t> Struct::*u32 = nullptr;

  [[nodiscard]] bool present(const Struct& s) const {
    return u8 != nullptr ? (s.*u8).has_value()
                         : (u16 != nullptr ? (s.*u16).has_value() : (s.*u32).has_value());
  }
  [[nodiscard]] std::uint32_t get(const Struct& s) const {
    return u8 != nullptr ? *(s.*u8) : (u16 != nullptr ? *(s.*u16) : *(s.*u32));
  }
  void set(Struct& s, std::uint32_t value) const {
    if (u8 != nullptr) {
      s.*u8 = static_cast<std::uint8_t>(value);
    } else if (u16 != nullptr) {
      s.*u16 = static_cast<std::uint16_t>(value);
    } else {
      s.*u32 = value;
    }
  }
};

template <typename Struct>
constexpr ScalarTlvField<Struct> field8(std::uint16_t tag, std::optional<std::uint8_t> Struct::*m,
                                        std::uint32_t min, std::uint32_t max) {
  return {tag, 1, min, max, m, nullptr, nullptr};
}
template <typename Struct>
constexpr ScalarTlvField<Struct> field16(std::uint16_t tag, std::optional<std::uint16_t> Struct::*m,
                                         std::uint32_t min, std::uint32_t max) {
  return {tag, 2, min, max, nullptr, m, nullptr};
}
template <typename Struct>
constexpr ScalarTlvField<Struct> field32(std::uint16_t tag, std::optional<std::uint32_t> Struct::*m,
                                         std::uint32_t min, std::uint32_t max) {
  return {tag, 4, min, max, nullptr, nullptr, m};
}

using Caps = FapiPhyCapabilities;
namespace pt = fapi_param_tag;

/// PARAM.response TLVs, in the order they are encoded (ascending tags).
inline constexpr std::array<ScalarTlvField<Caps>, 28> param_tlv_fields = {{
    field16<Caps>(pt::release_capability, &Caps::release_capability, 0, 0xFFFF),
    field16<Caps>(pt::phy_state, &Caps::phy_state, 0, 2),
    field8<Caps>(pt::skip_blank_ul_config, &Caps::skip_blank_ul_config, 0, 1),
    field8<Caps>(pt::cyclic_prefix, &Caps::cyclic_prefix, 0, 3),
    field8<Caps>(pt::supported_subcarrier_spacings_ul, &Caps::supported_subcarrier_spacings_ul, 0,
                 0xFF),
    field16<Caps>(pt::supported_bandwidth_ul, &Caps::supported_bandwidth_ul, 0, 0xFFFF),
    field8<Caps>(pt::uci_mux_ulsch_in_pusch, &Caps::uci_mux_ulsch_in_pusch, 0, 1),
    field8<Caps>(pt::uci_only_pusch, &Caps::uci_only_pusch, 0, 1),
    field8<Caps>(pt::pusch_frequency_hopping, &Caps::pusch_frequency_hopping, 0, 1),
    field8<Caps>(pt::pusch_dmrs_config_types, &Caps::pusch_dmrs_config_types, 0, 1),
    field8<Caps>(pt::pusch_dmrs_max_len, &Caps::pusch_dmrs_max_len, 0, 1),
    field8<Caps>(pt::pusch_dmrs_additional_pos, &Caps::pusch_dmrs_additional_pos, 0, 3),
    field8<Caps>(pt::pusch_cbg, &Caps::pusch_cbg, 0, 1),
    field8<Caps>(pt::pusch_mapping_type, &Caps::pusch_mapping_type, 0, 3),
    field8<Caps>(pt::pusch_allocation_types, &Caps::pusch_allocation_types, 0, 3),
    field8<Caps>(pt::pusch_vrb_to_prb_mapping, &Caps::pusch_vrb_to_prb_mapping, 0, 3),
    field8<Caps>(pt::pusch_max_ptrs_ports, &Caps::pusch_max_ptrs_ports, 0, 2),
    field8<Caps>(pt::max_puschs_tbs_per_slot, &Caps::max_puschs_tbs_per_slot, 0, 0xFF),
    field8<Caps>(pt::max_number_mimo_layers_non_cb_pusch,
                 &Caps::max_number_mimo_layers_non_cb_pusch, 1, 4),
    field8<Caps>(pt::supported_modulation_order_ul, &Caps::supported_modulation_order_ul, 0, 3),
    field8<Caps>(pt::max_mu_mimo_users_ul, &Caps::max_mu_mimo_users_ul, 0, 0xFF),
    field8<Caps>(pt::dfts_ofdm_support, &Caps::dfts_ofdm_support, 0, 1),
    field8<Caps>(pt::pusch_aggregation_factor, &Caps::pusch_aggregation_factor, 0, 3),
    field8<Caps>(pt::prach_long_formats, &Caps::prach_long_formats, 0, 0x0F),
    field16<Caps>(pt::prach_short_formats, &Caps::prach_short_formats, 0, 0x01FF),
    field8<Caps>(pt::prach_restricted_sets, &Caps::prach_restricted_sets, 0, 1),
    field8<Caps>(pt::max_prach_fd_occasions_in_a_slot, &Caps::max_prach_fd_occasions_in_a_slot, 0,
                 3),
    field8<Caps>(pt::rssi_measurement_support, &Caps::rssi_measurement_support, 0, 2),
}};

using Config = FapiConfigRequest;
namespace ct = fapi_config_tag;

/// CONFIG.request scalar TLVs, in the order they are encoded (the two per-numerology arrays,
/// ulk0 and ulGridSize, are handled apart and written after ulFrequency).
inline constexpr std::array<ScalarTlvField<Config>, 11> config_tlv_fields = {{
    field16<Config>(ct::ul_bandwidth, &Config::ul_bandwidth_mhz, 5, 400),
    field32<Config>(ct::ul_frequency, &Config::ul_frequency_khz, 450000, 52600000),
    field16<Config>(ct::num_rx_ant, &Config::num_rx_ant, 1, 0xFFFF),
    field8<Config>(ct::frequency_shift_7p5khz, &Config::frequency_shift_7p5khz, 0, 1),
    field16<Config>(ct::phy_cell_id, &Config::phy_cell_id, 0, 1007),
    field8<Config>(ct::frame_duplex_type, &Config::frame_duplex_type, 0, 1),
    field8<Config>(ct::scs_common, &Config::scs_common, 0, 3),
    field8<Config>(ct::rssi_measurement, &Config::rssi_measurement, 0, 2),
    field8<Config>(ct::vendor_cyclic_prefix, &Config::cyclic_prefix, 0, 1),
    field8<Config>(ct::vendor_dmrs_type_a_position, &Config::dmrs_type_a_position, 2, 3),
    field16<Config>(ct::vendor_grid_start_crb, &Config::grid_start_crb, 0, 2199),
}};

/// Applies \p tlv to a known scalar field of \p out. False with error set on a bad length or
/// range, or a duplicate; \p matched tells whether the tag was one of \p fields.
template <typename Struct, std::size_t N>
bool apply_scalar_tlv(const std::array<ScalarTlvField<Struct>, N>& fields, const RawTlv& tlv,
                      FapiMessageType type, Struct& out, bool& matched, FapiError& error) {
  const auto field = std::ranges::find(fields, tlv.tag, &ScalarTlvField<Struct>::tag);
  matched = field != fields.end();
  if (!matched) {
    return true;
  }
  if (field->present(out)) {
    error = duplicate_tlv_error(type, tlv.tag, tlv.offset);
    return false;
  }
  std::uint32_t value = 0;
  if (!tlv_scalar(tlv, field->size, type, value, error)) {
    return false;
  }
  if (value < field->min || value > field->max) {
    error = tlv_out_of_range_error(type, tlv.tag, tlv.offset + 4, value, field->min, field->max);
    return false;
  }
  field->set(out, value);
  return true;
}

/// Writes the fields of \p fields present in \p in, in table order; \p count counts them.
template <typename Struct, std::size_t N>
void write_scalar_fields(ByteWriter& writer, const std::array<ScalarTlvField<Struct>, N>& fields,
                         const Struct& in, std::size_t& count) {
  for (const auto& field : fields) {
    if (field.present(in)) {
      write_scalar_tlv(writer, field.tag, field.get(in), field.size);
      ++count;
    }
  }
}

/// Checks the ranges of the fields of \p fields present in \p in (for the encoders).
template <typename Struct, std::size_t N>
FapiError check_scalar_fields(const std::array<ScalarTlvField<Struct>, N>& fields, const Struct& in,
                              FapiMessageType type) {
  for (const auto& field : fields) {
    if (field.present(in) && (field.get(in) < field.min || field.get(in) > field.max)) {
      return tlv_out_of_range_error(type, field.tag, 0, field.get(in), field.min, field.max);
    }
  }
  return {};
}

} // namespace airan::io::fapi_detail
