/// \file
/// \brief Per-element math of the neural receiver's inputs and LLR layout
/// (docs/NEURAL_RECEIVER.md), shared by the CPU (NeuralReceiverInputs, neural_llr_positions) and
/// the CUDA kernels that build the same tensors on the device
/// (GpuPuschFrontEnd::build_neural_inputs), so CPU tests cover it.
#pragma once

#include "airan/phy/complex_matrix.h"
#include "airan/phy/host_device.h"

namespace airan::phy::nn {

/// Where the CDM blocks (k' pairs) of one layer's DMRS lie in the allocation: block n is centred
/// at subcarrier (twice_first + n twice_spacing) / 2. Type 1: REs 4n + Delta and 4n + 2 + Delta,
/// centre + 1; type 2: REs 6n + Delta and 6n + 1 + Delta, centre + 0.5.
struct NeuralBlockGrid {
  int twice_first = 0;
  int twice_spacing = 8;
  int num_blocks = 0;
};

/// The block grid of a layer whose CDM group starts at subcarrier \p delta.
AIRAN_HOST_DEVICE inline NeuralBlockGrid neural_block_grid(bool type1, unsigned delta,
                                                           unsigned num_blocks) {
  NeuralBlockGrid grid;
  grid.twice_first = static_cast<int>(2 * delta + (type1 ? 2U : 1U));
  grid.twice_spacing = type1 ? 8 : 12;
  grid.num_blocks = static_cast<int>(num_blocks);
  return grid;
}

/// The block whose centre is nearest to a subcarrier, and the signed distance to that centre.
struct NeuralNearestBlock {
  unsigned index = 0;
  float distance = 0.0F; ///< k - centre, in subcarriers.
};

/// Nearest block to subcarrier \p k of the allocation (ties go to the lower block; clamped to the
/// allocation's blocks).
AIRAN_HOST_DEVICE inline NeuralNearestBlock neural_nearest_block(const NeuralBlockGrid& grid,
                                                                 unsigned k) {
  const int twice_k = 2 * static_cast<int>(k);
  // round((2k - twice_first) / twice_spacing), ties down.
  const int numerator = twice_k - grid.twice_first;
  const int half = grid.twice_spacing / 2;
  int n = numerator >= 0 ? (numerator + half - 1) / grid.twice_spacing
                         : -((-numerator + half) / grid.twice_spacing);
  n = n < 0 ? 0 : (n > grid.num_blocks - 1 ? grid.num_blocks - 1 : n);
  NeuralNearestBlock nearest;
  nearest.index = static_cast<unsigned>(n);
  nearest.distance =
      0.5F * static_cast<float>(twice_k - (grid.twice_first + n * grid.twice_spacing));
  return nearest;
}

/// One DMRS RE's least-squares term y conj(x) / |x|^2 (x the port's DMRS value with beta, w_f
/// and w_t); a block's estimate is the mean of its REs' terms.
AIRAN_HOST_DEVICE inline cmat::Complex neural_ls_term(cmat::Complex y, cmat::Complex x) {
  const float norm = x.re * x.re + x.im * x.im;
  return {(y.re * x.re + y.im * x.im) / norm, (y.im * x.re - y.re * x.im) / norm};
}

/// Flat index into the [32, S, F] LLR tensor of bit \p bit of layer \p layer on the RE at PDU
/// symbol \p pdu_symbol and allocated subcarrier \p k (channel 8 layer + bit).
AIRAN_HOST_DEVICE inline unsigned long long neural_llr_index(unsigned layer, unsigned bit,
                                                             unsigned pdu_symbol, unsigned k,
                                                             unsigned num_subcarriers,
                                                             unsigned num_symbols) {
  const unsigned long long plane = static_cast<unsigned long long>(num_symbols) * num_subcarriers;
  return (8ULL * layer + bit) * plane +
         static_cast<unsigned long long>(pdu_symbol) * num_subcarriers + k;
}

} // namespace airan::phy::nn
