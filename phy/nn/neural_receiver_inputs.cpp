#include "airan/phy/nn/neural_receiver_inputs.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/nn/neural_input_math.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_transmitter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace airan::phy::nn {
namespace {

/// The block grid of the layer whose CDM group starts at \p delta (neural_input_math.h).
NeuralBlockGrid block_grid(DmrsConfigType type, unsigned delta, unsigned num_blocks) {
  return neural_block_grid(type == DmrsConfigType::type1, delta, num_blocks);
}

/// Blocks (k' pairs) of one port's DMRS in an allocation of \p prbs PRBs.
unsigned num_dmrs_blocks(DmrsConfigType type, unsigned prbs) {
  return prbs * subcarriers_per_prb / (type == DmrsConfigType::type1 ? 4 : 6);
}

} // namespace

NeuralReceiverInputs::NeuralReceiverInputs(unsigned max_prbs) : max_prbs_(max_prbs) {
  if (max_prbs < 1 || max_prbs > 275) {
    throw std::invalid_argument("neural receiver inputs: max_prbs must be 1 .. 275");
  }
  const std::size_t plane = std::size_t{max_symbols_per_slot} * subcarriers_per_prb * max_prbs;
  rx_grid_.resize(neural_rx_grid_channels * plane);
  ls_channel_.resize(neural_ls_channel_channels * plane);
  side_info_.resize(neural_side_info_channels * plane);
  dmrs_.resize(std::size_t{dmrs_res_per_prb(DmrsConfigType::type1)} * max_prbs);
  blocks_.resize(std::size_t{max_symbols_per_slot} * 3 * max_prbs);
  nearest_block_.resize(std::size_t{subcarriers_per_prb} * max_prbs);
  const DmrsChannelEstimatorLimits limits{neural_max_rx_antennas, neural_max_layers, max_prbs};
  estimator_ = create_dmrs_channel_estimator(limits);
  estimate_ = make_channel_estimate(limits);
}

NeuralReceiverInputs::~NeuralReceiverInputs() = default;

const DmrsMeasurements& NeuralReceiverInputs::measurements() const {
  return estimate_.measurements;
}

void NeuralReceiverInputs::build(const ResourceGrid& grid, const CellConfig& cell,
                                 const PuschConfig& pusch, unsigned slot) {
  if (const std::string problem = pusch.validate(cell); !problem.empty()) {
    throw std::invalid_argument("neural receiver inputs: " + problem);
  }
  if (pusch.transform_precoding) {
    // Its LLRs are per resource element; DFT-s-OFDM spreads each symbol over the allocation.
    throw std::invalid_argument("neural receiver inputs: the neural receiver takes CP-OFDM PUSCH "
                                "only, not transform precoding (DFT-s-OFDM)");
  }
  const unsigned num_rx = grid.num_ports();
  if (num_rx == 0 || num_rx > neural_max_rx_antennas || pusch.num_layers > neural_max_layers) {
    throw std::invalid_argument("neural receiver inputs: the model takes 1 .. 4 receive antennas "
                                "and 1 .. 4 layers, not " +
                                std::to_string(num_rx) + " and " +
                                std::to_string(pusch.num_layers));
  }
  if (pusch.prb_size > max_prbs_) {
    throw std::invalid_argument("neural receiver inputs: " + std::to_string(pusch.prb_size) +
                                " PRBs exceed the limit of " + std::to_string(max_prbs_));
  }
  // The product estimator supplies the noise variance and the measurements (and checks the grid).
  DmrsChannelEstimatorOptions options;
  options.frequency_interpolation = FrequencyInterpolation::linear;
  estimator_->estimate(estimate_, grid, cell, pusch, slot, options);

  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  num_symbols_ = mapping.num_symbols;
  num_subcarriers_ = mapping.num_subcarriers();
  const std::size_t plane = std::size_t{num_symbols_} * num_subcarriers_;

  std::fill_n(rx_grid_.begin(), neural_rx_grid_channels * plane, 0.0F);
  for (unsigned a = 0; a < num_rx; ++a) {
    for (unsigned s = 0; s < num_symbols_; ++s) {
      const auto row = grid.symbol(a, mapping.start_symbol + s)
                           .subspan(mapping.first_subcarrier, num_subcarriers_);
      float* re = rx_grid_.data() + std::size_t{2} * a * plane + std::size_t{s} * num_subcarriers_;
      float* im = re + plane;
      for (unsigned k = 0; k < num_subcarriers_; ++k) {
        re[k] = row[k].real();
        im[k] = row[k].imag();
      }
    }
  }
  fill_ls_channel(grid, cell, pusch, slot, mapping.first_subcarrier);

  // Side information.
  float* side = side_info_.data();
  for (unsigned a = 0; a < neural_max_rx_antennas; ++a) {
    std::fill_n(side + a * plane, plane, a < num_rx ? 1.0F : 0.0F);
  }
  std::fill_n(side + neural_noise_variance_channel * plane, plane,
              estimate_.measurements.noise_variance);
  const NeuralSymbolMap symbols =
      neural_symbol_map(mapping.dmrs_symbols, mapping.start_symbol, num_symbols_);
  float* time_distance = side + neural_time_distance_channel * plane;
  for (unsigned s = 0; s < num_symbols_; ++s) {
    std::fill_n(time_distance + std::size_t{s} * num_subcarriers_, num_subcarriers_,
                symbols.time_distance[s]);
  }
  const DmrsConfigType type = pusch.dmrs_config_type;
  const unsigned delta = dmrs_port_params(type, pusch.dmrs_port_of_layer(0)).delta;
  const NeuralBlockGrid blocks = block_grid(type, delta, num_dmrs_blocks(type, pusch.prb_size));
  float* frequency_distance = side + neural_frequency_distance_channel * plane;
  for (unsigned k = 0; k < num_subcarriers_; ++k) {
    frequency_distance[k] =
        neural_nearest_block(blocks, k).distance / static_cast<float>(subcarriers_per_prb);
  }
  for (unsigned s = 1; s < num_symbols_; ++s) {
    std::copy_n(frequency_distance, num_subcarriers_,
                frequency_distance + std::size_t{s} * num_subcarriers_);
  }
}

void NeuralReceiverInputs::fill_ls_channel(const ResourceGrid& grid, const CellConfig& cell,
                                           const PuschConfig& pusch, unsigned slot,
                                           unsigned first_subcarrier) {
  const std::size_t plane = std::size_t{num_symbols_} * num_subcarriers_;
  std::fill_n(ls_channel_.begin(), neural_ls_channel_channels * plane, 0.0F);
  const PuschDmrsParams params = make_pusch_dmrs_params(cell, pusch, slot);
  const NeuralSymbolMap symbols =
      neural_symbol_map(params.symbols, pusch.start_symbol, num_symbols_);
  const NeuralSymbolMap::Occasions& occasions = symbols.occasions;
  const DmrsConfigType type = params.config_type;
  const unsigned values = params.values_per_symbol();
  const unsigned num_blocks = values / 2;
  const std::span<cf32> dmrs(dmrs_.data(), values);

  for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
    const unsigned port = pusch.dmrs_port_of_layer(layer);
    const unsigned delta = dmrs_port_params(type, port).delta;
    const NeuralBlockGrid blocks = block_grid(type, delta, num_blocks);
    for (unsigned k = 0; k < num_subcarriers_; ++k) {
      nearest_block_[k] = neural_nearest_block(blocks, k).index;
    }
    for (unsigned a = 0; a < grid.num_ports(); ++a) {
      // De-spread blocks of every occasion: mean of y / x over the block's REs.
      for (unsigned o = 0; o < occasions.count; ++o) {
        cf32* out = blocks_.data() + std::size_t{o} * num_blocks;
        std::fill_n(out, num_blocks, cf32(0.0F, 0.0F));
        for (unsigned i = 0; i < occasions.length[o]; ++i) {
          const unsigned l = occasions.first[o] + i;
          generate_pusch_dmrs(params, port, l, dmrs);
          const auto row = grid.symbol(a, l).subspan(first_subcarrier, num_subcarriers_);
          for (unsigned v = 0; v < values; ++v) {
            const cf32 y = row[dmrs_subcarrier(type, delta, v)];
            const cmat::Complex z =
                neural_ls_term({y.real(), y.imag()}, {dmrs[v].real(), dmrs[v].imag()});
            out[v / 2] += cf32(z.re, z.im);
          }
        }
        const float scale = 1.0F / static_cast<float>(2 * occasions.length[o]);
        for (unsigned b = 0; b < num_blocks; ++b) {
          out[b] *= scale;
        }
      }
      const unsigned channel = 2 * (neural_max_layers * a + layer);
      float* re = ls_channel_.data() + channel * plane;
      float* im = re + plane;
      for (unsigned s = 0; s < num_symbols_; ++s) {
        const cf32* blocks = blocks_.data() + std::size_t{symbols.nearest_occasion[s]} * num_blocks;
        const std::size_t row = std::size_t{s} * num_subcarriers_;
        for (unsigned k = 0; k < num_subcarriers_; ++k) {
          const cf32 h = blocks[nearest_block_[k]];
          re[row + k] = h.real();
          im[row + k] = h.imag();
        }
      }
    }
  }
}

NeuralSymbolMap neural_symbol_map(const DmrsSymbols& dmrs, unsigned start_symbol,
                                  unsigned num_symbols) {
  NeuralSymbolMap map;
  NeuralSymbolMap::Occasions& occasions = map.occasions;
  for (unsigned l = 0; l < max_symbols_per_slot; ++l) {
    if (!dmrs.contains(l)) {
      continue;
    }
    if (dmrs.l_prime(l) == 1 && occasions.count > 0) {
      ++occasions.length[occasions.count - 1]; // the second symbol of a double-symbol DMRS
      continue;
    }
    occasions.first[occasions.count] = l;
    occasions.length[occasions.count++] = 1;
  }
  for (unsigned s = 0; s < num_symbols && s < max_symbols_per_slot; ++s) {
    const int l = static_cast<int>(start_symbol + s);
    // Nearest occasion (ties go to the earlier one).
    int best_distance = max_symbols_per_slot + 1;
    for (unsigned o = 0; o < occasions.count; ++o) {
      for (unsigned i = 0; i < occasions.length[o]; ++i) {
        const int distance = std::abs(l - static_cast<int>(occasions.first[o] + i));
        if (distance < best_distance) {
          best_distance = distance;
          map.nearest_occasion[s] = o;
        }
      }
    }
    // Signed distance to the nearest DMRS symbol (ties go to the earlier DMRS symbol).
    int best = max_symbols_per_slot;
    for (int d = 0; d < static_cast<int>(max_symbols_per_slot); ++d) {
      if (dmrs.contains(static_cast<unsigned>(d)) && std::abs(l - d) < std::abs(best)) {
        best = l - d;
      }
    }
    map.time_distance[s] = static_cast<float>(best) / static_cast<float>(max_symbols_per_slot);
  }
  return map;
}

void neural_llr_positions(const CellConfig& cell, const PuschConfig& pusch,
                          std::span<std::uint32_t> positions) {
  if (const std::string problem = pusch.validate(cell); !problem.empty()) {
    throw std::invalid_argument("neural LLR positions: " + problem);
  }
  const unsigned qm = pusch.modulation_order();
  const unsigned num_layers = pusch.num_layers;
  if (num_layers > neural_max_layers || qm > neural_max_bits_per_symbol) {
    throw std::invalid_argument("neural LLR positions: the model outputs at most 4 layers of "
                                "8 bits");
  }
  const std::size_t g = pusch_coded_bits(cell, pusch);
  if (positions.size() != g) {
    throw std::invalid_argument("neural LLR positions: " + std::to_string(positions.size()) +
                                " positions for G = " + std::to_string(g));
  }
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  const PuschDataLayout layout = make_pusch_data_layout(mapping);
  std::size_t n = 0;
  for (unsigned re = 0; re < layout.num_res(); ++re) {
    unsigned symbol = 0;
    unsigned k = 0;
    locate_data_re(layout, re, symbol, k);
    for (unsigned layer = 0; layer < num_layers; ++layer) {
      for (unsigned j = 0; j < qm; ++j) {
        positions[n++] = static_cast<std::uint32_t>(
            neural_llr_index(layer, j, symbol - mapping.start_symbol, k, mapping.num_subcarriers(),
                             mapping.num_symbols));
      }
    }
  }
}

} // namespace airan::phy::nn
