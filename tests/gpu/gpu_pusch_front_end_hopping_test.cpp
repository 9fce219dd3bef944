// GpuPuschFrontEnd with intra-slot frequency hopping against phy::PuschFrontEnd: each hop
// estimated from its own DMRS on the device into rows of one H, the equalizer reading each symbol
// at its hop's subcarriers with its hop's noise (and, with MMSE-IRC, its hop's covariances):
// channel estimates and covariances within 1e-4, each hop's noise and the merged measurements,
// equalized symbols within 1e-4 and LLR signs on at least 99.99% of the bits; through process()
// (its own CUDA graph, alternating with a PDU without hopping on one front end) and through
// prepare() + enqueue_prepared() (the launch set of several cells). Skipped without a CUDA
// device; the kernels' per-thread work runs on the CPU in hopping_emulation_test.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/pusch_front_end.h"

#include "../support/relative_errors.h"
#include "gpu_front_end_cpu_match.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace gpu_front_end_match;
using airan::phy::cf32;
using airan::phy::PuschConfig;

/// A slot of one PDU on 12 PRBs of a 51-PRB carrier hopping to PRB 36 at symbol 7, through
/// TDL-A30 (the hops fade apart), or the same PDU without hopping.
struct HoppingSlot {
  airan::apps::LinkScenario scenario;
  PuschConfig pusch;
  std::unique_ptr<airan::apps::SlotSimulator> simulator;

  HoppingSlot(unsigned rx, unsigned layers, bool hopping, unsigned seed) {
    scenario.cell.num_prbs = 51;
    scenario.cell.num_antenna_ports = 2;
    scenario.num_rx_antennas = rx;
    scenario.channel.model = "TDL-A30";
    scenario.channel.max_doppler_hz = 50.0;
    pusch.bwp_size = 51;
    pusch.prb_size = 12;
    pusch.num_layers = layers;
    pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1);
    if (layers == 1) {
      pusch.precoding = airan::phy::PuschPrecoding::codebook; // a 2-port UE, TPMI 0
      pusch.tpmi = 0;
    }
    pusch.dmrs_additional_position = 1;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.mcs_index = 16;
    pusch.rnti = 0x4601;
    pusch.intra_slot_hopping = hopping;
    pusch.second_hop_prb_start = hopping ? 36 : 0;
    EXPECT_EQ(airan::apps::validate_link(scenario, std::span(&pusch, 1)), "");
    simulator = std::make_unique<airan::apps::SlotSimulator>(scenario);
    simulator->simulate(std::span(&pusch, 1), seed, seed + 1, seed + 2, 3e-3F);
  }
  [[nodiscard]] const airan::phy::ResourceGrid& grid() const { return simulator->received_grid(); }
  [[nodiscard]] unsigned slot() const { return simulator->slot_number(); }
};

/// Expects the device front end's results for \p slot (processed last on \p gpu with
/// \p options, its \p llrs) to be the CPU front end's.
void expect_cpu_results(airan::gpu::GpuPuschFrontEnd& gpu, const HoppingSlot& slot,
                        std::span<const float> llrs,
                        const airan::phy::PuschFrontEndOptions& options) {
  const airan::phy::CellConfig& cell = slot.scenario.cell;
  airan::phy::PuschFrontEnd cpu({4, 4, 51});
  std::vector<float> cpu_llrs(llrs.size());
  cpu.process(slot.grid(), cell, slot.pusch, slot.slot(), options, cpu_llrs);

  airan::phy::ChannelEstimate estimate(4, 4, 51);
  gpu.download_channel_estimate(estimate);
  const airan::phy::ChannelEstimate& reference = cpu.channel_estimate();
  expect_estimate_as_cpu(estimate, reference, slot.pusch, slot.grid().num_ports(),
                         options.equalizer == airan::phy::EqualizerAlgorithm::mmse_irc);
  const auto& mr = reference.measurements;
  expect_equalized_as_cpu(gpu, cpu, llrs, cpu_llrs);
  const airan::phy::PuschMeasurements reported = gpu.download_pusch_measurements();
  EXPECT_NEAR(reported.noise_variance, mr.noise_variance, 1e-4F * mr.noise_variance);
}

TEST(GpuPuschFrontEndHopping, EstimatesEachHopAsTheCpuFrontEnd) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const HoppingSlot one_layer(2, 1, true, 3);
  const HoppingSlot two_layers(4, 2, true, 7);
  const HoppingSlot flat(4, 2, false, 9);
  airan::gpu::GpuPuschFrontEnd gpu(one_layer.scenario.cell, {4, 4, 51});
  airan::phy::PuschFrontEndOptions irc;
  irc.equalizer = airan::phy::EqualizerAlgorithm::mmse_irc;
  for (const auto& [slot, options] :
       {std::pair{&one_layer, airan::phy::PuschFrontEndOptions{}}, std::pair{&flat, irc},
        std::pair{&two_layers, irc}, std::pair{&one_layer, airan::phy::PuschFrontEndOptions{}}}) {
    SCOPED_TRACE(std::to_string(slot->pusch.num_layers) + " layers" +
                 (slot->pusch.intra_slot_hopping ? ", hopping" : ""));
    std::vector<float> llrs(airan::phy::pusch_coded_bits(slot->scenario.cell, slot->pusch));
    gpu.process_grid(slot->grid(), slot->pusch, slot->slot(), options, llrs);
    expect_cpu_results(gpu, *slot, llrs, options);
  }
}

TEST(GpuPuschFrontEndHopping, EstimatesEachHopInALaunchSetOfCells) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const HoppingSlot first(2, 1, true, 11);
  const HoppingSlot second(4, 2, false, 21);
  const HoppingSlot third(4, 2, true, 31);
  const std::array<const HoppingSlot*, 3> slots{&first, &second, &third};
  std::vector<std::unique_ptr<airan::gpu::GpuPuschFrontEnd>> front_ends;
  std::array<airan::gpu::GpuPuschFrontEnd*, 3> batch{};
  std::array<std::size_t, 3> sizes{};
  const airan::phy::PuschFrontEndOptions options;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    front_ends.push_back(std::make_unique<airan::gpu::GpuPuschFrontEnd>(
        slots[i]->scenario.cell, airan::gpu::GpuPuschFrontEndLimits{4, 4, 51}));
    front_ends[i]->upload_grid(slots[i]->grid());
    sizes[i] = front_ends[i]->prepare(slots[i]->pusch, slots[i]->slot(), options);
    batch[i] = front_ends[i].get();
  }
  airan::gpu::GpuPuschFrontEnd::enqueue_prepared(batch, nullptr);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    SCOPED_TRACE("cell " + std::to_string(i));
    std::vector<float> llrs(sizes[i]);
    front_ends[i]->download_llrs(llrs);
    expect_cpu_results(*front_ends[i], *slots[i], llrs, options);
  }
}

} // namespace
