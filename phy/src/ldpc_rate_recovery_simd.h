/// \file
/// \brief Internal: the SIMD paths of LDPC rate recovery (ldpc_rate_recovery_simd.cpp) and of the
/// int8 LLR quantisation (ldpc_llr_quantizer.cpp), with entry points that take the
/// implementation explicitly so that tests can compare every path with the scalar reference.
///
/// Every path gives the scalar result bit for bit. Rate recovery adds the values a position
/// receives in increasing k (the selection order), as the scalar code and
/// ldpc_rate_recovery_gather() do: the SIMD driver processes the selected bits in windows of one
/// period of the circular buffer (a window reaches each position at most once) in increasing k,
/// and only inside a window in another order.
#pragma once

#include "airan/phy/ldpc_rate_recovery.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::phy::detail {

/// Instruction-set level of the rate recovery and quantisation paths.
enum class LlrSimd {
  scalar, ///< Portable reference (the quantiser uses SSE2 where the build targets it).
  avx2,   ///< AVX2, chosen at run time.
  avx512, ///< AVX-512 F/BW/DQ/VL, chosen at run time.
};

/// True when the build has \p level and this CPU runs it (scalar: always).
bool llr_simd_supported(LlrSimd level);

/// The widest level llr_simd_supported() accepts (checked once).
LlrSimd llr_simd_best();

/// ldpc_rate_recover() with the implementation \p level (which must be supported).
unsigned ldpc_rate_recover(std::span<const float> llrs, const LdpcRateMatchConfig& config,
                           std::span<float> soft_buffer, LlrSimd level);

/// std::fill_n(soft_buffer, received, 0) followed by ldpc_rate_recover() (received being its
/// result, the received length), bit for bit, in one pass where the SIMD paths run: the
/// positions the transmission starts with are written rather than cleared and added to.
unsigned ldpc_rate_recover_cleared(std::span<const float> llrs, const LdpcRateMatchConfig& config,
                                   std::span<float> soft_buffer, LlrSimd level);

/// quantize_ldpc_llrs() with the implementation \p level (which must be supported).
void quantize_ldpc_llrs(std::span<const float> llrs, float scale, std::span<std::int8_t> out,
                        LlrSimd level);

/// One rectangle of the interleaver matrix (Q_m rows of `columns` values; row i, column j is
/// f[j Q_m + i], selected bit k = i columns + j) for a SIMD kernel: for the columns
/// j_begin .. j_end - 1 and every row i with bit i of `active` set,
/// soft[row_offset[i] + j] += f[j Q_m + i] (or = 0 + f[j Q_m + i] with `assign`). No two (row,
/// column) pairs of a block reach the same position, so the kernel may add in any order.
struct RateRecoveryBlock {
  static constexpr unsigned max_rows = 10;

  const float* f = nullptr;
  float* soft = nullptr;
  unsigned q_m = 0;
  unsigned columns = 0; ///< E / Q_m: f holds columns * q_m values (bounds of the loads).
  unsigned j_begin = 0;
  unsigned j_end = 0;
  unsigned active = 0; ///< Bit i: row i takes part.
  bool assign = false; ///< soft[...] = 0 + f[...] instead of +=: nothing was received there.
  std::ptrdiff_t row_offset[max_rows] = {};
};

/// Adds one RateRecoveryBlock to the circular buffer.
using RateRecoveryKernel = void (*)(const RateRecoveryBlock& block);

/// The AVX2 kernel for \p q_m (1 .. 10); nullptr without AVX2 in the build.
RateRecoveryKernel rate_recovery_kernel_avx2(unsigned q_m);
/// The AVX-512 kernel for \p q_m (1 .. 10); nullptr without AVX-512 in the build.
RateRecoveryKernel rate_recovery_kernel_avx512(unsigned q_m);

/// Scalar kernel (the columns a SIMD kernel leaves over, and odd Q_m).
void rate_recovery_block_scalar(const RateRecoveryBlock& block, unsigned j_begin);

/// AVX2 quantisation of the first floor(\p count / 32) * 32 values; returns how many it did
/// (0 without AVX2 in the build).
std::size_t quantize_ldpc_llrs_avx2(const float* llrs, std::size_t count, float scale,
                                    std::int8_t* out);
/// AVX-512 quantisation of all \p count values (the last ones under a mask); returns how many it
/// did (0 without AVX-512 in the build).
std::size_t quantize_ldpc_llrs_avx512(const float* llrs, std::size_t count, float scale,
                                      std::int8_t* out);

} // namespace airan::phy::detail
