/// \file
/// \brief Portable DMRS channel estimator; the algorithm is described in
/// dmrs_channel_estimator.h. Noise, covariance and CFO estimation live in
/// dmrs_noise_estimation.cpp, frequency interpolation in frequency_interpolator.cpp, time
/// interpolation in dmrs_time_interpolation.cpp, the raw LS, delay and de-spreading kernels in
/// dmrs_pilot_extraction.cpp.
#include "dmrs_estimation_steps.h"
#include "frequency_interpolator.h"

#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/layer_mapper.h"
#include "airan/phy/ptrs_phase_math.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/thread_pool.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

using detail::DespreadPilots;
using detail::PilotComb;

/// Delay spread of the MMSE prior: the configured one, or (configured 0) twice the measured rms
/// spread (uniform profile: a width of 2 sqrt(12) rms, twice that of a uniform profile with the
/// measured rms), on a grid of 8 values per decade from 20 ns to 5 us so that the filter cache
/// is reused from slot to slot.
float prior_delay_spread(const DmrsChannelEstimatorOptions& options, float measured_rms_s) {
  if (options.delay_spread_s > 0.0F) {
    return options.delay_spread_s;
  }
  return prior_spread_from_exponent(prior_spread_exponent(options.delay_profile, measured_rms_s));
}

class DmrsChannelEstimatorImpl final : public DmrsChannelEstimator {
public:
  DmrsChannelEstimatorImpl(const DmrsChannelEstimatorLimits& limits, ThreadPool* pool)
      : limits_(limits), pool_(pool) {
    const std::size_t max_values =
        std::size_t{dmrs_res_per_prb(DmrsConfigType::type1)} * limits.max_prbs;
    dmrs_values_.resize(std::size_t{limits.max_layers} * max_symbols_per_slot * max_values);
    pilots_.storage.resize(std::size_t{limits.max_rx_antennas} * limits.max_layers *
                           max_symbols_per_slot * (max_values / 2));
    ramp_.resize(std::size_t{subcarriers_per_prb} * limits.max_prbs);
    ramp_planes_.resize(std::size_t{limits.max_layers} * 2 * max_values);
    ls_planes_.resize(std::size_t{limits.max_rx_antennas} * limits.max_layers * max_ls_symbols * 2 *
                      max_values);
    const unsigned lanes = pool != nullptr ? pool->num_lanes() : 1;
    // Per lane: a row (time averaging) or the expanded pilots of the MMSE kernels.
    // A row for averaging, the MMSE kernels' scratch, or the occasions' rows (Wiener).
    scratch_row_floats_ = std::max(std::size_t{2} * max_dmrs_occasions * ramp_.size(),
                                   detail::mmse_scratch_floats(max_values / 2));
    scratch_rows_.resize(scratch_row_floats_ * lanes);
    delay_sums_.resize(std::size_t{limits.max_rx_antennas} * limits.max_layers *
                       max_symbols_per_slot * 2);
    covariance_samples_.resize(limits.max_prbs);
    noise_scratch_.reserve(limits.max_rx_antennas, static_cast<unsigned>(max_values / 2));
  }

  void estimate(ChannelEstimate& estimate, const ResourceGrid& grid, const CellConfig& cell,
                const PuschConfig& pusch, unsigned slot,
                const DmrsChannelEstimatorOptions& options) override;

private:
  /// Runs fn(rx, layer, lane) for every receive antenna and layer, on the pool when there is
  /// one. The job captures a single pointer, so that std::function does not allocate.
  template <typename Function>
  void for_each_rx_layer(unsigned num_rx, unsigned num_layers, const Function& fn) {
    const unsigned count = num_rx * num_layers;
    const auto item = [&fn, num_layers](std::size_t i, unsigned lane) {
      fn(static_cast<unsigned>(i) / num_layers, static_cast<unsigned>(i) % num_layers, lane);
    };
    if (pool_ == nullptr || count < 2) {
      for (unsigned i = 0; i < count; ++i) {
        item(i, 0U);
      }
      return;
    }
    const auto* f = &item;
    pool_->parallel_for(count, [f](std::size_t i, unsigned lane) { (*f)(i, lane); });
  }

  /// Generates the DMRS of every layer on every DMRS symbol into dmrs_values_.
  void generate_dmrs(const PuschDmrsParams& params, const PuschConfig& pusch);
  /// Raw-LS delay estimate, and the compensation ramp exp(+j 2 pi df tau k) in ramp_ (and at
  /// each layer's DMRS REs in ramp_planes_).
  float estimate_delay(const ResourceGrid& grid, const PuschConfig& pusch, float scs_hz,
                       bool compensate);
  /// Raw-LS delay correlation of antenna \p rx and \p layer per DMRS symbol, into delay_sums_;
  /// the raw LS values stay in ls_planes_ for despread().
  void correlate_delay(const ResourceGrid& grid, const PuschConfig& pusch, unsigned rx,
                       unsigned layer);
  /// De-spread, delay-compensated pilots of antenna \p rx and \p layer, every occasion (from
  /// ls_planes_ and ramp_planes_).
  void despread(const PuschConfig& pusch, unsigned rx, unsigned layer);
  /// Selects the MMSE interpolation filters (nothing for linear interpolation).
  void prepare_interpolation(const DmrsChannelEstimatorOptions& options, float scs_hz,
                             float pilot_snr, float prior_spread_s);
  /// Frequency interpolation of every occasion of antenna \p rx and \p layer into its first
  /// symbol's row of \p estimate (after prepare_interpolation()), \p scratch the lane's.
  void interpolate_frequency(ChannelEstimate& estimate, const DmrsChannelEstimatorOptions& options,
                             unsigned rx, unsigned layer, float* scratch) const;

  /// The Wiener time weights of the PDU into time_weights_ (TimeInterpolation::wiener): Doppler
  /// from the pilots' \p correlations between consecutive occasions over \p channel_power, the
  /// occasion rows' noise from \p despread_variance and the frequency interpolator's noise gain.
  void prepare_time_wiener(const CellConfig& cell, unsigned slot, const PuschReMapping& mapping,
                           const DmrsChannelEstimatorOptions& options,
                           const detail::OccasionCorrelations& correlations, float channel_power,
                           float despread_variance, float cfo_hz, unsigned symbols_per_occasion);

  /// Subcarriers between de-spread pilots: 4 (type 1) or 6 (type 2).
  [[nodiscard]] unsigned comb_period() const { return type_ == DmrsConfigType::type1 ? 4 : 6; }

  /// LS planes (detail::compute_ls_planes()) of antenna \p rx, \p layer and DMRS symbol \p s.
  [[nodiscard]] float* ls_planes(unsigned rx, unsigned layer, unsigned s) {
    return ls_planes_.data() +
           ((std::size_t{rx} * pilots_.num_layers + layer) * max_ls_symbols + s) * 2 * num_values_;
  }

  [[nodiscard]] cf32* dmrs(unsigned layer, unsigned dmrs_symbol) {
    return dmrs_values_.data() +
           (std::size_t{layer} * max_symbols_per_slot + dmrs_symbol) * num_values_;
  }

  DmrsChannelEstimatorLimits limits_;
  ThreadPool* pool_;
  detail::MmseFrequencyInterpolator mmse_;
  std::vector<cf32> dmrs_values_; ///< [layer][DMRS symbol][value]
  DespreadPilots pilots_;
  std::vector<cf32> ramp_;
  std::vector<float> ramp_planes_; ///< [layer] ramp_ at the layer's DMRS REs, as LS planes.
  /// DMRS symbols the LS planes hold: at most max_dmrs_occasions of two symbols.
  static constexpr unsigned max_ls_symbols = 2 * max_dmrs_occasions;
  std::vector<float> ls_planes_;    ///< [rx][layer][DMRS symbol] raw LS values, as 4 planes.
  std::vector<float> scratch_rows_; ///< scratch_row_floats_ per pool lane.
  std::size_t scratch_row_floats_ = 0;
  std::vector<float> delay_sums_; ///< [rx][layer][DMRS symbol][re, im] delay correlations.
  std::vector<unsigned> covariance_samples_;
  detail::NoiseScratch noise_scratch_;
  detail::TimeWienerWeights time_weights_;

  // Geometry of the current PDU.
  DmrsConfigType type_ = DmrsConfigType::type1;
  unsigned first_subcarrier_ = 0;
  unsigned num_values_ = 0;                                   ///< DMRS values per port and symbol.
  std::array<unsigned, max_symbols_per_slot> dmrs_symbols_{}; ///< Slot symbols carrying DMRS.
  unsigned num_dmrs_symbols_ = 0;
  std::array<unsigned, max_layers_per_codeword> deltas_{}; ///< Delta of each layer's port.
  float beta_ = 1.0F;
};

void DmrsChannelEstimatorImpl::generate_dmrs(const PuschDmrsParams& params,
                                             const PuschConfig& pusch) {
  for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
    const unsigned port = pusch.dmrs_port_of_layer(layer);
    deltas_[layer] = dmrs_port_params(type_, port).delta;
    for (unsigned s = 0; s < num_dmrs_symbols_; ++s) {
      generate_pusch_dmrs(params, port, dmrs_symbols_[s],
                          std::span<cf32>(dmrs(layer, s), num_values_));
    }
  }
}

void DmrsChannelEstimatorImpl::correlate_delay(const ResourceGrid& grid, const PuschConfig& pusch,
                                               unsigned rx, unsigned layer) {
  // C = sum z(i + 2) conj(z(i)), z = y conj(x) (the common 1 / beta^2 does not change the
  // phase): values i and i + 2 share k' and lie one comb period P apart. The LS values are kept
  // for despread().
  const unsigned period = comb_period();
  const unsigned pair_offset = type_ == DmrsConfigType::type1 ? 2 : 1;
  for (unsigned s = 0; s < num_dmrs_symbols_; ++s) {
    detail::compute_ls_planes(
        grid.symbol(rx, dmrs_symbols_[s]).data() + first_subcarrier_ + deltas_[layer],
        dmrs(layer, s), period, pair_offset, pilots_.num_pilots, ls_planes(rx, layer, s));
  }
  detail::correlate_ls_planes(
      ls_planes(rx, layer, 0), std::size_t{2} * num_values_, num_dmrs_symbols_, pilots_.num_pilots,
      delay_sums_.data() + (std::size_t{rx} * pusch.num_layers + layer) * num_dmrs_symbols_ * 2);
}

float DmrsChannelEstimatorImpl::estimate_delay(const ResourceGrid& grid, const PuschConfig& pusch,
                                               float scs_hz, bool compensate) {
  const unsigned period = comb_period();
  for_each_rx_layer(grid.num_ports(), pusch.num_layers, [&](unsigned rx, unsigned layer, unsigned) {
    correlate_delay(grid, pusch, rx, layer);
  });
  // Summed in the fixed antenna, layer, symbol order (bit-identical with or without a pool).
  double c_re = 0.0;
  double c_im = 0.0;
  const std::size_t num_sums = std::size_t{grid.num_ports()} * pusch.num_layers * num_dmrs_symbols_;
  for (std::size_t i = 0; i < num_sums; ++i) {
    c_re += delay_sums_[2 * i];
    c_im += delay_sums_[2 * i + 1];
  }
  const double phase = (c_re == 0.0 && c_im == 0.0) ? 0.0 : std::atan2(c_im, c_re);
  const double delay = -phase / (2.0 * std::numbers::pi * period * scs_hz);
  // Compensation ramp exp(+j omega k), omega = 2 pi df tau = -phase / P: a rotation recurrence in
  // double precision, re-anchored every 64 subcarriers.
  const double omega = compensate ? -phase / period : 0.0;
  detail::fill_delay_ramp(omega, subcarriers_per_prb * pusch.prb_size, ramp_.data());
  const unsigned pair_offset = type_ == DmrsConfigType::type1 ? 2 : 1;
  for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
    detail::gather_ramp_planes(ramp_.data() + deltas_[layer], period, pair_offset,
                               pilots_.num_pilots,
                               ramp_planes_.data() + std::size_t{layer} * 2 * num_values_);
  }
  return static_cast<float>(delay);
}

void DmrsChannelEstimatorImpl::despread(const PuschConfig& pusch, unsigned rx, unsigned layer) {
  // z = y conj(x) (from correlate_delay()) times the compensation ramp, summed over the D REs of
  // each OCC block and divided by beta^2 D.
  const unsigned symbols_per_occasion = pusch.dmrs_length;
  const float inverse = 1.0F / (beta_ * beta_ * 2.0F * static_cast<float>(symbols_per_occasion));
  const float* ramp = ramp_planes_.data() + std::size_t{layer} * 2 * num_values_;
  for (unsigned o = 0; o < pilots_.num_occasions; ++o) {
    for (unsigned t = 0; t < symbols_per_occasion; ++t) {
      detail::despread_planes(ls_planes(rx, layer, o * symbols_per_occasion + t), ramp, inverse,
                              t == 0, pilots_.num_pilots, pilots_.pilots(rx, layer, o));
    }
  }
}

void DmrsChannelEstimatorImpl::prepare_interpolation(const DmrsChannelEstimatorOptions& options,
                                                     float scs_hz, float pilot_snr,
                                                     float prior_spread_s) {
  if (options.frequency_interpolation == FrequencyInterpolation::mmse) {
    PilotComb comb;
    comb.spacing = comb_period();
    comb.count = pilots_.num_pilots;
    detail::MmsePrior prior;
    prior.profile = options.delay_profile;
    prior.delay_spread_s = prior_spread_s;
    prior.subcarrier_spacing_hz = scs_hz;
    prior.window = options.mmse_window;
    mmse_.prepare(comb, prior, pilot_snr);
  }
}

void DmrsChannelEstimatorImpl::interpolate_frequency(ChannelEstimate& estimate,
                                                     const DmrsChannelEstimatorOptions& options,
                                                     unsigned rx, unsigned layer,
                                                     float* scratch) const {
  const unsigned num_subcarriers = estimate.num_subcarriers();
  const bool mmse = options.frequency_interpolation == FrequencyInterpolation::mmse;
  PilotComb comb;
  comb.spacing = comb_period();
  comb.count = pilots_.num_pilots;
  const unsigned symbols_per_occasion = num_dmrs_symbols_ / pilots_.num_occasions;
  // Centre of the first de-spread pair: (k_0 + k_1) / 2.
  comb.first = 0.5F * static_cast<float>(dmrs_subcarrier(type_, deltas_[layer], 0) +
                                         dmrs_subcarrier(type_, deltas_[layer], 1));
  for (unsigned o = 0; o < pilots_.num_occasions; ++o) {
    cf32* row =
        estimate.channel(rx, layer, dmrs_symbols_[std::size_t{o} * symbols_per_occasion]).data();
    // With delay compensation, h times conj(ramp) as each output is written.
    const cf32* ramp = options.compensate_delay ? ramp_.data() : nullptr;
    if (mmse) {
      mmse_.interpolate(pilots_.pilots(rx, layer, o), comb, row, num_subcarriers, ramp, scratch);
    } else {
      detail::interpolate_linear(pilots_.pilots(rx, layer, o), comb, row, num_subcarriers, ramp);
    }
  }
}

void DmrsChannelEstimatorImpl::estimate(ChannelEstimate& estimate, const ResourceGrid& grid,
                                        const CellConfig& cell, const PuschConfig& pusch,
                                        unsigned slot, const DmrsChannelEstimatorOptions& options) {
  // The reference signals only: the channel of a PDU (or of one hop of it) needs no TBS.
  if (const std::string error = pusch.validate_reference_signals(cell); !error.empty()) {
    throw std::invalid_argument("DMRS channel estimator: " + error);
  }
  if (grid.num_symbols() != symbols_per_slot(cell.cyclic_prefix) ||
      grid.num_subcarriers() != subcarriers_per_prb * cell.num_prbs) {
    throw std::invalid_argument(
        "DMRS channel estimator: the grid must have " +
        std::to_string(symbols_per_slot(cell.cyclic_prefix)) + " symbols of " +
        std::to_string(subcarriers_per_prb * cell.num_prbs) + " subcarriers");
  }
  if (grid.num_ports() == 0 || grid.num_ports() > limits_.max_rx_antennas ||
      pusch.num_layers > limits_.max_layers || pusch.prb_size > limits_.max_prbs) {
    throw std::invalid_argument("DMRS channel estimator: the PDU exceeds the estimator limits");
  }
  estimate.reshape(grid.num_ports(), pusch.num_layers, pusch.prb_size);
  estimate.set_covariance_groups(options.covariance_group_prbs);

  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  const PuschDmrsParams params = make_pusch_dmrs_params(cell, pusch, slot);
  type_ = pusch.dmrs_config_type;
  first_subcarrier_ = mapping.first_subcarrier;
  num_values_ = params.values_per_symbol();
  beta_ = params.beta;
  num_dmrs_symbols_ = 0;
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    if (params.symbols.contains(l)) {
      dmrs_symbols_[num_dmrs_symbols_++] = l;
    }
  }
  if (num_dmrs_symbols_ > max_ls_symbols) {
    throw std::invalid_argument("DMRS channel estimator: more DMRS symbols than supported");
  }
  pilots_.num_rx = grid.num_ports();
  pilots_.num_layers = pusch.num_layers;
  pilots_.num_occasions = num_dmrs_symbols_ / pusch.dmrs_length;
  pilots_.num_pilots = num_values_ / 2;

  const auto scs_hz = static_cast<float>(subcarrier_spacing_hz(cell.numerology));
  generate_dmrs(params, pusch);
  DmrsMeasurements& measurements = estimate.measurements;
  measurements.delay_s = estimate_delay(grid, pusch, scs_hz, options.compensate_delay);
  for_each_rx_layer(pilots_.num_rx, pilots_.num_layers,
                    [&](unsigned rx, unsigned layer, unsigned) { despread(pusch, rx, layer); });

  const detail::NoiseEstimate noise = detail::estimate_noise(
      pilots_, options.estimate_covariance, estimate, type_ == DmrsConfigType::type1 ? 4U : 6U,
      covariance_samples_, noise_scratch_);
  // De-spread noise sigma_e^2 = sigma^2 / (beta^2 D), D = 2 x symbols per occasion.
  const float despread_gain = beta_ * beta_ * 2.0F * static_cast<float>(pusch.dmrs_length);
  const float channel_power = std::max(noise.mean_pilot_power - noise.despread_variance, 0.0F);
  measurements.noise_variance = despread_gain * noise.despread_variance;
  measurements.rsrp = beta_ * beta_ * channel_power;
  const float snr = channel_power / std::max(measurements.noise_variance, 1e-30F);
  measurements.sinr_db = std::min(100.0F, 10.0F * std::log10(std::max(snr, 1e-30F)));
  if (options.estimate_covariance) {
    detail::finish_covariances(estimate, covariance_samples_, despread_gain / noise.residual_factor,
                               measurements.noise_variance, channel_power);
  }
  const detail::OccasionCorrelations correlations = detail::occasion_correlations(pilots_);
  measurements.cfo_hz =
      detail::estimate_cfo(correlations, cell, slot,
                           std::span(dmrs_symbols_.data(), num_dmrs_symbols_), pusch.dmrs_length);

  const float pilot_spacing_hz = scs_hz * (type_ == DmrsConfigType::type1 ? 4.0F : 6.0F);
  measurements.delay_spread_s = detail::estimate_delay_spread(noise, pilot_spacing_hz);
  const float pilot_snr = channel_power / std::max(noise.despread_variance, 1e-30F);
  prepare_interpolation(options, scs_hz, pilot_snr,
                        prior_delay_spread(options, measurements.delay_spread_s));
  const bool wiener = options.time_interpolation == TimeInterpolation::wiener;
  const bool align = options.align_occasion_phases && correlations.pairs > 0;
  std::array<cf32, max_dmrs_occasions> rotations{};
  measurements.occasion_phases.fill(0.0F);
  if (align) {
    detail::occasion_alignment(correlations, rotations.data());
    for (unsigned o = 1; o < pilots_.num_occasions; ++o) {
      measurements.occasion_phases[o] = occasion_phase(rotations[o].real(), rotations[o].imag());
    }
  }
  if (wiener) {
    prepare_time_wiener(cell, slot, mapping, options, correlations, channel_power,
                        noise.despread_variance, align ? 0.0F : measurements.cfo_hz.value_or(0.0F),
                        pusch.dmrs_length);
  }
  // Each antenna and layer interpolates its own rows: frequency, then time.
  for_each_rx_layer(
      pilots_.num_rx, pilots_.num_layers, [&](unsigned rx, unsigned layer, unsigned lane) {
        float* scratch = scratch_rows_.data() + lane * scratch_row_floats_;
        interpolate_frequency(estimate, options, rx, layer, scratch);
        if (align) {
          detail::align_occasions(estimate, std::span(dmrs_symbols_.data(), num_dmrs_symbols_),
                                  pilots_.num_occasions, rx, layer, rotations.data());
        }
        detail::interpolate_time(estimate, mapping, options.time_interpolation,
                                 std::span(dmrs_symbols_.data(), num_dmrs_symbols_),
                                 pilots_.num_occasions, rx, layer, reinterpret_cast<cf32*>(scratch),
                                 wiener ? &time_weights_ : nullptr);
      });
}

void DmrsChannelEstimatorImpl::prepare_time_wiener(const CellConfig& cell, unsigned slot,
                                                   const PuschReMapping& mapping,
                                                   const DmrsChannelEstimatorOptions& options,
                                                   const detail::OccasionCorrelations& c,
                                                   float channel_power, float despread_variance,
                                                   float cfo_hz, unsigned symbols_per_occasion) {
  std::array<double, max_symbols_per_slot> centre{};
  dmrs_symbol_centres(cell, slot, centre);
  double occasion_times[max_dmrs_occasions] = {};
  const unsigned occasions =
      dmrs_occasion_times(centre, std::span(dmrs_symbols_.data(), num_dmrs_symbols_),
                          symbols_per_occasion, occasion_times);
  // Doppler fitted per pair; the CFO's share of the rotation by how well the occasions correlate
  // (on TDL-B100 at 1 kHz the full CFO in the model costs 2 dB of estimation error; a 500 Hz
  // offset on a slow channel is followed either way); the frequency interpolator's noise gain.
  const float noise_gain = options.frequency_interpolation == FrequencyInterpolation::mmse
                               ? mmse_.noise_gain()
                               : 2.0F / 3.0F; // linear: mean (1 - u)^2 + u^2 over u in [0, 1)
  const TimeWienerModel model =
      time_wiener_model(c.c_re, c.c_im, c.pairs, c.terms_per_pair, occasion_times, channel_power,
                        despread_variance, noise_gain, cfo_hz);
  detail::time_wiener_weights(std::span(occasion_times, occasions), centre, mapping.start_symbol,
                              mapping.start_symbol + mapping.num_symbols, model.doppler_hz,
                              model.cfo_hz, model.noise_ratio, time_weights_);
}

} // namespace

std::unique_ptr<DmrsChannelEstimator>
create_dmrs_channel_estimator(const DmrsChannelEstimatorLimits& limits, ThreadPool* pool) {
  if (limits.max_rx_antennas < 1 || limits.max_rx_antennas > 16 || limits.max_layers < 1 ||
      limits.max_layers > max_layers_per_codeword || limits.max_prbs < 1 || limits.max_prbs > 275) {
    throw std::invalid_argument("DMRS channel estimator: limits must be 1..16 receive antennas, "
                                "1..4 layers and 1..275 PRBs");
  }
  return std::make_unique<DmrsChannelEstimatorImpl>(limits, pool);
}

ChannelEstimate make_channel_estimate(const DmrsChannelEstimatorLimits& limits) {
  return {limits.max_rx_antennas, limits.max_layers, limits.max_prbs};
}

} // namespace airan::phy
