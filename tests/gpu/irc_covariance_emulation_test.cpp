// The GPU front end's MMSE-IRC path run on the host: the covariance kernel
// (irc_covariance_kernels.cu) block by block and thread by thread with its per-thread functions
// (irc_covariance_elements.h) on the pilots of the emulated DMRS estimation
// (front_end_emulation_support.h, irc_emulation_support.h), then equalize_demap_re()'s IRC branch
// (equalize_demap_elements.h) over every data RE with the emulated whitening matrices, on simulated
// slots with a rank-one coloured interferer. Checked: the chunk and slice sampling against double
// sums of the same residuals in the CPU's order; the regularised covariances and whitening matrices
// against phy::PuschFrontEnd's (MMSE-IRC); the equalized symbols, noise variances and LLR signs
// against the CPU front end's; the fixed order of the slice sum; and the zero fallback. CUDA builds
// only (the kernels' structs hold CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "../support/relative_errors.h"
#include "front_end_emulation_equalizer.h"
#include "irc_emulation_support.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <string>
#include <vector>

namespace {

using namespace irc_emulation_test;
using airan::test::relative_errors;
using Errors = airan::test::RelativeErrors;

std::vector<IrcCase> irc_cases() {
  constexpr auto type1 = DmrsConfigType::type1;
  constexpr auto type2 = DmrsConfigType::type2;
  return {
      // One chunk per group (96 vectors of 128).
      {"Prb24Rx4Layers2Groups4", 24, 4, 2, type1, 1, 1, 4, 10, 25.0F, 0.5F},
      // One group of 51 PRBs: 10 chunks of 128 vectors; 2 DMRS symbols per occasion.
      {"Prb51Rx4Layer1Group0DoubleSymbol", 51, 4, 1, type1, 2, 1, 0, 16, 25.0F, 1.0F},
      // 2 antennas (chunks of 256, 128 slices), type 2 DMRS, groups of a PRB.
      {"Prb25Rx2Layer1Type2Groups1", 25, 2, 1, type2, 1, 2, 1, 5, 20.0F, 0.3F},
      // 8 antennas (the equalizer's many-antenna path), 3 PRB groups, the last one short.
      {"Prb10Rx8Layers4Groups3", 10, 8, 4, type1, 1, 1, 3, 10, 25.0F, 0.5F},
      // 16 antennas: 256 elements of 2 slices, chunks of 32 vectors; 3 groups of 16, 24 and 0
      // vectors (condition numbers up to 2e6), then one group of 68.
      {"Prb7Rx16Layers2Type2Groups3", 7, 16, 2, type2, 1, 1, 3, 5, 25.0F, 0.5F, false},
      {"Prb7Rx16Layers2Group0", 7, 16, 2, type1, 1, 1, 0, 5, 25.0F, 0.5F},
  };
}

/// ||a - b|| / ||b|| of \p count interleaved-float or complex values.
template <typename T> double relative_norm(const T* a, const T* b, std::size_t count) {
  const Errors e = relative_errors<T>(std::span(a, count), std::span(b, count));
  return e.norm;
}

/// ||W||_F^2 ||R||_F for the whitening matrix \p w of the covariance \p r (\p elements values
/// each): an upper bound of R's condition number ||R||_2 ||R^-1||_2 (R^-1 = W^H W).
double condition_bound(const cmat::Complex* w, const cf32* r, std::size_t elements) {
  double w_norm = 0.0;
  double r_norm = 0.0;
  for (std::size_t i = 0; i < elements; ++i) {
    w_norm += static_cast<double>(w[i].re) * w[i].re + static_cast<double>(w[i].im) * w[i].im;
    r_norm += std::norm(std::complex<double>(r[i]));
  }
  return w_norm * std::sqrt(r_norm);
}

TEST(IrcCovarianceEmulation, KernelThreadsReproduceTheCpuFrontEnd) {
  const PamLlrTables tables = make_pam_llr_tables();
  for (const IrcCase& c : irc_cases()) {
    SCOPED_TRACE(c.name);
    const IrcPdu pdu(c);
    const CellConfig& cell = pdu.scenario.cell;
    const PduGeometry& g = pdu.g;
    ASSERT_TRUE(g.estimate_covariance);
    const Emulated e = emulate(g, pdu.device_grid(), pdu.dmrs.data(), pdu.device_banks(),
                               despread_noise_blocks(g));
    const EmulatedIrc irc_out = emulate_irc_covariance(g, e.pilots.data(), e.state);

    PuschFrontEnd cpu({c.rx, 4, c.prbs});
    std::vector<float> cpu_llrs(pusch_coded_bits(cell, pdu.pusch));
    cpu.process(pdu.grid, cell, pdu.pusch, pdu.slot, pdu.options, cpu_llrs);
    const ChannelEstimate& estimate = cpu.channel_estimate();
    ASSERT_EQ(estimate.num_covariance_groups(), g.num_covariance_groups);

    const unsigned rx = c.rx;
    const std::size_t elements = std::size_t{rx} * rx;
    std::vector<cmat::Complex> factor(irc_factor_scratch_size);
    for (unsigned group = 0; group < g.num_covariance_groups; ++group) {
      SCOPED_TRACE("group " + std::to_string(group));
      // The sampling: every residual vector of the group once, against double sums in the CPU's
      // order. The kernel's float chains are at most samples / slices + slices terms long (under
      // 50 here) and the terms' magnitudes |d_a d_b| add up to at most sqrt(R_aa R_bb)
      // (Cauchy-Schwarz), so the rounding is below 50 x 2^-24 (3e-6) of sqrt(R_aa R_bb).
      const std::vector<std::complex<double>> want = sequential_sums(g, e.pilots.data(), group);
      const float* got = irc_out.sums.data() + 2 * elements * group;
      for (unsigned a = 0; a < rx; ++a) {
        for (unsigned b = a; b < rx; ++b) {
          const std::size_t i = a * rx + b;
          const double scale = std::sqrt(want[a * rx + a].real() * want[b * rx + b].real());
          EXPECT_NEAR(got[2 * i], want[i].real(), 1e-5 * scale) << "sum (" << a << ", " << b << ")";
          EXPECT_NEAR(got[2 * i + 1], want[i].imag(), 1e-5 * scale)
              << "sum (" << a << ", " << b << ")";
        }
      }
      // The regularised covariance against the CPU front end's: relative 1e-4, the fp32 rule
      // (the emulated estimation's pilots and the CPU's differ in float bits, and the sums are
      // added in another order; about 3e-7 here).
      const auto cpu_covariance = estimate.covariance(group);
      const auto* got_covariance =
          reinterpret_cast<const cf32*>(irc_out.covariances.data() + 2 * elements * group);
      const double covariance_error =
          relative_norm<cf32>(got_covariance, cpu_covariance.data(), elements);
      EXPECT_LT(covariance_error, 1e-4) << "covariance";
      // Its whitening matrix against the CPU's (the CPU's covariance through the same
      // phy::whitening_from_covariance as MimoEqualizer's): relative 1e-4, or where the
      // covariance is ill-conditioned kappa(R) times its relative difference above (and at least
      // 2^-24): to first order W = L^-1 moves by up to kappa(R) times the relative change of R,
      // and kappa_2(R) <= ||W||_F^2 ||R||_F. (Measured: 0.03 to 0.07 of that bound where it
      // exceeds 1e-4, e.g. 7.8e-3 at kappa 2.2e6 for 16 antennas of 16 residual vectors.)
      const cmat::Complex* got_whitening = irc_out.whitening.data() + elements * group;
      std::vector<cmat::Complex> cpu_whitening(elements);
      ASSERT_TRUE(whitening_from_covariance(reinterpret_cast<const float*>(cpu_covariance.data()),
                                            rx, cpu_whitening.data(), rx, factor.data()));
      const double whitening_error =
          relative_norm<cf32>(reinterpret_cast<const cf32*>(got_whitening),
                              reinterpret_cast<const cf32*>(cpu_whitening.data()), elements);
      const double kappa = condition_bound(cpu_whitening.data(), cpu_covariance.data(), elements);
      EXPECT_LT(whitening_error, std::max(1e-4, kappa * std::max(covariance_error, 0x1p-24)))
          << "whitening (kappa(R) <= " << kappa << ")";
    }

    // equalize_demap_re()'s IRC branch over every data RE with the emulated matrices, against the
    // CPU front end: LLR signs in 99.99% of bits, and where the covariances are well conditioned
    // the equalized symbols and noise variances within front_end_emulation_test's tolerances for
    // MMSE (otherwise the whitening differences above, up to 1e-2, reach the symbols).
    const DataGeometry d = make_data_geometry(cell, pdu.pusch, pdu.options, &tables);
    ASSERT_TRUE(d.irc);
    const std::size_t num_res = d.layout.num_res();
    const std::size_t g_bits = cpu_llrs.size();
    ASSERT_EQ(num_res * c.layers * d.qm, g_bits);
    std::vector<float2> symbols(num_res * c.layers);
    std::vector<float> noise(num_res * c.layers);
    std::vector<float> llrs(g_bits);
    EqualizeDemapPdu p;
    p.g = g;
    p.d = d;
    p.grid = pdu.device_grid();
    p.h = e.h.data();
    p.state = &e.state;
    p.whitening = irc_out.whitening.data();
    p.symbols = symbols.data();
    p.noise_variances = noise.data();
    p.llrs = llrs.data();
    const PamLlrTable& table = d.qm == 1 ? tables.tables[0] : *d.table;
    for (unsigned re = 0; re < num_res; ++re) {
      equalize_re(p, table, re);
    }
    const std::vector<cf32> got(reinterpret_cast<const cf32*>(symbols.data()),
                                reinterpret_cast<const cf32*>(symbols.data()) + symbols.size());
    const Errors x = relative_errors<cf32>(got, cpu.equalized_symbols());
    const Errors n = relative_errors<float>(noise, cpu.equalized_noise_variances());
    if (c.well_conditioned) {
      EXPECT_LT(x.norm, 1e-4) << "equalized symbols";
      EXPECT_LT(x.max, 1e-3) << "equalized symbols";
      EXPECT_LT(n.norm, 1e-4) << "post-equalization noise";
    }
    std::size_t agree = 0;
    for (std::size_t i = 0; i < g_bits; ++i) {
      agree += (llrs[i] >= 0.0F) == (cpu_llrs[i] >= 0.0F) ? 1 : 0;
    }
    EXPECT_GE(static_cast<double>(agree) / static_cast<double>(g_bits), 0.9999) << "LLR signs";
  }
}

TEST(IrcCovarianceEmulation, ChunksAndSlicesTakeEveryResidualOnce) {
  // With every staged residual 1, each thread's sum counts its terms, and each element's total
  // of the slices is the number of vectors: no vector left out or counted twice, for every
  // antenna count and a vector count around the chunk boundaries.
  for (unsigned rx = 1; rx <= irc::max_rx; ++rx) {
    const unsigned chunk = irc::block_size / rx;
    for (unsigned samples : {1U, chunk - 1, chunk, chunk + 1, 3 * chunk + 7}) {
      irc::GroupSampling s;
      s.samples = samples;
      s.chunk = chunk;
      s.elements = rx * rx;
      s.slices = irc::block_size / s.elements;
      const std::vector<cmat::Complex> ones(irc::block_size, cmat::Complex{1.0F, 0.0F});
      std::vector<cmat::Complex> sum(irc::block_size, cmat::Complex{0.0F, 0.0F});
      for (unsigned first = 0; first < samples; first += chunk) {
        for (unsigned t = 0; t < irc::block_size; ++t) {
          const irc::ThreadElement e = irc::thread_element(s, rx, t);
          if (e.accumulates) {
            irc::add_chunk_terms(s, rx, e, ones.data(), first, sum[t]);
          }
        }
      }
      std::vector<float> sums(std::size_t{2} * s.elements, quiet_nan);
      for (unsigned t = 0; t < s.elements; ++t) {
        const irc::ThreadElement e = irc::thread_element(s, rx, t);
        if (e.b >= e.a) {
          irc::sum_slices(sum.data(), s.elements, s.slices, e.element, sums.data());
        }
      }
      for (unsigned a = 0; a < rx; ++a) {
        for (unsigned b = a; b < rx; ++b) {
          EXPECT_EQ(sums[std::size_t{2} * (a * rx + b)], static_cast<float>(samples))
              << rx << " Rx, " << samples << " vectors, (" << a << ", " << b << ")";
        }
      }
    }
  }
}

TEST(IrcCovarianceEmulation, SlicesAreAddedInSliceOrder) {
  // 2^24: adding 1 to it rounds back to it. Slice 0 + slice 1 cancel before slice 2's 1 joins;
  // in any order that adds the 1 to a big value first it would be lost.
  constexpr float big = 16777216.0F;
  const unsigned elements = 4;
  const unsigned slices = irc::block_size / elements;
  std::vector<cmat::Complex> partial(irc::block_size, cmat::Complex{0.0F, 0.0F});
  partial[0 * elements + 1] = {big, -big};
  partial[1 * elements + 1] = {-big, big};
  partial[2 * elements + 1] = {1.0F, 1.0F};
  partial[(slices - 1) * elements + 1] = {0.5F, 0.0F}; // the last slice counts too
  std::vector<float> sums(std::size_t{2} * elements, quiet_nan);
  irc::sum_slices(partial.data(), elements, slices, 1, sums.data());
  EXPECT_EQ(sums[2], 1.5F);
  EXPECT_EQ(sums[3], 1.0F);
}

TEST(IrcCovarianceEmulation, NonFiniteGroupsGetZeroWhitening) {
  // A NaN residual sum: the regularised covariance is not positive definite, so thread 0 writes
  // a zero whitening matrix (the group's REs then equalize to 0).
  PduGeometry g;
  g.num_rx = 3;
  g.num_layers = 1;
  g.num_occasions = 1;
  g.num_pilots = 12;
  g.comb_period = 2;
  g.covariance_group_subcarriers = 24;
  g.num_covariance_groups = 1;
  g.beta = 1.0F;
  g.symbols_per_occasion = 1;
  EstimatorState state;
  state.noise_variance = 0.01F;
  state.channel_power = 1.0F;
  const DifferenceFilter filter = difference_filter(g.num_pilots);
  const irc::GroupSampling s = irc::group_sampling(g, filter, 0);
  ASSERT_GT(s.samples, g.num_rx);
  std::vector<cmat::Complex> factor(irc_factor_scratch_size);
  std::vector<float> covariances(std::size_t{2} * 9, quiet_nan);
  std::vector<cmat::Complex> whitening(9, cmat::Complex{quiet_nan, quiet_nan});
  std::vector<float> sums(std::size_t{2} * 9, 0.0F);
  for (unsigned a = 0; a < 3; ++a) {
    sums[std::size_t{2} * (a * 3 + a)] = 1.0F;
  }
  irc::finish_group(g, filter, s, &state, 0, sums.data(), covariances.data(), whitening.data(),
                    factor.data());
  EXPECT_NE(whitening[0].re, 0.0F); // a finite group: a whitening matrix
  EXPECT_TRUE(std::isfinite(whitening[0].re));
  std::fill(sums.begin(), sums.end(), 0.0F);
  sums[std::size_t{2} * 4] = quiet_nan;
  irc::finish_group(g, filter, s, &state, 0, sums.data(), covariances.data(), whitening.data(),
                    factor.data());
  for (const cmat::Complex& w : whitening) {
    EXPECT_EQ(w.re, 0.0F);
    EXPECT_EQ(w.im, 0.0F);
  }
}

} // namespace
#else
TEST(IrcCovarianceEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
