/// \file
/// \brief PUSCH transmitter conformance suite: for every pusch/case_NNN, the transport block
/// size derived with TS 38.214 5.1.3.2 must equal len(tb_bits), and transmit(tb_bits) must
/// reproduce grid.npy [antenna port][symbol][subcarrier] to within 1e-5 per element.
#include "airan/apps/conformance.h"
#include "airan/io/npy.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tbs_calculator.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>

namespace airan::apps {

namespace {

/// Largest |transmitted - reference| a grid element may have.
constexpr double max_grid_error = 1e-5;

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

/// One reference case mapped onto the transmitter's configuration.
struct PuschCase {
  phy::CellConfig cell;
  phy::PuschConfig pusch;
  unsigned slot = 0;
  std::string summary; ///< Short description for the report line.
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

CaseResult run_pusch_tx_case(const ConformanceCase& conformance_case) {
  const PuschCase c = parse_case(read_config(conformance_case.path / "config.json"));
  if (const std::string error = c.pusch.validate(c.cell); !error.empty()) {
    throw std::runtime_error("configuration rejected: " + error);
  }
  const auto tb_bits = io::read_npy_bits(conformance_case.path / "tb_bits.npy");
  std::vector<std::size_t> shape;
  const auto reference = io::read_npy_c64(conformance_case.path / "grid.npy", &shape);

  CaseResult result;
  const std::uint32_t tbs = phy::compute_pusch_tbs(c.cell, c.pusch);
  if (tbs != tb_bits.size()) {
    result.detail = c.summary + ": derived TBS " + std::to_string(tbs) +
                    " != " + std::to_string(tb_bits.size()) + " reference TB bits";
    return result;
  }

  phy::PuschTransmitter transmitter(c.cell);
  phy::ResourceGrid grid = transmitter.make_grid();
  const std::vector<std::size_t> expected_shape = {grid.num_ports(), grid.num_symbols(),
                                                   grid.num_subcarriers()};
  if (shape != expected_shape) {
    throw std::runtime_error("grid.npy has shape [" + std::to_string(shape.size()) +
                             " dims], expected [" + std::to_string(grid.num_ports()) + ", " +
                             std::to_string(grid.num_symbols()) + ", " +
                             std::to_string(grid.num_subcarriers()) + "]");
  }
  transmitter.transmit(tb_bits, c.pusch, c.slot, grid);

  double worst = 0.0;
  const auto elements = grid.elements();
  for (std::size_t i = 0; i < elements.size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(elements[i] - reference[i])));
  }
  result.worst_error = worst;
  result.passed = worst <= max_grid_error;
  result.detail = c.summary + ", TBS " + std::to_string(tbs) + ", G " +
                  std::to_string(phy::pusch_coded_bits(c.cell, c.pusch)) +
                  (result.passed ? ": grid matches" : ": grid differs");
  return result;
}

} // namespace

SuiteResult run_pusch_tx_conformance(const std::filesystem::path& dir, std::ostream* out) {
  return run_cases(list_case_dirs(dir, "case_"), run_pusch_tx_case, out);
}

} // namespace airan::apps
