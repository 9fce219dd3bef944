// `airan pucch-eval`: PUCCH performance (formats 0 to 4) against SNR the way TS 38.104 clause 8.3
// states it (ACK missed detection, NACK to ACK, DTX to ACK, UCI block error), with a table on
// stdout and a CSV file.
#include "airan/apps/evaluation_report.h"
#include "airan/apps/pucch_evaluation.h"
#include "channel_options.h"
#include "commands.h"
#include "progress_bar.h"

#include <array>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

namespace airan::cli {
namespace {

/// TS 38.104 8.3's propagation condition TDLC300-100 Low, per RE (fast).
ChannelOptions default_channel() {
  ChannelOptions channel;
  channel.channel = "TDL-C300";
  channel.doppler_hz = 100.0;
  channel.correlation = "low";
  channel.domain = "frequency";
  return channel;
}

struct PucchEvalOptions {
  ChannelOptions channel = default_channel();
  unsigned format = 1;
  unsigned prb = 106;
  unsigned numerology = 0;
  unsigned rx = 2;
  unsigned start_prb = 0;
  unsigned pucch_prbs = 1;
  unsigned symbols = 0;      ///< 0 until defaulted: 2, 14, 2, 14, 14 for formats 0 to 4.
  unsigned start_symbol = 0; ///< Defaulted: the slot's last symbols (formats 0, 2), else 0.
  bool hopping = false;
  unsigned second_hop_prb = 0; ///< Defaulted: the carrier's last PRBs.
  /// With SR and CSI defaulted when none is given: HARQ-ACK 1, 2, 4 (formats 0, 1, 2); CSI part 1
  /// 16, 22 (formats 3, 4: the payloads of TS 38.104 8.3.5 and 8.3.6).
  unsigned harq_bits = 0;
  unsigned sr_bits = 0;
  unsigned csi_bits = 0;
  std::string harq = "random";
  unsigned initial_cyclic_shift = 0;
  unsigned occ = 0;
  bool pi2_bpsk = false;
  bool additional_dmrs = false;
  unsigned pre_dft_occ_length = 2;
  unsigned pre_dft_occ_index = 0;
  unsigned hopping_id = 0;
  std::string snr = "-8:2:10";
  std::uint64_t slots = 1000;
  std::uint64_t dtx_slots = 0; ///< Defaulted: slots.
  std::uint64_t seed = 1;
  unsigned threads = 0;
  std::string csv;
};

/// Which of the options with per-format defaults the user gave.
struct GivenOptions {
  bool symbols = false;
  bool start_symbol = false;
  bool second_hop_prb = false;
  bool payload = false;
  bool dtx_slots = false;
};

/// Fills the options the user left to the format: symbols, first symbol, payload, second hop.
void apply_format_defaults(PucchEvalOptions& o, const GivenOptions& given) {
  constexpr std::array<unsigned, 5> default_symbols = {2, 14, 2, 14, 14};
  constexpr std::array<unsigned, 5> default_harq_bits = {1, 2, 4, 0, 0};
  constexpr std::array<unsigned, 5> default_csi_bits = {0, 0, 0, 16, 22};
  constexpr unsigned slot_symbols = 14;
  const unsigned f = o.format < default_symbols.size() ? o.format : 0; // a bad format is refused
  const bool short_format = f == 0 || f == 2;                          // at the end of the slot
  if (!given.symbols) {
    o.symbols = default_symbols[f];
  }
  if (!given.start_symbol) {
    o.start_symbol = !short_format || o.symbols > slot_symbols ? 0 : slot_symbols - o.symbols;
  }
  if (!given.payload) {
    o.harq_bits = default_harq_bits[f];
    o.csi_bits = default_csi_bits[f];
  }
  if (given.second_hop_prb) {
    o.hopping = true;
  } else if (o.hopping) {
    o.second_hop_prb = o.prb >= o.pucch_prbs ? o.prb - o.pucch_prbs : 0;
  }
  if (!given.dtx_slots) {
    o.dtx_slots = o.slots;
  }
}

apps::PucchEvaluationConfig make_pucch_config(const PucchEvalOptions& o) {
  apps::PucchEvaluationConfig config;
  phy::CellConfig& cell = config.scenario.cell;
  cell.num_prbs = o.prb;
  cell.numerology = o.numerology;
  cell.n_cell_id = static_cast<std::uint16_t>(o.hopping_id % 1008); // nIdPucchHopping reaches 1023
  cell.num_antenna_ports = 1;
  config.scenario.num_rx_antennas = o.rx;
  config.scenario.channel = to_channel_spec(o.channel);
  phy::PucchConfig& p = config.pucch;
  p.rnti = 0x4601;
  p.format = static_cast<phy::PucchFormat>(o.format);
  p.bwp_size = o.prb;
  p.prb_start = o.start_prb;
  p.num_prbs = o.pucch_prbs;
  p.start_symbol = o.start_symbol;
  p.num_symbols = o.symbols;
  p.intra_slot_hopping = o.hopping;
  p.second_hop_prb = o.second_hop_prb;
  p.hopping_id = static_cast<std::uint16_t>(o.hopping_id);
  p.initial_cyclic_shift = o.initial_cyclic_shift;
  p.time_domain_occ = o.occ;
  p.pi2_bpsk = o.pi2_bpsk;
  p.additional_dmrs = o.additional_dmrs;
  p.pre_dft_occ_length = o.pre_dft_occ_length;
  p.pre_dft_occ_index = o.pre_dft_occ_index;
  p.scrambling_id = static_cast<std::uint16_t>(o.hopping_id);
  p.dmrs_scrambling_id = static_cast<std::uint16_t>(o.hopping_id);
  p.harq_bits = o.harq_bits;
  p.sr_bits = o.sr_bits;
  p.csi_part1_bits = o.csi_bits;
  config.harq = apps::parse_harq_payload(o.harq);
  config.snr_db = apps::parse_snr_list(o.snr);
  config.slots = o.slots;
  config.dtx_slots = o.dtx_slots;
  config.seed = o.seed;
  config.num_threads = o.threads;
  return config;
}

int run_pucch_eval(const PucchEvalOptions& options) {
  const apps::PucchEvaluationConfig config = make_pucch_config(options);
  if (const auto problems = apps::validate_pucch_evaluation(config); !problems.empty()) {
    std::cerr << "airan pucch-eval: invalid configuration:\n" << problems;
    return 2;
  }
  if (const std::string problem = options.csv.empty() ? "" : unwritable_output(options.csv);
      !problem.empty()) {
    std::cerr << "airan pucch-eval: --csv: " << problem << '\n';
    return 2;
  }
  std::cout << "pucch-eval: " << apps::describe_pucch_evaluation(config) << '\n';
  ProgressBar bar("pucch-eval");
  const auto points =
      apps::run_pucch_evaluation(config, [&](const apps::PucchEvaluationProgress& p) {
        std::ostringstream label;
        label << "SNR " << p.snr_db << " dB (" << p.snr_index + 1 << "/" << p.num_snrs << ")";
        bar.update(p.fraction, label.str());
      });
  bar.finish();
  std::cout << apps::format_pucch_evaluation_table(points);
  if (!options.csv.empty()) {
    std::ofstream file(options.csv);
    file << apps::format_pucch_evaluation_csv(points);
    if (!file) {
      throw std::runtime_error("cannot write " + options.csv);
    }
    std::cout << "wrote " << options.csv << '\n';
  }
  return 0;
}

void add_pucch_options(CLI::App& app, PucchEvalOptions& o) {
  app.add_option("--format", o.format, "PUCCH format 0 .. 4")->capture_default_str();
  app.add_option("--start-prb", o.start_prb, "First PRB of the PUCCH")->capture_default_str();
  app.add_option("--pucch-prbs", o.pucch_prbs,
                 "PRBs of the PUCCH (format 2: 1..16; format 3: 2^a 3^b 5^c up to 16; else 1)")
      ->capture_default_str();
  app.add_option("--symbols", o.symbols,
                 "OFDM symbols (default 2, 14, 2, 14, 14 for formats 0, 1, 2, 3, 4)");
  app.add_option("--start-symbol", o.start_symbol,
                 "First symbol (default: the slot's last symbols for formats 0 and 2, else 0)");
  app.add_flag("--hopping", o.hopping,
               "Intra-slot frequency hopping to the carrier's last PRBs (TS 38.104 8.3)");
  app.add_option("--second-hop-prb", o.second_hop_prb,
                 "First PRB of the second hop (implies --hopping)");
  app.add_option("--harq-bits", o.harq_bits,
                 "HARQ-ACK bits (default when no payload option is given: 1, 2, 4 for formats "
                 "0, 1, 2; none for formats 3, 4)");
  app.add_option("--sr-bits", o.sr_bits,
                 "SR bits: an SR occasion (formats 0, 1: 0 or 1) or 0..4 payload bits (formats "
                 "2-4)");
  app.add_option("--csi-bits", o.csi_bits,
                 "CSI part 1 bits (formats 2-4; default when no payload option is given: 16, 22 "
                 "for formats 3, 4)");
  app.add_option("--harq", o.harq,
                 "HARQ-ACK values sent: random (each bit ACK or NACK), ack or nack")
      ->capture_default_str();
  app.add_option("--initial-cyclic-shift", o.initial_cyclic_shift, "m_0, formats 0 and 1")
      ->capture_default_str();
  app.add_option("--occ", o.occ, "Time-domain OCC index, format 1")->capture_default_str();
  app.add_flag("--pi2-bpsk", o.pi2_bpsk, "pi/2-BPSK instead of QPSK (formats 3, 4)");
  app.add_flag("--additional-dmrs", o.additional_dmrs,
               "4 DMRS symbols from 10 symbols on (formats 3, 4)");
  app.add_option("--pre-dft-occ-length", o.pre_dft_occ_length,
                 "Pre-DFT cover length N_SF, 2 or 4 (format 4)")
      ->capture_default_str();
  app.add_option("--pre-dft-occ-index", o.pre_dft_occ_index,
                 "Pre-DFT cover index, 0 .. N_SF - 1 (format 4)")
      ->capture_default_str();
  app.add_option("--hopping-id", o.hopping_id,
                 "n_ID of the sequences, the scrambling and the DMRS, 0 .. 1023 (the cell ID is "
                 "it mod 1008)")
      ->check(CLI::Range(0U, 1023U))
      ->capture_default_str();
}

} // namespace

Command add_pucch_eval_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "pucch-eval",
      "PUCCH format 0-4 ACK missed, NACK->ACK, DTX->ACK and UCI BLER vs SNR (TS 38.104 8.3)");
  auto o = std::make_shared<PucchEvalOptions>();
  add_pucch_options(*app, *o);
  app->add_option("--prb", o->prb, "PRBs of the carrier (and BWP)")->capture_default_str();
  app->add_option("--numerology", o->numerology, "mu (SCS 15 * 2^mu kHz)")->capture_default_str();
  app->add_option("--rx", o->rx, "Receive antennas")->capture_default_str();
  add_channel_options(*app, o->channel);
  app->add_option("--snr", o->snr, "SNR points in dB per RE: start:step:stop or a comma list")
      ->capture_default_str();
  app->add_option("--slots", o->slots, "Slots carrying the PUCCH per SNR point")
      ->capture_default_str();
  app->add_option("--dtx-slots", o->dtx_slots,
                  "Noise-only slots per SNR point for DTX->ACK (default: --slots)");
  app->add_option("--seed", o->seed, "Seed (same seed, same numbers)")->capture_default_str();
  app->add_option("--threads", o->threads, "Threads (0: every core)")->capture_default_str();
  app->add_option("--csv", o->csv, "CSV file of every point's counts");
  return {app, [o, app] {
            const GivenOptions given{
                app->count("--symbols") > 0, app->count("--start-symbol") > 0,
                app->count("--second-hop-prb") > 0,
                app->count("--harq-bits") + app->count("--sr-bits") + app->count("--csi-bits") > 0,
                app->count("--dtx-slots") > 0};
            apply_format_defaults(*o, given);
            drop_fading_defaults_for_awgn(*app, o->channel);
            return run_pucch_eval(*o);
          }};
}

} // namespace airan::cli
