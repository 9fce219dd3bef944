/// \file
/// \brief The sequences of PUCCH formats 0 and 1 (TS 38.211 6.3.2.2, 6.3.2.4, 6.4.1.3.1): group
/// and sequence hopping, cyclic shift hopping and the time-domain orthogonal cover codes.
#pragma once

#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/types.h"

#include <array>
#include <cstdint>
#include <span>

namespace airan::phy {

/// Cyclic shifts of a PUCCH sequence (12 subcarriers).
inline constexpr unsigned pucch_num_cyclic_shifts = 12;

/// u and v of the PUCCH base sequence of length \p m_zc in slot \p slot and hop \p n_hop
/// (TS 38.211 6.3.2.2.1): u = (f_gh + f_ss) mod 30 with f_ss = n_ID mod 30; f_gh from the Gold
/// sequence of c_init = floor(n_ID / 30) under group hopping; when it is disabled, v from that of
/// c_init = 2^5 floor(n_ID / 30) + (n_ID mod 30) for sequences of 72 values or more, else 0
/// (formats 0 and 1 use 12).
LowPaprSequenceId pucch_sequence_id(PucchGroupHopping hopping, std::uint16_t n_id, unsigned slot,
                                    unsigned n_hop, unsigned m_zc = pucch_num_cyclic_shifts);

/// n_cs(n_s, l) = sum_m 2^m c(8 N_symb^slot n_s + 8 l + m), m = 0..7, c_init = n_ID
/// (TS 38.211 6.3.2.2.2): the cyclic-shift hopping of slot symbol \p symbol.
unsigned pucch_cyclic_shift_hopping(std::uint16_t n_id, unsigned symbols_per_slot, unsigned slot,
                                    unsigned symbol);

/// (m_0 + m_cs + n_cs(n_s, l + l')) mod 12: the cyclic shift index of slot symbol \p symbol;
/// alpha = 2 pi index / 12.
unsigned pucch_cyclic_shift_index(const PucchConfig& pucch, unsigned symbols_per_slot,
                                  unsigned slot, unsigned symbol, unsigned m_cs);

/// pucch_cyclic_shift_index() with m_cs = 0 of every symbol of the PUCCH, out[l] for PUCCH symbol
/// l = 0 .. num_symbols - 1, from one run of the Gold sequence. \p out holds num_symbols values.
void pucch_cyclic_shift_indices(const PucchConfig& pucch, unsigned symbols_per_slot, unsigned slot,
                                std::span<unsigned> out);

/// N_SF of format 1 in hop \p hop: the data symbols (odd PUCCH symbols, TS 38.211 Table
/// 6.3.2.4.1-1) or, with \p dmrs, the DMRS symbols (even, Table 6.4.1.3.1.1-1).
unsigned pucch_format1_spreading_factor(const PucchConfig& pucch, unsigned hop, bool dmrs);

/// r^(alpha, 0)_{u,v}(n) = exp(j 2 pi cs n / 12) rbar_{u,v}(n), n = 0..11, from the base sequence
/// \p base (alpha = 0) and the cyclic shift index \p cs (0..11), without trigonometry.
void apply_pucch_cyclic_shift(std::span<const cf32> base, unsigned cs, std::span<cf32> out);

/// The base sequences rbar_{u,v} (12 values, alpha = 0) of the hops of a PUCCH of format 0 or 1
/// in slot \p slot: [0] the first hop (or the only one), [1] the second.
std::array<std::array<cf32, pucch_num_cyclic_shifts>, 2>
pucch_hop_base_sequences(const PucchConfig& pucch, unsigned slot);

/// The smallest N_SF of the format 1 PUCCH over its hops, data and DMRS: the time-domain OCC
/// index must be below it.
unsigned pucch_format1_min_spreading_factor(const PucchConfig& pucch);

/// w_i(m) = exp(j 2 pi phi(m) / N_SF), TS 38.211 Table 6.3.2.4.1-2 (also the DMRS cover).
/// \throws std::invalid_argument for N_SF outside 1..7, i >= N_SF or m >= N_SF.
cf32 pucch_format1_cover(unsigned n_sf, unsigned i, unsigned m);

} // namespace airan::phy
