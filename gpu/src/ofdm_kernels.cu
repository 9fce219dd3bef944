// CP removal and carrier extraction around the batched cuFFT (see front_end_kernels.h): one
// thread per output value, as launch bodies (launch_batches.cuh) that serve one front end's slot
// or several cells' slots in one grid. The per-value work and the rows' indexing are
// ofdm_fft_elements.h's (host and device, emulated on the CPU by
// tests/gpu/ofdm_cufft_path_emulation_test.cpp); the kernels add the thread index.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "front_end_kernels.h"
#include "launch_batches.cuh"
#include "ofdm_fft_elements.h"

#include <utility>

namespace airan::gpu::detail {
namespace {

/// One thread per (antenna, symbol, sample of the FFT window) (ofdm_row_position()).
struct RemoveCpLaunch {
  static constexpr unsigned threads = ofdm_row_threads;
  OfdmSlot p;
  __device__ void run(LaunchBlock block) const {
    const auto [n, symbol, rx] = ofdm_row_position(p.g, block.index, threadIdx.x, p.g.fft_size);
    if (n < p.g.fft_size) {
      remove_cp_sample(p, rx, symbol, n);
    }
  }
};

/// One thread per (antenna, symbol, carrier subcarrier) (ofdm_row_position()).
struct ExtractLaunch {
  static constexpr unsigned threads = ofdm_row_threads;
  OfdmSlot p;
  __device__ void run(LaunchBlock block) const {
    const auto [k, symbol, rx] =
        ofdm_row_position(p.g, block.index, threadIdx.x, p.g.num_subcarriers);
    if (k < p.g.num_subcarriers) {
      extract_subcarrier(p, rx, symbol, k);
    }
  }
};

} // namespace

void launch_remove_cp(std::span<const OfdmSlot> slots, cudaStream_t stream) {
  launch_all<RemoveCpLaunch>(
      slots.size(),
      [&](std::size_t i) {
        return std::pair(RemoveCpLaunch{slots[i]},
                         ofdm_row_blocks(slots[i].g, slots[i].g.fft_size));
      },
      "remove_cp_kernel", stream);
}

void launch_extract_subcarriers(std::span<const OfdmSlot> slots, cudaStream_t stream) {
  launch_all<ExtractLaunch>(
      slots.size(),
      [&](std::size_t i) {
        return std::pair(ExtractLaunch{slots[i]},
                         ofdm_row_blocks(slots[i].g, slots[i].g.num_subcarriers));
      },
      "extract_kernel", stream);
}

} // namespace airan::gpu::detail
