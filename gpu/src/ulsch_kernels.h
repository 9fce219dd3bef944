/// \file
/// \brief Launch of the UL-SCH rate recovery kernel (ulsch_kernels.cu) for GpuUlschDecoder:
/// rate recovery as a gather (phy::ldpc_rate_recovery_gather), HARQ combining in device memory
/// and int8 quantisation (phy::quantize_ldpc_llr) fused, one thread per circular-buffer position.
#pragma once

#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/ulsch_code_block.h"

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace airan::gpu::detail {

/// One transport block's rate recovery: the shared per-position math and device pointers.
struct RateRecoveryLaunch {
  phy::ulsch::GatherRateRecovery recovery;
  unsigned num_code_blocks = 0;
  const float* llrs = nullptr; ///< The G descrambled LLRs of the codeword.
  /// HARQ buffer (num_code_blocks circular buffers of harq_stride values) or null (a single
  /// transmission); receives the combined soft values.
  float* harq = nullptr;
  unsigned harq_stride = 0;
  float llr_scale = 4.0F;
  std::int8_t* ldpc_llrs = nullptr; ///< Code block r's decoder LLRs at r * ldpc_stride.
  std::size_t ldpc_stride = 0;
  std::uint8_t* active = nullptr; ///< Set to 1 for a code block with a nonzero decoder LLR.
  /// Flags cleared first: a fixed count (at least num_code_blocks), so that the clearing keeps
  /// its size from TB to TB and a captured graph can be updated rather than re-instantiated.
  unsigned num_active_flags = 0;
};

/// Enqueues the clearing of the active flags and the kernel. \throws CudaError on failure.
void rate_recovery_launch(const RateRecoveryLaunch& launch, cudaStream_t stream);

/// One transport block's assembly after LDPC decoding (device pointers).
struct TbAssemblyLaunch {
  const std::uint8_t* messages = nullptr; ///< info_bits bits per code block, one per byte.
  unsigned num_code_blocks = 0;
  unsigned info_bits = 0;                       ///< K'.
  unsigned payload_bits = 0;                    ///< K' minus the code block CRC.
  std::uint32_t num_bits = 0;                   ///< B: TB bits with the TB CRC (a multiple of 8).
  std::uint32_t num_tb_bytes = 0;               ///< TBS / 8 bytes written to tb_bytes.
  const std::uint32_t* contributions = nullptr; ///< TB CRC contributions, at least B.
  std::uint8_t* tb_bytes = nullptr;
  std::uint32_t* crc_register = nullptr; ///< The TB CRC register (0: the CRC holds).
  std::uint8_t* nonzero = nullptr;       ///< Per code block: its message has a set bit.
};

/// Enqueues the TB bytes with the TB CRC register (phy::ulsch::transport_block_byte, a byte per
/// thread, XOR-reduced per warp and atomically across warps) and the code blocks' nonzero flags
/// (a block per code block). \throws CudaError on failure.
void tb_assembly_launch(const TbAssemblyLaunch& launch, cudaStream_t stream);

} // namespace airan::gpu::detail
