/// \file
/// \brief Launch of the batched LDPC decoding kernel (ldpc_kernels.cu) for GpuLdpcDecoder.
#pragma once

#include "launch_batches.h"
#include "ldpc_kernel_blocks.h"
#include "rate_recovery_launch.h"

#include "airan/phy/ldpc_lane_decoder.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// When the kernel keeps each layer's edges from pass 1 for pass 2 (phy::LdpcLaneCode::
/// keep_extrinsics): fewer instructions per edge and pass 1's loads issued together, but 79-80
/// registers per thread (sm_80 and sm_90), so one block of 768 threads per SM where the other
/// instance has two.
enum class LdpcEdgeKeeping : std::uint8_t {
  automatic, ///< When the launch has at most one thread block per SM (no occupancy lost).
  always,
  never, ///< The baseline.
};

/// Whether a launch of \p blocks thread blocks on a device of \p sm_count SMs keeps the edges.
bool ldpc_kernel_keeps_edges(LdpcEdgeKeeping keeping, std::uint32_t blocks, unsigned sm_count);

/// Everything one launch reads and writes (device pointers).
struct LdpcKernelBatch {
  /// Per code block (device memory), or null: the code blocks of one transport block, tb_codes.
  const LdpcKernelBlock* blocks = nullptr;
  LdpcTransportBlockCodes tb_codes; ///< Without blocks.
  unsigned num_blocks = 0;
  const std::int8_t* llrs = nullptr;
  std::int8_t* messages = nullptr; ///< message_stride values per code block.
  std::size_t message_stride = 0;
  /// Messages in shared memory after the APPs instead of in `messages` (the launch's shared
  /// size then includes them: ldpc_kernel_shared_bytes(..., true)).
  bool messages_in_shared = false;
  std::uint8_t* bits = nullptr;
  phy::LdpcLaneResult* results = nullptr; ///< One per code block.
  /// When set, block b is decoded only if active[b] == active_mark; an inactive block (nothing
  /// received) gets all-zero bits and a zero result without being decoded. (The rate recovery
  /// of each transport block marks its blocks with a mark of its own, so that the flags of the
  /// one before need no clearing.)
  const std::uint32_t* active = nullptr;
  std::uint32_t active_mark = 1;
  /// Threads per check node (1, 2 or 4; ldpc_kernel_parts()): each takes every parts-th edge of
  /// the row, and the parts merge their minima with shuffles (bit-exact for any number).
  unsigned parts = 1;
  /// Whether the launch keeps each layer's edges from pass 1 for pass 2
  /// (phy::LdpcLaneCode::keep_extrinsics; ldpc_kernel_keeps_edges()). ldpc_kernel_launch_batches()
  /// follows the first batch's.
  LdpcEdgeKeeping keep_edges = LdpcEdgeKeeping::automatic;
  /// With recover: each thread block first runs the rate recovery of its code block (the
  /// work items of recover_rate_item(), recovery.ldpc_llrs == llrs, one transport block whose
  /// code block r is block r), and decodes it when one of its LLRs is nonzero (active is not
  /// read): one kernel instead of rate_recovery_kernel then this one.
  bool recover = false;
  RateRecoveryLaunch recovery;
};

/// Several transport blocks' launches as one (GpuUlschDecoder::enqueue_prepared(): the TBs of a
/// slot's cells): each thread block decodes its code block of its batch (LaunchBatchBlocks). A
/// kernel parameter (__grid_constant__, read in place): 32 batches are about 12 KB of the 32 KB
/// a launch may pass.
struct LdpcKernelBatches {
  LaunchBatchBlocks blocks; ///< Batch t's num_blocks code blocks.
  LdpcKernelBatch batches[max_launch_batches];
};

/// Shared memory of a block, in uint16 values: the lifted graph's row_begin (47 values, padded to
/// 48) and edges (316 of 2 values), then the APPs (num_columns Z int16), then, when they fit,
/// the int8 messages (num_edges Z).
inline constexpr std::size_t ldpc_kernel_row_begin_values = 48;
inline constexpr std::size_t ldpc_kernel_graph_values =
    ldpc_kernel_row_begin_values + 2 * phy::ldpc_max_edges;

/// Dynamic shared memory of a block whose code has \p num_columns columns and \p num_edges
/// edges (of the processed rows) at \p lifting_size, with or without its messages.
constexpr std::size_t ldpc_kernel_shared_bytes(unsigned num_columns, unsigned lifting_size,
                                               unsigned num_edges, bool with_messages) {
  return (ldpc_kernel_graph_values + std::size_t{num_columns} * lifting_size) * 2 +
         (with_messages ? std::size_t{num_edges} * lifting_size : 0);
}

/// Largest block without its messages: BG1, 68 columns at Z = 384 (53.5 KB).
inline constexpr std::size_t ldpc_kernel_max_shared_bytes_without_messages =
    ldpc_kernel_shared_bytes(68, 384, 0, false);

/// Largest shared size for which a launch keeps the messages in shared memory: about two blocks
/// per SM on an H100 (227 KB). A rate-0.9 BG1 block at Z = 384 (5 rows, 27 columns) needs 51 KB.
inline constexpr std::size_t ldpc_kernel_shared_messages_limit = 100 * 1024;

/// Allows every instance of the kernel the dynamic shared memory it may ask for on the current
/// device (the larger of the two sizes above, less where the device allows less per block: 99 KB
/// on sm_86/sm_89) and \returns that size: a launch keeps its messages in shared memory only when
/// they fit it. \throws CudaError on failure; std::runtime_error when the device cannot hold the
/// largest block without its messages.
std::size_t ldpc_kernel_configure();

/// Threads per check node for codes of lifting size up to \p max_z: 2 while Z * 2 threads fit a
/// block (always, Z <= 384), which halves each layer's chain of dependent edge updates per
/// thread (the kernel was latency-bound with one thread per check node: 8.7 cycles between a
/// warp's instructions at 12 warps per SM on an H200).
constexpr unsigned ldpc_kernel_parts(unsigned max_z) {
  return max_z * 2 <= 1024 ? 2 : 1;
}

/// Threads of a block for codes of lifting size up to \p max_z with \p parts threads per check
/// node: Z * parts rounded up to whole warps.
constexpr unsigned ldpc_kernel_threads(unsigned max_z, unsigned parts) {
  return (max_z * parts + 31) / 32 * 32;
}

/// The most threads a block has (Z = 384, two threads per check node).
inline constexpr unsigned ldpc_kernel_max_threads =
    ldpc_kernel_threads(384, ldpc_kernel_parts(384));
static_assert(ldpc_kernel_max_threads == 768);

/// Whether every batch of \p batches has its messages in shared memory (a launch of them may
/// then run its kernels' SharedMessages instance).
inline bool ldpc_batches_messages_in_shared(const LdpcKernelBatches& batches) {
  return std::all_of(batches.batches, batches.batches + batches.blocks.num_batches,
                     [](const LdpcKernelBatch& batch) { return batch.messages_in_shared; });
}

/// Calls f.template operator()<B>() for the run-time value \p b (the launches' choice of a
/// kernel instance).
template <class F> void with_bool(bool b, F&& f) {
  b ? f.template operator()<true>() : f.template operator()<false>();
}

/// Enqueues one thread block of \p threads threads (ldpc_kernel_threads() of the batch's
/// largest Z and batch.parts) per code block, with \p shared_bytes of dynamic shared memory; the
/// instance that keeps the edges when batch.keep_edges says so for the current device.
/// \throws CudaError when the launch fails.
void ldpc_kernel_launch(const LdpcKernelBatch& batch, unsigned threads, std::size_t shared_bytes,
                        cudaStream_t stream);

/// Enqueues one thread block of \p threads threads per code block of every batch of \p batches
/// (blocks filled in, the same `recover` in each), with \p shared_bytes of dynamic shared
/// memory (the most any batch needs). \throws CudaError when the launch fails.
void ldpc_kernel_launch_batches(const LdpcKernelBatches& batches, unsigned threads,
                                std::size_t shared_bytes, cudaStream_t stream);

} // namespace airan::gpu::detail
