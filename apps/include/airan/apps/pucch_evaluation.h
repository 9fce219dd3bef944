/// \file
/// \brief PUCCH performance evaluation the way TS 38.104 clause 8.3 states its requirements: for
/// one PUCCH (any format, 0 to 4) through a channel model, per SNR point the ACK missed detection,
/// NACK-to-ACK and UCI block error probabilities over slots that carry the PUCCH, and the
/// DTX-to-ACK probability over slots that carry nothing (noise only).
///
/// Definitions (TS 38.104 8.3.1 to 8.3.4):
/// - ACK missed detection: of the HARQ-ACK bits sent as ACK, those reported NACK or not
///   detected (DTX).
/// - NACK to ACK: of the HARQ-ACK bits sent as NACK, those reported ACK (a NACK reported DTX is
///   not a NACK-to-ACK error).
/// - DTX to ACK: of the HARQ-ACK bit positions of the noise-only slots (bits per PUCCH times
///   slots), those reported ACK.
/// - UCI block error (formats 2, 3 and 4): the payloads not detected or decoded with any bit
///   wrong.
///
/// Determinism: PUCCH slot s draws its channel, payload and noise from derive_seed(seed, s, 1 | 2
/// | 3), the same at every SNR point (common random numbers: the noise is scaled); noise-only slot
/// d of SNR point i draws its noise from derive_seed(seed, d, 4, i), so that each point's
/// false-alarm count is a sample of its own. Slots run in parallel, but every count depends only
/// on the seed, never on the thread count.
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/phy/pucch_config.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace airan::apps {

/// The HARQ-ACK values the PUCCH slots send.
enum class HarqPayload : std::uint8_t {
  random, ///< Each bit ACK or NACK with probability 1/2 ("random codeword selection").
  ack,    ///< Every bit ACK (the ACK missed detection tests).
  nack,   ///< Every bit NACK (NACK to ACK alone).
};

/// Parses "random", "ack" or "nack". \throws std::invalid_argument naming the accepted values.
HarqPayload parse_harq_payload(const std::string& text);

/// What to simulate. The cell must have one antenna port (the UE's); every PUCCH slot sends
/// \p pucch from it. SR: on formats 0 and 1 an SR occasion alone (no HARQ-ACK bit) is a positive
/// SR in every PUCCH slot; with HARQ-ACK bits on format 0 the SR is positive or negative with
/// probability 1/2; on formats 2, 3 and 4 the SR bits are random payload bits.
struct PucchEvaluationConfig {
  LinkScenario scenario;
  phy::PucchConfig pucch;
  std::vector<double> snr_db;     ///< Per-RE SNR points (phy/snr_definition.h), rising strictly.
  std::uint64_t slots = 1000;     ///< Slots carrying the PUCCH per SNR point.
  std::uint64_t dtx_slots = 1000; ///< Noise-only slots per SNR point (0: no DTX counts).
  std::uint64_t seed = 1;         ///< Same seed, same numbers.
  unsigned num_threads = 0;       ///< 0: every core.
  HarqPayload harq = HarqPayload::random;
};

/// Errors out of trials: one probability with the count behind it.
struct PucchErrorCount {
  std::uint64_t errors = 0;
  std::uint64_t trials = 0;
  /// errors / trials; 0 without trials.
  [[nodiscard]] double rate() const {
    return trials == 0 ? 0.0 : static_cast<double>(errors) / static_cast<double>(trials);
  }
  PucchErrorCount& operator+=(const PucchErrorCount& other) {
    errors += other.errors;
    trials += other.trials;
    return *this;
  }
  friend bool operator==(const PucchErrorCount&, const PucchErrorCount&) = default;
};

/// The counts of one SNR point. A count without trials does not apply to the configuration (no
/// HARQ-ACK bit, no SR, format 0 or 1 for the UCI block errors, no noise-only slot).
struct PucchEvaluationPoint {
  double snr_db = 0.0;
  std::uint64_t slots = 0;      ///< PUCCH slots simulated.
  std::uint64_t dtx_slots = 0;  ///< Noise-only slots simulated.
  PucchErrorCount ack_missed;   ///< ACK bits sent; reported NACK or DTX.
  PucchErrorCount nack_to_ack;  ///< NACK bits sent; reported ACK.
  PucchErrorCount sr_missed;    ///< Positive SRs sent (formats 0, 1); reported negative or DTX.
  PucchErrorCount sr_false;     ///< Negative SRs sent with HARQ-ACK (format 0); reported positive.
  PucchErrorCount uci_block;    ///< Format 2-4 payloads sent; not detected or any bit wrong.
  PucchErrorCount missed;       ///< PUCCHs sent; not detected at all.
  PucchErrorCount dtx_to_ack;   ///< HARQ-ACK bit positions of noise-only slots; reported ACK.
  PucchErrorCount dtx_detected; ///< Noise-only slots; a PUCCH detected (false alarm).
  /// Adds the slots and counts of \p other (snr_db stays).
  PucchEvaluationPoint& operator+=(const PucchEvaluationPoint& other);
  friend bool operator==(const PucchEvaluationPoint&, const PucchEvaluationPoint&) = default;
};

/// Progress of a running evaluation.
struct PucchEvaluationProgress {
  std::size_t snr_index = 0;
  std::size_t num_snrs = 0;
  double snr_db = 0.0;
  double fraction = 0.0; ///< Of the whole sweep, 0 .. 1.
};

/// Checks a configuration before any work: the link (validate_link), the PUCCH against the cell,
/// one UE antenna port, at least one SNR point (finite, within +-100 dB, rising strictly),
/// slots > 0, threads within max_evaluation_threads, and the payloads the evaluation can score
/// (format 1 with both an SR occasion and HARQ-ACK bits is the SR resource, sent only for a
/// positive SR: refused). \return empty when valid, else every problem, one per line.
std::string validate_pucch_evaluation(const PucchEvaluationConfig& config);

/// Runs the sweep; calls \p progress (may be empty) after every batch of slots. One point per
/// SNR, in order. \throws std::invalid_argument when validate_pucch_evaluation() reports a
/// problem, std::runtime_error when the receiver refuses the PUCCH (never counted as a miss).
std::vector<PucchEvaluationPoint>
run_pucch_evaluation(const PucchEvaluationConfig& config,
                     const std::function<void(const PucchEvaluationProgress&)>& progress = {});

/// A one-line description: format, PRBs, symbols, hopping, payload, cell, antennas, channel.
std::string describe_pucch_evaluation(const PucchEvaluationConfig& config);

/// The results as a text table: one row per SNR, one column per count that applies, each as
/// "probability (errors/trials)", and the noise-only counts summed over the sweep below.
std::string format_pucch_evaluation_table(const std::vector<PucchEvaluationPoint>& points);

/// The results as CSV: a header line, then one line per SNR with every count's errors, trials
/// and probability (columns of counts that do not apply hold 0 trials).
std::string format_pucch_evaluation_csv(const std::vector<PucchEvaluationPoint>& points);

} // namespace airan::apps
