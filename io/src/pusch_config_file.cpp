#include "airan/io/pusch_config_file.h"

#include "airan/io/yaml_fields.h"

#include "pusch_config_file_csi_part2.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

namespace airan::io {
namespace {

using namespace yaml_fields;

phy::CellConfig parse_cell(const YAML::Node& node, const Context& ctx) {
  phy::CellConfig cell;
  const std::map<std::string, KeyHandler> handlers = {
      {"num_prbs", [&](auto& n, auto& w) { cell.num_prbs = read_unsigned<unsigned>(n, w, ctx); }},
      {"grid_start_crb",
       [&](auto& n, auto& w) { cell.grid_start_crb = read_unsigned<unsigned>(n, w, ctx); }},
      {"numerology",
       [&](auto& n, auto& w) { cell.numerology = read_unsigned<unsigned>(n, w, ctx, 6); }},
      {"cyclic_prefix",
       [&](auto& n, auto& w) {
         const auto cp = read_word(n, w, ctx);
         if (cp != "normal" && cp != "extended") {
           ctx.fail(w, "expected normal or extended");
         }
         cell.cyclic_prefix =
             cp == "normal" ? phy::CyclicPrefix::normal : phy::CyclicPrefix::extended;
       }},
      {"n_cell_id",
       [&](auto& n, auto& w) { cell.n_cell_id = read_unsigned<std::uint16_t>(n, w, ctx, 1007); }},
      {"dmrs_type_a_position",
       [&](auto& n, auto& w) {
         cell.dmrs_type_a_position = read_unsigned<unsigned>(n, w, ctx, 3);
       }},
      {"num_antenna_ports",
       [&](auto& n, auto& w) { cell.num_antenna_ports = read_unsigned<unsigned>(n, w, ctx, 4); }},
      {"fft_size",
       [&](auto& n, auto& w) {
         cell.fft_size = read_unsigned<unsigned>(n, w, ctx, phy::max_cell_fft_size);
       }},
  };
  for_each_key(node, "cell", handlers, ctx);
  if (const auto error = cell.validate(); !error.empty()) {
    ctx.fail("cell", error);
  }
  return cell;
}

std::uint16_t parse_port_list(const YAML::Node& node, const std::string& where,
                              const Context& ctx) {
  if (!node.IsSequence() || node.size() == 0) {
    ctx.fail(where, "expected a non-empty list of DMRS port numbers (0..11)");
  }
  std::uint16_t mask = 0;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto port = read_unsigned<unsigned>(node[i], where, ctx, 11);
    mask = static_cast<std::uint16_t>(mask | (1U << port));
  }
  return mask;
}

phy::LowPaprHopping parse_dmrs_hopping(const YAML::Node& node, const std::string& where,
                                       const Context& ctx) {
  const auto hopping = read_word(node, where, ctx);
  if (hopping == "none") {
    return phy::LowPaprHopping::none;
  }
  if (hopping == "group") {
    return phy::LowPaprHopping::group;
  }
  if (hopping == "sequence") {
    return phy::LowPaprHopping::sequence;
  }
  ctx.fail(where, "expected none, group or sequence");
}

/// A PUSCH entry; the size maps of a CSI part 2 sized from part 1 are appended to \p maps.
phy::PuschConfig parse_pusch(const YAML::Node& node, const std::string& where, const Context& ctx,
                             std::vector<phy::CsiPart2SizeMap>& maps) {
  phy::PuschConfig p;
  auto uint_field = [&](unsigned& field, unsigned long long max) -> KeyHandler {
    return [&field, max, &ctx](const YAML::Node& n, const std::string& w) {
      field = read_unsigned<unsigned>(n, w, ctx, max);
    };
  };
  auto u16_field = [&](std::uint16_t& field, unsigned long long max) -> KeyHandler {
    return [&field, max, &ctx](const YAML::Node& n, const std::string& w) {
      field = read_unsigned<std::uint16_t>(n, w, ctx, max);
    };
  };
  auto u32_field = [&](std::uint32_t& field) -> KeyHandler {
    return [&field, &ctx](const YAML::Node& n, const std::string& w) {
      field = read_unsigned<std::uint32_t>(n, w, ctx);
    };
  };
  bool table_given = false;
  bool hopping_given = false;
  bool second_hop_given = false;
  const std::map<std::string, KeyHandler> handlers = {
      {"rnti", u16_field(p.rnti, 65535)},
      {"handle", u32_field(p.handle)},
      {"bwp_start", uint_field(p.bwp_start, 274)},
      {"bwp_size", uint_field(p.bwp_size, 275)},
      {"prb_start", uint_field(p.prb_start, 274)},
      {"prb_size", uint_field(p.prb_size, 275)},
      {"start_symbol", uint_field(p.start_symbol, 13)},
      {"num_symbols", uint_field(p.num_symbols, 14)},
      {"intra_slot_hopping",
       [&](auto& n, auto& w) {
         hopping_given = true;
         p.intra_slot_hopping = read_bool(n, w, ctx);
       }},
      {"second_hop_prb_start",
       [&](auto& n, auto& w) {
         second_hop_given = true;
         p.second_hop_prb_start = read_unsigned<unsigned>(n, w, ctx, 274);
       }},
      {"mapping_type",
       [&](auto& n, auto& w) {
         const auto type = read_word(n, w, ctx);
         if (type != "A" && type != "B") {
           ctx.fail(w, "expected A or B");
         }
         p.mapping_type =
             type == "A" ? phy::PuschMappingType::type_a : phy::PuschMappingType::type_b;
       }},
      {"dmrs_config_type",
       [&](auto& n, auto& w) {
         const auto type = read_unsigned<unsigned>(n, w, ctx, 2);
         if (type == 0) {
           ctx.fail(w, "expected 1 or 2");
         }
         p.dmrs_config_type = type == 1 ? phy::DmrsConfigType::type1 : phy::DmrsConfigType::type2;
       }},
      {"dmrs_symbol_mask", u16_field(p.dmrs_symbol_mask, 0x3fff)},
      {"dmrs_additional_position", uint_field(p.dmrs_additional_position, 3)},
      {"dmrs_length", uint_field(p.dmrs_length, 2)},
      {"dmrs_ports", [&](auto& n, auto& w) { p.dmrs_ports = parse_port_list(n, w, ctx); }},
      {"n_scid", uint_field(p.n_scid, 1)},
      {"dmrs_scrambling_id", u16_field(p.dmrs_scrambling_id, 65535)},
      {"num_dmrs_cdm_groups_no_data", uint_field(p.num_dmrs_cdm_groups_no_data, 3)},
      {"mcs_index", uint_field(p.mcs_index, 31)},
      {"mcs_table",
       [&](auto& n, auto& w) {
         table_given = true;
         const auto table = read_unsigned<unsigned>(n, w, ctx, 5);
         if (table == 0) {
           ctx.fail(w, "expected 1, 2, 3 (TS 38.214 Tables 5.1.3.1-1/2/3), 4 or 5 (Tables "
                       "6.1.4.1-1/2)");
         }
         p.mcs_table = phy::mcs_table_from_number(table);
       }},
      {"target_code_rate_x10240", u32_field(p.target_code_rate_x10240)},
      {"qam_order", uint_field(p.qam_order, 10)},
      {"num_layers", uint_field(p.num_layers, 4)},
      {"precoding",
       [&](auto& n, auto& w) {
         const auto kind = read_word(n, w, ctx);
         if (kind != "non-codebook" && kind != "codebook") {
           ctx.fail(w, "expected non-codebook or codebook");
         }
         p.precoding =
             kind == "codebook" ? phy::PuschPrecoding::codebook : phy::PuschPrecoding::non_codebook;
       }},
      {"tpmi", uint_field(p.tpmi, 27)},
      {"transform_precoding",
       [&](auto& n, auto& w) { p.transform_precoding = read_bool(n, w, ctx); }},
      {"ulsch", [&](auto& n, auto& w) { p.ulsch = read_bool(n, w, ctx); }},
      {"tp_pi2bpsk", [&](auto& n, auto& w) { p.tp_pi2bpsk = read_bool(n, w, ctx); }},
      {"pusch_identity", u16_field(p.pusch_identity, 1007)},
      {"dmrs_hopping", [&](auto& n, auto& w) { p.dmrs_hopping = parse_dmrs_hopping(n, w, ctx); }},
      {"rv", uint_field(p.rv, 3)},
      {"harq_process_id", uint_field(p.harq_process_id, 31)},
      {"new_data_indicator",
       [&](auto& n, auto& w) { p.new_data_indicator = read_bool(n, w, ctx); }},
      {"data_scrambling_id", u16_field(p.data_scrambling_id, 1023)},
      {"tb_size_bits", u32_field(p.tb_size_bits)},
      {"tbs_lbrm", u32_field(p.tbs_lbrm)},
      {"x_overhead", uint_field(p.x_overhead, 18)},
      {"ptrs",
       [&](auto& n, auto& w) {
         // The map's presence enables PT-RS; `enabled: false` keeps it off.
         phy::PuschPtrsConfig& t = p.ptrs;
         t.enabled = true;
         const std::map<std::string, KeyHandler> ptrs_handlers = {
             {"enabled", [&](auto& m, auto& v) { t.enabled = read_bool(m, v, ctx); }},
             {"time_density", uint_field(t.time_density, 4)},
             {"frequency_density", uint_field(t.frequency_density, 4)},
             {"re_offset", uint_field(t.re_offset, 3)},
             {"dmrs_port", uint_field(t.dmrs_port, 11)},
             {"power", uint_field(t.power, 3)},
         };
         for_each_key(n, w, ptrs_handlers, ctx);
       }},
      {"uci",
       [&](auto& n, auto& w) {
         phy::PuschUciConfig& u = p.uci;
         const std::map<std::string, KeyHandler> uci_handlers = {
             {"harq_ack_bits", uint_field(u.harq_ack_bits, 1706)},
             {"csi_part1_bits", uint_field(u.csi_part1_bits, 1706)},
             {"csi_part2_bits", uint_field(u.csi_part2_bits, 1706)},
             {"alpha_scaling", uint_field(u.alpha_scaling, 3)},
             {"beta_offset_harq_ack", uint_field(u.beta_offset_harq_ack, 15)},
             {"beta_offset_csi1", uint_field(u.beta_offset_csi1, 18)},
             {"beta_offset_csi2", uint_field(u.beta_offset_csi2, 18)},
             {"csi_part2_from_part1", [](auto&, auto&) {}}, // below, after csi_part1_bits
         };
         for_each_key(n, w, uci_handlers, ctx);
         if (const YAML::Node sized = n["csi_part2_from_part1"]) {
           if (n["csi_part2_bits"]) {
             ctx.fail(w + ".csi_part2_from_part1",
                      "a CSI part 2 has csi_part2_bits or csi_part2_from_part1, not both");
           }
           pusch_config_file_detail::parse_csi_part2_from_part1(sized, w + ".csi_part2_from_part1",
                                                                ctx, u, maps);
         }
       }},
  };
  for_each_key(node, where, handlers, ctx);
  // Each key of intra-slot hopping needs the other: a second hop alone would be ignored, and a
  // hop without one would land on PRB 0 unasked. (`intra_slot_hopping: false` keeps it off.)
  if (second_hop_given && !hopping_given) {
    ctx.fail(where + ".second_hop_prb_start",
             "needs intra_slot_hopping (true, or false to keep hopping off)");
  }
  if (p.intra_slot_hopping && !second_hop_given) {
    ctx.fail(where + ".intra_slot_hopping",
             "needs second_hop_prb_start (the second hop's first PRB in the BWP)");
  }
  if (p.transform_precoding && !table_given) {
    // TS 38.214 6.1.4.1: without mcs-Table qam256, a transform-precoded PUSCH takes Table
    // 6.1.4.1-1.
    p.mcs_table = phy::McsTable::transform_precoding_qam64;
  }
  return p;
}

/// The document of \p yaml_text, no mapping in it holding a key twice. \throws ConfigError.
YAML::Node load_document(const std::string& yaml_text, const Context& ctx) {
  YAML::Node root;
  try {
    root = load_without_aliases(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(ctx.name() + ": not valid YAML: " + e.what());
  }
  reject_duplicate_keys(root, ctx);
  return root;
}

} // namespace

static SlotScenario parse_slot_scenario_unguarded(const std::string& yaml_text,
                                                  const std::string& name) {
  const Context ctx(name);
  const YAML::Node root = load_document(yaml_text, ctx);
  SlotScenario scenario;
  if (!root.IsMap()) {
    ctx.fail("top level", "expected keys cell, num_rx_antennas, slot_number and pusch");
  }
  bool have_cell = false;
  YAML::Node pusch_list;
  for (const auto& item : root) {
    const auto key = read_key(item.first, "top level", ctx);
    if (key == "cell") {
      scenario.cell = parse_cell(item.second, ctx);
      have_cell = true;
    } else if (key == "slot_number") {
      scenario.slot_number = read_unsigned<unsigned>(item.second, key, ctx, 639);
    } else if (key == "num_rx_antennas") {
      scenario.num_rx_antennas = read_unsigned<unsigned>(item.second, key, ctx, 16);
      if (scenario.num_rx_antennas == 0) {
        ctx.fail(key, "must be 1 .. 16");
      }
    } else if (key == "pusch") {
      pusch_list = item.second;
    } else if (key == "fronthaul" || key == "dpdk") {
      // Parsed by load_fronthaul_config() and load_dpdk_config().
    } else {
      ctx.fail("top level", "unknown key '" + key + "'");
    }
  }
  if (!have_cell) {
    ctx.fail("top level", "missing 'cell'");
  }
  if (!pusch_list || !pusch_list.IsSequence() || pusch_list.size() == 0) {
    ctx.fail("pusch", "expected a non-empty list of PUSCH transmissions");
  }
  const unsigned slots = phy::slots_per_frame(scenario.cell.numerology);
  if (scenario.slot_number >= slots) {
    ctx.fail("slot_number", "must be below " + std::to_string(slots) + " for numerology " +
                                std::to_string(scenario.cell.numerology));
  }
  for (std::size_t i = 0; i < pusch_list.size(); ++i) {
    const std::string where = "pusch[" + std::to_string(i) + "]";
    scenario.pusch.push_back(parse_pusch(pusch_list[i], where, ctx, scenario.csi_part2_size_maps));
    // Unconfigured scrambling identities are the cell's (TS 38.211 6.4.1.1.1.1, 6.3.1.1).
    auto& pusch = scenario.pusch.back();
    if (pusch_list[i].IsMap() && !pusch_list[i]["dmrs_scrambling_id"]) {
      pusch.dmrs_scrambling_id = scenario.cell.n_cell_id;
    }
    if (pusch_list[i].IsMap() && !pusch_list[i]["data_scrambling_id"]) {
      pusch.data_scrambling_id = scenario.cell.n_cell_id;
    }
    // n_ID^RS of the low-PAPR DMRS: N_ID^cell unless configured (TS 38.211 6.4.1.1.1.2).
    if (pusch_list[i].IsMap() && !pusch_list[i]["pusch_identity"]) {
      pusch.pusch_identity = scenario.cell.n_cell_id;
    }
    if (const auto error = scenario.pusch.back().validate(scenario.cell); !error.empty()) {
      ctx.fail(where, error);
    }
    if (!pusch.uci.csi_part2_sizing.empty()) {
      pusch_config_file_detail::check_csi_part2_sizes_fit(scenario.cell, pusch,
                                                          scenario.csi_part2_size_maps,
                                                          where + ".uci.csi_part2_from_part1", ctx);
    }
  }
  return scenario;
}

SlotScenario parse_slot_scenario(const std::string& yaml_text, const std::string& name) {
  return yaml_fields::guard_yaml(name,
                                 [&] { return parse_slot_scenario_unguarded(yaml_text, name); });
}

phy::CellConfig parse_cell_section(const std::string& yaml_text, const std::string& name) {
  return yaml_fields::guard_yaml(name, [&] {
    const Context ctx(name);
    const YAML::Node root = load_document(yaml_text, ctx);
    if (!root.IsMap()) {
      ctx.fail("top level", "expected a mapping");
    }
    return root["cell"] ? parse_cell(root["cell"], ctx) : phy::CellConfig{};
  });
}

std::string read_config_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) {
    throw ConfigError(path.string() + ": cannot open file");
  }
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

SlotScenario load_slot_scenario(const std::filesystem::path& path) {
  return parse_slot_scenario(read_config_text(path), path.string());
}

} // namespace airan::io
