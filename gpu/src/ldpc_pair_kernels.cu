/// \file
/// \brief The paired LDPC decoding kernel: phy::ldpc_pair_decode() with one thread per lane (two
/// per check node), two code blocks per thread block. The algorithm and its per-half arithmetic
/// are the shared AIRAN_HOST_DEVICE code of ldpc_pair_decoder.h and int16_pair.h; this file adds
/// the lanes (threads of a block), the barriers and the launch.
#include "ldpc_pair_kernels.h"

#include "kernel_shared_memory.h"
#include "ldpc_block_items.cuh"
#include "ldpc_pair_blocks.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::gpu::detail {

namespace {

/// The lanes of phy::ldpc_pair_decode(): the work items of ThreadBlockItems (one per check node
/// part, as in the single kernel), whose parts merge their pair states with shuffles.
struct ThreadBlockPairLanes : ThreadBlockItems {
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

/// Copies \p pair's lifted graph into the start of the block's dynamic shared memory (as the
/// single kernel lays it out) and points both halves' codes at it.
__device__ void stage_pair_graph(phy::LdpcPairCode& pair) {
  extern __shared__ std::uint16_t shared[];
  const unsigned num_edges = ldpc_pair_staged_edges(pair);
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
}

/// The APP words in the block's dynamic shared memory, after the graph.
__device__ phy::Int16Pair* pair_apps() {
  extern __shared__ std::uint16_t shared[];
  return reinterpret_cast<phy::Int16Pair*>(shared + ldpc_kernel_graph_values);
}

/// The pair's message pairs: after its APPs in shared memory (\p in_shared), else \p global.
/// SharedMessages (every batch of the launch has them in shared memory): always the shared
/// ones, on an address the compiler knows to be shared (LDS/STS instead of generic loads and
/// stores, as in the single kernels); \p global is then not evaluated.
template <bool SharedMessages, class Global>
__device__ std::uint16_t* pair_messages(const phy::LdpcPairCode& pair, bool in_shared,
                                        Global&& global) {
  auto* const shared = reinterpret_cast<std::uint16_t*>(
      pair_apps() + std::size_t{pair.num_columns} * pair.half[0].lifting_size);
  if constexpr (SharedMessages) {
    return shared;
  } else {
    return in_shared ? shared : global();
  }
}

template <bool SharedMessages>
__global__ void __launch_bounds__(ldpc_kernel_max_threads, ldpc_pair_kernel_blocks_per_sm)
    ldpc_decode_pairs_kernel(LdpcPairKernelBatch batch) {
  const unsigned first = batch.pairs[2 * blockIdx.x];
  const unsigned second = batch.pairs[2 * blockIdx.x + 1];
  const LdpcKernelBlock low = batch.blocks[first];
  const LdpcKernelBlock high = batch.blocks[second];
  phy::LdpcPairCode pair = phy::ldpc_pair_code(low.code, high.code);
  stage_pair_graph(pair);
  phy::Int16Pair* app = pair_apps();
  std::uint16_t* messages = pair_messages<SharedMessages>(pair, batch.messages_in_shared, [&] {
    return batch.messages + blockIdx.x * batch.message_stride;
  });
  const std::int8_t* const llrs[2] = {batch.llrs + low.llr_offset, batch.llrs + high.llr_offset};
  std::uint8_t* const bits[2] = {batch.bits + low.bits_offset, batch.bits + high.bits_offset};
  phy::LdpcLaneResult results[2];
  ThreadBlockPairLanes lanes{{batch.parts}};
  phy::ldpc_pair_decode(lanes, pair, llrs, app, messages, bits, results);
  if (threadIdx.x == 0) {
    batch.results[first] = results[0];
    if (second != first) {
      batch.results[second] = results[1];
    }
  }
}

/// Pair \p p of transport block \p batch (ldpc_tb_pair(): code blocks 2p and 2p + 1, the last,
/// 2p, with itself when the TB has an odd number), each recovered first with Recover. Its codes,
/// buffers, pair code and outputs are the shared code of ldpc_pair_blocks.h: a code block that
/// received nothing gets all-zero bits and a zero result, as in the single kernel; when its
/// partner did receive, the pair is decoded and the empty half's outputs are overwritten.
template <bool Recover, bool SharedMessages>
__device__ void decode_tb_pair(const LdpcKernelBatch& batch, unsigned p) {
  // What the block's threads share: the pair's codes, its code blocks and their buffers.
  struct Setup {
    phy::LdpcPairCode pair;
    std::uint32_t code_block[2];
    bool active[2];
    const std::int8_t* llrs[2];
    std::uint8_t* bits[2];
  };
  // Raw storage: shared variables are not initialised, and Setup's members have initialisers.
  __shared__ alignas(Setup) unsigned char setup_storage[sizeof(Setup)];
  Setup& setup = *reinterpret_cast<Setup*>(setup_storage);
  const LdpcTbPair blocks = ldpc_tb_pair(batch.num_blocks, p);
  const bool active_low = code_block_active<Recover>(batch, blocks.low);
  const bool active_high =
      blocks.single() ? active_low : code_block_active<Recover>(batch, blocks.high);
  // The two codes copied word by word (as structures in registers they spilled).
  static_assert(sizeof(phy::LdpcLaneCode) % sizeof(std::uint32_t) == 0);
  constexpr unsigned code_words = sizeof(phy::LdpcLaneCode) / sizeof(std::uint32_t);
  for (unsigned i = threadIdx.x; i < 2 * code_words; i += blockDim.x) {
    const phy::LdpcLaneCode& code =
        ldpc_launch_block_code(batch.blocks, batch.tb_codes, blocks.block(i < code_words ? 0 : 1));
    reinterpret_cast<std::uint32_t*>(setup.pair.half)[i] =
        reinterpret_cast<const std::uint32_t*>(&code)[i % code_words];
  }
  if (threadIdx.x < 2) {
    const unsigned h = threadIdx.x;
    const unsigned r = blocks.block(h);
    setup.code_block[h] = r;
    setup.llrs[h] = batch.llrs + ldpc_launch_block_llr_offset(batch.blocks, batch.tb_codes, r);
    setup.bits[h] = batch.bits + ldpc_launch_block_bits_offset(batch.blocks, batch.tb_codes, r);
    setup.active[h] = h == 0 ? active_low : active_high;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    ldpc_tb_pair_finish_code(setup.pair, active_low, active_high);
  }
  __syncthreads();
  const auto clear_half_bits = [&](unsigned h) {
    for (unsigned i = threadIdx.x; i < setup.pair.half[h].num_info_bits; i += blockDim.x) {
      ldpc_clear_inactive_half_bit(setup.bits[h], i);
    }
  };
  if (!ldpc_tb_pair_decoded(active_low, active_high)) { // the whole thread block leaves together
    for (unsigned h = 0; h < 2; ++h) {
      clear_half_bits(h);
      if (threadIdx.x == 0) {
        batch.results[setup.code_block[h]] = ldpc_inactive_block_result();
      }
    }
    return;
  }
  phy::LdpcPairCode pair = setup.pair; // in registers: the decoding reads it all the time
  stage_pair_graph(pair);
  phy::Int16Pair* app = pair_apps();
  // Global messages: two int8 per value of a code block's stride, per pair.
  std::uint16_t* messages = pair_messages<SharedMessages>(pair, batch.messages_in_shared, [&] {
    return reinterpret_cast<std::uint16_t*>(batch.messages) + p * batch.message_stride;
  });
  phy::LdpcLaneResult results[2];
  ThreadBlockPairLanes lanes{{batch.parts}};
  phy::ldpc_pair_decode(lanes, pair, setup.llrs, app, messages, setup.bits, results);
  __syncthreads(); // the decoding's last bit stores before an empty half's are cleared
  for (unsigned h = 0; h < 2; ++h) {
    if (!setup.active[h]) { // never both: they left above
      clear_half_bits(h);
    }
    if (threadIdx.x == 0) {
      batch.results[setup.code_block[h]] = ldpc_tb_pair_half_result(setup.active[h], results[h]);
    }
  }
}

/// The pairs of several transport blocks' code blocks (LdpcKernelBatches, blocks counted in
/// pairs: ldpc_pair_count()); each batch copied into shared memory first, as the single
/// kernel's batched instance does.
template <bool Recover, bool SharedMessages>
__global__ void __launch_bounds__(ldpc_kernel_max_threads, ldpc_pair_kernel_blocks_per_sm)
    ldpc_decode_tb_pairs_kernel(const __grid_constant__ LdpcKernelBatches batches) {
  unsigned pair = 0;
  const LdpcKernelBatch& batch = select_batch(batches, pair);
  decode_tb_pair<Recover, SharedMessages>(batch, pair);
}
} // namespace

std::size_t ldpc_pair_kernel_configure() {
  return set_dynamic_shared_limit(
      std::max(ldpc_pair_kernel_max_shared_bytes_without_messages,
               ldpc_pair_kernel_shared_messages_limit),
      {reinterpret_cast<const void*>(ldpc_decode_pairs_kernel<false>),
       reinterpret_cast<const void*>(ldpc_decode_pairs_kernel<true>),
       reinterpret_cast<const void*>(ldpc_decode_tb_pairs_kernel<false, false>),
       reinterpret_cast<const void*>(ldpc_decode_tb_pairs_kernel<false, true>),
       reinterpret_cast<const void*>(ldpc_decode_tb_pairs_kernel<true, false>),
       reinterpret_cast<const void*>(ldpc_decode_tb_pairs_kernel<true, true>)});
}

void check_pairs_fit(std::size_t pair_shared_limit, const char* decoder) {
  if (pair_shared_limit < ldpc_pair_kernel_max_shared_bytes_without_messages) {
    throw std::invalid_argument(std::string(decoder) + ": two code blocks per thread block need " +
                                std::to_string(ldpc_pair_kernel_max_shared_bytes_without_messages) +
                                " bytes of shared memory per block, the device allows " +
                                std::to_string(pair_shared_limit));
  }
}

void ldpc_pair_kernel_launch(const LdpcPairKernelBatch& batch, unsigned threads,
                             std::size_t shared_bytes, cudaStream_t stream) {
  if (batch.num_pairs == 0) {
    return;
  }
  with_bool(batch.messages_in_shared, [&]<bool SharedMessages>() {
    ldpc_decode_pairs_kernel<SharedMessages>
        <<<batch.num_pairs, threads, shared_bytes, stream>>>(batch);
  });
  AIRAN_CUDA_LAUNCHED("ldpc_decode_pairs_kernel", stream);
}

void ldpc_pair_kernel_launch_batches(const LdpcKernelBatches& batches, unsigned threads,
                                     std::size_t shared_bytes, cudaStream_t stream) {
  const std::uint32_t blocks = batches.blocks.total();
  if (blocks == 0) {
    return;
  }
  const bool recover = batches.batches[0].recover;
  const bool shared_messages = ldpc_batches_messages_in_shared(batches);
  with_bool(recover, [&]<bool Recover>() {
    with_bool(shared_messages, [&]<bool SharedMessages>() {
      ldpc_decode_tb_pairs_kernel<Recover, SharedMessages>
          <<<blocks, threads, shared_bytes, stream>>>(batches);
    });
  });
  AIRAN_CUDA_LAUNCHED(recover ? "rate_recovery+ldpc_decode_tb_pairs_kernel"
                              : "ldpc_decode_tb_pairs_kernel",
                      stream);
}

} // namespace airan::gpu::detail
