/// \file
/// \brief What one thread block of the batched LDPC kernel decodes (private, no CUDA): a code
/// block's lane code and where its LLRs and bits lie, from a table in device memory
/// (GpuLdpcDecoder: any codes) or, for the code blocks of one transport block, computed from the
/// block index (GpuUlschDecoder: two codes, so nothing is uploaded per transport block, built on
/// the host by ulsch_transport_block_codes()), and what a block the kernel does not decode writes.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ulsch_code_block.h"

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

/// The code blocks of a UL-SCH TB of \p layout as GpuUlschDecoder's LDPC kernel decodes them,
/// after the rate recovery \p recovery: each length's lane code over the positions it receives
/// (recovery.received_short or received_long; a length that receives nothing takes the other's
/// code, its blocks are not decoded), early termination on the CRC24B of \p crc24b (its
/// contributions; not read for a single code block; the final parity check only where
/// acceptance reads it), the graph at \p row_begin and \p edges;
/// code block r's LLRs r \p llr_stride apart and its K' bits packed (K' apart, as the TB assembly
/// reads them). \throws std::invalid_argument as phy::ldpc_lane_code().
inline LdpcTransportBlockCodes ulsch_transport_block_codes(
    const phy::ulsch::TransportBlockLayout& layout, const phy::UlschDecoderConfig& cfg,
    const phy::ulsch::GatherRateRecovery& recovery, const std::uint16_t* row_begin,
    const phy::LdpcLiftedEdge* edges, const std::uint32_t* crc24b, std::uint32_t llr_stride) {
  const phy::CodeBlockSegmentation& seg = layout.seg;
  const bool has_cb_crc = seg.num_code_blocks > 1;
  const auto lane_code = [&](unsigned received) {
    phy::LdpcLaneCode code =
        phy::ldpc_lane_code(phy::ulsch::code_block_ldpc_config(layout, cfg, received), received,
                            row_begin, edges, has_cb_crc ? crc24b : nullptr);
    code.parity_only_for_zero_message = has_cb_crc; // acceptance reads parity only then
    return code;
  };
  const unsigned short_reach =
      recovery.received_short != 0 ? recovery.received_short : recovery.received_long;
  const unsigned long_reach =
      recovery.received_long != 0 ? recovery.received_long : recovery.received_short;
  return {lane_code(short_reach), lane_code(long_reach), recovery.sizes.num_short, llr_stride,
          seg.num_info_bits};
}

/// Bit \p i (< K') of \p block when the kernel does not decode it (nothing received): 0, in
/// the batch bit buffer \p bits.
AIRAN_HOST_DEVICE inline void ldpc_clear_inactive_bit(std::uint8_t* bits,
                                                      const LdpcKernelBlock& block, unsigned i) {
  bits[block.bits_offset + i] = 0;
}

/// The result of a code block the kernel does not decode: 0 iterations (the host's mark of a
/// block that received nothing: not accepted), no check holds.
AIRAN_HOST_DEVICE inline phy::LdpcLaneResult ldpc_inactive_block_result() {
  return phy::LdpcLaneResult{};
}

} // namespace airan::gpu::detail
