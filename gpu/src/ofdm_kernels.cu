// CP removal and carrier extraction around the batched cuFFT (see front_end_kernels.h).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "front_end_kernels.h"

namespace airan::gpu::detail {
namespace {

constexpr unsigned block_size = 256;

/// One thread per (antenna, symbol, sample of the FFT window).
__global__ void remove_cp_kernel(const OfdmGeometry g, const float2* __restrict__ iq,
                                 float2* __restrict__ fft) {
  const unsigned n = blockIdx.x * blockDim.x + threadIdx.x;
  const unsigned symbol = blockIdx.y;
  const unsigned rx = blockIdx.z;
  if (n >= g.fft_size) {
    return;
  }
  fft[(std::size_t{rx} * g.num_symbols + symbol) * g.fft_size + n] =
      iq[std::size_t{rx} * g.slot_length + g.fft_start[symbol] + n];
}

/// One thread per (antenna, symbol, carrier subcarrier): the upper half of the FFT bins
/// (negative frequencies) first, then the lower half, scaled by 1 / sqrt(N).
__global__ void extract_kernel(const OfdmGeometry g, const float2* __restrict__ fft,
                               float2* __restrict__ grid) {
  const unsigned k = blockIdx.x * blockDim.x + threadIdx.x;
  const unsigned symbol = blockIdx.y;
  const unsigned rx = blockIdx.z;
  if (k >= g.num_subcarriers) {
    return;
  }
  const unsigned half = g.num_subcarriers / 2;
  const unsigned bin = k < half ? g.fft_size - half + k : k - half;
  const float2 v = fft[(std::size_t{rx} * g.num_symbols + symbol) * g.fft_size + bin];
  grid[(std::size_t{rx} * g.num_symbols + symbol) * g.num_subcarriers + k] =
      make_float2(v.x * g.scale, v.y * g.scale);
}

} // namespace

void launch_remove_cp(const OfdmGeometry& g, const float2* iq, float2* fft, cudaStream_t stream) {
  const dim3 grid((g.fft_size + block_size - 1) / block_size, g.num_symbols, g.num_rx);
  remove_cp_kernel<<<grid, block_size, 0, stream>>>(g, iq, fft);
  AIRAN_CUDA_LAUNCHED("remove_cp_kernel", stream);
}

void launch_extract_subcarriers(const OfdmGeometry& g, const float2* fft, float2* grid,
                                cudaStream_t stream) {
  const dim3 blocks((g.num_subcarriers + block_size - 1) / block_size, g.num_symbols, g.num_rx);
  extract_kernel<<<blocks, block_size, 0, stream>>>(g, fft, grid);
  AIRAN_CUDA_LAUNCHED("extract_kernel", stream);
}

} // namespace airan::gpu::detail
