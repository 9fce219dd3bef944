// The neural receiver's device-side input and output: the model's three input tensors built from
// the device grid (phy::nn::NeuralReceiverInputs' values, with the per-element math of
// phy/nn/neural_input_math.h), and its LLR tensor gathered into codeword order
// (phy::nn::neural_llr_positions' order, with phy::locate_data_re).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "front_end_kernels.h"
#include "neural_input_elements.h"
#include "neural_input_launch.h"

namespace airan::gpu::detail {
namespace {

constexpr unsigned block_size = 128;

__global__ void __launch_bounds__(block_size)
    neural_inputs_kernel(const PduGeometry g, const NeuralInputGeometry n,
                         const float2* __restrict__ grid, const float2* __restrict__ dmrs,
                         const EstimatorState* state, const NeuralInputOutputs out) {
  const std::size_t pixel = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (pixel < std::size_t{n.num_symbols} * n.num_subcarriers) {
    neural_input_element(g, n, grid, dmrs, state->noise_variance, pixel, out);
  }
}

__global__ void __launch_bounds__(block_size)
    neural_llr_gather_kernel(const NeuralInputGeometry n, const phy::PuschDataLayout layout,
                             unsigned start_symbol, unsigned qm,
                             const float* __restrict__ llr_tensor, float* __restrict__ llrs) {
  const unsigned re = blockIdx.x * blockDim.x + threadIdx.x;
  if (re < layout.num_res()) {
    neural_llr_gather_element(n, layout, start_symbol, qm, llr_tensor, llrs, re);
  }
}

unsigned blocks_for(std::size_t count) {
  return static_cast<unsigned>((count + block_size - 1) / block_size);
}

} // namespace

void launch_neural_inputs(const PduGeometry& g, const NeuralInputGeometry& n, const float2* grid,
                          const float2* dmrs, const EstimatorState* state, float* rx_grid,
                          float* ls_channel, float* side_info, float2* symbols,
                          float* noise_variances, cudaStream_t stream) {
  const std::size_t plane = std::size_t{n.num_symbols} * n.num_subcarriers;
  if (plane == 0) {
    return;
  }
  const NeuralInputOutputs out{rx_grid, ls_channel, side_info, symbols, noise_variances};
  neural_inputs_kernel<<<blocks_for(plane), block_size, 0, stream>>>(g, n, grid, dmrs, state, out);
  AIRAN_CUDA_LAUNCHED("neural_inputs_kernel", stream);
}

void launch_neural_llr_gather(const NeuralInputGeometry& n, const phy::PuschDataLayout& layout,
                              unsigned start_symbol, unsigned qm, const float* llr_tensor,
                              float* llrs, cudaStream_t stream) {
  if (layout.num_res() == 0) {
    return;
  }
  neural_llr_gather_kernel<<<blocks_for(layout.num_res()), block_size, 0, stream>>>(
      n, layout, start_symbol, qm, llr_tensor, llrs);
  AIRAN_CUDA_LAUNCHED("neural_llr_gather_kernel", stream);
}

} // namespace airan::gpu::detail
