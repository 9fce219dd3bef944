// The CUDA receive path (GpuPuschFrontEnd and GpuUlschDecoder) against the CPU reference:
// - every conformance grid (committed set and ../shared set) decodes on the device, the LLRs
//   passed to the UL-SCH decoder in device memory;
// - 1000 generated noisy slots across MCS 0-27 (256-QAM table), 1-4 layers, 4 receive antennas,
//   TDL-A30/B100/C300 with random Doppler and PRB counts: LLR signs agree on at least 99.99% of
//   the bits and every TB has the same CRC outcome (issue 6), a quarter of those from 16-QAM up
//   with PT-RS through phase noise; and the device's UL-SCH decoding
//   of the device's descrambled LLRs equals the CPU decoder's of the same LLRs bit for bit;
// - a DFT-s-OFDM PDU beside a CP-OFDM one decodes through the CUDA front end (since 2026-12-06;
//   before, the receiver's CPU front end), a UCI PDU through it too, its LLRs demultiplexed on
//   the host (gpu_pusch_receiver_dfts_test.cpp: a whole slot of DFT-s-OFDM PDUs).
//   Skipped without a CUDA device.
#include "../support/conformance_dirs.h"
#include "airan/apps/conformance.h"
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_detector.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/mcs_table.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/ulsch_decoder.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace airan::phy;
using airan::test::ConformanceSet;

bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

void expect_conformance_on_device(ConformanceSet set) {
  const fs::path dir = airan::test::conformance_dir(set, "pusch");
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  AIRAN_REQUIRE_CONFORMANCE_DIR(set, dir);
  const auto result = airan::apps::run_pusch_rx_conformance(
      dir, &std::cout, [](const CellConfig& cell, PuschReceiverConfig& config) {
        config.detector = airan::gpu::make_gpu_detector_factory(cell, config.front_end, 0);
        config.ulsch_decoder = airan::gpu::make_gpu_ulsch_decoder_factory(0);
      });
  EXPECT_GT(result.cases.size(), 0U);
  for (const auto& c : result.cases) {
    EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
  }
}

TEST(GpuPuschReceiver, CommittedConformanceGridsDecodeOnTheDevice) {
  expect_conformance_on_device(ConformanceSet::committed);
}

TEST(GpuPuschReceiver, SharedConformanceGridsDecodeOnTheDevice) {
  expect_conformance_on_device(ConformanceSet::shared);
}

/// One generated slot: a random link and an SNR around the MCS's operating point.
struct SlotCase {
  unsigned prbs = 0;
  unsigned layers = 0;
  unsigned mcs = 0;
  std::string channel;
  double doppler_hz = 0;
  float snr_db = 0;
  bool linear_interpolation = false;
};

SlotCase random_slot_case(std::mt19937& rng) {
  static const std::array<unsigned, 5> prbs{8, 24, 51, 106, 273};
  static const std::array<const char*, 3> channels{"TDL-A30", "TDL-B100", "TDL-C300"};
  SlotCase c;
  c.prbs = prbs[rng() % (rng() % 8 == 0 ? prbs.size() : prbs.size() - 1)]; // 273: 1 in 8 or so
  c.layers = 1 + rng() % 4;
  c.mcs = rng() % 28;
  c.channel = channels[rng() % channels.size()];
  c.doppler_hz = std::uniform_real_distribution<double>(0.0, 400.0)(rng);
  c.linear_interpolation = rng() % 3 == 0;
  // Shannon SNR of the spectral efficiency per layer, plus a margin from -1 to +9 dB and a layer
  // penalty: some TBs fail, most decode.
  const McsEntry entry = mcs_entry(McsTable::qam256, c.mcs);
  const double efficiency = entry.spectral_efficiency;
  c.snr_db =
      static_cast<float>(10.0 * std::log10(std::pow(2.0, efficiency) - 1.0) + 3.0 * (c.layers - 1) +
                         std::uniform_real_distribution<double>(-1.0, 9.0)(rng));
  return c;
}

/// Slot \p n's link of the thousand-slot test: case \p c on \p rx antennas; every fourth slot from
/// 16-QAM up carries PT-RS (tracked on the device since 2026-12-06) through 100 Hz of oscillator
/// phase noise, the other slots' draws as they were.
struct NoisyLink {
  airan::apps::LinkScenario scenario;
  PuschConfig pusch;
};

NoisyLink noisy_link(const SlotCase& c, unsigned n, unsigned rx) {
  NoisyLink link;
  airan::apps::LinkScenario& scenario = link.scenario;
  PuschConfig& pusch = link.pusch;
  scenario.cell.num_prbs = c.prbs;
  scenario.cell.num_antenna_ports = c.layers == 3 ? 4 : c.layers; // ports: 1, 2 or 4
  scenario.num_rx_antennas = rx;
  scenario.channel.model = c.channel;
  scenario.channel.max_doppler_hz = c.doppler_hz;
  pusch.bwp_size = c.prbs;
  pusch.prb_size = c.prbs;
  pusch.num_layers = c.layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = c.mcs;
  pusch.mcs_table = McsTable::qam256;
  pusch.rnti = static_cast<std::uint16_t>(0x100 + n);
  if (c.layers == 3) { // a 4-port UE with codebook precoding (TPMI 0)
    pusch.precoding = PuschPrecoding::codebook;
    pusch.tpmi = 0;
  }
  if (n % 4 == 3 && c.mcs >= 10) {
    pusch.ptrs.enabled = true;
    pusch.ptrs.time_density = 1U << (n / 4 % 3); // 1, 2, 4
    scenario.channel.phase_noise_linewidth_hz = 100.0;
  }
  return link;
}

// Every slot of the thousand-slot test below is a link the transmitter and the CPU receiver
// accept (runs without a device).
TEST(GpuPuschReceiver, ThousandNoisySlotsAreValidLinks) {
  std::mt19937 rng(2026);
  unsigned ptrs_slots = 0;
  for (unsigned n = 0; n < 1000; ++n) {
    const NoisyLink link = noisy_link(random_slot_case(rng), n, 4);
    ASSERT_EQ(airan::apps::validate_link(link.scenario, std::span(&link.pusch, 1)), "")
        << "slot " << n;
    ptrs_slots += link.pusch.ptrs.enabled ? 1U : 0U;
  }
  EXPECT_GT(ptrs_slots, 150U);
}

TEST(GpuPuschReceiver, ThousandNoisySlotsAgreeWithTheCpuReference) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  constexpr unsigned num_slots = 1000;
  constexpr unsigned rx = 4;
  std::mt19937 rng(2026);
  std::size_t bits = 0;
  std::size_t signs_agree = 0;
  unsigned tbs_ok = 0;
  unsigned tbs_failed = 0;
  std::array<unsigned, 5> layer_count{};
  unsigned ptrs_slots = 0;
  auto cpu_decoder = create_ulsch_decoder(1500000);
  constexpr std::size_t soft_bits = 4000000; // C N_cb of the largest TB of the cases
  auto harq_memory = std::make_shared<airan::gpu::GpuHarqSoftMemory>(1, soft_bits, 0);
  HarqBufferPool harq(1, soft_bits, HarqStorage::external);
  HarqBufferPool cpu_harq(1, soft_bits); // both sides decode as a first HARQ transmission
  airan::gpu::GpuUlschDecoder gpu_decoder(1500000, harq_memory, 0);
  for (unsigned n = 0; n < num_slots; ++n) {
    const SlotCase c = random_slot_case(rng);
    SCOPED_TRACE("slot " + std::to_string(n) + ": " + std::to_string(c.prbs) + " PRB, " +
                 std::to_string(c.layers) + " layers, MCS " + std::to_string(c.mcs) + ", " +
                 c.channel + ", " + std::to_string(c.snr_db) + " dB");
    const NoisyLink link = noisy_link(c, n, rx);
    const airan::apps::LinkScenario& scenario = link.scenario;
    const PuschConfig& pusch = link.pusch;
    ptrs_slots += pusch.ptrs.enabled ? 1U : 0U;
    ASSERT_EQ(airan::apps::validate_link(scenario, std::span(&pusch, 1)), "");
    ++layer_count[c.layers];

    airan::apps::SlotSimulator simulator(scenario);
    simulator.simulate(std::span(&pusch, 1), n, 1000 + n, 5000 + n,
                       std::pow(10.0F, -c.snr_db / 10.0F));
    const unsigned slot = simulator.slot_number();
    const ResourceGrid& grid = simulator.received_grid();
    PuschFrontEndOptions options;
    if (c.linear_interpolation) {
      options.estimator.frequency_interpolation = FrequencyInterpolation::linear;
      options.estimator.compensate_delay = false;
    }
    const std::size_t g = pusch_coded_bits(scenario.cell, pusch);
    std::vector<float> cpu_llrs(g);
    std::vector<float> gpu_llrs(g);
    PuschFrontEnd cpu({rx, 4, c.prbs});
    cpu.process(grid, scenario.cell, pusch, slot, options, cpu_llrs);
    airan::gpu::GpuPuschFrontEnd gpu(scenario.cell, {rx, 4, c.prbs});
    gpu.process_grid(grid, pusch, slot, options, gpu_llrs);
    std::size_t agree = 0;
    for (std::size_t i = 0; i < g; ++i) {
      agree += (gpu_llrs[i] >= 0.0F) == (cpu_llrs[i] >= 0.0F) ? 1 : 0;
    }
    EXPECT_GE(static_cast<double>(agree), 0.999 * static_cast<double>(g));
    bits += g;
    signs_agree += agree;

    // The CPU decoder on the CPU LLRs; the GPU UL-SCH decoder on the device's LLRs, descrambled
    // on the device and read there, which must equal the CPU decoder on the same LLRs.
    const std::uint32_t tbs = compute_pusch_tbs(scenario.cell, pusch);
    UlschDecoderConfig cfg;
    cfg.coding = ulsch_coding_config(pusch, tbs, static_cast<std::uint32_t>(g));
    const std::uint32_t c_init = pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id);
    descramble_llrs(cpu_llrs, c_init);
    descramble_llrs(gpu_llrs, c_init);
    gpu.descramble(c_init);
    gpu.synchronize();
    BitVector cpu_tb(tbs);
    BitVector gpu_tb(tbs);
    BitVector same_llrs_tb(tbs);
    const HarqProcessKey key{pusch.rnti, 0};
    const auto a = cpu_decoder->decode(cpu_llrs, cfg, cpu_harq.acquire(key, true), cpu_tb);
    const auto b =
        gpu_decoder.decode_device({gpu.device_llrs(), g, 0}, cfg, harq.acquire(key, true), gpu_tb);
    const auto same_llrs =
        cpu_decoder->decode(gpu_llrs, cfg, cpu_harq.acquire(key, true), same_llrs_tb);
    harq.release(key);
    cpu_harq.release(key);
    EXPECT_EQ(a.tb_crc_ok, b.tb_crc_ok) << "TB CRC outcome differs";
    EXPECT_EQ(b.tb_crc_ok, same_llrs.tb_crc_ok);
    EXPECT_EQ(b.code_block_crc_ok, same_llrs.code_block_crc_ok);
    EXPECT_EQ(b.mean_ldpc_iterations, same_llrs.mean_ldpc_iterations);
    EXPECT_EQ(gpu_tb, same_llrs_tb);
    if (a.tb_crc_ok) {
      EXPECT_EQ(cpu_tb, simulator.tb_bits(0));
      ++tbs_ok;
    } else {
      ++tbs_failed;
    }
  }
  std::printf("%u slots (layers 1-4: %u %u %u %u; %u with PT-RS): %zu of %zu LLR signs agree "
              "(%.5f%%), TBs %u decoded / %u failed on the CPU\n",
              num_slots, layer_count[1], layer_count[2], layer_count[3], layer_count[4], ptrs_slots,
              signs_agree, bits, 100.0 * static_cast<double>(signs_agree) / bits, tbs_ok,
              tbs_failed);
  EXPECT_GE(static_cast<double>(signs_agree), 0.9999 * static_cast<double>(bits));
  EXPECT_GT(tbs_ok, num_slots / 2);
  EXPECT_GT(tbs_failed, 10U);
}

// A slot of a CP-OFDM PDU, a DFT-s-OFDM one and one with UCI through PuschReceiver on the device:
// the CUDA front end takes all three (PuschDetector::takes_transform_precoding(),
// takes_uci_on_pusch(): the UCI PDU's LLRs go to the host, where the receiver demultiplexes
// them), the device UL-SCH decoder decodes all; from IQ and from a grid.
TEST(GpuPuschReceiver, DftsOfdmAndUciBesideTheDeviceFrontEndDecode) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  airan::apps::LinkScenario scenario;
  scenario.cell.num_prbs = 52;
  scenario.cell.num_antenna_ports = 2;
  scenario.num_rx_antennas = 4;
  scenario.channel.model = "TDL-A30";
  scenario.channel.max_doppler_hz = 10.0;
  scenario.channel.domain = airan::apps::ChannelDomain::time; // IQ for process_slot_iq()
  std::vector<PuschConfig> pdus(2);
  pdus[0].rnti = 1;
  pdus[0].bwp_size = 52;
  pdus[0].prb_size = 20;
  pdus[0].num_layers = 2;
  pdus[0].dmrs_ports = 0x3;
  pdus[0].num_dmrs_cdm_groups_no_data = 2;
  pdus[0].mcs_index = 16;
  pdus[1].rnti = 2;
  pdus[1].bwp_size = 52;
  pdus[1].prb_start = 20;
  pdus[1].prb_size = 25;
  pdus[1].num_layers = 1;
  pdus[1].precoding = PuschPrecoding::codebook;
  pdus[1].num_dmrs_cdm_groups_no_data = 2;
  pdus[1].transform_precoding = true;
  pdus[1].mcs_table = McsTable::transform_precoding_qam64;
  pdus[1].mcs_index = 14;
  pdus[1].pusch_identity = 7;
  // UCI on PUSCH (HARQ-ACK, CSI part 1 and a polar-coded CSI part 2): demultiplexed from host
  // LLRs, which the CUDA front end hands over for this PDU; its UL-SCH is decoded on the device.
  pdus.push_back(pdus[1]);
  pdus[2].rnti = 3;
  pdus[2].prb_start = 45;
  pdus[2].prb_size = 7;
  pdus[2].transform_precoding = false;
  pdus[2].mcs_table = McsTable::qam64;
  pdus[2].mcs_index = 12;
  pdus[2].uci = {2, 6, 20, 3, 9, 9, 9};
  ASSERT_EQ(airan::apps::validate_link(scenario, pdus), "");
  airan::apps::SlotSimulator simulator(scenario);
  simulator.simulate(pdus, 1, 2, 3, std::pow(10.0F, -2.5F), 4);
  PuschReceiverConfig config;
  config.num_rx_antennas = 4;
  config.max_layers = 2;
  config.detector = airan::gpu::make_gpu_detector_factory(scenario.cell, config.front_end, 0);
  config.ulsch_decoder = airan::gpu::make_gpu_ulsch_decoder_factory(0);
  PuschReceiver receiver(scenario.cell, config);
  EXPECT_TRUE(receiver.takes_transform_precoding());
  EXPECT_TRUE(receiver.takes_uci());
  std::vector<PuschPduResult> results;
  for (const bool from_iq : {true, false}) {
    SCOPED_TRACE(from_iq ? "IQ" : "grid");
    if (from_iq) {
      receiver.process_slot_iq(simulator.received_iq(), simulator.slot_number(), pdus, results);
    } else {
      receiver.process_slot(simulator.received_grid(), simulator.slot_number(), pdus, results);
    }
    ASSERT_EQ(results.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(results[i].error, "") << "PDU " << i;
      EXPECT_TRUE(results[i].tb_crc_ok) << "PDU " << i;
      EXPECT_EQ(results[i].tb_bits, simulator.tb_bits(i)) << "PDU " << i;
    }
    EXPECT_GT(results[0].times.detection_us, 0.0);          // the CUDA front end
    EXPECT_GT(results[1].times.detection_us, 0.0);          // the CUDA front end (DFT-s-OFDM)
    EXPECT_EQ(results[1].times.channel_estimation_us, 0.0); // not the CPU front end
    EXPECT_GT(results[2].times.detection_us, 0.0);          // the CUDA front end (UCI)
    EXPECT_EQ(results[2].times.channel_estimation_us, 0.0); // not the CPU front end
    EXPECT_EQ(results[2].uci.harq_ack, simulator.uci_bits(2).harq_ack);
    EXPECT_EQ(results[2].uci.csi_part1, simulator.uci_bits(2).csi_part1);
    EXPECT_TRUE(results[2].uci.csi_part2_detected); // its CRC11 held
    EXPECT_EQ(results[2].uci.csi_part2, simulator.uci_bits(2).csi_part2);
  }
}

/// A slot of two 26-PRB PDUs on 2 antennas through TDL-A30 with 300 Hz of oscillator phase noise:
/// QPSK without PT-RS, then 64-QAM with PT-RS on every symbol of every second PRB.
struct PtrsReceiverSlot {
  airan::apps::LinkScenario scenario;
  std::vector<PuschConfig> pdus = std::vector<PuschConfig>(2);
  std::unique_ptr<airan::apps::SlotSimulator> simulator;

  PtrsReceiverSlot() {
    scenario.cell.num_prbs = 52;
    scenario.num_rx_antennas = 2;
    scenario.channel.model = "TDL-A30";
    scenario.channel.max_doppler_hz = 10.0;
    scenario.channel.phase_noise_linewidth_hz = 300.0;
    scenario.channel.domain = airan::apps::ChannelDomain::time;
    for (std::size_t i = 0; i < pdus.size(); ++i) {
      pdus[i].rnti = static_cast<std::uint16_t>(i + 1);
      pdus[i].bwp_size = 52;
      pdus[i].prb_start = 26 * static_cast<unsigned>(i);
      pdus[i].prb_size = 26;
      pdus[i].num_dmrs_cdm_groups_no_data = 2;
    }
    pdus[0].mcs_index = 5;  // QPSK: no PT-RS needed
    pdus[1].mcs_index = 20; // 64-QAM with PT-RS
    pdus[1].ptrs.enabled = true;
    EXPECT_EQ(airan::apps::validate_link(scenario, pdus), "");
    simulator = std::make_unique<airan::apps::SlotSimulator>(scenario);
    simulator->simulate(pdus, 1, 2, 3, std::pow(10.0F, -2.6F), 4);
  }
  /// A receiver config for the slot (the CPU's; the caller adds the device stages).
  [[nodiscard]] static PuschReceiverConfig config(bool track_phase) {
    PuschReceiverConfig config;
    config.num_rx_antennas = 2;
    config.max_layers = 1;
    config.front_end.track_phase = track_phase;
    return config;
  }
};

// The slot needs the tracking (runs without a device): on the CPU receiver the PT-RS PDU decodes
// with it and fails without it, so the device test below shows the device's tracking works.
TEST(GpuPuschReceiver, PtrsSlotNeedsThePhaseTracking) {
  const PtrsReceiverSlot slot;
  for (const bool track : {true, false}) {
    SCOPED_TRACE(track ? "tracked" : "untracked");
    PuschReceiver receiver(slot.scenario.cell, PtrsReceiverSlot::config(track));
    std::vector<PuschPduResult> results;
    receiver.process_slot_iq(slot.simulator->received_iq(), slot.simulator->slot_number(),
                             slot.pdus, results);
    ASSERT_EQ(results.size(), 2U);
    EXPECT_TRUE(results[0].tb_crc_ok);
    EXPECT_EQ(results[1].tb_crc_ok, track);
  }
}

// PT-RS on the CUDA front end: it tracks the phase (ptrs_phase_elements.h), so the PT-RS PDU of
// that slot runs on the device beside the PDU without PT-RS and decodes through the phase noise.
TEST(GpuPuschReceiver, PtrsOnTheDeviceFrontEndDecodes) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const PtrsReceiverSlot slot;
  PuschReceiverConfig config = PtrsReceiverSlot::config(true);
  config.detector = airan::gpu::make_gpu_detector_factory(slot.scenario.cell, config.front_end, 0);
  config.ulsch_decoder = airan::gpu::make_gpu_ulsch_decoder_factory(0);
  PuschReceiver receiver(slot.scenario.cell, config);
  std::vector<PuschPduResult> results;
  receiver.process_slot_iq(slot.simulator->received_iq(), slot.simulator->slot_number(), slot.pdus,
                           results);
  ASSERT_EQ(results.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(results[i].error, "") << "PDU " << i;
    EXPECT_TRUE(results[i].tb_crc_ok) << "PDU " << i;
    EXPECT_EQ(results[i].tb_bits, slot.simulator->tb_bits(i)) << "PDU " << i;
  }
  EXPECT_GT(results[0].times.detection_us, 0.0); // the CUDA front end
  EXPECT_GT(results[1].times.detection_us, 0.0); // the CUDA front end, PT-RS tracked
  EXPECT_EQ(results[1].times.channel_estimation_us, 0.0);
}

} // namespace
