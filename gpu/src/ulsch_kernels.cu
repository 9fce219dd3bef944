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
  const unsigned r = blockIdx.y;
  const unsigned item = blockIdx.x * blockDim.x + threadIdx.x;
  const unsigned position =
      item < p.recovery.num_items(r) ? p.recovery.item_position(r, item) : ~0U;
  bool nonzero = false;
  if (position < p.recovery.received_length(r)) {
    float* harq = p.harq != nullptr ? p.harq + std::size_t{r} * p.harq_stride : nullptr;
    const float soft = p.recovery.soft_value(p.llrs, r, position, harq);
    if (harq != nullptr) {
      harq[position] = soft;
    }
    const std::int8_t llr = phy::quantize_ldpc_llr(soft * p.llr_scale);
    p.ldpc_llrs[std::size_t{r} * p.ldpc_stride + position] = llr;
    nonzero = llr != 0;
  }
  // One store per warp that has a nonzero LLR (every warp is whole: blocks are Q_m warps). A
  // store by every such thread, all to the same byte, was serialised in L2.
  if (__ballot_sync(0xFFFFFFFFU, nonzero) != 0 && threadIdx.x % 32 == 0) {
    p.active[r] = 1;
  }
}

constexpr unsigned assembly_threads = 256;

__global__ void tb_bytes_kernel(const TbAssemblyLaunch p) {
  const std::uint32_t j = blockIdx.x * blockDim.x + threadIdx.x;
  std::uint32_t reg = 0;
  if (j < (p.num_bits + 7) / 8) {
    const std::uint8_t byte = phy::ulsch::transport_block_byte(
        p.messages, p.info_bits, p.payload_bits, p.num_bits, p.contributions, j, reg);
    if (j < p.num_tb_bytes) {
      p.tb_bytes[j] = byte;
    }
  }
  for (int offset = 16; offset > 0; offset /= 2) {
    reg ^= __shfl_xor_sync(0xFFFFFFFFU, reg, offset);
  }
  // The warps' contributions combined in the block first: one atomic per block, not per warp.
  __shared__ std::uint32_t warp_regs[assembly_threads / 32];
  if (threadIdx.x % 32 == 0) {
    warp_regs[threadIdx.x / 32] = reg;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    std::uint32_t block_reg = 0;
    for (unsigned w = 0; w < assembly_threads / 32; ++w) {
      block_reg ^= warp_regs[w];
    }
    if (block_reg != 0) {
      atomicXor(p.crc_register, block_reg);
    }
  }
}

__global__ void code_block_nonzero_kernel(const TbAssemblyLaunch p) {
  const std::uint8_t* message = p.messages + std::size_t{blockIdx.x} * p.info_bits;
  int any = 0;
  for (unsigned i = threadIdx.x; i < p.info_bits; i += blockDim.x) {
    any |= message[i] != 0 ? 1 : 0;
  }
  any = __syncthreads_or(any);
  if (threadIdx.x == 0) {
    p.nonzero[blockIdx.x] = any != 0 ? 1 : 0;
  }
}

} // namespace

void tb_assembly_launch(const TbAssemblyLaunch& launch, cudaStream_t stream) {
  AIRAN_CUDA_CHECK(cudaMemsetAsync(launch.crc_register, 0, sizeof(std::uint32_t), stream));
  const std::uint32_t bytes = (launch.num_bits + 7) / 8;
  if (bytes > 0) {
    tb_bytes_kernel<<<(bytes + assembly_threads - 1) / assembly_threads, assembly_threads, 0,
                      stream>>>(launch);
    AIRAN_CUDA_LAUNCHED("tb_bytes_kernel", stream);
  }
  if (launch.num_code_blocks > 0) {
    code_block_nonzero_kernel<<<launch.num_code_blocks, assembly_threads, 0, stream>>>(launch);
    AIRAN_CUDA_LAUNCHED("code_block_nonzero_kernel", stream);
  }
}

void rate_recovery_launch(const RateRecoveryLaunch& launch, cudaStream_t stream) {
  if (launch.num_code_blocks == 0) {
    return;
  }
  AIRAN_CUDA_CHECK(cudaMemsetAsync(
      launch.active, 0, std::max(launch.num_code_blocks, launch.num_active_flags), stream));
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
