/// \file
/// \brief The input and output contract of a neural PUSCH receiver (docs/NEURAL_RECEIVER.md):
/// builds the three input tensors of one PDU from the received grid, and maps the model's LLR
/// tensor back to codeword order. Training (through `import airan`) and inference call the same
/// code, so the model sees the same features in both.
///
/// Tensors are float32, NCHW with batch 1, over the PDU's S OFDM symbols and F = 12 prb_size
/// subcarriers (index 0 = its first symbol and first subcarrier):
///  - rx_grid    [1, 8, S, F]: channel 2a = Re y_a, 2a + 1 = Im y_a for receive antenna a < 4;
///    absent antennas are zero.
///  - ls_channel [1, 32, S, F]: channel 2(4a + l) (+1) = Re (Im) of the least-squares estimate of
///    antenna a and layer l: per DMRS occasion (one DMRS symbol, or the pair of a double-symbol
///    DMRS) and CDM block (the two REs of a k' pair, times the pair of symbols), the mean of
///    y / x over the block (x the layer's DMRS with beta, w_f and w_t, which removes the other
///    ports of the CDM group), copied to every RE from the nearest occasion in time and the
///    nearest block centre in frequency. Absent antennas and layers are zero.
///  - side_info  [1, 7, S, F]: channels 0-3 antenna mask (1 where antenna a exists), 4 the noise
///    variance per RE and antenna from the DMRS (the product estimator's), 5 the signed distance
///    in symbols to the nearest DMRS symbol divided by 14, 6 the signed distance in subcarriers
///    to the nearest block centre of layer 0's CDM group divided by 12.
///  - llr (output) [1, 32, S, F]: channel 8l + j = LLR of bit j of layer l's symbol on that RE,
///    log P(b = 0) / P(b = 1) (positive favours 0); only data REs and j < Q_m are read.
#pragma once

#include "airan/phy/channel_estimate.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace airan::phy::nn {

/// Receive antennas a model input holds.
constexpr unsigned neural_max_rx_antennas = 4;
/// Layers a model output holds.
constexpr unsigned neural_max_layers = 4;
/// Bits per symbol a model output holds (256-QAM).
constexpr unsigned neural_max_bits_per_symbol = 8;
/// Channels of the tensors.
constexpr unsigned neural_rx_grid_channels = 2 * neural_max_rx_antennas;
constexpr unsigned neural_ls_channel_channels = 2 * neural_max_rx_antennas * neural_max_layers;
constexpr unsigned neural_side_info_channels = neural_max_rx_antennas + 3;
constexpr unsigned neural_llr_channels = neural_max_layers * neural_max_bits_per_symbol;
/// Side-information channels.
constexpr unsigned neural_noise_variance_channel = neural_max_rx_antennas;
constexpr unsigned neural_time_distance_channel = neural_max_rx_antennas + 1;
constexpr unsigned neural_frequency_distance_channel = neural_max_rx_antennas + 2;

/// Builds the input tensors of one PDU at a time. Buffers are allocated at construction for the
/// largest PDU; build() does not allocate. Not thread-safe.
class NeuralReceiverInputs {
public:
  /// \param max_prbs Largest allocation (1 .. 275).
  /// \throws std::invalid_argument outside that range.
  explicit NeuralReceiverInputs(unsigned max_prbs = 275);
  ~NeuralReceiverInputs();
  NeuralReceiverInputs(const NeuralReceiverInputs&) = delete;
  NeuralReceiverInputs& operator=(const NeuralReceiverInputs&) = delete;

  /// Fills the tensors of \p pusch from the carrier grid \p grid ([rx antenna][symbol of the
  /// slot][subcarrier of the carrier]). The noise variance and the measurements come from the
  /// product DMRS estimator (linear interpolation; its noise estimate does not depend on it).
  /// \throws std::invalid_argument for an invalid configuration, a grid of the wrong shape, more
  /// than 4 receive antennas or layers, or an allocation beyond max_prbs.
  void build(const ResourceGrid& grid, const CellConfig& cell, const PuschConfig& pusch,
             unsigned slot);

  [[nodiscard]] unsigned num_symbols() const { return num_symbols_; }
  [[nodiscard]] unsigned num_subcarriers() const { return num_subcarriers_; }
  /// [1, channels, S, F] of the last build().
  [[nodiscard]] std::array<std::int64_t, 4> shape(unsigned channels) const {
    return {1, channels, num_symbols_, num_subcarriers_};
  }
  [[nodiscard]] std::span<const float> rx_grid() const { return tensor(rx_grid_, 8); }
  [[nodiscard]] std::span<const float> ls_channel() const { return tensor(ls_channel_, 32); }
  [[nodiscard]] std::span<const float> side_info() const { return tensor(side_info_, 7); }
  /// DMRS measurements of the last build() (noise variance, RSRP, SINR, CFO, delay).
  [[nodiscard]] const DmrsMeasurements& measurements() const;

private:
  [[nodiscard]] std::span<const float> tensor(const std::vector<float>& buffer,
                                              unsigned channels) const {
    return {buffer.data(), std::size_t{channels} * num_symbols_ * num_subcarriers_};
  }
  void fill_ls_channel(const ResourceGrid& grid, const CellConfig& cell, const PuschConfig& pusch,
                       unsigned slot, unsigned first_subcarrier);

  unsigned max_prbs_;
  unsigned num_symbols_ = 0;
  unsigned num_subcarriers_ = 0;
  std::vector<float> rx_grid_;
  std::vector<float> ls_channel_;
  std::vector<float> side_info_;
  std::vector<cf32> dmrs_;   ///< One port's DMRS on one symbol.
  std::vector<cf32> blocks_; ///< De-spread blocks [occasion][block] of one antenna and layer.
  std::vector<unsigned> nearest_block_; ///< Per subcarrier, for the current layer.
  std::unique_ptr<DmrsChannelEstimator> estimator_;
  ChannelEstimate estimate_;
};

/// How a PDU's symbols relate to its DMRS: the DMRS occasions (one DMRS symbol, or the pair of a
/// double-symbol DMRS), and per PDU symbol the occasion ls_channel copies from and side_info's
/// time distance.
struct NeuralSymbolMap {
  struct Occasions {
    std::array<unsigned, max_symbols_per_slot> first{};  ///< First slot symbol of each.
    std::array<unsigned, max_symbols_per_slot> length{}; ///< 1, or 2 (double symbol).
    unsigned count = 0;
  };
  Occasions occasions;
  /// Per PDU symbol: the nearest occasion (ties go to the earlier one).
  std::array<unsigned, max_symbols_per_slot> nearest_occasion{};
  /// Per PDU symbol: the signed distance in symbols to the nearest DMRS symbol, divided by 14.
  std::array<float, max_symbols_per_slot> time_distance{};
};

/// The symbol map of a PDU of \p num_symbols symbols from \p start_symbol with DMRS on \p dmrs.
NeuralSymbolMap neural_symbol_map(const DmrsSymbols& dmrs, unsigned start_symbol,
                                  unsigned num_symbols);

/// For each of the G = pusch_coded_bits(cell, pusch) codeword bits, in the order the front end
/// writes LLRs (data REs symbol by symbol and subcarrier by subcarrier, then layer, then bit),
/// the flat index into the [32, S, F] LLR tensor of the PDU.
/// \throws std::invalid_argument for an invalid configuration, more than 4 layers, more than 8
/// bits per symbol, or positions.size() != G.
void neural_llr_positions(const CellConfig& cell, const PuschConfig& pusch,
                          std::span<std::uint32_t> positions);

} // namespace airan::phy::nn
