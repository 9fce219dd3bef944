// `airan srs-eval`: SrsEstimator accuracy against SNR (wideband SNR error, timing error and
// TimingAdvance, per-PRB channel NMSE) for one SRS with a known UE delay, with a table on stdout
// and a CSV file.
#include "airan/apps/evaluation_report.h"
#include "airan/apps/srs_evaluation.h"
#include "channel_options.h"
#include "commands.h"
#include "progress_bar.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace airan::cli {
namespace {

/// TDL-C300 with 100 Hz Doppler and low correlation, per RE (fast): pucch-eval's channel.
ChannelOptions srs_eval_default_channel() {
  ChannelOptions channel;
  channel.channel = "TDL-C300";
  channel.doppler_hz = 100.0;
  channel.correlation = "low";
  channel.domain = "frequency";
  return channel;
}

struct SrsEvalOptions {
  ChannelOptions channel = srs_eval_default_channel(); ///< Its --timing-offset is the UE's delay.
  unsigned prb = 52;
  unsigned numerology = 1;
  unsigned rx = 4;
  unsigned ports = 1;
  unsigned symbols = 1;
  unsigned repetition = 1;
  unsigned start_symbol = 0; ///< Defaulted: the slot's last symbols.
  unsigned c_srs = 11;
  unsigned b_srs = 0;
  unsigned comb = 2;
  unsigned comb_offset = 0;
  unsigned cyclic_shift = 0;
  unsigned frequency_position = 0;
  unsigned frequency_shift = 0;
  unsigned hopping_bandwidth = 0;
  std::string sequence_hopping = "neither";
  unsigned sequence_id = 0;
  unsigned periodicity = 0; ///< 0: aperiodic.
  std::string snr = "-10:5:20";
  std::uint64_t slots = 200;
  std::uint64_t seed = 1;
  unsigned threads = 0;
  std::string csv;
};

phy::SrsHopping srs_eval_parse_sequence_hopping(const std::string& text) {
  if (text == "neither") {
    return phy::SrsHopping::neither;
  }
  if (text == "group") {
    return phy::SrsHopping::group;
  }
  if (text == "sequence") {
    return phy::SrsHopping::sequence;
  }
  throw std::invalid_argument("--sequence-hopping '" + text +
                              "' is not neither, group or sequence");
}

apps::SrsEvaluationConfig make_srs_eval_config(const SrsEvalOptions& o) {
  apps::SrsEvaluationConfig config;
  phy::CellConfig& cell = config.scenario.cell;
  cell.num_prbs = o.prb;
  cell.numerology = o.numerology;
  cell.num_antenna_ports = o.ports; // a UE with as many ports as the SRS
  config.scenario.num_rx_antennas = o.rx;
  config.scenario.channel = to_channel_spec(o.channel);
  config.delay_s = config.scenario.channel.timing_offset_s; // the UE's, applied by the evaluation
  config.scenario.channel.timing_offset_s = 0.0;
  phy::SrsConfig& srs = config.srs;
  srs.bwp_start = 0;
  srs.bwp_size = o.prb;
  srs.num_ports = o.ports;
  srs.num_symbols = o.symbols;
  srs.repetition = o.repetition;
  srs.start_symbol = o.start_symbol;
  srs.c_srs = o.c_srs;
  srs.b_srs = o.b_srs;
  srs.comb_size = o.comb;
  srs.comb_offset = o.comb_offset;
  srs.cyclic_shift = o.cyclic_shift;
  srs.frequency_position = o.frequency_position;
  srs.frequency_shift = o.frequency_shift;
  srs.hopping_bandwidth = o.hopping_bandwidth;
  srs.group_or_sequence_hopping = srs_eval_parse_sequence_hopping(o.sequence_hopping);
  srs.sequence_id = static_cast<std::uint16_t>(std::min(o.sequence_id, 0xFFFFU));
  srs.resource_type =
      o.periodicity == 0 ? phy::SrsResourceType::aperiodic : phy::SrsResourceType::periodic;
  srs.periodicity = o.periodicity == 0 ? 1 : o.periodicity;
  try {
    config.snr_db = apps::parse_snr_list(o.snr);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--snr: ") + e.what());
  }
  config.slots = o.slots;
  config.seed = o.seed;
  config.num_threads = o.threads;
  return config;
}

/// Which options a problem (as validate_srs_evaluation() words it) is about.
struct SrsEvalProblemOption {
  std::string_view words;
  std::string_view options;
};

constexpr std::array<SrsEvalProblemOption, 23> srs_eval_problem_options = {{
    {"number of antenna ports", "--ports"},
    {"cell:", "--prb, --numerology"},
    {"receive antennas", "--rx"},
    {"channel:", "the channel options"},
    {"numAntPorts", "--ports"},
    {"numSymbols", "--symbols"},
    {"numRepetitions", "--repetition"},
    {"exceed the slot", "--start-symbol, --symbols"},
    {"combSize", "--comb"},
    {"combOffset", "--comb-offset"},
    {"cyclicShift", "--cyclic-shift"},
    {"sequenceId", "--sequence-id"},
    {"Tsrs", "--periodicity"},
    {"configIndex", "--c-srs"},
    {"bandwidthIndex", "--b-srs"},
    {"frequencyHopping", "--hopping-bandwidth"},
    {"frequencyPosition", "--frequency-position"},
    {"frequencyShift", "--frequency-shift"},
    {"do not fit the BWP", "--c-srs, --b-srs, --frequency-position, --frequency-shift, --prb"},
    {"UE delay", "--timing-offset"},
    {"SNR point", "--snr"},
    {"slots per point", "--slots"},
    {"threads", "--threads"},
}};

/// \p problems with each line followed by the options it is about, in brackets.
std::string srs_eval_name_options(const std::string& problems) {
  std::istringstream lines(problems);
  std::string named;
  for (std::string line; std::getline(lines, line);) {
    named += line;
    for (const SrsEvalProblemOption& entry : srs_eval_problem_options) {
      if (line.find(entry.words) != std::string::npos) {
        named += " [" + std::string(entry.options) + "]";
        break;
      }
    }
    named += '\n';
  }
  return named;
}

int run_srs_eval(const SrsEvalOptions& options) {
  const apps::SrsEvaluationConfig config = make_srs_eval_config(options);
  if (const auto problems = apps::validate_srs_evaluation(config); !problems.empty()) {
    std::cerr << "airan srs-eval: invalid configuration:\n" << srs_eval_name_options(problems);
    return 2;
  }
  if (const std::string problem = options.csv.empty() ? "" : unwritable_output(options.csv);
      !problem.empty()) {
    std::cerr << "airan srs-eval: --csv: " << problem << '\n';
    return 2;
  }
  std::cout << "srs-eval: " << apps::describe_srs_evaluation(config) << '\n';
  ProgressBar bar("srs-eval");
  const auto points = apps::run_srs_evaluation(config, [&](const apps::SrsEvaluationProgress& p) {
    std::ostringstream label;
    label << "SNR " << p.snr_db << " dB (" << p.snr_index + 1 << "/" << p.num_snrs << ")";
    bar.update(p.fraction, label.str());
  });
  bar.finish();
  std::cout << apps::format_srs_evaluation_table(points);
  if (!options.csv.empty()) {
    std::ofstream file(options.csv);
    file << apps::format_srs_evaluation_csv(points);
    if (!file) {
      throw std::runtime_error("cannot write " + options.csv);
    }
    std::cout << "wrote " << options.csv << '\n';
  }
  return 0;
}

void add_srs_eval_options(CLI::App& app, SrsEvalOptions& o) {
  app.add_option("--ports", o.ports, "SRS ports N_ap: 1, 2 or 4 (the UE's antenna ports)")
      ->capture_default_str();
  app.add_option("--symbols", o.symbols, "SRS symbols: 1, 2 or 4")->capture_default_str();
  app.add_option("--repetition", o.repetition, "Repetition factor R: 1, 2 or 4, <= --symbols")
      ->capture_default_str();
  app.add_option("--start-symbol", o.start_symbol,
                 "First SRS symbol l0 (default: the slot's last --symbols symbols)");
  app.add_option("--c-srs", o.c_srs, "C_SRS 0..63 (TS 38.211 Table 6.4.1.4.3-1)")
      ->capture_default_str();
  app.add_option("--b-srs", o.b_srs, "B_SRS 0..3")->capture_default_str();
  app.add_option("--comb", o.comb, "Comb size K_TC: 2 or 4")->capture_default_str();
  app.add_option("--comb-offset", o.comb_offset, "Comb offset 0..K_TC-1")->capture_default_str();
  app.add_option("--cyclic-shift", o.cyclic_shift, "n_SRS^cs: 0..7 (comb 2), 0..11 (comb 4)")
      ->capture_default_str();
  app.add_option("--frequency-position", o.frequency_position, "n_RRC 0..67")
      ->capture_default_str();
  app.add_option("--frequency-shift", o.frequency_shift, "n_shift 0..268")->capture_default_str();
  app.add_option("--hopping-bandwidth", o.hopping_bandwidth,
                 "b_hop 0..3: frequency hopping when below --b-srs")
      ->capture_default_str();
  app.add_option("--sequence-hopping", o.sequence_hopping, "neither, group or sequence")
      ->capture_default_str();
  app.add_option("--sequence-id", o.sequence_id, "n_ID^SRS 0..1023")->capture_default_str();
  app.add_option("--periodicity", o.periodicity,
                 "T_SRS in slots: a periodic SRS, each simulated slot the next occasion (hopping "
                 "moves on); 0: aperiodic")
      ->capture_default_str();
}

} // namespace

Command add_srs_eval_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "srs-eval", "SRS estimation accuracy vs SNR: SNR error, timing error and TimingAdvance, "
                  "per-PRB channel NMSE (--timing-offset: the UE's true delay in ns)");
  auto o = std::make_shared<SrsEvalOptions>();
  add_srs_eval_options(*app, *o);
  app->add_option("--prb", o->prb, "PRBs of the carrier (and BWP)")->capture_default_str();
  app->add_option("--numerology", o->numerology, "mu (SCS 15 * 2^mu kHz)")->capture_default_str();
  app->add_option("--rx", o->rx, "Receive antennas")->capture_default_str();
  add_channel_options(*app, o->channel);
  app->add_option("--snr", o->snr, "SNR points in dB per RE: start:step:stop or a comma list")
      ->capture_default_str();
  app->add_option("--slots", o->slots, "SRS slots per SNR point")->capture_default_str();
  app->add_option("--seed", o->seed, "Seed (same seed, same numbers)")->capture_default_str();
  app->add_option("--threads", o->threads, "Threads (0: every core)")->capture_default_str();
  app->add_option("--csv", o->csv, "CSV file of every point's results");
  return {app, [o, app] {
            constexpr unsigned slot_symbols = 14;
            if (app->count("--start-symbol") == 0) {
              o->start_symbol = o->symbols < slot_symbols ? slot_symbols - o->symbols : 0;
            }
            drop_fading_defaults_for_awgn(*app, o->channel);
            return run_srs_eval(*o);
          }};
}

} // namespace airan::cli
