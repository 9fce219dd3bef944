/// \file
/// \brief SIMD kernels of LDPC rate recovery: the de-interleaving transposes (Q_m rows of the
/// interleaver matrix from eight columns of f at a time, in registers) and the accumulation into
/// the circular buffer, AVX2 and AVX-512, chosen at run time. Each value is added once to its
/// position (one float addition, as in the scalar code; 0 + value where the position is written
/// first, as the scalar code adds to a cleared buffer), so the results are bit for bit those of
/// the scalar code.
#include "ldpc_rate_recovery_simd.h"

#include "airan/phy/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AIRAN_RATE_RECOVERY_X86 1
#endif

#include <array>

namespace airan::phy::detail {

void rate_recovery_block_scalar(const RateRecoveryBlock& block, unsigned j_begin) {
  for (unsigned i = 0; i < block.q_m; ++i) {
    if ((block.active >> i & 1U) == 0) {
      continue;
    }
    const std::ptrdiff_t offset = block.row_offset[i];
    for (unsigned j = j_begin; j < block.j_end; ++j) {
      float& soft = block.soft[offset + j];
      soft = (block.assign ? 0.0F : soft) + block.f[std::size_t{j} * block.q_m + i];
    }
  }
}

bool llr_simd_supported(LlrSimd level) {
#if defined(AIRAN_RATE_RECOVERY_X86)
  switch (level) {
  case LlrSimd::scalar:
    return true;
  case LlrSimd::avx2:
    return cpu_features().avx2;
  case LlrSimd::avx512:
    return cpu_features().avx512_bw_dq_vl();
  }
  return false;
#else
  return level == LlrSimd::scalar;
#endif
}

LlrSimd llr_simd_best() {
  static const LlrSimd best = llr_simd_supported(LlrSimd::avx512) ? LlrSimd::avx512
                              : llr_simd_supported(LlrSimd::avx2) ? LlrSimd::avx2
                                                                  : LlrSimd::scalar;
  return best;
}

#if defined(AIRAN_RATE_RECOVERY_X86)

namespace {

#define AIRAN_AVX2 __attribute__((target("avx2")))
#define AIRAN_AVX512 __attribute__((target("avx2,avx512f,avx512bw,avx512dq,avx512vl")))

/// soft[j] += value[0..7] for eight consecutive positions (= 0 + value with Assign).
template <bool Assign> AIRAN_AVX2 inline void add8(float* soft, __m256 value) {
  const __m256 previous = Assign ? _mm256_setzero_ps() : _mm256_loadu_ps(soft);
  _mm256_storeu_ps(soft, _mm256_add_ps(previous, value));
}

/// 8 x 8 transpose: in[t] holds column t (rows 0..7), out[r] row r (columns 0..7).
AIRAN_AVX2 inline void transpose8(const __m256 (&in)[8], __m256 (&out)[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(in[0], in[1]);
  const __m256 t1 = _mm256_unpackhi_ps(in[0], in[1]);
  const __m256 t2 = _mm256_unpacklo_ps(in[2], in[3]);
  const __m256 t3 = _mm256_unpackhi_ps(in[2], in[3]);
  const __m256 t4 = _mm256_unpacklo_ps(in[4], in[5]);
  const __m256 t5 = _mm256_unpackhi_ps(in[4], in[5]);
  const __m256 t6 = _mm256_unpacklo_ps(in[6], in[7]);
  const __m256 t7 = _mm256_unpackhi_ps(in[6], in[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44);
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44);
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44);
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44);
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  out[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  out[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  out[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  out[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  out[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  out[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  out[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  out[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/// Where a kernel adds: row i's column j (j_begin <= j < j_end) at row[i][j - j_begin], rows
/// outside `active` skipped (none when All). Kept in locals so that the stores into the circular
/// buffer need no reloads of the block.
template <unsigned Qm, bool All> struct Destination {
  explicit Destination(const RateRecoveryBlock& block) : active(block.active) {
    for (unsigned i = 0; i < Qm; ++i) {
      row[i] =
          (active >> i & 1U) != 0 ? block.soft + (block.row_offset[i] + block.j_begin) : nullptr;
    }
  }
  [[nodiscard]] bool takes(unsigned i) const { return All || (active >> i & 1U) != 0; }

  float* row[Qm];
  unsigned active;
};

/// Adds rows[r] (row first_row + r, columns j .. j + 7, j relative to j_begin) for the rows of
/// \p destination below Q_m.
template <bool Assign, unsigned Qm, bool All, unsigned Count>
AIRAN_AVX2 inline void add_rows(const Destination<Qm, All>& destination, unsigned first_row,
                                unsigned j, const __m256 (&rows)[Count]) {
  for (unsigned r = 0; r < Count && first_row + r < Qm; ++r) {
    if (destination.takes(first_row + r)) {
      add8<Assign>(destination.row[first_row + r] + j, rows[r]);
    }
  }
}

/// The AVX2 steps of kernel_avx2(); returns the first column they left.
template <unsigned Qm, bool All, bool Assign>
AIRAN_AVX2 unsigned steps_avx2(const RateRecoveryBlock& block) {
  const Destination<Qm, All> destination(block);
  // Values of f from the first of a step's loads to one past its last (beyond 8 Q_m for the
  // overlapping loads of Q_m 6 and 10: rows 0..7, or 0..15, of the last column).
  constexpr unsigned reach = Qm <= 4 ? 8 * Qm : 7 * Qm + (Qm <= 8 ? 8 : 16);
  const std::size_t f_size = std::size_t{block.columns} * Qm;
  const unsigned j_begin = block.j_begin;
  unsigned j = j_begin;
  for (; j + 8 <= block.j_end && std::size_t{j} * Qm + reach <= f_size; j += 8) {
    const float* source = block.f + std::size_t{j} * Qm;
    if constexpr (Qm == 1) {
      const __m256 rows[1] = {_mm256_loadu_ps(source)};
      add_rows<Assign>(destination, 0, j - j_begin, rows);
    } else if constexpr (Qm == 2) {
      const __m256 a = _mm256_loadu_ps(source);
      const __m256 b = _mm256_loadu_ps(source + 8);
      const __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
      const __m256 odd = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
      const __m256 rows[2] = {
          _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), _MM_SHUFFLE(3, 1, 2, 0))),
          _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(odd), _MM_SHUFFLE(3, 1, 2, 0)))};
      add_rows<Assign>(destination, 0, j - j_begin, rows);
    } else if constexpr (Qm == 4) {
      // Each load holds two columns; an in-lane 4 x 4 transpose gives each row with the columns
      // in the order 0 2 4 6 | 1 3 5 7, which one permute puts right.
      const __m256 v0 = _mm256_loadu_ps(source);
      const __m256 v1 = _mm256_loadu_ps(source + 8);
      const __m256 v2 = _mm256_loadu_ps(source + 16);
      const __m256 v3 = _mm256_loadu_ps(source + 24);
      const __m256 t0 = _mm256_unpacklo_ps(v0, v1);
      const __m256 t1 = _mm256_unpackhi_ps(v0, v1);
      const __m256 t2 = _mm256_unpacklo_ps(v2, v3);
      const __m256 t3 = _mm256_unpackhi_ps(v2, v3);
      const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
      const __m256 rows[4] = {_mm256_permutevar8x32_ps(_mm256_shuffle_ps(t0, t2, 0x44), order),
                              _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t0, t2, 0xEE), order),
                              _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t1, t3, 0x44), order),
                              _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t1, t3, 0xEE), order)};
      add_rows<Assign>(destination, 0, j - j_begin, rows);
    } else {
      for (unsigned first_row = 0; first_row < Qm; first_row += 8) {
        __m256 columns[8];
        for (unsigned t = 0; t < 8; ++t) {
          columns[t] = _mm256_loadu_ps(source + std::size_t{t} * Qm + first_row);
        }
        __m256 rows[8];
        transpose8(columns, rows);
        add_rows<Assign>(destination, first_row, j - j_begin, rows);
      }
    }
  }
  return j;
}

/// AVX2 kernel for Q_m = 1, 2, 4 (dedicated shuffles) and 6, 8, 10 (8 x 8 transposes of
/// overlapping loads: the columns' rows 0..7 and, for Q_m 10, 8..15, of which the first Q_m
/// rows are kept; a step is done so only when its loads stay inside f).
template <unsigned Qm> void kernel_avx2(const RateRecoveryBlock& block) {
  const bool all = block.active == (1U << Qm) - 1;
  const unsigned j =
      block.assign
          ? (all ? steps_avx2<Qm, true, true>(block) : steps_avx2<Qm, false, true>(block))
          : (all ? steps_avx2<Qm, true, false>(block) : steps_avx2<Qm, false, false>(block));
  rate_recovery_block_scalar(block, j);
}

/// Permute indices of the AVX-512 kernel for Q_m: output vector r holds rows 2r and 2r + 1 of
/// eight columns (lanes 0..7 and 8..15); lane l reads f value 2r + l / 8 + Q_m (l mod 8) of the
/// block, i.e. lane (that mod 32) of the pair of loads (that / 32).
template <unsigned Qm> constexpr std::array<std::array<int, 16>, Qm / 2> avx512_indices() {
  std::array<std::array<int, 16>, Qm / 2> indices{};
  for (unsigned r = 0; r < Qm / 2; ++r) {
    for (unsigned l = 0; l < 16; ++l) {
      indices[r][l] = static_cast<int>((2 * r + l / 8 + Qm * (l % 8)) % 32);
    }
  }
  return indices;
}

/// Lanes of output vector r whose value comes from the pair of loads \p pair.
template <unsigned Qm> constexpr __mmask16 avx512_pair_mask(unsigned r, unsigned pair) {
  unsigned mask = 0;
  for (unsigned l = 0; l < 16; ++l) {
    mask |= ((2 * r + l / 8 + Qm * (l % 8)) / 32 == pair ? 1U : 0U) << l;
  }
  return static_cast<__mmask16>(mask);
}

/// The AVX-512 steps of kernel_avx512(); returns the first column they left.
template <unsigned Qm, bool All, bool Assign>
AIRAN_AVX512 unsigned steps_avx512(const RateRecoveryBlock& block) {
  const Destination<Qm, All> destination(block);
  const unsigned j_begin = block.j_begin;
  unsigned j = j_begin;
  if constexpr (Qm == 1) {
    for (; j + 16 <= block.j_end; j += 16) {
      float* soft = destination.row[0] + (j - j_begin);
      const __m512 previous = Assign ? _mm512_setzero_ps() : _mm512_loadu_ps(soft);
      _mm512_storeu_ps(soft, _mm512_add_ps(previous, _mm512_loadu_ps(block.f + j)));
    }
  } else {
    constexpr unsigned loads = Qm / 2;
    static constexpr auto index_table = avx512_indices<Qm>();
    __m512i indices[loads];
    for (unsigned r = 0; r < loads; ++r) {
      indices[r] = _mm512_loadu_si512(index_table[r].data());
    }
    for (; j + 8 <= block.j_end; j += 8) {
      const float* source = block.f + std::size_t{j} * Qm;
      __m512 v[loads];
      for (unsigned p = 0; p < loads; ++p) {
        v[p] = _mm512_loadu_ps(source + std::size_t{16} * p);
      }
      for (unsigned r = 0; r < loads; ++r) {
        // (Intrinsics with a defined source under full masks: GCC 12 warns about the undefined
        // source of _mm512_permutexvar_ps and _mm512_castps512_ps256 once inlined.)
        __m512 out = loads == 1 ? _mm512_maskz_permutexvar_ps(0xFFFF, indices[r], v[0])
                                : _mm512_permutex2var_ps(v[0], indices[r], v[1]);
        for (unsigned pair = 1; 2 * pair < loads; ++pair) {
          const __mmask16 mask = avx512_pair_mask<Qm>(r, pair);
          if (mask == 0) {
            continue;
          }
          if (2 * pair + 1 < loads) {
            out = _mm512_mask_mov_ps(
                out, mask, _mm512_permutex2var_ps(v[2 * pair], indices[r], v[2 * pair + 1]));
          } else {
            out = _mm512_mask_permutexvar_ps(out, mask, indices[r], v[2 * pair]);
          }
        }
        if (destination.takes(2 * r)) {
          add8<Assign>(destination.row[2 * r] + (j - j_begin), _mm512_extractf32x8_ps(out, 0));
        }
        if (destination.takes(2 * r + 1)) {
          add8<Assign>(destination.row[2 * r + 1] + (j - j_begin), _mm512_extractf32x8_ps(out, 1));
        }
      }
    }
  }
  return j;
}

/// AVX-512 kernel for Q_m = 1 (16 consecutive values per step) and even Q_m (eight columns,
/// Q_m / 2 loads of 16 values, per step; two rows per output vector, gathered with two-source
/// permutes and merged under lane masks).
template <unsigned Qm> void kernel_avx512(const RateRecoveryBlock& block) {
  const bool all = block.active == (1U << Qm) - 1;
  const unsigned j =
      block.assign
          ? (all ? steps_avx512<Qm, true, true>(block) : steps_avx512<Qm, false, true>(block))
          : (all ? steps_avx512<Qm, true, false>(block) : steps_avx512<Qm, false, false>(block));
  rate_recovery_block_scalar(block, j);
}

} // namespace

RateRecoveryKernel rate_recovery_kernel_avx2(unsigned q_m) {
  switch (q_m) {
  case 1:
    return kernel_avx2<1>;
  case 2:
    return kernel_avx2<2>;
  case 4:
    return kernel_avx2<4>;
  case 6:
    return kernel_avx2<6>;
  case 8:
    return kernel_avx2<8>;
  case 10:
    return kernel_avx2<10>;
  default:
    return nullptr;
  }
}

RateRecoveryKernel rate_recovery_kernel_avx512(unsigned q_m) {
  switch (q_m) {
  case 1:
    return kernel_avx512<1>;
  case 2:
    return kernel_avx512<2>;
  case 4:
    return kernel_avx512<4>;
  case 6:
    return kernel_avx512<6>;
  case 8:
    return kernel_avx512<8>;
  case 10:
    return kernel_avx512<10>;
  default:
    return nullptr;
  }
}

#else

RateRecoveryKernel rate_recovery_kernel_avx2(unsigned /*q_m*/) {
  return nullptr;
}
RateRecoveryKernel rate_recovery_kernel_avx512(unsigned /*q_m*/) {
  return nullptr;
}

#endif

} // namespace airan::phy::detail
