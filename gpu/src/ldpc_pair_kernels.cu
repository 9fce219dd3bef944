/// \file
/// \brief The paired LDPC decoding kernel: phy::ldpc_pair_decode() with one thread per lane (two
/// per check node), two code blocks per thread block. The algorithm and its per-half arithmetic
/// are the shared AIRAN_HOST_DEVICE code of ldpc_pair_decoder.h and int16_pair.h; this file adds
/// the lanes (threads of a block), the barriers and the launch.
#include "ldpc_pair_kernels.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"

#include <algorithm>

namespace airan::gpu::detail {

namespace {

/// Item t of a pair's work is part t % parts of lane t / parts, as in the single kernel, so that
/// the parts of a check node are adjacent threads of one warp and merge with shuffles.
struct ThreadBlockPairLanes {
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
  /// The reduction \p op of f's values over every item (blockDim.x a multiple of 32).
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
  template <class F> __host__ __device__ std::uint32_t or_items(unsigned z, F&& f) {
    return reduce_items<std::uint32_t>(z, f,
                                       [](std::uint32_t a, std::uint32_t b) { return a | b; });
  }
  template <class F> __host__ __device__ std::uint64_t xor_items_pair(unsigned z, F&& f) {
    return reduce_items<unsigned long long>(
        z,
        [&](unsigned lane, unsigned part) {
          return static_cast<unsigned long long>(f(lane, part));
        },
        [](unsigned long long a, unsigned long long b) { return a ^ b; });
  }
  /// Every thread of a warp takes part in the shuffles, also past the last item.
  template <class State, class Update>
  __host__ __device__ void check_nodes(unsigned z, State&& state, Update&& update) {
#if defined(__CUDA_ARCH__)
    const unsigned items = z * num_parts;
    for (unsigned base = 0; base < items; base += blockDim.x) {
      const unsigned item = base + threadIdx.x;
      const bool active = item < items;
      phy::LdpcPairNodeState node;
      if (active) {
        node = state(item / num_parts, item % num_parts);
      }
      for (unsigned offset = 1; offset < num_parts; offset *= 2) {
        phy::LdpcPairNodeState other;
        other.min1 = __shfl_xor_sync(0xFFFFFFFFu, node.min1, static_cast<int>(offset));
        other.min2 = __shfl_xor_sync(0xFFFFFFFFu, node.min2, static_cast<int>(offset));
        other.sign = __shfl_xor_sync(0xFFFFFFFFu, node.sign, static_cast<int>(offset));
        node = phy::ldpc_pair_merge_states(node, other);
      }
      if (active) {
        update(item / num_parts, item % num_parts, node);
      }
    }
    __syncthreads();
#else
    (void)z;
    (void)state;
    (void)update;
#endif
  }
};

/// Blocks of 768 threads per SM: two, as the single kernel without kept edges (at most 40
/// registers; the shared memory of a rate-0.9 pair at Z = 384 fits twice).
constexpr int ldpc_pair_kernel_blocks_per_sm = 2;

__global__ void __launch_bounds__(ldpc_kernel_max_threads, ldpc_pair_kernel_blocks_per_sm)
    ldpc_decode_pairs_kernel(LdpcPairKernelBatch batch) {
  extern __shared__ std::uint16_t shared[];
  const unsigned first = batch.pairs[2 * blockIdx.x];
  const unsigned second = batch.pairs[2 * blockIdx.x + 1];
  const LdpcKernelBlock low = batch.blocks[first];
  const LdpcKernelBlock high = batch.blocks[second];
  phy::LdpcPairCode pair = phy::ldpc_pair_code(low.code, high.code);
  const unsigned num_edges = pair.half[0].row_begin[pair.num_rows];
  std::uint16_t* row_begin = shared;
  auto* edges = reinterpret_cast<phy::LdpcLiftedEdge*>(shared + ldpc_kernel_row_begin_values);
  for (unsigned i = threadIdx.x; i <= pair.num_rows; i += blockDim.x) {
    row_begin[i] = pair.half[0].row_begin[i];
  }
  for (unsigned i = threadIdx.x; i < num_edges; i += blockDim.x) {
    edges[i] = pair.half[0].edges[i];
  }
  __syncthreads();
  for (auto& half : pair.half) {
    half.row_begin = row_begin;
    half.edges = edges;
  }
  auto* app = reinterpret_cast<phy::Int16Pair*>(shared + ldpc_kernel_graph_values);
  std::uint16_t* messages =
      batch.messages_in_shared
          ? reinterpret_cast<std::uint16_t*>(app + std::size_t{pair.num_columns} *
                                                       pair.half[0].lifting_size)
          : batch.messages + blockIdx.x * batch.message_stride;
  const std::int8_t* const llrs[2] = {batch.llrs + low.llr_offset, batch.llrs + high.llr_offset};
  std::uint8_t* const bits[2] = {batch.bits + low.bits_offset, batch.bits + high.bits_offset};
  phy::LdpcLaneResult results[2];
  ThreadBlockPairLanes lanes{batch.parts};
  phy::ldpc_pair_decode(lanes, pair, llrs, app, messages, bits, results);
  if (threadIdx.x == 0) {
    batch.results[first] = results[0];
    if (second != first) {
      batch.results[second] = results[1];
    }
  }
}

} // namespace

void ldpc_pair_kernel_configure() {
  const auto shared_bytes = static_cast<int>(std::max(
      ldpc_pair_kernel_max_shared_bytes_without_messages, ldpc_pair_kernel_shared_messages_limit));
  AIRAN_CUDA_CHECK(cudaFuncSetAttribute(ldpc_decode_pairs_kernel,
                                        cudaFuncAttributeMaxDynamicSharedMemorySize, shared_bytes));
}

void ldpc_pair_kernel_launch(const LdpcPairKernelBatch& batch, unsigned threads,
                             std::size_t shared_bytes, cudaStream_t stream) {
  if (batch.num_pairs == 0) {
    return;
  }
  ldpc_decode_pairs_kernel<<<batch.num_pairs, threads, shared_bytes, stream>>>(batch);
  AIRAN_CUDA_LAUNCHED("ldpc_decode_pairs_kernel", stream);
}

} // namespace airan::gpu::detail
