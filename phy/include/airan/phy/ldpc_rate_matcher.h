/// \file
/// \brief LDPC rate matching (TS 38.212 5.4.2): circular buffer length N_cb with optional limited
/// buffer rate matching, starting position k0 of each redundancy version, bit selection that
/// skips filler bits, rate-matched lengths E_r, bit interleaving (5.4.2.2) and the position of
/// each code block in the concatenated codeword (5.5).
#pragma once

#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy {

/// N_cb of TS 38.212 5.4.2.1: N, or min(N, N_ref) with N_ref = floor(TBS_LBRM / (C R_LBRM)),
/// R_LBRM = 2/3, when \p tbs_lbrm is not 0 (limited buffer rate matching).
unsigned ldpc_circular_buffer_length(LdpcBaseGraph graph, unsigned lifting_size,
                                     unsigned num_code_blocks, std::uint32_t tbs_lbrm);

/// Starting position k0 of redundancy version \p rv (0..3), TS 38.212 Table 5.4.2.1-2.
/// \throws std::invalid_argument for rv > 3.
unsigned ldpc_rv_start_position(LdpcBaseGraph graph, unsigned lifting_size, unsigned n_cb,
                                unsigned rv);

/// E_r of code block \p r (TS 38.212 5.4.2.1, all C code blocks scheduled): G / (N_L Q_m) split
/// as evenly as possible, in multiples of N_L Q_m, the larger ones last.
/// \throws std::invalid_argument when G is not a multiple of N_L Q_m or r >= C.
unsigned ldpc_rate_matched_length(unsigned r, unsigned num_code_blocks, std::uint32_t g,
                                  unsigned num_layers, unsigned modulation_order);

/// Position of f_r in the concatenated codeword (TS 38.212 5.5): E_0 + .. + E_{r-1}.
std::uint32_t ldpc_code_block_offset(unsigned r, unsigned num_code_blocks, std::uint32_t g,
                                     unsigned num_layers, unsigned modulation_order);

/// Rate matching parameters of one code block.
struct LdpcRateMatchConfig {
  LdpcEncoderConfig code;        ///< Base graph, Z and K' (hence where the filler bits are).
  unsigned n_cb = 0;             ///< Circular buffer length N_cb (<= N).
  unsigned rv = 0;               ///< Redundancy version 0..3.
  unsigned modulation_order = 1; ///< Q_m of the bit interleaver; 1 leaves the order unchanged.
};

/// Leading bits of d that rate matching to \p e bits reads (encoding fewer saves time).
/// \throws std::invalid_argument on an inconsistent configuration.
unsigned ldpc_rate_match_input_length(const LdpcRateMatchConfig& config, unsigned e);

/// Bit selection and bit interleaving of one code block. Keeps a scratch buffer (not thread
/// safe); it grows to the largest E seen and is then reused.
class LdpcRateMatcher {
public:
  /// Writes f_0 .. f_{E-1}, E = \p output.size(), from the encoder output \p d.
  /// \param d Encoder output, at least ldpc_rate_match_input_length(config, E) bits.
  /// \throws std::invalid_argument when sizes or parameters are inconsistent (E must be a
  ///         multiple of Q_m).
  void rate_match(std::span<const bit_t> d, const LdpcRateMatchConfig& config,
                  std::span<bit_t> output);

private:
  std::vector<bit_t> selected_;
};

/// Bit interleaving of TS 38.212 5.4.2.2: f[i + j Q_m] = e[i E/Q_m + j].
/// \throws std::invalid_argument when sizes differ or E is not a multiple of Q_m.
void ldpc_interleave_bits(std::span<const bit_t> e, unsigned modulation_order, std::span<bit_t> f);

} // namespace airan::phy
