// Test support for the host emulations of the GPU front end's kernels: the transform deprecoding
// of a DFT-s-OFDM PDU (transform_deprecoding_kernels.cu) on the host. The weighting kernel's
// threads per data symbol with their sums added in the block's tree order, the inverse DFT
// (cuFFT on the device) as a direct DFT in double, then the scaling and demapping kernel's
// threads, on the equalizer kernel's outputs (run_equalizer(), front_end_emulation_equalizer.h).
// CUDA builds only (the kernels' structs hold CUDA vector types).
#pragma once

#if defined(AIRAN_HAVE_CUDA)
#include "dmrs_noise_elements.h"
#include "front_end_emulation_equalizer.h"
#include "transform_deprecoding_elements.h"

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace emulation_test {

/// The inverse DFT of each of \p rows rows of \p m values of \p work in place, unnormalised
/// (e^{+j 2 pi k n / m}), summed in double: the stand-in for cuFFT's.
inline void inverse_dft_rows(std::vector<float2>& work, unsigned m, unsigned rows) {
  std::vector<std::complex<double>> out(m);
  for (unsigned row = 0; row < rows; ++row) {
    float2* values = work.data() + std::size_t{row} * m;
    for (unsigned n = 0; n < m; ++n) {
      std::complex<double> sum = 0.0;
      for (unsigned k = 0; k < m; ++k) {
        const double angle = 2.0 * std::numbers::pi *
                             static_cast<double>((std::size_t{k} * n) % m) / static_cast<double>(m);
        sum += std::complex<double>(values[k].x, values[k].y) * std::polar(1.0, angle);
      }
      out[n] = sum;
    }
    for (unsigned n = 0; n < m; ++n) {
      values[n] = float2{static_cast<float>(out[n].real()), static_cast<float>(out[n].imag())};
    }
  }
}

/// Each data symbol's scale as the weighting kernel leaves it: every thread's share
/// (weigh_deprecoding_values(), into \p t.work), the threads' sums added in the shared-memory
/// tree's order, then phy::deprecoding_scale().
inline std::vector<airan::phy::DeprecodingScale>
emulate_deprecoding_weights(const airan::gpu::detail::TransformDeprecodingPdu& t) {
  using namespace airan::gpu::detail;
  std::vector<airan::phy::DeprecodingScale> scales(max_symbols);
  std::vector<double> weights(deprecoding_weigh_threads);
  std::vector<double> residuals(deprecoding_weigh_threads);
  for (unsigned row = 0; row < t.rows; ++row) {
    for (unsigned thread = 0; thread < deprecoding_weigh_threads; ++thread) {
      weights[thread] = 0.0;
      residuals[thread] = 0.0;
      weigh_deprecoding_values(t, row, thread, deprecoding_weigh_threads, weights[thread],
                               residuals[thread]);
    }
    scales[row] = airan::phy::deprecoding_scale(
        dmrs_estimation::halving_tree_sum(weights.data(), deprecoding_weigh_threads),
        dmrs_estimation::halving_tree_sum(residuals.data(), deprecoding_weigh_threads), t.m);
  }
  return scales;
}

/// The deprecoding kernels of \p t (make_transform_deprecoding_pdu()) on \p out, the equalizer's
/// outputs of a transform-precoded PDU: its symbols, noise variances and LLRs become the
/// deprecoded ones, demapped with \p tables and descrambled from \p scrambling when given.
inline void run_deprecoding(airan::gpu::detail::TransformDeprecodingPdu t,
                            const airan::gpu::detail::PamLlrTables& tables, EqualizedPdu& out,
                            const std::uint32_t* scrambling = nullptr) {
  using namespace airan::gpu::detail;
  std::vector<float2> work(std::size_t{max_symbols} * t.m, float2{0.0F, 0.0F});
  t.symbols = out.symbols.data();
  t.noise_variances = out.noise.data();
  t.work = work.data();
  t.llrs = out.llrs.data();
  t.scrambling = scrambling;
  std::vector<airan::phy::DeprecodingScale> scales = emulate_deprecoding_weights(t);
  t.scales = scales.data();
  inverse_dft_rows(work, t.m, t.rows);
  const airan::phy::PamLlrTable& table = t.qm == 1 ? tables.tables[0] : *t.table;
  for (unsigned i = 0; i < t.rows * t.m; ++i) {
    deprecode_demap_value(t, table, i);
  }
}

} // namespace emulation_test
#endif
