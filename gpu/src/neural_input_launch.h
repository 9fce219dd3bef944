/// \file
/// \brief The neural receiver's inputs on the device (GpuPuschFrontEnd::build_neural_inputs) and
/// the gather of its LLRs (private): one PDU's input geometry and the launchers of
/// neural_input_kernels.cu.
#pragma once

#include "airan/phy/nn/neural_input_math.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_data_layout.h"
#include "front_end_kernels.h"

#include <cuda_runtime.h>

namespace airan::gpu::detail {

/// One PDU's neural receiver inputs (GpuPuschFrontEnd::build_neural_inputs; the tensors of
/// phy::nn::NeuralReceiverInputs, docs/NEURAL_RECEIVER.md), over its S symbols and F subcarriers.
struct NeuralInputGeometry {
  unsigned num_symbols = 0;                    ///< S
  unsigned num_subcarriers = 0;                ///< F
  unsigned num_rx = 0;                         ///< Antennas present (at most 4).
  unsigned num_layers = 0;                     ///< At most 4.
  phy::nn::NeuralBlockGrid blocks[4] = {};     ///< Per layer: its CDM blocks.
  unsigned nearest_occasion[max_symbols] = {}; ///< Per PDU symbol.
  float time_distance[max_symbols] = {};       ///< Per PDU symbol (0 on DMRS symbols).
  /// Per PDU symbol without DMRS: its index among those symbols (post-equalization noise rows).
  unsigned data_row[max_symbols] = {};
  unsigned num_data_rows = 0;
};

/// The neural receiver's input geometry of \p pusch, whose estimator geometry is \p g.
NeuralInputGeometry make_neural_input_geometry(const phy::CellConfig& cell,
                                               const phy::PuschConfig& pusch, const PduGeometry& g);

/// Writes the model inputs of one PDU from \p grid and \p dmrs (launch_dmrs_generation()) with
/// the noise variance of \p state (launch_dmrs_estimation()): rx_grid [8][S][F], ls_channel
/// [32][S][F] and side_info [7][S][F] (device memory), one thread per RE (the per-element math of
/// phy/nn/neural_input_math.h). On the symbols without DMRS it also equalizes each RE with MMSE on
/// those inputs (phy::equalize_resource_element, as phy::nn::NeuralPuschDetector reports its
/// post-equalization SINR): symbols and noise variances [data row][F][layer] into \p symbols
/// and \p noise_variances.
void launch_neural_inputs(const PduGeometry& g, const NeuralInputGeometry& n, const float2* grid,
                          const float2* dmrs, const EstimatorState* state, float* rx_grid,
                          float* ls_channel, float* side_info, float2* symbols,
                          float* noise_variances, cudaStream_t stream);

/// Gathers the codeword-order LLRs of a PDU of \p layers layers and \p qm bits per symbol from
/// the model's [32][S][F] \p llr_tensor into \p llrs: one thread per data RE of \p layout.
void launch_neural_llr_gather(const NeuralInputGeometry& n, const phy::PuschDataLayout& layout,
                              unsigned start_symbol, unsigned qm, const float* llr_tensor,
                              float* llrs, cudaStream_t stream);

} // namespace airan::gpu::detail
