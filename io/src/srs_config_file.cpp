#include "airan/io/srs_config_file.h"

#include <map>

namespace airan::io {
namespace {

constexpr unsigned max_field = 65535;

phy::SrsHopping parse_srs_hopping(const YAML::Node& node, const std::string& where,
                                  const yaml_fields::Context& ctx) {
  const std::string word = yaml_fields::read_word(node, where, ctx);
  if (word == "neither") {
    return phy::SrsHopping::neither;
  }
  if (word == "group") {
    return phy::SrsHopping::group;
  }
  if (word == "sequence") {
    return phy::SrsHopping::sequence;
  }
  ctx.fail(where, "'" + word + "' is not neither, group or sequence");
}

phy::SrsResourceType parse_srs_resource_type(const YAML::Node& node, const std::string& where,
                                             const yaml_fields::Context& ctx) {
  const std::string word = yaml_fields::read_word(node, where, ctx);
  if (word == "aperiodic") {
    return phy::SrsResourceType::aperiodic;
  }
  if (word == "semi_persistent") {
    return phy::SrsResourceType::semi_persistent;
  }
  if (word == "periodic") {
    return phy::SrsResourceType::periodic;
  }
  ctx.fail(where, "'" + word + "' is not aperiodic, semi_persistent or periodic");
}

} // namespace

phy::SrsConfig parse_srs_config(const YAML::Node& node, const std::string& where,
                                const phy::CellConfig& cell, unsigned period_slots,
                                const yaml_fields::Context& ctx) {
  phy::SrsConfig srs;
  srs.bwp_start = cell.grid_start_crb;
  srs.bwp_size = cell.num_prbs;
  srs.sequence_id = static_cast<std::uint16_t>(cell.n_cell_id % 1024);
  srs.resource_type = phy::SrsResourceType::periodic;
  const auto number = [&](unsigned& field) {
    return [&field, &ctx](const YAML::Node& n, const std::string& w) {
      field = yaml_fields::read_unsigned<unsigned>(n, w, ctx, max_field);
    };
  };
  const std::map<std::string, yaml_fields::KeyHandler> handlers = {
      {"num_ports", number(srs.num_ports)},
      {"num_symbols", number(srs.num_symbols)},
      {"repetition", number(srs.repetition)},
      {"start_symbol", number(srs.start_symbol)},
      {"c_srs", number(srs.c_srs)},
      {"b_srs", number(srs.b_srs)},
      {"comb_size", number(srs.comb_size)},
      {"comb_offset", number(srs.comb_offset)},
      {"cyclic_shift", number(srs.cyclic_shift)},
      {"frequency_position", number(srs.frequency_position)},
      {"frequency_shift", number(srs.frequency_shift)},
      {"hopping_bandwidth", number(srs.hopping_bandwidth)},
      {"group_or_sequence_hopping",
       [&](const YAML::Node& n, const std::string& w) {
         srs.group_or_sequence_hopping = parse_srs_hopping(n, w, ctx);
       }},
      {"sequence_id",
       [&](const YAML::Node& n, const std::string& w) {
         srs.sequence_id = yaml_fields::read_unsigned<std::uint16_t>(n, w, ctx, 1023);
       }},
      {"resource_type",
       [&](const YAML::Node& n, const std::string& w) {
         srs.resource_type = parse_srs_resource_type(n, w, ctx);
       }},
      {"bwp_start", number(srs.bwp_start)},
      {"bwp_size", number(srs.bwp_size)},
  };
  yaml_fields::for_each_key(node, where, handlers, ctx);
  srs.periodicity = srs.resource_type == phy::SrsResourceType::aperiodic ? 1U : period_slots;
  srs.slot_offset = 0;
  if (std::string error = srs.validate(cell); !error.empty()) {
    ctx.fail(where, error);
  }
  return srs;
}

} // namespace airan::io
