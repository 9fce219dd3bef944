#include "airan/l1/launch_pattern.h"

#include "airan/io/pusch_config_file.h"

#include "launch_pattern_reader.h"
#include "test_mac_prach_pattern.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <limits>
#include <sstream>

namespace airan::l1 {
namespace {

/// Bounds of the real-valued keys: an SNR as `airan eval` takes it, a delay spread and a Doppler
/// shift beyond any TR 38.901 scenario (the channel model checks its own, tighter, limits).
constexpr double snr_limit_db = 100.0;
constexpr double delay_spread_limit_ns = 1e6;
constexpr double doppler_limit_hz = 1e6;

using pattern_detail::Reader;

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

/// The cell alone, with the scenario's keys and checks.
phy::CellConfig parse_cell(const YAML::Node& root, const std::string& name) {
  YAML::Node scenario;
  scenario["cell"] = YAML::Clone(root["cell"]);
  YAML::Emitter text;
  text << scenario;
  try {
    return io::parse_cell_section(text.c_str(), name);
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
    root = io::yaml_fields::load_without_aliases(yaml_text);
  } catch (const YAML::Exception& e) {
    in.fail("YAML", e.what());
  }
  in.reject_duplicate_keys(root);
  // fronthaul and dpdk belong to the fronthaul's readers (airan l1 --config and testmac
  // --fronthaul-config take the same file): not read here.
  in.only_keys(root, "pattern",
               {"name", "cell", "num_rx_antennas", "channel", "snr_db", "seed", "num_slots",
                "drain_slots", "harq", "l1", "prach", "ues", "fronthaul", "dpdk"});
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
  pattern_detail::parse_pattern_ues(root, pattern, in);
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
    root = io::yaml_fields::load_without_aliases(io::read_config_text(path));
  } catch (const io::ConfigError& error) {
    throw PatternError(error.what());
  } catch (const YAML::Exception& e) {
    in.fail("YAML", e.what());
  }
  in.reject_duplicate_keys(root);
  if (!root.IsMap() || !root["cell"]) {
    in.fail("cell", "missing (the carrier the L1's fronthaul is set up for)");
  }
  return {parse_cell(root, name), parse_num_rx_antennas(root, in)};
}

} // namespace airan::l1
