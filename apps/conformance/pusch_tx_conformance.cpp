/// \file
/// \brief PUSCH transmitter conformance suite: for every pusch/case_NNN, the transport block
/// size derived with TS 38.214 5.1.3.2 must equal len(tb_bits), and transmit(tb_bits) must
/// reproduce grid.npy [antenna port][symbol][subcarrier] to within 1e-6 per element
/// (max_grid_error).
#include "airan/apps/conformance.h"
#include "airan/apps/pusch_case.h"
#include "airan/io/npy.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tbs_calculator.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>

namespace airan::apps {

namespace {

/// Largest |transmitted - reference| a grid element may have: the vectors' README promises
/// agreement to about 1e-6 (the worst of the 56 cases is 1.7e-7 with this transmitter).
constexpr double max_grid_error = 1e-6;

CaseResult run_pusch_tx_case(const ConformanceCase& conformance_case) {
  const PuschCase c = load_pusch_case(conformance_case.path);
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
    const auto error = static_cast<double>(std::abs(elements[i] - reference[i]));
    // A NaN (in the grid or the reference) is the worst error there is, not one std::max skips.
    worst = std::isnan(error) || error > worst ? error : worst;
    if (std::isnan(worst)) {
      break;
    }
  }
  result.worst_error = worst;
  result.passed = worst <= max_grid_error; // false for NaN
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
