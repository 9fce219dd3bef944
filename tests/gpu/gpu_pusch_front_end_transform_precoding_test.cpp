// GpuPuschFrontEnd with transform-precoded (DFT-s-OFDM) PDUs against phy::PuschFrontEnd: the
// low-PAPR DMRS generated on the device (the phase tables of 1 to 4 PRBs, length 30, Zadoff-Chu
// up to 100 PRBs, group hopping, sequence hopping with v = 1, a double-symbol DMRS), the
// equalizer without demapping, then the weighting kernel, the batched inverse cuFFT and the
// scaling and demapping kernel: channel estimates within 1e-4, the DMRS and post-equalization
// measurements, deprecoded symbols within 1e-4, their noise within 1e-4 and LLR signs on at least
// 99.99% of the bits (gpu_front_end_cpu_match.h), descrambled in the demapper bit for bit as
// descramble() does; pi/2-BPSK (both transform-precoding tables), QPSK, 16-, 64- and 256-QAM,
// 1 to 8 Rx, MMSE and MMSE-IRC, with intra-slot hopping too. Through process() with CUDA graphs
// and without (a front end built under AIRAN_CUDA_GRAPHS=0), with the DMRS pregenerated
// (pregenerate_dmrs(): its own, another PDU's), alternating with CP-OFDM PDUs on one front end,
// and through prepare() + enqueue_prepared() over front ends mixing both. The device tests skip
// without a CUDA device; the cases' own checks (valid links; the sequence kinds, hopping,
// modulations and receivers they cover) run everywhere.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/relative_errors.h"
#include "gpu_front_end_cpu_match.h"
#include "gpu_front_end_transform_precoding_cases.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace gpu_front_end_match;
using namespace transform_precoding_test;
using airan::gpu::GpuPuschFrontEnd;
using airan::phy::cf32;
using airan::phy::EqualizerAlgorithm;
using airan::phy::LowPaprHopping;
using airan::phy::McsTable;
using airan::phy::PuschConfig;

/// Expects the results of \p gpu's last PDU (\p slot's; its LLRs \p llrs, descrambled when
/// \p descrambled) to be the CPU front end's: estimate rows, each symbol's noise, the DMRS
/// measurements, covariances (MMSE-IRC), the deprecoded symbols, noise and LLR signs, and the
/// post-equalization SINR and EVM.
void expect_cpu_results(GpuPuschFrontEnd& gpu, const TpSlot& slot, std::span<const float> llrs,
                        bool descrambled) {
  airan::phy::PuschFrontEnd cpu({max_rx, max_layers, carrier_prbs});
  std::vector<float> cpu_llrs(llrs.size());
  cpu.process(slot.grid(), slot.scenario.cell, slot.pusch, slot.slot(), slot.options, cpu_llrs);
  if (descrambled) {
    airan::phy::descramble_llrs(cpu_llrs, slot.c_init());
  }
  airan::phy::ChannelEstimate estimate(max_rx, max_layers, carrier_prbs);
  gpu.download_channel_estimate(estimate);
  const airan::phy::ChannelEstimate& reference = cpu.channel_estimate();
  expect_estimate_as_cpu(estimate, reference, slot.pusch, slot.grid().num_ports(),
                         slot.options.equalizer == EqualizerAlgorithm::mmse_irc);
  expect_equalized_as_cpu(gpu, cpu, llrs, cpu_llrs);
  const airan::phy::PuschMeasurements quality = gpu.download_pusch_measurements();
  const airan::phy::PuschMeasurements cpu_quality = cpu.measurements(slot.pusch);
  const float noise = reference.measurements.noise_variance;
  EXPECT_NEAR(quality.noise_variance, noise, 1e-4F * noise);
  EXPECT_NEAR(quality.post_eq_sinr_db, cpu_quality.post_eq_sinr_db, 1e-3);
  EXPECT_NEAR(quality.evm, cpu_quality.evm, 1e-4 * cpu_quality.evm + 1e-6);
}

/// process_grid() of \p slot on \p gpu, then the CPU comparison; returns the LLRs.
std::vector<float> process_and_compare(GpuPuschFrontEnd& gpu, const TpSlot& slot) {
  std::vector<float> llrs(slot.coded_bits());
  gpu.process_grid(slot.grid(), slot.pusch, slot.slot(), slot.options, llrs);
  expect_cpu_results(gpu, slot, llrs, false);
  return llrs;
}

/// True when \p a and \p b hold the same floats bit for bit.
bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// A front end of \p cell built with AIRAN_CUDA_GRAPHS set to \p graphs ("0": kernels enqueued
/// one by one; the constructor reads it), the variable then restored.
std::unique_ptr<GpuPuschFrontEnd> make_front_end(const airan::phy::CellConfig& cell,
                                                 const char* graphs) {
  constexpr const char* variable = "AIRAN_CUDA_GRAPHS";
  const char* previous = std::getenv(variable);
  const std::string saved = previous != nullptr ? previous : "";
  setenv(variable, graphs, 1);
  auto front_end = std::make_unique<GpuPuschFrontEnd>(cell, front_end_limits);
  if (previous != nullptr) {
    setenv(variable, saved.c_str(), 1);
  } else {
    unsetenv(variable);
  }
  return front_end;
}

/// The device tests: skipped without a CUDA device.
class GpuFrontEndTransformPrecodingDevice : public testing::Test {
protected:
  void SetUp() override {
    std::string status;
    if (!have_device(status)) {
      GTEST_SKIP() << "no CUDA device: " << status;
    }
  }
};

/// The cases on the device: skipped without a CUDA device.
class GpuFrontEndTransformPrecoding : public GpuFrontEndTransformPrecodingDevice,
                                      public testing::WithParamInterface<TpCase> {};

// Each case on a front end of its own, then descrambled in the demapper and by descramble():
// the same LLRs bit for bit, and the CPU front end's descrambled signs.
TEST_P(GpuFrontEndTransformPrecoding, MatchesTheCpuFrontEnd) {
  const TpSlot slot(GetParam());
  GpuPuschFrontEnd gpu(slot.scenario.cell, front_end_limits);
  (void)process_and_compare(gpu, slot);
  const std::size_t g = slot.coded_bits();
  std::vector<float> separate(g);
  std::vector<float> fused(g);
  EXPECT_EQ(gpu.process(slot.pusch, slot.slot(), slot.options), g);
  EXPECT_FALSE(gpu.llrs_descrambled());
  gpu.descramble(slot.c_init());
  gpu.download_llrs(separate);
  EXPECT_EQ(gpu.process(slot.pusch, slot.slot(), slot.options, /*descramble=*/true), g);
  EXPECT_TRUE(gpu.llrs_descrambled());
  gpu.download_llrs(fused);
  EXPECT_TRUE(same_bits(fused, separate));
  expect_cpu_results(gpu, slot, fused, true);
  // The DMRS generated ahead (pregenerate_dmrs()) serve process() when they are its PDU's, and
  // not when they are another n_ID^RS's or a CP-OFDM PDU's: the same LLRs bit for bit either way.
  PuschConfig other_identity = slot.pusch;
  other_identity.pusch_identity = static_cast<std::uint16_t>(slot.pusch.pusch_identity ^ 1U);
  PuschConfig cp_ofdm = slot.pusch;
  cp_ofdm.transform_precoding = false;
  cp_ofdm.tp_pi2bpsk = false;
  cp_ofdm.dmrs_hopping = LowPaprHopping::none;
  cp_ofdm.mcs_table = McsTable::qam64;
  ASSERT_EQ(cp_ofdm.validate(slot.scenario.cell), "");
  for (const PuschConfig* ahead :
       std::initializer_list<const PuschConfig*>{&slot.pusch, &other_identity, &cp_ofdm}) {
    SCOPED_TRACE(ahead == &slot.pusch       ? "its own DMRS ahead"
                 : ahead == &other_identity ? "another n_ID^RS's DMRS ahead"
                                            : "a CP-OFDM PDU's DMRS ahead");
    std::vector<float> llrs(g);
    gpu.pregenerate_dmrs(*ahead, slot.slot(), slot.options);
    EXPECT_EQ(gpu.process(slot.pusch, slot.slot(), slot.options, /*descramble=*/true), g);
    // A hopping PDU generates each hop's DMRS itself (pregenerate_dmrs() leaves it).
    EXPECT_EQ(gpu.used_pregenerated_dmrs(), ahead == &slot.pusch && !slot.pusch.intra_slot_hopping);
    gpu.download_llrs(llrs);
    EXPECT_TRUE(same_bits(llrs, fused));
  }
}

INSTANTIATE_TEST_SUITE_P(Slots, GpuFrontEndTransformPrecoding,
                         testing::ValuesIn(transform_precoded_cases()),
                         [](const testing::TestParamInfo<TpCase>& info) {
                           return std::string(info.param.name);
                         });

// The cases are links the transmitter and the CPU receiver accept, and cover (runs without a
// device) every kind of low-PAPR base sequence, v = 1 on a DMRS symbol of 72 values (12 PRBs,
// the shortest with two base sequences) under sequence hopping, u changing between DMRS symbols
// under group hopping, pi/2-BPSK to 256-QAM, 1 to 8 Rx, MMSE-IRC with intra-slot hopping.
TEST(GpuFrontEndTransformPrecodingCases, CoverEverySequenceKindModulationAndReceiver) {
  std::set<unsigned> dmrs_lengths;
  std::set<unsigned> modulation_orders;
  std::set<unsigned> receivers;
  bool shortest_second_sequence = false; // v = 1 at M_ZC = 72
  bool group_changes = false;
  bool irc_hopping = false;
  for (const TpCase& c : transform_precoded_cases()) {
    const TpLink link(c);
    EXPECT_EQ(airan::apps::validate_link(link.scenario, std::span(&link.pusch, 1)), "") << c.name;
    const unsigned m_zc = 6 * c.prbs; // DMRS values per symbol (type 1, comb 2)
    dmrs_lengths.insert(m_zc < 36 ? m_zc : 36);
    modulation_orders.insert(link.pusch.modulation_order());
    receivers.insert(c.rx);
    const bool case_irc = c.equalizer == EqualizerAlgorithm::mmse_irc;
    irc_hopping = irc_hopping || (case_irc && c.second_hop_prb != 0);
    const airan::phy::DmrsSymbols symbols =
        airan::phy::pusch_dmrs_symbols(link.scenario.cell, link.pusch);
    std::set<unsigned> groups;
    for (unsigned l = 0; l < airan::phy::max_symbols_per_slot; ++l) {
      if (symbols.contains(l) && symbols.l_prime(l) == 0) {
        const airan::phy::LowPaprSequenceId id = airan::phy::pusch_low_papr_sequence_id(
            c.dmrs_hopping, c.pusch_identity, 14, c.slot % 20, l, m_zc);
        shortest_second_sequence = shortest_second_sequence || (id.v == 1 && m_zc == 72);
        groups.insert(id.u);
      }
    }
    group_changes = group_changes || groups.size() > 1;
  }
  EXPECT_EQ(dmrs_lengths, (std::set<unsigned>{6, 12, 18, 24, 30, 36}));
  EXPECT_EQ(modulation_orders, (std::set<unsigned>{1, 2, 4, 6, 8}));
  EXPECT_EQ(receivers, (std::set<unsigned>{1, 2, 4, 8}));
  EXPECT_TRUE(shortest_second_sequence) << "no DMRS symbol of 72 values with v = 1";
  EXPECT_TRUE(group_changes) << "group hopping keeps u";
  EXPECT_TRUE(irc_hopping) << "no MMSE-IRC case with intra-slot hopping";
}

// One front end through transform-precoded and CP-OFDM PDUs in turn (the transform-precoding
// graphs, one per PRB count and hopping, re-used and updated, the CP-OFDM graphs beside them),
// every second one after the previous PDU's DMRS were generated ahead (which it must not use):
// each result is the CPU front end's, and a second round through the same PDUs instantiates no
// graph (each topology, PRB counts included, has its own).
TEST_F(GpuFrontEndTransformPrecodingDevice, AlternatesWithCpOfdmPdus) {
  const TpSlot qam256(transform_precoded_case("Prb25Rx8Qam256IrcGroups5"));
  const TpSlot cp_irc(cp_ofdm_case(24, EqualizerAlgorithm::mmse_irc));
  const TpSlot tp_hopping(transform_precoded_case("Prb50Rx4Qam16GroupHoppingIntraSlotHopping"));
  const TpSlot cp_hopping(cp_ofdm_case(30, EqualizerAlgorithm::mmse, 60));
  const TpSlot sequence(transform_precoded_case("Prb12Rx4Qam64SequenceHopping"));
  // With graphs whatever AIRAN_CUDA_GRAPHS says (gpu-check runs this program under 0 as well).
  const std::unique_ptr<GpuPuschFrontEnd> front_end = make_front_end(qam256.scenario.cell, "1");
  GpuPuschFrontEnd& gpu = *front_end;
  int step = 0;
  const TpSlot* previous = nullptr;
  unsigned first_round = 0;
  for (int round = 0; round < 2; ++round) {
    for (const TpSlot* slot :
         {&qam256, &cp_irc, &tp_hopping, &cp_hopping, &sequence, &qam256, &tp_hopping, &qam256}) {
      SCOPED_TRACE("step " + std::to_string(step) + ": " + std::to_string(slot->pusch.prb_size) +
                   " PRB" + (slot->pusch.transform_precoding ? ", DFT-s-OFDM" : ", CP-OFDM"));
      if (step++ % 2 == 1) {
        gpu.pregenerate_dmrs(previous->pusch, previous->slot(), previous->options);
      }
      (void)process_and_compare(gpu, *slot);
      previous = slot;
    }
    if (round == 0) {
      first_round = gpu.graph_instantiations();
      EXPECT_GE(first_round, 4U); // two CP-OFDM topologies, three DFT-s-OFDM PRB counts
    }
  }
  EXPECT_EQ(gpu.graph_instantiations(), first_round) << "a graph instantiated again";
}

// A front end built under AIRAN_CUDA_GRAPHS=0 (kernels enqueued one by one) and one with graphs
// give the same LLRs bit for bit, plain and descrambled, and the CPU front end's results.
TEST_F(GpuFrontEndTransformPrecodingDevice, WithoutCudaGraphsAsWithThem) {
  const TpLink link(transform_precoded_case("Prb1Rx2Pi2Bpsk"));
  const std::unique_ptr<GpuPuschFrontEnd> plain = make_front_end(link.scenario.cell, "0");
  const std::unique_ptr<GpuPuschFrontEnd> graphed = make_front_end(link.scenario.cell, "1");
  for (const char* name : {"Prb1Rx2Pi2Bpsk", "Prb24Rx4QpskSequenceHoppingIntraSlotHoppingIrc",
                           "Prb25Rx8Qam256IrcGroups5", "Prb100Rx2Qam64"}) {
    SCOPED_TRACE(name);
    const TpSlot slot(transform_precoded_case(name));
    const std::vector<float> without = process_and_compare(*plain, slot);
    const std::vector<float> with = process_and_compare(*graphed, slot);
    EXPECT_TRUE(same_bits(without, with));
    std::vector<float> descrambled_without(slot.coded_bits());
    std::vector<float> descrambled_with(slot.coded_bits());
    (void)plain->process(slot.pusch, slot.slot(), slot.options, /*descramble=*/true);
    (void)graphed->process(slot.pusch, slot.slot(), slot.options, /*descramble=*/true);
    plain->download_llrs(descrambled_without);
    graphed->download_llrs(descrambled_with);
    EXPECT_TRUE(same_bits(descrambled_without, descrambled_with));
    expect_cpu_results(*plain, slot, descrambled_without, true);
  }
  EXPECT_EQ(plain->graph_instantiations(), 0U);
  EXPECT_GT(graphed->graph_instantiations(), 0U);
}

// Front ends of one launch set (prepare() + enqueue_prepared()) mixing transform-precoded PDUs
// (pi/2-BPSK, 256-QAM with MMSE-IRC, sequence and intra-slot hopping) and CP-OFDM ones, every
// second one descrambled in the demapper, twice with the PDUs moved to other front ends.
TEST_F(GpuFrontEndTransformPrecodingDevice, LaunchSetMixesDftsAndCpOfdmPdus) {
  const std::array<TpSlot, 5> slots{
      TpSlot(transform_precoded_case("Prb2Rx1Pi2BpskGroupHopping")),
      TpSlot(cp_ofdm_case(24, EqualizerAlgorithm::mmse_irc)),
      TpSlot(transform_precoded_case("Prb25Rx8Qam256IrcGroups5")),
      TpSlot(transform_precoded_case("Prb24Rx4QpskSequenceHoppingIntraSlotHoppingIrc")),
      TpSlot(cp_ofdm_case(30, EqualizerAlgorithm::mmse, 60))};
  std::vector<std::unique_ptr<GpuPuschFrontEnd>> front_ends;
  std::array<GpuPuschFrontEnd*, slots.size()> batch{};
  for (std::size_t i = 0; i < slots.size(); ++i) {
    front_ends.push_back(
        std::make_unique<GpuPuschFrontEnd>(slots[i].scenario.cell, front_end_limits));
    batch[i] = front_ends[i].get();
  }
  for (std::size_t round = 0; round < 2; ++round) {
    std::array<std::size_t, slots.size()> sizes{};
    const auto slot_of = [&](std::size_t f) -> const TpSlot& {
      return slots[(f + round * 2) % slots.size()];
    };
    for (std::size_t f = 0; f < slots.size(); ++f) {
      const TpSlot& slot = slot_of(f);
      front_ends[f]->upload_grid(slot.grid());
      sizes[f] = front_ends[f]->prepare(slot.pusch, slot.slot(), slot.options, f % 2 == 1);
      EXPECT_EQ(sizes[f], slot.coded_bits());
    }
    GpuPuschFrontEnd::enqueue_prepared(batch, nullptr);
    for (std::size_t f = 0; f < slots.size(); ++f) {
      SCOPED_TRACE("round " + std::to_string(round) + ", front end " + std::to_string(f));
      std::vector<float> llrs(sizes[f]);
      front_ends[f]->download_llrs(llrs);
      EXPECT_EQ(front_ends[f]->llrs_descrambled(), f % 2 == 1);
      expect_cpu_results(*front_ends[f], slot_of(f), llrs, f % 2 == 1);
    }
  }
}

} // namespace
