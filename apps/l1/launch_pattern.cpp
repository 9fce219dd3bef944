#include "airan/l1/launch_pattern.h"

#include "airan/io/fapi_p5_messages.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/pucch_config_file.h"
#include "airan/io/pusch_config_file.h"
#include "airan/io/srs_config_file.h"

#include "airan/io/yaml_fields.h"

#include "test_mac_prach_pattern.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace airan::l1 {
namespace {

/// Bounds of the real-valued keys: an SNR as `airan eval` takes it, a delay spread and a Doppler
/// shift beyond any TR 38.901 scenario (the channel model checks its own, tighter, limits).
constexpr double snr_limit_db = 100.0;
constexpr double delay_spread_limit_ns = 1e6;
constexpr double doppler_limit_hz = 1e6;

std::string format_real(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

[[noreturn]] void raise_pattern_error(const std::string& message) {
  throw PatternError(message);
}

class Reader {
public:
  explicit Reader(std::string name) : context_(std::move(name), raise_pattern_error) {}
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    context_.fail(where, what);
  }
  void only_keys(const YAML::Node& node, const std::string& where,
                 const std::set<std::string>& keys) const {
    if (!node.IsMap()) {
      fail(where, "expected a mapping of keys to values");
    }
    for (const auto& entry : node) {
      const auto key = entry.first.Scalar();
      if (!keys.contains(key)) {
        fail(where, "unknown key '" + key + "'");
      }
    }
  }
  unsigned long long integer(const YAML::Node& node, const std::string& where,
                             unsigned long long min, unsigned long long max) const {
    const auto value = io::yaml_fields::read_unsigned<unsigned long long>(node, where, context_);
    if (value < min || value > max) {
      fail(where, std::to_string(value) + " is outside " + std::to_string(min) + " .. " +
                      std::to_string(max));
    }
    return value;
  }
  double real(const YAML::Node& node, const std::string& where, double min, double max) const {
    const double value = io::yaml_fields::read_real(node, where, context_);
    if (value < min || value > max) {
      fail(where, node.Scalar() + " is outside " + format_real(min) + " .. " + format_real(max));
    }
    return value;
  }
  std::string word(const YAML::Node& node, const std::string& where) const {
    return io::yaml_fields::read_word(node, where, context_);
  }
  [[nodiscard]] const std::string& name() const { return context_.name(); }
  [[nodiscard]] const io::yaml_fields::Context& context() const { return context_; }

private:
  io::yaml_fields::Context context_;
};

apps::ChannelSpec parse_channel(const YAML::Node& node, const Reader& in) {
  in.only_keys(node, "channel",
               {"model", "delay_spread_ns", "max_doppler_hz", "phase_noise_hz", "domain",
                "bs_antenna_pattern", "bs_polarization", "ue_polarization"});
  apps::ChannelSpec channel;
  if (node["model"]) {
    channel.model = apps::canonical_channel_model(in.word(node["model"], "channel.model"));
  }
  if (node["bs_antenna_pattern"]) {
    try {
      channel.bs_antenna_pattern = phy::parse_cdl_element_pattern(
          in.word(node["bs_antenna_pattern"], "channel.bs_antenna_pattern"));
    } catch (const std::invalid_argument& e) {
      in.fail("channel.bs_antenna_pattern", e.what());
    }
  }
  const auto polarization = [&](const char* key, phy::CdlPolarization& out) {
    if (node[key]) {
      const std::string where = std::string("channel.") + key;
      try {
        out = phy::parse_cdl_polarization(in.word(node[key], where));
      } catch (const std::invalid_argument& e) {
        in.fail(where, e.what());
      }
    }
  };
  polarization("bs_polarization", channel.bs_polarization);
  polarization("ue_polarization", channel.ue_polarization);
  if (node["delay_spread_ns"]) {
    channel.delay_spread_s =
        in.real(node["delay_spread_ns"], "channel.delay_spread_ns", 0.0, delay_spread_limit_ns) *
        1e-9;
  }
  if (node["max_doppler_hz"]) {
    channel.max_doppler_hz =
        in.real(node["max_doppler_hz"], "channel.max_doppler_hz", 0.0, doppler_limit_hz);
  }
  if (node["phase_noise_hz"]) { // the TDL/CDL channel checks it against the subcarrier spacing
    channel.phase_noise_linewidth_hz =
        in.real(node["phase_noise_hz"], "channel.phase_noise_hz", 0.0, 1e6);
  }
  if (node["domain"]) {
    try {
      channel.domain = apps::parse_channel_domain(in.word(node["domain"], "channel.domain"));
    } catch (const std::invalid_argument& e) {
      in.fail("channel.domain", e.what());
    }
  }
  return channel;
}

/// The UE's PUSCH through the scenario parser (same keys, same checks), on the cell with the
/// UE's antenna ports = layers: a scenario of that one PUSCH (and its CSI part 2 size maps).
io::SlotScenario parse_ue_pusch(const YAML::Node& cell_node, const YAML::Node& pusch_node,
                                unsigned num_prbs, const std::string& where, const Reader& in) {
  if (!pusch_node.IsMap()) {
    in.fail(where, "expected a mapping of PUSCH keys");
  }
  YAML::Node pusch = YAML::Clone(pusch_node);
  if (!pusch["bwp_start"]) {
    pusch["bwp_start"] = 0;
  }
  if (!pusch["bwp_size"]) {
    pusch["bwp_size"] = num_prbs;
  }
  YAML::Node cell = YAML::Clone(cell_node);
  cell["num_antenna_ports"] = pusch["num_layers"] ? pusch["num_layers"] : YAML::Node(1);
  YAML::Node scenario;
  scenario["cell"] = cell;
  scenario["pusch"].push_back(pusch);
  YAML::Emitter text;
  text << scenario;
  try {
    return io::parse_slot_scenario(text.c_str(), in.name());
  } catch (const io::ConfigError& e) {
    std::string message = e.what();
    const std::string prefix = in.name() + ": pusch[0]";
    if (message.starts_with(prefix)) {
      message = in.name() + ": " + where + message.substr(prefix.size());
    }
    throw PatternError(message);
  }
}

/// The cell alone through the scenario parser (with a placeholder PUSCH it validates).
phy::CellConfig parse_cell(const YAML::Node& root, const std::string& name) {
  YAML::Node scenario;
  scenario["cell"] = YAML::Clone(root["cell"]);
  YAML::Node probe;
  probe["prb_size"] = 1;
  probe["bwp_size"] = 1;
  scenario["pusch"].push_back(probe);
  YAML::Emitter text;
  text << scenario;
  try {
    return io::parse_slot_scenario(text.c_str(), name).cell;
  } catch (const io::ConfigError& e) {
    throw PatternError(e.what());
  }
}

unsigned parse_num_rx_antennas(const YAML::Node& root, const Reader& in) {
  return root["num_rx_antennas"]
             ? static_cast<unsigned>(in.integer(root["num_rx_antennas"], "num_rx_antennas", 1, 16))
             : 1U;
}

} // namespace

LaunchPattern parse_launch_pattern(const std::string& yaml_text, const std::string& name) {
  const Reader in(name);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    in.fail("YAML", e.what());
  }
  in.only_keys(root, "pattern",
               {"name", "cell", "num_rx_antennas", "channel", "snr_db", "seed", "num_slots",
                "drain_slots", "harq", "l1", "prach", "ues"});
  LaunchPattern pattern;
  pattern.name = root["name"] ? in.word(root["name"], "name") : name;
  if (!root["cell"]) {
    in.fail("cell", "missing (the cell the MAC configures)");
  }
  pattern.cell = parse_cell(root, name);
  pattern.num_rx_antennas = parse_num_rx_antennas(root, in);
  if (root["channel"]) {
    pattern.channel = parse_channel(root["channel"], in);
  }
  if (root["snr_db"]) {
    pattern.snr_db = in.real(root["snr_db"], "snr_db", -snr_limit_db, snr_limit_db);
  }
  if (root["seed"]) {
    pattern.seed = in.integer(root["seed"], "seed", 0, std::numeric_limits<std::uint64_t>::max());
  }
  if (root["num_slots"]) {
    pattern.num_slots =
        static_cast<unsigned>(in.integer(root["num_slots"], "num_slots", 1, 1U << 20));
  }
  if (root["drain_slots"]) {
    pattern.drain_slots =
        static_cast<unsigned>(in.integer(root["drain_slots"], "drain_slots", 0, 10000));
  }
  if (const auto harq = root["harq"]) {
    in.only_keys(harq, "harq", {"rv_sequence", "max_transmissions", "num_processes"});
    if (harq["rv_sequence"]) {
      if (!harq["rv_sequence"].IsSequence() || harq["rv_sequence"].size() == 0) {
        in.fail("harq.rv_sequence", "expected a non-empty list of redundancy versions");
      }
      pattern.harq.rv_sequence.clear();
      for (const auto& rv : harq["rv_sequence"]) {
        pattern.harq.rv_sequence.push_back(
            static_cast<unsigned>(in.integer(rv, "harq.rv_sequence", 0, 3)));
      }
    }
    if (harq["max_transmissions"]) {
      pattern.harq.max_transmissions = static_cast<unsigned>(
          in.integer(harq["max_transmissions"], "harq.max_transmissions", 1, 16));
    }
    if (harq["num_processes"]) {
      pattern.harq.num_processes =
          static_cast<unsigned>(in.integer(harq["num_processes"], "harq.num_processes", 1, 16));
    }
  }
  if (const auto l1 = root["l1"]) {
    in.only_keys(l1, "l1", {"receiver_threads", "max_layers"});
    if (l1["receiver_threads"]) {
      pattern.l1.receiver_threads =
          static_cast<unsigned>(in.integer(l1["receiver_threads"], "l1.receiver_threads", 1, 64));
    }
    if (l1["max_layers"]) {
      pattern.l1.max_layers =
          static_cast<unsigned>(in.integer(l1["max_layers"], "l1.max_layers", 1, 4));
    }
  }
  if (root["prach"]) {
    try {
      pattern.prach =
          prach_pattern_detail::parse_pattern_prach(root["prach"], pattern, in.context());
    } catch (const std::invalid_argument& e) { // a PHY table's refusal the checks did not foresee
      in.fail("prach", e.what());
    }
  }
  const auto ues = root["ues"];
  if (!ues || !ues.IsSequence() || ues.size() == 0) {
    in.fail("ues", "expected a non-empty list of UEs");
  }
  std::set<std::uint16_t> rntis;
  std::size_t srs_ues = 0;             // all may send in one slot
  std::size_t csi_part2_maps = 0;      // of the UEs so far: CONFIG.request carries them all
  std::size_t csi_part2_map_bytes = 2; // numUci2Maps, then each map
  for (std::size_t i = 0; i < ues.size(); ++i) {
    const std::string where = "ues[" + std::to_string(i) + "]";
    in.only_keys(ues[i], where,
                 {"rnti", "period_slots", "offset_slots", "pusch", "pucch", "prach", "srs"});
    PatternUe ue;
    if (!ues[i]["rnti"]) {
      in.fail(where + ".rnti", "missing");
    }
    ue.rnti = static_cast<std::uint16_t>(in.integer(ues[i]["rnti"], where + ".rnti", 1, 65519));
    if (!rntis.insert(ue.rnti).second) {
      in.fail(where + ".rnti", "RNTI used by another UE");
    }
    if (ues[i]["period_slots"]) {
      ue.period_slots = static_cast<unsigned>(
          in.integer(ues[i]["period_slots"], where + ".period_slots", 1, 10240));
    }
    if (ues[i]["offset_slots"]) {
      ue.offset_slots = static_cast<unsigned>(
          in.integer(ues[i]["offset_slots"], where + ".offset_slots", 0, ue.period_slots - 1));
    }
    if (ues[i]["prach"]) {
      if (ues[i]["pusch"] || ues[i]["pucch"] || ues[i]["srs"]) {
        in.fail(where, "a PRACH UE has no pusch, pucch or srs");
      }
      if (!pattern.prach) {
        in.fail(where + ".prach", "a PRACH UE needs the pattern's prach block (the cell's PRACH)");
      }
      ue.prach = prach_pattern_detail::parse_pattern_prach_ue(ues[i]["prach"], where + ".prach",
                                                              *pattern.prach, in.context());
      ue.pusch.rnti = ue.rnti;
      pattern.ues.push_back(ue);
      continue;
    }
    if (ues[i]["srs"]) {
      if (ues[i]["pusch"] || ues[i]["pucch"] || ues[i]["prach"]) {
        in.fail(where, "an SRS UE has no pusch, pucch or prach");
      }
      ue.srs = io::parse_srs_config(ues[i]["srs"], where + ".srs", pattern.cell, ue.period_slots,
                                    in.context());
      ue.srs->rnti = ue.rnti;
      if (ue.srs->num_ports > pattern.num_rx_antennas) {
        in.fail(where + ".srs.num_ports", "more SRS ports than receive antennas");
      }
      if (phy::is_dual_polarized(pattern.channel.ue_polarization) &&
          phy::names_cdl_family(pattern.channel.model) && ue.srs->num_ports % 2 != 0) {
        in.fail(where + ".srs.num_ports",
                "a dual-polarised UE (channel.ue_polarization " +
                    std::string(phy::cdl_polarization_name(pattern.channel.ue_polarization)) +
                    ") needs an even number of antenna ports, got " +
                    std::to_string(ue.srs->num_ports));
      }
      if (++srs_ues > io::fapi_max_srs_pdus) {
        in.fail(where + ".srs", "more SRS UEs than a UL_TTI.request holds (" +
                                    std::to_string(io::fapi_max_srs_pdus) + ")");
      }
      ue.pusch.rnti = ue.rnti;
      pattern.ues.push_back(ue);
      continue;
    }
    if (ues[i]["pucch"]) {
      if (ues[i]["pusch"]) {
        in.fail(where, "a UE has a pusch or a pucch, not both");
      }
      ue.pucch =
          io::parse_pucch_config(ues[i]["pucch"], where + ".pucch", pattern.cell, in.context());
      ue.pucch->rnti = ue.rnti;
      pattern.ues.push_back(ue);
      continue;
    }
    if (!ues[i]["pusch"]) {
      in.fail(where + ".pusch", "missing (or a pucch, a prach or an srs)");
    }
    io::SlotScenario ue_scenario =
        parse_ue_pusch(root["cell"], ues[i]["pusch"], pattern.cell.num_prbs, where + ".pusch", in);
    ue.pusch = ue_scenario.pusch.front();
    ue.pusch.rnti = ue.rnti;
    ue.csi_part2_size_maps = std::move(ue_scenario.csi_part2_size_maps);
    csi_part2_maps += ue.csi_part2_size_maps.size();
    for (const phy::CsiPart2SizeMap& map : ue.csi_part2_size_maps) { // TLV 0x1036's bytes
      csi_part2_map_bytes += 1 + map.field_bits.size() + 2 * map.part2_bits.size();
    }
    if (csi_part2_maps > io::fapi_max_uci_part2_maps || csi_part2_map_bytes > 0xFFFF) {
      in.fail(where + ".pusch.uci.csi_part2_from_part1",
              "the UEs' CSI reports need " + std::to_string(csi_part2_maps) + " CSI part 2 size " +
                  "maps of " + std::to_string(csi_part2_map_bytes) + " bytes together, more " +
                  "than a CONFIG.request carries (" + std::to_string(io::fapi_max_uci_part2_maps) +
                  " maps, 65535 bytes)");
    }
    {
      // The test MAC sends it as a FAPI PUSCH PDU: what FAPI cannot carry (DMRS hopping, a
      // TPMI, TBS_LBRM) is refused here rather than at the first slot that schedules the UE.
      phy::CellConfig ue_cell = pattern.cell;
      ue_cell.num_antenna_ports = ue.pusch.num_layers;
      io::FapiPuschPdu pdu;
      if (const io::FapiError error = io::to_fapi_pusch_pdu(ue.pusch, ue_cell, pdu); !error.ok()) {
        std::string what = "not expressible in a FAPI PUSCH PDU: ";
        what += error.reason();
        in.fail(where + ".pusch", what);
      }
    }
    if (ue.pusch.num_layers > pattern.num_rx_antennas) {
      in.fail(where + ".pusch.num_layers", "more layers than receive antennas");
    }
    if (phy::is_dual_polarized(pattern.channel.ue_polarization) &&
        phy::names_cdl_family(pattern.channel.model) && ue.pusch.num_layers % 2 != 0) {
      in.fail(where + ".pusch.num_layers",
              "a dual-polarised UE (channel.ue_polarization " +
                  std::string(phy::cdl_polarization_name(pattern.channel.ue_polarization)) +
                  ") needs an even number of layers (one antenna port per layer), got " +
                  std::to_string(ue.pusch.num_layers));
    }
    pattern.ues.push_back(ue);
  }
  {
    // Each UE transmits with as many ports as layers (checked above for dual polarisation);
    // the channel itself is checked with the fewest ports a UE can have.
    apps::LinkScenario link{pattern.cell, pattern.num_rx_antennas, pattern.channel};
    link.cell.num_antenna_ports = phy::is_dual_polarized(pattern.channel.ue_polarization) ? 2 : 1;
    if (const auto problems = apps::validate_link(link, {}); !problems.empty()) {
      in.fail("channel", problems);
    }
  }
  if (pattern.prach) {
    try {
      prach_pattern_detail::finish_pattern_prach(pattern, in.context());
    } catch (const std::invalid_argument& e) {
      in.fail("prach", e.what());
    }
  }
  return pattern;
}

LaunchPattern load_launch_pattern(const std::filesystem::path& path) {
  std::string text;
  try {
    text = io::read_config_text(path);
  } catch (const io::ConfigError& error) {
    throw PatternError(error.what());
  }
  return parse_launch_pattern(text, path.string());
}

CarrierFile load_carrier_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  const Reader in(name);
  YAML::Node root;
  try {
    root = YAML::Load(io::read_config_text(path));
  } catch (const io::ConfigError& error) {
    throw PatternError(error.what());
  } catch (const YAML::Exception& e) {
    in.fail("YAML", e.what());
  }
  if (!root.IsMap() || !root["cell"]) {
    in.fail("cell", "missing (the carrier the L1's fronthaul is set up for)");
  }
  return {parse_cell(root, name), parse_num_rx_antennas(root, in)};
}

} // namespace airan::l1
