// The GPU front end's kernels from the DMRS estimation to the LLRs run on the host: the
// estimation kernels in their block and tile order (front_end_emulation_support.h), then
// equalize_demap_re() (what each thread of equalize_demap_kernels.cu does) over every data RE of
// simulated PDUs (1, 2 and 4 layers, up to 4 antennas and 8 through the kernel's many-antenna path,
// ZF and MMSE, QPSK to 256-QAM), against phy::PuschFrontEnd: equalized symbols and noise within
// the GPU front end's tolerances, LLR signs in at least 99.99% of bits, and descrambling in the
// demapper (from the emulated scrambling words kernel's words) bit for bit as a descrambling
// pass. So the equalizer kernel's indexing (data REs, H rows, codeword order) is checked in CI
// without a GPU (CUDA builds: CUDA vector types). The quality kernels (quality_elements.h) then
// run in their block and thread order on the emulated symbols and noise, their totals reported
// as GpuPuschFrontEnd reports them (pusch_measurements_of()): post-equalization SINR, EVM and the
// CFO as the CPU front end's measurements, within the GPU front end's tolerances.
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_scrambler.h"

#include "../support/relative_errors.h"
#include "front_end_emulation_equalizer.h"
#include "front_end_emulation_scrambling.h"
#include "front_end_emulation_support.h"
#include "gpu_pusch_front_end_impl.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace {

using namespace emulation_test;

std::vector<EmulationCase> front_end_cases() {
  using F = FrequencyInterpolation;
  using T = TimeInterpolation;
  using D = apps::ChannelDomain;
  using E = EqualizerAlgorithm;
  constexpr auto type1 = DmrsConfigType::type1;
  return {
      {"Prb51Rx4Layers2Qam64Mmse", 51, 4, 2, type1, 1, 1, "TDL-A30", D::time, 25.0F, F::mmse,
       T::linear, true, 20},
      {"Prb24Rx2Layer1Qpsk16LinearZf", 24, 2, 1, type1, 1, 2, "TDL-A30", D::time, 15.0F, F::linear,
       T::linear, false, 5, false, E::zf},
      // Four layers on four antennas: the zero-padded kernels' (MaxRx 4) layers past the second.
      {"Prb24Rx4Layers4Qam16AwgnMmse", 24, 4, 4, type1, 1, 1, "awgn", D::frequency, 30.0F, F::mmse,
       T::linear, true, 12},
      {"Prb24Rx4Layers4Qam256Zf", 24, 4, 4, type1, 1, 1, "awgn", D::frequency, 35.0F, F::mmse,
       T::linear, true, 27, true, E::zf},
      {"Prb24Rx8Layers4Qam16AwgnMmse", 24, 8, 4, type1, 1, 1, "awgn", D::frequency, 20.0F, F::mmse,
       T::linear, true, 12},
      {"Prb51Rx8Layer1Qam64AverageMmse", 51, 8, 1, type1, 1, 1, "awgn", D::frequency, 25.0F,
       F::mmse, T::average, true, 16},
      {"Prb106Rx4Layers2Qam256Mcs27", 106, 4, 2, type1, 1, 1, "TDL-A30", D::time, 35.0F, F::mmse,
       T::linear, true, 27, true},
      {"Prb51Rx4Layers2Pos2Qam16Cfo400Mmse", 51, 4, 2, type1, 1, 2, "TDL-A30", D::time, 25.0F,
       F::mmse, T::linear, true, 12, false, E::mmse, 400.0},
  };
}

using airan::test::relative_errors;
using Errors = airan::test::RelativeErrors;

/// The quality sums of \p symbols and \p noise (Q_m \p qm) added RE after RE in double: the
/// finite noise variances and their count, and per value (real part, then imaginary) the float
/// error and reference powers of its nearest level on the QAM axis (pi/2-BPSK on QPSK's). No
/// threads, blocks or trees.
QualitySums sequential_quality(const std::vector<float2>& symbols, const std::vector<float>& noise,
                               unsigned qm) {
  const unsigned decision_qm = qm >= 2 ? qm : 2;
  const int levels = 1 << (decision_qm / 2);
  const float scale = qam_scale(decision_qm);
  QualitySums sums;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (std::isfinite(noise[i])) {
      sums.noise_sum += noise[i];
      sums.noise_count += 1.0;
    }
    for (const float value : {symbols[i].x, symbols[i].y}) {
      const float point =
          qam_axis_decision(value, levels, scale, 0.5F / scale, 0.5F * static_cast<float>(levels));
      sums.error_power += (value - point) * (value - point);
      sums.reference_power += point * point;
    }
  }
  return sums;
}

/// Expects \p got to be \p want with the same noise count, the other sums to within a relative
/// 1e-6: the device's per-thread float sums of a few REs each (under 16 here, each addition
/// rounding by at most 2^-24 of the sum) added in double, against double sums.
void expect_quality_sums_near(const QualitySums& got, const QualitySums& want) {
  EXPECT_EQ(got.noise_count, want.noise_count);
  EXPECT_NEAR(got.noise_sum, want.noise_sum, 1e-6 * want.noise_sum);
  EXPECT_NEAR(got.error_power, want.error_power, 1e-6 * want.error_power);
  EXPECT_NEAR(got.reference_power, want.reference_power, 1e-6 * want.reference_power);
}

TEST(FrontEndEmulation, EqualizerThreadsReproduceTheCpuFrontEnd) {
  const PamLlrTables tables = make_pam_llr_tables();
  const GoldJumpTable gold = make_gold_jump_table();
  EmulatedWarp warp;
  for (const EmulationCase& c : front_end_cases()) {
    SCOPED_TRACE(c.name);
    const EmulatedPdu pdu(c);
    const CellConfig& cell = pdu.scenario.cell;
    const Emulated e = emulate(pdu.g, pdu.device_grid(), pdu.dmrs.data(), pdu.device_banks(),
                               despread_noise_blocks(pdu.g));
    const DataGeometry d = make_data_geometry(cell, pdu.pusch, pdu.options, &tables);
    const std::size_t num_res = d.layout.num_res();
    const std::size_t g_bits = pusch_coded_bits(cell, pdu.pusch);
    ASSERT_EQ(num_res * c.layers * d.qm, g_bits);
    EqualizeDemapPdu p = equalizer_arguments(pdu, d, e);
    EqualizedPdu out;
    run_equalizer(p, tables, out);
    const std::vector<float2>& symbols = out.symbols;
    const std::vector<float>& noise = out.noise;
    std::vector<float>& llrs = out.llrs;

    PuschFrontEnd cpu({c.rx, 4, c.prbs});
    std::vector<float> cpu_llrs(g_bits);
    cpu.process(pdu.grid(), cell, pdu.pusch, pdu.slot, pdu.options, cpu_llrs);
    expect_equalized_as_cpu(out, cpu, cpu_llrs);

    // The quality kernels on the emulated symbols and noise, reported as GpuPuschFrontEnd reports
    // them, against the CPU front end's measurements within gpu_pusch_front_end_test's
    // tolerances (the symbols differ from the CPU's in their last float bits).
    const EmulatedQuality quality =
        emulate_quality(symbols.data(), noise.data(), symbols.size(), d.qm);
    const PuschMeasurements reported = airan::gpu::pusch_measurements_of(e.state, quality.total);
    const PuschMeasurements reference = cpu.measurements(pdu.pusch);
    EXPECT_NEAR(reported.post_eq_sinr_db, reference.post_eq_sinr_db, 1e-3)
        << "post-equalization SINR";
    EXPECT_NEAR(reported.evm, reference.evm, 1e-4 * reference.evm + 1e-6) << "EVM";
    EXPECT_NEAR(reported.noise_variance, reference.noise_variance, 1e-4 * reference.noise_variance);
    ASSERT_EQ(reported.cfo_hz.has_value(), reference.cfo_hz.has_value())
        << "CFO needs two DMRS occasions";
    if (reference.cfo_hz) {
      EXPECT_NEAR(*reported.cfo_hz, *reference.cfo_hz, 1e-3 * std::abs(*reference.cfo_hz) + 0.1)
          << "CFO (Hz)";
      if (c.cfo_hz != 0.0) {
        EXPECT_NEAR(*reported.cfo_hz, c.cfo_hz, 0.05 * std::abs(c.cfo_hz)) << "CFO (Hz)";
      }
    }
    // The sums themselves against RE-after-RE double sums; then with some variances not finite
    // (left out of the sum and the count, as the CPU leaves them out).
    expect_quality_sums_near(quality.total, sequential_quality(symbols, noise, d.qm));
    std::vector<float> unresolved = noise;
    unresolved.front() = std::numeric_limits<float>::infinity();
    unresolved[unresolved.size() / 2] = std::numeric_limits<float>::quiet_NaN();
    unresolved.back() = -std::numeric_limits<float>::infinity();
    const QualitySums filtered =
        emulate_quality(symbols.data(), unresolved.data(), symbols.size(), d.qm).total;
    EXPECT_EQ(filtered.noise_count, static_cast<double>(symbols.size() - 3));
    expect_quality_sums_near(filtered, sequential_quality(symbols, unresolved, d.qm));

    // Descrambling in the demapper, from the codeword's Gold words as the scrambling words
    // kernel writes them (emulated, front_end_emulation_scrambling.h) into a buffer of the
    // device's size: the descrambling pass's LLRs bit for bit.
    const std::uint32_t c_init =
        pusch_scrambling_init(pdu.pusch.rnti, pdu.pusch.data_scrambling_id);
    std::vector<std::uint32_t> words(g_bits / 32 + 2, 0xdeadbeefU);
    emulate_scrambling_words(warp, gold, c_init, g_bits, words.data());
    p.scrambling = words.data();
    EqualizedPdu fused;
    run_equalizer(p, tables, fused);
    descramble_llrs(llrs, c_init);
    EXPECT_EQ(std::memcmp(fused.llrs.data(), llrs.data(), g_bits * sizeof(float)), 0);
  }
}

TEST(FrontEndEmulation, QualitySumsFollowTheKernelsOrder) {
  // A block's tree: thread 128 into thread 0 first, the big values cancel before thread 64's 1
  // joins (in thread order it would be lost against 2^53).
  std::vector<QualityTerms> terms(quality_threads);
  terms[0].noise_sum = static_cast<float>(two_to_the_53);
  terms[64].noise_sum = 1.0F;
  terms[128].noise_sum = static_cast<float>(-two_to_the_53);
  for (unsigned t = 0; t < quality_threads; ++t) {
    terms[t].error_power = static_cast<float>(t + 1);
  }
  const QualitySums block = quality_block_sums(terms.data());
  EXPECT_EQ(block.noise_sum, 1.0);
  EXPECT_EQ(block.error_power, quality_threads * (quality_threads + 1.0) / 2.0); // each once
  // The total: lane 0 adds block 32 right after block 0, block 1 joins in the shuffle tree.
  std::vector<QualitySums> partials(quality_blocks);
  for (unsigned b = 0; b < quality_blocks; ++b) {
    partials[b].error_power = b + 1.0;
  }
  partials[0].noise_sum = two_to_the_53;
  partials[1].noise_sum = 1.0;
  partials[32].noise_sum = -two_to_the_53;
  const QualitySums total = quality_total_from_partials(partials.data());
  EXPECT_EQ(total.noise_sum, 1.0);
  EXPECT_EQ(total.error_power, quality_blocks * (quality_blocks + 1.0) / 2.0); // each once
  // The threads' REs: thread t of block b from b 256 + t, a grid (64 x 256) further each time;
  // every RE once.
  const std::size_t count = 3 * std::size_t{quality_blocks} * quality_threads + 5;
  const std::vector<float2> symbols(count, float2{0.5F, -0.5F});
  const std::vector<float> noise(count, 1.0F);
  const AxisGrid axis = axis_grid(2);
  EXPECT_EQ(quality_thread_terms(symbols.data(), noise.data(), count, axis, 0, quality_blocks, 4,
                                 quality_threads)
                .noise_count,
            4.0F);
  EXPECT_EQ(quality_thread_terms(symbols.data(), noise.data(), count, axis, 0, quality_blocks, 5,
                                 quality_threads)
                .noise_count,
            3.0F);
  const EmulatedQuality all = emulate_quality(symbols.data(), noise.data(), count, 2);
  EXPECT_EQ(all.total.noise_count, static_cast<double>(count));
  EXPECT_NEAR(all.total.reference_power, static_cast<double>(count), 1e-6 * count); // 2 x 1/2
}

} // namespace
#else
TEST(FrontEndEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
