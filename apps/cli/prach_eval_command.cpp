// `airan prach-eval`: PRACH detection probability, false alarms and timing against SNR the way
// TS 38.104 clause 8.4 / TS 38.141-1 clause 8.4 state them, with a table on stdout and JSON.
#include "airan/apps/evaluation_report.h"
#include "airan/apps/prach_evaluation.h"
#include "commands.h"
#include "progress_bar.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace airan::cli {
namespace {

struct PrachEvalOptions {
  std::string format = "0";
  unsigned prb = 25;
  unsigned numerology = 0;
  std::optional<unsigned> prach_numerology; ///< Short formats; unset: the carrier's.
  unsigned rx = 2;
  std::string channel = "awgn";
  std::optional<double> cfo_hz; ///< Unset: 400 Hz on TDLC300-100, 0 on AWGN.
  std::optional<unsigned> ncs;  ///< Unset: the test preamble's (TS 38.141-1 Table A.6-1).
  std::optional<unsigned> root;
  std::optional<unsigned> preamble;
  unsigned start_prb = 0;
  std::optional<double> delay_us;
  bool random_delay = false;
  double tolerance_us = 0.0;
  double pfa_target = phy::PrachDetectorOptions{}.false_alarm_probability;
  std::string snr = "-16:2:-6";
  std::uint64_t trials = 1000;
  std::uint64_t false_alarm = 0;
  std::uint64_t seed = 1;
  unsigned threads = 0;
  std::string json;
};

/// The frequency offset of the TDLC300-100 PRACH tests (TS 38.141-1 8.4.1, as the MathWorks and
/// ocudu / srsRAN MATLAB conformance harnesses apply it).
constexpr double prach_eval_fading_cfo_hz = 400.0;

apps::PrachEvaluationConfig make_prach_eval_config(const PrachEvalOptions& o) {
  const auto format = phy::prach_format_from_name(o.format);
  if (!format) {
    throw std::invalid_argument("PRACH format '" + o.format +
                                "' is not 0, 1, 2, 3, A1, A2, A3, B1, B2, B3, B4, C0 or C2");
  }
  apps::PrachEvaluationConfig config;
  apps::PrachLinkConfig& link = config.link;
  link.numerology = o.numerology;
  link.num_prbs = o.prb;
  link.num_rx_antennas = o.rx;
  link.channel = apps::parse_prach_channel(o.channel);
  link.cfo_hz = o.cfo_hz.value_or(
      link.channel == apps::PrachChannelModel::awgn ? 0.0 : prach_eval_fading_cfo_hz);
  link.detector.false_alarm_probability = o.pfa_target;
  phy::PrachConfig& prach = link.prach;
  prach.format = *format;
  prach.short_format_numerology = o.prach_numerology.value_or(o.numerology);
  prach.first_prb = o.start_prb;
  const apps::PrachTestPreamble test =
      apps::prach_test_preamble(*format, phy::prach_subcarrier_spacing_hz(prach));
  prach.cyclic_shift_length = o.ncs.value_or(test.cyclic_shift_length);
  prach.root_sequence_index = o.root.value_or(test.root_sequence_index);
  config.preamble_index = o.preamble.value_or(test.preamble_index);
  config.snr_db = apps::parse_snr_list(o.snr);
  config.trials = o.trials;
  config.false_alarm_trials = o.false_alarm;
  if (o.delay_us) {
    config.delay_mode = apps::PrachDelayMode::fixed;
    config.delay_s = *o.delay_us * 1e-6;
  } else if (o.random_delay) {
    config.delay_mode = apps::PrachDelayMode::random;
  }
  config.time_error_tolerance_s = o.tolerance_us * 1e-6;
  config.seed = o.seed;
  config.num_threads = o.threads;
  return config;
}

int run_prach_eval(const PrachEvalOptions& options, const std::string& command_line) {
  apps::PrachEvaluationConfig config;
  try {
    config = make_prach_eval_config(options);
  } catch (const std::invalid_argument& e) {
    std::cerr << "airan prach-eval: invalid configuration:\n" << e.what() << '\n';
    return 2;
  }
  if (const auto problems = apps::validate_prach_evaluation(config); !problems.empty()) {
    std::cerr << "airan prach-eval: invalid configuration:\n" << problems;
    return 2;
  }
  if (const std::string problem = options.json.empty() ? "" : unwritable_output(options.json);
      !problem.empty()) {
    std::cerr << "airan prach-eval: --json: " << problem << '\n';
    return 2;
  }
  std::cout << "prach-eval: " << apps::describe_prach_evaluation(config) << '\n';
  ProgressBar bar("prach-eval");
  const auto points =
      apps::run_prach_evaluation(config, [&](const apps::PrachEvaluationProgress& p) {
        std::ostringstream label;
        label << "SNR " << p.snr_db << " dB (" << p.snr_index + 1 << "/" << p.num_snrs << ")";
        bar.update(p.fraction, label.str());
      });
  bar.finish();
  std::cout << apps::format_prach_evaluation_table(points);
  if (!options.json.empty()) {
    std::ofstream file(options.json);
    file << apps::format_prach_evaluation_json(command_line, config, points);
    if (!file) {
      throw std::runtime_error("cannot write " + options.json);
    }
    std::cout << "wrote " << options.json << '\n';
  }
  return 0;
}

void add_prach_link_options(CLI::App& app, PrachEvalOptions& o) {
  app.add_option("--format", o.format, "Preamble format: 0, 1, 2, 3, A1, A2, A3, B1-B4, C0, C2")
      ->capture_default_str();
  app.add_option("--prb,--prbs", o.prb, "PRBs of the carrier (its FFT size follows)")
      ->capture_default_str();
  app.add_option("--numerology", o.numerology, "Carrier mu (PUSCH SCS 15 * 2^mu kHz)")
      ->capture_default_str();
  app.add_option("--prach-numerology", o.prach_numerology,
                 "Short formats: PRACH SCS 15 * 2^mu kHz (default: the carrier's)");
  app.add_option("--rx", o.rx, "Receive antennas")->capture_default_str();
  app.add_option("--channel", o.channel, "Propagation condition: awgn or TDLC300-100")
      ->capture_default_str();
  app.add_option("--cfo", o.cfo_hz,
                 "Frequency offset in Hz (default 400 on TDLC300-100, 0 on AWGN, as the TS "
                 "38.141-1 PRACH tests apply it)");
  app.add_option("--ncs", o.ncs,
                 "N_CS (default: TS 38.141-1 Table A.6-1's test preamble: 13 for formats 0/2, "
                 "23 / 46 for short formats at 15 / 30 kHz)");
  app.add_option("--root", o.root, "First logical root (default 22 long, 0 short)");
  app.add_option("--preamble", o.preamble, "Test preamble index v (default 32 long, 0 short)");
  app.add_option("--start-prb", o.start_prb, "First PRB of the occasion")->capture_default_str();
  app.add_option("--pfa-target", o.pfa_target,
                 "The detector's false-alarm probability per occasion (its threshold)")
      ->capture_default_str();
}

} // namespace

Command add_prach_eval_command(CLI::App& parent, const std::string& command_line) {
  auto* app = parent.add_subcommand(
      "prach-eval", "PRACH detection probability, false alarms and timing vs SNR (TS 38.104 8.4)");
  auto o = std::make_shared<PrachEvalOptions>();
  add_prach_link_options(*app, *o);
  auto* delay = app->add_option("--delay-us", o->delay_us,
                                "One round-trip delay in us (default: TS 38.141-1's N_CS/2 + "
                                "0..0.9 us cycle, short formats 0..0.8 us)");
  app->add_flag("--random-delay", o->random_delay,
                "A random delay per occasion within the zero-correlation window")
      ->excludes(delay);
  app->add_option("--tolerance-us", o->tolerance_us,
                  "Time error tolerance in us (default: TS 38.104 Table 8.4.1.1-1's)");
  app->add_option("--snr", o->snr,
                  "SNR points in dB per PRACH subcarrier and antenna: start:step:stop or a list")
      ->capture_default_str();
  app->add_option("--trials", o->trials, "Occasions with the preamble per SNR point")
      ->capture_default_str();
  app->add_option("--false-alarm", o->false_alarm,
                  "Noise-only occasions per SNR point (false-alarm probability)")
      ->capture_default_str();
  app->add_option("--seed", o->seed, "Seed (same seed, same numbers)")->capture_default_str();
  app->add_option("--threads", o->threads, "Threads (0: every core)")->capture_default_str();
  app->add_option("--json", o->json, "JSON file of the configuration and every point's counts");
  return {app, [o, command_line] { return run_prach_eval(*o, command_line); }};
}

} // namespace airan::cli
