// Interpolation of GpuPuschFrontEnd's DMRS channel estimates, in frequency and then in time, as
// phy's DmrsChannelEstimatorImpl: the de-spread pilots of each occasion interpolated onto the
// allocated subcarriers (MMSE window or linear, the delay ramp removed again), then the occasions'
// values averaged over the PDU's symbols or linearly interpolated between occasions. One kernel:
// a thread per (rx, layer, subcarrier) holds its occasions' values in registers and writes every
// symbol's row of H.
#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "dmrs_estimation_common.cuh"
#include "dmrs_interpolation_elements.h"
#include "front_end_kernels.h"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail::dmrs_estimation {
namespace {

/// One thread per (rx, layer, allocated subcarrier), subcarriers fastest: interpolate_subcarrier()
/// (dmrs_interpolation_elements.h). (Until 2026-12-01 these were two launches: a thread per
/// occasion and subcarrier writing the occasion rows, then one per symbol and subcarrier reading
/// them back.)
struct InterpolateLaunch {
  static constexpr unsigned threads = 128;
  DmrsEstimationPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void InterpolateLaunch::run(LaunchBlock block) const {
  const std::size_t index = std::size_t{block.index} * blockDim.x + threadIdx.x;
  if (index < std::size_t{p.g.num_rx} * p.g.num_layers * p.g.num_subcarriers) {
    interpolate_subcarrier(p, index);
  }
}

} // namespace

void launch_interpolation(std::span<const DmrsEstimationPdu> pdus, cudaStream_t stream) {
  constexpr unsigned threads = InterpolateLaunch::threads;
  launch_all<InterpolateLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PduGeometry& g = pdus[i].g;
        const std::size_t items = std::size_t{g.num_rx} * g.num_layers * g.num_subcarriers;
        const bool runs = g.num_occasions > 0 && g.num_occasions <= max_occasions;
        return std::pair(InterpolateLaunch{pdus[i]},
                         runs ? static_cast<unsigned>((items + threads - 1) / threads) : 0U);
      },
      "interpolate_kernel", stream);
}

} // namespace airan::gpu::detail::dmrs_estimation
