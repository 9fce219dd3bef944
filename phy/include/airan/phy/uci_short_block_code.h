/// \file
/// \brief Channel coding of UCI payloads of 1 to 11 bits (TS 38.212 5.3.3) with the rate matching
/// of 5.4.3 (cyclic repetition of the coded block), and their maximum-likelihood decoding.
///
/// One bit is repeated with placeholders, two bits take a simplex (3, 2) code with placeholders,
/// 3 to 11 bits the (32, O) Reed-Muller-like code of Table 5.3.3.3-1. The placeholders make the
/// modulation symbols of 1- and 2-bit payloads outer constellation points: "x" is sent as 1 and
/// "y" repeats the bit before it, both after scrambling (scramble_bits_with_placeholders()).
#pragma once

#include "airan/phy/types.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::phy {

/// Coded-bit value of placeholder "x" (TS 38.212 5.3.3.1): the scrambler sends a 1.
inline constexpr bit_t uci_placeholder_x = 2;
/// Coded-bit value of placeholder "y": the scrambler repeats the bit it sent before.
inline constexpr bit_t uci_placeholder_y = 3;

/// The LLRs of one UCI part folded onto its short block: sum[k] adds the LLRs of the coded bits
/// e_j with j mod length = k (the inverse of the cyclic repetition of TS 38.212 5.4.3).
struct UciFoldedLlrs {
  std::array<double, 32> sum{};
  unsigned length = 0; ///< N (uci_short_block_length()); 0: the part is absent.
};

/// N, the coded block length before rate matching: Q_m for 1 bit, 3 Q_m for 2 bits, 32 for 3..11.
unsigned uci_short_block_length(unsigned payload_bits, unsigned qm);

/// Encodes \p payload (1..11 bits c_0 ..) and rate matches it to coded.size() bits: e_k =
/// d_{k mod N}. Placeholders are uci_placeholder_x / _y. \throws std::invalid_argument on sizes.
void encode_uci_short_block(std::span<const bit_t> payload, unsigned qm, std::span<bit_t> coded);

/// Decodes a short block from its folded LLRs (positive for 0), in which "x" placeholders are
/// ignored and the LLR of a "y" placeholder is a second observation of the bit before it (see
/// UlschUciMultiplexer::demultiplex()). Chooses the codeword of largest correlation (ML for
/// Gaussian LLRs), writes payload.size() bits and returns how much of the evidence agrees with
/// it: max_c <f, s(c)> / sum |f_k| in [0, 1] over the folded values f_k that carry coded bits,
/// s(c) the +/-1 values of codeword c there (1 when every sign agrees, whatever the LLR sizes;
/// noise alone gives about 0.3 for 3 bits to 0.7 for 11 over 32 values; 0 when every f_k is 0).
/// \throws std::invalid_argument on sizes (folded.length must be uci_short_block_length()).
double decode_uci_short_block(const UciFoldedLlrs& folded, unsigned qm, std::span<bit_t> payload);

/// True when a \p payload_bits-bit short block decoded from \p num_coded_bits coded bits with
/// agreement \p correlation (decode_uci_short_block()) stands out from noise: for 3 to 11 bits,
/// an agreement at or above what Gaussian noise alone reaches with probability 1% on as many
/// folded values (0.64 for 3 bits up to 0.86 for 11 over 32 or more coded bits; higher over
/// 16 .. 31). Always true for 1 and 2 bits (a few folded values cannot tell a codeword from
/// noise), for fewer than 16 coded bits, and where 1% of noise reaches full agreement.
bool uci_short_block_detected(unsigned payload_bits, std::size_t num_coded_bits,
                              double correlation);

/// Rank over GF(2) of the code of \p payload_bits bits (3..11) rate matched to \p num_coded_bits
/// bits: of the first min(E, 32) rows of Table 5.3.3.3-1 restricted to their first O columns. A
/// payload can be told apart from every other one only when the rank equals O (11 bits in 16 coded
/// bits have rank 10). 0 for other payload sizes.
unsigned uci_short_block_rank(unsigned payload_bits, std::size_t num_coded_bits);
/// The same from the LLRs of the rate-matched coded bits e_0 .. (folded here).
double decode_uci_short_block(std::span<const float> llrs, unsigned qm, std::span<bit_t> payload);

/// Scrambles \p bits in place with the Gold sequence of \p c_init (TS 38.211 6.3.1.1), where
/// "x" placeholders become 1 and "y" placeholders the scrambled bit before them.
void scramble_bits_with_placeholders(std::span<bit_t> bits, std::uint32_t c_init);

} // namespace airan::phy
