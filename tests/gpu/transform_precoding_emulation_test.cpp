// Transform precoding (DFT-s-OFDM) on the GPU front end run on the host: the low-PAPR DMRS
// generation kernel's threads (bit for bit phy::generate_pusch_dmrs, checked by EmulatedPdu for
// table lengths, length 30 and Zadoff-Chu lengths, with group and sequence hopping and a
// double-symbol DMRS), the estimation kernels, the equalizer's threads in equalize-only mode and
// the deprecoding kernels (front_end_emulation_deprecoding.h: the weighting threads, an inverse
// DFT for cuFFT's, the scaling and demapping threads) against phy::PuschFrontEnd, which
// deprecodes with phy::TransformPrecoder: the deprecoded symbols, their noise and the LLR signs
// within the GPU front end's tolerances, the quality kernels' figures as the CPU's, descrambling
// in the demapper bit for bit as a descrambling pass, and a symbol without a resolved RE as the
// CPU leaves it (zeros of infinite variance; an unresolved NaN value does not spread). CUDA builds
// only (CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/transform_precoder.h"

#include "../support/relative_errors.h"
#include "front_end_emulation_deprecoding.h"
#include "front_end_emulation_equalizer.h"
#include "front_end_emulation_scrambling.h"
#include "front_end_emulation_support.h"
#include "gpu_pusch_front_end_impl.h"
#include "irc_emulation_support.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace {

using namespace emulation_test;

/// A one-layer transform-precoded case of \p prbs PRBs on \p rx antennas at MCS \p mcs.
EmulationCase dfts_case(std::string name, unsigned prbs, unsigned rx, unsigned mcs, float snr_db) {
  EmulationCase c;
  c.name = std::move(name);
  c.prbs = prbs;
  c.rx = rx;
  c.layers = 1;
  c.mcs = mcs;
  c.snr_db = snr_db;
  c.transform_precoding = true;
  return c;
}

std::vector<EmulationCase> dfts_cases() {
  std::vector<EmulationCase> cases;
  // Table-based DMRS (6, 12 and 24 values), pi/2-BPSK on the 12.
  cases.push_back(dfts_case("Prb1Rx2Qpsk", 1, 2, 4, 15.0F));
  EmulationCase pi2 = dfts_case("Prb2Rx2Pi2Bpsk", 2, 2, 1, 8.0F);
  pi2.pi2bpsk = true;
  cases.push_back(pi2);
  EmulationCase group = dfts_case("Prb4Rx4Qam16GroupHopping", 4, 4, 12, 20.0F);
  group.dmrs_hopping = LowPaprHopping::group;
  group.pusch_identity = 517;
  cases.push_back(group);
  // Length 30, then Zadoff-Chu: 72 values with sequence hopping (v can be 1), a double-symbol
  // DMRS, eight antennas, 256-QAM and MMSE-IRC.
  cases.push_back(dfts_case("Prb5Rx2Qam16", 5, 2, 11, 20.0F));
  EmulationCase sequence = dfts_case("Prb12Rx4Qam64SequenceHopping", 12, 4, 20, 25.0F);
  sequence.dmrs_hopping = LowPaprHopping::sequence;
  sequence.pusch_identity = 1001;
  cases.push_back(sequence);
  EmulationCase twin = dfts_case("Prb16Rx2DoubleSymbolDmrsLinear", 16, 2, 8, 18.0F);
  twin.length = 2;
  twin.additional_position = 0;
  twin.frequency = FrequencyInterpolation::linear;
  cases.push_back(twin);
  cases.push_back(dfts_case("Prb25Rx8Qam64", 25, 8, 18, 22.0F));
  EmulationCase qam256 = dfts_case("Prb50Rx4Qam256", 50, 4, 24, 33.0F);
  qam256.qam256 = true;
  cases.push_back(qam256);
  EmulationCase irc = dfts_case("Prb24Rx4Qam16Irc", 24, 4, 12, 20.0F);
  irc.equalizer = EqualizerAlgorithm::mmse_irc;
  cases.push_back(irc);
  return cases;
}

TEST(TransformPrecodingEmulation, KernelsReproduceTheCpuFrontEnd) {
  const PamLlrTables tables = make_pam_llr_tables();
  const GoldJumpTable gold = make_gold_jump_table();
  EmulatedWarp warp;
  for (const EmulationCase& c : dfts_cases()) {
    SCOPED_TRACE(c.name);
    const EmulatedPdu pdu(c); // its DMRS checked bit for bit against phy's
    const CellConfig& cell = pdu.scenario.cell;
    ASSERT_TRUE(pdu.generation.low_papr);
    const Emulated e = emulate(pdu.g, pdu.device_grid(), pdu.dmrs.data(), pdu.device_banks(),
                               despread_noise_blocks(pdu.g));
    const DataGeometry d = make_data_geometry(cell, pdu.pusch, pdu.options, &tables);
    ASSERT_TRUE(d.transform_precoding);
    const TransformDeprecodingPdu t = make_transform_deprecoding_pdu(pdu.pusch, d);
    ASSERT_EQ(t.m, 12 * c.prbs);
    ASSERT_EQ(t.rows * t.m, d.layout.num_res());
    const std::size_t g_bits = pusch_coded_bits(cell, pdu.pusch);
    ASSERT_EQ(std::size_t{d.layout.num_res()} * d.qm, g_bits);
    EqualizeDemapPdu p = equalizer_arguments(pdu, d, e);
    std::vector<cmat::Complex> whitening;
    if (pdu.g.estimate_covariance) {
      whitening =
          irc_emulation_test::emulate_irc_covariance(pdu.g, e.pilots.data(), e.state).whitening;
      p.whitening = whitening.data();
    }
    EqualizedPdu out;
    run_equalizer(p, tables, out);
    // Equalize-only: the equalizer leaves the LLRs to the deprecoding.
    for (const float llr : out.llrs) {
      ASSERT_EQ(llr, 0.0F) << "the equalizer demapped a transform-precoded PDU";
    }
    const EqualizedPdu equalized = out;
    run_deprecoding(t, tables, out);

    PuschFrontEnd cpu({c.rx, 4, c.prbs});
    std::vector<float> cpu_llrs(g_bits);
    cpu.process(pdu.grid(), cell, pdu.pusch, pdu.slot, pdu.options, cpu_llrs);
    expect_equalized_as_cpu(out, cpu, cpu_llrs);

    // The quality kernels on the deprecoded symbols, reported as GpuPuschFrontEnd reports them.
    const EmulatedQuality quality =
        emulate_quality(out.symbols.data(), out.noise.data(), out.symbols.size(), d.qm);
    const PuschMeasurements reported = airan::gpu::pusch_measurements_of(e.state, quality.total);
    const PuschMeasurements reference = cpu.measurements(pdu.pusch);
    EXPECT_NEAR(reported.post_eq_sinr_db, reference.post_eq_sinr_db, 1e-3)
        << "post-equalization SINR";
    EXPECT_NEAR(reported.evm, reference.evm, 1e-4 * reference.evm + 1e-6) << "EVM";
    EXPECT_NEAR(reported.noise_variance, reference.noise_variance, 1e-4 * reference.noise_variance);

    // Descrambling in the deprecoding's demapper from the codeword's Gold words (emulated
    // scrambling words kernel): the descrambling pass's LLRs bit for bit.
    const std::uint32_t c_init =
        pusch_scrambling_init(pdu.pusch.rnti, pdu.pusch.data_scrambling_id);
    std::vector<std::uint32_t> words(g_bits / 32 + 2, 0xdeadbeefU);
    emulate_scrambling_words(warp, gold, c_init, g_bits, words.data());
    EqualizedPdu descrambled = equalized;
    run_deprecoding(t, tables, descrambled, words.data());
    std::vector<float> llrs = out.llrs;
    descramble_llrs(llrs, c_init);
    EXPECT_EQ(std::memcmp(descrambled.llrs.data(), llrs.data(), g_bits * sizeof(float)), 0);
  }
}

TEST(TransformPrecodingEmulation, ASymbolWithoutResolvedResIsZerosOfInfiniteVariance) {
  // Two symbols of 2 PRBs: the first's variances finite (one RE unresolved), the second's all
  // infinite; against phy::TransformPrecoder::deprecode_equalized().
  constexpr unsigned prbs = 2;
  constexpr std::size_t m = std::size_t{12} * prbs;
  const PamLlrTables tables = make_pam_llr_tables();
  EqualizedPdu out;
  out.symbols.resize(2 * m);
  out.noise.resize(2 * m);
  out.llrs.assign(out.symbols.size() * 4, 0.0F);
  std::vector<cf32> values(2 * m);
  for (std::size_t i = 0; i < 2 * m; ++i) {
    values[i] =
        cf32(std::cos(0.7F * static_cast<float>(i)), std::sin(1.3F * static_cast<float>(i)));
    out.symbols[i] = float2{values[i].real(), values[i].imag()};
    out.noise[i] =
        i < m ? 0.05F + 0.01F * static_cast<float>(i) : std::numeric_limits<float>::infinity();
  }
  // RE 3 unresolved with a NaN value (a corrupt sample): it enters the IDFT as 0, not as NaN.
  out.noise[3] = std::numeric_limits<float>::quiet_NaN();
  values[3] = cf32(std::numeric_limits<float>::quiet_NaN(), 0.0F);
  out.symbols[3] = float2{values[3].real(), 0.0F};
  std::vector<float> variances = out.noise;
  TransformDeprecodingPdu t;
  t.m = static_cast<unsigned>(m);
  t.rows = 2;
  t.qm = 4;
  t.table = &tables.tables[PamLlrTables::index_of(4)];
  run_deprecoding(t, tables, out);
  TransformPrecoder cpu(prbs, TransformPrecodingDirection::deprecode);
  cpu.deprecode_equalized(values, variances, prbs);
  const auto* got = reinterpret_cast<const cf32*>(out.symbols.data());
  const auto x = airan::test::relative_errors<cf32>(
      std::vector<cf32>(got, got + m), std::vector<cf32>(values.begin(), values.begin() + m));
  EXPECT_LT(x.max, 1e-5);
  for (std::size_t i = 0; i < m; ++i) {
    EXPECT_TRUE(std::isfinite(out.symbols[i].x) && std::isfinite(out.symbols[i].y)) << i;
    EXPECT_TRUE(std::isfinite(values[i].real()) && std::isfinite(values[i].imag())) << i;
  }
  for (std::size_t i = 0; i < m; ++i) { // the same terms, added in another order
    EXPECT_NEAR(out.noise[i], variances[i], 1e-6 * variances[i]) << i;
  }
  for (std::size_t i = m; i < 2 * m; ++i) {
    EXPECT_EQ(out.symbols[i].x, 0.0F);
    EXPECT_EQ(out.symbols[i].y, 0.0F);
    EXPECT_TRUE(std::isinf(out.noise[i]) && std::isinf(variances[i]));
  }
}

} // namespace
#else
TEST(TransformPrecodingEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
