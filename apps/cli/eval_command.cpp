// `airan eval`: BLER and throughput against SNR for several receivers over a channel model,
// with a table on stdout and CSV, JSON and PNG outputs.
#include "airan/apps/bler_evaluation.h"
#include "airan/apps/evaluation_report.h"
#include "airan/io/pusch_config_file.h"
#include "airan/phy/mcs_table.h"
#include "channel_options.h"
#include "commands.h"
#include "fapi_only_scenarios.h"
#include "progress_bar.h"
#include "receiver_options.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include <unistd.h>

namespace airan::cli {
namespace {

struct EvalOptions {
  std::string receivers = "ls-lin-lmmse,mmse-lmmse,perfect-csi";
  std::string config;
  ReceiverOptions receiver;
  ChannelOptions channel{.channel = "TDL-B100", .domain = "frequency"};
  std::string snr = "0:2:20";
  unsigned prb = 106;
  unsigned alloc_prb = 0;          ///< 0: the whole carrier.
  bool intra_slot_hopping = false; ///< --second-hop-prb given.
  unsigned second_hop_prb = 0;
  unsigned numerology = 1;
  unsigned rx = 4;
  unsigned layers = 1;
  unsigned mcs = 14;
  unsigned mcs_table = 1;
  bool transform_precoding = false;
  bool pi2bpsk = false;
  bool ptrs = false;
  unsigned ptrs_time_density = 1;
  unsigned ptrs_frequency_density = 2;
  unsigned dmrs_additional_position = 1;
  std::uint64_t target_errors = 200;
  std::uint64_t max_slots = 5000;
  std::uint64_t seed = 1;
  unsigned threads = 0;
  unsigned ldpc_iterations = 10;
  bool no_early_stop = false;
  bool ebno = false;
  std::string output;
  std::string command_line;
};

/// ", PRBs S+N" when the allocation is not the whole carrier, then its intra-slot hopping.
std::string eval_allocation_text(const apps::EvaluationConfig& config) {
  const phy::PuschConfig& p = config.pusch;
  std::string text;
  if (p.prb_start != 0 || p.prb_size != config.scenario.cell.num_prbs || p.intra_slot_hopping) {
    text = ", PRBs " + std::to_string(p.prb_start) + "+" + std::to_string(p.prb_size);
  }
  if (p.intra_slot_hopping) {
    text += " hopping to PRB " + std::to_string(p.second_hop_prb_start) + " at symbol " +
            std::to_string(p.second_hop_symbol());
  }
  return text;
}

/// The PUSCH of an eval run: the whole slot from PRB 0 (by default the whole carrier), DMRS type 1
/// with both CDM groups free.
apps::EvaluationConfig make_config(const EvalOptions& o) {
  apps::EvaluationConfig config;
  if (!o.config.empty()) {
    const auto scenario = io::load_slot_scenario(o.config);
    refuse_fapi_only_pusch(std::span(scenario.pusch).first(1), o.config, "airan eval");
    config.scenario.cell = scenario.cell;
    config.pusch = scenario.pusch.front();
    config.scenario.num_rx_antennas = scenario.num_rx_antennas;
  } else {
    auto& cell = config.scenario.cell;
    cell.num_prbs = o.prb;
    cell.numerology = o.numerology;
    cell.n_cell_id = 1;
    cell.num_antenna_ports = o.layers;
    auto& p = config.pusch;
    p.rnti = 0x4601;
    p.bwp_start = 0;
    p.bwp_size = o.prb;
    p.prb_start = 0;
    p.prb_size = o.alloc_prb != 0 ? o.alloc_prb : o.prb;
    p.start_symbol = 0;
    p.num_symbols = 14;
    p.dmrs_additional_position = o.dmrs_additional_position;
    p.num_dmrs_cdm_groups_no_data = 2;
    // Ports 0 .. layers - 1; a layer count beyond the ports is left for validation to report.
    p.dmrs_ports = static_cast<std::uint16_t>(o.layers <= 8 ? (1U << o.layers) - 1U : 0xFFU);
    p.dmrs_scrambling_id = 1;
    p.data_scrambling_id = 1;
    p.num_layers = o.layers;
    p.mcs_index = o.mcs;
    p.mcs_table = phy::mcs_table_from_number(o.mcs_table);
    p.pusch_identity = cell.n_cell_id; // n_ID^RS unconfigured: N_ID^cell (TS 38.211 6.4.1.1.1.2)
    config.scenario.num_rx_antennas = o.rx;
  }
  if (o.transform_precoding) {
    if (const auto error = apps::enable_transform_precoding(config.pusch, o.pi2bpsk);
        !error.empty()) {
      std::string message = "--transform-precoding: ";
      message += error;
      throw std::invalid_argument(message);
    }
  }
  if (o.ptrs) { // on the first layer's DMRS port, resourceElementOffset '00', ptrs-Power '00'
    config.pusch.ptrs.enabled = true;
    config.pusch.ptrs.time_density = o.ptrs_time_density;
    config.pusch.ptrs.frequency_density = o.ptrs_frequency_density;
    config.pusch.ptrs.dmrs_port = config.pusch.dmrs_port_of_layer(0);
  }
  if (o.intra_slot_hopping) { // TS 38.214 6.3.1: the last L - floor(L / 2) symbols from PRB N
    config.pusch.intra_slot_hopping = true;
    config.pusch.second_hop_prb_start = o.second_hop_prb;
  }
  config.pusch.rv = 0;
  config.pusch.new_data_indicator = 1;
  config.scenario.channel = to_channel_spec(o.channel);
  config.receivers = apps::parse_receiver_list(o.receivers);
  const gpu::BackendSelection backend = gpu::select_backend(o.receiver.backend);
  std::cout << "backend: " << backend.reason << '\n';
  for (const auto& spec : config.receivers) {
    ReceiverPlacement placement = place_receiver(spec, o.receiver, backend, config.scenario.cell,
                                                 config.pusch.transform_precoding);
    check_receiver_layers(spec.name, placement, config.pusch.num_layers);
    std::cout << "receiver " << spec.name << ": " << placement.where << '\n';
    config.detectors.push_back(std::move(placement.detector));
    config.ldpc_decoders.push_back(std::move(placement.ldpc));
    config.ulsch_decoders.push_back(std::move(placement.ulsch));
  }
  config.snr_db = apps::parse_snr_list(o.snr);
  config.target_errors = o.target_errors;
  config.max_slots = o.max_slots;
  config.seed = o.seed;
  config.num_threads = o.threads;
  config.ldpc_max_iterations = o.ldpc_iterations;
  config.early_stop = !o.no_early_stop;
  config.snr_is_ebno = o.ebno;
  return config;
}

int run_eval(const EvalOptions& options) {
  const apps::EvaluationConfig config = make_config(options);
  if (const auto problems = apps::validate_evaluation(config); !problems.empty()) {
    std::cerr << "airan eval: invalid configuration:\n" << problems;
    return 2;
  }
  if (!options.output.empty()) { // made now: a bad -o fails before the run, not after it
    std::error_code error;
    std::filesystem::create_directories(options.output, error);
    if (error || !std::filesystem::is_directory(options.output) ||
        ::access(options.output.c_str(), W_OK) != 0) {
      std::cerr << "airan eval: -o " << options.output << ": not a writable directory"
                << (error ? " (" + error.message() + ")" : std::string()) << '\n';
      return 2;
    }
  }
  std::cout << "eval: " << config.scenario.cell.num_prbs << " PRB at "
            << (15U << config.scenario.cell.numerology) << " kHz, "
            << config.scenario.num_rx_antennas << " Rx, " << config.pusch.num_layers << " layer(s)"
            << eval_allocation_text(config) << ", "
            << (config.pusch.transform_precoding ? "DFT-s-OFDM, " : "") << "MCS "
            << config.pusch.mcs_index << " (table " << static_cast<int>(config.pusch.mcs_table)
            << (config.pusch.tp_pi2bpsk ? ", pi/2-BPSK" : "") << ")"
            << (config.pusch.ptrs.enabled
                    ? ", PT-RS L " + std::to_string(config.pusch.ptrs.time_density) + " K " +
                          std::to_string(config.pusch.ptrs.frequency_density)
                    : std::string())
            << ", TBS " << apps::evaluation_tbs(config) << " bits; "
            << config.scenario.channel.describe() << "; " << config.snr_db.size()
            << " SNR points, target " << config.target_errors << " errors, at most "
            << config.max_slots << " slots, seed " << config.seed << '\n';
  ProgressBar bar("eval");
  const auto points = apps::run_evaluation(config, [&](const apps::EvaluationProgress& p) {
    std::ostringstream label;
    label << "SNR " << p.snr_db << " dB (" << p.snr_index + 1 << "/" << p.num_snrs << "), "
          << p.slots_done << " slots";
    bar.update(p.fraction, label.str());
  });
  bar.finish();
  std::cout << apps::format_evaluation_table(config, points);
  if (!options.output.empty()) {
    const auto written =
        apps::write_evaluation_outputs(options.output, options.command_line, config, points);
    std::cout << "wrote";
    for (std::size_t i = 0; i < written.size(); ++i) {
      std::cout << (i == 0 ? " " + options.output + "/" : ", ") << written[i];
    }
    std::cout << (written.size() < 3 ? " (no TB error: no BLER plot)\n" : "\n");
  }
  return 0;
}

} // namespace

Command add_eval_command(CLI::App& parent, const std::string& command_line) {
  auto* app = parent.add_subcommand(
      "eval", "BLER/throughput vs SNR of several receivers over a channel model");
  auto o = std::make_shared<EvalOptions>();
  o->command_line = command_line;
  app->add_option(
         "--receiver", o->receivers,
         "Comma-separated receivers: ls-lin-lmmse, mmse-lmmse, mmse2d-lmmse, mmse-no-ptrs, "
         "mmse-irc, "
         "ls-lin-zf, perfect-csi, perfect-csi-app, neural")
      ->capture_default_str();
  add_receiver_options(*app, o->receiver);
  auto* config = app->add_option("--config", o->config,
                                 "YAML scenario: cell, receive antennas and the first PUSCH "
                                 "replace --prb, --alloc-prb, --numerology, --rx, --layers, "
                                 "--mcs, --mcs-table and --dmrs-additional-position (refused "
                                 "beside it); --transform-precoding, --ptrs and --second-hop-prb "
                                 "still apply on top")
                     ->check(CLI::ExistingFile);
  add_channel_options(*app, o->channel);
  app->add_option("--snr", o->snr, "SNR points in dB: start:step:stop or a comma list")
      ->capture_default_str();
  app->add_flag("--ebno", o->ebno,
                "Read --snr as Eb/N0 (Sionna's ebnodb2no: bits/symbol, code rate, DMRS overhead)");
  app->add_option("--prb", o->prb, "PRBs of the carrier (and BWP)")->capture_default_str();
  app->add_option("--alloc-prb", o->alloc_prb,
                  "PRBs of the allocation, from PRB 0 (0: the whole carrier)")
      ->capture_default_str();
  auto* hop = app->add_option(
      "--second-hop-prb", o->second_hop_prb,
      "Intra-slot frequency hopping (TS 38.214 6.3.1): the last L - floor(L/2) symbols (7 of "
      "14) on PRBs N.. of the BWP, each hop with its own DMRS and channel estimate; needs an "
      "allocation narrower than the BWP (--alloc-prb or --config), single-symbol DMRS, no PT-RS "
      "or UCI, not the neural receiver");
  app->add_option("--numerology", o->numerology, "mu (SCS 15 * 2^mu kHz)")->capture_default_str();
  app->add_option("--rx", o->rx, "Receive antennas")->capture_default_str();
  app->add_option("--layers", o->layers, "MIMO layers (UE antenna ports)")->capture_default_str();
  app->add_option("--mcs", o->mcs, "MCS index")->capture_default_str();
  app->add_option("--mcs-table", o->mcs_table,
                  "MCS table 1 (64QAM), 2 (256QAM), 3 (low SE): TS 38.214 Tables 5.1.3.1-1..3; "
                  "4, 5: Tables 6.1.4.1-1, -2 (transform precoding; what 1 and 3 become with "
                  "--transform-precoding)")
      ->capture_default_str()
      ->check(CLI::Range(1, 5));
  auto* tp = app->add_flag("--transform-precoding", o->transform_precoding,
                           "DFT-s-OFDM PUSCH: 1 layer, 2 DMRS CDM groups without data, --prb "
                           "2^a 3^b 5^c (e.g. 100), MCS tables 1 and 3 read as TS 38.214 Tables "
                           "6.1.4.1-1 and -2");
  app->add_flag("--pi2bpsk", o->pi2bpsk,
                "tp-pi2BPSK: MCS 0 and 1 of Table 6.1.4.1-1 (0 to 5 of -2) are pi/2-BPSK")
      ->needs(tp);
  auto* ptrs = app->add_flag("--ptrs", o->ptrs,
                             "PT-RS (phase tracking) on the first layer's DMRS port: CP-OFDM only; "
                             "receivers track the phase with it except mmse-no-ptrs");
  app->add_option("--ptrs-time-density", o->ptrs_time_density, "L_PT-RS: 1, 2 or 4 symbols")
      ->capture_default_str()
      ->check(CLI::IsMember({1, 2, 4}))
      ->needs(ptrs);
  app->add_option("--ptrs-frequency-density", o->ptrs_frequency_density, "K_PT-RS: 2 or 4 PRBs")
      ->capture_default_str()
      ->check(CLI::IsMember({2, 4}))
      ->needs(ptrs);
  app->add_option("--dmrs-additional-position", o->dmrs_additional_position,
                  "DMRS additional positions 0..3")
      ->capture_default_str();
  for (const char* replaced : {"--prb", "--alloc-prb", "--numerology", "--rx", "--layers", "--mcs",
                               "--mcs-table", "--dmrs-additional-position"}) {
    config->excludes(app->get_option(replaced)); // ignored silently before
  }
  app->add_option("--target-errors", o->target_errors, "TB errors per point and receiver")
      ->capture_default_str();
  app->add_option("--max-slots", o->max_slots, "Slots per point at most")->capture_default_str();
  app->add_option("--seed", o->seed, "Seed (same seed, same numbers)")->capture_default_str();
  app->add_option("--threads", o->threads, "Threads (0: every core)")->capture_default_str();
  app->add_option("--ldpc-iterations", o->ldpc_iterations, "LDPC iterations at most")
      ->capture_default_str();
  app->add_flag("--no-early-stop", o->no_early_stop,
                "Simulate every SNR point, even after one without errors");
  app->add_option("-o,--output", o->output, "Directory for bler.csv, bler.json and bler.png");
  return {app, [o, hop] {
            o->intra_slot_hopping = hop->count() > 0;
            return run_eval(*o);
          }};
}

} // namespace airan::cli
