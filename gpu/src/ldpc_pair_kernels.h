/// \file
/// \brief Launch of the paired LDPC decoding kernel (ldpc_pair_kernels.cu) for GpuLdpcDecoder:
/// one thread block per pair of code blocks of one code, their values in the two halves of each
/// word (phy::ldpc_pair_decode()).
#pragma once

#include "ldpc_kernel_blocks.h"
#include "ldpc_kernels.h"
#include "ldpc_pair_blocks.h"

#include "airan/phy/ldpc_pair_decoder.h"

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// Everything one paired launch reads and writes (device pointers).
struct LdpcPairKernelBatch {
  const LdpcKernelBlock* blocks = nullptr; ///< Per code block.
  /// Per pair p: the code blocks of its low half (pairs[2p]) and high half (pairs[2p + 1]),
  /// equal for a block paired with itself (phy::ldpc_lane_codes_pair() holds for the two).
  const std::uint32_t* pairs = nullptr;
  unsigned num_pairs = 0;
  const std::int8_t* llrs = nullptr;
  std::uint16_t* messages = nullptr; ///< message_stride int8 pairs per pair.
  std::size_t message_stride = 0;
  bool messages_in_shared = false; ///< After the APPs (ldpc_pair_kernel_shared_bytes(.., true)).
  std::uint8_t* bits = nullptr;
  phy::LdpcLaneResult* results = nullptr; ///< Per code block.
  unsigned parts = 1;                     ///< Threads per check node (1 or 2).
};

/// Dynamic shared memory of a paired block whose code has \p num_columns columns and
/// \p num_edges edges (of the processed rows) at \p lifting_size: the lifted graph as the single
/// kernel has it, the APP words, and the message pairs when they fit.
constexpr std::size_t ldpc_pair_kernel_shared_bytes(unsigned num_columns, unsigned lifting_size,
                                                    unsigned num_edges, bool with_messages) {
  return ldpc_kernel_graph_values * 2 + std::size_t{num_columns} * lifting_size * 4 +
         (with_messages ? std::size_t{num_edges} * lifting_size * 2 : 0);
}

/// Largest shared size for which a paired launch keeps its messages in shared memory: two blocks
/// per SM on an H100 (227 KB). A rate-0.9 BG1 pair at Z = 384 (5 rows, 27 columns, 79 edges)
/// needs 101 KB.
inline constexpr std::size_t ldpc_pair_kernel_shared_messages_limit = 110 * 1024;

/// Largest paired block without its messages: BG1, 68 columns at Z = 384 (103 KB).
inline constexpr std::size_t ldpc_pair_kernel_max_shared_bytes_without_messages =
    ldpc_pair_kernel_shared_bytes(68, 384, 0, false);

/// Allows the paired kernels the dynamic shared memory they may ask for on the current device
/// (the larger of the two sizes above, less where the device allows less per block) and
/// \returns that size: below ldpc_pair_kernel_max_shared_bytes_without_messages (sm_86/sm_89:
/// 99 KB) the device cannot run pairs of the largest codes. \throws CudaError on failure.
std::size_t ldpc_pair_kernel_configure();

/// Throws std::invalid_argument, naming \p decoder, when the paired kernels' shared memory
/// \p pair_shared_limit (ldpc_pair_kernel_configure()) cannot hold a pair of the largest codes.
void check_pairs_fit(std::size_t pair_shared_limit, const char* decoder);

/// Enqueues one thread block of \p threads threads (ldpc_kernel_threads()) per pair of
/// \p batch, with \p shared_bytes of dynamic shared memory. \throws CudaError when the launch
/// fails.
void ldpc_pair_kernel_launch(const LdpcPairKernelBatch& batch, unsigned threads,
                             std::size_t shared_bytes, cudaStream_t stream);

/// Enqueues one thread block of \p threads threads per pair of code blocks of every batch of
/// \p batches, whose block counts are their pairs (ldpc_pair_count(num_blocks); each thread block
/// decodes the pair ldpc_tb_pair() of its index in its batch, ldpc_pair_blocks.h): the paired
/// counterpart of ldpc_kernel_launch_batches() (the same `recover` in each batch; with recover,
/// each thread block first recovers both of its code blocks), with \p shared_bytes of dynamic
/// shared memory (ldpc_pair_kernel_shared_bytes() of the largest pair). Messages in device
/// memory: `messages` holds two int8 per value of message_stride per pair.
/// \throws CudaError when the launch fails.
void ldpc_pair_kernel_launch_batches(const LdpcKernelBatches& batches, unsigned threads,
                                     std::size_t shared_bytes, cudaStream_t stream);

} // namespace airan::gpu::detail
