/// \file
/// \brief PUSCH receiver front end (CP-OFDM): received frequency-domain grid to codeword LLRs.
///
/// Stages: DMRS channel estimation (dmrs_channel_estimator.h), with PT-RS the common phase error
/// of each symbol (ptrs_phase_tracking.h) -> extraction of the PDU's data REs per receive
/// antenna, symbol by symbol, rotated back by that phase -> MIMO equalization (mimo_equalizer.h),
/// whose RE-major output is already in codeword (layer-demapped) order -> soft demapping
/// (soft_demapper.h). The LLRs are NOT descrambled (descramble_llrs() of pusch_descrambler.h
/// does that) and positive values favour bit 0.
#pragma once

#include "airan/phy/channel_estimate.h"
#include "airan/phy/channel_response.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/mimo_equalizer.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/soft_demapper.h"
#include "airan/phy/types.h"

#include <memory>
#include <optional>
#include <span>

namespace airan::phy {

class ThreadPool;

/// Largest PDU a front end is built for.
struct PuschFrontEndLimits {
  unsigned max_rx_antennas = 4; ///< 1 .. 16.
  unsigned max_layers = 4;      ///< 1 .. 4.
  unsigned max_prbs = 275;      ///< 1 .. 275.
};

/// Per-call options of the front end.
struct PuschFrontEndOptions {
  /// Channel estimator options. estimate_covariance is forced on for MMSE-IRC, where
  /// covariance_group_prbs sets the PRB groups of the interference covariance.
  DmrsChannelEstimatorOptions estimator;
  EqualizerAlgorithm equalizer = EqualizerAlgorithm::mmse;
  /// Max-log LLRs (the default, and all the CUDA front end computes) or exact ones (CPU only:
  /// the genie bound `perfect-csi-app` of the evaluation).
  SoftDemapping demapping = SoftDemapping::max_log;
  /// With PT-RS: estimate each symbol's common phase error from it (ptrs_phase_tracking.h) and
  /// rotate the symbol's data REs back before equalizing. false leaves the phase alone (the
  /// PT-RS REs still carry no data).
  bool track_phase = true;
};

/// Measurements of one PDU.
struct PuschMeasurements {
  float noise_variance = 0.0F; ///< Per RE and receive antenna (DmrsMeasurements).
  float rsrp = 0.0F;           ///< DMRS RE power per antenna and layer, linear.
  float sinr_db = 0.0F;        ///< Pre-equalization SNR per antenna and layer, dB.
  /// Post-equalization SINR, dB: 1 / (mean post-equalization noise variance) over the data REs
  /// and layers (REs the equalizer could not resolve are left out); capped at 100 dB; NaN when
  /// it resolved none.
  float post_eq_sinr_db = 0.0F;
  std::optional<float> cfo_hz; ///< Empty with a single DMRS occasion.
  float delay_s = 0.0F;        ///< Timing offset, positive when late.
  /// RMS error vector magnitude of the equalized symbols against their nearest constellation
  /// points, relative to the rms of those points (a fraction, not %).
  /// Over the data REs that carry coded bits (not those a PUSCH without UL-SCH sends empty).
  float evm = 0.0F;
};

/// PUSCH front end for one receiver. Every buffer is allocated by the constructor for the
/// limits; process() does not allocate. Not thread-safe.
///
/// With a thread pool, each stage splits its PDU across the pool's lanes: channel estimation
/// per receive antenna, equalization per OFDM symbol and soft demapping over contiguous runs of
/// symbols, each lane with its own scratch. Every value computed (estimate, measurements,
/// equalized symbols, noise variances, LLRs) is bit-identical to the run without a pool.
class PuschFrontEnd {
public:
  /// \param limits Largest PDU.
  /// \param pool Optional pool (not owned; must outlive the front end) on which the stages run
  /// in parallel. The stages then must not be called from inside a job of the same pool (a
  /// ThreadPool runs one job at a time). nullptr: everything on the caller's thread.
  /// \throws std::invalid_argument for limits outside their ranges.
  explicit PuschFrontEnd(const PuschFrontEndLimits& limits = {}, ThreadPool* pool = nullptr);
  ~PuschFrontEnd();
  PuschFrontEnd(const PuschFrontEnd&) = delete;
  PuschFrontEnd& operator=(const PuschFrontEnd&) = delete;
  PuschFrontEnd(PuschFrontEnd&&) noexcept;
  PuschFrontEnd& operator=(PuschFrontEnd&&) noexcept;

  /// Received grid \p grid ([rx antenna][symbol of the slot][subcarrier of the carrier]) to the
  /// G = pusch_coded_bits(cell, pusch) codeword LLRs \p llrs, in codeword order, not
  /// descrambled. Runs estimate_channel(), equalize() and demap().
  /// \throws std::invalid_argument for an invalid configuration, a grid of the wrong shape, a PDU
  /// beyond the limits, or llrs.size() != G.
  PuschMeasurements process(const ResourceGrid& grid, const CellConfig& cell,
                            const PuschConfig& pusch, unsigned slot,
                            const PuschFrontEndOptions& options, std::span<float> llrs);

  /// Stage 1: channel estimation of \p pusch into channel_estimate(), and with PT-RS (and
  /// options.track_phase) the phase error of each symbol into ptrs_phases().
  void estimate_channel(const ResourceGrid& grid, const CellConfig& cell, const PuschConfig& pusch,
                        unsigned slot, const PuschFrontEndOptions& options);
  /// Stage 1 of a perfect-CSI (genie) receiver: the true channel instead of an estimate (see
  /// perfect_channel_estimate.h). \p true_channel is H[rx][port][symbol][carrier subcarrier];
  /// \p noise_variance the true noise variance per RE and receive antenna. No phase tracking
  /// (ptrs_phases() all 0).
  /// \throws std::invalid_argument when the true channel does not fit the cell and PDU.
  void use_true_channel(const ChannelResponse& true_channel, const CellConfig& cell,
                        const PuschConfig& pusch, float noise_variance);
  /// Stage 2: equalizes the data REs of \p pusch with the last channel estimate into
  /// equalized_symbols() and equalized_noise_variances(). \pre estimate_channel() ran on the
  /// same grid and PDU (with estimator covariance for MMSE-IRC).
  void equalize(const ResourceGrid& grid, const CellConfig& cell, const PuschConfig& pusch,
                const PuschFrontEndOptions& options);
  /// Stage 3: soft demapping of the equalized symbols into \p llrs (G values), max-log or
  /// \p demapping.
  /// \throws std::invalid_argument when llrs.size() != G.
  void demap(const PuschConfig& pusch, std::span<float> llrs,
             SoftDemapping demapping = SoftDemapping::max_log);

  /// The channel estimate of the last estimate_channel().
  [[nodiscard]] const ChannelEstimate& channel_estimate() const;
  /// Phase error per slot symbol (radians) of the last stage 1, which equalize() removes: 0
  /// everywhere without PT-RS or phase tracking.
  [[nodiscard]] std::span<const float> ptrs_phases() const;
  /// Equalized symbols of the last equalize(), in codeword order (G / Q_m values).
  [[nodiscard]] std::span<const cf32> equalized_symbols() const;
  /// Post-equalization noise variances matching equalized_symbols().
  [[nodiscard]] std::span<const float> equalized_noise_variances() const;
  /// post_eq_sinr_db and evm of the last equalize() (with the modulation of its PDU), added to
  /// the DMRS measurements of the last estimate.
  [[nodiscard]] PuschMeasurements measurements(const PuschConfig& pusch) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace airan::phy
