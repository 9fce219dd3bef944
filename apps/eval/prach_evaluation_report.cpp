/// \file
/// \brief Outputs of `airan prach-eval`: the configuration in one line, the results table, JSON.
#include "airan/apps/bler_evaluation.h"
#include "airan/apps/prach_evaluation.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <string>

namespace airan::apps {
namespace {

/// "99.40% (1988/2000) [99.0, 99.7]": a probability, its count and 95% Wilson interval.
std::string prach_probability_text(std::uint64_t events, std::uint64_t trials) {
  std::ostringstream text;
  const double rate = trials == 0 ? 0.0 : static_cast<double>(events) / static_cast<double>(trials);
  const BlerInterval interval = bler_wilson_interval(events, trials);
  text << std::fixed << std::setprecision(2) << 100.0 * rate << "% (" << events << '/' << trials
       << ") [" << 100.0 * interval.low << ", " << 100.0 * interval.high << ']';
  return text.str();
}

std::string prach_fixed(double value, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

std::string prach_delay_text(const PrachEvaluationConfig& config) {
  switch (config.delay_mode) {
  case PrachDelayMode::fixed:
    return "delay " + prach_fixed(config.delay_s * 1e6, 3) + " us";
  case PrachDelayMode::random:
    return "random delay in the zero-correlation window";
  case PrachDelayMode::conformance:
    break;
  }
  return phy::prach_is_long_format(config.link.prach.format)
             ? "delay N_CS/2 + 0..0.9 us (TS 38.141-1)"
             : "delay 0..0.8 us (TS 38.141-1)";
}

nlohmann::json prach_interval_json(std::uint64_t events, std::uint64_t trials) {
  const BlerInterval interval = bler_wilson_interval(events, trials);
  return nlohmann::json::array({interval.low, interval.high});
}

} // namespace

std::string describe_prach_evaluation(const PrachEvaluationConfig& config) {
  const PrachLinkConfig& link = config.link;
  const phy::PrachConfig& p = link.prach;
  std::ostringstream text;
  text << "PRACH format " << phy::prach_format_name(p.format) << " at "
       << phy::prach_subcarrier_spacing_hz(p) / 1000.0 << " kHz, N_CS " << p.cyclic_shift_length
       << ", root " << p.root_sequence_index << ", preamble " << config.preamble_index << ", PRB "
       << p.first_prb << "; " << link.num_prbs << " PRB at " << (15U << link.numerology) << " kHz, "
       << link.num_rx_antennas << " Rx; " << prach_channel_name(link.channel);
  if (link.cfo_hz != 0.0) {
    text << ", " << link.cfo_hz << " Hz frequency offset";
  }
  text << "; " << prach_delay_text(config) << ", tolerance "
       << prach_fixed(prach_evaluation_tolerance_s(config) * 1e6, 2) << " us; " << config.trials
       << " detection and " << config.false_alarm_trials
       << " noise-only occasions per point, false-alarm target "
       << link.detector.false_alarm_probability << ", seed " << config.seed;
  return text.str();
}

std::string format_prach_evaluation_table(const std::vector<PrachEvaluationPoint>& points) {
  const bool detection = std::ranges::any_of(points, [](const auto& p) { return p.trials > 0; });
  const bool noise =
      std::ranges::any_of(points, [](const auto& p) { return p.false_alarm_trials > 0; });
  std::vector<std::vector<std::string>> rows{{"SNR dB"}};
  if (detection) {
    for (const char* title :
         {"Pd [95% CI]", "missed", "timing", "wrong", "mean/max error us", "SNR est dB"}) {
      rows.front().emplace_back(title);
    }
  }
  if (noise) {
    rows.front().emplace_back("Pfa [95% CI]");
  }
  for (const PrachEvaluationPoint& p : points) {
    rows.push_back({prach_fixed(p.snr_db, 2)});
    auto& row = rows.back();
    if (detection) {
      row.push_back(prach_probability_text(p.detected, p.trials));
      row.push_back(std::to_string(p.missed));
      row.push_back(std::to_string(p.timing_failures));
      row.push_back(std::to_string(p.wrong_preamble));
      row.push_back(prach_fixed(p.mean_timing_error_s() * 1e6, 3) + " / " +
                    prach_fixed(p.timing_error_max_s * 1e6, 3));
      row.push_back(p.reported() == 0 ? "-" : prach_fixed(p.mean_snr_estimate_db(), 2));
    }
    if (noise) {
      row.push_back(prach_probability_text(p.false_alarms, p.false_alarm_trials));
    }
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  std::ostringstream table;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      table << (c == 0 ? "" : " | ") << std::setw(static_cast<int>(widths[c])) << row[c];
    }
    table << '\n';
  }
  if (noise) {
    PrachEvaluationPoint sweep;
    for (const PrachEvaluationPoint& p : points) {
      sweep += p;
    }
    table << "noise-only occasions over the sweep: false alarms "
          << prach_probability_text(sweep.false_alarms, sweep.false_alarm_trials) << '\n';
  }
  return table.str();
}

std::string format_prach_evaluation_json(const std::string& command,
                                         const PrachEvaluationConfig& config,
                                         const std::vector<PrachEvaluationPoint>& points) {
  const PrachLinkConfig& link = config.link;
  const phy::PrachConfig& p = link.prach;
  nlohmann::json json;
  json["command"] = command;
  json["scenario"] = {{"format", std::string(phy::prach_format_name(p.format))},
                      {"prach_scs_hz", phy::prach_subcarrier_spacing_hz(p)},
                      {"cyclic_shift_length", p.cyclic_shift_length},
                      {"root_sequence_index", p.root_sequence_index},
                      {"preamble_index", config.preamble_index},
                      {"first_prb", p.first_prb},
                      {"num_prbs", link.num_prbs},
                      {"numerology", link.numerology},
                      {"num_rx_antennas", link.num_rx_antennas},
                      {"channel", std::string(prach_channel_name(link.channel))},
                      {"cfo_hz", link.cfo_hz},
                      {"delay", config.delay_mode == PrachDelayMode::fixed    ? "fixed"
                                : config.delay_mode == PrachDelayMode::random ? "random"
                                                                              : "conformance"},
                      {"delay_us", config.delay_s * 1e6},
                      {"time_error_tolerance_us", prach_evaluation_tolerance_s(config) * 1e6},
                      {"false_alarm_target", link.detector.false_alarm_probability},
                      {"trials", config.trials},
                      {"false_alarm_trials", config.false_alarm_trials},
                      {"seed", config.seed},
                      {"snr_axis", "snr_per_prach_subcarrier_and_antenna_db"}};
  json["results"] = nlohmann::json::array();
  for (const PrachEvaluationPoint& q : points) {
    json["results"].push_back(
        {{"snr_db", q.snr_db},
         {"trials", q.trials},
         {"detected", q.detected},
         {"timing_failures", q.timing_failures},
         {"missed", q.missed},
         {"wrong_preamble", q.wrong_preamble},
         {"pd", q.pd()},
         {"pd_ci95", prach_interval_json(q.detected, q.trials)},
         {"false_alarm_trials", q.false_alarm_trials},
         {"false_alarms", q.false_alarms},
         {"pfa", q.pfa()},
         {"pfa_ci95", prach_interval_json(q.false_alarms, q.false_alarm_trials)},
         {"mean_timing_error_us", q.mean_timing_error_s() * 1e6},
         {"max_timing_error_us", q.timing_error_max_s * 1e6},
         {"mean_snr_estimate_db",
          q.reported() == 0 ? nlohmann::json(nullptr) : nlohmann::json(q.mean_snr_estimate_db())}});
  }
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace airan::apps
