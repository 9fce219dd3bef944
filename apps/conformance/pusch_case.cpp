#include "airan/apps/pusch_case.h"

#include "airan/io/npy.h"
#include "airan/phy/mcs_table.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

namespace airan::apps {
namespace {

/// Reads config.json fields, naming the full key path in every error.
class JsonReader {
public:
  /// Child object \p key of \p parent (path \p where).
  static const nlohmann::json& object(const nlohmann::json& parent, const std::string& where,
                                      const char* key) {
    const auto& value = member(parent, where, key);
    if (!value.is_object()) {
      fail(where, key, "is not an object");
    }
    return value;
  }

  static unsigned integer(const nlohmann::json& parent, const std::string& where, const char* key,
                          unsigned max) {
    return to_unsigned(member(parent, where, key), where, key, max);
  }

  static unsigned to_unsigned(const nlohmann::json& value, const std::string& where,
                              const char* key, unsigned max) {
    if (!value.is_number_integer()) {
      fail(where, key, "is not an integer");
    }
    const auto number = value.get<long long>();
    if (number < 0 || number > static_cast<long long>(max)) {
      fail(where, key, "= " + std::to_string(number) + " is outside 0.." + std::to_string(max));
    }
    return static_cast<unsigned>(number);
  }

  static double number(const nlohmann::json& parent, const std::string& where, const char* key) {
    const auto& value = member(parent, where, key);
    if (!value.is_number()) {
      fail(where, key, "is not a number");
    }
    return value.get<double>();
  }

  static std::string text(const nlohmann::json& parent, const std::string& where, const char* key) {
    const auto& value = member(parent, where, key);
    if (!value.is_string()) {
      fail(where, key, "is not a string");
    }
    return value.get<std::string>();
  }

  static const nlohmann::json& member(const nlohmann::json& parent, const std::string& where,
                                      const char* key) {
    if (!parent.contains(key)) {
      fail(where, key, "is missing");
    }
    return parent[key];
  }

  [[noreturn]] static void fail(const std::string& where, const char* key,
                                const std::string& what) {
    throw std::runtime_error("config.json: \"" + where + key + "\" " + what);
  }
};

PuschCase parse_case(const nlohmann::json& config) {
  using J = JsonReader;
  const auto& carrier = J::object(config, "", "carrier");
  const auto& pusch_json = J::object(config, "", "pusch");
  const auto& dmrs = J::object(pusch_json, "pusch.", "dmrs");
  const auto& tb = J::object(pusch_json, "pusch.", "tb");

  PuschCase c;
  // Carrier = BWP = allocation, from CRB 0, 30 kHz (the reference generator's default).
  const unsigned num_prbs = J::integer(pusch_json, "pusch.", "n_size_bwp", 275);
  c.cell.num_prbs = num_prbs;
  c.cell.numerology = 1;
  c.cell.n_cell_id = static_cast<std::uint16_t>(J::integer(carrier, "carrier.", "n_cell_id", 1007));
  c.cell.dmrs_type_a_position = 2;
  c.cell.num_antenna_ports = J::integer(pusch_json, "pusch.", "num_antenna_ports", 4);
  c.slot = J::integer(carrier, "carrier.", "slot_number", 1023);

  // A transform-precoded reference (Sionna's PUSCHConfig.transform_precoding) carries a DMRS
  // identity this reader does not take: refused, never read as CP-OFDM.
  if (const auto tp = pusch_json.find("transform_precoding");
      tp != pusch_json.end() && !(tp->is_boolean() && !tp->get<bool>())) {
    J::fail("pusch.", "transform_precoding",
            "is set: transform-precoded reference cases are not supported");
  }
  phy::PuschConfig& p = c.pusch;
  p.rnti = static_cast<std::uint16_t>(J::integer(pusch_json, "pusch.", "n_rnti", 65535));
  p.bwp_start = 0;
  p.bwp_size = num_prbs;
  p.prb_start = 0;
  p.prb_size = num_prbs;
  const auto& symbols = J::member(pusch_json, "pusch.", "symbol_allocation");
  if (!symbols.is_array() || symbols.size() != 2) {
    J::fail("pusch.", "symbol_allocation", "is not [start, length]");
  }
  p.start_symbol = J::to_unsigned(symbols[0], "pusch.", "symbol_allocation[0]", 13);
  p.num_symbols = J::to_unsigned(symbols[1], "pusch.", "symbol_allocation[1]", 14);
  p.mapping_type = phy::PuschMappingType::type_a;

  const unsigned config_type = J::integer(dmrs, "pusch.dmrs.", "config_type", 2);
  if (config_type != 1 && config_type != 2) {
    J::fail("pusch.dmrs.", "config_type", "is not 1 or 2");
  }
  p.dmrs_config_type = config_type == 1 ? phy::DmrsConfigType::type1 : phy::DmrsConfigType::type2;
  p.dmrs_length = J::integer(dmrs, "pusch.dmrs.", "length", 2);
  p.dmrs_additional_position = J::integer(dmrs, "pusch.dmrs.", "additional_position", 3);
  p.num_dmrs_cdm_groups_no_data = J::integer(dmrs, "pusch.dmrs.", "num_cdm_groups_without_data", 3);
  const auto& ports = J::member(dmrs, "pusch.dmrs.", "dmrs_port_set");
  if (!ports.is_array()) {
    J::fail("pusch.dmrs.", "dmrs_port_set", "is not a list");
  }
  p.dmrs_ports = 0;
  for (const auto& port : ports) {
    p.dmrs_ports |= static_cast<std::uint16_t>(
        1U << J::to_unsigned(port, "pusch.dmrs.", "dmrs_port_set[]", 11));
  }
  p.n_scid = J::integer(dmrs, "pusch.dmrs.", "n_scid", 1);
  p.dmrs_scrambling_id = static_cast<std::uint16_t>(J::integer(dmrs, "pusch.dmrs.", "n_id", 65535));

  p.mcs_index = J::integer(tb, "pusch.tb.", "mcs_index", 31);
  p.mcs_table = phy::mcs_table_from_number(J::integer(tb, "pusch.tb.", "mcs_table", 3));
  p.qam_order = J::integer(tb, "pusch.tb.", "num_bits_per_symbol", 10);
  // The reference gives R as a fraction: it must be the table's R (x10240 is exact for them).
  const double rate = J::number(tb, "pusch.tb.", "target_code_rate");
  const std::uint32_t table_rate = phy::mcs_entry(p.mcs_table, p.mcs_index).code_rate_x10240;
  if (std::abs(rate * 10240.0 - table_rate) > 1e-6) {
    J::fail("pusch.tb.", "target_code_rate",
            "= " + std::to_string(rate) + " differs from the MCS table's " +
                std::to_string(table_rate / 10240.0));
  }
  p.target_code_rate_x10240 = table_rate;
  p.num_layers = J::integer(pusch_json, "pusch.", "num_layers", 4);
  const std::string precoding = J::text(pusch_json, "pusch.", "precoding");
  if (precoding != "non-codebook" && precoding != "codebook") {
    J::fail("pusch.", "precoding", "= \"" + precoding + "\" is not non-codebook or codebook");
  }
  p.precoding =
      precoding == "codebook" ? phy::PuschPrecoding::codebook : phy::PuschPrecoding::non_codebook;
  p.tpmi = J::integer(pusch_json, "pusch.", "tpmi", 27);
  p.rv = 0;
  p.data_scrambling_id = c.cell.n_cell_id; // no data n_ID given: the cell id applies
  p.tb_size_bits = 0;                      // derived, then checked against tb_bits

  c.summary = std::to_string(num_prbs) + " PRB, " + std::to_string(p.num_layers) + " layer(s), " +
              std::to_string(c.cell.num_antenna_ports) + " port(s), " + precoding +
              (p.precoding == phy::PuschPrecoding::codebook ? " TPMI " + std::to_string(p.tpmi)
                                                            : std::string()) +
              ", DMRS type " + std::to_string(config_type) + " len " +
              std::to_string(p.dmrs_length) + " pos" + std::to_string(p.dmrs_additional_position) +
              " cdm " + std::to_string(p.num_dmrs_cdm_groups_no_data);
  return c;
}

nlohmann::json read_config(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) {
    throw std::runtime_error("cannot open " + path.string());
  }
  try {
    return nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("config.json: " + std::string(e.what()));
  }
}

} // namespace

PuschCase load_pusch_case(const std::filesystem::path& case_dir) {
  return parse_case(read_config(case_dir / "config.json"));
}

phy::ResourceGrid load_pusch_case_grid(const std::filesystem::path& case_dir, unsigned num_prbs) {
  std::vector<std::size_t> shape;
  const auto elements = io::read_npy_c64(case_dir / "grid.npy", &shape);
  const unsigned num_subcarriers = phy::subcarriers_per_prb * num_prbs;
  if (shape.size() != 3 || shape[0] == 0 || shape[0] > 16 || shape[1] != 14 ||
      shape[2] != num_subcarriers) {
    throw std::runtime_error("grid.npy: expected [antennas][14][" +
                             std::to_string(num_subcarriers) + "]");
  }
  phy::ResourceGrid grid(static_cast<unsigned>(shape[0]), 14, num_subcarriers);
  std::copy(elements.begin(), elements.end(), grid.elements().begin());
  return grid;
}

PuschCase parse_pusch_case(const std::string& json_text) {
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("config.json: " + std::string(e.what()));
  }
  return parse_case(config);
}

} // namespace airan::apps
