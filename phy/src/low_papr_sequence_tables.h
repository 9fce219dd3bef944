/// \file
/// \brief Phase tables of the low-PAPR base sequences of length 6, 12, 18 and 24 (TS 38.211
/// Tables 5.2.2.2-1 .. -4), private to the low-PAPR sequence generator.
#pragma once

#include <cstdint>
#include <span>

namespace airan::phy::detail {

/// Rows (sequence groups u) of each phase table.
inline constexpr unsigned low_papr_table_groups = 30;

/// phi(0) .. phi(m_zc - 1) of group \p u, each in {-3, -1, 1, 3} (rbar_u(n) = exp(j phi(n) pi /
/// 4)): a span of \p m_zc values for m_zc in {6, 12, 18, 24} and u < 30; an empty span otherwise.
std::span<const std::int8_t> low_papr_phase_row(unsigned m_zc, unsigned u);

} // namespace airan::phy::detail
