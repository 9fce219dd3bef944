/// \file
/// \brief Transport-block conformance suite: tb/tb_testcase_N (TS 38.212 6.2 UL-SCH coding and
/// TS 38.211 6.3.1.1 scrambling, both compared bit-exactly).
#include "airan/apps/conformance.h"
#include "airan/io/npy.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/ulsch_encoder.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <string>

namespace airan::apps {

namespace {

/// Reads an unsigned integer field of \p params, checking it is present and at most \p max.
unsigned read_unsigned(const nlohmann::json& params, const char* key, unsigned max) {
  if (!params.contains(key) || !params[key].is_number_integer()) {
    throw std::runtime_error(std::string("params.json: missing or non-integer \"") + key + "\"");
  }
  const auto value = params[key].get<long long>();
  if (value < 0 || value > max) {
    throw std::runtime_error(std::string("params.json: \"") + key + "\" = " +
                             std::to_string(value) + " outside 0.." + std::to_string(max));
  }
  return static_cast<unsigned>(value);
}

CaseResult run_tb_case(const ConformanceCase& conformance_case) {
  const auto params_path = conformance_case.path / "params.json";
  std::ifstream params_file(params_path);
  if (!params_file) {
    throw std::runtime_error("cannot open " + params_path.string());
  }
  nlohmann::json params;
  try {
    params = nlohmann::json::parse(params_file);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("params.json: " + std::string(e.what()));
  }
  if (!params.contains("coderate") || !params["coderate"].is_number()) {
    throw std::runtime_error("params.json: missing or non-numeric \"coderate\"");
  }
  const unsigned n_id = read_unsigned(params, "n_id", 1023);
  const unsigned n_rnti = read_unsigned(params, "n_rnti", 65535);

  const auto tb_bits = io::read_npy_bits(conformance_case.path / "tb_bits.npy");
  const auto unscrambled = io::read_npy_bits(conformance_case.path / "codeword_unscrambled.npy");
  const auto scrambled = io::read_npy_bits(conformance_case.path / "codeword_scrambled.npy");
  if (scrambled.size() != unscrambled.size()) {
    throw std::runtime_error("scrambled and unscrambled codewords differ in length");
  }

  phy::UlschCodingConfig cfg;
  cfg.tbs = static_cast<std::uint32_t>(tb_bits.size());
  cfg.target_code_rate = params["coderate"].get<double>();
  cfg.modulation_order = read_unsigned(params, "num_bits_per_symbol", 10);
  cfg.num_layers = read_unsigned(params, "num_layers", 4);
  cfg.rv = 0;
  cfg.g = static_cast<std::uint32_t>(unscrambled.size());

  phy::BitVector codeword(cfg.g);
  phy::create_ulsch_encoder()->encode(tb_bits, cfg, codeword);
  const std::size_t unscrambled_errors = count_bit_mismatches(codeword, unscrambled);
  phy::scramble_bits(codeword, phy::pusch_scrambling_init(static_cast<std::uint16_t>(n_rnti),
                                                          static_cast<std::uint16_t>(n_id)));
  const std::size_t scrambled_errors = count_bit_mismatches(codeword, scrambled);

  CaseResult result;
  result.passed = unscrambled_errors == 0 && scrambled_errors == 0;
  result.worst_error = static_cast<double>(unscrambled_errors + scrambled_errors);
  result.detail = "TBS " + std::to_string(cfg.tbs) + ", G " + std::to_string(cfg.g) + ", Q_m " +
                  std::to_string(cfg.modulation_order) + ", N_L " + std::to_string(cfg.num_layers) +
                  ": " + std::to_string(unscrambled_errors) + " unscrambled and " +
                  std::to_string(scrambled_errors) + " scrambled bits wrong";
  return result;
}

} // namespace

SuiteResult run_tb_conformance(const std::filesystem::path& dir, std::ostream* out) {
  return run_cases(list_case_dirs(dir, "tb_testcase_"), run_tb_case, out);
}

} // namespace airan::apps
