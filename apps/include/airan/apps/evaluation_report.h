/// \file
/// \brief Outputs of `airan eval`: SNR list parsing, the results table, CSV, JSON and a BLER plot.
#pragma once
#include "airan/apps/bler_evaluation.h"

#include <filesystem>
#include <string>
#include <vector>

namespace airan::apps {

/// Parses SNR points: "start:step:stop" (inclusive, step > 0, at most 1000 points), a comma
/// list "0,2.5,5", or one value. \throws std::invalid_argument naming what is wrong.
std::vector<double> parse_snr_list(const std::string& text);

/// The results as a text table: one row per SNR, BLER and throughput per receiver, and the SNR
/// at BLER 10% per receiver below it.
std::string format_evaluation_table(const EvaluationConfig& config,
                                    const std::vector<EvaluationPoint>& points);

/// Writes bler.csv, bler.json (configuration, results and SNR at BLER 10%) and bler.png (BLER on
/// a log axis, one curve per receiver) into \p directory (created if needed). \p command is
/// recorded in the JSON. Without any TB error there is no curve to draw on a log axis: then no
/// bler.png is written and one left there by an earlier run is removed.
/// \return the names of the files written, in that order.
/// \throws std::runtime_error when a file cannot be written (or an old plot removed).
std::vector<std::string> write_evaluation_outputs(const std::filesystem::path& directory,
                                                  const std::string& command,
                                                  const EvaluationConfig& config,
                                                  const std::vector<EvaluationPoint>& points);

} // namespace airan::apps
