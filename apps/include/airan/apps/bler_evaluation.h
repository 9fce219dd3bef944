/// \file
/// \brief Receiver evaluation: BLER and throughput against SNR for several receivers on the same
/// simulated slots (common random numbers: every receiver sees the same TBs, channel
/// realisations and noise), as Sionna's `sim_ber` does it.
///
/// Determinism: the random numbers of slot s come from derive_seed(seed, s, 1 | 2 | 3) (channel
/// realisation, data and noise), the same at every SNR point (the noise is scaled), and each
/// receiver's count stops at the first slot, in slot order, where it reaches the target number of
/// TB errors. Slots run in parallel in batches, but the result depends only on the seed, never on
/// the thread count.
#pragma once
#include "airan/apps/link_simulation.h"
#include "airan/apps/paired_comparison.h"
#include "airan/apps/receiver_catalog.h"

#include "airan/phy/ldpc_batch_decoder.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/ulsch_decoder.h"
#include <array>
#include <cstdint>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace airan::apps {

/// Most threads an evaluation takes (each builds its own receivers and simulator).
inline constexpr unsigned max_evaluation_threads = 256;

/// What to simulate. A PUSCH with UCI (pusch.uci, e.g. from a scenario's `uci` map) carries
/// fresh random HARQ-ACK / CSI bits each slot (derive_seed(seed, slot, 4)), and each point counts
/// the UCI payloads a receiver got wrong (EvaluationPoint::uci_errors) beside its TB errors.
struct EvaluationConfig {
  LinkScenario scenario;
  phy::PuschConfig pusch; ///< The one PUSCH of every slot (new data, rv 0).
  std::vector<ReceiverSpec> receivers;
  /// Per receiver (same order; missing or empty: the CPU front end), the detector its
  /// PuschReceiver runs instead: the CUDA front end, or the neural receiver (which needs one).
  std::vector<phy::PuschDetectorFactory> detectors;
  /// Per receiver (same order; missing or empty: LDPC on the CPU), the LDPC batch decoder
  /// factory of its UL-SCH decoders (the CUDA decoder with `--backend cuda`).
  std::vector<phy::LdpcBatchDecoderFactory> ldpc_decoders;
  /// Per receiver (same order; missing or empty: on the CPU), the factory of its UL-SCH decoders
  /// (the CUDA decoder with `--backend cuda`; see phy::PuschReceiverConfig::ulsch_decoder).
  std::vector<phy::UlschDecoderFactory> ulsch_decoders;
  std::vector<double> snr_db; ///< Per-RE SNR points (phy/snr_definition.h), rising strictly.
  /// Read snr_db as Eb/N0 as Sionna's ebnodb2no defines it (bits per symbol, code rate and the
  /// DMRS overhead; no CP): see evaluation_noise_variance().
  bool snr_is_ebno = false;
  std::uint64_t target_errors = 200; ///< TB errors after which a receiver's point is done.
  std::uint64_t max_slots = 5000;    ///< Slots per SNR point at most.
  std::uint64_t seed = 1;
  unsigned num_threads = 0;          ///< 0: every core.
  unsigned ldpc_max_iterations = 10; ///< LDPC iterations per code block (early termination on).
  /// Stop the sweep after an SNR point where no receiver had an error (Sionna's early_stop).
  bool early_stop = true;
};

/// Result of one receiver at one SNR.
struct EvaluationPoint {
  std::string receiver;
  double snr_db = 0.0;
  std::uint64_t slots = 0;             ///< Slots simulated for this receiver.
  std::uint64_t tb_errors = 0;         ///< CRC failures plus TBs that passed CRC with wrong bits.
  std::uint64_t undetected_errors = 0; ///< Of tb_errors: CRC passed, bits wrong.
  double bler = 0.0;
  double throughput_mbps = 0.0; ///< Correct TB bits per second of air time.
  /// Over the slots with a finite SINR (NaN when no slot had one: no RE resolved).
  double mean_post_eq_sinr_db = 0.0;
  double mean_receiver_us = 0.0; ///< Receiver time per slot (front end and decoding).
  bool simulated = true;         ///< False when skipped by early stopping.
  /// Against each receiver of the run (indexed as EvaluationConfig::receivers; this receiver's
  /// own entry stays zero), on the slots both simulated (paired_comparison.h).
  std::vector<PairedOutcome> paired;
  /// With UCI on the PUSCH (pusch.uci): per part (HARQ-ACK, CSI part 1, CSI part 2) the slots
  /// whose payload came back wrong or not detected (PuschUciResult), over the same slots; the
  /// part's block error rate is that over `slots`.
  std::array<std::uint64_t, 3> uci_errors{};
};

/// Progress of a running evaluation.
struct EvaluationProgress {
  std::size_t snr_index = 0;
  std::size_t num_snrs = 0;
  double snr_db = 0.0;
  std::uint64_t slots_done = 0; ///< Slots of the current point.
  double fraction = 0.0;        ///< Estimated fraction of the whole sweep done, 0 .. 1.
};

/// Makes \p pusch a DFT-s-OFDM PUSCH, as `airan eval --transform-precoding [--pi2bpsk]` and the
/// Python module's transform_precoding do: transform precoding on, tp-pi2BPSK = \p pi2bpsk, 2 DMRS
/// CDM groups without data (TS 38.214 6.2.2: the DMRS symbols carry no data), and the MCS table
/// TS 38.214 6.1.4.1 takes with transform precoding: Table 6.1.4.1-1 for Table 5.1.3.1-1
/// (mcs-TableTransformPrecoder not configured), Table 6.1.4.1-2 for Table 5.1.3.1-3
/// (mcs-TableTransformPrecoder qam64LowSE), Table 5.1.3.1-2 kept. The other rules (one layer,
/// DMRS type 1, a PRB count 2^a 3^b 5^c) are left to PuschConfig::validate(). \return empty, or why
/// it cannot be done (nothing at present: kept for rules to come).
std::string enable_transform_precoding(phy::PuschConfig& pusch, bool pi2bpsk);

/// Checks a configuration before any work: the link (validate_link), at least one receiver and
/// SNR point, target_errors and max_slots > 0, perfect-CSI receivers need nothing else.
/// \return empty when valid, else every problem, one per line.
std::string validate_evaluation(const EvaluationConfig& config);

/// TBS of the configuration's PUSCH (bits), and its slot duration (seconds).
std::uint32_t evaluation_tbs(const EvaluationConfig& config);

/// Noise variance per RE and receive antenna of one SNR point: 10^(-snr/10), or with
/// snr_is_ebno the Eb/N0 conversion with Q_m, the PDU's code rate and its data-RE fraction (data
/// REs / energy one port sends in the slot, DMRS at its power boost: data REs + DMRS REs x
/// beta_DMRS^2), times the mean energy of a codebook precoder's columns (the energy a layer
/// is sent with: 1/2 for TS 38.211's W = I / sqrt(2)).
float evaluation_noise_variance(const EvaluationConfig& config, double snr_db);

/// Runs the sweep; calls \p progress (may be empty) after every batch of slots. Results are in
/// SNR order, receivers in config order within each SNR.
/// \throws std::invalid_argument when validate_evaluation() reports a problem.
std::vector<EvaluationPoint>
run_evaluation(const EvaluationConfig& config,
               const std::function<void(const EvaluationProgress&)>& progress = {});

/// A two-sided confidence interval of a BLER.
struct BlerInterval {
  double low = 0.0;
  double high = 1.0;
};

/// Wilson score interval of \p errors TB errors in \p trials TBs at normal quantile \p z (1.96:
/// 95%; its sign is ignored); [0, 1] without trials or with a non-finite z. A point that stopped
/// at its target errors is a sequential (inverse binomial) sample, for which the interval is
/// approximate.
BlerInterval bler_wilson_interval(std::uint64_t errors, std::uint64_t trials, double z = 1.96);

/// Which BLER curve snr_at_bler() reads: the points' estimates, or the lower or upper end of
/// their 95% Wilson intervals (from tb_errors and slots).
enum class BlerCurve : std::uint8_t { estimate, lower95, upper95 };

/// SNR (dB) at which a receiver's BLER crosses \p target_bler, by linear interpolation of
/// log10(BLER) between the two points around it; empty when the curve never crosses it (also
/// when its first point is already below the target). For a curve that falls with SNR the
/// lower95 crossing comes earlier and the upper95 one later: together a range for the SNR at
/// the target from the points' pointwise intervals (a curve that rises again can break the
/// order).
std::optional<double> snr_at_bler(const std::vector<EvaluationPoint>& points,
                                  const std::string& receiver, double target_bler,
                                  BlerCurve curve = BlerCurve::estimate);

} // namespace airan::apps
