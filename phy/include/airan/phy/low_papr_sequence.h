/// \file
/// \brief Low-PAPR sequences of type 1 (TS 38.211 5.2.2): the DMRS of a transform-precoded PUSCH
/// (6.4.1.1.1.2), with its group and sequence hopping.
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <span>

namespace airan::phy {

/// Number of sequence groups u (0 .. 29).
inline constexpr unsigned low_papr_num_groups = 30;

/// True when a base sequence of length \p m_zc exists: 6, 12, 18, 24 (TS 38.211 Tables
/// 5.2.2.2-1 .. -4), 30, or any multiple of 6 from 36 (Zadoff-Chu based).
bool low_papr_length_supported(unsigned m_zc);

/// N_ZC: the largest prime below \p m_zc (TS 38.211 5.2.2.1, lengths from 36).
/// \throws std::invalid_argument when m_zc < 3.
unsigned low_papr_zc_prime(unsigned m_zc);

/// Writes r^(alpha, delta)_{u,v}(n) = e^{j alpha n} rbar_{u,v}(n), n = 0 .. out.size() - 1, with
/// M_ZC = out.size() (TS 38.211 5.2.2): unit modulus. No allocation.
/// \param u Group number 0 .. 29.
/// \param v Base sequence number: 0, or 1 for M_ZC >= 72.
/// \param alpha Cyclic shift in radians.
/// \throws std::invalid_argument for an unsupported length or u, v out of range.
void generate_low_papr_sequence(unsigned u, unsigned v, float alpha, std::span<cf32> out);

/// phi(0) .. phi(m_zc - 1) of group \p u (rbar_u(n) = e^{j phi(n) pi / 4}, each phi in
/// {-3, -1, 1, 3}) from TS 38.211 Tables 5.2.2.2-1 .. -4 for \p m_zc 6, 12, 18 or 24 and u < 30;
/// an empty span otherwise.
std::span<const std::int8_t> low_papr_table_phases(unsigned m_zc, unsigned u);

/// Group u and base sequence v of a low-PAPR sequence.
struct LowPaprSequenceId {
  unsigned u = 0;
  unsigned v = 0;
  friend bool operator==(const LowPaprSequenceId&, const LowPaprSequenceId&) = default;
};

/// u and v of the DMRS of a transform-precoded PUSCH on slot symbol \p symbol (TS 38.211
/// 6.4.1.1.1.2): u = (f_gh + n_ID^RS) mod 30 and v, with f_gh from the Gold sequence
/// c_init = floor(n_ID^RS / 30) under group hopping and v = c(N_symb^slot n_s + l) from
/// c_init = n_ID^RS under sequence hopping (only when \p m_zc >= 72).
/// \param symbol l: the DMRS symbol (the first of a double-symbol pair for both of its symbols).
/// \throws std::invalid_argument for an unknown hopping mode, or a slot and symbol whose Gold
/// sequence index does not fit 32 bits.
LowPaprSequenceId pusch_low_papr_sequence_id(LowPaprHopping hopping, std::uint16_t n_id_rs,
                                             unsigned symbols_per_slot, unsigned slot,
                                             unsigned symbol, unsigned m_zc);

} // namespace airan::phy
