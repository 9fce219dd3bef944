/// \file
/// \brief Private helpers of the UL-SCH decoder (ulsch_decoder_impl.cpp): the layout of a
/// transport block and the per-code-block steps that its per-block and batched LDPC paths share.
#pragma once

#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_decoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ulsch_decoder.h"

#include <cstdint>
#include <span>
#include <string>

namespace airan::phy::ulsch_detail {

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

/// Most code blocks a TB of up to \p max_tbs bits can have (BG2's smaller blocks included).
unsigned max_code_blocks_of(std::uint32_t max_tbs);

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

} // namespace airan::phy::ulsch_detail
