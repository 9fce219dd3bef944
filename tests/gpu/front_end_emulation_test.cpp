// The GPU front end's kernels from the DMRS estimation to the LLRs run on the host: the
// estimation kernels in their block and tile order (front_end_emulation_support.h), then
// equalize_demap_re() (what each thread of equalize_demap_kernels.cu does) over every data RE of
// simulated PDUs (1, 2 and 4 layers, up to 4 antennas and 8 through the kernel's many-antenna path,
// ZF and MMSE, QPSK to 256-QAM), against phy::PuschFrontEnd: equalized symbols and noise within
// the GPU front end's tolerances, LLR signs in at least 99.99% of bits, and descrambling in the
// demapper bit for bit as a descrambling pass. So the equalizer kernel's indexing (data REs, H
// rows, codeword order) is checked in CI without a GPU (CUDA builds: CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/phy/gold_sequence_jump.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_scrambler.h"

#include "../support/relative_errors.h"
#include "equalize_demap_elements.h"
#include "front_end_emulation_support.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace {

using namespace emulation_test;

std::vector<EmulationCase> cases() {
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
      {"Prb24Rx8Layers4Qam16AwgnMmse", 24, 8, 4, type1, 1, 1, "awgn", D::frequency, 20.0F, F::mmse,
       T::linear, true, 12},
      {"Prb51Rx8Layer1Qam64AverageMmse", 51, 8, 1, type1, 1, 1, "awgn", D::frequency, 25.0F,
       F::mmse, T::average, true, 16},
      {"Prb106Rx4Layers2Qam256Mcs27", 106, 4, 2, type1, 1, 1, "TDL-A30", D::time, 35.0F, F::mmse,
       T::linear, true, 27, true},
  };
}

/// equalize_demap_re() of the kernel instance \p p's layer count and antenna class selects.
void equalize_re(const EqualizeDemapPdu& p, const PamLlrTable& table, unsigned re) {
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

using airan::test::relative_errors;
using Errors = airan::test::RelativeErrors;

TEST(FrontEndEmulation, EqualizerThreadsReproduceTheCpuFrontEnd) {
  const PamLlrTables tables = make_pam_llr_tables();
  const GoldJumpTable gold = make_gold_jump_table();
  for (const EmulationCase& c : cases()) {
    SCOPED_TRACE(c.name);
    const EmulatedPdu pdu(c);
    const CellConfig& cell = pdu.scenario.cell;
    const Emulated e = emulate(pdu.g, pdu.device_grid(), pdu.dmrs.data(), pdu.device_banks(),
                               despread_noise_blocks(pdu.g));
    const DataGeometry d = make_data_geometry(cell, pdu.pusch, pdu.options, &tables);
    const std::size_t num_res = d.layout.num_res();
    const std::size_t g_bits = pusch_coded_bits(cell, pdu.pusch);
    ASSERT_EQ(num_res * c.layers * d.qm, g_bits);
    std::vector<float2> symbols(num_res * c.layers);
    std::vector<float> noise(num_res * c.layers);
    std::vector<float> llrs(g_bits);
    EqualizeDemapPdu p;
    p.g = pdu.g;
    p.d = d;
    p.grid = pdu.device_grid();
    p.h = e.h.data();
    p.state = &e.state;
    p.symbols = symbols.data();
    p.noise_variances = noise.data();
    p.llrs = llrs.data();
    const PamLlrTable& table = d.qm == 1 ? tables.tables[0] : *d.table;
    for (unsigned re = 0; re < num_res; ++re) {
      equalize_re(p, table, re);
    }

    PuschFrontEnd cpu({c.rx, 4, c.prbs});
    std::vector<float> cpu_llrs(g_bits);
    cpu.process(pdu.grid(), cell, pdu.pusch, pdu.slot, pdu.options, cpu_llrs);
    const std::vector<cf32> got(reinterpret_cast<const cf32*>(symbols.data()),
                                reinterpret_cast<const cf32*>(symbols.data()) + symbols.size());
    const Errors x = relative_errors<cf32>(got, cpu.equalized_symbols());
    EXPECT_LT(x.norm, 1e-4) << "equalized symbols";
    EXPECT_LT(x.max, 1e-3) << "equalized symbols";
    const Errors n = relative_errors<float>(noise, cpu.equalized_noise_variances());
    EXPECT_LT(n.norm, 1e-4) << "post-equalization noise";
    std::size_t agree = 0;
    for (std::size_t i = 0; i < g_bits; ++i) {
      agree += (llrs[i] >= 0.0F) == (cpu_llrs[i] >= 0.0F) ? 1 : 0;
    }
    EXPECT_GE(static_cast<double>(agree) / static_cast<double>(g_bits), 0.9999) << "LLR signs";

    // Descrambling in the demapper, from the codeword's Gold words: the descrambling pass's LLRs
    // bit for bit.
    const std::uint32_t c_init =
        pusch_scrambling_init(pdu.pusch.rnti, pdu.pusch.data_scrambling_id);
    std::vector<std::uint32_t> words(g_bits / 32 + 2);
    for (std::size_t w = 0; w < words.size(); ++w) {
      words[w] = gold_sequence_word(gold, c_init, static_cast<std::uint32_t>(32 * w));
    }
    std::vector<float> fused(g_bits);
    p.llrs = fused.data();
    p.scrambling = words.data();
    for (unsigned re = 0; re < num_res; ++re) {
      equalize_re(p, table, re);
    }
    descramble_llrs(llrs, c_init);
    EXPECT_EQ(std::memcmp(fused.data(), llrs.data(), g_bits * sizeof(float)), 0);
  }
}

} // namespace
#else
TEST(FrontEndEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
