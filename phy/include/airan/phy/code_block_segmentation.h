/// \file
/// \brief Transport block CRC, LDPC base graph selection and code block segmentation
/// (TS 38.212 6.2.1, 6.2.2 / 7.2.2 and 5.2.2).
#pragma once

#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_base_graph.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <span>

namespace airan::phy {

/// TB CRC of TS 38.212 6.2.1 / 7.2.1: CRC24A when A > 3824, else CRC16.
constexpr CrcPolynomial transport_block_crc_polynomial(std::uint32_t tbs) {
  return tbs > 3824 ? CrcPolynomial::crc24a : CrcPolynomial::crc16;
}

/// Base graph of TS 38.212 6.2.2 / 7.2.2: BG2 when A <= 292, or A <= 3824 and R <= 0.67, or
/// R <= 0.25; BG1 otherwise.
constexpr LdpcBaseGraph select_ldpc_base_graph(std::uint32_t tbs, double code_rate) {
  const bool use_bg2 = tbs <= 292 || (tbs <= 3824 && code_rate <= 0.67) || code_rate <= 0.25;
  return use_bg2 ? LdpcBaseGraph::bg2 : LdpcBaseGraph::bg1;
}

/// Result of code block segmentation (TS 38.212 5.2.2).
struct CodeBlockSegmentation {
  LdpcBaseGraph base_graph = LdpcBaseGraph::bg1;
  std::uint32_t input_length = 0;      ///< B: TB bits with the TB CRC.
  unsigned num_code_blocks = 0;        ///< C.
  unsigned cb_crc_length = 0;          ///< L: 24 (CRC24B) when C > 1, else 0.
  unsigned num_info_bits = 0;          ///< K': bits per code block with its CRC, without filler.
  unsigned num_systematic_bits = 0;    ///< K = 22 Z (BG1) or 10 Z (BG2).
  unsigned lifting_size = 0;           ///< Z_c.
  unsigned lifting_set_index = 0;      ///< i_LS.
  unsigned num_systematic_columns = 0; ///< K_b used to choose Z_c.
  [[nodiscard]] unsigned num_filler_bits() const { return num_systematic_bits - num_info_bits; }
  /// TB bits carried by each code block (K' - L).
  [[nodiscard]] unsigned num_payload_bits() const { return num_info_bits - cb_crc_length; }
};

/// Segments a B-bit input (TB with its CRC) for \p base_graph.
/// \throws std::invalid_argument when B is 0, too large for Z <= 384, or B' is not a multiple of C.
CodeBlockSegmentation segment_code_blocks(std::uint32_t input_length, LdpcBaseGraph base_graph);

/// Writes code block \p r (K' bits) of the segmented input \p tb_with_crc (B bits): its K' - L
/// payload bits followed, when C > 1, by their CRC24B. \throws std::invalid_argument on sizes.
void extract_code_block(std::span<const bit_t> tb_with_crc, const CodeBlockSegmentation& seg,
                        unsigned r, std::span<bit_t> code_block);

} // namespace airan::phy
