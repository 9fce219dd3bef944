// PT-RS phase tracking of the GPU front end run on the host: the estimation kernels with the
// occasions aligned by the CFO kernel's rotations (front_end_emulation_support.h), then
// ptrs_phase_kernel's block (ptrs_phase_elements.h: a thread per symbol and antenna, thread 0's
// finish) and the equalizer's threads with each symbol's rotation, on simulated PDUs through
// oscillator phase noise, against phy::PuschFrontEnd with PT-RS: the PT-RS values the kernel
// reads from the generated DMRS bit for bit as phy::generate_pusch_ptrs, every symbol's phase,
// the equalized symbols, their noise and the LLR signs within the GPU front end's tolerances.
// CUDA builds only (the kernels' structs hold CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/ptrs_pusch.h"
#include "airan/phy/pusch_re_mapper.h"

#include "../support/relative_errors.h"
#include "front_end_emulation_equalizer.h"
#include "front_end_emulation_support.h"
#include "ptrs_phase_elements.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace {

using namespace emulation_test;

/// A case of \p c's shape with PT-RS of time density \p l_ptrs, frequency density \p k_ptrs on
/// DMRS port \p port, through \p linewidth_hz of phase noise.
EmulationCase with_ptrs(EmulationCase c, unsigned l_ptrs, unsigned k_ptrs, unsigned port,
                        unsigned re_offset, unsigned power, double linewidth_hz) {
  c.ptrs.enabled = true;
  c.ptrs.time_density = l_ptrs;
  c.ptrs.frequency_density = k_ptrs;
  c.ptrs.dmrs_port = port;
  c.ptrs.re_offset = re_offset;
  c.ptrs.power = power;
  c.phase_noise_hz = linewidth_hz;
  return c;
}

std::vector<EmulationCase> ptrs_cases() {
  using F = FrequencyInterpolation;
  using T = TimeInterpolation;
  using D = apps::ChannelDomain;
  using E = EqualizerAlgorithm;
  constexpr auto type1 = DmrsConfigType::type1;
  constexpr auto type2 = DmrsConfigType::type2;
  std::vector<EmulationCase> cases = {
      // Two occasions aligned, PT-RS on every symbol of every second PRB.
      with_ptrs({"Prb51Rx2Layer1Qam64Pos1L1K2", 51, 2, 1, type1, 1, 1, "TDL-A30", D::time, 28.0F,
                 F::mmse, T::linear, true, 20},
                1, 2, 0, 0, 0, 300.0),
      // Type 2 with PT-RS on the second layer's port (w_f = -1 on its odd values), every second
      // symbol, every fourth PRB, resourceElementOffset '01', 256-QAM.
      with_ptrs({"Prb48Rx4Layers2Type2Port1L2K4Qam256", 48, 4, 2, type2, 1, 1, "TDL-A30", D::time,
                 35.0F, F::mmse, T::linear, true, 22, true},
                2, 4, 1, 1, 0, 200.0),
      // Double-symbol DMRS with an additional pair, Wiener time weights (no CFO in their model
      // once the occasions are aligned), ptrs-Power '01'.
      with_ptrs({"Prb24Rx2Layer1DoublePos1WienerL1K2", 24, 2, 1, type1, 2, 1, "TDL-A30", D::time,
                 28.0F, F::mmse, T::wiener, true, 16, false, E::mmse, 300.0, 100.0},
                1, 2, 0, 0, 1, 300.0),
      // 25 PRBs (K_PT-RS 2 does not divide them), one DMRS occasion: no alignment, the DMRS symbol
      // an anchor at phase 0; linear frequency interpolation, ZF.
      with_ptrs({"Prb25Rx2Layer1Pos0LinearZf", 25, 2, 1, type1, 1, 0, "TDL-A30", D::time, 30.0F,
                 F::linear, T::linear, false, 17, false, E::zf},
                1, 2, 0, 2, 0, 300.0),
      // Eight antennas (the equalizer's many-antenna path), three occasions, PT-RS every fourth
      // symbol.
      with_ptrs({"Prb24Rx8Layers2Pos2L4K2", 24, 8, 2, type1, 1, 2, "TDL-A30", D::time, 25.0F,
                 F::mmse, T::linear, true, 20},
                4, 2, 0, 0, 0, 200.0),
  };
  // Tracking off: the data REs skip the PT-RS REs, nothing is rotated, nothing aligned.
  EmulationCase off = cases.front();
  off.name = "Prb51Rx2Layer1Qam64Pos1L1K2NotTracked";
  off.track_phase = false;
  cases.push_back(off);
  return cases;
}

using airan::test::relative_errors;
using Errors = airan::test::RelativeErrors;

/// ptrs_phase_kernel's block on the host: every item's row correlation, then thread 0.
void emulate_ptrs_phases(const PtrsPhasePdu& p) {
  float2 sums[max_symbols * ptrs_phase_max_rx] = {};
  for (unsigned item = 0; item < max_symbols * p.g.num_rx; ++item) {
    unsigned symbol = 0;
    unsigned rx = 0;
    if (ptrs_item(p, item, symbol, rx)) {
      sums[item] = ptrs_row_correlation(p, symbol, rx);
    }
  }
  finish_ptrs_phases(p, sums);
}

TEST(PtrsEmulation, PhaseTrackingThreadsReproduceTheCpuFrontEnd) {
  const PamLlrTables tables = make_pam_llr_tables();
  for (const EmulationCase& c : ptrs_cases()) {
    SCOPED_TRACE(c.name);
    const EmulatedPdu pdu(c);
    const CellConfig& cell = pdu.scenario.cell;
    ASSERT_EQ(pdu.g.align_occasions, c.track_phase);
    Emulated e = emulate(pdu.g, pdu.device_grid(), pdu.dmrs.data(), pdu.device_banks(),
                         despread_noise_blocks(pdu.g), &cell, pdu.slot);
    PtrsPhasePdu p = make_ptrs_phase_pdu(pdu.pusch, pdu.g, pdu.generation);
    p.grid = pdu.device_grid();
    p.dmrs = pdu.dmrs.data();
    p.h = e.h.data();
    p.state = &e.state;
    const PuschReMapping mapping = make_pusch_re_mapping(cell, pdu.pusch);
    ASSERT_TRUE(mapping.ptrs.present());
    if (!c.track_phase) {
      EXPECT_EQ(p.count, 0U) << "no block without tracking";
    } else {
      // The PT-RS values as the kernel reads them from the generated DMRS: phy's, bit for bit.
      ASSERT_EQ(p.count, ptrs_count(mapping.ptrs, mapping.num_subcarriers()));
      std::vector<cf32> values(p.count);
      generate_pusch_ptrs(make_pusch_dmrs_params(cell, pdu.pusch, pdu.slot), pdu.pusch,
                          mapping.ptrs, values);
      const float2* first =
          pdu.dmrs.data() + std::size_t{p.pattern.layer} * max_symbols * pdu.g.num_values;
      for (unsigned n = 0; n < p.count; ++n) {
        const unsigned k = p.pattern.offset + n * p.pattern.period;
        const unsigned i = dmrs_value_index(p.type, pdu.g.deltas[p.pattern.layer], k);
        const int w_f = p.w_f[i % 2];
        ASSERT_EQ(ptrs_component_from_dmrs(first[i].x, w_f, p.amplitude), values[n].real()) << n;
        ASSERT_EQ(ptrs_component_from_dmrs(first[i].y, w_f, p.amplitude), values[n].imag()) << n;
      }
      emulate_ptrs_phases(p);
    }

    PuschFrontEnd cpu({c.rx, 4, c.prbs});
    const std::size_t g_bits = pusch_coded_bits(cell, pdu.pusch);
    std::vector<float> cpu_llrs(g_bits);
    cpu.process(pdu.grid(), cell, pdu.pusch, pdu.slot, pdu.options, cpu_llrs);
    // Every symbol's phase (0 outside the PDU and without tracking).
    const std::span<const float> cpu_phases = cpu.ptrs_phases();
    float largest = 0.0F;
    for (unsigned l = 0; l < pdu.g.grid_symbols; ++l) {
      const float difference =
          std::remainder(e.state.ptrs_phases[l] - cpu_phases[l], 2.0F * std::numbers::pi_v<float>);
      EXPECT_NEAR(difference, 0.0F, 1e-4F) << "symbol " << l;
      largest = std::max(largest, std::abs(cpu_phases[l]));
    }
    if (c.track_phase) {
      EXPECT_GT(largest, 0.01F) << "phase noise too weak for the test to see the rotations";
    }

    const DataGeometry d = make_data_geometry(cell, pdu.pusch, pdu.options, &tables);
    ASSERT_EQ(d.rotate, c.track_phase);
    const std::size_t num_res = d.layout.num_res();
    ASSERT_EQ(num_res * c.layers * d.qm, g_bits);
    EqualizeDemapPdu q = equalizer_arguments(pdu, d, e);
    EqualizedPdu out;
    run_equalizer(q, tables, out);
    expect_equalized_as_cpu(out, cpu, cpu_llrs);
  }
}

// The rotations matter: without them (the symbols' rotations left at 1) the equalized symbols
// of a PDU through phase noise are far from the CPU front end's.
TEST(PtrsEmulation, SkippingTheRotationsIsSeen) {
  const PamLlrTables tables = make_pam_llr_tables();
  const EmulationCase c = ptrs_cases().front();
  const EmulatedPdu pdu(c);
  const CellConfig& cell = pdu.scenario.cell;
  Emulated e = emulate(pdu.g, pdu.device_grid(), pdu.dmrs.data(), pdu.device_banks(),
                       despread_noise_blocks(pdu.g), &cell, pdu.slot);
  PtrsPhasePdu p = make_ptrs_phase_pdu(pdu.pusch, pdu.g, pdu.generation);
  p.grid = pdu.device_grid();
  p.dmrs = pdu.dmrs.data();
  p.h = e.h.data();
  p.state = &e.state;
  emulate_ptrs_phases(p);
  for (float2& r : e.state.ptrs_rotation) {
    r = float2{1.0F, 0.0F};
  }
  const DataGeometry d = make_data_geometry(cell, pdu.pusch, pdu.options, &tables);
  EqualizeDemapPdu q = equalizer_arguments(pdu, d, e);
  EqualizedPdu out;
  run_equalizer(q, tables, out);
  PuschFrontEnd cpu({c.rx, 4, c.prbs});
  std::vector<float> cpu_llrs(out.llrs.size());
  cpu.process(pdu.grid(), cell, pdu.pusch, pdu.slot, pdu.options, cpu_llrs);
  EXPECT_GT(relative_errors<cf32>(complex_symbols(out), cpu.equalized_symbols()).norm, 1e-3);
}

} // namespace
#else
TEST(PtrsEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
