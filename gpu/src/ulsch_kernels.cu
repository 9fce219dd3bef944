/// \file
/// \brief The UL-SCH rate recovery kernel: the shared per-position math of ldpc_rate_recovery.h
/// and ldpc_llr_quantization.h with one thread per (code block, work item), each work item a
/// circular-buffer position in the tiled order of GatherRateRecovery::item_position().
#include "ulsch_kernels.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/ldpc_llr_quantization.h"

#include <algorithm>

namespace airan::gpu::detail {

namespace {

/// One thread per work item of code block blockIdx.y (GatherRateRecovery::item_position()): a
/// block of Q_m warps is one tile, so that its loads cover Q_m x 32 consecutive LLRs and each
/// warp stores 32 consecutive positions.
__global__ void rate_recovery_kernel(const RateRecoveryLaunch p) {
  const bool nonzero = recover_rate_item(p, blockIdx.y, blockIdx.x * blockDim.x + threadIdx.x);
  // One store per warp that has a nonzero LLR (every warp is whole: blocks are Q_m warps). A
  // store by every such thread, all to the same byte, was serialised in L2.
  if (__ballot_sync(0xFFFFFFFFU, nonzero) != 0 && threadIdx.x % 32 == 0) {
    p.active[blockIdx.y] = p.active_mark;
  }
}

constexpr unsigned assembly_threads = tb_assembly_threads;

/// TB bytes block \p block: its bytes (tb_assembly_byte(), one per thread) and its CRC partial
/// (the threads' contributions combined in each warp with shuffles, then the warps' by thread 0:
/// tb_crc_block_partial()); the host combines the blocks' partials (tb_crc_register()).
__device__ void tb_bytes_block(const TbAssemblyLaunch& p, std::uint32_t block) {
  std::uint32_t reg = tb_assembly_byte(p, block * blockDim.x + threadIdx.x);
  for (int offset = 16; offset > 0; offset /= 2) {
    reg = tb_crc_combine(reg, __shfl_xor_sync(0xFFFFFFFFU, reg, offset));
  }
  __shared__ std::uint32_t warp_regs[tb_assembly_warps];
  if (threadIdx.x % 32 == 0) {
    warp_regs[threadIdx.x / 32] = reg;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    p.crc_partials[block] = tb_crc_block_partial(warp_regs);
  }
}

/// Code block \p r's nonzero flag: whether any thread saw a set bit (tb_message_bit_set()).
__device__ void code_block_nonzero(const TbAssemblyLaunch& p, unsigned r) {
  const std::uint8_t* message = tb_code_block_message(p, r);
  int any = 0;
  for (unsigned i = threadIdx.x; i < p.info_bits; i += blockDim.x) {
    any |= tb_message_bit_set(message[i]) ? 1 : 0;
  }
  any = __syncthreads_or(any);
  if (threadIdx.x == 0) {
    p.nonzero[r] = tb_code_block_flag(any != 0);
  }
}

/// Thread block \p block of the TB's assembly: TB bytes or a code block's flag
/// (tb_assembly_block_has_bytes()).
__device__ void tb_assembly_block(const TbAssemblyLaunch& p, std::uint32_t byte_blocks,
                                  std::uint32_t block) {
  if (tb_assembly_block_has_bytes(byte_blocks, block)) {
    tb_bytes_block(p, block);
  } else {
    code_block_nonzero(p, tb_assembly_code_block(byte_blocks, block));
  }
}

__global__ void tb_assembly_kernel(const TbAssemblyLaunch p, unsigned byte_blocks) {
  tb_assembly_block(p, byte_blocks, blockIdx.x);
}

__global__ void tb_assembly_batches_kernel(const __grid_constant__ TbAssemblyBatches batches) {
  const unsigned t = batches.blocks.batch_of(blockIdx.x);
  const TbAssemblyLaunch& p = batches.batches[t];
  tb_assembly_block(p, tb_assembly_byte_blocks(p.num_bits),
                    batches.blocks.block_in_batch(blockIdx.x, t));
}

/// Block b of its copy: bytes [b, b + 1) * byte_copy_block_bytes, 16 per thread when both
/// addresses are 16-byte aligned, else byte by byte.
__global__ void byte_copies_kernel(const __grid_constant__ ByteCopies copies) {
  const unsigned t = copies.blocks.batch_of(blockIdx.x);
  const ByteCopy& copy = copies.copies[t];
  const std::size_t begin =
      std::size_t{copies.blocks.block_in_batch(blockIdx.x, t)} * byte_copy_block_bytes;
  const std::size_t end = min(begin + byte_copy_block_bytes, copy.bytes);
  const bool aligned = ((reinterpret_cast<std::uintptr_t>(copy.source) |
                         reinterpret_cast<std::uintptr_t>(copy.destination)) %
                        16) == 0;
  if (aligned) {
    const std::size_t whole_end = begin + (end - begin) / 16 * 16;
    const std::size_t offset = begin + std::size_t{threadIdx.x} * 16;
    if (offset < whole_end) {
      *reinterpret_cast<uint4*>(copy.destination + offset) =
          *reinterpret_cast<const uint4*>(copy.source + offset);
    }
    for (std::size_t i = whole_end + threadIdx.x; i < end; i += blockDim.x) {
      copy.destination[i] = copy.source[i];
    }
  } else {
    for (std::size_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
      copy.destination[i] = copy.source[i];
    }
  }
}

} // namespace

void tb_assembly_launch(const TbAssemblyLaunch& launch, cudaStream_t stream) {
  const std::uint32_t byte_blocks = tb_assembly_byte_blocks(launch.num_bits);
  const std::uint32_t blocks = tb_assembly_blocks(launch);
  if (blocks > 0) {
    tb_assembly_kernel<<<blocks, assembly_threads, 0, stream>>>(launch, byte_blocks);
    AIRAN_CUDA_LAUNCHED("tb_assembly_kernel", stream);
  }
}

bool tb_assembly_add(TbAssemblyBatches& batches, const TbAssemblyLaunch& launch) {
  const unsigned t = batches.blocks.num_batches;
  if (!batches.blocks.add(tb_assembly_blocks(launch))) {
    return false;
  }
  batches.batches[t] = launch;
  return true;
}

void tb_assembly_launch_batches(const TbAssemblyBatches& batches, cudaStream_t stream) {
  if (batches.blocks.total() > 0) {
    tb_assembly_batches_kernel<<<batches.blocks.total(), assembly_threads, 0, stream>>>(batches);
    AIRAN_CUDA_LAUNCHED("tb_assembly_batches_kernel", stream);
  }
}

bool byte_copies_add(ByteCopies& copies, const ByteCopy& copy) {
  const unsigned t = copies.blocks.num_batches;
  const auto blocks =
      static_cast<std::uint32_t>((copy.bytes + byte_copy_block_bytes - 1) / byte_copy_block_bytes);
  if (!copies.blocks.add(blocks)) {
    return false;
  }
  copies.copies[t] = copy;
  return true;
}

void byte_copies_launch(const ByteCopies& copies, cudaStream_t stream) {
  if (copies.blocks.total() > 0) {
    byte_copies_kernel<<<copies.blocks.total(), byte_copy_threads, 0, stream>>>(copies);
    AIRAN_CUDA_LAUNCHED("byte_copies_kernel", stream);
  }
}

void rate_recovery_launch(const RateRecoveryLaunch& launch, cudaStream_t stream) {
  if (launch.num_code_blocks == 0) {
    return;
  }
  const phy::ulsch::GatherRateRecovery& recovery = launch.recovery;
  if (std::max(recovery.received_short, recovery.received_long) == 0) {
    return;
  }
  // Items of the longest code block (the last one has the longest E_r).
  const unsigned items =
      std::max(recovery.num_items(0), recovery.num_items(launch.num_code_blocks - 1));
  const unsigned threads = recovery.modulation_order * phy::ulsch::GatherRateRecovery::tile_lanes;
  const dim3 grid((items + threads - 1) / threads, launch.num_code_blocks);
  rate_recovery_kernel<<<grid, threads, 0, stream>>>(launch);
  AIRAN_CUDA_LAUNCHED("rate_recovery_kernel", stream);
}

} // namespace airan::gpu::detail
