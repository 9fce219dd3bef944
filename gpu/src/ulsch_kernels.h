/// \file
/// \brief Launch of the UL-SCH rate recovery kernel (ulsch_kernels.cu) for GpuUlschDecoder:
/// rate recovery as a gather (phy::ldpc_rate_recovery_gather), HARQ combining in device memory
/// and int8 quantisation (phy::quantize_ldpc_llr) fused, one thread per circular-buffer position.
#pragma once

#include "launch_batches.h"
#include "rate_recovery_launch.h"
#include "tb_assembly_elements.h"

#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/ulsch_code_block.h"

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// Enqueues the kernel (nothing when no code block received anything). \throws CudaError on
/// failure.
void rate_recovery_launch(const RateRecoveryLaunch& launch, cudaStream_t stream);

/// Enqueues one kernel (TbAssemblyLaunch, tb_assembly_elements.h): the TB bytes with the TB CRC
/// register's part of each block (tb_assembly_byte(), a byte per thread, XOR-reduced per warp and
/// block, no atomics) and, in further blocks, the code blocks' nonzero flags (a block per code
/// block; tb_assembly_block_has_bytes()).
/// \throws CudaError on failure.
void tb_assembly_launch(const TbAssemblyLaunch& launch, cudaStream_t stream);

/// Several TBs' assemblies as one launch (GpuUlschDecoder::enqueue_prepared()): batch t's
/// tb_assembly_byte_blocks() byte blocks, then its code blocks' blocks.
struct TbAssemblyBatches {
  LaunchBatchBlocks blocks;
  TbAssemblyLaunch batches[max_launch_batches];
};

/// Adds \p launch to \p batches. \returns false when they are full.
bool tb_assembly_add(TbAssemblyBatches& batches, const TbAssemblyLaunch& launch);

/// Enqueues one kernel for every TB of \p batches. \throws CudaError on failure.
void tb_assembly_launch_batches(const TbAssemblyBatches& batches, cudaStream_t stream);

/// A copy of \p bytes bytes between two addresses the device can reach (device memory, or pinned
/// host memory through its device address).
struct ByteCopy {
  const std::uint8_t* source = nullptr;
  std::uint8_t* destination = nullptr;
  std::size_t bytes = 0;
};

/// Bytes one thread block of the copy kernel moves: 256 threads of 16 bytes.
inline constexpr unsigned byte_copy_threads = 256;
inline constexpr std::size_t byte_copy_block_bytes = std::size_t{byte_copy_threads} * 16;

/// Several copies as one kernel (the TBs' outputs into their pinned host buffers: one launch
/// instead of a copy each).
struct ByteCopies {
  LaunchBatchBlocks blocks;
  ByteCopy copies[max_launch_batches];
};

/// Adds \p copy to \p copies. \returns false when they are full.
bool byte_copies_add(ByteCopies& copies, const ByteCopy& copy);

/// Enqueues one kernel for every copy of \p copies. \throws CudaError on failure.
void byte_copies_launch(const ByteCopies& copies, cudaStream_t stream);

} // namespace airan::gpu::detail
