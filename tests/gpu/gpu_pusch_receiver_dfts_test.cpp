// DFT-s-OFDM through phy::PuschReceiver with the CUDA detector and UL-SCH decoder: a slot of
// three transform-precoded PDUs (pi/2-BPSK with group hopping, 64-QAM with sequence hopping,
// 256-QAM with intra-slot hopping) decodes on the CPU receiver (everywhere) and, on a device,
// with every PDU on the CUDA front end (PuschDetector::takes_transform_precoding()), from IQ and
// from a grid. The device test skips without a CUDA device.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_detector.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/pusch_receiver.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;

bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

/// A slot of three DFT-s-OFDM PDUs on 4 antennas through TDL-A30 at 30 dB: 2 PRBs of pi/2-BPSK
/// with group hopping, 12 PRBs of 64-QAM with sequence hopping (v = 1 on its second DMRS symbol)
/// and 24 PRBs of 256-QAM (Table 5.1.3.1-2) hopping from PRB 14 to 28.
struct DftsReceiverSlot {
  airan::apps::LinkScenario scenario;
  std::vector<PuschConfig> pdus = std::vector<PuschConfig>(3);
  std::unique_ptr<airan::apps::SlotSimulator> simulator;

  DftsReceiverSlot() {
    scenario.cell.num_prbs = 52;
    scenario.num_rx_antennas = 4;
    scenario.channel.model = "TDL-A30";
    scenario.channel.max_doppler_hz = 10.0;
    scenario.channel.domain = airan::apps::ChannelDomain::time;
    const unsigned starts[] = {0, 2, 14};
    const unsigned sizes[] = {2, 12, 24};
    for (std::size_t i = 0; i < pdus.size(); ++i) {
      pdus[i].rnti = static_cast<std::uint16_t>(i + 1);
      pdus[i].bwp_size = 52;
      pdus[i].prb_start = starts[i];
      pdus[i].prb_size = sizes[i];
      pdus[i].num_dmrs_cdm_groups_no_data = 2;
      pdus[i].transform_precoding = true;
      pdus[i].mcs_table = McsTable::transform_precoding_qam64;
    }
    pdus[0].mcs_index = 1;
    pdus[0].tp_pi2bpsk = true;
    pdus[0].dmrs_hopping = LowPaprHopping::group;
    pdus[0].pusch_identity = 17;
    pdus[1].mcs_index = 20;
    pdus[1].dmrs_hopping = LowPaprHopping::sequence;
    pdus[1].pusch_identity = 3;
    pdus[2].mcs_table = McsTable::qam256;
    pdus[2].mcs_index = 20;
    pdus[2].intra_slot_hopping = true;
    pdus[2].second_hop_prb_start = 28;
    EXPECT_EQ(airan::apps::validate_link(scenario, pdus), "");
    simulator = std::make_unique<airan::apps::SlotSimulator>(scenario);
    simulator->simulate(pdus, 3, 2, 3, 1e-3F);
  }
  /// Expects every PDU of \p results to have decoded its TB.
  void expect_decoded(const std::vector<PuschPduResult>& results) const {
    ASSERT_EQ(results.size(), pdus.size());
    for (std::size_t i = 0; i < pdus.size(); ++i) {
      EXPECT_EQ(results[i].error, "") << "PDU " << i;
      EXPECT_TRUE(results[i].tb_crc_ok) << "PDU " << i;
      EXPECT_EQ(results[i].tb_bits, simulator->tb_bits(i)) << "PDU " << i;
    }
  }
};

// The DFT-s-OFDM slot decodes on the CPU receiver (runs without a device), so that the device
// test below shows the device's DMRS, equalization and deprecoding.
TEST(GpuPuschReceiverDfts, SlotDecodesOnTheCpu) {
  const DftsReceiverSlot slot;
  PuschReceiverConfig config;
  config.num_rx_antennas = 4;
  config.max_layers = 1;
  PuschReceiver receiver(slot.scenario.cell, config);
  std::vector<PuschPduResult> results;
  receiver.process_slot_iq(slot.simulator->received_iq(), slot.simulator->slot_number(), slot.pdus,
                           results);
  slot.expect_decoded(results);
}

// The DFT-s-OFDM slot through PuschReceiver with the CUDA detector and UL-SCH decoder: every PDU
// runs on the CUDA front end (detection time, no CPU channel estimation) and decodes, from IQ and
// from a grid.
TEST(GpuPuschReceiverDfts, OnTheDeviceFrontEndDecodes) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const DftsReceiverSlot slot;
  PuschReceiverConfig config;
  config.num_rx_antennas = 4;
  config.max_layers = 1;
  config.detector = airan::gpu::make_gpu_detector_factory(slot.scenario.cell, config.front_end, 0);
  config.ulsch_decoder = airan::gpu::make_gpu_ulsch_decoder_factory(0);
  PuschReceiver receiver(slot.scenario.cell, config);
  EXPECT_TRUE(receiver.takes_transform_precoding());
  std::vector<PuschPduResult> results;
  for (const bool from_iq : {true, false}) {
    SCOPED_TRACE(from_iq ? "IQ" : "grid");
    if (from_iq) {
      receiver.process_slot_iq(slot.simulator->received_iq(), slot.simulator->slot_number(),
                               slot.pdus, results);
    } else {
      receiver.process_slot(slot.simulator->received_grid(), slot.simulator->slot_number(),
                            slot.pdus, results);
    }
    slot.expect_decoded(results);
    for (std::size_t i = 0; i < results.size(); ++i) {
      EXPECT_GT(results[i].times.detection_us, 0.0) << "PDU " << i;
      EXPECT_EQ(results[i].times.channel_estimation_us, 0.0) << "PDU " << i;
    }
  }
}

} // namespace
