/// \file
/// \brief The batched LDPC decoding kernel: ldpc_lane_decode() with one thread per lane, and
/// optionally each code block's rate recovery first (recover_rate_item()). The algorithm and its
/// arithmetic are the shared AIRAN_HOST_DEVICE code of ldpc_lane_decoder.h and
/// rate_recovery_launch.h; this file adds the lanes (threads of a block), the barriers and the
/// launch.
#include "ldpc_kernels.h"

#include "kernel_shared_memory.h"
#include "ldpc_block_items.cuh"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airan::gpu::detail {

namespace {

/// The lanes of ldpc_lane_decode(): the work items of ThreadBlockItems, whose check-node parts
/// merge their states with shuffles.
struct ThreadBlockLanes : ThreadBlockItems {
  /// \p node merged with the states of the other parts of its check node (adjacent threads);
  /// every thread of the warp takes part.
  [[nodiscard]] __device__ phy::LdpcCheckNodeState merge_parts(phy::LdpcCheckNodeState node) const {
    for (unsigned offset = 1; offset < num_parts; offset *= 2) {
      phy::LdpcCheckNodeState other;
      other.min1 = __shfl_xor_sync(0xFFFFFFFFu, node.min1, static_cast<int>(offset));
      other.min2 = __shfl_xor_sync(0xFFFFFFFFu, node.min2, static_cast<int>(offset));
      other.sign = __shfl_xor_sync(0xFFFFFFFFu, node.sign, static_cast<int>(offset));
      node = phy::ldpc_merge_check_node_states(node, other);
    }
    return node;
  }
  template <class F> __host__ __device__ std::uint32_t xor_items(unsigned z, F&& f) {
    return reduce_items<std::uint32_t>(z, f,
                                       [](std::uint32_t a, std::uint32_t b) { return a ^ b; });
  }
  template <class F> __host__ __device__ bool any_item(unsigned z, F&& f) {
#if defined(__CUDA_ARCH__)
    int any = 0;
    for (unsigned item = threadIdx.x; item < z * num_parts; item += blockDim.x) {
      any |= f(item / num_parts, item % num_parts) ? 1 : 0;
    }
    return __syncthreads_or(any) != 0;
#else
    (void)z;
    (void)f;
    return false;
#endif
  }
  /// The parts of a check node merge their states with shuffles; \p state and \p update run in
  /// the same thread and loop iteration, so the item's LdpcKeptEdges stay in its registers. Every
  /// thread of a warp takes part in the shuffles, also past the last item: the loop runs the same
  /// number of times in every thread.
  template <class State, class Update>
  __host__ __device__ void check_nodes_kept(unsigned z, State&& state, Update&& update) {
#if defined(__CUDA_ARCH__)
    const unsigned items = z * num_parts;
    for (unsigned base = 0; base < items; base += blockDim.x) {
      const unsigned item = base + threadIdx.x;
      const bool active = item < items;
      phy::LdpcKeptEdges kept;
      phy::LdpcCheckNodeState node;
      if (active) {
        node = state(item / num_parts, item % num_parts, kept);
      }
      node = merge_parts(node);
      if (active) {
        update(item / num_parts, item % num_parts, node, kept);
      }
    }
    __syncthreads();
#else
    (void)z;
    (void)state;
    (void)update;
#endif
  }
  /// check_nodes_kept() without the kept edges (left unused: the compiler drops them).
  template <class State, class Update>
  __host__ __device__ void check_nodes(unsigned z, State&& state, Update&& update) {
    check_nodes_kept(
        z, [&](unsigned lane, unsigned part, phy::LdpcKeptEdges&) { return state(lane, part); },
        [&](unsigned lane, unsigned part, const phy::LdpcCheckNodeState& node,
            const phy::LdpcKeptEdges&) { update(lane, part, node); });
  }
};

/// The thread block's work: code block \p r of \p batch (its rate recovery first with Recover).
/// ActiveFirst: whether the block is decoded (with Recover, its rate recovery) before its
/// LdpcKernelBlock is read, so that none of its fields is live across the recovery loop. The
/// batched kernel needs it: with the batch in shared memory, under its 40-register bound, those
/// fields took 8-10 bytes of spills (reloaded in the recovery loop) and 7 instructions more per
/// work item and layer than without the recovery (ptxas sm_90 and sm_80). The single-TB kernel,
/// which reads them as constant operands and has no bound, does not (with it ptxas chooses 32
/// registers instead of 39 and two more moves per edge of pass 2).
/// SharedMessages: every batch of the launch has its messages in shared memory, so their address
/// is a shared one (LDS/STS; with the run-time choice, generic loads and stores on a 64-bit
/// address: 2 SASS instructions more per edge and pass, and 79 instead of 64 registers in the
/// kept instances, sm_90). Without it the batch's messages_in_shared decides at run time.
template <bool Recover, bool Keep, bool SharedMessages, bool ActiveFirst = false>
__device__ void decode_code_block(const LdpcKernelBatch& batch, unsigned r) {
  // Shared memory: the lifted graph of the block's code (read by every lane on every layer),
  // then the APPs.
  extern __shared__ std::uint16_t shared[];
  bool active = true;
  if constexpr (ActiveFirst) {
    active = code_block_active<Recover>(batch, r);
  }
  const LdpcKernelBlock block =
      batch.blocks != nullptr ? batch.blocks[r] : ldpc_transport_block_block(batch.tb_codes, r);
  phy::LdpcLaneCode code = block.code;
  code.keep_extrinsics = Keep; // a constant: the other path is not compiled in
  if constexpr (!ActiveFirst) {
    active = code_block_active<Recover>(batch, r);
  }
  if (!active) {
    // The whole thread block leaves together, before any barrier.
    for (unsigned i = threadIdx.x; i < code.num_info_bits; i += blockDim.x) {
      ldpc_clear_inactive_bit(batch.bits, block, i);
    }
    if (threadIdx.x == 0) {
      batch.results[r] = ldpc_inactive_block_result();
    }
    return;
  }
  const unsigned num_edges = code.row_begin[code.num_rows];
  std::uint16_t* row_begin = shared;
  auto* edges = reinterpret_cast<phy::LdpcLiftedEdge*>(shared + ldpc_kernel_row_begin_values);
  for (unsigned i = threadIdx.x; i <= code.num_rows; i += blockDim.x) {
    row_begin[i] = code.row_begin[i];
  }
  for (unsigned i = threadIdx.x; i < num_edges; i += blockDim.x) {
    edges[i] = code.edges[i];
  }
  __syncthreads();
  code.row_begin = row_begin;
  code.edges = edges;
  auto* app = reinterpret_cast<std::int16_t*>(shared + ldpc_kernel_graph_values);
  auto* const shared_messages =
      reinterpret_cast<std::int8_t*>(app + std::size_t{code.num_columns} * code.lifting_size);
  std::int8_t* messages = shared_messages;
  if constexpr (!SharedMessages) {
    messages =
        batch.messages_in_shared ? shared_messages : batch.messages + r * batch.message_stride;
  }

  ThreadBlockLanes lanes{{batch.parts}};
  const phy::LdpcLaneResult result = phy::ldpc_lane_decode(
      lanes, code, batch.llrs + block.llr_offset, app, messages, batch.bits + block.bits_offset);
  if (threadIdx.x == 0) {
    batch.results[r] = result;
  }
}

/// Blocks of 768 threads per SM that a batched instance is built for: two, in at most 40
/// registers, without the edges kept from pass 1 for pass 2; one with them (80 registers).
constexpr int ldpc_kernel_blocks_per_sm(bool keep) {
  return keep ? 1 : 2;
}

/// Launch bounds of ldpc_decode_kernel: none on sm_90 (ptxas takes 32-40 registers), two blocks
/// of 768 threads per SM below it, where ptxas took 46 registers for the recovering instance
/// without them (one block per SM). (nvcc compiles the device code once per architecture, so
/// __CUDA_ARCH__ picks the bounds of each.)
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 900
#define AIRAN_LDPC_SINGLE_KERNEL_BOUNDS                                                            \
  __launch_bounds__(ldpc_kernel_max_threads, ldpc_kernel_blocks_per_sm(false))
#else
#define AIRAN_LDPC_SINGLE_KERNEL_BOUNDS
#endif

/// Recover: the rate recovery of the block's code block first (a separate instance, so that the
/// registers of the decoder alone stay as they are). Without the kept edges (32-40 registers on
/// sm_90, as ptxas chooses: no launch bounds; at most 40 below sm_90).
template <bool Recover, bool SharedMessages>
__global__ void AIRAN_LDPC_SINGLE_KERNEL_BOUNDS ldpc_decode_kernel(LdpcKernelBatch batch) {
  decode_code_block<Recover, false, SharedMessages>(batch, blockIdx.x);
}

/// The same keeping each layer's edges from pass 1 for pass 2 (phy::LdpcLaneCode::
/// keep_extrinsics): 79-80 registers (64-72 with SharedMessages), one block of 768 threads per
/// SM.
template <bool Recover, bool SharedMessages>
__global__ void __launch_bounds__(ldpc_kernel_max_threads, ldpc_kernel_blocks_per_sm(true))
    ldpc_decode_kernel_kept(LdpcKernelBatch batch) {
  decode_code_block<Recover, true, SharedMessages>(batch, blockIdx.x);
}

/// The single-TB instance of \p Recover, \p Keep and \p SharedMessages.
template <bool Recover, bool Keep, bool SharedMessages> constexpr auto single_kernel() {
  if constexpr (Keep) {
    return ldpc_decode_kernel_kept<Recover, SharedMessages>;
  } else {
    return ldpc_decode_kernel<Recover, SharedMessages>;
  }
}

/// The code blocks of several batches, each grid block's batch copied into shared memory first
/// (select_batch(); in place, its fields took registers: bounded to 40, 64 bytes of spills),
/// where the single-TB kernel reads them as constant operands. The bounds keep two blocks of 768
/// threads on an SM, as the single-TB kernel has them.
template <bool Recover, bool Keep, bool SharedMessages>
__global__ void __launch_bounds__(ldpc_kernel_max_threads, ldpc_kernel_blocks_per_sm(Keep))
    ldpc_decode_batches_kernel(const __grid_constant__ LdpcKernelBatches batches) {
  unsigned block = 0;
  const LdpcKernelBatch& batch = select_batch(batches, block);
  decode_code_block<Recover, Keep, SharedMessages, true>(batch, block);
}

} // namespace

namespace {

/// The SMs of the current device (an attribute lookup, no device work: allowed in a capture).
unsigned current_sm_count() {
  int device = 0;
  int sms = 0;
  AIRAN_CUDA_CHECK(cudaGetDevice(&device));
  AIRAN_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  return static_cast<unsigned>(sms);
}

} // namespace

bool ldpc_kernel_keeps_edges(LdpcEdgeKeeping keeping, std::uint32_t blocks, unsigned sm_count) {
  switch (keeping) {
  case LdpcEdgeKeeping::always:
    return true;
  case LdpcEdgeKeeping::never:
    return false;
  case LdpcEdgeKeeping::automatic:
    break;
  }
  return blocks <= sm_count;
}

namespace {

/// Launches the instance of \p recover, \p keep and \p shared_messages:
/// f.template operator()<Recover, Keep, SharedMessages>().
template <class F> void dispatch(bool recover, bool keep, bool shared_messages, F&& f) {
  with_bool(recover, [&]<bool Recover>() {
    with_bool(keep, [&]<bool Keep>() {
      with_bool(shared_messages, [&]<bool SharedMessages>() {
        f.template operator()<Recover, Keep, SharedMessages>();
      });
    });
  });
}

/// The launch profiler's name of an instance.
const char* kernel_name(bool batches, bool recover, bool keep) {
  static constexpr const char* names[2][2][2] = {
      {{"ldpc_decode_kernel", "ldpc_decode_kernel+kept"},
       {"rate_recovery+ldpc_decode_kernel", "rate_recovery+ldpc_decode_kernel+kept"}},
      {{"ldpc_decode_batches_kernel", "ldpc_decode_batches_kernel+kept"},
       {"rate_recovery+ldpc_decode_batches_kernel",
        "rate_recovery+ldpc_decode_batches_kernel+kept"}}};
  return names[batches ? 1 : 0][recover ? 1 : 0][keep ? 1 : 0];
}

} // namespace

std::size_t ldpc_kernel_configure() {
  const auto kernel = [](auto instance) { return reinterpret_cast<const void*>(instance); };
  const std::size_t limit = set_dynamic_shared_limit(
      std::max(ldpc_kernel_max_shared_bytes_without_messages, ldpc_kernel_shared_messages_limit),
      {kernel(ldpc_decode_kernel<false, false>), kernel(ldpc_decode_kernel<false, true>),
       kernel(ldpc_decode_kernel<true, false>), kernel(ldpc_decode_kernel<true, true>),
       kernel(ldpc_decode_kernel_kept<false, false>), kernel(ldpc_decode_kernel_kept<false, true>),
       kernel(ldpc_decode_kernel_kept<true, false>), kernel(ldpc_decode_kernel_kept<true, true>),
       kernel(ldpc_decode_batches_kernel<false, false, false>),
       kernel(ldpc_decode_batches_kernel<false, false, true>),
       kernel(ldpc_decode_batches_kernel<false, true, false>),
       kernel(ldpc_decode_batches_kernel<false, true, true>),
       kernel(ldpc_decode_batches_kernel<true, false, false>),
       kernel(ldpc_decode_batches_kernel<true, false, true>),
       kernel(ldpc_decode_batches_kernel<true, true, false>),
       kernel(ldpc_decode_batches_kernel<true, true, true>)});
  if (limit < ldpc_kernel_max_shared_bytes_without_messages) {
    throw std::runtime_error("LDPC kernel: the device allows " + std::to_string(limit) +
                             " bytes of shared memory per block, a BG1 block at Z = 384 needs " +
                             std::to_string(ldpc_kernel_max_shared_bytes_without_messages));
  }
  return limit;
}

void ldpc_kernel_launch(const LdpcKernelBatch& batch, unsigned threads, std::size_t shared_bytes,
                        cudaStream_t stream) {
  if (batch.num_blocks == 0) {
    return;
  }
  const bool keep = ldpc_kernel_keeps_edges(batch.keep_edges, batch.num_blocks, current_sm_count());
  dispatch(batch.recover, keep, batch.messages_in_shared,
           [&]<bool Recover, bool Keep, bool SharedMessages>() {
             single_kernel<Recover, Keep,
                           SharedMessages>()<<<batch.num_blocks, threads, shared_bytes, stream>>>(
                 batch);
           });
  AIRAN_CUDA_LAUNCHED(kernel_name(false, batch.recover, keep), stream);
}

void ldpc_kernel_launch_batches(const LdpcKernelBatches& batches, unsigned threads,
                                std::size_t shared_bytes, cudaStream_t stream) {
  const std::uint32_t blocks = batches.blocks.total();
  if (blocks == 0) {
    return;
  }
  const LdpcKernelBatch& first = batches.batches[0];
  const bool keep = ldpc_kernel_keeps_edges(first.keep_edges, blocks, current_sm_count());
  const bool shared_messages = ldpc_batches_messages_in_shared(batches);
  dispatch(first.recover, keep, shared_messages,
           [&]<bool Recover, bool Keep, bool SharedMessages>() {
             ldpc_decode_batches_kernel<Recover, Keep, SharedMessages>
                 <<<blocks, threads, shared_bytes, stream>>>(batches);
           });
  AIRAN_CUDA_LAUNCHED(kernel_name(true, first.recover, keep), stream);
}

} // namespace airan::gpu::detail
