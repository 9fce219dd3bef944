/// \file
/// \brief Conformance suites: run every case of a reference data directory and report per case.
///
/// Each suite enumerates its cases in a directory laid out like ../shared/conformance/<suite>,
/// runs them one by one, and never lets a bad case stop the others: a missing or malformed file
/// is that case's failure, with its reason.
#pragma once

#include "airan/phy/pusch_receiver.h"

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

namespace airan::apps {

/// Outcome of one conformance case.
struct CaseResult {
  std::string name;         ///< Case name (directory or file stem).
  bool passed = false;      ///< True when every check of the case passed.
  double worst_error = 0.0; ///< Worst error seen: mismatching bits, or max |complex error|.
  std::string detail;       ///< What was checked, or why it failed.
};

/// Outcome of a whole suite.
struct SuiteResult {
  std::vector<CaseResult> cases;
  [[nodiscard]] std::size_t num_passed() const;
  [[nodiscard]] std::size_t num_failed() const { return cases.size() - num_passed(); }
  [[nodiscard]] bool all_passed() const { return !cases.empty() && num_failed() == 0; }
};

/// One named case: where its data is, and how to run it.
struct ConformanceCase {
  std::string name;
  std::filesystem::path path;
};

/// Runs \p runner on every case; an exception thrown by a case becomes that case's failure.
/// Prints one line per case and a closing "N passed, M failed" line to \p out when not null.
SuiteResult run_cases(const std::vector<ConformanceCase>& cases,
                      const std::function<CaseResult(const ConformanceCase&)>& runner,
                      std::ostream* out);

/// Subdirectories of \p dir whose names start with \p prefix, sorted by name.
std::vector<ConformanceCase> list_case_dirs(const std::filesystem::path& dir,
                                            const std::string& prefix);

/// Files of \p dir whose names end with \p suffix, sorted by name; the case name is the file
/// name without \p suffix.
std::vector<ConformanceCase> list_case_files(const std::filesystem::path& dir,
                                             const std::string& suffix);

/// Positions where the bit sequences \p a and \p b differ; each bit one has beyond the other's
/// length counts as a mismatch.
std::size_t count_bit_mismatches(std::span<const phy::bit_t> a, std::span<const phy::bit_t> b);

// Suites. Each takes the directory of its reference data (layout of ../shared/conformance/*).

/// CRC6/11/16/24A/24B/24C against crc/{POLY}_input.npy and crc/{POLY}_crc.npy.
SuiteResult run_crc_conformance(const std::filesystem::path& dir, std::ostream* out);

/// LDPC encoding + rate matching (rv 0, no interleaving) against ldpc/k{K}_n{N}_G.npy.
SuiteResult run_ldpc_conformance(const std::filesystem::path& dir, std::ostream* out);

/// Transport-block chain (TS 38.212 6.2 + scrambling) against tb/tb_testcase_N.
SuiteResult run_tb_conformance(const std::filesystem::path& dir, std::ostream* out);

/// PUSCH transmitter: transmit(tb_bits) == grid for every pusch/case_NNN.
SuiteResult run_pusch_tx_conformance(const std::filesystem::path& dir, std::ostream* out);

/// Adjusts the receiver configuration of a case (e.g. a CUDA detector and LDPC decoder).
using PuschReceiverSetup =
    std::function<void(const phy::CellConfig& cell, phy::PuschReceiverConfig& config)>;

/// PUSCH receiver: every pusch/case_NNN grid (noise-free, identity channel) decodes to tb_bits,
/// with the default CPU receiver or the one \p setup configures.
SuiteResult run_pusch_rx_conformance(const std::filesystem::path& dir, std::ostream* out,
                                     const PuschReceiverSetup& setup = {});

} // namespace airan::apps
