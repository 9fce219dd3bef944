/// \file
/// \brief PrachDetector: which of an occasion's 64 preambles were sent, with each one's round-trip
/// delay (the RAR's timing advance), power and SNR, from the occasion's PRACH subcarriers.
///
/// Per root sequence, each antenna's and period's subcarriers are multiplied by the root's
/// conjugate spectrum and taken to lags by an IDFT zero-padded to twice L_RA; the powers add
/// non-coherently over antennas and periods. Preamble v owns the N_CS lags after -C_v (a lag is
/// 1 / (L_RA * PRACH spacing)), the delays 0 .. N_CS of TS 38.211 6.3.3.1's partition. Its peak
/// is the largest value there that is the largest within one lag on either side (looking past
/// the window's edges, where a stronger neighbour's main lobe may sit), and must exceed a
/// threshold on the noise power.
/// A peak under a stronger preamble's side-lobe envelope (sum over its window's paths, the
/// significant local maxima m, of sqrt(P_m) / (pi d_m), squared, d_m lags away; 9 dB margin), or
/// more than 30 dB below the strongest on its root, is that preamble's side lobe lifted by noise,
/// not a preamble.
///
/// Noise: estimated per root from its lags outside the candidates' windows and outside the reach
/// of their side lobes (where Q / (pi d)^2 exceeds a tenth of the noise), refined twice; with
/// N_CS = 0 (one window a root) only the reach is left out. The threshold meets a false-alarm
/// probability for the whole occasion exactly for that estimate: the metric over a noise
/// estimate from n samples has the tail sum_{i<k} C(n+i-1, i) c^i (1+c)^-(n+i), c = threshold /
/// n, k = antennas * periods (fewer when the floor's spread says another root's preamble is in
/// it); summed over every padded lag of the 64 windows (a union bound, so the rate observed sits
/// at or below the target). The delay is refined to 1/16 lag around the
/// peak by evaluating the correlation there, and a parabola through the best three.
#pragma once

#include "airan/phy/fft_plan.h"
#include "airan/phy/prach_buffer.h"
#include "airan/phy/prach_config.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace airan::phy {

/// Tuning of PrachDetector.
struct PrachDetectorOptions {
  /// Probability that noise alone yields any preamble in an occasion, as the union bound over
  /// every padded lag sets it: the rate observed is about half of it or less (TS 38.104 8.4
  /// requires at most 0.1%).
  double false_alarm_probability = 5e-4;
};

/// One detected preamble.
struct PrachDetectedPreamble {
  unsigned index = 0;          ///< Preamble index 0 .. 63.
  double delay_s = 0;          ///< Round-trip delay of the strongest path, seconds.
  unsigned timing_advance = 0; ///< T_A of the RAR (TS 38.213 4.2): delay / (16 * 64 T_c / 2^mu).
  float power = 0;             ///< Received power per PRACH subcarrier and antenna (linear).
  /// power over the noise per subcarrier, where the noise includes the preambles on the other
  /// roots (their correlation spreads evenly over this root's lags).
  float snr_db = 0;
  float metric = 0; ///< Peak over noise, in units of the threshold (> 1).
};

/// Detection of one occasion. preambles never reallocates after the first call.
struct PrachDetectionResult {
  std::vector<PrachDetectedPreamble> preambles; ///< In increasing preamble index.
  float rssi = 0;        ///< Mean |y|^2 per PRACH subcarrier and antenna (linear).
  float noise_power = 0; ///< Noise estimate per subcarrier (mean over the roots).
};

/// Detects the preambles of one PRACH configuration. Allocates at construction only; detect() is
/// cheap to call per occasion. Not thread-safe.
class PrachDetector {
public:
  /// \param pusch_numerology mu of the carrier, which sets the timing advance's unit.
  /// \throws std::invalid_argument for an invalid format, N_CS or antenna count, or a
  /// false-alarm probability outside (0, 1).
  PrachDetector(const PrachConfig& config, unsigned pusch_numerology, unsigned num_rx_antennas,
                const PrachDetectorOptions& options = {});

  /// Detects the preambles in \p buffer (this configuration's antennas, periods and L_RA).
  /// \throws std::invalid_argument on a shape mismatch.
  void detect(const PrachBuffer& buffer, PrachDetectionResult& result);

  /// Threshold of a Gamma(\p degrees) metric for a noise estimate from \p noise_samples
  /// independent samples, in units of the noise estimate (exposed for tests).
  [[nodiscard]] double threshold(double noise_samples, unsigned degrees) const;

private:
  struct Window {
    unsigned root;   ///< Root ordinal.
    unsigned start;  ///< First padded lag.
    unsigned length; ///< Padded lags.
    unsigned cyclic_shift;
  };
  struct Peak {
    unsigned position = 0;
    float value = 0;
    bool candidate = false;
    bool side_lobe = false;
    unsigned leakage_reach = 0; ///< Padded lags around the peak kept out of the noise.
  };
  void correlate(const PrachBuffer& buffer);
  void scan(const std::vector<float>& noise, const std::vector<double>& thresholds);
  void estimate_noise(float pooled_fallback);
  void suppress_side_lobes();
  /// The lag of the correlation's peak near \p lag, to 1/16 lag, and its power (the PDP's scale).
  [[nodiscard]] std::pair<double, double> refine_lag(const PrachBuffer& buffer, unsigned root,
                                                     double lag) const;

  PrachConfig config_;
  unsigned sequence_length_;
  unsigned oversampling_ = 2;
  unsigned padded_length_;
  unsigned num_antennas_;
  unsigned num_periods_;
  unsigned num_roots_;
  double subcarrier_spacing_hz_;
  double timing_advance_unit_s_;
  double per_test_probability_;
  std::vector<cf32> conj_spectra_; ///< [root][k].
  std::vector<Window> windows_;    ///< Per preamble.
  std::vector<Peak> peaks_;        ///< Per preamble.
  std::vector<float> pdp_;         ///< [root][padded lag], sum over antennas and periods / L.
  std::vector<float> noise_;       ///< Per root.
  std::vector<double> thresholds_; ///< Per root.
  struct NoiseTally {
    double sum = 0;
    double square_sum = 0;
    double count = 0;
  };
  std::vector<NoiseTally> noise_tallies_; ///< Per root, scratch of estimate_noise().
  std::vector<std::uint8_t> excluded_;    ///< [root][padded lag] kept out of the noise.
  FftPlan ifft_;
};

} // namespace airan::phy
