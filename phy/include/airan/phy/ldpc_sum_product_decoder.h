/// \file
/// \brief Floating-point sum-product (belief propagation) LDPC decoder with the flooding schedule
/// and the exact tanh rule: the quality reference that the min-sum decoder is measured against.
///
/// Same code, input alignment and LLR sign convention as ldpc_decoder.h (positive favours 0,
/// position j of the input is d_j = codeword bit j + 2Z), but real-valued LLRs. Every edge and
/// iteration costs one exponential and one logarithm (single precision, relative error below
/// 1e-5); it is meant for tests and studies, not for throughput.
#pragma once

#include "airan/phy/ldpc_decoder.h"

#include <span>
#include <vector>

namespace airan::phy {

/// Code and decoding parameters of the sum-product decoder.
struct LdpcSumProductConfig {
  LdpcBaseGraph base_graph = LdpcBaseGraph::bg1;
  unsigned lifting_size = 0;    ///< Z.
  unsigned num_info_bits = 0;   ///< K'.
  unsigned max_iterations = 50; ///< Flooding iterations (each updates every check, then every bit).
  bool stop_on_parity = true;   ///< Stop as soon as the hard decision is a codeword.
  /// Rows 0 .. num_rows-1 are used; 0 derives it from the input as LdpcDecoderConfig does.
  unsigned num_rows = 0;
};

/// Sum-product decoder. Keeps its working memory between calls; not thread safe.
class LdpcSumProductDecoder {
public:
  /// Decodes one code block.
  /// \param llrs    LLRs of d_0 .. d_{M-1}, M <= N; missing positions are 0.
  /// \param config  Code and decoding parameters.
  /// \param message Output: the K' hard-decided message bits.
  /// \return Iterations run and whether the hard decision satisfies the processed checks
  ///         (crc_ok is always false).
  /// \throws std::invalid_argument on an unknown Z, K' outside 1..K or wrong sizes.
  LdpcDecoderResult decode(std::span<const float> llrs, const LdpcSumProductConfig& config,
                           std::span<bit_t> message);

private:
  /// Updates the checks of the row whose edges start at \p first_edge from total_ and adds their
  /// new messages to next_total_.
  void update_row(unsigned first_edge, unsigned degree);
  [[nodiscard]] bool all_checks_hold();

  unsigned z_ = 0;
  unsigned set_index_ = 0;
  unsigned num_rows_ = 0;
  std::span<const LdpcBaseGraphEntry> entries_;
  std::vector<unsigned> row_begin_;
  std::vector<float> channel_;       ///< Channel LLR per used bit, natural order per column.
  std::vector<float> total_;         ///< A-posteriori LLR of the last iteration.
  std::vector<float> next_total_;    ///< Being accumulated during an iteration.
  std::vector<float> messages_;      ///< Check-to-variable messages, Z per edge, check order.
  std::vector<float> tanh_half_;     ///< tanh(q / 2) per edge of the current row, check order.
  std::vector<float> product_;       ///< Leave-one-out products per edge of the current row.
  std::vector<float> running_;       ///< Running product per lane.
  std::vector<float> window_;        ///< One column rotated into check order.
  std::vector<std::uint8_t> parity_; ///< Syndrome of one row.
};

} // namespace airan::phy
