/// \file
/// \brief LDPC encoder of TS 38.212 5.3.2 for both base graphs and all 51 lifting sizes.
///
/// The input is the K' message bits of a code block (c_0 .. c_{K'-1}, CRC included). The
/// encoder appends the K - K' filler bits itself (encoded as zeros) and writes d_0 .. d_{N-1}:
/// the codeword without its first 2Z systematic bits, N = 66Z (BG1) or 50Z (BG2). Filler
/// positions of d hold ldpc_filler_bit (<NULL> in TS 38.212) so that rate matching skips them.
#pragma once

#include "airan/phy/ldpc_base_graph.h"
#include "airan/phy/types.h"

#include <memory>
#include <span>

namespace airan::phy {

/// Value of a filler bit (<NULL>) in an encoder output; never transmitted.
inline constexpr bit_t ldpc_filler_bit = 0xFF;

/// Code of one code block: base graph, lifting size and number of message bits.
struct LdpcEncoderConfig {
  LdpcBaseGraph base_graph = LdpcBaseGraph::bg1;
  unsigned lifting_size = 0;  ///< Z, one of the 51 sizes of Table 5.3.2-1.
  unsigned num_info_bits = 0; ///< K' (1 .. K): message bits; K - K' filler bits follow.
};

/// Position in d (the encoder output) of the first filler bit: max(K', 2Z) - 2Z.
constexpr unsigned ldpc_filler_begin(const LdpcEncoderConfig& config) {
  const unsigned punctured = 2 * config.lifting_size;
  return config.num_info_bits > punctured ? config.num_info_bits - punctured : 0;
}

/// Position in d one past the last filler bit: K - 2Z.
constexpr unsigned ldpc_filler_end(const LdpcEncoderConfig& config) {
  return ldpc_systematic_length(config.base_graph, config.lifting_size) - 2 * config.lifting_size;
}

/// LDPC encoder. One object serves any code; it is not thread safe (it keeps scratch buffers).
class LdpcEncoder {
public:
  virtual ~LdpcEncoder() = default;

  /// Encodes one code block.
  /// \param message  K' bits, each 0 or 1.
  /// \param config   Code parameters.
  /// \param codeword Output d_0 .. d_{M-1} with M = codeword.size() <= N; M = N gives the whole
  ///                 encoder output, a smaller M computes only the parity blocks it needs.
  /// \throws std::invalid_argument for an unknown Z, K' outside 1..K, or sizes that do not fit.
  virtual void encode(std::span<const bit_t> message, const LdpcEncoderConfig& config,
                      std::span<bit_t> codeword) = 0;
};

/// Creates the default LDPC encoder (block-wise, byte-per-bit, vectorisable loops).
std::unique_ptr<LdpcEncoder> create_ldpc_encoder();

} // namespace airan::phy
