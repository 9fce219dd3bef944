/// \file
/// \brief ChannelEstimate: the channel of one PUSCH per receive antenna, layer and resource
/// element of its allocation, the interference-plus-noise covariance per PRB group, and the
/// DMRS measurements of the PDU (noise, RSRP, SINR, CFO, delay).
///
/// With codebook precoding the DMRS is precoded like the data (see PuschTransmitter), so the
/// estimate of layer l is that of the effective channel H W, column l.
#pragma once

#include "airan/phy/dmrs_cfo.h"
#include "airan/phy/numerology.h"
#include "airan/phy/types.h"

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

namespace airan::phy {

/// Measurements of one PUSCH from its DMRS.
struct DmrsMeasurements {
  /// Noise (plus interference) variance per RE and receive antenna, averaged over the antennas,
  /// in grid units (the data symbols have unit average power).
  float noise_variance = 0.0F;
  /// Received DMRS RE power per receive antenna and layer (linear, grid units; includes the
  /// DMRS amplitude beta), with the noise contribution removed.
  float rsrp = 0.0F;
  /// Pre-equalization SNR per receive antenna and layer: channel power at data EPRE over the
  /// noise variance, in dB; capped at 100 dB for noise-free input.
  float sinr_db = 0.0F;
  /// Carrier frequency offset in Hz, from the phase rotation between DMRS occasions; empty with
  /// a single DMRS occasion.
  std::optional<float> cfo_hz;
  /// Delay (timing offset) in seconds from the phase slope across frequency: positive when the
  /// signal arrives late.
  float delay_s = 0.0F;
  /// RMS delay spread in seconds that an exponential power-delay profile would need to give the
  /// measured correlations of the de-spread pilots: between neighbours against the channel
  /// power, or between neighbours against pilots k apart (k = 4, fewer on rows of under 8
  /// pilots, none under 4), whichever fit is wider (a coarse fit; 0 when flat).
  float delay_spread_s = 0.0F;
  /// With DmrsChannelEstimatorOptions::align_occasion_phases: the phase in radians of each DMRS
  /// occasion against the first, measured over every antenna, layer and pilot, which the
  /// aligned estimate no longer carries (PT-RS phase tracking anchors on it); 0 otherwise.
  std::array<float, max_dmrs_occasions> occasion_phases{};
};

/// Channel estimate storage, allocated once for the largest PUSCH, reshaped per PDU.
///
/// H(rx, layer) is stored for every symbol of the slot (rows outside the PUSCH symbols are left
/// as they are) and every subcarrier of the allocation (index 0 = first allocated subcarrier).
class ChannelEstimate {
public:
  ChannelEstimate() = default;
  /// Storage for up to \p max_rx_antennas x \p max_layers x 14 symbols x 12 \p max_prbs REs,
  /// and one covariance matrix per PRB.
  ChannelEstimate(unsigned max_rx_antennas, unsigned max_layers, unsigned max_prbs)
      : max_rx_(max_rx_antennas), max_layers_(max_layers), max_prbs_(max_prbs),
        elements_(std::size_t{max_rx_antennas} * max_layers * max_symbols_per_slot *
                  subcarriers_per_prb * max_prbs),
        covariances_(2 * std::size_t{max_rx_antennas} * max_rx_antennas * max_prbs) {}

  /// Sets the shape of the next estimate without allocating.
  /// \throws std::length_error when it exceeds the construction-time maxima.
  void reshape(unsigned num_rx_antennas, unsigned num_layers, unsigned num_prbs) {
    if (num_rx_antennas > max_rx_ || num_layers > max_layers_ || num_prbs > max_prbs_) {
      throw std::length_error("ChannelEstimate::reshape: shape exceeds the allocated maxima");
    }
    num_rx_ = num_rx_antennas;
    num_layers_ = num_layers;
    num_prbs_ = num_prbs;
    second_hop_symbol_ = max_symbols_per_slot;
    set_covariance_groups(0);
  }

  [[nodiscard]] unsigned num_rx_antennas() const { return num_rx_; }
  [[nodiscard]] unsigned num_layers() const { return num_layers_; }
  [[nodiscard]] unsigned num_prbs() const { return num_prbs_; }
  [[nodiscard]] unsigned num_subcarriers() const { return subcarriers_per_prb * num_prbs_; }

  /// H(rx, layer) on slot symbol \p symbol for the allocation's subcarriers.
  [[nodiscard]] std::span<cf32> channel(unsigned rx, unsigned layer, unsigned symbol) {
    return {elements_.data() + offset(rx, layer, symbol), num_subcarriers()};
  }
  [[nodiscard]] std::span<const cf32> channel(unsigned rx, unsigned layer, unsigned symbol) const {
    return {elements_.data() + offset(rx, layer, symbol), num_subcarriers()};
  }
  /// H(rx, layer) at slot symbol \p symbol, allocation subcarrier \p k, unchecked.
  [[nodiscard]] cf32 at(unsigned rx, unsigned layer, unsigned symbol, unsigned k) const {
    return elements_[offset(rx, layer, symbol) + k];
  }

  /// Sets how the allocation is split for covariance estimation: groups of \p prbs_per_group
  /// PRBs from the first allocated PRB (the last one may be shorter); 0 means one group.
  void set_covariance_groups(unsigned prbs_per_group) {
    group_prbs_ = (prbs_per_group == 0 || prbs_per_group > num_prbs_) ? num_prbs_ : prbs_per_group;
    group_prbs_ = group_prbs_ == 0 ? 1 : group_prbs_;
    num_groups_ = (num_prbs_ + group_prbs_ - 1) / group_prbs_;
  }
  [[nodiscard]] unsigned num_covariance_groups() const { return num_groups_; }
  /// PRBs per covariance group (the last group may have fewer).
  [[nodiscard]] unsigned covariance_group_prbs() const { return group_prbs_; }
  /// Covariance group of allocation subcarrier \p k.
  [[nodiscard]] unsigned covariance_group_of(unsigned k) const {
    return k / (subcarriers_per_prb * group_prbs_);
  }
  /// Interference-plus-noise covariance across the receive antennas of group \p group:
  /// num_rx x num_rx, row-major, Hermitian. Meaningful only when the estimator was asked for it.
  /// Intra-slot hopping: slot symbols from \p symbol on belong to the second hop, whose
  /// covariance groups follow the first hop's (num_covariance_groups() .. twice that - 1), and
  /// each hop has its own noise variance. Reset by reshape().
  void set_second_hop(unsigned symbol, float first_hop_noise, float second_hop_noise) {
    second_hop_symbol_ = symbol;
    hop_noise_ = {first_hop_noise, second_hop_noise};
  }
  /// Noise variance per RE and antenna on slot symbol \p symbol: its hop's with intra-slot
  /// hopping, otherwise measurements.noise_variance.
  [[nodiscard]] float noise_variance_of(unsigned symbol) const {
    if (second_hop_symbol_ >= max_symbols_per_slot) {
      return measurements.noise_variance;
    }
    // A select between the two values, not an index computed from the comparison: GCC 12's
    // vectorizer turned that index into the comparison's mask (-1 instead of 1) in
    // PuschFrontEnd's per-symbol loop at -O3 and read the float before hop_noise_.
    return symbol >= second_hop_symbol_ ? hop_noise_[1] : hop_noise_[0];
  }
  /// First slot symbol of the second hop (max_symbols_per_slot: none).
  [[nodiscard]] unsigned second_hop_symbol() const { return second_hop_symbol_; }
  /// Index of the first covariance group of slot symbol \p symbol's hop: 0, or
  /// num_covariance_groups() in the second hop.
  [[nodiscard]] unsigned covariance_group_base(unsigned symbol) const {
    return symbol >= second_hop_symbol_ ? num_groups_ : 0;
  }
  [[nodiscard]] std::span<cf32> covariance(unsigned group) {
    return {covariances_.data() + std::size_t{group} * num_rx_ * num_rx_,
            std::size_t{num_rx_} * num_rx_};
  }
  [[nodiscard]] std::span<const cf32> covariance(unsigned group) const {
    return {covariances_.data() + std::size_t{group} * num_rx_ * num_rx_,
            std::size_t{num_rx_} * num_rx_};
  }

  /// DMRS measurements of the PDU.
  DmrsMeasurements measurements;

private:
  [[nodiscard]] std::size_t offset(unsigned rx, unsigned layer, unsigned symbol) const {
    return ((std::size_t{rx} * num_layers_ + layer) * max_symbols_per_slot + symbol) *
           num_subcarriers();
  }

  unsigned max_rx_ = 0;
  unsigned max_layers_ = 0;
  unsigned max_prbs_ = 0;
  unsigned num_rx_ = 0;
  unsigned num_layers_ = 0;
  unsigned num_prbs_ = 0;
  unsigned group_prbs_ = 1;
  unsigned num_groups_ = 1;
  unsigned second_hop_symbol_ = max_symbols_per_slot;
  std::array<float, 2> hop_noise_{}; ///< Noise variance of each hop (with a second hop).
  std::vector<cf32> elements_;
  std::vector<cf32> covariances_;
};

} // namespace airan::phy
