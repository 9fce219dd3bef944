/// \file
/// \brief PUSCH DMRS channel estimation (CP-OFDM): least squares on the DMRS REs with CDM
/// de-spreading, frequency interpolation (linear or MMSE/Wiener), time interpolation (linear or
/// averaging), and the PDU's noise variance, interference covariance, RSRP, SINR, CFO and delay.
///
/// Processing, per receive antenna r and layer (DMRS port p):
///  1. Raw LS per DMRS RE: z = y / x_p, x_p the port's DMRS (beta, w_f, w_t and the sequence,
///     from generate_pusch_dmrs()).
///  2. Delay: tau = -arg(C) / (2 pi P df), C = sum z(k + P) conj(z(k)) over REs with the same
///     FD-OCC index k' (P = 4 subcarriers for type 1, 6 for type 2), summed over antennas,
///     layers and DMRS symbols. With delay compensation on, z is multiplied by exp(+j 2 pi df tau
///     k) before de-spreading, which removes the mean phase slope (and with it most of the
///     leakage between ports sharing a CDM group) and is restored after interpolation.
///  3. CDM de-spreading: the mean of z over the D REs of one OCC block (the 2 adjacent REs of
///     a k' pair, times the 2 symbols of a double-symbol DMRS): one pilot per block and DMRS
///     occasion, at the block's centre subcarrier. For each port this projects onto its (w_f,
///     w_t) code, which removes the other ports of its CDM group, and averages the noise:
///     sigma_e^2 = sigma^2 / (beta^2 D).
///  4. Noise variance: fourth-order differences d(n) = h(n) - 4h(n+1) + 6h(n+2) - 4h(n+3) +
///     h(n+4) of the de-spread, delay-compensated pilots of every antenna, layer and occasion.
///     They cancel any channel that is a cubic polynomial across five pilots, and for white
///     noise E|d|^2 = 70 sigma_e^2, so sigma^2 = beta^2 D mean|d|^2 / 70 (bias-corrected; only
///     the channel's fourth derivative after delay compensation is left as a positive bias,
///     where second differences would leave its second derivative). Fewer pilots: second (3 or
///     4 pilots, factor 6) or first differences (2 pilots, factor 2). The covariance across
///     antennas is the same estimator applied to the antenna vectors d(n), per PRB group, with
///     diagonal loading of (rx / samples) times the smallest squared Cholesky pivot (a
///     noise-floor proxy), which keeps the nulls of strong interferers.
///  5. RSRP = beta^2 (mean |h|^2 - sigma_e^2); SNR = (mean |h|^2 - sigma_e^2) / sigma^2.
///  6. CFO: per pair of consecutive DMRS occasions, arg(sum h_o+1 conj(h_o)) / (2 pi dt) with dt
///     the time between their FFT windows (CP lengths of the numerology included), averaged
///     with the correlation magnitudes as weights.
///  7. Frequency interpolation of each occasion's pilots to all allocated subcarriers, on the
///     delay-compensated pilots: linear between neighbouring pilots (held flat beyond the
///     outermost ones), or MMSE: a window of W pilots around each subcarrier, weights
///     R_hp (R_pp + I / snr)^-1 from a power-delay-profile prior (exponential with rms delay
///     spread tau_s: r(df) = exp(j 2 pi df tau_s) / (1 + j 2 pi df tau_s), centred on its mean
///     delay; or uniform of width T: r(df) = sinc(df T)) and the measured pilot SNR (2 dB
///     bins), normalised to unit DC gain so that a flat channel passes unchanged. The prior's
///     spread is configured, or adapted to the measured rms delay spread: the exponential
///     profile whose |r(P df)| equals the measured correlation between neighbouring pilots,
///     |R(1)| / (R(0) - sigma_e^2), or whose |r(k P df)| / |r(P df)| equals |R(k)| / |R(1)|
///     (k = 4 pilots, fewer on narrow allocations), whichever is wider. Filters are computed once
///     per configuration (spacing, window, prior, SNR bin) in double precision and cached.
///  8. Time interpolation: linear between the occasions (held beyond the first and last), the
///     average of all occasions on every symbol, or Wiener across the occasions
///     (TimeInterpolation::wiener).
#pragma once

#include "airan/phy/channel_estimate.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"

#include <cstdint>
#include <memory>

namespace airan::phy {

class ThreadPool;

/// How the de-spread pilots are interpolated across frequency.
enum class FrequencyInterpolation : std::uint8_t {
  linear, ///< Linear between neighbouring pilots.
  mmse,   ///< Windowed Wiener filter with a power-delay-profile prior.
};

/// How the DMRS occasions are combined across the symbols of the slot.
enum class TimeInterpolation : std::uint8_t {
  linear,  ///< Linear between DMRS occasions, held beyond the first and the last.
  average, ///< Mean of all occasions on every symbol (static channel, best noise averaging).
  /// Wiener (MMSE) across the occasions: each symbol of the PDU (the occasions' own included) a
  /// weighted sum of every occasion's row, with a Jakes time correlation J0(2 pi f_D dt) whose
  /// Doppler f_D is fitted per PDU to the pilots' correlation rho between consecutive occasions,
  /// rotated at rho times the measured CFO (a fast-fading channel's correlation has a phase of
  /// its own), and the rows' noise after frequency interpolation; the least-squares weights
  /// among those that pass a channel which only rotates at that frequency. It averages the
  /// occasions' noise when the channel is slow, extrapolates beyond the first and last occasion
  /// when it is fast, and follows a CFO's rotation. The CUDA estimator computes the same weights
  /// (phy/dmrs_time_wiener_math.h).
  wiener,
};

/// Shape of the power-delay-profile prior of the MMSE interpolator.
enum class DelayProfile : std::uint8_t {
  exponential, ///< Exponential with rms delay spread delay_spread_s.
  uniform,     ///< Uniform over a width of delay_spread_s.
};

/// Most pilots one MMSE interpolation filter spans.
constexpr unsigned max_mmse_window = 16;

/// Per-call options of the channel estimator.
struct DmrsChannelEstimatorOptions {
  FrequencyInterpolation frequency_interpolation = FrequencyInterpolation::mmse;
  TimeInterpolation time_interpolation = TimeInterpolation::linear;
  /// Shape of the MMSE interpolator's prior. Exponential (the default since 2026-12-03; uniform
  /// before): its correlation keeps the long weak tails of TDL-C/E-like profiles, which a
  /// uniform prior centred on the mean delay cuts off (on TDL-C300, 100 PRB, an estimation
  /// error floor near -20 dB against -34 dB; docs/EVALUATION.md).
  DelayProfile delay_profile = DelayProfile::exponential;
  /// Delay spread of the MMSE prior in seconds: rms spread (exponential) or width (uniform).
  /// 0 (default): adapted per PDU to the measured rms delay spread tau (see
  /// DmrsMeasurements::delay_spread_s) with a margin of 2: exponential of rms 2 tau, or uniform
  /// of width 2 sqrt(12) tau; quantised to 8 values per decade (20 ns .. 5 us). On synthetic
  /// channels from flat to 2 us of excess delay this tracks the best fixed prior, whereas any
  /// fixed prior is either too narrow for long channels or too wide for short ones.
  float delay_spread_s = 0.0F;
  /// Pilots per MMSE filter, 2 .. max_mmse_window (fewer when the allocation has fewer).
  unsigned mmse_window = 12;
  /// Remove the estimated delay's phase slope before de-spreading and interpolating.
  bool compensate_delay = true;
  /// Also estimate the interference-plus-noise covariance across receive antennas (MMSE-IRC).
  bool estimate_covariance = false;
  /// PRBs per covariance group; 0: one group for the whole allocation.
  unsigned covariance_group_prbs = 0;
  /// Before time interpolation, rotate every DMRS occasion to the first one's phase (the common
  /// phase between consecutive occasions, over every antenna and layer and pilot, accumulated),
  /// so that an oscillator's phase noise or a CFO does not shrink the channel interpolated
  /// between occasions; Wiener weights then take no CFO. For PT-RS phase tracking (the PUSCH
  /// front end sets it), which restores each symbol's own phase; measurements are unchanged.
  bool align_occasion_phases = false;
};

/// Largest PDU an estimator (and its ChannelEstimate) is built for.
struct DmrsChannelEstimatorLimits {
  unsigned max_rx_antennas = 4; ///< 1 .. 16.
  unsigned max_layers = 4;      ///< 1 .. 4.
  unsigned max_prbs = 275;      ///< 1 .. 275.
};

/// DMRS channel estimator stage. All buffers are allocated by the factory for the limits;
/// estimate() does not allocate. Not thread-safe.
class DmrsChannelEstimator {
public:
  virtual ~DmrsChannelEstimator() = default;

  /// Estimates the channel of \p pusch from the received carrier grid \p grid ([rx antenna]
  /// [symbol of the slot][subcarrier of the carrier], 12 * cell.num_prbs subcarriers) into
  /// \p estimate, which is reshaped to grid.num_ports() x num_layers x prb_size and gets the
  /// measurements (and the covariance groups when asked for).
  /// \param slot Slot number in the frame (DMRS sequence, CFO timing).
  /// \throws std::invalid_argument for an invalid configuration, a grid of the wrong shape, or
  /// a PDU beyond the limits.
  virtual void estimate(ChannelEstimate& estimate, const ResourceGrid& grid, const CellConfig& cell,
                        const PuschConfig& pusch, unsigned slot,
                        const DmrsChannelEstimatorOptions& options) = 0;
};

/// Creates the default (portable C++) DMRS channel estimator for \p limits.
/// \param pool Optional pool (not owned, must outlive the estimator) on which estimate() runs
/// the per-receive-antenna work (delay correlation, de-spreading, frequency and time
/// interpolation) in parallel, with results bit-identical to the sequential run. estimate() must
/// then not be called from inside a job of the same pool. nullptr: everything on the caller.
/// \throws std::invalid_argument for limits outside their ranges.
std::unique_ptr<DmrsChannelEstimator>
create_dmrs_channel_estimator(const DmrsChannelEstimatorLimits& limits, ThreadPool* pool = nullptr);

/// A ChannelEstimate sized for \p limits.
ChannelEstimate make_channel_estimate(const DmrsChannelEstimatorLimits& limits);

} // namespace airan::phy
