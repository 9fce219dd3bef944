// De-spreading and noise estimation of GpuPuschFrontEnd's DMRS estimator in one kernel: each
// block de-spreads a contiguous range of pilots (dmrs_despread_elements.h) in tiles held in
// shared memory with the few pilots around them, sums the noise terms of its pilots (power,
// lag-one and lag-k correlations, difference-filter residual) and, in the last block to finish,
// computes the PDU's measurements and MMSE filter bank (dmrs_estimation_math.h, as the CPU
// estimator).
// Each thread's work on a tile and on the partials is in dmrs_noise_elements.h, which the host
// emulation (tests/gpu/front_end_emulation_support.h) runs too; here only the indexing, the
// barriers, the shuffle sums and the counter of blocks done.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/dmrs_estimation_math.h"
#include "dmrs_despread_elements.h"
#include "dmrs_estimation_common.cuh"
#include "dmrs_noise_elements.h"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <cstddef>
#include <utility>

namespace airan::gpu::detail::dmrs_estimation {
namespace {

/// The first warp of the last block to finish: the partials of every block (read past L1: other
/// blocks wrote them), lane l adding blocks l, l + 32, ... in order (lane_noise_partials()) and
/// the lanes in a fixed tree; then, in lane 0, the PDU's measurements and filter bank. The host's
/// noise_terms_from_partials() (dmrs_noise_elements.h) adds them in the same order.
__device__ void noise_from_partials(const PduGeometry& g, const double* partials, unsigned blocks,
                                    EstimatorState* state) {
  NoiseTerms sums = lane_noise_partials(partials, blocks, threadIdx.x);
  sums.power = warp_sum(sums.power);
  sums.lag_re = warp_sum(sums.lag_re);
  sums.lag_im = warp_sum(sums.lag_im);
  sums.residual = warp_sum(sums.residual);
  sums.far_re = warp_sum(sums.far_re);
  sums.far_im = warp_sum(sums.far_im);
  if (threadIdx.x == 0) {
    noise_measurements(g, sums, state);
  }
}

/// Block b of despread_noise_blocks() (dmrs_despread_elements.h): pilots [b chunk, (b + 1) chunk)
/// de-spread into p.pilots, tile by tile: the tile's pilots with the one before and the filter
/// order after it (computed again by the block that owns them, which alone writes them out) in
/// shared memory, then each thread's pilot's noise terms from there. The block's sums (double) go
/// to partials[6 b ..]; the last block to finish (an atomic counter that it wraps back to zero)
/// turns them into the PDU's measurements. Block 0's thread 0 records the delay, its phase and the
/// ramp step. (Until 2026-12-01 two launches: despread_kernel, a thread per pilot, then
/// noise_sums_kernel reading the pilots back in 64 blocks.)
struct DespreadNoiseLaunch {
  static constexpr unsigned threads = despread_threads;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void DespreadNoiseLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  EstimatorState* state = p.state;
  double* partials = noise_partials_of(p.scratch);
  unsigned* counter = noise_counter_of(p.scratch);
  __shared__ float2 window[noise_window_capacity];
  __shared__ double scratch[32];
  __shared__ bool last;
  __shared__ double block_phase;
  // The delay phase by one thread (a serial double sum over antennas, layers and DMRS symbols, in
  // the CPU's order: in every thread it was 256 x that many double adds per block, a cost on GPUs
  // with few FP64 units), shared through the block.
  if (threadIdx.x == 0) {
    block_phase = delay_phase(g, delay_sums_of(p.scratch));
    if (block.index == 0) {
      record_delay(g, block_phase, state);
    }
  }
  __syncthreads();
  const double phase = block_phase;
  const double omega = delay_ramp_step(g, phase);
  const unsigned count = g.num_pilots;
  const phy::DifferenceFilter filter = phy::difference_filter(count);
  const std::size_t total = num_despread_pilots(g);
  const PilotRange range = despread_range(total, block.count, block.index);
  const std::size_t end = range.end;
  NoiseTerms terms;
  for (std::size_t tile = range.begin; tile < end;
       tile += threads) { // the same trips in every thread
    const unsigned length = noise_tile_length(tile, end);
    // window[j] holds pilot tile - 1 + j.
    for (unsigned j = threadIdx.x; j < noise_window_length(length, filter); j += threads) {
      (void)fill_noise_window_entry(p, omega, total, tile, length, j, window);
    }
    __syncthreads();
    add_tile_noise_terms(terms, filter, window, tile, length, threadIdx.x, count);
    __syncthreads(); // the window is refilled next
  }
  terms.power = block_sum(terms.power, scratch);
  terms.lag_re = block_sum(terms.lag_re, scratch);
  terms.lag_im = block_sum(terms.lag_im, scratch);
  terms.residual = block_sum(terms.residual, scratch);
  terms.far_re = block_sum(terms.far_re, scratch);
  terms.far_im = block_sum(terms.far_im, scratch);
  if (threadIdx.x == 0) {
    write_noise_partials(partials, block.index, terms);
    __threadfence(); // the partials are visible before the count says so
    // The last block finds count - 1 and sets the counter back to zero for the next PDU.
    last = atomicInc(counter, block.count - 1) == block.count - 1;
    __threadfence(); // and the other blocks' partials are read after the count said so
  }
  __syncthreads();
  if (!last) {
    return;
  }
  // The last block to finish: the PDU's measurements from every block's partials.
  __threadfence();
  if (threadIdx.x < 32) {
    noise_from_partials(g, partials, block.count, state);
  }
}

} // namespace

void launch_despread_noise(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream) {
  launch_all<DespreadNoiseLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        return std::pair(DespreadNoiseLaunch{pdus[i]}, despread_noise_blocks(pdus[i].g));
      },
      "despread_noise_kernel", stream);
}

} // namespace airan::gpu::detail::dmrs_estimation
