/// \file
/// \brief `airan prach-eval`'s sweep: detection and noise-only PRACH occasions per SNR point.
#include "airan/apps/prach_evaluation.h"

#include "airan/apps/bler_evaluation.h"
#include "airan/apps/link_simulation.h"
#include "airan/phy/thread_pool.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace airan::apps {
namespace {

// Streams of derive_seed(seed, occasion, stream): one per kind of random numbers.
constexpr std::uint64_t prach_channel_stream = 1;
constexpr std::uint64_t prach_delay_stream = 2;
constexpr std::uint64_t prach_noise_stream = 3;
/// Noise-only occasions: 4 on AWGN, 5 on TDLC300-100, so that runs on the two channels (pooled in
/// docs/EVALUATION.md) do not share them.
constexpr std::uint64_t prach_false_alarm_stream = 4;

/// TS 38.141-1 8.4.1.4.2: the delay steps by 0.1 us, over 10 steps (long formats) or 9 (short).
constexpr double prach_delay_step_s = 0.1e-6;

/// Duration of one lag of the preamble's correlation, 1 / (L_RA * PRACH spacing), seconds.
double prach_lag_s(const phy::PrachConfig& prach) {
  const auto& info = phy::prach_format_info(prach.format);
  return 1.0 / (static_cast<double>(info.sequence_length) *
                static_cast<double>(phy::prach_subcarrier_spacing_hz(prach)));
}

/// The layout of a valid link's occasion.
phy::PrachOccasionLayout prach_eval_layout(const PrachLinkConfig& link) {
  const auto numerology =
      phy::Numerology::for_carrier(link.numerology, phy::CyclicPrefix::normal, link.num_prbs);
  return phy::prach_occasion_layout(link.prach, numerology, link.num_prbs, 0);
}

/// Longest delay a preamble may arrive with and stay in its own window: N_CS lags (the whole CP
/// when N_CS is 0), and never more than the CP.
double prach_window_s(const PrachLinkConfig& link) {
  const phy::PrachOccasionLayout layout = prach_eval_layout(link);
  const double cp_s = layout.cyclic_prefix / layout.sample_rate_hz;
  const unsigned ncs = link.prach.cyclic_shift_length;
  return ncs == 0 ? cp_s : std::min(cp_s, ncs * prach_lag_s(link.prach));
}

/// Delay spread of the channel model (its last tap), seconds.
double prach_channel_spread_s(PrachChannelModel model) {
  if (model == PrachChannelModel::awgn) {
    return 0.0;
  }
  double spread = 0.0;
  for (const auto& tap : phy::make_tdl_profile("TDL-C300").taps) {
    spread = std::max(spread, tap.delay_s);
  }
  return spread;
}

/// One thread's simulator.
struct PrachWorker {
  explicit PrachWorker(const PrachEvaluationConfig& config) : simulator(config.link) {}
  PrachLinkSimulator simulator;
};

/// Item \p item of SNR point \p point: detection occasion item, or noise-only occasion item -
/// trials.
void run_prach_item(const PrachEvaluationConfig& config, PrachWorker& worker, std::uint64_t item,
                    std::uint64_t point, float noise, double tolerance_s,
                    PrachEvaluationPoint& counts) {
  PrachOccasionInput input;
  input.noise_variance = noise;
  if (item < config.trials) {
    input.preamble = config.preamble_index;
    input.delay_s = prach_evaluation_delay_s(config, item);
    input.channel_seed = derive_seed(config.seed, item, prach_channel_stream);
    input.noise_seed = derive_seed(config.seed, item, prach_noise_stream);
    score_prach_detection(worker.simulator.run_occasion(input), config.preamble_index,
                          input.delay_s, tolerance_s, counts);
    return;
  }
  const std::uint64_t occasion = item - config.trials;
  const std::uint64_t stream =
      prach_false_alarm_stream + (config.link.channel == PrachChannelModel::awgn ? 0 : 1);
  input.noise_seed = derive_seed(config.seed, occasion, stream, point);
  ++counts.false_alarm_trials;
  counts.false_alarms += worker.simulator.run_occasion(input).preambles.empty() ? 0 : 1;
}

std::string validate_prach_snr_points(const std::vector<double>& snr_db) {
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

/// The delay and tolerance checks of a configuration whose link is valid.
std::string validate_prach_timing(const PrachEvaluationConfig& config) {
  std::string problems;
  if (config.delay_mode == PrachDelayMode::fixed) {
    const double window = prach_window_s(config.link);
    if (!std::isfinite(config.delay_s) || config.delay_s < 0.0 || config.delay_s > window) {
      std::ostringstream text;
      text << "delay " << config.delay_s * 1e6 << " us is outside the zero-correlation window [0, "
           << window * 1e6 << "] us\n";
      problems += text.str();
    }
  }
  const double tolerance = config.time_error_tolerance_s;
  if (!std::isfinite(tolerance) || tolerance < 0.0 || tolerance > 1e-3) {
    problems += "the time error tolerance must be in (0, 1 ms] (0: the standard's)\n";
  }
  return problems;
}

} // namespace

void score_prach_detection(const phy::PrachDetectionResult& result, unsigned sent, double delay_s,
                           double tolerance_s, PrachEvaluationPoint& counts) {
  ++counts.trials;
  const phy::PrachDetectedPreamble* sent_preamble = nullptr;
  bool other = false;
  for (const auto& preamble : result.preambles) {
    if (preamble.index == sent && sent_preamble == nullptr) {
      sent_preamble = &preamble;
    } else {
      other = true;
    }
  }
  if (sent_preamble == nullptr) {
    ++counts.missed;
    return;
  }
  const double error = std::abs(sent_preamble->delay_s - delay_s);
  counts.timing_error_sum_s += error;
  counts.timing_error_max_s = std::max(counts.timing_error_max_s, error);
  counts.snr_estimate_sum_db += sent_preamble->snr_db;
  if (error > tolerance_s) {
    ++counts.timing_failures;
  } else if (other) {
    ++counts.wrong_preamble;
  } else {
    ++counts.detected;
  }
}

PrachTestPreamble prach_test_preamble(phy::PrachFormat format, std::uint32_t prach_scs_hz) {
  switch (format) {
  case phy::PrachFormat::f0:
  case phy::PrachFormat::f2:
    return {13, 22, 32};
  case phy::PrachFormat::f1:
    return {0, 22, 0};
  case phy::PrachFormat::f3:
    return {26, 22, 32};
  default:
    break;
  }
  if (prach_scs_hz <= 15000) {
    return {23, 0, 0};
  }
  return prach_scs_hz == 30000 ? PrachTestPreamble{46, 0, 0} : PrachTestPreamble{69, 0, 0};
}

double prach_time_error_tolerance_s(phy::PrachFormat format, std::uint32_t prach_scs_hz,
                                    PrachChannelModel channel) {
  constexpr double fading_extra_s = 1.51e-6; // TDLC300-100 over AWGN at every listed spacing
  double awgn_s = 0.13e-6;                   // 60 and 120 kHz
  if (phy::prach_is_long_format(format) && format != phy::PrachFormat::f3) {
    awgn_s = 1.04e-6;
  } else if (format == phy::PrachFormat::f3 || prach_scs_hz == 30000) {
    awgn_s = 0.26e-6;
  } else if (prach_scs_hz == 15000) {
    awgn_s = 0.52e-6;
  }
  return channel == PrachChannelModel::awgn ? awgn_s : awgn_s + fading_extra_s;
}

double PrachEvaluationPoint::pd() const {
  return trials == 0 ? 0.0 : static_cast<double>(detected) / static_cast<double>(trials);
}

double PrachEvaluationPoint::pfa() const {
  return false_alarm_trials == 0
             ? 0.0
             : static_cast<double>(false_alarms) / static_cast<double>(false_alarm_trials);
}

double PrachEvaluationPoint::mean_timing_error_s() const {
  return reported() == 0 ? 0.0 : timing_error_sum_s / static_cast<double>(reported());
}

double PrachEvaluationPoint::mean_snr_estimate_db() const {
  return reported() == 0 ? 0.0 : snr_estimate_sum_db / static_cast<double>(reported());
}

PrachEvaluationPoint& PrachEvaluationPoint::operator+=(const PrachEvaluationPoint& other) {
  trials += other.trials;
  detected += other.detected;
  timing_failures += other.timing_failures;
  missed += other.missed;
  wrong_preamble += other.wrong_preamble;
  false_alarm_trials += other.false_alarm_trials;
  false_alarms += other.false_alarms;
  timing_error_sum_s += other.timing_error_sum_s;
  timing_error_max_s = std::max(timing_error_max_s, other.timing_error_max_s);
  snr_estimate_sum_db += other.snr_estimate_sum_db;
  return *this;
}

double prach_evaluation_tolerance_s(const PrachEvaluationConfig& config) {
  if (config.time_error_tolerance_s > 0.0) {
    return config.time_error_tolerance_s;
  }
  const phy::PrachConfig& prach = config.link.prach;
  return prach_time_error_tolerance_s(prach.format, phy::prach_subcarrier_spacing_hz(prach),
                                      config.link.channel);
}

double prach_evaluation_delay_s(const PrachEvaluationConfig& config, std::uint64_t trial) {
  const phy::PrachConfig& prach = config.link.prach;
  switch (config.delay_mode) {
  case PrachDelayMode::fixed:
    return config.delay_s;
  case PrachDelayMode::random: {
    const double span =
        std::max(prach_window_s(config.link) - prach_channel_spread_s(config.link.channel), 0.0);
    std::mt19937_64 random(derive_seed(config.seed, trial, prach_delay_stream));
    return std::uniform_real_distribution<double>(0.0, span)(random);
  }
  case PrachDelayMode::conformance:
    break;
  }
  if (phy::prach_is_long_format(prach.format)) {
    const double base = prach.cyclic_shift_length / 2.0 * prach_lag_s(prach);
    return base + static_cast<double>(trial % 10) * prach_delay_step_s;
  }
  return static_cast<double>(trial % 9) * prach_delay_step_s;
}

std::string validate_prach_evaluation(const PrachEvaluationConfig& config) {
  std::string problems = validate_prach_link(config.link);
  if (config.preamble_index >= phy::prach_preambles_per_occasion) {
    problems += "preamble index " + std::to_string(config.preamble_index) + " is over 63\n";
  }
  problems += validate_prach_snr_points(config.snr_db);
  if (config.trials == 0 && config.false_alarm_trials == 0) {
    problems += "nothing to simulate: no detection and no noise-only occasion\n";
  }
  if (config.false_alarm_trials > std::numeric_limits<std::uint64_t>::max() - config.trials) {
    problems += "detection plus noise-only occasions per point exceed 2^64 - 1\n";
  }
  if (config.num_threads > max_evaluation_threads) {
    problems += "threads: at most " + std::to_string(max_evaluation_threads) + "\n";
  }
  if (validate_prach_link(config.link).empty()) {
    problems += validate_prach_timing(config);
  }
  return problems;
}

std::vector<PrachEvaluationPoint>
run_prach_evaluation(const PrachEvaluationConfig& config,
                     const std::function<void(const PrachEvaluationProgress&)>& progress) {
  if (const std::string problems = validate_prach_evaluation(config); !problems.empty()) {
    throw std::invalid_argument(problems);
  }
  const unsigned threads = config.num_threads != 0
                               ? config.num_threads
                               : std::max(1U, std::thread::hardware_concurrency());
  phy::ThreadPool pool(threads - 1);
  std::vector<std::unique_ptr<PrachWorker>> workers;
  for (unsigned lane = 0; lane < pool.num_lanes(); ++lane) {
    workers.push_back(std::make_unique<PrachWorker>(config));
  }
  const double tolerance_s = prach_evaluation_tolerance_s(config);
  const std::uint64_t items = config.trials + config.false_alarm_trials;
  const std::size_t batch = std::max<std::size_t>(64, std::size_t{16} * pool.num_lanes());
  std::vector<PrachEvaluationPoint> counts(batch);
  std::vector<PrachEvaluationPoint> points;
  for (std::size_t i = 0; i < config.snr_db.size(); ++i) {
    const auto noise = static_cast<float>(std::pow(10.0, -config.snr_db[i] / 10.0));
    PrachEvaluationPoint point;
    point.snr_db = config.snr_db[i];
    for (std::uint64_t next = 0; next < items;) {
      const std::size_t count = std::min<std::uint64_t>(batch, items - next);
      pool.parallel_for(count, [&](std::size_t item, unsigned lane) {
        counts[item] = PrachEvaluationPoint{};
        run_prach_item(config, *workers[lane], next + item, i, noise, tolerance_s, counts[item]);
      });
      for (std::size_t item = 0; item < count; ++item) {
        point += counts[item];
      }
      next += count;
      if (progress) {
        const double fraction =
            (double(i) + double(next) / double(items)) / double(config.snr_db.size());
        progress({i, config.snr_db.size(), config.snr_db[i], fraction});
      }
    }
    points.push_back(point);
  }
  return points;
}

} // namespace airan::apps
