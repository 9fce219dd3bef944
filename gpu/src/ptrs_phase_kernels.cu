/// \file
/// \brief PT-RS phase tracking on the device (ptrs_phase_elements.h): one block per PDU with
/// PT-RS, after the interpolation (it reads H) and before the equalizer (which reads the
/// rotations it writes).
#include "ptrs_phase_elements.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "launch_batches.cuh"

#include <stdexcept>
#include <string>
#include <utility>

namespace airan::gpu::detail {
namespace {

/// One block per PDU: a thread per (slot symbol, antenna) item with PT-RS
/// (ptrs_row_correlation()), then thread 0 (finish_ptrs_phases()).
struct PtrsPhaseLaunch {
  static constexpr unsigned threads = ptrs_phase_threads;
  PtrsPhasePdu p;
  __device__ void run(LaunchBlock block) const;
};

__device__ void PtrsPhaseLaunch::run(LaunchBlock /*block*/) const {
  __shared__ float2 sums[max_symbols * ptrs_phase_max_rx];
  const unsigned items = max_symbols * p.g.num_rx;
  for (unsigned item = threadIdx.x; item < items; item += blockDim.x) {
    unsigned symbol = 0;
    unsigned rx = 0;
    sums[item] = ptrs_item(p, item, symbol, rx) ? ptrs_row_correlation(p, symbol, rx)
                                                : make_float2(0.0F, 0.0F);
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    finish_ptrs_phases(p, sums);
  }
}

} // namespace

void launch_ptrs_phases(std::span<const PtrsPhasePdu> pdus, cudaStream_t stream) {
  for (const PtrsPhasePdu& p : pdus) {
    if (p.count > 0 && p.g.num_rx > ptrs_phase_max_rx) {
      throw std::invalid_argument("ptrs_phases: " + std::to_string(p.g.num_rx) +
                                  " receive antennas (at most " +
                                  std::to_string(ptrs_phase_max_rx) + ")");
    }
  }
  launch_all<PtrsPhaseLaunch>(
      pdus.size(),
      [&](std::size_t i) {
        const PtrsPhasePdu& p = pdus[i];
        return std::pair(PtrsPhaseLaunch{p}, p.count > 0 ? 1U : 0U);
      },
      "ptrs_phase_kernel", stream);
}

} // namespace airan::gpu::detail
