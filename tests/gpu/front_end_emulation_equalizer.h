// What the front-end emulation tests share about the equalizer kernel (CUDA builds: the kernels'
// structs hold CUDA vector types): the instance of equalize_demap_re() a PDU's launch takes, the
// kernel's threads over a whole PDU, and the comparison of their outputs with the CPU front
// end's.
#pragma once

#include "airan/phy/pusch_front_end.h"

#include "../support/relative_errors.h"
#include "equalize_demap_elements.h"

#include <gtest/gtest.h>

#include <span>
#include <vector>

namespace emulation_test {

/// equalize_demap_re() of the kernel instance \p p's layer count and antenna class selects.
inline void equalize_re(const airan::gpu::detail::EqualizeDemapPdu& p,
                        const airan::phy::PamLlrTable& table, unsigned re) {
  using airan::gpu::detail::equalize_demap_re;
  const bool few = p.g.num_rx <= 4;
  switch (p.g.num_layers) {
  case 1:
    few ? equalize_demap_re<1, 4>(p, table, re) : equalize_demap_re<1, 16>(p, table, re);
    break;
  case 2:
    few ? equalize_demap_re<2, 4>(p, table, re) : equalize_demap_re<2, 16>(p, table, re);
    break;
  case 3:
    few ? equalize_demap_re<3, 4>(p, table, re) : equalize_demap_re<3, 16>(p, table, re);
    break;
  default:
    few ? equalize_demap_re<4, 4>(p, table, re) : equalize_demap_re<4, 16>(p, table, re);
    break;
  }
}

/// The equalizer kernel's outputs for one PDU.
struct EqualizedPdu {
  std::vector<float2> symbols;
  std::vector<float> noise;
  std::vector<float> llrs;
};

/// Every thread of the equalizer kernel for \p p (its outputs pointed at \p out's, sized here
/// from p.d and p.g) with the demapping table of \p tables its modulation takes.
inline void run_equalizer(airan::gpu::detail::EqualizeDemapPdu& p,
                          const airan::gpu::detail::PamLlrTables& tables, EqualizedPdu& out) {
  const std::size_t num_res = p.d.layout.num_res();
  out.symbols.assign(num_res * p.g.num_layers, float2{0.0F, 0.0F});
  out.noise.assign(out.symbols.size(), 0.0F);
  out.llrs.assign(out.symbols.size() * p.d.qm, 0.0F);
  p.symbols = out.symbols.data();
  p.noise_variances = out.noise.data();
  p.llrs = out.llrs.data();
  const airan::phy::PamLlrTable& table = p.d.qm == 1 ? tables.tables[0] : *p.d.table;
  for (unsigned re = 0; re < num_res; ++re) {
    equalize_re(p, table, re);
  }
}

/// \p out's symbols as complex values.
inline std::vector<airan::phy::cf32> complex_symbols(const EqualizedPdu& out) {
  const auto* first = reinterpret_cast<const airan::phy::cf32*>(out.symbols.data());
  return {first, first + out.symbols.size()};
}

/// Expects \p out to be what \p cpu's last process() gave (its LLRs \p cpu_llrs) within the GPU
/// front end's tolerances: equalized symbols 1e-4 (norm) and 1e-3 (max) relative, their noise
/// 1e-4, the LLR signs on at least 99.99% of the bits.
inline void expect_equalized_as_cpu(const EqualizedPdu& out, const airan::phy::PuschFrontEnd& cpu,
                                    std::span<const float> cpu_llrs) {
  ASSERT_EQ(out.llrs.size(), cpu_llrs.size());
  const auto x =
      airan::test::relative_errors<airan::phy::cf32>(complex_symbols(out), cpu.equalized_symbols());
  EXPECT_LT(x.norm, 1e-4) << "equalized symbols";
  EXPECT_LT(x.max, 1e-3) << "equalized symbols";
  const auto n = airan::test::relative_errors<float>(out.noise, cpu.equalized_noise_variances());
  EXPECT_LT(n.norm, 1e-4) << "post-equalization noise";
  std::size_t agree = 0;
  for (std::size_t i = 0; i < cpu_llrs.size(); ++i) {
    agree += (out.llrs[i] >= 0.0F) == (cpu_llrs[i] >= 0.0F) ? 1 : 0;
  }
  EXPECT_GE(static_cast<double>(agree) / static_cast<double>(cpu_llrs.size()), 0.9999)
      << "LLR signs";
}

} // namespace emulation_test
