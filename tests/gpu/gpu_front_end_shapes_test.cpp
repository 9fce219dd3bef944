// One GpuPuschFrontEnd over PDUs of different shapes in turn (273 PRB, 4 Rx: 2 layers, then 1
// layer codebook-precoded, then 2 layers again, ...): each PDU's noise variance and channel
// estimate match a CPU front end's within 1e-4 and its LLR signs agree on >= 99.99% of the bits.
// The noise estimator's count of finished blocks lives in the front end's scratch between PDUs;
// it must be found at zero whatever the previous PDU's shape. Skipped without a CUDA device.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace {

using airan::phy::PuschConfig;

bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

/// A slot of one PDU on a 273-PRB cell with two UE antenna ports and 4 Rx, TDL-A30.
struct ShapeSlot {
  PuschConfig pusch;
  airan::phy::ResourceGrid grid;
  unsigned slot = 0;
};

airan::apps::LinkScenario make_scenario() {
  airan::apps::LinkScenario scenario;
  scenario.cell.num_prbs = 273;
  scenario.cell.num_antenna_ports = 2;
  scenario.num_rx_antennas = 4;
  scenario.channel.model = "TDL-A30";
  scenario.channel.domain = airan::apps::ChannelDomain::frequency;
  scenario.channel.max_doppler_hz = 50.0;
  return scenario;
}

ShapeSlot make_slot(const airan::apps::LinkScenario& scenario, unsigned layers, unsigned seed) {
  ShapeSlot out;
  PuschConfig& pusch = out.pusch;
  pusch.bwp_size = 273;
  pusch.prb_size = 273;
  pusch.num_layers = layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 20;
  pusch.mcs_table = airan::phy::McsTable::qam256;
  pusch.rnti = static_cast<std::uint16_t>(0x4601 + layers);
  if (layers == 1) { // a 2-port UE sends one layer through a precoder (TS 38.211 Table 6.3.1.5-1)
    pusch.precoding = airan::phy::PuschPrecoding::codebook;
    pusch.tpmi = 0;
  }
  EXPECT_EQ(airan::apps::validate_link(scenario, std::span(&pusch, 1)), "");
  airan::apps::SlotSimulator simulator(scenario);
  simulator.simulate(std::span(&pusch, 1), seed, seed + 1, seed + 2,
                     std::pow(10.0F, -25.0F / 10.0F));
  out.grid = simulator.received_grid();
  out.slot = simulator.slot_number();
  return out;
}

TEST(GpuFrontEndShapes, PdusOfOtherLayerCountsInTurnMatchTheCpu) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const airan::apps::LinkScenario scenario = make_scenario();
  const std::vector<ShapeSlot> slots = {make_slot(scenario, 2, 3), make_slot(scenario, 1, 7)};
  airan::gpu::GpuPuschFrontEnd gpu(scenario.cell, {4, 4, 273});
  const airan::phy::PuschFrontEndOptions options;
  for (unsigned round = 0; round < 5; ++round) {
    const ShapeSlot& s = slots[round % 2];
    SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(s.pusch.num_layers) +
                 " layer(s)");
    airan::phy::PuschFrontEnd cpu({4, 4, 273});
    const std::size_t g = airan::phy::pusch_coded_bits(scenario.cell, s.pusch);
    std::vector<float> cpu_llrs(g);
    cpu.process(s.grid, scenario.cell, s.pusch, s.slot, options, cpu_llrs);
    std::vector<float> gpu_llrs(g);
    gpu.process_grid(s.grid, s.pusch, s.slot, options, gpu_llrs);

    airan::phy::ChannelEstimate estimate(4, 4, 273);
    gpu.download_channel_estimate(estimate);
    const auto& m = estimate.measurements;
    const auto& mr = cpu.channel_estimate().measurements;
    EXPECT_NEAR(m.noise_variance, mr.noise_variance, 1e-4 * mr.noise_variance);
    EXPECT_NEAR(m.rsrp, mr.rsrp, 1e-4 * mr.rsrp);
    double difference = 0.0;
    double reference = 0.0;
    for (unsigned rx = 0; rx < 4; ++rx) {
      for (unsigned layer = 0; layer < s.pusch.num_layers; ++layer) {
        for (unsigned l = s.pusch.start_symbol; l < s.pusch.start_symbol + s.pusch.num_symbols;
             ++l) {
          const auto row = estimate.channel(rx, layer, l);
          const auto ref = cpu.channel_estimate().channel(rx, layer, l);
          for (std::size_t k = 0; k < ref.size(); ++k) {
            difference += std::norm(row[k] - ref[k]);
            reference += std::norm(ref[k]);
          }
        }
      }
    }
    EXPECT_LT(std::sqrt(difference / reference), 1e-4) << "channel estimate";
    std::size_t agree = 0;
    for (std::size_t i = 0; i < g; ++i) {
      agree += (gpu_llrs[i] >= 0.0F) == (cpu_llrs[i] >= 0.0F) ? 1 : 0;
    }
    EXPECT_GE(static_cast<double>(agree) / static_cast<double>(g), 0.9999) << "LLR signs";
  }
}

} // namespace
