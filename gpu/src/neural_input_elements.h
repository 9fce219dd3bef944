/// \file
/// \brief Per-element functions of the neural receiver's device kernels (neural_input_kernels.cu):
/// one RE of the model's input tensors, one data RE of its LLR gathering. Host and device, so
/// that a CPU test runs them over a whole PDU against phy::nn::NeuralReceiverInputs and
/// phy::nn::neural_llr_positions (tests/gpu/gpu_neural_input_emulation_test.cpp); the kernels
/// add only the thread index.
#pragma once

#include "airan/phy/complex_matrix.h"
#include "airan/phy/host_device.h"
#include "airan/phy/mimo_equalizer.h"
#include "airan/phy/nn/neural_input_math.h"
#include "airan/phy/pusch_data_layout.h"
#include "front_end_kernels.h"
#include "neural_input_launch.h"

#include <cstddef>

namespace airan::gpu::detail {

/// Antennas and layers the model's tensors hold (phy::nn::neural_max_rx_antennas, _layers).
inline constexpr unsigned neural_tensor_rx = 4;
inline constexpr unsigned neural_tensor_layers = 4;

/// Where one PDU's neural inputs go (device memory in the kernels).
struct NeuralInputOutputs {
  float* rx_grid = nullptr;         ///< [8][S][F]
  float* ls_channel = nullptr;      ///< [32][S][F]
  float* side_info = nullptr;       ///< [7][S][F]
  float2* symbols = nullptr;        ///< MMSE symbols [data row][F][layer]
  float* noise_variances = nullptr; ///< and their post-equalization noise.
};

/// Least-squares estimate of antenna \p rx and layer \p layer at allocated subcarrier \p k from
/// occasion \p occasion: the mean of y conj(x) / |x|^2 over the nearest CDM block's REs on the
/// occasion's symbols (\p dmrs as launch_dmrs_generation() writes it), summed in the CPU's order
/// (symbol, then the pair's two REs).
AIRAN_HOST_DEVICE inline phy::cmat::Complex
neural_ls_estimate(const PduGeometry& g, const NeuralInputGeometry& n, const float2* grid,
                   const float2* dmrs, unsigned rx, unsigned layer, unsigned occasion, unsigned k) {
  const unsigned block = phy::nn::neural_nearest_block(n.blocks[layer], k).index;
  float re = 0.0F;
  float im = 0.0F;
  for (unsigned t = 0; t < g.symbols_per_occasion; ++t) {
    const unsigned s = occasion * g.symbols_per_occasion + t; // index into g.dmrs_symbols
    const float2* row =
        grid + (std::size_t{rx} * g.grid_symbols + g.dmrs_symbols[s]) * g.grid_subcarriers +
        g.first_subcarrier + g.deltas[layer];
    const float2* x = dmrs + (std::size_t{layer} * max_symbols + s) * g.num_values;
    for (unsigned j = 0; j < 2; ++j) {
      const unsigned value = 2 * block + j;
      const float2 y = row[g.comb_period * block + j * g.pair_offset];
      const phy::cmat::Complex term = phy::nn::neural_ls_term({y.x, y.y}, {x[value].x, x[value].y});
      re += term.re;
      im += term.im;
    }
  }
  const float scale = 1.0F / static_cast<float>(2 * g.symbols_per_occasion);
  return {re * scale, im * scale};
}

/// Every tensor value of RE \p pixel (= PDU symbol x F + allocated subcarrier) of the PDU, with
/// the DMRS noise variance \p noise; on a symbol without DMRS also its MMSE symbols and
/// post-equalization noise on those inputs (as phy::nn::NeuralPuschDetector computes them).
AIRAN_HOST_DEVICE inline void neural_input_element(const PduGeometry& g,
                                                   const NeuralInputGeometry& n, const float2* grid,
                                                   const float2* dmrs, float noise,
                                                   std::size_t pixel,
                                                   const NeuralInputOutputs& out) {
  constexpr unsigned max_rx = neural_tensor_rx;
  constexpr unsigned max_layers = neural_tensor_layers;
  const std::size_t plane = std::size_t{n.num_symbols} * n.num_subcarriers;
  const auto s = static_cast<unsigned>(pixel / n.num_subcarriers);
  const auto k = static_cast<unsigned>(pixel % n.num_subcarriers);
  phy::cmat::Complex y[max_rx] = {};
  for (unsigned a = 0; a < max_rx; ++a) {
    if (a < n.num_rx) {
      const float2 v =
          grid[(std::size_t{a} * g.grid_symbols + g.start_symbol + s) * g.grid_subcarriers +
               g.first_subcarrier + k];
      y[a] = {v.x, v.y};
    }
    out.rx_grid[(2 * a) * plane + pixel] = y[a].re;
    out.rx_grid[(2 * a + 1) * plane + pixel] = y[a].im;
  }
  phy::cmat::Complex h[max_rx * max_layers] = {}; // [antenna][layer]
  const unsigned occasion = n.nearest_occasion[s];
  for (unsigned a = 0; a < max_rx; ++a) {
    for (unsigned layer = 0; layer < max_layers; ++layer) {
      phy::cmat::Complex value{0.0F, 0.0F};
      if (a < n.num_rx && layer < n.num_layers) {
        value = neural_ls_estimate(g, n, grid, dmrs, a, layer, occasion, k);
      }
      h[a * max_layers + layer] = value;
      const std::size_t channel = 2 * (max_layers * a + layer);
      out.ls_channel[channel * plane + pixel] = value.re;
      out.ls_channel[(channel + 1) * plane + pixel] = value.im;
    }
  }
  for (unsigned a = 0; a < max_rx; ++a) {
    out.side_info[a * plane + pixel] = a < n.num_rx ? 1.0F : 0.0F;
  }
  out.side_info[max_rx * plane + pixel] = noise;
  out.side_info[(max_rx + 1) * plane + pixel] = n.time_distance[s];
  out.side_info[(max_rx + 2) * plane + pixel] =
      phy::nn::neural_nearest_block(n.blocks[0], k).distance / 12.0F;

  if (n.time_distance[s] == 0.0F) {
    return; // a DMRS symbol: no post-equalization noise
  }
  phy::cmat::Complex x[max_layers];
  float post_noise[max_layers];
  phy::equalize_resource_element<max_layers>(h, max_layers, y, n.num_rx, n.num_layers,
                                             noise > 1e-12F ? noise : 1e-12F, true, x, post_noise);
  const std::size_t row = (std::size_t{n.data_row[s]} * n.num_subcarriers + k) * n.num_layers;
  for (unsigned layer = 0; layer < n.num_layers; ++layer) {
    out.symbols[row + layer] = float2{x[layer].re, x[layer].im};
    out.noise_variances[row + layer] = post_noise[layer];
  }
}

/// The codeword-order LLRs of data RE \p re (of \p layout) from the model's [32][S][F]
/// \p llr_tensor: its layers' \p qm bits each, at \p llrs + re x layers x qm.
AIRAN_HOST_DEVICE inline void neural_llr_gather_element(const NeuralInputGeometry& n,
                                                        const phy::PuschDataLayout& layout,
                                                        unsigned start_symbol, unsigned qm,
                                                        const float* llr_tensor, float* llrs,
                                                        unsigned re) {
  unsigned symbol = 0;
  unsigned k = 0;
  phy::locate_data_re(layout, re, symbol, k);
  float* out = llrs + std::size_t{re} * n.num_layers * qm;
  for (unsigned layer = 0; layer < n.num_layers; ++layer) {
    for (unsigned bit = 0; bit < qm; ++bit) {
      out[layer * qm + bit] = llr_tensor[phy::nn::neural_llr_index(
          layer, bit, symbol - start_symbol, k, n.num_subcarriers, n.num_symbols)];
    }
  }
}

} // namespace airan::gpu::detail
