/// \file
/// \brief The carry-less multiplication CRC kernel (crc_calculator_simd.cpp): whole 128-bit
/// blocks of unpacked bits folded with PCLMULQDQ, the bits packed with AVX2; used by
/// CrcCalculator when the CPU has both.
#pragma once

#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>

namespace airan::phy::detail {

/// Message bits per block of the carry-less multiplication kernel.
inline constexpr std::size_t crc_clmul_block_bits = 128;

/// True when the CPU runs PCLMULQDQ and AVX2 (and the build has the kernel).
bool crc_clmul_available();

/// Left-aligned CRC register after the \p num_blocks * 128 unpacked bits at \p bits (only bit 0
/// of each byte counts), starting from a zero register: the value that crc_shift_word() steps
/// from zero over the same bits would give. \p slice_tables are the polynomial's slicing tables
/// (make_crc_slice_tables()), \p fold_multipliers its crc_fold_multiplier_count values
/// x^(128 + 64 i) mod x^32 + aligned generator. Returns 0 without the kernel in the build.
std::uint32_t crc_fold_blocks_clmul(const bit_t* bits, std::size_t num_blocks,
                                    const std::uint32_t* slice_tables,
                                    const std::uint32_t* fold_multipliers);

} // namespace airan::phy::detail
