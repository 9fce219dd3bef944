/// \file
/// \brief AVX2 kernels of the DMRS channel estimator (dmrs_estimation_simd.cpp):
/// MMSE frequency interpolation of the interior runs (several runs of one filter position per
/// register), linear frequency interpolation, the delay-ramp restoration and the time
/// interpolation. Each output takes exactly the operations of the scalar code in its order
/// (separate multiplies and adds, no FMA), so the results are bit for bit the same; the vectors
/// only run across independent outputs.
#pragma once

#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>

namespace airan::phy::detail {

/// Instruction sets of the estimator's kernels; baseline is the portable (SSE2) code.
enum class DmrsSimd : std::uint8_t { baseline, avx2 };

/// True when the CPU (and the build) runs \p level.
bool dmrs_simd_supported(DmrsSimd level);

/// The best level the CPU supports (detected once).
DmrsSimd dmrs_simd_best();

/// Interior runs of the MMSE interpolator: \p num_runs runs of \p spacing outputs each, run r
/// taking pilots (interleaved re, im) from \p pilots + 2 r and writing outputs from \p out +
/// 2 spacing r, every run with the taps of the same positions; \p lanes are the regrouped taps
/// (frequency_interpolator.cpp: per position and tap, the 4 real parts of positions q, q + 2,
/// q + 4, q + 6, then their imaginary parts) of the first output's position. With \p ramp
/// (aligned with \p out) each output is multiplied by conj(ramp) as multiply_by_conjugate()
/// does. \p scratch holds mmse_scratch_floats(num_runs + window) floats (nullptr: nothing done).
/// Does pairs of runs (two per register); returns the runs done, the caller does the rest.
int mmse_interior_runs(DmrsSimd level, const float* lanes, int window, const float* pilots,
                       int spacing, int num_runs, float* out, const float* ramp, float* scratch);

/// Scratch floats of mmse_interior_runs() for \p num_pilots pilots (each expanded 4 times, real
/// and imaginary parts apart).
constexpr std::size_t mmse_scratch_floats(std::size_t num_pilots) {
  return 8 * num_pilots;
}

/// Linear interpolation between pilot \p a and the next (interleaved re, im) of \p num_runs
/// consecutive pilot intervals, \p spacing outputs each: output j of interval n is
/// a_n + fractions[j] (a_n+1 - a_n), written from \p out + 2 spacing n; with \p ramp (aligned
/// with \p out) multiplied by its conjugate. Returns the intervals done (all with AVX2).
int linear_runs(DmrsSimd level, const float* pilots, const float* fractions, int spacing,
                int num_runs, float* out, const float* ramp);

/// h times conj(ramp) over \p num_values complex values (multiply_by_conjugate()); returns the
/// values done.
std::size_t multiply_by_conjugate_simd(DmrsSimd level, float* h, const float* ramp,
                                       std::size_t num_values);

/// out[k] = a[k] + weight (b[k] - a[k]) over \p num_floats floats; returns the floats done.
std::size_t lerp_rows_simd(DmrsSimd level, const float* a, const float* b, float weight, float* out,
                           std::size_t num_floats);

/// Wiener time interpolation of one symbol: out = sum_o w_o rows[o] over \p num_values complex
/// values (interleaved re, im), \p occasions (1 .. 4) rows and weights \p weights (re, im per
/// occasion), each product (w_re x - w_im y, w_re y + w_im x) added to the sum of the earlier
/// occasions' as the scalar loop does. Returns the values done.
std::size_t wiener_row_simd(DmrsSimd level, const float* const* rows, const float* weights,
                            unsigned occasions, float* out, std::size_t num_values);

} // namespace airan::phy::detail
