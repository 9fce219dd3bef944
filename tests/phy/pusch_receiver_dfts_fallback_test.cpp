// PuschReceiver beside a detector that mirrors the CPU front end (the CUDA front end, which takes
// CP-OFDM only): DFT-s-OFDM PDUs run through the receiver's CPU front end, CP-OFDM ones through the
// detector, and both decode as the receiver without a detector decodes them; from IQ the detector
// demodulates every slot itself, and the CPU demodulates those with a DFT-s-OFDM PDU as well.
// Behind a detector that does not mirror (the neural receiver) the DFT-s-OFDM PDU is the detector's
// to refuse.
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

constexpr unsigned fallback_slot_number = 6;
constexpr unsigned num_rx = 4;

/// Two layers on PRBs 0 .. 19 (CP-OFDM).
PuschConfig cp_ofdm_pusch() {
  PuschConfig pusch;
  pusch.rnti = 1;
  pusch.bwp_size = 52;
  pusch.prb_size = 20;
  pusch.dmrs_ports = 0x3;
  pusch.num_layers = 2;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 16;
  return pusch;
}

/// One DFT-s-OFDM layer on PRBs 20 .. 44 (25 = 5^2), through the 2-port UE's precoder.
PuschConfig dfts_ofdm_pusch() {
  PuschConfig pusch;
  pusch.rnti = 2;
  pusch.bwp_size = 52;
  pusch.prb_start = 20;
  pusch.prb_size = 25;
  pusch.dmrs_ports = 0x1;
  pusch.num_layers = 1;
  pusch.precoding = PuschPrecoding::codebook;
  pusch.tpmi = 0;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.transform_precoding = true;
  pusch.mcs_table = McsTable::transform_precoding_qam64;
  pusch.mcs_index = 14;
  pusch.pusch_identity = 7;
  return pusch;
}

struct FallbackSlot {
  std::vector<PuschConfig> pdus;
  std::vector<BitVector> tbs;
  ResourceGrid grid;
  std::vector<cf32> iq;
};

FallbackSlot make_fallback_slot(const CellConfig& cell) {
  FallbackSlot slot;
  slot.pdus = {cp_ofdm_pusch(), dfts_ofdm_pusch()};
  for (const PuschConfig& pdu : slot.pdus) {
    EXPECT_EQ(pdu.validate(cell), "");
  }
  PuschTransmitter transmitter(cell);
  std::mt19937_64 rng(11);
  auto tx_grid = transmitter.make_grid();
  for (const auto& pdu : slot.pdus) {
    BitVector tb(transmitter.transport_block_size(pdu));
    for (auto& b : tb) {
      b = static_cast<bit_t>(rng() & 1U);
    }
    transmitter.transmit(tb, pdu, fallback_slot_number, tx_grid);
    slot.tbs.push_back(std::move(tb));
  }
  slot.grid = ResourceGrid(num_rx, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  FlatMimoChannel::random_unitary(num_rx, 2, 8)
      .apply(tx_grid, std::pow(10.0F, -2.5F), rng, slot.grid);
  const Numerology numerology = carrier_numerology(cell);
  OfdmModulator modulator(numerology, cell.num_prbs);
  const std::size_t samples = numerology.slot_length(fallback_slot_number);
  slot.iq.resize(num_rx * samples);
  for (unsigned rx = 0; rx < num_rx; ++rx) {
    modulator.modulate_slot(slot.grid, rx, fallback_slot_number,
                            std::span(slot.iq).subspan(rx * samples, samples));
  }
  return slot;
}

struct Counts {
  std::atomic<unsigned> loads{0};
  std::atomic<unsigned> grid_calls{0};
  std::atomic<unsigned> loaded_calls{0};
  void reset() { loads = grid_calls = loaded_calls = 0; }
};

PuschReceiverConfig receiver_config(const CellConfig& cell, Counts& counts, bool mirrors) {
  PuschReceiverConfig config;
  config.num_rx_antennas = num_rx;
  config.max_layers = 2;
  config.detector = [&cell, &counts, mirrors](const PuschFrontEndLimits& limits, unsigned) {
    return std::unique_ptr<PuschDetector>(std::make_unique<airan::test::IqDetector>(
        cell, num_rx, limits, counts.loads, counts.grid_calls, counts.loaded_calls,
        /*refuses_dfts_ofdm=*/true, mirrors));
  };
  return config;
}

/// Both PDUs decoded with the transmitted bits; on the grid \p plain had (not \p slot's IQ
/// demodulated again), with its LDPC iterations, and the DFT-s-OFDM PDU (the CPU front end's, as
/// in the plain receiver) with its measurements too.
void expect_decoded_as(const std::vector<PuschPduResult>& got,
                       const std::vector<PuschPduResult>& plain, const FallbackSlot& slot,
                       bool same_grid) {
  ASSERT_EQ(got.size(), slot.pdus.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].error, "");
    EXPECT_TRUE(got[i].tb_crc_ok);
    EXPECT_EQ(got[i].tb_bits, slot.tbs[i]);
    if (!same_grid) {
      continue;
    }
    EXPECT_EQ(got[i].decoding.mean_ldpc_iterations, plain[i].decoding.mean_ldpc_iterations);
    if (slot.pdus[i].transform_precoding) {
      EXPECT_EQ(got[i].measurements.sinr_db, plain[i].measurements.sinr_db);
      EXPECT_EQ(got[i].measurements.noise_variance, plain[i].measurements.noise_variance);
    }
  }
}

TEST(PuschReceiverDftsFallback, DftsOfdmBesideAMirroringDetectorRunsOnTheCpuFrontEnd) {
  const CellConfig cell = detector_test_cell();
  const FallbackSlot slot = make_fallback_slot(cell);
  PuschReceiverConfig plain_config;
  plain_config.num_rx_antennas = num_rx;
  plain_config.max_layers = 2;
  PuschReceiver plain(cell, plain_config);
  EXPECT_TRUE(plain.takes_transform_precoding());
  std::vector<PuschPduResult> reference;
  plain.process_slot(slot.grid, fallback_slot_number, slot.pdus, reference);

  Counts counts;
  PuschReceiver receiver(cell, receiver_config(cell, counts, /*mirrors=*/true));
  EXPECT_TRUE(receiver.takes_transform_precoding());
  std::vector<PuschPduResult> results;
  receiver.process_slot(slot.grid, fallback_slot_number, slot.pdus, results);
  expect_decoded_as(results, reference, slot, /*same_grid=*/true);
  EXPECT_EQ(counts.grid_calls.load(), 1U) << "the detector gets the CP-OFDM PDU only";
  EXPECT_GT(results[0].times.detection_us, 0.0);
  EXPECT_EQ(results[1].times.detection_us, 0.0);
  EXPECT_GT(results[1].times.channel_estimation_us, 0.0); // the CPU front end's stages

  // IQ: the detector demodulates the slot for its PDU, and with a DFT-s-OFDM PDU the CPU does
  // too, for the CPU front end's; a slot without one goes to the detector alone.
  counts.reset();
  receiver.process_slot_iq(slot.iq, fallback_slot_number, slot.pdus, results);
  expect_decoded_as(results, reference, slot, /*same_grid=*/false);
  EXPECT_EQ(counts.loads.load(), 1U);
  EXPECT_EQ(counts.loaded_calls.load(), 1U);
  EXPECT_EQ(counts.grid_calls.load(), 0U);
  counts.reset();
  receiver.process_slot_iq(slot.iq, fallback_slot_number, std::span(slot.pdus.data(), 1), results);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_TRUE(results[0].tb_crc_ok);
  EXPECT_EQ(counts.loads.load(), 1U);
  EXPECT_EQ(counts.loaded_calls.load(), 1U);
  EXPECT_EQ(counts.grid_calls.load(), 0U);
  // Only the DFT-s-OFDM PDU: the detector is not given the slot at all.
  counts.reset();
  receiver.process_slot_iq(slot.iq, fallback_slot_number, std::span(slot.pdus.data() + 1, 1),
                           results);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_TRUE(results[0].tb_crc_ok);
  EXPECT_EQ(counts.loads.load() + counts.loaded_calls.load() + counts.grid_calls.load(), 0U);
}

TEST(PuschReceiverDftsFallback, ADetectorThatDoesNotMirrorRefusesDftsOfdm) {
  const CellConfig cell = detector_test_cell();
  const FallbackSlot slot = make_fallback_slot(cell);
  Counts counts;
  PuschReceiver receiver(cell, receiver_config(cell, counts, /*mirrors=*/false));
  EXPECT_FALSE(receiver.takes_transform_precoding());
  std::vector<PuschPduResult> results;
  receiver.process_slot_iq(slot.iq, fallback_slot_number, slot.pdus, results);
  ASSERT_EQ(results.size(), 2U);
  EXPECT_TRUE(results[0].tb_crc_ok);
  EXPECT_FALSE(results[1].tb_crc_ok);
  EXPECT_NE(results[1].error.find("CP-OFDM only"), std::string::npos) << results[1].error;
  EXPECT_EQ(counts.loads.load(), 1U); // the detector demodulated the slot itself
  EXPECT_EQ(counts.loaded_calls.load(), 2U);
}

} // namespace
