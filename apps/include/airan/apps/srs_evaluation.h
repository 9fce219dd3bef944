/// \file
/// \brief SRS estimation accuracy against SNR: for one SRS PDU (phy::SrsConfig) sent by a UE with
/// a known delay through a channel model, per SNR point how far phy::SrsEstimator's wideband SNR,
/// timing offset (and the FAPI TimingAdvance made of it) and per-PRB channel are from the truth.
///
/// The truth of each slot (H: the channel model's response SlotSimulator::true_channel(), the
/// UE's delay included; x_p: what phy::write_srs() puts on SRS port p, amplitude 1/sqrt(N_ap);
/// the SRS REs: the (symbol, subcarrier) pairs on which any port sends; sigma^2: the noise
/// variance of the SNR point):
/// - SNR: S / sigma^2, S = mean over the SRS REs and receive antennas r of |sum_p H_rp x_p|^2:
///   the received SRS power per SRS RE and antenna without noise, every port on the RE together,
///   as SrsEstimatorResult::rsrp estimates it (sum_p |H_rp|^2 / N_ap where the channel is flat
///   over the ports' cyclic shifts). Error: wideband_snr_db minus 10 log10(S / sigma^2).
/// - Timing: the delay applied to the UE (delay_s), and the TimingAdvance
///   io::fapi_timing_advance_from_delay(delay_s, mu) of the cell's numerology. Error: delay_s of
///   the estimate minus delay_s. A multipath channel adds its power-weighted mean delay to what
///   the estimator measures: through a TDL or CDL model the error includes it.
/// - Channel: per receive antenna r, SRS port p and PRB of the BWP, the mean of H_rp over port
///   p's SRS REs of that PRB on every SRS symbol (the 1/sqrt(N_ap) of x_p left out, as
///   SrsEstimatorResult::channel leaves it out). NMSE of a slot: sum |channel_at - mean H|^2 /
///   sum |mean H|^2 over antennas, ports and sounded PRBs; a point's NMSE is the mean over its
///   slots, shown in dB.
///
/// The UE's delay: through a TDL or CDL model it is the channel's timing offset
/// (ChannelSpec::timing_offset_s: in the time domain the IQ is delayed); the awgn model has none,
/// so there the received grid and H are both multiplied by exp(-j 2 pi f_k delay_s), f_k the
/// subcarrier's frequency from the carrier centre (as phy::TdlChannel applies a delay).
///
/// Determinism: evaluation slot s is SRS occasion s (absolute slot s of an aperiodic SRS,
/// T_offset + s T_SRS of a periodic or semi-persistent one: frequency hopping moves on from one
/// occasion to the next), draws its channel from derive_seed(seed, s, 1) and its noise from
/// derive_seed(seed, s, 2), the same at every SNR point (common random numbers: the noise is
/// scaled). Slots run in parallel, but every result depends only on the seed, never on the
/// thread count.
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/phy/srs_config.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace airan::apps {

/// What to simulate. The UE has the cell's antenna ports (at least the SRS's); the channel's own
/// timing offset stays 0: the UE's delay is delay_s.
struct SrsEvaluationConfig {
  LinkScenario scenario;
  phy::SrsConfig srs;
  double delay_s = 0.0;       ///< True timing offset of the UE (positive: late).
  std::vector<double> snr_db; ///< Nominal per-RE SNR points (phy/snr_definition.h), rising.
  std::uint64_t slots = 200;  ///< SRS slots per SNR point.
  std::uint64_t seed = 1;     ///< Same seed, same numbers.
  unsigned num_threads = 0;   ///< 0: every core.
};

/// Sums over the slots of one SNR point; the accessors give the means.
struct SrsEvaluationPoint {
  double snr_db = 0.0; ///< Nominal SNR of the point.
  std::uint64_t slots = 0;
  double true_snr_sum_db = 0.0;             ///< 10 log10(S / sigma^2) per slot, summed.
  double snr_error_sum_db = 0.0;            ///< Estimated minus true SNR (dB), summed.
  double snr_error_square_sum_db2 = 0.0;    ///< Its squares, summed.
  double timing_error_sum_s = 0.0;          ///< Estimated minus applied delay, summed.
  double timing_error_square_sum_s2 = 0.0;  ///< Its squares, summed.
  std::uint64_t timing_advance_matches = 0; ///< Slots whose TimingAdvance is the true one.
  double channel_nmse_sum = 0.0;            ///< Linear per-slot NMSE, summed.

  [[nodiscard]] double mean_true_snr_db() const;
  [[nodiscard]] double mean_snr_error_db() const;
  [[nodiscard]] double rms_snr_error_db() const;
  [[nodiscard]] double mean_timing_error_s() const;
  [[nodiscard]] double rms_timing_error_s() const;
  /// Share of the slots with the true TimingAdvance, 0 .. 1.
  [[nodiscard]] double timing_advance_share() const;
  /// 10 log10 of the mean per-slot NMSE.
  [[nodiscard]] double channel_nmse_db() const;
  /// Adds the slots and sums of \p other (snr_db stays).
  SrsEvaluationPoint& operator+=(const SrsEvaluationPoint& other);
  friend bool operator==(const SrsEvaluationPoint&, const SrsEvaluationPoint&) = default;
};

/// Progress of a running evaluation.
struct SrsEvaluationProgress {
  std::size_t snr_index = 0;
  std::size_t num_snrs = 0;
  double snr_db = 0.0;
  double fraction = 0.0; ///< Of the whole sweep, 0 .. 1.
};

/// Largest |delay| the SRS's timing estimate tells apart: 1 / (2 K_TC P delta_f), P the ports
/// that share port 0's comb (phy::SrsEstimator). \p srs must be valid for \p cell.
double srs_unambiguous_delay_s(const phy::SrsConfig& srs, const phy::CellConfig& cell);

/// Power-weighted mean delay of \p channel's model (phy::mean_delay_s() of its taps, no timing
/// offset), seconds; 0 for awgn. About what a phase-slope timing estimate adds to the UE's delay.
/// \throws std::invalid_argument for a model or delay spread that validate_link() refuses.
double channel_mean_delay_s(const ChannelSpec& channel);

/// Checks a configuration before any work: the link (validate_link, with the UE's delay as the
/// fading channel's timing offset), the channel's own timing offset 0, the SRS against the cell,
/// no more SRS ports than the UE has, the UE delay finite and within srs_unambiguous_delay_s(),
/// at least one SNR point (finite, within +-100 dB, rising strictly), slots > 0, threads within
/// max_evaluation_threads. \return empty when valid, else every problem, one per line.
std::string validate_srs_evaluation(const SrsEvaluationConfig& config);

/// Runs the sweep; calls \p progress (may be empty) after every batch of slots. One point per
/// SNR, in order. \throws std::invalid_argument when validate_srs_evaluation() reports a
/// problem, std::runtime_error when the estimator refuses the SRS.
std::vector<SrsEvaluationPoint>
run_srs_evaluation(const SrsEvaluationConfig& config,
                   const std::function<void(const SrsEvaluationProgress&)>& progress = {});

/// A one-line description: ports, comb, cyclic shift, bandwidth, symbols, hopping, cell,
/// antennas, channel (with its mean delay), the UE's delay and TimingAdvance, slots.
std::string describe_srs_evaluation(const SrsEvaluationConfig& config);

/// The results as a text table: one row per SNR with the mean true SNR, the SNR error (mean and
/// RMS), the timing error (mean and RMS, ns), the share of right TimingAdvances and the NMSE.
std::string format_srs_evaluation_table(const std::vector<SrsEvaluationPoint>& points);

/// The results as CSV: a header line, then one line per SNR with every column of the table.
std::string format_srs_evaluation_csv(const std::vector<SrsEvaluationPoint>& points);

} // namespace airan::apps
