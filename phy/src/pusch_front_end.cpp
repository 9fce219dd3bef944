#include "airan/phy/pusch_front_end.h"

#include "pusch_front_end_impl.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/equalization_quality.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/perfect_channel_estimate.h"
#include "airan/phy/ptrs_phase_tracking.h"
#include "airan/phy/pusch_frequency_hopping.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/soft_demapper.h"
#include "airan/phy/thread_pool.h"
#include "airan/phy/transform_precoder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

/// Error and reference power of hard decisions on \p count real values (QAM axis samples):
/// each value against its nearest level scale * (2i - M + 1), i = floor(v / (2 scale) + M / 2)
/// clamped to 0 .. M - 1, with M = 2^bits_per_axis levels. Float sums: callers keep \p count
/// small (one block) and add the results up in double precision.
void hard_decision_powers(const float* values, std::size_t count, unsigned bits_per_axis,
                          float scale, float& error_power, float& reference_power) {
  const int levels = 1 << bits_per_axis;
  const float inverse_interval = 0.5F / scale;
  const float half = 0.5F * static_cast<float>(levels);
  float error = 0.0F;
  float reference = 0.0F;
  for (std::size_t i = 0; i < count; ++i) {
    const float point = qam_axis_decision(values[i], levels, scale, inverse_interval, half);
    error += (values[i] - point) * (values[i] - point);
    reference += point * point;
  }
  error_power = error;
  reference_power = reference;
}

} // namespace

using front_end_detail::evm_block;

PuschFrontEnd::PuschFrontEnd(const PuschFrontEndLimits& limits, ThreadPool* pool) {
  if (limits.max_rx_antennas < 1 || limits.max_rx_antennas > max_equalizer_rx_antennas ||
      limits.max_layers < 1 || limits.max_layers > max_equalizer_layers || limits.max_prbs < 1 ||
      limits.max_prbs > 275) {
    throw std::invalid_argument("PUSCH front end: limits must be 1..16 receive antennas, 1..4 "
                                "layers and 1..275 PRBs");
  }
  impl_ = std::make_unique<Impl>(limits, pool);
}

PuschFrontEnd::~PuschFrontEnd() = default;
PuschFrontEnd::PuschFrontEnd(PuschFrontEnd&&) noexcept = default;
PuschFrontEnd& PuschFrontEnd::operator=(PuschFrontEnd&&) noexcept = default;

void PuschFrontEnd::estimate_channel(const ResourceGrid& grid, const CellConfig& cell,
                                     const PuschConfig& pusch, unsigned slot,
                                     const PuschFrontEndOptions& options) {
  DmrsChannelEstimatorOptions estimator_options = options.estimator;
  if (options.equalizer == EqualizerAlgorithm::mmse_irc) {
    estimator_options.estimate_covariance = true;
  }
  Impl& s = *impl_;
  s.phases.fill(0.0F);
  if (pusch.intra_slot_hopping) {
    // Each hop from its own DMRS (validate() keeps PT-RS off hopping PDUs).
    const std::uint16_t mask = pusch_dmrs_symbols(cell, pusch).mask;
    const PuschHops hops = pusch_hops(pusch);
    s.estimator->estimate(s.estimate, grid, cell, pusch_hop_config(pusch, hops.hops[0], mask), slot,
                          estimator_options);
    s.estimator->estimate(s.hop_estimate, grid, cell, pusch_hop_config(pusch, hops.hops[1], mask),
                          slot, estimator_options);
    merge_hop_estimates(s.estimate, s.hop_estimate, hops.hops[1].start_symbol);
    return;
  }
  std::optional<PuschReMapping> mapping;
  if (pusch.ptrs.enabled && options.track_phase) {
    try {
      mapping = make_pusch_re_mapping(cell, pusch);
    } catch (const std::invalid_argument&) {
      // An invalid PDU: the estimator says why.
    }
  }
  // PT-RS restores each symbol's phase (the occasions' own phases kept as anchors): the
  // occasions are interpolated at one phase. Without PT-RS symbols nothing would restore it.
  const bool track = mapping && mapping->ptrs.present();
  estimator_options.align_occasion_phases = track;
  s.estimator->estimate(s.estimate, grid, cell, pusch, slot, estimator_options);
  if (!track) {
    return;
  }
  const std::span<cf32> values(s.ptrs_values.data(),
                               ptrs_count(mapping->ptrs, mapping->num_subcarriers()));
  generate_pusch_ptrs(make_pusch_dmrs_params(cell, pusch, slot), pusch, mapping->ptrs, values);
  estimate_ptrs_phases(grid, s.estimate, *mapping, values,
                       std::span<float>(s.phases.data(), grid.num_symbols()));
}

void PuschFrontEnd::use_true_channel(const ChannelResponse& true_channel, const CellConfig& cell,
                                     const PuschConfig& pusch, float noise_variance) {
  if (pusch.num_layers > impl_->limits.max_layers || pusch.prb_size > impl_->limits.max_prbs ||
      true_channel.num_rx() > impl_->limits.max_rx_antennas) {
    throw std::invalid_argument("PUSCH front end: the PDU exceeds the front end's limits");
  }
  fill_perfect_channel_estimate(impl_->estimate, true_channel, cell, pusch, noise_variance);
  impl_->phases.fill(0.0F);
}

void PuschFrontEnd::equalize(const ResourceGrid& grid, const CellConfig& cell,
                             const PuschConfig& pusch, const PuschFrontEndOptions& options) {
  impl_->equalize(grid, cell, pusch, options.equalizer);
}

void PuschFrontEnd::demap(const PuschConfig& pusch, std::span<float> llrs,
                          SoftDemapping demapping) {
  const unsigned qm = pusch.modulation_order();
  if (llrs.size() != impl_->num_symbols * qm) {
    throw std::invalid_argument("PUSCH front end: " + std::to_string(llrs.size()) +
                                " LLRs for G = " + std::to_string(impl_->num_symbols * qm));
  }
  impl_->demap(modulation_from_order(qm), llrs, demapping);
}

PuschMeasurements PuschFrontEnd::process(const ResourceGrid& grid, const CellConfig& cell,
                                         const PuschConfig& pusch, unsigned slot,
                                         const PuschFrontEndOptions& options,
                                         std::span<float> llrs) {
  estimate_channel(grid, cell, pusch, slot, options);
  const std::size_t g = pusch_coded_bits(cell, pusch);
  if (llrs.size() != g) {
    throw std::invalid_argument("PUSCH front end: " + std::to_string(llrs.size()) +
                                " LLRs for G = " + std::to_string(g));
  }
  equalize(grid, cell, pusch, options);
  demap(pusch, llrs, options.demapping);
  return measurements(pusch);
}

const ChannelEstimate& PuschFrontEnd::channel_estimate() const {
  return impl_->estimate;
}

std::span<const float> PuschFrontEnd::ptrs_phases() const {
  return {impl_->phases.data(), impl_->phases.size()};
}

std::span<const cf32> PuschFrontEnd::equalized_symbols() const {
  return {impl_->symbols.data(), impl_->num_symbols};
}

std::span<const float> PuschFrontEnd::equalized_noise_variances() const {
  return {impl_->noise_variances.data(), impl_->num_symbols};
}

PuschMeasurements PuschFrontEnd::measurements(const PuschConfig& pusch) const {
  const DmrsMeasurements& dmrs = impl_->estimate.measurements;
  PuschMeasurements result;
  result.noise_variance = dmrs.noise_variance;
  result.rsrp = dmrs.rsrp;
  result.sinr_db = dmrs.sinr_db;
  result.cfo_hz = dmrs.cfo_hz;
  result.delay_s = dmrs.delay_s;

  const unsigned qm = pusch.modulation_order();
  const auto symbols = equalized_symbols();
  const auto noise = equalized_noise_variances();
  // EVM against hard decisions on the QAM axes (pi/2-BPSK points all lie on the QPSK grid).
  const unsigned decision_qm = qm >= 2 ? qm : 2;
  const auto* values = reinterpret_cast<const float*>(symbols.data());
  const std::size_t num_values = 2 * symbols.size();
  const std::size_t num_blocks = (num_values + evm_block - 1) / evm_block;
  float* powers = impl_->block_powers.data();
  double noise_sum = 0.0;
  std::size_t noise_count = 0;
  // Item 0: the noise sum; item 1 + b: EVM block b. Sums are added up in a fixed order below,
  // so the result does not depend on the pool.
  const auto run_item = [&](std::size_t item) {
    if (item == 0) {
      for (float variance : noise) {
        if (std::isfinite(variance)) {
          noise_sum += variance;
          ++noise_count;
        }
      }
      return;
    }
    const std::size_t first = (item - 1) * evm_block;
    hard_decision_powers(values + first, std::min(evm_block, num_values - first), decision_qm / 2,
                         qam_scale(decision_qm), powers[2 * (item - 1)],
                         powers[2 * (item - 1) + 1]);
  };
  if (impl_->pool != nullptr && num_blocks > 1) {
    const auto* f = &run_item; // one captured pointer: std::function does not allocate
    impl_->pool->parallel_for(num_blocks + 1, [f](std::size_t item, unsigned) { (*f)(item); });
  } else {
    for (std::size_t item = 0; item <= num_blocks; ++item) {
      run_item(item);
    }
  }
  double error_power = 0.0;
  double reference_power = 0.0;
  for (std::size_t b = 0; b < num_blocks; ++b) {
    error_power += powers[2 * b];
    reference_power += powers[2 * b + 1];
  }
  // REs sent empty (a PUSCH without UL-SCH) are no constellation points: taken back out.
  for (unsigned r = 0; r < impl_->num_empty_ranges; ++r) {
    const auto [first, end] = impl_->empty_symbols[r];
    for (std::size_t v = 2 * first; v < 2 * end; v += evm_block) {
      float error = 0.0F;
      float reference = 0.0F;
      hard_decision_powers(values + v, std::min(evm_block, 2 * end - v), decision_qm / 2,
                           qam_scale(decision_qm), error, reference);
      error_power -= error;
      reference_power -= reference;
    }
  }
  error_power = std::max(error_power, 0.0);
  result.post_eq_sinr_db = post_equalization_sinr_db(noise_sum, noise_count);
  result.evm = evm_of(error_power, reference_power);
  return result;
}

} // namespace airan::phy
