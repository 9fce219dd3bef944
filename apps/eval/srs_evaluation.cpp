/// \file
/// \brief run_srs_evaluation(): SRS slots through SlotSimulator and SrsEstimator, each scored
/// against the truth of apps/srs_evaluation.h; the configuration checks.
#include "airan/apps/srs_evaluation.h"

#include "airan/apps/bler_evaluation.h"
#include "airan/io/fapi_indication_conversion.h"
#include "airan/phy/cdl_channel.h"
#include "airan/phy/snr_definition.h"
#include "airan/phy/srs_estimator.h"
#include "airan/phy/tdl_profile.h"
#include "airan/phy/thread_pool.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <memory>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace airan::apps {
namespace {

// Streams of derive_seed(seed, slot, stream): one per kind of random numbers.
constexpr std::uint64_t srs_eval_channel_stream = 1;
constexpr std::uint64_t srs_eval_noise_stream = 2;
constexpr unsigned srs_eval_frames_per_hyperframe = 1024;

bool srs_eval_is_awgn(const ChannelSpec& channel) {
  return canonical_channel_model(channel.model) == "awgn";
}

/// The scenario the simulator runs: a TDL or CDL model delays the UE by its timing offset.
LinkScenario srs_eval_delayed_scenario(const SrsEvaluationConfig& config) {
  LinkScenario scenario = config.scenario;
  if (!srs_eval_is_awgn(scenario.channel)) {
    scenario.channel.timing_offset_s = config.delay_s;
  }
  return scenario;
}

/// Absolute slot of SRS occasion \p occasion: every slot for an aperiodic SRS, else one per T_SRS
/// from T_offset.
std::uint64_t srs_eval_occasion_slot(const phy::SrsConfig& srs, std::uint64_t occasion) {
  if (srs.resource_type == phy::SrsResourceType::aperiodic) {
    return occasion;
  }
  return srs.slot_offset + occasion * srs.periodicity;
}

/// One thread's simulator, estimator and truth buffers.
struct SrsEvalWorker {
  explicit SrsEvalWorker(const SrsEvaluationConfig& config)
      : simulator(srs_eval_delayed_scenario(config)),
        estimator(config.scenario.cell, config.scenario.num_rx_antennas),
        sent(config.scenario.cell.num_antenna_ports, simulator.received_grid().num_symbols(),
             simulator.received_grid().num_subcarriers()),
        fading(!srs_eval_is_awgn(config.scenario.channel)) {
    const unsigned subcarriers = sent.num_subcarriers();
    if (!fading && config.delay_s != 0.0) {
      delayed = phy::ResourceGrid(config.scenario.num_rx_antennas, sent.num_symbols(), subcarriers);
      const double spacing = phy::subcarrier_spacing_hz(config.scenario.cell.numerology);
      delay_ramp.resize(subcarriers);
      for (unsigned k = 0; k < subcarriers; ++k) {
        const double frequency = (double(k) - double(subcarriers) / 2.0) * spacing;
        delay_ramp[k] = std::polar(
            1.0F, static_cast<float>(-2.0 * std::numbers::pi * frequency * config.delay_s));
      }
    }
    const std::size_t prbs = config.srs.bwp_size;
    const std::size_t ports = config.srs.num_ports;
    prb_truth.resize(std::size_t{config.scenario.num_rx_antennas} * ports * prbs);
    prb_res.resize(ports * prbs);
  }
  SlotSimulator simulator;
  phy::SrsEstimator estimator;
  phy::SrsEstimatorResult result;
  phy::ResourceGrid sent; ///< x_p: the SRS as write_srs() puts it, port p on grid port p.
  bool fading;            ///< A TDL or CDL model (else awgn: the fixed channel).
  /// awgn with a delay: exp(-j 2 pi f_k delay) per subcarrier, and the received grid times it.
  std::vector<phy::cf32> delay_ramp;
  phy::ResourceGrid delayed;
  std::vector<std::complex<double>> prb_truth; ///< Mean H, [rx][port][PRB of the BWP].
  std::vector<unsigned> prb_res;               ///< SRS REs, [port][PRB of the BWP].
};

/// The true channel of the slot at rx \p r, port \p p, symbol \p l (the UE's delay included).
phy::cf32 srs_eval_true_gain(const SrsEvalWorker& worker, unsigned r, unsigned p, unsigned l,
                             unsigned k) {
  const phy::cf32 h = worker.simulator.true_channel().at(r, p, l)[k];
  return worker.delay_ramp.empty() ? h : h * worker.delay_ramp[k];
}

/// S of the file comment: mean |sum_p H_rp x_p|^2 over the SRS REs and receive antennas.
double srs_eval_true_signal_power(const SrsEvaluationConfig& config, const SrsEvalWorker& worker) {
  const phy::SrsConfig& srs = config.srs;
  const phy::ResourceGrid& sent = worker.sent;
  double power = 0.0;
  std::uint64_t res = 0;
  for (unsigned l = srs.start_symbol; l < srs.start_symbol + srs.num_symbols; ++l) {
    for (unsigned k = 0; k < sent.num_subcarriers(); ++k) {
      bool on_srs = false;
      for (unsigned p = 0; p < srs.num_ports; ++p) {
        on_srs = on_srs || sent.port(p)[std::size_t{l} * sent.num_subcarriers() + k] != phy::cf32{};
      }
      if (!on_srs) {
        continue;
      }
      ++res;
      for (unsigned r = 0; r < config.scenario.num_rx_antennas; ++r) {
        std::complex<double> y(0.0, 0.0);
        for (unsigned p = 0; p < srs.num_ports; ++p) {
          const phy::cf32 x = sent.port(p)[std::size_t{l} * sent.num_subcarriers() + k];
          y += std::complex<double>(srs_eval_true_gain(worker, r, p, l, k) * x);
        }
        power += std::norm(y);
      }
    }
  }
  return res == 0 ? 0.0 : power / (double(res) * config.scenario.num_rx_antennas);
}

/// Sums H over each port's SRS REs per PRB of the BWP into the worker's prb_truth / prb_res.
void srs_eval_sum_prb_truth(const SrsEvaluationConfig& config, SrsEvalWorker& worker) {
  const phy::SrsConfig& srs = config.srs;
  const unsigned prbs = srs.bwp_size;
  const unsigned subcarriers = worker.sent.num_subcarriers();
  std::ranges::fill(worker.prb_truth, std::complex<double>(0.0, 0.0));
  std::ranges::fill(worker.prb_res, 0U);
  for (unsigned p = 0; p < srs.num_ports; ++p) {
    const auto x = worker.sent.port(p);
    for (unsigned l = srs.start_symbol; l < srs.start_symbol + srs.num_symbols; ++l) {
      for (unsigned k = 0; k < subcarriers; ++k) {
        if (x[std::size_t{l} * subcarriers + k] == phy::cf32{}) {
          continue;
        }
        const unsigned prb = config.scenario.cell.grid_start_crb + k / 12 - srs.bwp_start;
        ++worker.prb_res[std::size_t{p} * prbs + prb];
        for (unsigned r = 0; r < config.scenario.num_rx_antennas; ++r) {
          worker.prb_truth[(std::size_t{r} * srs.num_ports + p) * prbs + prb] +=
              std::complex<double>(srs_eval_true_gain(worker, r, p, l, k));
        }
      }
    }
  }
}

/// The slot's NMSE of the estimated per-PRB channel against the mean true channel.
double srs_eval_channel_nmse(const SrsEvaluationConfig& config, SrsEvalWorker& worker) {
  srs_eval_sum_prb_truth(config, worker);
  const unsigned prbs = config.srs.bwp_size;
  double error = 0.0;
  double power = 0.0;
  for (unsigned r = 0; r < config.scenario.num_rx_antennas; ++r) {
    for (unsigned p = 0; p < config.srs.num_ports; ++p) {
      for (unsigned prb = 0; prb < prbs; ++prb) {
        const unsigned res = worker.prb_res[std::size_t{p} * prbs + prb];
        if (res == 0) {
          continue;
        }
        const std::complex<double> truth =
            worker.prb_truth[(std::size_t{r} * config.srs.num_ports + p) * prbs + prb] /
            double(res);
        error += std::norm(std::complex<double>(worker.result.channel_at(r, p, prb)) - truth);
        power += std::norm(truth);
      }
    }
  }
  return power > 0.0 ? error / power : 0.0;
}

/// Simulates, estimates and scores SRS slot \p slot at noise variance \p noise.
void srs_eval_run_slot(const SrsEvaluationConfig& config, SrsEvalWorker& worker, std::uint64_t slot,
                       float noise, SrsEvaluationPoint& point) {
  SlotSimulator& sim = worker.simulator;
  const std::uint64_t absolute = srs_eval_occasion_slot(config.srs, slot);
  const unsigned sfn = static_cast<unsigned>(absolute / sim.numerology().slots_per_frame() %
                                             srs_eval_frames_per_hyperframe);
  sim.reseed_channel(derive_seed(config.seed, slot, srs_eval_channel_stream));
  sim.simulate_srs(std::span(&config.srs, 1), absolute, sfn,
                   derive_seed(config.seed, slot, srs_eval_noise_stream), noise);
  const phy::ResourceGrid* received = &sim.received_grid();
  if (!worker.delay_ramp.empty()) {
    const auto from = received->elements();
    const auto to = worker.delayed.elements();
    const std::size_t subcarriers = worker.delay_ramp.size();
    for (std::size_t e = 0; e < to.size(); ++e) {
      to[e] = from[e] * worker.delay_ramp[e % subcarriers];
    }
    received = &worker.delayed;
  }
  worker.estimator.process(*received, sfn, sim.slot_number(), config.srs, worker.result);
  if (!worker.result.error.empty()) {
    throw std::runtime_error("the SRS estimator refused the SRS: " + worker.result.error);
  }
  worker.sent.fill_zero();
  phy::write_srs(config.scenario.cell, sfn, sim.slot_number(), config.srs, worker.sent);

  const double true_snr_db = 10.0 * std::log10(srs_eval_true_signal_power(config, worker) / noise);
  const double snr_error = double(worker.result.wideband_snr_db) - true_snr_db;
  const double timing_error = double(worker.result.delay_s) - config.delay_s;
  const unsigned mu = config.scenario.cell.numerology;
  point.slots = 1;
  point.true_snr_sum_db = true_snr_db;
  point.snr_error_sum_db = snr_error;
  point.snr_error_square_sum_db2 = snr_error * snr_error;
  point.timing_error_sum_s = timing_error;
  point.timing_error_square_sum_s2 = timing_error * timing_error;
  point.timing_advance_matches = io::fapi_timing_advance_from_delay(worker.result.delay_s, mu) ==
                                         io::fapi_timing_advance_from_delay(config.delay_s, mu)
                                     ? 1
                                     : 0;
  point.channel_nmse_sum = srs_eval_channel_nmse(config, worker);
}

std::string srs_eval_validate_snr_points(const std::vector<double>& snr_db) {
  std::string problems;
  if (snr_db.empty()) {
    problems += "no SNR point\n";
  }
  if (std::ranges::any_of(
          snr_db, [](double snr) { return !std::isfinite(snr) || std::abs(snr) > 100.0; })) {
    problems += "SNR points must be finite and within +-100 dB\n";
  }
  if (std::ranges::adjacent_find(snr_db, std::greater_equal<>()) != snr_db.end()) {
    problems += "SNR points must rise strictly\n";
  }
  return problems;
}

/// The SRS against the cell and the UE, and the UE's delay against the SRS's timing range.
std::string srs_eval_validate_srs_and_delay(const SrsEvaluationConfig& config) {
  const phy::CellConfig& cell = config.scenario.cell;
  if (const std::string error = config.srs.validate(cell); !error.empty()) {
    return "SRS: " + error + "\n";
  }
  std::string problems;
  if (config.srs.num_ports > cell.num_antenna_ports) {
    problems += "the SRS has " + std::to_string(config.srs.num_ports) + " ports but the UE only " +
                std::to_string(cell.num_antenna_ports) + " antenna ports\n";
  }
  const double range = srs_unambiguous_delay_s(config.srs, cell);
  if (!std::isfinite(config.delay_s) || std::abs(config.delay_s) >= range) {
    std::ostringstream text;
    text << "UE delay " << config.delay_s * 1e9 << " ns is outside +-" << range * 1e9
         << " ns, where the SRS's timing estimate is unambiguous (1 / (2 K_TC P delta_f), P "
            "ports per comb)\n";
    problems += text.str();
  }
  return problems;
}

} // namespace

double SrsEvaluationPoint::mean_true_snr_db() const {
  return slots == 0 ? 0.0 : true_snr_sum_db / double(slots);
}

double SrsEvaluationPoint::mean_snr_error_db() const {
  return slots == 0 ? 0.0 : snr_error_sum_db / double(slots);
}

double SrsEvaluationPoint::rms_snr_error_db() const {
  return slots == 0 ? 0.0 : std::sqrt(snr_error_square_sum_db2 / double(slots));
}

double SrsEvaluationPoint::mean_timing_error_s() const {
  return slots == 0 ? 0.0 : timing_error_sum_s / double(slots);
}

double SrsEvaluationPoint::rms_timing_error_s() const {
  return slots == 0 ? 0.0 : std::sqrt(timing_error_square_sum_s2 / double(slots));
}

double SrsEvaluationPoint::timing_advance_share() const {
  return slots == 0 ? 0.0 : double(timing_advance_matches) / double(slots);
}

double SrsEvaluationPoint::channel_nmse_db() const {
  return slots == 0 ? 0.0 : 10.0 * std::log10(channel_nmse_sum / double(slots));
}

SrsEvaluationPoint& SrsEvaluationPoint::operator+=(const SrsEvaluationPoint& other) {
  slots += other.slots;
  true_snr_sum_db += other.true_snr_sum_db;
  snr_error_sum_db += other.snr_error_sum_db;
  snr_error_square_sum_db2 += other.snr_error_square_sum_db2;
  timing_error_sum_s += other.timing_error_sum_s;
  timing_error_square_sum_s2 += other.timing_error_square_sum_s2;
  timing_advance_matches += other.timing_advance_matches;
  channel_nmse_sum += other.channel_nmse_sum;
  return *this;
}

double srs_unambiguous_delay_s(const phy::SrsConfig& srs, const phy::CellConfig& cell) {
  unsigned ports_per_comb = 0;
  for (unsigned p = 0; p < srs.num_ports; ++p) {
    ports_per_comb += srs.port_comb(p) == srs.port_comb(0) ? 1 : 0;
  }
  return 1.0 / (2.0 * srs.comb_size * ports_per_comb * phy::subcarrier_spacing_hz(cell.numerology));
}

double channel_mean_delay_s(const ChannelSpec& channel) {
  if (srs_eval_is_awgn(channel)) {
    return 0.0;
  }
  if (phy::names_cdl_family(channel.model)) {
    phy::CdlChannelSpec cdl;
    cdl.model = channel.model;
    cdl.delay_spread_s = channel.delay_spread_s;
    return phy::mean_delay_s(phy::make_cdl_profile(cdl));
  }
  return phy::mean_delay_s(phy::make_tdl_profile(channel.model, channel.delay_spread_s));
}

std::string validate_srs_evaluation(const SrsEvaluationConfig& config) {
  std::string problems = validate_link(srs_eval_delayed_scenario(config), {});
  if (config.scenario.channel.timing_offset_s != 0.0) {
    problems += "the channel's timing offset must be 0: the UE's delay is delay_s\n";
  }
  if (problems.empty()) {
    problems += srs_eval_validate_srs_and_delay(config);
  }
  problems += srs_eval_validate_snr_points(config.snr_db);
  if (config.slots == 0) {
    problems += "SRS slots per point must be positive\n";
  }
  if (config.num_threads > max_evaluation_threads) {
    problems += "threads: at most " + std::to_string(max_evaluation_threads) + "\n";
  }
  return problems;
}

std::vector<SrsEvaluationPoint>
run_srs_evaluation(const SrsEvaluationConfig& config,
                   const std::function<void(const SrsEvaluationProgress&)>& progress) {
  if (const std::string problems = validate_srs_evaluation(config); !problems.empty()) {
    throw std::invalid_argument(problems);
  }
  const unsigned threads = config.num_threads != 0
                               ? config.num_threads
                               : std::max(1U, std::thread::hardware_concurrency());
  phy::ThreadPool pool(threads - 1);
  std::vector<std::unique_ptr<SrsEvalWorker>> workers;
  for (unsigned lane = 0; lane < pool.num_lanes(); ++lane) {
    workers.push_back(std::make_unique<SrsEvalWorker>(config));
  }
  const std::size_t batch = std::max<std::size_t>(64, std::size_t{16} * pool.num_lanes());
  std::vector<SrsEvaluationPoint> slot_results(batch);
  std::vector<SrsEvaluationPoint> points;
  for (std::size_t i = 0; i < config.snr_db.size(); ++i) {
    const float noise = phy::noise_variance_from_snr_db(config.snr_db[i]);
    SrsEvaluationPoint point;
    point.snr_db = config.snr_db[i];
    for (std::uint64_t next = 0; next < config.slots;) {
      const std::size_t count = std::min<std::uint64_t>(batch, config.slots - next);
      pool.parallel_for(count, [&](std::size_t item, unsigned lane) {
        slot_results[item] = SrsEvaluationPoint{};
        srs_eval_run_slot(config, *workers[lane], next + item, noise, slot_results[item]);
      });
      for (std::size_t item = 0; item < count; ++item) { // in order: sums independent of threads
        point += slot_results[item];
      }
      next += count;
      if (progress) {
        const double fraction =
            (double(i) + double(next) / double(config.slots)) / double(config.snr_db.size());
        progress({i, config.snr_db.size(), config.snr_db[i], fraction});
      }
    }
    points.push_back(point);
  }
  return points;
}

} // namespace airan::apps
