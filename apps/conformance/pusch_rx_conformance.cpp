/// \file
/// \brief PUSCH receiver conformance suite: every MATLAB grid (noise-free, identity channel, one
/// receive antenna per transmit port) must decode to exactly tb_bits with the TB CRC passing.
#include "airan/apps/conformance.h"
#include "airan/apps/pusch_case.h"
#include "airan/io/npy.h"
#include "airan/phy/pusch_receiver.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace airan::apps {
namespace {

CaseResult run_pusch_rx_case(const ConformanceCase& conformance_case,
                             const PuschReceiverSetup& setup) {
  const PuschCase c = load_pusch_case(conformance_case.path);
  const auto tb_bits = io::read_npy_bits(conformance_case.path / "tb_bits.npy");
  const phy::ResourceGrid received = load_pusch_case_grid(conformance_case.path, c.cell.num_prbs);

  phy::PuschReceiverConfig config;
  config.num_rx_antennas = received.num_ports();
  config.max_layers = std::max(c.pusch.num_layers, 1U);
  config.num_harq_buffers = 1;
  if (setup) {
    setup(c.cell, config);
  }
  phy::PuschReceiver receiver(c.cell, config);
  std::vector<phy::PuschPduResult> results;
  receiver.process_slot(received, c.slot, std::span(&c.pusch, 1), results);
  const auto& r = results.front();
  if (!r.error.empty()) {
    throw std::runtime_error("receiver: " + r.error);
  }
  CaseResult result;
  std::size_t bit_errors = tb_bits.size();
  if (r.tb_bits.size() == tb_bits.size()) {
    bit_errors = 0;
    for (std::size_t i = 0; i < tb_bits.size(); ++i) {
      bit_errors += r.tb_bits[i] != tb_bits[i] ? 1 : 0;
    }
  }
  result.worst_error = static_cast<double>(bit_errors);
  result.passed = r.tb_crc_ok && bit_errors == 0;
  char detail[160];
  std::snprintf(detail, sizeof(detail), "TB CRC %s, %zu bit errors, %u CB, %.1f LDPC it, %s",
                r.tb_crc_ok ? "ok" : "FAIL", bit_errors, r.decoding.num_code_blocks,
                r.decoding.mean_ldpc_iterations, c.summary.c_str());
  result.detail = detail;
  return result;
}

} // namespace

SuiteResult run_pusch_rx_conformance(const std::filesystem::path& dir, std::ostream* out,
                                     const PuschReceiverSetup& setup) {
  return run_cases(
      list_case_dirs(dir, "case_"),
      [&setup](const ConformanceCase& c) { return run_pusch_rx_case(c, setup); }, out);
}

} // namespace airan::apps
