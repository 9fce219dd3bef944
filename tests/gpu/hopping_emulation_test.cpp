// Intra-slot frequency hopping on the GPU front end run on the host: each hop's estimation
// kernels (front_end_emulation_support.h) on the geometry make_hop_geometries() gives it, with
// its own DMRS (emulated generation, checked against phy's for the hop) and state; the hops'
// estimates go to disjoint symbol rows of one H (checked: neither hop writes the other's rows);
// then the equalizer's threads read each symbol at its hop's subcarriers with its hop's noise,
// against phy::PuschFrontEnd, which estimates each hop as a PUSCH of its own and merges them:
// channel estimate, merged measurements, equalized symbols, their noise and the LLR signs within
// the GPU front end's tolerances; with MMSE-IRC each hop's whitening from its own covariance
// kernel; with DFT-s-OFDM each hop's low-PAPR DMRS and the deprecoding after the equalizer.
// CUDA builds only (the kernels' structs hold CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/pusch_frequency_hopping.h"

#include "../support/relative_errors.h"
#include "front_end_emulation_deprecoding.h"
#include "front_end_emulation_equalizer.h"
#include "front_end_emulation_support.h"
#include "front_end_hops.h"
#include "gpu_pusch_front_end_impl.h"
#include "irc_emulation_support.h"

#include <cmath>
#include <vector>

namespace {

using namespace emulation_test;

EmulationCase hopping(EmulationCase c) {
  c.hopping = true;
  return c;
}

EmulationCase transform_precoded(EmulationCase c) {
  c.transform_precoding = true;
  c.dmrs_hopping = LowPaprHopping::group;
  return c;
}

std::vector<EmulationCase> hopping_cases() {
  using F = FrequencyInterpolation;
  using T = TimeInterpolation;
  using D = apps::ChannelDomain;
  using E = EqualizerAlgorithm;
  constexpr auto type1 = DmrsConfigType::type1;
  constexpr auto type2 = DmrsConfigType::type2;
  return {
      // Two DMRS symbols per hop (dmrs-AdditionalPosition pos1), MMSE.
      hopping({"Prb24Rx2Layer1Pos1Mmse", 24, 2, 1, type1, 1, 1, "TDL-A30", D::time, 22.0F, F::mmse,
               T::linear, true, 16}),
      // One DMRS symbol per hop, two layers, linear frequency interpolation, ZF.
      hopping({"Prb12Rx4Layers2Pos0LinearZf", 12, 4, 2, type1, 1, 0, "TDL-A30", D::time, 25.0F,
               F::linear, T::linear, false, 10, false, E::zf}),
      // Type 2 DMRS, Wiener time weights per hop.
      hopping({"Prb16Rx2Layer1Type2Wiener", 16, 2, 1, type2, 1, 1, "TDL-C300", D::time, 20.0F,
               F::mmse, T::wiener, true, 12, false, E::mmse, 0.0, 200.0}),
      // Eight antennas (the equalizer's many-antenna path), two layers, 256-QAM.
      hopping({"Prb8Rx8Layers2Qam256", 8, 8, 2, type1, 1, 1, "TDL-A30", D::time, 32.0F, F::mmse,
               T::linear, true, 20, true}),
      // MMSE-IRC: each hop's covariance and whitening (the covariance kernel emulated per hop).
      hopping({"Prb12Rx4Layers2Irc", 12, 4, 2, type1, 1, 1, "TDL-A30", D::time, 22.0F, F::mmse,
               T::linear, true, 12, false, E::mmse_irc}),
      // Time averaging over each hop's occasions.
      hopping({"Prb12Rx2Layer1Average", 12, 2, 1, type1, 1, 1, "TDL-A30", D::time, 20.0F, F::mmse,
               T::average, true, 10}),
      // DFT-s-OFDM: each hop's low-PAPR DMRS, then the deprecoding of every symbol.
      transform_precoded(hopping({"Prb12Rx4DftsOfdmQam16", 12, 4, 1, type1, 1, 1, "TDL-A30",
                                  D::time, 20.0F, F::mmse, T::linear, true, 12})),
  };
}

using airan::test::relative_errors;
using Errors = airan::test::RelativeErrors;

TEST(HoppingEmulation, EachHopsKernelsReproduceTheCpuFrontEnd) {
  const PamLlrTables tables = make_pam_llr_tables();
  for (const EmulationCase& c : hopping_cases()) {
    SCOPED_TRACE(c.name);
    const EmulatedPdu pdu(c);
    const CellConfig& cell = pdu.scenario.cell;
    const unsigned symbols = pdu.grid().num_symbols();
    const HopGeometries hops =
        make_hop_geometries(cell, c.rx, symbols, pdu.pusch, pdu.slot, pdu.options);
    ASSERT_EQ(hops.count, 2U);
    const std::uint16_t mask = pusch_dmrs_symbols(cell, pdu.pusch).mask;
    const PuschHops phy_hops = pusch_hops(pdu.pusch);
    std::vector<Emulated> emulated;
    std::vector<cmat::Complex> whitening[2];
    for (unsigned h = 0; h < 2; ++h) {
      const HopGeometry& hop = hops.hops[h];
      const PuschConfig hop_pusch = pusch_hop_config(pdu.pusch, phy_hops.hops[h], mask);
      const std::vector<float2> dmrs =
          device_dmrs(cell, hop_pusch, pdu.slot, hop.g, hop.generation);
      const std::vector<cf32> banks = filter_banks(hop.g, pdu.options.estimator);
      emulated.push_back(emulate(hop.g, pdu.device_grid(), dmrs.data(),
                                 reinterpret_cast<const float2*>(banks.data()),
                                 despread_noise_blocks(hop.g), &cell, pdu.slot));
      if (hop.g.estimate_covariance) { // MMSE-IRC: the hop's whitening matrices
        whitening[h] = irc_emulation_test::emulate_irc_covariance(
                           hop.g, emulated.back().pilots.data(), emulated.back().state)
                           .whitening;
      }
    }
    const unsigned second = hops.hops[1].g.start_symbol;
    ASSERT_EQ(second, phy_hops.hops[1].start_symbol);
    // One H: each hop writes the rows of its own symbols only (zeros elsewhere), so the device's
    // hops share the buffer; here the second hop's rows are copied into the first's.
    const unsigned width = hops.hops[0].g.num_subcarriers;
    std::vector<float2> h = emulated[0].h;
    for (std::size_t row = 0; row < h.size() / width; ++row) {
      const unsigned l = row % max_symbols;
      for (unsigned k = 0; k < width; ++k) {
        const float2 mine = emulated[l >= second ? 1 : 0].h[row * width + k];
        const float2 other = emulated[l >= second ? 0 : 1].h[row * width + k];
        ASSERT_TRUE(other.x == 0.0F && other.y == 0.0F) << "symbol " << l << " written twice";
        h[row * width + k] = mine;
      }
    }

    PuschFrontEnd cpu({c.rx, 4, c.prbs});
    const std::size_t g_bits = pusch_coded_bits(cell, pdu.pusch);
    std::vector<float> cpu_llrs(g_bits);
    cpu.process(pdu.grid(), cell, pdu.pusch, pdu.slot, pdu.options, cpu_llrs);
    // The channel estimate of every symbol of the PDU and the merged measurements.
    const ChannelEstimate& reference = cpu.channel_estimate();
    std::vector<cf32> got;
    std::vector<cf32> want;
    for (unsigned rx = 0; rx < c.rx; ++rx) {
      for (unsigned layer = 0; layer < c.layers; ++layer) {
        for (unsigned l = pdu.pusch.start_symbol;
             l < pdu.pusch.start_symbol + pdu.pusch.num_symbols; ++l) {
          const float2* row =
              h.data() + ((std::size_t{rx} * c.layers + layer) * max_symbols + l) * width;
          got.insert(got.end(), reinterpret_cast<const cf32*>(row),
                     reinterpret_cast<const cf32*>(row) + width);
          const auto ref = reference.channel(rx, layer, l);
          want.insert(want.end(), ref.begin(), ref.end());
        }
      }
    }
    const Errors estimate = relative_errors<cf32>(got, want);
    EXPECT_LT(estimate.norm, 1e-4) << "channel estimate";
    // Merged as GpuPuschFrontEnd reports them (measurements_of(), phy::merge_hop_measurements()).
    PduMeasurements measured;
    measured.state = emulated[0].state;
    measured.second_hop = emulated[1].state;
    const DmrsMeasurements merged = airan::gpu::measurements_of(measured, true);
    const DmrsMeasurements& m = reference.measurements;
    EXPECT_NEAR(merged.noise_variance, m.noise_variance, 1e-4 * m.noise_variance);
    EXPECT_NEAR(merged.rsrp, m.rsrp, 1e-4 * m.rsrp);
    EXPECT_NEAR(merged.sinr_db, m.sinr_db, 1e-3);
    EXPECT_NEAR(merged.delay_s, m.delay_s, 1e-4 * std::abs(m.delay_s) + 1e-12);
    EXPECT_NEAR(merged.delay_spread_s, m.delay_spread_s, 1e-3 * m.delay_spread_s + 1e-12);
    ASSERT_EQ(merged.cfo_hz.has_value(), m.cfo_hz.has_value());
    if (m.cfo_hz) {
      EXPECT_NEAR(*merged.cfo_hz, *m.cfo_hz, 1e-3 * std::abs(*m.cfo_hz) + 0.1);
    }
    EXPECT_NEAR(reference.noise_variance_of(second), emulated[1].state.noise_variance,
                1e-4 * emulated[1].state.noise_variance);

    const DataGeometry d = make_data_geometry(cell, pdu.pusch, pdu.options, &tables);
    ASSERT_EQ(d.second_hop_symbol, second);
    ASSERT_EQ(std::size_t{d.layout.num_res()} * c.layers * d.qm, g_bits);
    EqualizeDemapPdu p;
    p.g = hops.hops[0].g;
    p.d = d;
    p.grid = pdu.device_grid();
    p.h = h.data();
    p.state = &emulated[0].state;
    p.second_state = &emulated[1].state;
    p.whitening = whitening[0].data();
    p.second_whitening = whitening[1].data();
    const TransformDeprecodingPdu t = make_transform_deprecoding_pdu(pdu.pusch, d);
    EqualizedPdu out;
    run_equalizer(p, tables, out);
    if (t.m > 0) {
      run_deprecoding(t, tables, out);
    }
    expect_equalized_as_cpu(out, cpu, cpu_llrs);

    // Read at the first hop's subcarriers throughout, the second hop's REs are another channel's:
    // the test sees where the equalizer reads.
    p.d.second_hop_first_subcarrier = p.g.first_subcarrier;
    EqualizedPdu misread;
    run_equalizer(p, tables, misread);
    if (t.m > 0) {
      run_deprecoding(t, tables, misread);
    }
    EXPECT_GT(relative_errors<cf32>(complex_symbols(misread), cpu.equalized_symbols()).norm, 1e-2);
  }
}

} // namespace
#else
TEST(HoppingEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
