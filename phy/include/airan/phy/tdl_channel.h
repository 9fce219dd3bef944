/// \file
/// \brief TR 38.901 tapped-delay-line fading channel (7.7.2 TDL models, 7.7.5.2 correlation
/// extension) for time-domain IQ and for resource grids, with its true per-slot response.
///
/// Fading: every Rayleigh tap of every antenna pair is an independent sum of M sinusoids
/// (sinusoids_per_tap), g(t) = M^-1/2 sum_m exp(j (2 pi f_d cos(a_m) t + phi_m)), with
/// a_m = (2 pi m + theta) / M for m = 0 .. M-1, theta and the phi_m uniform and drawn from the
/// seed. Over the random theta the autocorrelation is exactly J0(2 pi f_d tau) (Clarke/Jakes
/// spectrum); one realisation's time average differs from J0 by terms of order J_M(2 pi f_d tau).
/// Taps flagged line_of_sight (TDL-D/E) are a fixed-amplitude phasor with the Doppler shift
/// 0.7 f_d (TR 38.901 7.7.2) and one random phase shared by every antenna pair (a plane wave). Each
/// tap's matrix of processes G (num_rx x num_tx) is correlated as sqrt(p) L_rx G L_tx^T with the
/// square roots of antenna_correlation.h (LOS taps are not). The average power gain per receive and
/// transmit antenna is the sum of the profile's powers (1 for make_tdl_profile()).
///
/// Timing: tap delay tau_n + timing_offset_s. CFO multiplies the received signal by
/// exp(j 2 pi cfo t). Time t is measured from the realisation's time 0; reseed() restarts it.
///
/// Phase noise (phase_noise_linewidth_hz > 0): the link's oscillators (the transmitter's and the
/// receiver's together, per channel realisation, so per UE in a simulation), one WienerPhaseNoise
/// process (phase_noise.h: phi(n + 1) = phi(n) + N(0, 2 pi B / fs), phi = 0 at time 0, its own
/// random stream derived from the seed) shared by all receive antennas, on the sample grid
/// n = round(t fs). The time-domain path multiplies received sample n by exp(j phi(n)); the
/// frequency-domain path and the true response multiply symbol l by its common phase error
/// (1/N) sum exp(j phi(n)) over the N samples of the symbol's useful part (the FFT window), whose
/// magnitude below 1 is the power that phase noise moves into inter-carrier interference; that
/// interference itself is left out, as for Doppler and CFO. Both paths step the same process
/// through every sample (CPs included), so for one seed and slot they see the same phases.
#pragma once

#include "airan/phy/antenna_correlation.h"
#include "airan/phy/channel_response.h"
#include "airan/phy/numerology.h"
#include "airan/phy/phase_noise.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/tdl_profile.h"
#include "airan/phy/types.h"

#include <complex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airan::phy {

/// Largest number of receive or transmit antennas of a TdlChannel.
constexpr unsigned tdl_max_antennas = 16;

/// A channel model whose taps are sums of plane waves it draws itself (the CDL models,
/// cdl_channel.h), instead of the Jakes sinusoids of independent Rayleigh taps: for every tap n,
/// antenna pair p = rx * num_tx + tx and ray m, an angular frequency omega (rad/s), a phase
/// (rad) and an amplitude (the antenna elements' field patterns); a tap's gain is
/// sqrt(power_n / rays) sum_m amplitude exp(j (omega t + phase)), or for a line-of-sight tap
/// sqrt(power_n) amplitude exp(j (omega t + phase)) of its ray 0.
struct TdlChannelConfig;

class TdlRaySource {
public:
  virtual ~TdlRaySource() = default;
  /// Rays per tap (the TdlChannel's sinusoids per tap).
  [[nodiscard]] virtual unsigned rays_per_tap() const = 0;
  /// Why \p config does not fit the rays (taps, antennas, Doppler of another model), or "".
  [[nodiscard]] virtual std::string mismatch(const TdlChannelConfig& config) const = 0;
  /// Draws realisation \p seed into \p omega, \p phase and \p amplitude, laid out
  /// [tap][pair][ray] for the channel's taps and antennas. Allocates nothing.
  virtual void draw(std::uint64_t seed, std::span<double> omega, std::span<double> phase,
                    std::span<double> amplitude) const = 0;
};

/// Configuration of a TdlChannel.
struct TdlChannelConfig {
  TdlProfile profile;          ///< Taps (make_tdl_profile()).
  double max_doppler_hz = 0.0; ///< f_d of the Jakes spectrum; LOS taps shift by 0.7 f_d.
  unsigned num_rx = 1;         ///< Receive antennas (gNB), 1 .. 16.
  unsigned num_tx = 1;         ///< Transmit antennas (UE), 1 .. 16.
  /// none: independent antennas; else R_tx (x) R_rx per tap (antenna_correlation.h).
  AntennaCorrelation correlation = AntennaCorrelation::none;
  double cfo_hz = 0.0; ///< Carrier frequency offset applied to the received signal.
  /// 3 dB linewidth B of the link oscillators' Wiener phase noise (0: none), at most the
  /// subcarrier spacing (where the phase already wanders 2 pi rad^2 within one symbol).
  double phase_noise_linewidth_hz = 0.0;
  /// Extra delay of every tap; fractional samples allowed; at least -CP/2 (shortest CP). Below 0
  /// the signal arrives early: in the time domain OfdmDemodulator's window (at the CP's end) then
  /// takes |offset| samples of the next symbol, inter-symbol interference of about 2 |offset| / N
  /// of the signal's power (-11.5 dB at -CP/2) that frequency_response() and the frequency path
  /// leave out (they apply the delay as a phase ramp, a cyclic shift).
  double timing_offset_s = 0.0;
  unsigned sinusoids_per_tap = 16; ///< M, sinusoids per Rayleigh tap and antenna pair (1..1024).
  /// Set: the taps' plane waves come from it (a CDL model) and sinusoids_per_tap is its
  /// rays_per_tap(); correlation must be none (the model's geometry correlates the antennas).
  std::shared_ptr<const TdlRaySource> rays;
};

/// Largest share of the FFT bins a TdlChannel's carrier may occupy: the fractional-delay
/// interpolators need a transition band of 1 - occupancy around fs / 2 (252 values at 0.98).
constexpr double tdl_max_occupancy = 0.98;

/// TDL channel of one link: a random realisation (seed) evolving in time. Everything is
/// allocated by the constructor; the apply and response functions allocate nothing (except
/// frequency_response() growing an undersized ChannelResponse). Not thread-safe; use one object
/// per thread.
class TdlChannel {
public:
  /// \param numerology Sample rate, CP lengths and FFT size of the carrier.
  /// \param num_prbs   Carrier width (12 * num_prbs subcarriers, centred as in ofdm_modulator.h).
  /// \param seed       Realisation (see reseed()).
  /// \throws std::invalid_argument for an invalid configuration: no taps, a negative or
  /// non-finite delay or power, no power at all, num_rx / num_tx 0 or above 16, a negative or
  /// non-finite Doppler, CFO or timing offset out of range, a phase-noise linewidth that is
  /// negative, non-finite or above the subcarrier spacing, sinusoids_per_tap 0 or above 1024, or
  /// a carrier that does not fit the FFT or fills more than tdl_max_occupancy of it.
  TdlChannel(const TdlChannelConfig& config, const Numerology& numerology, unsigned num_prbs,
             std::uint64_t seed);

  /// New independent realisation (random phases and angles of every sinusoid, LOS phases, the
  /// phase-noise process) from \p seed; time restarts at 0. Allocates nothing.
  void reseed(std::uint64_t seed);

  /// The configuration the channel was built with.
  [[nodiscard]] const TdlChannelConfig& config() const { return config_; }
  /// Numerology of the carrier.
  [[nodiscard]] const Numerology& numerology() const { return numerology_; }
  /// Subcarriers of the carrier, 12 * num_prbs.
  [[nodiscard]] unsigned num_subcarriers() const { return num_subcarriers_; }

  /// Length (values) of the fractional-delay interpolators, from the carrier's occupancy.
  [[nodiscard]] unsigned interpolator_length() const { return interpolator_length_; }
  /// Samples over which apply_time_domain() holds the tap gains constant.
  [[nodiscard]] unsigned gain_block_length() const { return block_length_; }

  /// Delay of each tap as applied (profile delay + timing offset), seconds, profile order.
  [[nodiscard]] std::span<const double> tap_delays_s() const { return tap_delays_s_; }

  /// Gains at time \p time_s of every tap and antenna pair, correlation applied, CFO and phase
  /// noise not: gains[(tap * num_rx + rx) * num_tx + tx], num_taps * num_rx * num_tx values.
  /// Evaluated exactly (double precision), independent of any apply call. Allocates (for tests
  /// and tools).
  /// \throws std::invalid_argument when \p gains has the wrong size.
  void tap_gains(double time_s, std::span<std::complex<double>> gains) const;

  /// Time-domain IQ at numerology().sample_rate_hz(): \p tx holds num_tx antennas one after the
  /// other, samples_per_antenna each; \p rx receives num_rx antennas the same way. start_s is the
  /// time of tx[0] since the realisation's time 0. Fractional delays use Kaiser-windowed sinc
  /// interpolators centred on each tap's delay (length chosen for >= 80 dB stop-band attenuation
  /// over the carrier's occupied band, see docs/CHANNELS.md); tap gains are held per block of
  /// samples short enough that the Doppler phase moves at most 0.003 rad; the CFO and the phase
  /// noise rotate every sample. Input samples outside the buffer (before start, and the
  /// interpolators' look-ahead past the end) are zero. No noise is added.
  /// \throws std::invalid_argument when the sizes do not match.
  void apply_time_domain(std::span<const cf32> tx, std::size_t samples_per_antenna, double start_s,
                         std::span<cf32> rx);

  /// Frequency-domain fast path: rx(r, l, k) = sum_t H(r, t, l, k) tx(t, l, k) with H as
  /// frequency_response() gives it (no inter-carrier interference; phase noise as each symbol's
  /// common phase error). \p tx has num_tx ports, \p rx num_rx ports, both symbols_per_slot
  /// symbols and 12 * num_prbs subcarriers. No noise.
  /// \throws std::invalid_argument on a shape mismatch.
  void apply_frequency_domain(const ResourceGrid& tx, double slot_start_s, unsigned slot,
                              ResourceGrid& rx);

  /// True channel of the slot whose first sample is at \p slot_start_s (\p slot: slot number in
  /// the frame, for the CP lengths). Per OFDM symbol: the tap gains at the middle of the useful
  /// part (CP end + (N - 1) / 2 samples), times the CFO phase at that time and the phase noise's
  /// common phase error over the useful part, and each tap's delay (+ timing offset) as
  /// exp(-j 2 pi f_k tau) with f_k = (k - 6 num_prbs) * SCS. This is what a perfect-CSI receiver
  /// is given and what apply_time_domain() produces after OfdmDemodulator, up to inter-carrier
  /// interference (Doppler, CFO, phase noise), inter-symbol interference from taps later than the
  /// CP or earlier than 0 (a negative timing offset), and the interpolators' error
  /// (docs/CHANNELS.md gives the measured levels). \p out is reshaped to num_rx x num_tx x
  /// symbols_per_slot x 12 num_prbs.
  void frequency_response(double slot_start_s, unsigned slot, ChannelResponse& out);

private:
  void validate_and_prepare();
  void draw_jakes_sinusoids(std::uint64_t seed);
  void prepare_phasor_steps();
  void design_interpolators();
  void set_phasors(double time_s);
  void step_phasors(unsigned step_samples);
  void combine_gains(const std::complex<double>* phasors, std::complex<double> scale,
                     std::complex<double>* raw, std::complex<double>* scratch,
                     std::complex<double>* out) const;
  template <typename PerSymbol>
  void for_each_symbol(double slot_start_s, unsigned slot, PerSymbol&& per_symbol);
  void synthesize_response(unsigned pair);
  void build_impulse_responses();
  void filter_block(std::span<const cf32> tx, std::size_t samples_per_antenna, std::size_t first,
                    std::size_t count, double start_s, std::span<cf32> rx);

  TdlChannelConfig config_;
  Numerology numerology_;
  unsigned num_prbs_;
  unsigned num_subcarriers_;
  double sample_rate_hz_;
  unsigned num_taps_ = 0;
  unsigned num_pairs_ = 0; // num_rx * num_tx
  unsigned num_sinusoids_ = 0;

  // Taps: delays as applied, amplitudes sqrt(power), which are LOS; correlation square roots.
  std::vector<double> tap_delays_s_;
  std::vector<double> tap_amplitudes_;
  std::vector<unsigned char> tap_is_los_;
  std::vector<double> rx_sqrt_; // L_rx, num_rx x num_rx
  std::vector<double> tx_sqrt_; // L_tx, num_tx x num_tx
  bool correlated_ = false;
  double los_doppler_hz_ = 0.0;

  // Realisation: per tap, antenna pair and sinusoid (LOS taps use sinusoid 0 only).
  std::vector<double> omega_;                     // rad/s
  std::vector<double> phase_;                     // rad
  std::vector<double> amplitude_;                 // ray sources only; empty: all 1
  std::vector<std::complex<double>> phasor_;      // exp(j (omega t + phase)) at the current time
  std::vector<unsigned> step_samples_;            // time steps (samples) with precomputed factors
  std::vector<std::complex<double>> phasor_step_; // [step][sinusoid] exp(j omega step / fs)
  std::vector<std::complex<double>> raw_gains_;   // [tap][pair] before correlation
  std::vector<std::complex<double>> gains_;       // [tap][pair] as applied
  std::vector<std::complex<double>> mix_scratch_; // num_rx * num_tx

  // Frequency domain: exp(-j 2 pi f_k tau_n) per tap (real and imaginary parts), one response.
  std::vector<float> steering_re_; // [tap][k]
  std::vector<float> steering_im_;
  std::vector<float> response_re_; // num_subcarriers
  std::vector<float> response_im_;
  std::vector<float> accumulator_re_; // num_subcarriers
  std::vector<float> accumulator_im_;

  // Time domain: one interpolator per tap, the combined impulse response of each pair.
  unsigned interpolator_length_ = 1;
  std::vector<float> interpolators_;        // [tap][interpolator_length_]
  std::vector<int> interpolator_first_;     // lag (samples) of each interpolator's first value
  std::vector<unsigned> interpolator_size_; // 1 for whole-sample delays
  int first_lag_ = 0;                       // lag of impulse response value 0
  unsigned impulse_length_ = 1;
  unsigned block_length_ = 1;     // samples per gain update
  std::vector<float> impulse_re_; // [pair][impulse_length_]
  std::vector<float> impulse_im_;
  std::vector<float> window_re_; // [tx][block_length_ + impulse_length_ - 1]
  std::vector<float> window_im_;
  std::vector<float> out_re_; // block_length_
  std::vector<float> out_im_;

  // Phase noise of the link's oscillators; exp(j phi) of one time-domain block; the common
  // phase errors of the slot whose first sample is cpe_first_sample_ (while cpe_valid_).
  WienerPhaseNoise phase_noise_;
  std::vector<cf32> phase_noise_block_;   // block_length_
  std::vector<std::complex<double>> cpe_; // symbols_per_slot
  std::int64_t cpe_first_sample_ = 0;
  bool cpe_valid_ = false;
};

/// Time of the first sample of slot \p absolute_slot (counted from slot 0 of frame 0), from the
/// numerology's exact sample counts: whole subframes of subframe_length() samples plus the slots
/// before it in its subframe, divided by the sample rate.
double slot_start_time_s(const Numerology& numerology, std::uint64_t absolute_slot);

} // namespace airan::phy
