#include "fapi_pusch_uci_conversion.h"

#include "airan/io/fapi_p5_messages.h"

namespace airan::io::fapi_detail {
namespace {

/// part2SizeMapScope of the maps to_fapi_pusch_pdu() names: the cell's.
constexpr std::uint8_t part2_cell_scope = 1;

/// The rule of one part 2 of the correspondence; OUT_OF_RANGE as uci_config_of() says.
FapiError size_rule_of(const FapiUciPart2& part, unsigned index, unsigned csi_part1_bits,
                       phy::CsiPart2SizeRule& rule) {
  if (part.part2_size_map_index >= fapi_max_uci_part2_maps) {
    return make_fapi_error(
        FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, FapiMessageType::ul_tti_request, 0,
        "part 2 %u: part2SizeMapIndex %u is beyond the %zu maps a CONFIG.request "
        "carries",
        index, unsigned{part.part2_size_map_index}, fapi_max_uci_part2_maps);
  }
  rule.num_fields = part.num_part1_params;
  rule.map_index = part.part2_size_map_index;
  unsigned index_bits = 0;
  for (unsigned f = 0; f < part.num_part1_params; ++f) {
    const unsigned offset = part.param_offsets[f];
    const unsigned bits = part.param_sizes[f];
    if (bits == 0 || offset + bits > csi_part1_bits) {
      return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                             FapiMessageType::ul_tti_request, 0,
                             "part 2 %u: CSI part 1 field at bit %u of %u bits is not within "
                             "csiPart1BitLength %u",
                             index, offset, bits, csi_part1_bits);
    }
    index_bits += bits;
    rule.fields[f] = phy::CsiPart1Field{part.param_offsets[f], part.param_sizes[f]};
  }
  if (index_bits > phy::CsiPart2SizeMap::max_index_bits) {
    return make_fapi_error(
        FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, FapiMessageType::ul_tti_request, 0,
        "part 2 %u: paramSizes sum to %u bits, more than the %u a size map takes", index,
        index_bits, phy::CsiPart2SizeMap::max_index_bits);
  }
  return {};
}

} // namespace

FapiError uci_config_of(const FapiPuschUci& uci, phy::PuschUciConfig& out) {
  phy::PuschUciConfig config;
  config.harq_ack_bits = uci.harq_ack_bit_length;
  config.csi_part1_bits = uci.csi_part1_bit_length;
  config.csi_part2_bits = uci.csi_part2_bit_length;
  config.alpha_scaling = uci.alpha_scaling;
  config.beta_offset_harq_ack = uci.beta_offset_harq_ack;
  config.beta_offset_csi1 = uci.beta_offset_csi1;
  config.beta_offset_csi2 = uci.beta_offset_csi2;
  if (uci.csi_part2_bit_length == fapi_csi_part2_from_part1) {
    config.csi_part2_bits = 0; // the receiver learns it from the decoded CSI part 1
    phy::CsiPart2Sizing& sizing = config.csi_part2_sizing;
    const auto parts = uci.part2_info.entries();
    for (unsigned p = 0; p < parts.size() && p < phy::CsiPart2Sizing::max_reports; ++p) {
      if (FapiError error = size_rule_of(parts[p], p, config.csi_part1_bits, sizing.reports[p]);
          !error.ok()) {
        return error;
      }
      sizing.num_reports = static_cast<std::uint8_t>(p + 1);
    }
  }
  out = config;
  return {};
}

FapiPuschUci fapi_uci_of(const phy::PuschUciConfig& uci) {
  FapiPuschUci out;
  out.harq_ack_bit_length = static_cast<std::uint16_t>(uci.harq_ack_bits);
  out.csi_part1_bit_length = static_cast<std::uint16_t>(uci.csi_part1_bits);
  out.csi_part2_bit_length = static_cast<std::uint16_t>(uci.csi_part2_bits);
  out.alpha_scaling = static_cast<std::uint8_t>(uci.alpha_scaling);
  out.beta_offset_harq_ack = static_cast<std::uint8_t>(uci.beta_offset_harq_ack);
  out.beta_offset_csi1 = static_cast<std::uint8_t>(uci.beta_offset_csi1);
  out.beta_offset_csi2 = static_cast<std::uint8_t>(uci.beta_offset_csi2);
  if (!uci.csi_part2_sizing.empty()) {
    out.csi_part2_bit_length = fapi_csi_part2_from_part1;
    const auto rules = uci.csi_part2_sizing.used_reports();
    out.part2_info.num_part2s = static_cast<std::uint16_t>(rules.size());
    for (std::size_t r = 0; r < rules.size(); ++r) {
      FapiUciPart2& part = out.part2_info.part2s[r];
      part.priority = static_cast<std::uint16_t>(r);
      part.num_part1_params = rules[r].num_fields;
      for (std::size_t f = 0; f < rules[r].used_fields().size(); ++f) {
        part.param_offsets[f] = rules[r].fields[f].offset;
        part.param_sizes[f] = rules[r].fields[f].bits;
      }
      part.part2_size_map_index = rules[r].map_index;
      part.part2_size_map_scope = part2_cell_scope;
    }
  }
  return out;
}

} // namespace airan::io::fapi_detail
