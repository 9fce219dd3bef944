/// \file
/// \brief FronthaulConfig: validation and the `fronthaul:` section of scenario YAML files.
#include "airan/io/fronthaul_config.h"

#include "airan/io/bfp_compression.h"
#include "airan/io/fronthaul_timing.h"

#include "airan/io/pusch_config_file.h"

#include "airan/io/yaml_fields.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

namespace airan::io {

std::string_view to_string(FronthaulIngestMode mode) {
  return mode == FronthaulIngestMode::time_domain ? "time_domain" : "frequency_domain";
}

std::optional<IqCompression> parse_compression_name(std::string_view name) {
  if (name == "none") {
    return IqCompression{CompressionMethod::none, 16};
  }
  unsigned width = 0;
  if (name.size() > 3 && name.starts_with("bfp")) {
    const char* end = name.data() + name.size();
    const auto [ptr, ec] = std::from_chars(name.data() + 3, end, width);
    if (ec == std::errc{} && ptr == end && width >= 1 && width <= 16) {
      return IqCompression{CompressionMethod::block_floating_point,
                           static_cast<std::uint8_t>(width)};
    }
  }
  return std::nullopt;
}

std::string FronthaulConfig::validate() const {
  if (compression.method == CompressionMethod::none) {
    if (compression.iq_width != 16) {
      return "compression: none needs 16-bit I/Q";
    }
  } else if (compression.method == CompressionMethod::block_floating_point) {
    if (compression.iq_width < 1 || compression.iq_width > 16) {
      return "compression: block floating point width must be 1 .. 16";
    }
  } else {
    return "compression: only none and block floating point are supported";
  }
  if (!eaxc_layout.valid()) {
    return "eaxc_layout: the four widths must add up to 16";
  }
  const auto fits = [](unsigned value, unsigned bits) { return value < (1U << bits); };
  if (!fits(du_port, eaxc_layout.du_port_bits)) {
    return "du_port: does not fit its " + std::to_string(eaxc_layout.du_port_bits) + " bits";
  }
  if (!fits(band_sector, eaxc_layout.band_sector_bits)) {
    return "band_sector: does not fit its " + std::to_string(eaxc_layout.band_sector_bits) +
           " bits";
  }
  if (!fits(cc, eaxc_layout.cc_bits)) {
    return "cc: does not fit its " + std::to_string(eaxc_layout.cc_bits) + " bits";
  }
  if (vlan && (vlan->vlan_id > 4095 || vlan->priority > 7)) {
    return "vlan: id must be 0 .. 4095 and pcp 0 .. 7";
  }
  if (max_frame_size < 128 || max_frame_size > 9600) {
    return "max_frame_size: must be 128 .. 9600";
  }
  if (!iq_full_scale_valid(full_scale)) {
    return "full_scale: must be 2^-60 .. 2^60";
  }
  if (ta4_min_ns > ta4_max_ns) {
    return "ta4_min_ns: must not exceed ta4_max_ns";
  }
  if (slot_deadline_ns < 0) {
    return "slot_deadline_ns: must not be negative";
  }
  if (max_slots_in_flight < 1 || max_slots_in_flight > 64) {
    return "max_slots_in_flight: must be 1 .. 64";
  }
  if (ru_tx_offset_ns < 0) {
    return "ru_tx_offset_ns: must not be negative";
  }
  constexpr std::int64_t window_limit_ns = 1'000'000'000;
  if (t1a_min_cp_ul_ns < 0 || t1a_min_cp_ul_ns > t1a_max_cp_ul_ns ||
      t1a_max_cp_ul_ns > window_limit_ns) {
    return "t1a_min_cp_ul_ns / t1a_max_cp_ul_ns: must satisfy 0 <= min <= max <= 1 s";
  }
  if (t2a_min_cp_ul_ns < 0 || t2a_min_cp_ul_ns > t2a_max_cp_ul_ns ||
      t2a_max_cp_ul_ns > window_limit_ns) {
    return "t2a_min_cp_ul_ns / t2a_max_cp_ul_ns: must satisfy 0 <= min <= max <= 1 s";
  }
  if (prach_ru_port && !fits(*prach_ru_port, eaxc_layout.ru_port_bits)) {
    return "prach_ru_port: does not fit its " + std::to_string(eaxc_layout.ru_port_bits) + " bits";
  }
  return {};
}

std::string FronthaulConfig::validate_carrier(const phy::CellConfig& cell) const {
  if (mode != FronthaulIngestMode::time_domain) {
    return {};
  }
  std::size_t longest = 0; // samples of the longest symbol (a long CP's)
  try {
    const phy::Numerology numerology = phy::carrier_numerology(cell);
    for (unsigned slot = 0; slot < numerology.slots_per_subframe(); ++slot) {
      for (unsigned l = 0; l < numerology.symbols_per_slot(); ++l) {
        longest = std::max<std::size_t>(longest, numerology.symbol_length(slot, l));
      }
    }
  } catch (const std::invalid_argument& e) {
    return std::string("cell: ") + e.what();
  }
  constexpr std::size_t max_blocks = std::size_t{1} << 10; // startPrbu: 10 bits
  if ((longest + 11) / 12 > max_blocks) {
    return "time-domain fronthaul: a symbol of " + std::to_string(longest) +
           " samples needs more than startPrbu's 1024 blocks of 12 samples (FFT size " +
           std::to_string(phy::carrier_numerology(cell).fft_size()) + " is too large)";
  }
  return {};
}

namespace {

class Reader {
public:
  explicit Reader(std::string name) : context_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    context_.fail(where(key), what);
  }
  /// validate()'s messages start with the field name.
  [[noreturn]] void fail_validation(const std::string& error) const {
    throw ConfigError(context_.name() + ": fronthaul." + error);
  }

  std::int64_t integer(const YAML::Node& node, const std::string& key, std::int64_t min,
                       std::int64_t max) const {
    return yaml_fields::read_signed<std::int64_t>(node, where(key), context_, min, max);
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    return yaml_fields::read_bool(node, where(key), context_);
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    return yaml_fields::read_word(node, where(key), context_);
  }

  MacAddress mac(const YAML::Node& node, const std::string& key) const {
    const std::string value = text(node, key);
    MacAddress mac{};
    const auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') {
        return c - '0';
      }
      if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
      }
      if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
      }
      return -1;
    };
    bool ok = value.size() == 17;
    for (std::size_t i = 0; ok && i < 6; ++i) {
      const int hi = hex(value[3 * i]);
      const int lo = hex(value[3 * i + 1]);
      ok = hi >= 0 && lo >= 0 && (i == 5 || value[3 * i + 2] == ':' || value[3 * i + 2] == '-');
      mac[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    if (!ok) {
      fail(key, "'" + value + "' is not a MAC address like 02:00:00:00:00:01");
    }
    return mac;
  }

  IqCompression compression(const YAML::Node& node) const {
    const std::string value = text(node, "compression");
    if (const auto compression = parse_compression_name(value)) {
      return *compression;
    }
    fail("compression", "'" + value + "' is not none or bfp1 .. bfp16");
  }

private:
  static std::string where(const std::string& key) {
    return key.empty() ? "fronthaul" : "fronthaul." + key;
  }
  yaml_fields::Context context_;
};

void parse_section(const YAML::Node& section, const Reader& r, FronthaulConfig& c) {
  if (!section.IsMap()) {
    r.fail("", "expected a mapping of keys to values");
  }
  for (const auto& item : section) {
    const std::string key = r.text(item.first, "");
    const YAML::Node& v = item.second;
    if (key == "mode") {
      const std::string mode = r.text(v, key);
      if (mode == "frequency_domain") {
        c.mode = FronthaulIngestMode::frequency_domain;
      } else if (mode == "time_domain") {
        c.mode = FronthaulIngestMode::time_domain;
      } else {
        r.fail(key, "'" + mode + "' is not frequency_domain or time_domain");
      }
    } else if (key == "compression") {
      c.compression = r.compression(v);
    } else if (key == "dynamic_compression_header") {
      c.dynamic_compression_header = r.boolean(v, key);
    } else if (key == "eaxc_layout") {
      if (!v.IsSequence() || v.size() != 4) {
        r.fail(key, "expected four bit widths [du_port, band_sector, cc, ru_port]");
      }
      std::uint8_t bits[4];
      for (std::size_t i = 0; i < 4; ++i) {
        bits[i] =
            static_cast<std::uint8_t>(r.integer(v[i], key + "[" + std::to_string(i) + "]", 0, 16));
      }
      c.eaxc_layout = {bits[0], bits[1], bits[2], bits[3]};
      if (!c.eaxc_layout.valid()) {
        r.fail(key, "the four widths must add up to 16");
      }
    } else if (key == "du_port") {
      c.du_port = static_cast<std::uint16_t>(r.integer(v, key, 0, 0xFFFF));
    } else if (key == "band_sector") {
      c.band_sector = static_cast<std::uint16_t>(r.integer(v, key, 0, 0xFFFF));
    } else if (key == "cc") {
      c.cc = static_cast<std::uint16_t>(r.integer(v, key, 0, 0xFFFF));
    } else if (key == "ru_mac") {
      c.ru_mac = r.mac(v, key);
    } else if (key == "du_mac") {
      c.du_mac = r.mac(v, key);
    } else if (key == "vlan") {
      if (!v.IsMap()) {
        r.fail(key, "expected {id, pcp}");
      }
      VlanTag tag;
      for (const auto& field : v) {
        const std::string name = r.text(field.first, "vlan");
        if (name == "id") {
          tag.vlan_id = static_cast<std::uint16_t>(r.integer(field.second, "vlan.id", 0, 4095));
        } else if (name == "pcp") {
          tag.priority = static_cast<std::uint8_t>(r.integer(field.second, "vlan.pcp", 0, 7));
        } else {
          r.fail("vlan", "unknown key '" + name + "'");
        }
      }
      c.vlan = tag;
    } else if (key == "filter_by_address") {
      c.filter_by_address = r.boolean(v, key);
    } else if (key == "max_frame_size") {
      c.max_frame_size = static_cast<unsigned>(r.integer(v, key, 128, 9600));
    } else if (key == "full_scale") {
      const std::string value = r.text(v, key);
      std::size_t used = 0;
      float scale = 0.0F;
      try {
        scale = std::stof(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != value.size() || !std::isfinite(scale) || scale <= 0.0F) {
        r.fail(key, "'" + value + "' is not a positive number");
      }
      if (!iq_full_scale_valid(scale)) {
        r.fail(key, "'" + value + "' is outside 2^-60 .. 2^60");
      }
      c.full_scale = scale;
    } else if (key == "ta4_min_ns" || key == "ta4_max_ns") {
      const auto value = r.integer(v, key, -1'000'000'000, 1'000'000'000);
      (key == "ta4_min_ns" ? c.ta4_min_ns : c.ta4_max_ns) = value;
    } else if (key == "slot_deadline_ns") {
      c.slot_deadline_ns = r.integer(v, key, 0, 1'000'000'000);
    } else if (key == "max_slots_in_flight") {
      c.max_slots_in_flight = static_cast<unsigned>(r.integer(v, key, 1, 64));
    } else if (key == "ru_tx_offset_ns") {
      c.ru_tx_offset_ns = r.integer(v, key, 0, 1'000'000'000);
    } else if (key == "t1a_max_cp_ul_ns") {
      c.t1a_max_cp_ul_ns = r.integer(v, key, 0, 1'000'000'000);
    } else if (key == "t1a_min_cp_ul_ns") {
      c.t1a_min_cp_ul_ns = r.integer(v, key, 0, 1'000'000'000);
    } else if (key == "t2a_max_cp_ul_ns") {
      c.t2a_max_cp_ul_ns = r.integer(v, key, 0, 1'000'000'000);
    } else if (key == "t2a_min_cp_ul_ns") {
      c.t2a_min_cp_ul_ns = r.integer(v, key, 0, 1'000'000'000);
    } else if (key == "prach_ru_port") {
      c.prach_ru_port = static_cast<std::uint16_t>(r.integer(v, key, 0, 65535));
    } else if (key == "epoch_ns") {
      if (v.IsScalar() && v.Scalar() == "learn") {
        c.epoch_ns.reset();
      } else if (v.IsScalar() && v.Scalar() == "gps") {
        c.epoch_ns = gps_frame_epoch_ns;
      } else {
        // As the live timeline's (AirTimeline): wall - epoch must stay within 64 bits.
        c.epoch_ns = r.integer(v, key, 0, std::int64_t{1} << 62);
      }
    } else {
      r.fail(key, "unknown key");
    }
  }
  if (const std::string error = c.validate(); !error.empty()) {
    r.fail_validation(error);
  }
}

} // namespace

static FronthaulConfig parse_fronthaul_config_unguarded(const std::string& yaml_text,
                                                        const std::string& name) {
  YAML::Node root;
  try {
    root = yaml_fields::load_without_aliases(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name + ": not valid YAML: " + e.what());
  }
  yaml_fields::reject_duplicate_keys(root, yaml_fields::Context(name));
  FronthaulConfig config;
  if (!root || root.IsNull()) {
    return config;
  }
  if (!root.IsMap()) {
    throw ConfigError(name + ": top level: expected a mapping");
  }
  // The fronthaul reads its section of a scenario, a launch pattern or a file of its own: a
  // top-level key none of them has (a misspelled "fronthual:") is an error, not the defaults.
  static const std::set<std::string> known = {
      "fronthaul", "dpdk",   "cell", "num_rx_antennas", "slot_number", "pusch", "name",
      "channel",   "snr_db", "seed", "num_slots",       "drain_slots", "harq",  "l1",
      "prach",     "ues"};
  for (const auto& item : root) {
    if (!item.first.IsScalar() || !known.contains(item.first.Scalar())) {
      throw ConfigError(name + ": top level: unknown key '" +
                        (item.first.IsScalar() ? item.first.Scalar() : std::string("?")) +
                        "' (not a section of a scenario, a launch pattern or the fronthaul)");
    }
  }
  const Reader reader(name);
  if (const YAML::Node section = root["fronthaul"]; section && !section.IsNull()) {
    parse_section(section, reader, config);
  }
  return config;
}

FronthaulConfig parse_fronthaul_config(const std::string& yaml_text, const std::string& name) {
  return yaml_fields::guard_yaml(name,
                                 [&] { return parse_fronthaul_config_unguarded(yaml_text, name); });
}

FronthaulConfig load_fronthaul_config(const std::filesystem::path& path) {
  return parse_fronthaul_config(read_config_text(path), path.string());
}

} // namespace airan::io
