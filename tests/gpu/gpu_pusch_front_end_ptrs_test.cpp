// GpuPuschFrontEnd with PT-RS phase tracking against phy::PuschFrontEnd on slots through
// oscillator phase noise: channel estimates (occasions aligned to the first one's phase) within
// 1e-4, every symbol's phase within 1e-4 rad, the occasions' phases, equalized symbols within
// 1e-4 and LLR signs on at least 99.99% of the bits; through process() (its own CUDA graph for
// the PT-RS topology, alternating with the same PDU untracked, whose results must be the CPU's
// untracked ones with no phase left behind) and through
// prepare() + enqueue_prepared() (the launch set of several cells). Skipped without a CUDA
// device; the kernels' per-thread work runs on the CPU in ptrs_emulation_test.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/pusch_front_end.h"

#include "../support/relative_errors.h"
#include "gpu_front_end_cpu_match.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace gpu_front_end_match;
using airan::phy::cf32;
using airan::phy::PuschConfig;

/// A slot of one PT-RS PDU through 300 Hz of phase noise on TDL-A30.
struct PtrsSlot {
  airan::apps::LinkScenario scenario;
  PuschConfig pusch;
  std::unique_ptr<airan::apps::SlotSimulator> simulator;

  PtrsSlot(unsigned prbs, unsigned rx, unsigned layers, airan::phy::DmrsConfigType type,
           unsigned ptrs_port, unsigned time_density, unsigned seed) {
    scenario.cell.num_prbs = prbs;
    scenario.cell.num_antenna_ports = 2; // one cell for every slot of a test
    scenario.num_rx_antennas = rx;
    scenario.channel.model = "TDL-A30";
    scenario.channel.max_doppler_hz = 50.0;
    scenario.channel.phase_noise_linewidth_hz = 300.0;
    pusch.bwp_size = prbs;
    pusch.prb_size = prbs;
    pusch.num_layers = layers;
    pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1);
    pusch.dmrs_config_type = type;
    pusch.dmrs_additional_position = 1;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.mcs_index = 20;
    pusch.rnti = 0x4601;
    pusch.ptrs.enabled = true;
    pusch.ptrs.dmrs_port = ptrs_port;
    pusch.ptrs.time_density = time_density;
    EXPECT_EQ(airan::apps::validate_link(scenario, std::span(&pusch, 1)), "");
    simulator = std::make_unique<airan::apps::SlotSimulator>(scenario);
    simulator->simulate(std::span(&pusch, 1), seed, seed + 1, seed + 2, 2e-3F);
  }
  [[nodiscard]] const airan::phy::ResourceGrid& grid() const { return simulator->received_grid(); }
  [[nodiscard]] unsigned slot() const { return simulator->slot_number(); }
};

/// The difference of two phases in radians, wrapped into [-pi, pi] (the device's float sums may
/// put a phase near pi on the other side).
float phase_difference(float a, float b) {
  return std::remainder(a - b, 2.0F * std::numbers::pi_v<float>);
}

/// Expects the device front end's results for \p slot (processed last on \p gpu with
/// \p options, its \p llrs) to be the CPU front end's.
void expect_cpu_results(airan::gpu::GpuPuschFrontEnd& gpu, const PtrsSlot& slot,
                        std::span<const float> llrs,
                        const airan::phy::PuschFrontEndOptions& options = {}) {
  const airan::phy::CellConfig& cell = slot.scenario.cell;
  airan::phy::PuschFrontEnd cpu({4, 4, 273});
  std::vector<float> cpu_llrs(llrs.size());
  cpu.process(slot.grid(), cell, slot.pusch, slot.slot(), options, cpu_llrs);

  airan::phy::ChannelEstimate estimate(4, 4, 273);
  gpu.download_channel_estimate(estimate);
  const airan::phy::ChannelEstimate& reference = cpu.channel_estimate();
  expect_estimate_rows_as_cpu(estimate, reference, slot.pusch, slot.grid().num_ports());
  for (std::size_t o = 0; o < reference.measurements.occasion_phases.size(); ++o) {
    EXPECT_NEAR(phase_difference(estimate.measurements.occasion_phases[o],
                                 reference.measurements.occasion_phases[o]),
                0.0F, 1e-4F)
        << "occasion " << o;
  }
  std::vector<float> phases(slot.grid().num_symbols());
  gpu.download_ptrs_phases(phases);
  float largest = 0.0F;
  for (std::size_t l = 0; l < phases.size(); ++l) {
    EXPECT_NEAR(phase_difference(phases[l], cpu.ptrs_phases()[l]), 0.0F, 1e-4F) << "symbol " << l;
    largest = std::max(largest, std::abs(cpu.ptrs_phases()[l]));
  }
  if (options.track_phase) {
    EXPECT_GT(largest, 0.01F) << "phase noise too weak to show the tracking";
  } else {
    EXPECT_EQ(largest, 0.0F);
  }
  expect_equalized_as_cpu(gpu, cpu, llrs, cpu_llrs);
}

TEST(GpuPuschFrontEndPtrs, TracksThePhaseAsTheCpuFrontEnd) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const PtrsSlot one_layer(48, 2, 1, airan::phy::DmrsConfigType::type1, 0, 1, 3);
  const PtrsSlot two_layers(48, 4, 2, airan::phy::DmrsConfigType::type2, 1, 2, 7);
  airan::gpu::GpuPuschFrontEnd gpu(one_layer.scenario.cell, {4, 4, 273});
  const airan::phy::PuschFrontEndOptions options;
  for (const PtrsSlot* slot : {&one_layer, &two_layers, &one_layer}) {
    SCOPED_TRACE(slot->pusch.num_layers);
    std::vector<float> llrs(airan::phy::pusch_coded_bits(slot->scenario.cell, slot->pusch));
    gpu.process_grid(slot->grid(), slot->pusch, slot->slot(), options, llrs);
    expect_cpu_results(gpu, *slot, llrs);
    // The same PDU without PT-RS tracking (another graph): no phases left behind, and the CPU
    // front end's untracked results.
    airan::phy::PuschFrontEndOptions untracked;
    untracked.track_phase = false;
    gpu.process_grid(slot->grid(), slot->pusch, slot->slot(), untracked, llrs);
    expect_cpu_results(gpu, *slot, llrs, untracked);
  }
}

TEST(GpuPuschFrontEndPtrs, TracksThePhaseInALaunchSetOfCells) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const PtrsSlot first(51, 2, 1, airan::phy::DmrsConfigType::type1, 0, 1, 11);
  const PtrsSlot second(51, 2, 1, airan::phy::DmrsConfigType::type1, 0, 2, 21);
  airan::gpu::GpuPuschFrontEnd a(first.scenario.cell, {4, 4, 273});
  airan::gpu::GpuPuschFrontEnd b(second.scenario.cell, {4, 4, 273});
  const airan::phy::PuschFrontEndOptions options;
  a.upload_grid(first.grid());
  b.upload_grid(second.grid());
  const std::size_t g_a = a.prepare(first.pusch, first.slot(), options);
  const std::size_t g_b = b.prepare(second.pusch, second.slot(), options);
  const std::array<airan::gpu::GpuPuschFrontEnd*, 2> batch{&a, &b};
  airan::gpu::GpuPuschFrontEnd::enqueue_prepared(batch, nullptr);
  std::vector<float> llrs_a(g_a);
  std::vector<float> llrs_b(g_b);
  a.download_llrs(llrs_a);
  b.download_llrs(llrs_b);
  {
    SCOPED_TRACE("first cell");
    expect_cpu_results(a, first, llrs_a);
  }
  {
    SCOPED_TRACE("second cell");
    expect_cpu_results(b, second, llrs_b);
  }
}

} // namespace
