#include "airan/io/pucch_config_file.h"

#include <map>

namespace airan::io {
namespace {

constexpr unsigned max_field = 65535;

phy::PucchGroupHopping parse_group_hopping(const YAML::Node& node, const std::string& where,
                                           const yaml_fields::Context& ctx) {
  const std::string word = yaml_fields::read_word(node, where, ctx);
  if (word == "neither") {
    return phy::PucchGroupHopping::neither;
  }
  if (word == "enable") {
    return phy::PucchGroupHopping::enable;
  }
  if (word == "disable") {
    return phy::PucchGroupHopping::disable;
  }
  ctx.fail(where, "'" + word + "' is not neither, enable or disable");
}

} // namespace

phy::PucchConfig parse_pucch_config(const YAML::Node& node, const std::string& where,
                                    const phy::CellConfig& cell, const yaml_fields::Context& ctx) {
  phy::PucchConfig pucch;
  pucch.bwp_start = cell.grid_start_crb;
  pucch.bwp_size = cell.num_prbs;
  pucch.hopping_id = cell.n_cell_id;
  pucch.scrambling_id = cell.n_cell_id;
  pucch.dmrs_scrambling_id = cell.n_cell_id;
  const auto number = [&](unsigned& field) {
    return [&field, &ctx](const YAML::Node& n, const std::string& w) {
      field = yaml_fields::read_unsigned<unsigned>(n, w, ctx, max_field);
    };
  };
  const auto id = [&](std::uint16_t& field) {
    return [&field, &ctx](const YAML::Node& n, const std::string& w) {
      field = yaml_fields::read_unsigned<std::uint16_t>(n, w, ctx, max_field);
    };
  };
  const auto flag = [&](bool& field) {
    return [&field, &ctx](const YAML::Node& n, const std::string& w) {
      field = yaml_fields::read_bool(n, w, ctx);
    };
  };
  unsigned format = 1;
  bool has_pre_dft_occ = false; // a cover key given: format 4 only
  const auto cover = [&](unsigned& field) {
    return [&field, &has_pre_dft_occ, &ctx](const YAML::Node& n, const std::string& w) {
      field = yaml_fields::read_unsigned<unsigned>(n, w, ctx, max_field);
      has_pre_dft_occ = true;
    };
  };
  const std::map<std::string, yaml_fields::KeyHandler> handlers = {
      {"format", number(format)},
      {"bwp_start", number(pucch.bwp_start)},
      {"bwp_size", number(pucch.bwp_size)},
      {"prb_start", number(pucch.prb_start)},
      {"num_prbs", number(pucch.num_prbs)},
      {"start_symbol", number(pucch.start_symbol)},
      {"num_symbols", number(pucch.num_symbols)},
      {"intra_slot_hopping",
       [&](const YAML::Node& n, const std::string& w) {
         pucch.intra_slot_hopping = yaml_fields::read_bool(n, w, ctx);
       }},
      {"second_hop_prb", number(pucch.second_hop_prb)},
      {"group_hopping",
       [&](const YAML::Node& n, const std::string& w) {
         pucch.group_hopping = parse_group_hopping(n, w, ctx);
       }},
      {"hopping_id", id(pucch.hopping_id)},
      {"initial_cyclic_shift", number(pucch.initial_cyclic_shift)},
      {"time_domain_occ", number(pucch.time_domain_occ)},
      {"scrambling_id", id(pucch.scrambling_id)},
      {"dmrs_scrambling_id", id(pucch.dmrs_scrambling_id)},
      {"pi2_bpsk", flag(pucch.pi2_bpsk)},
      {"additional_dmrs", flag(pucch.additional_dmrs)},
      {"pre_dft_occ_length", cover(pucch.pre_dft_occ_length)},
      {"pre_dft_occ_index", cover(pucch.pre_dft_occ_index)},
      {"harq_bits", number(pucch.harq_bits)},
      {"sr_bits", number(pucch.sr_bits)},
      {"csi_part1_bits", number(pucch.csi_part1_bits)},
  };
  yaml_fields::for_each_key(node, where, handlers, ctx);
  if (format > static_cast<unsigned>(phy::PucchFormat::format4)) {
    ctx.fail(where + ".format", std::to_string(format) + " is not a PUCCH format (0 .. 4)");
  }
  pucch.format = static_cast<phy::PucchFormat>(format);
  if (has_pre_dft_occ && pucch.format != phy::PucchFormat::format4) {
    // Only format 4 has a pre-DFT cover; a FAPI PDU of another format would not carry it.
    ctx.fail(where, "pre_dft_occ_length and pre_dft_occ_index are for format 4, not format " +
                        std::to_string(format));
  }
  if (std::string error = pucch.validate(cell); !error.empty()) {
    ctx.fail(where, error);
  }
  return pucch;
}

} // namespace airan::io
