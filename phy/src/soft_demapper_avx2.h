/// \file
/// \brief AVX2 soft demapping of square QAM (soft_demapper_avx2.cpp), eight symbols per step and
/// bit for bit the scalar qam_symbol_llrs(table, ...) of soft_demapper.h; used by the portable
/// demapper when the CPU has AVX2.
#pragma once

#include "airan/phy/soft_demapper.h"

#include <cstddef>

namespace airan::phy::detail {

/// True when the CPU runs AVX2 (and the build has the AVX2 kernel).
bool soft_demapper_avx2_available();

/// Demaps the first floor(\p num_symbols / 8) * 8 square-QAM symbols of \p symbols with the
/// per-symbol noise variances \p noise_variances and the table \p table
/// (make_pam_llr_table(qm / 2, qam_scale(qm))), writing table.bits_per_axis * 2 LLRs per symbol
/// to \p llrs in the order of qam_symbol_llrs(). Returns the symbols done; the caller does the
/// rest with the scalar code. Returns 0 without AVX2 support in the build.
std::size_t demodulate_qam_avx2(const PamLlrTable& table, const cf32* symbols,
                                const float* noise_variances, std::size_t num_symbols, float* llrs);

} // namespace airan::phy::detail
