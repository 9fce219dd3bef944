/// \file
/// \brief The kernel that runs a LaunchBatches (launch_batches.h): each thread block finds its
/// launch and runs that launch's `run()` with its block index within it. Kernels built this way
/// keep their math in a `run(LaunchBlock)` member that reads no blockIdx or gridDim, so one body
/// serves a PDU's own launch (Capacity 1) and the launches of several cells' PDUs in one grid.
#pragma once

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "launch_batches.h"

#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// Runs block blockIdx.x of \p batches. With several launches the block's parameters are first
/// copied into shared memory by the whole block, so that the body reads them at shared-memory
/// speed with any index (in the parameter space an index that depends on the block is a slow
/// generic load); a batch of one reads its parameters in place, as a plain kernel does.
template <class Launch, unsigned Capacity>
__global__ void __launch_bounds__(Launch::threads)
    batched_kernel(const __grid_constant__ LaunchBatches<Launch, Capacity> batches) {
  if constexpr (Capacity == 1) {
    batches.launches[0].run(LaunchBlock{blockIdx.x, gridDim.x});
  } else {
    static_assert(sizeof(Launch) % sizeof(std::uint32_t) == 0);
    constexpr unsigned words = sizeof(Launch) / sizeof(std::uint32_t);
    __shared__ alignas(16) std::uint32_t selected[words];
    const unsigned t = batches.blocks.batch_of(blockIdx.x);
    const auto* source = reinterpret_cast<const std::uint32_t*>(&batches.launches[t]);
    for (unsigned i = threadIdx.x; i < words; i += blockDim.x) {
      selected[i] = source[i];
    }
    __syncthreads();
    reinterpret_cast<const Launch*>(selected)->run(batches.blocks.launch_block(blockIdx.x, t));
  }
}

/// Enqueues every launch of \p batches as one grid of Launch::threads threads per block
/// (nothing when it is empty); \p name names it for the launch profiler and errors.
/// \throws CudaError on failure.
template <class Launch, unsigned Capacity>
void launch_batches(const LaunchBatches<Launch, Capacity>& batches, const char* name,
                    cudaStream_t stream) {
  const std::uint32_t blocks = batches.blocks.total();
  if (blocks == 0) {
    return;
  }
  batched_kernel<Launch, Capacity><<<blocks, Launch::threads, 0, stream>>>(batches);
  AIRAN_CUDA_LAUNCHED(name, stream);
}

/// A single launch of \p num_blocks blocks (none: nothing enqueued). \throws CudaError.
template <class Launch>
void launch_one(const Launch& launch, std::uint32_t num_blocks, const char* name,
                cudaStream_t stream) {
  LaunchBatches<Launch, 1> one;
  (void)one.add(launch, num_blocks);
  launch_batches(one, name, stream);
}

/// The launches of Launch one grid holds: max_launch_batches, fewer where their parameters would
/// pass 30,000 bytes.
template <class Launch> constexpr unsigned batch_capacity() {
  constexpr std::size_t fit = (30000 - sizeof(LaunchBatchBlocks)) / sizeof(Launch);
  return fit < max_launch_batches ? static_cast<unsigned>(fit) : max_launch_batches;
}

/// Enqueues \p count launches of Launch, launch i with the parameters and block count that
/// \p make(i) returns (a std::pair; 0 blocks: left out): one plain launch for a single item,
/// else a grid per batch_capacity() of them. \throws CudaError on failure.
template <class Launch, class Make>
void launch_all(std::size_t count, const Make& make, const char* name, cudaStream_t stream) {
  if (count == 1) {
    const auto [launch, blocks] = make(std::size_t{0});
    launch_one(launch, blocks, name, stream);
    return;
  }
  LaunchBatches<Launch, batch_capacity<Launch>()> batches;
  for (std::size_t i = 0; i < count; ++i) {
    const auto [launch, blocks] = make(i);
    if (!batches.add(launch, blocks)) {
      launch_batches(batches, name, stream);
      batches = {};
      (void)batches.add(launch, blocks);
    }
  }
  launch_batches(batches, name, stream);
}

} // namespace airan::gpu::detail
