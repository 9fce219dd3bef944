// Fused OFDM demodulation (see front_end_kernels.h): CP removal, the FFT and the scaled
// extraction of the carrier's subcarriers in one kernel, a block per (antenna, symbol) holding
// the symbol in shared memory between the passes of a Stockham FFT (ofdm_fft_elements.h); a
// launch body (launch_batches.cuh) that serves one front end's slot or several cells' slots in
// one grid. Powers of two from 128 to 4096 points; other sizes take CP removal, cuFFT and
// extraction (ofdm_kernels.cu).
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "front_end_kernels.h"
#include "launch_batches.cuh"
#include "ofdm_fft_elements.h"

#include <utility>

namespace airan::gpu::detail {
namespace {

/// One pass of radix \p R: each thread's butterfly from \p src (the IQ's FFT window in the
/// \p First pass, else \p data); then its outputs into \p data, or, after the last pass, the
/// carrier's bins into \p row of the grid, scaled. Every thread of the block runs every pass
/// (the barriers).
template <unsigned R, bool First>
__device__ void fused_fft_pass(const OfdmSlot& p, const float2* src, float2* data, float2* row,
                               unsigned ns, bool last) {
  const OfdmGeometry& g = p.g;
  const unsigned n = g.fft_size;
  const unsigned j = threadIdx.x;
  const bool active = j < n / R;
  float2 v[R];
  if (active) {
    load_butterfly<R, !First>(src, n, ns, j, p.twiddles, v);
  }
  if (last) {
    if (active) {
      AIRAN_UNROLL
      for (unsigned r = 0; r < R; ++r) {
        const int k = subcarrier_of_bin(butterfly_output<R>(ns, j, r), n, g.num_subcarriers);
        if (k >= 0) {
          row[k] = make_float2(v[r].x * g.scale, v[r].y * g.scale);
        }
      }
    }
    return;
  }
  __syncthreads(); // every butterfly has read data before any writes it
  if (active) {
    AIRAN_UNROLL
    for (unsigned r = 0; r < R; ++r) {
      data[fft_shared_index(butterfly_output<R>(ns, j, r))] = v[r];
    }
  }
  __syncthreads();
}

/// Block b: antenna b / symbols, symbol b % symbols.
struct FusedOfdmLaunch {
  static constexpr unsigned threads = fused_ofdm_threads;
  OfdmSlot p;
  __device__ void run(LaunchBlock block) const {
    const OfdmGeometry& g = p.g;
    __shared__ float2 data[fused_ofdm_shared_values];
    const unsigned symbol = block.index % g.num_symbols;
    const unsigned rx = block.index / g.num_symbols;
    const float2* window = p.iq + std::size_t{rx} * g.slot_length + g.fft_start[symbol];
    float2* row = p.grid + (std::size_t{rx} * g.num_symbols + symbol) * g.num_subcarriers;
    const FftPasses passes = fft_passes(g.fft_size); // at least two (128 points and more)
    fused_fft_pass<16, true>(p, window, data, row, 1, false);
    unsigned ns = 16;
    for (unsigned pass = 1; pass < passes.count; ++pass) {
      const bool last = pass + 1 == passes.count;
      switch (passes.radix(pass)) {
      case 16:
        fused_fft_pass<16, false>(p, data, data, row, ns, last);
        break;
      case 8:
        fused_fft_pass<8, false>(p, data, data, row, ns, last);
        break;
      case 4:
        fused_fft_pass<4, false>(p, data, data, row, ns, last);
        break;
      default:
        fused_fft_pass<2, false>(p, data, data, row, ns, last);
        break;
      }
      ns *= passes.radix(pass);
    }
  }
};

} // namespace

void launch_fused_ofdm(std::span<const OfdmSlot> slots, cudaStream_t stream) {
  launch_all<FusedOfdmLaunch>(
      slots.size(),
      [&](std::size_t i) {
        const OfdmGeometry& g = slots[i].g;
        return std::pair(FusedOfdmLaunch{slots[i]}, g.num_rx * g.num_symbols);
      },
      "fused_ofdm_kernel", stream);
}

} // namespace airan::gpu::detail
