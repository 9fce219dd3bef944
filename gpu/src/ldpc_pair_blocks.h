/// \file
/// \brief What one thread block of the paired transport-block LDPC kernel
/// (ldpc_decode_tb_pairs_kernel, ldpc_pair_kernels.cu) decodes and writes (private, no CUDA):
/// the two code blocks of its pair, each half's lane code and buffers, the pair code the halves
/// are decoded as (phy::ldpc_pair_decode()), whether the pair is decoded at all, and what a half
/// whose code block received nothing writes. The kernel adds the rate recovery, the staging in
/// shared memory and the barriers; tests/gpu/ulsch_assembly_emulation_test.cpp runs these
/// functions on the host for every pair of a transport block.
#pragma once

#include "ldpc_kernel_blocks.h"

#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ldpc_pair_decoder.h"

#include <cstdint>

namespace airan::gpu::detail {

/// Pairs of a transport block of \p num_code_blocks code blocks: code blocks 2p and 2p + 1, the
/// last with itself when the number is odd.
constexpr unsigned ldpc_pair_count(unsigned num_code_blocks) {
  return (num_code_blocks + 1) / 2;
}

/// The code blocks of one pair of a transport block: the low half (half 0) and the high half
/// (half 1), the same code block when the pair is the last of an odd number.
struct LdpcTbPair {
  unsigned low = 0;
  unsigned high = 0;
  /// The code block of half \p h (0 or 1).
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned block(unsigned h) const { return h == 0 ? low : high; }
  /// Whether the pair is one code block in both halves (decoded, recovered and written once).
  [[nodiscard]] AIRAN_HOST_DEVICE bool single() const { return high == low; }
};

/// Pair \p p (< ldpc_pair_count(num_blocks)) of a transport block of \p num_blocks code blocks:
/// code blocks 2p and 2p + 1, or 2p in both halves when 2p is the last.
AIRAN_HOST_DEVICE inline LdpcTbPair ldpc_tb_pair(unsigned num_blocks, unsigned p) {
  LdpcTbPair pair;
  pair.low = 2 * p;
  pair.high = 2 * p + 1 < num_blocks ? 2 * p + 1 : 2 * p;
  return pair;
}

/// The lane code of code block \p r of a launch: from the table \p blocks when there is one
/// (GpuLdpcDecoder), else the transport block's short or long code of \p codes
/// (ldpc_transport_block_block()).
AIRAN_HOST_DEVICE inline const phy::LdpcLaneCode&
ldpc_launch_block_code(const LdpcKernelBlock* blocks, const LdpcTransportBlockCodes& codes,
                       unsigned r) {
  if (blocks != nullptr) {
    return blocks[r].code;
  }
  return r < codes.num_short ? codes.short_code : codes.long_code;
}

/// Where code block \p r's LLRs start in the batch LLR buffer (as ldpc_launch_block_code()).
AIRAN_HOST_DEVICE inline std::uint32_t
ldpc_launch_block_llr_offset(const LdpcKernelBlock* blocks, const LdpcTransportBlockCodes& codes,
                             unsigned r) {
  return blocks != nullptr ? blocks[r].llr_offset : r * codes.llr_stride;
}

/// Where code block \p r's bits start in the batch bit buffer (as ldpc_launch_block_code()).
AIRAN_HOST_DEVICE inline std::uint32_t
ldpc_launch_block_bits_offset(const LdpcKernelBlock* blocks, const LdpcTransportBlockCodes& codes,
                              unsigned r) {
  return blocks != nullptr ? blocks[r].bits_offset : r * codes.bits_stride;
}

/// Whether a pair whose halves are \p active_low and \p active_high (their code blocks received
/// something) is decoded; else both halves are cleared (ldpc_clear_inactive_half_bit(),
/// ldpc_tb_pair_half_result()) and the thread block leaves.
AIRAN_HOST_DEVICE inline bool ldpc_tb_pair_decoded(bool active_low, bool active_high) {
  return active_low || active_high;
}

/// Completes \p pair once its halves hold their code blocks' lane codes: the pair's rows and
/// columns are the larger of the halves', and a half whose code block received nothing
/// (\p active_low, \p active_high false) reads no LLRs (those in its buffer are an earlier
/// transport block's: its recovery wrote none, or zeros), so that it decodes the all-zero word
/// and ends after one iteration; its outputs are overwritten after the decoding.
AIRAN_HOST_DEVICE inline void ldpc_tb_pair_finish_code(phy::LdpcPairCode& pair, bool active_low,
                                                       bool active_high) {
  const phy::LdpcLaneCode& a = pair.half[0];
  const phy::LdpcLaneCode& b = pair.half[1];
  pair.num_rows = a.num_rows > b.num_rows ? a.num_rows : b.num_rows;
  pair.num_columns = a.num_columns > b.num_columns ? a.num_columns : b.num_columns;
  if (!active_low) {
    pair.half[0].num_llrs = 0;
  }
  if (!active_high) {
    pair.half[1].num_llrs = 0;
  }
}

/// Edges of the rows \p pair processes: the lifted graph's part a thread block stages in shared
/// memory (both halves share the graph).
AIRAN_HOST_DEVICE inline unsigned ldpc_pair_staged_edges(const phy::LdpcPairCode& pair) {
  return pair.half[0].row_begin[pair.num_rows];
}

/// Bit \p i (< K') of a half whose code block received nothing, in its bits \p half_bits: 0 (as
/// ldpc_clear_inactive_bit()).
AIRAN_HOST_DEVICE inline void ldpc_clear_inactive_half_bit(std::uint8_t* half_bits, unsigned i) {
  half_bits[i] = 0;
}

/// The result written for a half: its decoding's \p decoded when its code block is \p active,
/// else ldpc_inactive_block_result() (also when the pair is not decoded at all).
AIRAN_HOST_DEVICE inline phy::LdpcLaneResult
ldpc_tb_pair_half_result(bool active, const phy::LdpcLaneResult& decoded) {
  return active ? decoded : ldpc_inactive_block_result();
}

} // namespace airan::gpu::detail
