/// \file
/// \brief Wiener time interpolation weights on the device (time_wiener_elements.h): one block per
/// PDU, and the DMRS estimation with the CFO and the weights between its de-spreading and its
/// interpolation.
#include "time_wiener_elements.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "dmrs_estimation_common.cuh"
#include "launch_batches.cuh"

#include <utility>

namespace airan::gpu::detail {

namespace {

/// One block per PDU: a thread per occasion pair fits its Doppler while the bank energy is added
/// in a shared-memory tree whose strides halve (time_wiener_block_sum() on the host), thread 0's
/// model, then a thread per symbol.
struct TimeWienerLaunch {
  static constexpr unsigned threads = time_wiener_threads;
  TimeWienerPdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void TimeWienerLaunch::run(LaunchBlock /*block*/) const {
  __shared__ double sums[time_wiener_threads];
  __shared__ double rho[phy::max_dmrs_occasions - 1];
  __shared__ double doppler[phy::max_dmrs_occasions - 1];
  __shared__ double model_values[3]; // TimeWienerModel has member initialisers: plain doubles

  if (threadIdx.x < p.pairs) {
    fit_time_wiener_pair(p, threadIdx.x, rho[threadIdx.x], doppler[threadIdx.x]);
  }
  sums[threadIdx.x] = time_wiener_bank_energy(p, threadIdx.x, blockDim.x);
  __syncthreads();
  for (unsigned stride = time_wiener_threads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      sums[threadIdx.x] += sums[threadIdx.x + stride];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    const phy::TimeWienerModel m = time_wiener_model_of(p, rho, doppler, sums[0]);
    model_values[0] = m.doppler_hz;
    model_values[1] = m.cfo_hz;
    model_values[2] = m.noise_ratio;
  }
  __syncthreads();
  const unsigned l = p.start_symbol + threadIdx.x;
  if (l < p.end_symbol) {
    write_time_wiener_weights(p, {model_values[0], model_values[1], model_values[2]}, l);
  }
}

} // namespace

void launch_time_wiener(std::span<const TimeWienerPdu> pdus, cudaStream_t stream) {
  launch_all<TimeWienerLaunch>(
      pdus.size(), [&](std::size_t i) { return std::pair(TimeWienerLaunch{pdus[i]}, 1U); },
      "time_wiener_kernel", stream);
}

void launch_dmrs_estimation(std::span<const DmrsEstimationPdu> pdus,
                            std::span<const CfoEstimationPdu> cfo,
                            std::span<const TimeWienerPdu> wiener, cudaStream_t stream) {
  dmrs_estimation::launch_despreading(pdus, stream);
  if (!cfo.empty()) {
    launch_cfo_estimation(cfo, stream);
  }
  if (!wiener.empty()) {
    launch_time_wiener(wiener, stream);
  }
  dmrs_estimation::launch_interpolation(pdus, stream);
}

} // namespace airan::gpu::detail
