/// \file
/// \brief What the LDPC kernels (ldpc_kernels.cu: one code block per thread block;
/// ldpc_pair_kernels.cu: two) share: the work items of a thread block and their block-wide
/// reductions, whether a code block is decoded, and the batch of a grid block copied into shared
/// memory. CUDA only (included by those two .cu files).
#pragma once

#include "ldpc_kernels.h"

#include <cstdint>

namespace airan::gpu::detail {

/// The work items of a code block (or pair) are the threads of its thread block: item t is part
/// t % parts of lane t / parts, so that the parts of a check node are adjacent threads of one
/// warp (parts 1, 2 or 4) and merge their states with shuffles. A loop covers items past
/// blockDim.x, and each step ends with a barrier. (__host__ __device__ so that the shared
/// AIRAN_HOST_DEVICE algorithms can call it; it does nothing on the host.)
struct ThreadBlockItems {
  unsigned num_parts = 1;
  [[nodiscard]] __host__ __device__ unsigned parts() const { return num_parts; }
  template <class F> __host__ __device__ void for_each_item(unsigned z, F&& f) {
#if defined(__CUDA_ARCH__)
    for (unsigned item = threadIdx.x; item < z * num_parts; item += blockDim.x) {
      f(item / num_parts, item % num_parts);
    }
    __syncthreads();
#else
    (void)z;
    (void)f;
#endif
  }
  /// The reduction \p op (starting from 0) of f(lane, part) over every item, the same in every
  /// thread (blockDim.x a multiple of 32: every warp is full). Each call site has its own
  /// per-warp totals in shared memory, free again when it returns.
  template <class T, class F, class Op>
  __host__ __device__ T reduce_items(unsigned z, F&& f, Op&& op) {
#if defined(__CUDA_ARCH__)
    __shared__ T warp_totals[32];
    T total = 0;
    for (unsigned item = threadIdx.x; item < z * num_parts; item += blockDim.x) {
      total = op(total, f(item / num_parts, item % num_parts));
    }
    for (int offset = 16; offset > 0; offset /= 2) {
      total = op(total, __shfl_xor_sync(0xFFFFFFFFu, total, offset));
    }
    if (threadIdx.x % 32 == 0) {
      warp_totals[threadIdx.x / 32] = total;
    }
    __syncthreads();
    total = 0;
    for (unsigned warp = 0; warp < blockDim.x / 32; ++warp) {
      total = op(total, warp_totals[warp]);
    }
    __syncthreads(); // warp_totals is free for the next call
    return total;
#else
    (void)z;
    (void)f;
    (void)op;
    return 0;
#endif
  }
};

/// Whether code block \p r of \p batch is decoded: with Recover, after the thread block ran its
/// rate recovery, when one of its LLRs is nonzero (the same for every thread, and the LLRs
/// written are visible to the whole block); else as batch.active says.
template <bool Recover>
__device__ bool code_block_active(const LdpcKernelBatch& batch, unsigned r) {
  if constexpr (Recover) {
    bool nonzero = false;
    const unsigned items = batch.recovery.recovery.num_items(r);
    for (unsigned item = threadIdx.x; item < items; item += blockDim.x) {
      nonzero = recover_rate_item(batch.recovery, r, item) || nonzero;
    }
    return __syncthreads_or(nonzero ? 1 : 0) != 0;
  } else {
    return batch.active == nullptr || batch.active[r] == batch.active_mark;
  }
}

/// The batch of \p batches that grid block blockIdx.x belongs to, copied from the parameter space
/// into shared memory by the block's threads (read in place with an index known only at run
/// time, its fields took registers: ptxas sm_90, 54 for the single kernel's recovering instance),
/// and the grid block's index within it in \p block.
__device__ inline const LdpcKernelBatch& select_batch(const LdpcKernelBatches& batches,
                                                      unsigned& block) {
  static_assert(sizeof(LdpcKernelBatch) % sizeof(std::uint32_t) == 0);
  __shared__ alignas(16) std::uint32_t selected[sizeof(LdpcKernelBatch) / sizeof(std::uint32_t)];
  const unsigned t = batches.blocks.batch_of(blockIdx.x);
  const auto* source = reinterpret_cast<const std::uint32_t*>(&batches.batches[t]);
  for (unsigned i = threadIdx.x; i < sizeof(LdpcKernelBatch) / sizeof(std::uint32_t);
       i += blockDim.x) {
    selected[i] = source[i];
  }
  __syncthreads();
  block = batches.blocks.block_in_batch(blockIdx.x, t);
  return *reinterpret_cast<const LdpcKernelBatch*>(selected);
}

} // namespace airan::gpu::detail
