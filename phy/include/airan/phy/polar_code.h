/// \file
/// \brief The polar code of TS 38.212 5.3.1 (uplink: n_max = 10, no input interleaving) with the
/// rate matching of 5.4.1 (sub-block interleaving, bit selection, triangular channel
/// interleaving as for UCI, I_BIL = 1), and its inverse for the receiver.
///
/// A PolarCode holds everything that depends only on (K, E, n_PC, n_PC^wm): the mother code
/// length N, which encoder inputs u_n are frozen, information or parity-check bits, and how the
/// E rate-matched bits are drawn from the N coded bits. Built once per size, it is then cheap to
/// use for every block of that size.
#pragma once

#include "airan/phy/types.h"

#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy {

/// Largest mother code of the uplink, 2^n_max.
inline constexpr unsigned polar_max_code_length = 1024;

/// What encoder input u_n carries.
enum class PolarBitType : std::uint8_t { frozen = 0, information = 1, parity_check = 2 };

/// How the rate matching reaches E bits from N (TS 38.212 5.4.1.2).
enum class PolarRateMatching : std::uint8_t {
  repetition, ///< E >= N: e_k = y_{k mod N}.
  puncturing, ///< E < N and K/E <= 7/16: the first N - E bits of y are not sent.
  shortening, ///< E < N otherwise: the last N - E bits of y (known zeros) are not sent.
};

/// One polar code of TS 38.212 5.3.1 with its rate matching to E bits.
struct PolarCode {
  unsigned k = 0;      ///< K: bits to encode (payload and CRC).
  unsigned e = 0;      ///< E: rate-matched bits.
  unsigned n_pc = 0;   ///< n_PC: parity-check bits.
  unsigned log2_n = 0; ///< n.
  unsigned n = 0;      ///< N = 2^n.
  PolarRateMatching rate_matching = PolarRateMatching::repetition;
  std::vector<PolarBitType> bit_types; ///< Per encoder input u_0 .. u_{N-1}.
  /// Sub-block interleaver: y_m = d_{interleaver[m]} (J(m) of TS 38.212 5.4.1.1).
  std::vector<std::uint16_t> interleaver;
  /// Channel interleaver (I_BIL = 1): f_k = e_{channel_interleaver[k]}.
  std::vector<std::uint32_t> channel_interleaver;
};

/// n_PC^wm for UCI (TS 38.212 6.3.1.3.1): the parity-check bit at a minimum-weight row, used
/// with n_PC = 3 (18 <= K <= 25) when E - K + 3 > 192.
unsigned polar_uci_pc_weight_bits(unsigned k, unsigned e);

/// Builds the code for \p k bits (payload and CRC) rate matched to \p e bits, with \p n_pc
/// parity-check bits of which \p n_pc_wm sit at minimum-weight rows.
/// \throws std::invalid_argument when K + n_PC > E, K + n_PC exceeds what the rate matching
/// leaves, n_PC^wm exceeds n_PC or K (no information bit left to move), or K is 0.
PolarCode make_polar_code(unsigned k, unsigned e, unsigned n_pc, unsigned n_pc_wm);

/// What build_polar_code() works in besides the code.
struct PolarCodeScratch {
  std::vector<std::uint8_t> pre_frozen;
  std::vector<std::uint16_t> info;
  std::vector<std::uint32_t> row_start;
};

/// make_polar_code() into \p code, whose vectors (and \p scratch's) keep their storage: no
/// allocation once they have held a code this large. \throws as make_polar_code().
void build_polar_code(unsigned k, unsigned e, unsigned n_pc, unsigned n_pc_wm, PolarCode& code,
                      PolarCodeScratch& scratch);

/// The reliability sequence Q_0^{Nmax-1} of TS 38.212 Table 5.3.1.2-1, least reliable first.
std::span<const std::uint16_t> polar_reliability_sequence();

/// Encodes \p bits (K bits c_0 ..) with \p code: places them and the parity-check bits of the
/// 5-bit cyclic register on u (a parity-check bit is y_0; only information bits are added into
/// y_0), and writes d = u G_N to \p coded (N bits).
/// \throws std::invalid_argument on sizes.
void polar_encode(const PolarCode& code, std::span<const bit_t> bits, std::span<bit_t> coded);

/// Rate matches \p coded (N bits d) to \p out (E bits f): sub-block interleaving, bit selection
/// and channel interleaving. \throws std::invalid_argument on sizes.
void polar_rate_match(const PolarCode& code, std::span<const bit_t> coded, std::span<bit_t> out);

/// LLR of an encoder output the receiver knows is 0 (a shortened bit).
inline constexpr float polar_known_zero_llr = 1.0e20F;

/// The inverse of polar_rate_match() for LLRs (positive for 0): de-interleaves \p llrs (E) and
/// writes the LLR of each coded bit d_0 .. d_{N-1} to \p coded: repeated bits add up, punctured
/// ones are 0, shortened ones polar_known_zero_llr. \throws std::invalid_argument on sizes.
void polar_rate_recover(const PolarCode& code, std::span<const float> llrs, std::span<float> coded);

} // namespace airan::phy
