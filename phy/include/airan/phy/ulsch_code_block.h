/// \file
/// \brief The steps of UL-SCH decoding around the per-code-block kernels, shared by the CPU
/// decoder (ulsch_decoder_impl.cpp) and the CUDA one (gpu::GpuUlschDecoder), so that both
/// check, lay out, combine HARQ and judge code blocks and transport blocks the same way: the
/// transport block layout, argument checks, HARQ bookkeeping, the LDPC configuration and
/// acceptance of a code block, and the TB CRC with the decoding result.
#pragma once

#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/crc_calculator.h"
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/host_device.h"
#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/ulsch_decoder.h"

#include <cstdint>
#include <span>
#include <string>

namespace airan::phy::ulsch {

/// Largest encoder output N (BG1, Z = 384): the size of one code block's circular buffer.
inline constexpr unsigned max_codeword_length = 66 * 384;

/// Largest TBS whose segmentation has at most ulsch_max_code_blocks blocks of the largest size.
inline constexpr std::uint32_t max_supported_tbs = ulsch_max_code_blocks * (8448 - 24) - 24;

/// Throws std::invalid_argument("UL-SCH decoder: " + what).
[[noreturn]] void fail(const std::string& what);

/// Everything about a transport block that follows from its configuration.
struct TransportBlockLayout {
  CodeBlockSegmentation seg;
  LdpcRateMatchConfig rate_match; ///< Shared by all code blocks.
  CrcPolynomial tb_crc = CrcPolynomial::crc16;
};

/// The layout of \p coding's TB. \throws std::invalid_argument for too many code blocks.
TransportBlockLayout layout_transport_block(const UlschCodingConfig& coding);

/// Checks a decoding call (\p num_llrs LLRs, \p num_tb_bits output bits, a decoder built for
/// \p max_tbs) and returns the TB layout. \throws std::invalid_argument naming what is wrong.
TransportBlockLayout check_decoding(std::size_t num_llrs, const UlschDecoderConfig& cfg,
                                    std::size_t num_tb_bits, std::uint32_t max_tbs);

/// Most code blocks a TB of up to \p max_tbs bits can have (BG2's smaller blocks included).
unsigned max_code_blocks_of(std::uint32_t max_tbs);

/// The E_r of TS 38.212 5.4.2.1 and the offsets of the code blocks in the codeword, as
/// arithmetic a kernel can run: the first num_short blocks have short_length bits, the others
/// short_length + per_symbol (ldpc_rate_matched_length(), ldpc_code_block_offset()).
struct CodeBlockSizes {
  unsigned num_short = 0;
  unsigned short_length = 0;
  unsigned per_symbol = 0; ///< N_L Q_m.

  /// E_r of code block \p r.
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned length(unsigned r) const {
    return r < num_short ? short_length : short_length + per_symbol;
  }
  /// Position of f_r in the codeword.
  [[nodiscard]] AIRAN_HOST_DEVICE std::uint32_t offset(unsigned r) const {
    return r <= num_short ? std::uint32_t{r} * short_length
                          : std::uint32_t{num_short} * short_length +
                                std::uint32_t{r - num_short} * (short_length + per_symbol);
  }
};

/// The code block sizes of \p coding's codeword split into \p num_code_blocks blocks.
/// \throws std::invalid_argument as ldpc_rate_matched_length().
CodeBlockSizes code_block_sizes(const UlschCodingConfig& coding, unsigned num_code_blocks);

/// Which leading soft values of each code block's circular buffer a transmission combines with
/// (previous_length: what earlier transmissions received) and decodes over (received_length).
struct HarqCombining {
  unsigned previous_length = 0;
  unsigned received_length = 0;
};

/// Checks that \p buffer can take this transmission of the TB of \p layout (size, and the same TB
/// for a retransmission), records the TB in its state when it holds none, and returns the span
/// of the combining. Positions from previous_length to received_length must be cleared before
/// adding. \throws std::invalid_argument with the buffer unchanged.
HarqCombining begin_harq_combining(HarqSoftBuffer& buffer, const TransportBlockLayout& layout,
                                   const UlschCodingConfig& coding);

/// Records a combined transmission in \p buffer's state; returns the transmissions combined.
unsigned end_harq_combining(HarqSoftBuffer& buffer, const HarqCombining& combining);

/// Rate recovery of one transmission as a gather, one circular-buffer position of one code block
/// at a time (the CUDA formulation; ldpc_rate_recovery_gather()): the soft value each position
/// gets equals what the CPU decoder's ldpc_rate_recover() leaves there, bit for bit, HARQ
/// combining included.
struct GatherRateRecovery {
  CodeBlockSizes sizes;
  LdpcSelectionMap map;
  unsigned modulation_order = 2;
  /// Positions a code block decodes over: received_short for the blocks of E_r =
  /// sizes.short_length, received_long for the others (with HARQ both are the longest reach).
  unsigned received_short = 0;
  unsigned received_long = 0;
  /// With HARQ: positions below hold earlier transmissions; the others count as 0.
  unsigned previous_length = 0;

  /// Positions code block \p r decodes over (0: nothing received).
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned received_length(unsigned r) const {
    return r < sizes.num_short ? received_short : received_long;
  }

  /// Lanes of a tile of work items (rate_recovery_item_position()).
  static constexpr unsigned tile_lanes = 32;

  /// Work items of code block \p r: the selected bits of this transmission in tiles of
  /// tile_lanes interleaver columns times Q_m rows, then the circular-buffer positions no bit
  /// selects (compressed indices in order, then the filler).
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned num_items(unsigned r) const {
    const unsigned e = sizes.length(r);
    const unsigned columns = e / modulation_order;
    const unsigned tiles = (columns + tile_lanes - 1) / tile_lanes;
    const unsigned selected = e < map.period ? e : map.period;
    return tiles * modulation_order * tile_lanes + (map.period - selected) + map.filler_count;
  }

  /// The circular-buffer position work item \p item of code block \p r covers, or ~0U for none.
  /// Item (tile, row, lane) = ((tile Q_m + row) tile_lanes + lane) is selected bit
  /// k = row C + tile tile_lanes + lane (C = E_r / Q_m), so a tile of Q_m tile_lanes items reads
  /// the Q_m tile_lanes consecutive LLRs f[(k mod C) Q_m + k div C] and each row writes
  /// tile_lanes consecutive positions (a thread per position in order read the LLRs Q_m floats
  /// apart: 2.6% of an H200's bandwidth). A bit repeated beyond the period (E_r > N_cb minus the
  /// filler) covers nothing: its position's first bit does. Every position of the circular buffer
  /// is covered once (the caller skips those at or beyond received_length(r)).
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned item_position(unsigned r, unsigned item) const {
    const unsigned e = sizes.length(r);
    const unsigned columns = e / modulation_order;
    const unsigned tile_items = modulation_order * tile_lanes;
    const unsigned tiled = (columns + tile_lanes - 1) / tile_lanes * tile_items;
    const unsigned selected = e < map.period ? e : map.period;
    unsigned k = 0;
    if (item < tiled) {
      const unsigned tile = item / tile_items;
      const unsigned row = item % tile_items / tile_lanes;
      const unsigned column = tile * tile_lanes + item % tile_lanes;
      k = row * columns + column;
      if (column >= columns || k >= selected) {
        return ~0U;
      }
    } else if (item - tiled < map.period - selected) {
      k = selected + (item - tiled);
    } else if (item - tiled - (map.period - selected) < map.filler_count) {
      return map.filler_begin + (item - tiled - (map.period - selected));
    } else {
      return ~0U;
    }
    unsigned compressed = k + map.start; // both below the period
    compressed = compressed >= map.period ? compressed - map.period : compressed;
    return map.position(compressed);
  }

  /// The soft value of \p position of code block \p r: from the codeword's LLRs
  /// \p codeword_llrs (G values) and, with HARQ, what the block's circular buffer \p harq holds
  /// (null: a single transmission).
  [[nodiscard]] AIRAN_HOST_DEVICE float soft_value(const float* codeword_llrs, unsigned r,
                                                   unsigned position, const float* harq) const {
    const unsigned e = sizes.length(r);
    const float initial = harq != nullptr && position < previous_length ? harq[position] : 0.0F;
    return e == 0 ? initial
                  : ldpc_rate_recovery_gather(map, codeword_llrs + sizes.offset(r), e,
                                              modulation_order, position, initial);
  }
};

/// The gather rate recovery of a single transmission of \p coding's TB (each code block over
/// what its own E_r reaches, as UlschDecoder::decode() without HARQ).
GatherRateRecovery gather_rate_recovery(const TransportBlockLayout& layout,
                                        const UlschCodingConfig& coding);

/// The gather rate recovery of a transmission combined into a HARQ buffer as \p combining says
/// (begin_harq_combining()).
GatherRateRecovery gather_rate_recovery(const TransportBlockLayout& layout,
                                        const UlschCodingConfig& coding,
                                        const HarqCombining& combining);

/// The LDPC decoding of one code block of \p layout whose first \p received_length soft values
/// of d were received: early termination on its CRC24B when the TB is segmented, else on parity.
LdpcDecoderConfig code_block_ldpc_config(const TransportBlockLayout& layout,
                                         const UlschDecoderConfig& cfg, unsigned received_length);

/// Quantises \p soft_values into \p llrs (the same size); false when all of them are zero
/// (nothing received: such a block is not decoded).
bool quantize_code_block(std::span<const float> soft_values, float llr_scale,
                         std::span<std::int8_t> llrs);

/// Whether a decoded code block is accepted. Every CRC holds on the all-zero word (the
/// registers start at zero), which is also what the decoder outputs where the APPs stay 0, e.g.
/// when no systematic bit was received: an all-zero message is accepted only when it is an LDPC
/// codeword consistent with the received bits.
bool accept_code_block(std::span<const bit_t> message, const LdpcDecoderResult& decoded,
                       bool has_cb_crc);
/// accept_code_block() given whether the message has a set bit (e.g. reduced on a GPU).
bool accept_code_block(bool message_nonzero, const LdpcDecoderResult& decoded, bool has_cb_crc);

/// The result of a TB whose code blocks were decoded with \p iterations LDPC iterations each (0:
/// not decoded) and \p accepted or not, their payloads concatenated in \p tb_with_crc (B bits):
/// checks the TB CRC with \p tb_crc (the layout's polynomial) and copies the TBS bits to
/// \p tb_bits.
UlschDecoderResult finish_transport_block(const TransportBlockLayout& layout,
                                          std::span<const unsigned> iterations,
                                          std::span<const bool> accepted,
                                          std::span<const bit_t> tb_with_crc,
                                          const CrcCalculator& tb_crc, std::span<bit_t> tb_bits);

/// The result of a TB whose code blocks were decoded with \p iterations LDPC iterations each (0:
/// not decoded) and \p accepted or not, given whether the TB CRC holds on their concatenated
/// payloads (as the other overload checks it).
UlschDecoderResult finish_transport_block(const TransportBlockLayout& layout,
                                          std::span<const unsigned> iterations,
                                          std::span<const bool> accepted, bool tb_crc_holds);

/// Byte \p j (bits 8j .. 8j + 7, MSB first; bits past the end read as 0) of the transport block
/// with its CRC (num_bits = B bits: code block r's first payload_bits message bits at
/// r payload_bits), read from the code blocks' messages (\p messages: info_bits bits per block,
/// one bit per byte). XORs into \p crc_register the TB CRC contributions of its set bits i,
/// contributions[B - 1 - i] (CrcCalculator::bit_contributions(>= B)): over every byte of the B
/// bits (ceil(B / 8) bytes) that is the TB CRC register, 0 when the CRC holds. One thread per
/// byte on a GPU.
AIRAN_HOST_DEVICE inline std::uint8_t
transport_block_byte(const std::uint8_t* messages, unsigned info_bits, unsigned payload_bits,
                     std::uint32_t num_bits, const std::uint32_t* contributions, std::uint32_t j,
                     std::uint32_t& crc_register) {
  unsigned byte = 0;
  std::uint32_t reg = 0;
  for (unsigned k = 0; k < 8; ++k) {
    const std::uint32_t i = 8 * j + k;
    if (i >= num_bits) {
      byte <<= 1;
      continue;
    }
    const std::uint32_t r = i / payload_bits;
    const unsigned bit = messages[std::size_t{r} * info_bits + (i - r * payload_bits)] & 1U;
    byte = (byte << 1) | bit;
    reg ^= bit != 0 ? contributions[num_bits - 1 - i] : 0U;
  }
  crc_register ^= reg;
  return static_cast<std::uint8_t>(byte);
}

} // namespace airan::phy::ulsch
