// Test support for gpu_cell_group_test: three cells of different sizes with their PDUs (one with
// PT-RS, one with intra-slot hopping, one DFT-s-OFDM), slot IQ
// through a random unitary channel, a CUDA receiver per cell as the reference, the comparison
// of two PDU results, and a HARQ process whose new data is refused between two transmissions.
#pragma once

#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_cell_group.h"
#include "airan/gpu/gpu_pusch_detector.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace cell_group_test {

using namespace airan::phy;
using airan::gpu::GpuCellConfig;

inline bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

struct CellSetup {
  GpuCellConfig config;
  std::vector<PuschConfig> pdus;
  float snr_db;
};

inline PuschConfig make_pdu(std::uint16_t rnti, unsigned bwp, unsigned start, unsigned size,
                            unsigned layers, unsigned mcs) {
  PuschConfig pdu;
  pdu.rnti = rnti;
  pdu.handle = rnti;
  pdu.bwp_size = bwp;
  pdu.prb_start = start;
  pdu.prb_size = size;
  pdu.num_layers = layers;
  pdu.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1);
  pdu.num_dmrs_cdm_groups_no_data = 2;
  pdu.dmrs_scrambling_id = 7;
  pdu.data_scrambling_id = 7;
  pdu.mcs_index = mcs;
  return pdu;
}

/// \p pdu (one layer) made transform-precoded (DFT-s-OFDM, TS 38.211 6.3.1.4): the MCS of
/// TS 38.214 Table 6.1.4.1-1 of the same index, the low-PAPR DMRS of group \p pusch_identity
/// mod 30 with group hopping.
inline void make_transform_precoded(PuschConfig& pdu, std::uint16_t pusch_identity) {
  pdu.transform_precoding = true;
  pdu.mcs_table = McsTable::transform_precoding_qam64;
  pdu.pusch_identity = pusch_identity;
  pdu.dmrs_hopping = LowPaprHopping::group;
}

inline std::vector<CellSetup> make_cells(float snr_offset_db) {
  std::vector<CellSetup> cells(3);
  const unsigned prbs[] = {52, 106, 24};
  const unsigned layers[] = {2, 1, 2};
  for (unsigned c = 0; c < 3; ++c) {
    GpuCellConfig& config = cells[c].config;
    config.cell.num_prbs = prbs[c];
    config.cell.numerology = 1;
    config.cell.n_cell_id = 10 + c;
    config.cell.num_antenna_ports = layers[c];
    config.num_rx_antennas = 4;
    config.max_layers = layers[c];
    config.max_pdus = 4;
  }
  cells[0].pdus = {make_pdu(1, 52, 0, 20, 2, 20), make_pdu(2, 52, 20, 32, 2, 12)};
  cells[1].pdus = {make_pdu(3, 106, 0, 50, 1, 16), make_pdu(4, 106, 50, 30, 1, 24),
                   make_pdu(5, 106, 80, 26, 1, 6)};
  cells[2].pdus = {make_pdu(6, 24, 0, 12, 2, 18)};
  // Intra-slot frequency hopping (each hop estimated on the device since 2026-12-06).
  cells[2].pdus[0].intra_slot_hopping = true;
  cells[2].pdus[0].second_hop_prb_start = 12;
  // PT-RS on one PDU (tracked on the device since 2026-12-06, also in the batched front end).
  cells[1].pdus[1].ptrs.enabled = true;
  // DFT-s-OFDM on one PDU (50 PRBs, 16-QAM; deprecoded on the device since 2026-12-06, also in
  // the batched front end beside the other cells' CP-OFDM PDUs).
  make_transform_precoded(cells[1].pdus[0], 11);
  cells[0].snr_db = 12.0F + snr_offset_db;
  cells[1].snr_db = 11.0F + snr_offset_db;
  cells[2].snr_db = 10.0F + snr_offset_db;
  return cells;
}

/// A TB of random bits (from \p rng) for each PDU of \p pdus in \p cell.
inline std::vector<BitVector>
random_tbs(const CellConfig& cell, const std::vector<PuschConfig>& pdus, std::mt19937_64& rng) {
  PuschTransmitter transmitter(cell);
  std::vector<BitVector> tbs;
  for (const auto& pdu : pdus) {
    tbs.emplace_back(transmitter.transport_block_size(pdu));
    for (auto& bit : tbs.back()) {
      bit = static_cast<bit_t>(rng() & 1U);
    }
  }
  return tbs;
}

/// One slot of \p setup: the TBs (by PDU) at redundancy version \p rv through a random unitary
/// channel with noise, as time-domain IQ.
inline std::vector<cf32> make_slot_iq(const CellSetup& setup, std::vector<PuschConfig>& pdus,
                                      const std::vector<BitVector>& tbs, unsigned slot,
                                      unsigned seed) {
  const CellConfig& cell = setup.config.cell;
  PuschTransmitter transmitter(cell);
  auto tx_grid = transmitter.make_grid();
  for (std::size_t p = 0; p < pdus.size(); ++p) {
    transmitter.transmit(tbs[p], pdus[p], slot, tx_grid);
  }
  std::mt19937_64 rng(seed);
  ResourceGrid rx_grid(4, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  FlatMimoChannel::random_unitary(4, cell.num_antenna_ports, seed)
      .apply(tx_grid, std::pow(10.0F, -setup.snr_db / 10.0F), rng, rx_grid);
  const Numerology numerology = carrier_numerology(cell);
  OfdmModulator modulator(numerology, cell.num_prbs);
  const std::size_t samples = numerology.slot_length(slot);
  std::vector<cf32> iq(4 * samples);
  for (unsigned rx = 0; rx < 4; ++rx) {
    modulator.modulate_slot(rx_grid, rx, slot, std::span(iq).subspan(rx * samples, samples));
  }
  return iq;
}

inline void expect_same(const PuschPduResult& got, const PuschPduResult& expected) {
  EXPECT_EQ(got.error, expected.error);
  EXPECT_EQ(got.tb_crc_ok, expected.tb_crc_ok);
  EXPECT_EQ(got.tb_bytes, expected.tb_bytes);
  EXPECT_EQ(got.decoding.code_block_crc_ok, expected.decoding.code_block_crc_ok);
  EXPECT_EQ(got.decoding.mean_ldpc_iterations, expected.decoding.mean_ldpc_iterations);
  EXPECT_EQ(got.decoding.num_transmissions, expected.decoding.num_transmissions);
  EXPECT_EQ(got.measurements.noise_variance, expected.measurements.noise_variance);
  EXPECT_EQ(got.measurements.sinr_db, expected.measurements.sinr_db);
}

/// A PuschReceiver with the CUDA detector and UL-SCH decoder (`--backend cuda`) for \p config.
inline std::unique_ptr<PuschReceiver> make_cuda_receiver(const GpuCellConfig& config) {
  PuschReceiverConfig rx;
  rx.num_rx_antennas = config.num_rx_antennas;
  rx.max_layers = config.max_layers;
  rx.front_end = config.front_end;
  rx.detector = airan::gpu::make_gpu_detector_factory(config.cell, rx.front_end, 0);
  rx.ulsch_decoder = airan::gpu::make_gpu_ulsch_decoder_factory(0);
  return std::make_unique<PuschReceiver>(config.cell, rx);
}

/// The PDU of run_refused_new_data(): 20 PRBs, 2 layers, QPSK, HARQ process 3.
inline PuschConfig refused_new_data_pdu() {
  PuschConfig pdu = make_pdu(1, 52, 0, 20, 2, 6);
  pdu.harq_process_id = 3;
  return pdu;
}

/// Per slot of run_refused_new_data(): the group's result and the reference's.
struct RefusedNewDataResults {
  std::vector<PuschPduResult> group;
  std::vector<PuschPduResult> reference; ///< Empty without a reference.
};

/// One HARQ process over three slots of \p setup's cell, one PDU a slot: new data TB 1 at an SNR
/// where it fails, new data TB 2 in the PDU \p refused (which a receiver refuses; TB 2 is sent
/// as refused_new_data_pdu()), then TB 2's retransmission (NDI not toggled, rv 0) at a high SNR.
/// Each slot goes through \p group and \p reference (null: none); with \p pipelined, slots 0 and
/// 1 are both in flight in the group (its cell has two slots in flight) before either is
/// collected.
inline RefusedNewDataResults run_refused_new_data(airan::gpu::GpuCellGroup& group,
                                                  PuschReceiver* reference, CellSetup setup,
                                                  const PuschConfig& refused,
                                                  bool pipelined = false) {
  const PuschConfig sent = refused_new_data_pdu();
  std::mt19937_64 rng(31);
  const std::vector<BitVector> tb1 = random_tbs(setup.config.cell, {sent}, rng);
  const std::vector<BitVector> tb2 = random_tbs(setup.config.cell, {sent}, rng);
  PuschConfig retransmission = sent;
  retransmission.new_data_indicator = false;
  struct Slot {
    PuschConfig pdu;
    const std::vector<BitVector>* tbs;
    float snr_db;
  };
  const Slot slots[] = {
      {sent, &tb1, -10.0F}, {refused, &tb2, 20.0F}, {retransmission, &tb2, 20.0F}};
  std::vector<std::vector<cf32>> iqs(3);
  std::vector<std::vector<PuschConfig>> pdus(3);
  std::vector<airan::gpu::GpuCellSlot> inputs(3);
  for (unsigned n = 0; n < 3; ++n) {
    setup.snr_db = slots[n].snr_db;
    std::vector<PuschConfig> on_air = {n == 1 ? sent : slots[n].pdu};
    iqs[n] = make_slot_iq(setup, on_air, *slots[n].tbs, n, 70 + n);
    pdus[n] = {slots[n].pdu};
    inputs[n].host_iq = iqs[n];
    inputs[n].slot = n;
    inputs[n].pdus = pdus[n];
  }
  RefusedNewDataResults out;
  std::vector<std::vector<PuschPduResult>> results;
  unsigned first_alone = 0; // the first slot processed on its own
  if (pipelined) {
    group.submit(std::span(&inputs[0], 1));
    group.submit(std::span(&inputs[1], 1));
    for (int collected = 0; collected < 2; ++collected) {
      group.collect(results);
      out.group.push_back(results.at(0).at(0));
    }
    first_alone = 2;
  }
  for (unsigned n = first_alone; n < 3; ++n) {
    group.process(std::span(&inputs[n], 1), results);
    out.group.push_back(results.at(0).at(0));
  }
  for (unsigned n = 0; reference != nullptr && n < 3; ++n) {
    std::vector<PuschPduResult> expected;
    reference->process_slot_iq(iqs[n], n, pdus[n], expected);
    out.reference.push_back(expected.at(0));
  }
  return out;
}

} // namespace cell_group_test
