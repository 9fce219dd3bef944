/// \file
/// \brief Soft demapping: exact max-log bit LLRs of equalized symbols for the constellations of
/// modulation_mapper.h (pi/2-BPSK, QPSK, 16/64/256/1024-QAM), scaled by each symbol's
/// post-equalization noise variance.
///
/// Convention: LLR = (min_{s: b=1} |y - s|^2 - min_{s: b=0} |y - s|^2) / sigma^2, so a positive
/// value favours bit 0 (log P(0)/P(1) under max-log). The bits come out in modulation-mapper
/// order: Q_m LLRs per symbol, symbol after symbol.
///
/// Square QAM is two independent Gray-coded PAM axes (real: bits 0, 2, 4, ...; imaginary: bits
/// 1, 3, 5, ...), and |y - s|^2 splits into the two axes, so every bit's max-log LLR involves its
/// own axis only. On one axis with m bits, level i (0 .. 2^m - 1, from the most negative
/// amplitude up) has amplitude scale * (2i - 2^m + 1) and carries the bits of ~gray(i), gray(i)
/// = i ^ (i >> 1), first bit most significant (this is the recursion of qam_axis_amplitude()).
/// Gray bit p is constant on runs of consecutive levels that end where (i + 1) mod 2^(p+1) =
/// 2^p. The closest level overall decides one minimum; the closest level with the other bit
/// value lies just outside the run of that closest level, on its left or its right, because the
/// distance is convex in the amplitude. Both minima are therefore found with two distances per
/// bit and no search, exactly. The span-based demodulate_soft() uses the equivalent exact
/// piecewise-linear form (PamLlrTable): one multiply-add per bit.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/types.h"

#include <memory>
#include <span>

namespace airan::phy {

/// Smallest noise variance the demapper divides by: a zero (noise-free) variance gives large but
/// finite LLRs.
constexpr float min_demapper_noise_variance = 1e-12F;

/// 1 / sigma^2 of the demapper: the variance floored at min_demapper_noise_variance (a zero or
/// negative one too), and 0 for a NaN variance (nothing is known of the noise: every LLR of the
/// symbol 0, an erasure, where the floor made them the most confident there are).
AIRAN_HOST_DEVICE inline float demapper_inverse_noise(float noise_variance) {
  if (noise_variance != noise_variance) {
    return 0.0F;
  }
  return 1.0F / (noise_variance > min_demapper_noise_variance ? noise_variance
                                                              : min_demapper_noise_variance);
}

/// Exact max-log LLRs of the \p bits_per_axis bits of one PAM axis (1 .. 5 bits) of square QAM
/// with normalisation \p scale (qam_scale()): sample \p y, 1 / sigma^2 \p inverse_noise. Bit j
/// (first bit j = 0) is written to llrs[j * stride].
AIRAN_HOST_DEVICE inline void pam_axis_llrs(float y, unsigned bits_per_axis, float scale,
                                            float inverse_noise, float* llrs, unsigned stride) {
  const int num_levels = 1 << bits_per_axis;
  // Closest level: amplitude scale * (2i - M + 1) nearest to y, clamped to the constellation.
  // Clamped as a float (a NaN to 0) before the conversion, which overflows for huge, infinite
  // and NaN samples; for the others the index that converting and then clamping gives.
  float position = 0.5F * (y / scale + static_cast<float>(num_levels - 1)) + 0.5F;
  const auto last = static_cast<float>(num_levels - 1);
  position = position > 0.0F ? position : 0.0F;
  position = position < last ? position : last;
  const int nearest = static_cast<int>(position);
  auto distance = [&](int level) {
    const float error = y - scale * static_cast<float>(2 * level - num_levels + 1);
    return error * error;
  };
  const float nearest_distance = distance(nearest);
  const int nearest_gray = nearest ^ (nearest >> 1);
  for (unsigned j = 0; j < bits_per_axis; ++j) {
    const int p = static_cast<int>(bits_per_axis - 1 - j); // Gray bit position of axis bit j
    const int half = 1 << p;
    // First level of the run (constant Gray bit p) that holds the nearest level, and the first
    // level after it.
    const int run_start = nearest < half ? 0 : ((nearest - half) & ~(2 * half - 1)) + half;
    const int run_end = run_start == 0 ? half : run_start + 2 * half;
    float other_distance = 3.0e38F;
    if (run_start > 0) {
      other_distance = distance(run_start - 1);
    }
    if (run_end < num_levels) {
      const float right = distance(run_end);
      other_distance = right < other_distance ? right : other_distance;
    }
    // The transmitted bit is the complement of the Gray bit.
    const bool nearest_bit_is_one = ((nearest_gray >> p) & 1) == 0;
    const float difference =
        nearest_bit_is_one ? nearest_distance - other_distance : other_distance - nearest_distance;
    llrs[j * stride] = difference * inverse_noise;
  }
}

/// Most bits on one PAM axis (1024-QAM) and most levels.
constexpr unsigned max_pam_bits = 5;
constexpr unsigned max_pam_levels = 1U << max_pam_bits;

/// The exact max-log LLRs of one PAM axis in piecewise-linear form. Between consecutive even
/// multiples of the scale (the midpoints between levels) the closest level and the closest
/// level of each bit's other value do not change (see the file comment: the latter switches
/// side only at such a midpoint), so every LLR is linear there:
/// (y - a1)^2 - (y - a0)^2 = -2 (a1 - a0) y + a1^2 - a0^2. Interval i (0 .. M - 1) is
/// [2 scale (i - M/2), 2 scale (i - M/2 + 1)], the outer two extended to infinity.
struct PamLlrTable {
  unsigned bits_per_axis = 1;
  unsigned num_levels = 2;
  float inverse_interval = 1.0F; ///< 1 / (2 scale).
  float slope[max_pam_levels][max_pam_bits];
  float offset[max_pam_levels][max_pam_bits];
};

/// Builds the table of square QAM with \p bits_per_axis bits per axis (1 .. 5) and
/// normalisation \p scale.
AIRAN_HOST_DEVICE inline PamLlrTable make_pam_llr_table(unsigned bits_per_axis, float scale) {
  PamLlrTable table{};
  const int num_levels = 1 << bits_per_axis;
  table.bits_per_axis = bits_per_axis;
  table.num_levels = static_cast<unsigned>(num_levels);
  table.inverse_interval = 0.5F / scale;
  for (int i = 0; i < num_levels; ++i) {
    // Interval i holds level i (its closest level); per bit, the closest other-valued level is
    // the nearer of the two levels just outside i's run of equal Gray bits.
    const float amplitude = scale * static_cast<float>(2 * i - num_levels + 1);
    const int gray = i ^ (i >> 1);
    for (unsigned j = 0; j < bits_per_axis; ++j) {
      const int p = static_cast<int>(bits_per_axis - 1 - j);
      const int half = 1 << p;
      const int run_start = i < half ? 0 : ((i - half) & ~(2 * half - 1)) + half;
      const int run_end = run_start == 0 ? half : run_start + 2 * half;
      const int left = run_start - 1;
      const int right = run_end < num_levels ? run_end : -1;
      const int other =
          left < 0 ? right : (right < 0 ? left : ((i - left) <= (right - i) ? left : right));
      const float other_amplitude = scale * static_cast<float>(2 * other - num_levels + 1);
      const bool level_bit_is_one = ((gray >> p) & 1) == 0; // the bit is ~Gray
      const float a1 = level_bit_is_one ? amplitude : other_amplitude;
      const float a0 = level_bit_is_one ? other_amplitude : amplitude;
      table.slope[i][j] = -2.0F * (a1 - a0);
      table.offset[i][j] = a1 * a1 - a0 * a0;
    }
  }
  return table;
}

/// The interval of \p table's PAM axis that \p y falls in (0 .. num_levels - 1).
AIRAN_HOST_DEVICE inline int pam_interval(const PamLlrTable& table, float y) {
  // The interval is clamped to [0, M - 1] as a float (a NaN to 0) before it is truncated: for
  // every finite position this is the index that truncating and then clamping gives, and it
  // stays defined for huge, infinite and NaN samples, where an int conversion would overflow.
  float position = y * table.inverse_interval + 0.5F * table.num_levels;
  const float last = static_cast<float>(table.num_levels - 1);
  position = position > 0.0F ? position : 0.0F;
  position = position < last ? position : last;
  return static_cast<int>(position);
}

/// pam_axis_llrs() from a table: one interval lookup and one multiply-add per bit.
AIRAN_HOST_DEVICE inline void pam_axis_llrs(const PamLlrTable& table, float y, float inverse_noise,
                                            float* llrs, unsigned stride) {
  const int interval = pam_interval(table, y);
  for (unsigned j = 0; j < table.bits_per_axis; ++j) {
    llrs[j * stride] = (table.slope[interval][j] * y + table.offset[interval][j]) * inverse_noise;
  }
}

/// pam_axis_llrs() with the table's bits per axis known at compile time (BitsPerAxis ==
/// table.bits_per_axis), the same values: the loop has a fixed length, so that a GPU thread
/// keeps the LLRs in registers instead of local memory.
template <unsigned BitsPerAxis>
AIRAN_HOST_DEVICE inline void pam_axis_llrs_fixed(const PamLlrTable& table, float y,
                                                  float inverse_noise, float* llrs,
                                                  unsigned stride) {
  const int interval = pam_interval(table, y);
  for (unsigned j = 0; j < BitsPerAxis; ++j) {
    llrs[j * stride] = (table.slope[interval][j] * y + table.offset[interval][j]) * inverse_noise;
  }
}

/// Max-log LLRs of one square-QAM symbol (\p qm = 2, 4, 6, 8 or 10 bits) into llrs[0 .. qm-1].
AIRAN_HOST_DEVICE inline void qam_symbol_llrs(float re, float im, float noise_variance, unsigned qm,
                                              float* llrs) {
  const float inverse_noise = demapper_inverse_noise(noise_variance);
  const float scale = qam_scale(qm);
  pam_axis_llrs(re, qm / 2, scale, inverse_noise, llrs, 2);
  pam_axis_llrs(im, qm / 2, scale, inverse_noise, llrs + 1, 2);
}

/// Max-log LLR of pi/2-BPSK symbol number \p index (its position in the codeword's symbol
/// sequence decides the pi/2 rotation): 4 Re(y conj(s0)) / sigma^2, with s0 the point of bit 0.
AIRAN_HOST_DEVICE inline float pi2_bpsk_symbol_llr(float re, float im, float noise_variance,
                                                   std::size_t index) {
  if (noise_variance != noise_variance) {
    return 0.0F; // as demapper_inverse_noise(): an unknown noise, an erasure
  }
  const float variance =
      noise_variance > min_demapper_noise_variance ? noise_variance : min_demapper_noise_variance;
  float s_re = 0.0F;
  float s_im = 0.0F;
  pi2_bpsk_symbol(0, index, s_re, s_im);
  return 4.0F * (re * s_re + im * s_im) / variance;
}

/// qam_symbol_llrs() with a table from make_pam_llr_table(qm / 2, qam_scale(qm)).
AIRAN_HOST_DEVICE inline void qam_symbol_llrs(const PamLlrTable& table, float re, float im,
                                              float noise_variance, float* llrs) {
  const float inverse_noise = demapper_inverse_noise(noise_variance);
  pam_axis_llrs(table, re, inverse_noise, llrs, 2);
  pam_axis_llrs(table, im, inverse_noise, llrs + 1, 2);
}

/// qam_symbol_llrs() from a table of Qm / 2 bits per axis known at compile time (Qm == 2
/// table.bits_per_axis, 2 .. 10): the same values, with the LLRs in registers on a GPU.
template <unsigned Qm>
AIRAN_HOST_DEVICE inline void qam_symbol_llrs_fixed(const PamLlrTable& table, float re, float im,
                                                    float noise_variance, float* llrs) {
  static_assert(Qm >= 2 && Qm <= 2 * max_pam_bits && Qm % 2 == 0, "square QAM");
  const float inverse_noise = demapper_inverse_noise(noise_variance);
  pam_axis_llrs_fixed<Qm / 2>(table, re, inverse_noise, llrs, 2);
  pam_axis_llrs_fixed<Qm / 2>(table, im, inverse_noise, llrs + 1, 2);
}

/// Demaps \p symbols with per-symbol noise variances \p noise_variances into
/// symbols.size() * Q_m LLRs. For pi/2-BPSK, symbols[0] is symbol 0 of the sequence. An
/// infinite noise variance (the equalizer's, with a zero symbol, for an RE it could not resolve)
/// or a NaN one (a corrupt estimate) gives LLRs 0; a zero or negative one is floored
/// (demapper_inverse_noise()).
/// \throws std::invalid_argument on a size mismatch.
void demodulate_soft(std::span<const cf32> symbols, std::span<const float> noise_variances,
                     Modulation modulation, std::span<float> llrs);

/// Soft demapper stage interface (one implementation per instruction set or device).
class SoftDemapper {
public:
  virtual ~SoftDemapper() = default;
  /// Same contract as demodulate_soft().
  virtual void demodulate(std::span<const cf32> symbols, std::span<const float> noise_variances,
                          Modulation modulation, std::span<float> llrs) = 0;
};

/// How LLRs are computed from an equalized symbol and its noise variance.
enum class SoftDemapping {
  max_log, ///< The nearest point of each bit value (every receiver's default, CPU and CUDA).
  exact,   ///< A posteriori (log-MAP): every point of each bit value, log-sum-exp (CPU only).
};

/// Exact (log-MAP) LLRs of one square-QAM symbol (\p qm = 2 .. 10) into llrs[0 .. qm-1]: per
/// bit, ln sum over the points whose bit is 0 of exp(-|y - x|^2 / sigma^2) minus the same over
/// the points whose bit is 1, in double, with the noise variance floored as the max-log
/// demapper floors it (and LLRs 0 for a NaN variance). Max-log keeps only the largest term of
/// each sum.
void exact_qam_symbol_llrs(float re, float im, float noise_variance, unsigned qm, float* llrs);

/// Creates the exact (log-MAP) soft demapper: exact_qam_symbol_llrs() for square QAM; BPSK and
/// pi/2-BPSK, whose two points make max-log exact, as the default demapper.
std::unique_ptr<SoftDemapper> create_exact_soft_demapper();

/// Creates the default soft demapper of this build (portable C++). With \p simd (the default),
/// square QAM goes eight symbols per AVX2 step where the CPU has AVX2, bit for bit the scalar
/// result; \p simd = false keeps the scalar code (the reference).
std::unique_ptr<SoftDemapper> create_soft_demapper(bool simd = true);

} // namespace airan::phy
