// DMRS channel estimation of GpuPuschFrontEnd: the steps of phy's DmrsChannelEstimatorImpl
// (dmrs_channel_estimator.h) with the shared math of dmrs_estimation_math.h in three kernels,
// each a Launch whose run() (launch_batches.cuh) serves one PDU or the PDUs of several cells in
// one grid: the delay correlation (here), the de-spreading with the noise estimate
// (dmrs_noise_kernels.cu) and the interpolation in frequency and time
// (dmrs_interpolation_kernels.cu). DMRS generation is in dmrs_generation_kernels.cu.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "dmrs_estimation_common.cuh"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail::dmrs_estimation {
namespace {

/// Block (rx, layer, DMRS symbol): C = sum z(k + P) conj(z(k)) over pairs with the same k'.
struct DelayCorrelationLaunch {
  static constexpr unsigned threads = block_size;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void DelayCorrelationLaunch::run(LaunchBlock block) const {
  const PduGeometry& g = p.g;
  float* delay_sums = delay_sums_of(p.scratch);
  __shared__ float scratch[32];
  const unsigned item = block.index;
  float re = 0.0F;
  float im = 0.0F;
  const unsigned pairs = 2 * (g.num_values / 2 - 1);
  for (unsigned pair = threadIdx.x; pair < pairs; pair += blockDim.x) {
    const float2 term = delay_pair_term(g, p.grid, p.dmrs, item, pair);
    re += term.x;
    im += term.y;
  }
  re = block_sum(re, scratch);
  im = block_sum(im, scratch);
  if (threadIdx.x == 0) {
    delay_sums[2 * item] = re;
    delay_sums[2 * item + 1] = im;
  }
}

} // namespace

void launch_despreading(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream) {
  // Each step's blocks of every PDU as one grid; a step a PDU does not run has no blocks.
  launch_all<DelayCorrelationLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PduGeometry& g = pdus[i].g;
        return std::pair(DelayCorrelationLaunch{pdus[i]},
                         g.num_rx * g.num_layers * g.num_dmrs_symbols);
      },
      "delay_correlation_kernel", stream);
  launch_despread_noise(pdus, stream);
}

} // namespace airan::gpu::detail::dmrs_estimation

namespace airan::gpu::detail {

std::size_t dmrs_estimation_scratch_floats(std::size_t rx, std::size_t layers) {
  using namespace dmrs_estimation;
  return noise_counter_floats + noise_partial_floats + delay_sum_floats(rx, layers);
}

void launch_dmrs_estimation(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream) {
  dmrs_estimation::launch_despreading(pdus, stream);
  dmrs_estimation::launch_interpolation(pdus, stream);
}

} // namespace airan::gpu::detail
