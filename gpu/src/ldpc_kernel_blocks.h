/// \file
/// \brief What one thread block of the batched LDPC kernel decodes (private, no CUDA): a code
/// block's lane code and where its LLRs and bits lie, from a table in device memory
/// (GpuLdpcDecoder: any codes) or, for the code blocks of one transport block, computed from the
/// block index (GpuUlschDecoder: two codes, so nothing is uploaded per transport block).
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_lane_decoder.h"

#include <cstdint>

namespace airan::gpu::detail {

/// One code block of a launch: its lane code (graph pointers in device memory) and where its
/// LLRs and output bits lie in the batch buffers.
struct LdpcKernelBlock {
  phy::LdpcLaneCode code;
  std::uint32_t llr_offset = 0;  ///< In the batch LLR buffer.
  std::uint32_t bits_offset = 0; ///< In the batch bit buffer.
};

/// The code blocks of one transport block (TS 38.212 5.2.2: the first num_short of the shorter
/// rate-matched length, the rest of the longer): code block r has short_code when
/// r < num_short, else long_code, its LLRs at r * llr_stride and its bits at r * bits_stride.
struct LdpcTransportBlockCodes {
  phy::LdpcLaneCode short_code;
  phy::LdpcLaneCode long_code;
  unsigned num_short = 0;
  std::uint32_t llr_stride = 0;
  std::uint32_t bits_stride = 0;
};

/// Code block \p r of \p codes.
AIRAN_HOST_DEVICE inline LdpcKernelBlock
ldpc_transport_block_block(const LdpcTransportBlockCodes& codes, unsigned r) {
  LdpcKernelBlock block;
  block.code = r < codes.num_short ? codes.short_code : codes.long_code;
  block.llr_offset = r * codes.llr_stride;
  block.bits_offset = r * codes.bits_stride;
  return block;
}

} // namespace airan::gpu::detail
