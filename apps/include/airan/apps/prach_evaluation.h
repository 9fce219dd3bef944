/// \file
/// \brief PRACH performance evaluation the way TS 38.104 clause 8.4 states the requirements (and
/// TS 38.141-1 clause 8.4 tests them): for one test preamble through a channel model, per SNR point
/// the probability of detection and, from noise-only occasions, the false-alarm probability.
///
/// Definitions (TS 38.104 8.4.1, TS 38.141-1 8.4.1):
/// - Detection: the sent preamble, and no other, is reported with a timing error (estimated
///   delay minus the round-trip delay sent) of at most the time error tolerance (Table
///   8.4.1.1-1). Pd is the fraction of occasions with a detection; the requirement is Pd >= 99%
///   at the table's SNR.
/// - The error cases of 8.4.1.1, each occasion counted in one: `missed` (the sent preamble not
///   reported), `timing` (reported outside the tolerance) and `wrong preamble` (reported within
///   it, but another preamble reported too: "detecting different preamble than the one that was
///   sent"; the MathWorks PRACH detection test also counts only exactly the sent preamble).
/// - False alarm: a noise-only occasion in which any preamble was reported; Pfa <= 0.1%.
///
/// Round-trip delays (TS 38.141-1 8.4.1.4.2, as srsRAN's PRACHPERF applies Figures 8.4.1.4.2-2
/// and -3): occasion t of a long format is delayed by the time of N_CS / 2 lags plus (t mod 10)
/// 0.1 us, of a short format by (t mod 9) 0.1 us. Or one fixed delay, or a random one per occasion.
///
/// Determinism: occasion t draws its channel, delay and noise from derive_seed(seed, t, 1 | 2 | 3),
/// the same at every SNR point (common random numbers: the noise is scaled); noise-only occasion d
/// of point i draws its noise from derive_seed(seed, d, 4, i) on AWGN, derive_seed(seed, d, 5, i)
/// on TDLC300-100 (so that the two channels' runs can be pooled). Occasions run in parallel, but
/// every count depends only on the seed, never on the thread count.
#pragma once

#include "airan/apps/prach_link_simulation.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace airan::apps {

/// How each occasion's round-trip delay is chosen.
enum class PrachDelayMode : std::uint8_t {
  conformance, ///< TS 38.141-1 8.4.1.4.2's cycle (see the file comment).
  fixed,       ///< PrachEvaluationConfig::delay_s for every occasion.
  /// Uniform over the zero-correlation window (N_CS lags, or the CP when N_CS is 0) less the
  /// channel's delay spread, from derive_seed(seed, t, 2).
  random,
};

/// The test preamble of TS 38.141-1 Table A.6-1 (normal mode, FR1) for a format and PRACH
/// subcarrier spacing: N_CS, first logical root and preamble index.
struct PrachTestPreamble {
  unsigned cyclic_shift_length = 13;
  unsigned root_sequence_index = 22;
  unsigned preamble_index = 32;
};

/// Formats 0 and 2: N_CS 13, root 22, v 32; format 1: N_CS 0, root 22, v 0; short formats at
/// 15 kHz: N_CS 23, 30 kHz: N_CS 46, 60 and 120 kHz: N_CS 69, each with root 0, v 0 (Table A.6-1
/// and TS 38.104 8.4.2.2 / 11.4.2.2 as the ocudu / srsRAN MATLAB conformance tests configure them).
/// Format 3 has no documented test preamble here: N_CS 26 (the 6.2 us of format 0's window at 5
/// kHz), root 22, v 32.
PrachTestPreamble prach_test_preamble(phy::PrachFormat format, std::uint32_t prach_scs_hz);

/// The time error tolerance of TS 38.104 / 38.141-1 Table 8.4.1.1-1, seconds. AWGN: 1.04 us for
/// formats 0, 1, 2; 0.52 / 0.26 us for the short formats at 15 / 30 kHz and 0.13 us at 60 and 120
/// kHz; TDLC300-100: 2.55 us for formats 0, 1, 2; 2.03 / 1.77 us at 15 / 30 kHz. Formats 0 and 2
/// and the 15 / 30 kHz short formats are as the ocudu MATLAB conformance test has them; format 1
/// takes format 0's (same spacing), format 3 the 30 kHz values (0.26 us is about 1.1 lags at 5
/// kHz as 1.04 us is at 1.25 kHz), 60 / 120 kHz on TDLC300-100 the AWGN value plus the 1.51 us
/// that the fading adds at every other spacing.
double prach_time_error_tolerance_s(phy::PrachFormat format, std::uint32_t prach_scs_hz,
                                    PrachChannelModel channel);

/// What to simulate.
struct PrachEvaluationConfig {
  PrachLinkConfig link;
  unsigned preamble_index = 32;         ///< The preamble every detection occasion sends.
  std::vector<double> snr_db;           ///< Per PRACH subcarrier and antenna, rising strictly.
  std::uint64_t trials = 1000;          ///< Occasions with the preamble per SNR point.
  std::uint64_t false_alarm_trials = 0; ///< Noise-only occasions per SNR point.
  PrachDelayMode delay_mode = PrachDelayMode::conformance;
  double delay_s = 0.0; ///< PrachDelayMode::fixed.
  /// Largest timing error of a detection; 0: prach_time_error_tolerance_s().
  double time_error_tolerance_s = 0.0;
  std::uint64_t seed = 1;
  unsigned num_threads = 0; ///< 0: every core.
};

/// The counts of one SNR point.
struct PrachEvaluationPoint {
  double snr_db = 0.0;
  std::uint64_t trials = 0;          ///< Occasions with the preamble.
  std::uint64_t detected = 0;        ///< The preamble alone, within the time error tolerance.
  std::uint64_t timing_failures = 0; ///< Preamble reported, timing error above the tolerance.
  std::uint64_t missed = 0;          ///< Preamble not reported.
  /// Preamble reported within the tolerance, but another one too (not a detection).
  std::uint64_t wrong_preamble = 0;
  std::uint64_t false_alarm_trials = 0;
  std::uint64_t false_alarms = 0;   ///< Noise-only occasions with any preamble reported.
  double timing_error_sum_s = 0.0;  ///< |error| over the occasions the preamble was reported.
  double timing_error_max_s = 0.0;  ///< Largest |error| of those.
  double snr_estimate_sum_db = 0.0; ///< The detector's SNR of the sent preamble, summed.
  /// Occasions the sent preamble was reported in (detected + timing_failures + wrong_preamble);
  /// trials = reported() + missed.
  [[nodiscard]] std::uint64_t reported() const {
    return detected + timing_failures + wrong_preamble;
  }
  /// Probability of detection; 0 without trials.
  [[nodiscard]] double pd() const;
  /// False-alarm probability; 0 without noise-only trials.
  [[nodiscard]] double pfa() const;
  /// Mean |timing error| of the reported preambles, seconds; 0 when none.
  [[nodiscard]] double mean_timing_error_s() const;
  /// Mean estimated SNR (dB) of the reported preambles; 0 when none.
  [[nodiscard]] double mean_snr_estimate_db() const;
  /// Adds the counts of \p other (snr_db stays; the maximum is the larger one).
  PrachEvaluationPoint& operator+=(const PrachEvaluationPoint& other);
  friend bool operator==(const PrachEvaluationPoint&, const PrachEvaluationPoint&) = default;
};

/// Progress of a running evaluation.
struct PrachEvaluationProgress {
  std::size_t snr_index = 0;
  std::size_t num_snrs = 0;
  double snr_db = 0.0;
  double fraction = 0.0; ///< Of the whole sweep, 0 .. 1.
};

/// The time error tolerance \p config uses, seconds.
double prach_evaluation_tolerance_s(const PrachEvaluationConfig& config);

/// Round-trip delay of detection occasion \p trial, seconds.
double prach_evaluation_delay_s(const PrachEvaluationConfig& config, std::uint64_t trial);

/// Checks a configuration before any work: the link (validate_prach_link), the preamble index, at
/// least one SNR point (finite, within +-100 dB, rising strictly), some occasions, a fixed delay
/// within the zero-correlation window, a positive tolerance, threads within
/// max_evaluation_threads. \return empty when valid, else every problem, one per line.
std::string validate_prach_evaluation(const PrachEvaluationConfig& config);

/// Counts one occasion in \p counts: \p result of the detector for an occasion that carried
/// preamble \p sent with round-trip delay \p delay_s, against \p tolerance_s (see the
/// definitions above; the timing error and SNR sums take the sent preamble when reported).
void score_prach_detection(const phy::PrachDetectionResult& result, unsigned sent, double delay_s,
                           double tolerance_s, PrachEvaluationPoint& counts);

/// Runs the sweep; calls \p progress (may be empty) after every batch of occasions. One point per
/// SNR, in order. \throws std::invalid_argument when validate_prach_evaluation() reports a problem.
std::vector<PrachEvaluationPoint>
run_prach_evaluation(const PrachEvaluationConfig& config,
                     const std::function<void(const PrachEvaluationProgress&)>& progress = {});

/// A one-line description: format, spacing, N_CS, root, preamble, carrier, antennas, channel,
/// delays, tolerance, occasions.
std::string describe_prach_evaluation(const PrachEvaluationConfig& config);

/// The results as a text table: one row per SNR with Pd and Pfa (each with its count and 95%
/// Wilson interval), the missed, late and wrong-preamble counts, the mean and largest timing error
/// and the mean estimated SNR; the noise-only counts over the sweep below.
std::string format_prach_evaluation_table(const std::vector<PrachEvaluationPoint>& points);

/// The configuration and results as JSON (\p command recorded): every count, Pd and Pfa with
/// their 95% Wilson intervals, timing errors in us.
std::string format_prach_evaluation_json(const std::string& command,
                                         const PrachEvaluationConfig& config,
                                         const std::vector<PrachEvaluationPoint>& points);

} // namespace airan::apps
