/// \file
/// \brief Layered min-sum LDPC decoder of the TS 38.212 5.3.2 codes (BG1 and BG2, all 51 lifting
/// sizes) on int8 fixed-point LLRs, with scalar, AVX2 and AVX-512 implementations chosen at run
/// time.
///
/// LLR convention: L = log P(bit = 0) / P(bit = 1), so a positive LLR favours 0. The decoder
/// input is aligned with the encoder output d of ldpc_encoder.h: position j holds the LLR of
/// d_j, i.e. of codeword bit j + 2Z (the first 2Z systematic bits are punctured and start at 0).
/// Rate recovery writes 0 at positions that were not received; the decoder treats filler
/// positions as known zeros whatever the input holds there.
///
/// Fixed point: input LLRs are int8 in [-127, 127] (the scaling from real LLRs is the caller's
/// choice, see quantize_ldpc_llrs()); check-to-variable messages stay within [-127, 127] and the
/// a-posteriori LLRs are exact 16-bit sums that never saturate. Every implementation computes
/// exactly the same integers, so outputs and iteration counts agree bit for bit between
/// implementations.
#pragma once

#include "airan/phy/ldpc_base_graph.h"
#include "airan/phy/ldpc_llr_quantization.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace airan::phy {

/// Converts real LLRs to decoder LLRs: out[i] = llrs[i] * scale clamped to +-127 and rounded to
/// nearest, ties to even (NaN gives 0, an erasure).
///
/// Min-sum is invariant to a common scale, so \p scale only trades resolution against
/// saturation; scale = 4 (a quarter-unit resolution, saturation at |LLR| ~ 32) suits QPSK to
/// 64QAM LLRs from the max-log demapper at the SNRs where codes of rate 1/3 to 0.9 decode.
/// \throws std::invalid_argument when the sizes differ or \p scale is not positive and finite.
void quantize_ldpc_llrs(std::span<const float> llrs, float scale, std::span<std::int8_t> out);

/// Check-node rule of the min-sum decoder.
enum class LdpcMinSumRule {
  normalized, ///< magnitude = round(scaling_factor * min), the factor in Q15.
  offset,     ///< magnitude = max(min - offset, 0).
};

/// When the decoder stops before max_iterations.
enum class LdpcEarlyTermination {
  none,         ///< Always run max_iterations.
  parity_check, ///< Stop when the hard decision satisfies every processed parity check.
  crc_check,    ///< Stop when the caller's CRC check accepts the hard-decided message.
};

/// Code and decoding parameters of one code block.
struct LdpcDecoderConfig {
  LdpcBaseGraph base_graph = LdpcBaseGraph::bg1;
  unsigned lifting_size = 0;   ///< Z, one of the 51 sizes of Table 5.3.2-1.
  unsigned num_info_bits = 0;  ///< K' (1 .. K): message bits; K - K' filler bits follow.
  unsigned max_iterations = 6; ///< Full passes over the processed rows (at least 1).
  /// Offset min-sum is the default: on the NR codes it decodes about 0.3 dB closer to
  /// sum-product than normalized min-sum (docs/LDPC_DECODER.md).
  LdpcMinSumRule rule = LdpcMinSumRule::offset;
  float scaling_factor = 0.75f; ///< Normalized rule: factor in (0, 1].
  /// Offset rule: subtracted from magnitudes (0 .. 127); 2 is 0.5 in real LLR units at the
  /// quantisation scale 4.
  unsigned offset = 2;
  LdpcEarlyTermination early_termination = LdpcEarlyTermination::parity_check;
  /// Base-graph rows to process: rows 0 .. num_rows-1 (4 .. 46 for BG1, 4 .. 42 for BG2). 0
  /// derives it from the input: the 4 core rows plus every extension row up to the last one whose
  /// parity column holds a nonzero LLR. Fewer rows make high-rate codes much faster; the parity
  /// columns of skipped rows carry no information when they were not received.
  unsigned num_rows = 0;
};

/// Outcome of decoding one code block.
struct LdpcDecoderResult {
  unsigned iterations = 0; ///< Iterations run (1 .. max_iterations).
  /// The final hard decision satisfies every processed parity check (a valid codeword of the
  /// code restricted to those rows).
  bool parity_ok = false;
  /// Last answer of the CRC check (false when no check was given).
  bool crc_ok = false;
};

/// Caller-supplied code block CRC check on the K' hard-decided message bits (one per byte).
using LdpcCrcCheck = std::function<bool(std::span<const bit_t> message)>;

/// The instruction sets a decoder can be built for.
enum class LdpcDecoderImpl {
  automatic, ///< The fastest one the CPU supports.
  scalar,    ///< Portable C++ (always available).
  avx2,      ///< 32 check nodes per instruction.
  avx512,    ///< 64 check nodes per instruction (AVX-512F + AVX-512BW).
};

/// Name of \p impl ("automatic", "scalar", "avx2", "avx512").
std::string_view to_string(LdpcDecoderImpl impl);

/// True when this CPU (and OS) can run \p impl; always true for scalar and automatic.
bool ldpc_decoder_impl_supported(LdpcDecoderImpl impl);

/// The concrete implementations this CPU can run, scalar first, fastest last.
std::vector<LdpcDecoderImpl> ldpc_decoder_supported_impls();

/// Rows to process when the first \p received_length bits of d are the only ones received:
/// the 4 core rows plus the extension rows whose parity columns start before that length.
/// \throws std::invalid_argument when \p lifting_size is not a lifting size.
unsigned ldpc_rows_for_received_length(LdpcBaseGraph graph, unsigned lifting_size,
                                       unsigned received_length);

/// Rows to process when a decoder is given \p llrs with num_rows = 0: the 4 core rows plus every
/// extension row up to the last one whose parity column holds a nonzero LLR.
/// \throws std::invalid_argument when \p lifting_size is not a lifting size.
unsigned ldpc_rows_for_llrs(LdpcBaseGraph graph, unsigned lifting_size,
                            std::span<const std::int8_t> llrs);

/// Checks the arguments of one decode (\p num_llrs LLRs, a message of \p message_size bits) the
/// way every decoder does; crc_check termination is checked by the caller.
/// \throws std::invalid_argument naming what is wrong.
void ldpc_check_decoder_arguments(const LdpcDecoderConfig& config, std::size_t num_llrs,
                                  std::size_t message_size);

/// Layered min-sum LDPC decoder. One object serves any code; it keeps its working memory
/// between calls and is not thread safe.
class LdpcDecoder {
public:
  virtual ~LdpcDecoder() = default;

  /// Decodes one code block.
  /// \param llrs      LLRs of d_0 .. d_{M-1}, M <= N = 66Z (BG1) or 50Z (BG2); positions from M
  ///                  to N are taken as 0 (not received).
  /// \param config    Code and decoding parameters.
  /// \param message   Output: the K' hard-decided message bits c_0 .. c_{K'-1}, one per byte.
  /// \param crc_check Called on the hard decision after every iteration in crc_check mode (it
  ///                  must then be set) and once after the last iteration otherwise, if set.
  /// \throws std::invalid_argument on an unknown Z, K' outside 1..K, wrong sizes or bad options.
  virtual LdpcDecoderResult decode(std::span<const std::int8_t> llrs,
                                   const LdpcDecoderConfig& config, std::span<bit_t> message,
                                   const LdpcCrcCheck& crc_check = {}) = 0;

  /// The instruction set this decoder runs.
  [[nodiscard]] virtual LdpcDecoderImpl impl() const = 0;
};

/// Creates a decoder for \p impl; automatic picks AVX-512, then AVX2, then scalar.
/// \throws std::invalid_argument when the CPU does not support \p impl.
std::unique_ptr<LdpcDecoder> create_ldpc_decoder(LdpcDecoderImpl impl = LdpcDecoderImpl::automatic);

} // namespace airan::phy
