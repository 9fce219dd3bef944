// CP removal and carrier extraction around the batched cuFFT (see front_end_kernels.h): one
// thread per output value, as launch bodies (launch_batches.cuh) that serve one front end's slot
// or several cells' slots in one grid.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {
namespace {

constexpr unsigned block_size = 256;

/// Blocks of \p width threads' rows for every (antenna, symbol) of \p g.
std::uint32_t row_blocks(const OfdmGeometry& g, unsigned width) {
  return (width + block_size - 1) / block_size * g.num_symbols * g.num_rx;
}

/// Thread \p thread of block \p block among rows of \p width values per (antenna, symbol): its
/// value's index in the row and the row's antenna and symbol.
struct RowPosition {
  unsigned index;
  unsigned symbol;
  unsigned rx;
};
__device__ inline RowPosition row_position(const OfdmGeometry& g, LaunchBlock block,
                                           unsigned width) {
  const unsigned per_row = (width + block_size - 1) / block_size;
  const unsigned row = block.index / per_row;
  return {block.index % per_row * block_size + threadIdx.x, row % g.num_symbols,
          row / g.num_symbols};
}

/// One thread per (antenna, symbol, sample of the FFT window): block b covers samples
/// [256 (b % blocks per row), ...) of row b / blocks per row = rx * symbols + symbol.
struct RemoveCpLaunch {
  static constexpr unsigned threads = block_size;
  OfdmSlot p;
  __device__ void run(LaunchBlock block) const {
    const OfdmGeometry& g = p.g;
    const auto [n, symbol, rx] = row_position(g, block, g.fft_size);
    if (n >= g.fft_size) {
      return;
    }
    p.fft[(std::size_t{rx} * g.num_symbols + symbol) * g.fft_size + n] =
        p.iq[std::size_t{rx} * g.slot_length + g.fft_start[symbol] + n];
  }
};

/// One thread per (antenna, symbol, carrier subcarrier): the upper half of the FFT bins
/// (negative frequencies) first, then the lower half, scaled by 1 / sqrt(N).
struct ExtractLaunch {
  static constexpr unsigned threads = block_size;
  OfdmSlot p;
  __device__ void run(LaunchBlock block) const {
    const OfdmGeometry& g = p.g;
    const auto [k, symbol, rx] = row_position(g, block, g.num_subcarriers);
    if (k >= g.num_subcarriers) {
      return;
    }
    const unsigned half = g.num_subcarriers / 2;
    const unsigned bin = k < half ? g.fft_size - half + k : k - half;
    const float2 v = p.fft[(std::size_t{rx} * g.num_symbols + symbol) * g.fft_size + bin];
    p.grid[(std::size_t{rx} * g.num_symbols + symbol) * g.num_subcarriers + k] =
        make_float2(v.x * g.scale, v.y * g.scale);
  }
};

} // namespace

void launch_remove_cp(std::span<const OfdmSlot> slots, cudaStream_t stream) {
  launch_all<RemoveCpLaunch>(
      slots.size(),
      [&](std::size_t i) {
        return std::pair(RemoveCpLaunch{slots[i]}, row_blocks(slots[i].g, slots[i].g.fft_size));
      },
      "remove_cp_kernel", stream);
}

void launch_extract_subcarriers(std::span<const OfdmSlot> slots, cudaStream_t stream) {
  launch_all<ExtractLaunch>(
      slots.size(),
      [&](std::size_t i) {
        return std::pair(ExtractLaunch{slots[i]},
                         row_blocks(slots[i].g, slots[i].g.num_subcarriers));
      },
      "extract_kernel", stream);
}

} // namespace airan::gpu::detail
