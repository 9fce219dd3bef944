/// \file
/// \brief GpuUlschDecoder's TB assembly after LDPC decoding (tb_assembly_kernel, ulsch_kernels.cu)
/// as shared code without CUDA: what each thread block of a TB does (its TB bytes, or a code
/// block's nonzero flag), each thread's TB byte and CRC register contribution, how a block's
/// contributions combine into its CRC partial, the nonzero rule of a code block's message, and the
/// host's reading of the partials and flags (GpuUlschDecoder::Impl::finish()). The kernel adds
/// only indexing, warp shuffles and barriers, so that host tests run the same code in its thread
/// order.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ulsch_code_block.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace airan::gpu::detail {

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
  /// Per thread block of TB bytes (tb_assembly_byte_blocks()): its part of the TB CRC register,
  /// whose XOR over the blocks is 0 when the CRC holds.
  std::uint32_t* crc_partials = nullptr;
  std::uint8_t* nonzero = nullptr; ///< Per code block: its message has a set bit.
};

/// Threads per block of the TB assembly, and their warps.
inline constexpr unsigned tb_assembly_threads = 256;
inline constexpr unsigned tb_assembly_warps = tb_assembly_threads / 32;

/// Thread blocks (and CRC partials) of the TB bytes of a TB of \p num_bits bits with its CRC.
AIRAN_HOST_DEVICE constexpr std::uint32_t tb_assembly_byte_blocks(std::uint32_t num_bits) {
  return ((num_bits + 7) / 8 + tb_assembly_threads - 1) / tb_assembly_threads;
}

/// Thread blocks of \p launch's assembly: its byte blocks, then one per code block.
AIRAN_HOST_DEVICE inline std::uint32_t tb_assembly_blocks(const TbAssemblyLaunch& launch) {
  return tb_assembly_byte_blocks(launch.num_bits) + launch.num_code_blocks;
}

/// Whether thread block \p block of a TB whose bytes take \p byte_blocks blocks computes TB bytes
/// (byte block \p block): blocks [0, byte_blocks); else it computes a code block's nonzero flag
/// (tb_assembly_code_block()).
AIRAN_HOST_DEVICE inline bool tb_assembly_block_has_bytes(std::uint32_t byte_blocks,
                                                          std::uint32_t block) {
  return block < byte_blocks;
}

/// The code block whose nonzero flag thread block \p block (>= \p byte_blocks) computes: one
/// block per code block after the byte blocks.
AIRAN_HOST_DEVICE inline unsigned tb_assembly_code_block(std::uint32_t byte_blocks,
                                                         std::uint32_t block) {
  return block - byte_blocks;
}

/// TB byte \p j (thread j mod tb_assembly_threads of byte block j / tb_assembly_threads),
/// written to tb_bytes when j < num_tb_bytes (phy::ulsch::transport_block_byte()).
/// \returns its TB CRC register contribution (0 past the ceil(B / 8) bytes).
AIRAN_HOST_DEVICE inline std::uint32_t tb_assembly_byte(const TbAssemblyLaunch& p,
                                                        std::uint32_t j) {
  std::uint32_t contribution = 0;
  if (j < (p.num_bits + 7) / 8) {
    const std::uint8_t byte = phy::ulsch::transport_block_byte(
        p.messages, p.info_bits, p.payload_bits, p.num_bits, p.contributions, j, contribution);
    if (j < p.num_tb_bytes) {
      p.tb_bytes[j] = byte;
    }
  }
  return contribution;
}

/// Two TB CRC register contributions combined (the register is linear in the bits: XOR, in any
/// order): the warp's shuffles, the block's fold and the host's fold.
AIRAN_HOST_DEVICE constexpr std::uint32_t tb_crc_combine(std::uint32_t a, std::uint32_t b) {
  return a ^ b;
}

/// A byte block's CRC partial from its warps' combined contributions \p warp_parts
/// (tb_assembly_warps, in warp order), as its thread 0 folds them.
AIRAN_HOST_DEVICE inline std::uint32_t tb_crc_block_partial(const std::uint32_t* warp_parts) {
  std::uint32_t partial = 0;
  for (unsigned w = 0; w < tb_assembly_warps; ++w) {
    partial = tb_crc_combine(partial, warp_parts[w]);
  }
  return partial;
}

/// Code block \p r's message: its K' decoded bits in \p p.messages, one per byte.
AIRAN_HOST_DEVICE inline const std::uint8_t* tb_code_block_message(const TbAssemblyLaunch& p,
                                                                   unsigned r) {
  return p.messages + std::size_t{r} * p.info_bits;
}

/// The nonzero rule: whether a message bit \p bit counts as set (any value but 0, as
/// phy::ulsch::accept_code_block() reads a message). A code block's flag is set when any of its
/// message bits is.
AIRAN_HOST_DEVICE inline bool tb_message_bit_set(std::uint8_t bit) {
  return bit != 0;
}

/// A code block's nonzero flag given whether any of its message bits is set.
AIRAN_HOST_DEVICE constexpr std::uint8_t tb_code_block_flag(bool any_bit_set) {
  return any_bit_set ? 1 : 0;
}

/// The host's TB CRC register: the combination of the crc_partials of a TB of \p num_bits bits
/// with its CRC, read from where the kernel wrote them (\p crc_partials, the output bytes);
/// 0 when the TB CRC holds.
inline std::uint32_t tb_crc_register(const std::uint8_t* crc_partials, std::uint32_t num_bits) {
  std::uint32_t crc_register = 0;
  for (std::uint32_t b = 0; b < tb_assembly_byte_blocks(num_bits); ++b) {
    std::uint32_t part = 0;
    std::memcpy(&part, crc_partials + b * sizeof part, sizeof part);
    crc_register = tb_crc_combine(crc_register, part);
  }
  return crc_register;
}

/// Whether the host accepts a code block from its LDPC result \p lane (0 iterations: not
/// decoded, nothing received) and its nonzero flag \p nonzero_flag (phy::ulsch::
/// accept_code_block()); \p has_cb_crc: the TB has more than one code block.
inline bool tb_code_block_accepted(const phy::LdpcLaneResult& lane, std::uint8_t nonzero_flag,
                                   bool has_cb_crc) {
  return lane.iterations > 0 &&
         phy::ulsch::accept_code_block(nonzero_flag != 0,
                                       {lane.iterations, lane.parity_ok, lane.crc_ok}, has_cb_crc);
}

} // namespace airan::gpu::detail
