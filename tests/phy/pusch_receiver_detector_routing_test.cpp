// PuschReceiver's routing of PT-RS, intra-slot hopping and DFT-s-OFDM PDUs beside a detector that
// mirrors the CPU front end: a detector that takes them itself (the CUDA front end,
// PuschDetector::tracks_ptrs_phase(), takes_frequency_hopping(), takes_transform_precoding())
// gets them, one that does not leaves them to the receiver's CPU front end; the slot's PDUs
// decode with the transmitted bits, from the grid and from IQ.
#include "../support/iq_detector.h"
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::detector_test_cell;

constexpr unsigned routing_slot_number = 3;
constexpr unsigned routing_rx = 2;

/// PDU \p index of the slot, one layer each: CP-OFDM PUSCHs, the first on PRBs 0 .. 11, the
/// second on PRBs 24 .. 47 with PT-RS on every symbol of every second PRB, the third on PRBs
/// 48 .. 51 with intra-slot frequency hopping; the fourth DFT-s-OFDM on PRBs 12 .. 23.
PuschConfig routing_pusch(unsigned index) {
  PuschConfig pusch;
  pusch.rnti = static_cast<std::uint16_t>(index + 1);
  pusch.bwp_size = 52;
  constexpr unsigned prb_starts[] = {0, 24, 48, 12};
  constexpr unsigned prb_sizes[] = {12, 24, 4, 12};
  pusch.prb_start = prb_starts[index];
  pusch.prb_size = prb_sizes[index];
  if (index == 3) {
    pusch.transform_precoding = true;
    pusch.mcs_table = McsTable::transform_precoding_qam64;
  }
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 16;
  pusch.ptrs.enabled = index == 1;
  pusch.intra_slot_hopping = index == 2;
  pusch.second_hop_prb_start = index == 2 ? 48 : 0;
  return pusch;
}

/// The detector tests' cell with one UE antenna port (one-layer PDUs without precoding).
CellConfig routing_cell() {
  CellConfig cell = detector_test_cell();
  cell.num_antenna_ports = 1;
  return cell;
}

struct RoutingSlot {
  std::vector<PuschConfig> pdus;
  std::vector<BitVector> tbs;
  ResourceGrid grid;
  std::vector<cf32> iq;
};

RoutingSlot make_routing_slot(const CellConfig& cell) {
  RoutingSlot slot;
  slot.pdus = {routing_pusch(0), routing_pusch(1), routing_pusch(2), routing_pusch(3)};
  PuschTransmitter transmitter(cell);
  std::mt19937_64 rng(5);
  auto tx_grid = transmitter.make_grid();
  for (const auto& pdu : slot.pdus) {
    EXPECT_EQ(pdu.validate(cell), "");
    BitVector tb(transmitter.transport_block_size(pdu));
    for (auto& b : tb) {
      b = static_cast<bit_t>(rng() & 1U);
    }
    transmitter.transmit(tb, pdu, routing_slot_number, tx_grid);
    slot.tbs.push_back(std::move(tb));
  }
  slot.grid = ResourceGrid(routing_rx, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  FlatMimoChannel::random_unitary(routing_rx, 1, 3)
      .apply(tx_grid, std::pow(10.0F, -2.5F), rng, slot.grid);
  const Numerology numerology = carrier_numerology(cell);
  OfdmModulator modulator(numerology, cell.num_prbs);
  const std::size_t samples = numerology.slot_length(routing_slot_number);
  slot.iq.resize(routing_rx * samples);
  for (unsigned rx = 0; rx < routing_rx; ++rx) {
    modulator.modulate_slot(slot.grid, rx, routing_slot_number,
                            std::span(slot.iq).subspan(rx * samples, samples));
  }
  return slot;
}

struct RoutingCounts {
  std::atomic<unsigned> loads{0};
  std::atomic<unsigned> grid_calls{0};
  std::atomic<unsigned> loaded_calls{0};
  void reset() { loads = grid_calls = loaded_calls = 0; }
};

/// A receiver config whose detectors mirror the CPU front end and, with \p takes_them, take
/// PT-RS, hopping and DFT-s-OFDM PDUs (else refuse DFT-s-OFDM ones).
PuschReceiverConfig routing_config(const CellConfig& cell, RoutingCounts& counts, bool takes_them) {
  PuschReceiverConfig config;
  config.num_rx_antennas = routing_rx;
  config.max_layers = 1;
  config.detector = [&cell, &counts, takes_them](const PuschFrontEndLimits& limits, unsigned) {
    return std::unique_ptr<PuschDetector>(std::make_unique<airan::test::IqDetector>(
        cell, routing_rx, limits, counts.loads, counts.grid_calls, counts.loaded_calls,
        /*refuses_dfts_ofdm=*/!takes_them, /*mirrors=*/true,
        /*takes_ptrs_hopping_uci=*/takes_them));
  };
  return config;
}

void expect_decoded(const std::vector<PuschPduResult>& results, const RoutingSlot& slot) {
  ASSERT_EQ(results.size(), slot.pdus.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(results[i].error, "");
    EXPECT_TRUE(results[i].tb_crc_ok);
    EXPECT_EQ(results[i].tb_bits, slot.tbs[i]);
  }
}

TEST(PuschReceiverDetectorRouting, ADetectorThatTakesPtrsHoppingAndDftsOfdmGetsThosePdus) {
  const CellConfig cell = routing_cell();
  const RoutingSlot slot = make_routing_slot(cell);
  RoutingCounts counts;
  PuschReceiver receiver(cell, routing_config(cell, counts, /*takes_them=*/true));
  std::vector<PuschPduResult> results;
  receiver.process_slot(slot.grid, routing_slot_number, slot.pdus, results);
  expect_decoded(results, slot);
  EXPECT_EQ(counts.grid_calls.load(), 4U) << "every PDU is the detector's";
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_GT(results[i].times.detection_us, 0.0);
    EXPECT_EQ(results[i].times.channel_estimation_us, 0.0);
  }
  // From IQ the detector alone demodulates the slot: no PDU needs the CPU front end.
  counts.reset();
  receiver.process_slot_iq(slot.iq, routing_slot_number, slot.pdus, results);
  expect_decoded(results, slot);
  EXPECT_EQ(counts.loads.load(), 1U);
  EXPECT_EQ(counts.loaded_calls.load(), 4U);
  EXPECT_EQ(counts.grid_calls.load(), 0U);
}

TEST(PuschReceiverDetectorRouting,
     PtrsHoppingAndDftsOfdmPdusRunOnTheCpuFrontEndBesideADetectorThatDoesNot) {
  const CellConfig cell = routing_cell();
  const RoutingSlot slot = make_routing_slot(cell);
  RoutingCounts counts;
  PuschReceiver receiver(cell, routing_config(cell, counts, /*takes_them=*/false));
  std::vector<PuschPduResult> results;
  receiver.process_slot(slot.grid, routing_slot_number, slot.pdus, results);
  expect_decoded(results, slot);
  EXPECT_EQ(counts.grid_calls.load(), 1U) << "the plain CP-OFDM PDU only";
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(results[i].times.detection_us, 0.0);
    EXPECT_GT(results[i].times.channel_estimation_us, 0.0); // the CPU front end's stages
  }
  counts.reset();
  receiver.process_slot_iq(slot.iq, routing_slot_number, slot.pdus, results);
  expect_decoded(results, slot);
  EXPECT_EQ(counts.loaded_calls.load(), 1U);
  EXPECT_EQ(counts.grid_calls.load(), 0U);
}

} // namespace
