/// \file
/// \brief A PUSCH link with UCI for the UCI-on-PUSCH tests: a 24-PRB cell, a PUSCH of 20 PRBs,
/// random payloads, and a transmitter and receiver joined by a random unitary channel.
#pragma once

#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include "random_bits.h"

#include <cmath>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace airan::test {

using phy::BitVector;
using phy::CellConfig;
using phy::FlatMimoChannel;
using phy::McsTable;
using phy::PuschConfig;
using phy::PuschPduResult;
using phy::PuschReceiver;
using phy::PuschReceiverConfig;
using phy::PuschTransmitter;
using phy::PuschUciConfig;
using phy::PuschUciPayload;
using phy::ResourceGrid;

inline constexpr unsigned uci_slot_number = 3;

inline CellConfig make_uci_cell(unsigned ports) {
  CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  cell.n_cell_id = 41;
  cell.num_antenna_ports = ports;
  return cell;
}

inline PuschConfig make_uci_pusch(unsigned layers, McsTable table, unsigned mcs) {
  PuschConfig pusch;
  pusch.rnti = 0x2b1;
  pusch.bwp_size = 24;
  pusch.prb_start = 2;
  pusch.prb_size = 20;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1U);
  pusch.num_layers = layers;
  pusch.num_dmrs_cdm_groups_no_data = layers > 1 ? 2 : 1;
  pusch.dmrs_additional_position = 1;
  pusch.dmrs_scrambling_id = 41;
  pusch.data_scrambling_id = 300;
  pusch.mcs_table = table;
  pusch.mcs_index = mcs;
  return pusch;
}

/// The UCI payloads of one PUSCH.
struct Payload {
  BitVector ack;
  BitVector csi1;
  BitVector csi2;
  [[nodiscard]] PuschUciPayload view() const { return {ack, csi1, csi2}; }
};

/// Random payloads of the sizes \p uci announces.
inline Payload random_payload(const PuschUciConfig& uci, std::mt19937_64& rng) {
  return {random_bits(uci.harq_ack_bits, rng), random_bits(uci.csi_part1_bits, rng),
          random_bits(uci.csi_part2_bits, rng)};
}

/// A transmitter and a 4-antenna (by default) receiver of up to 2 layers on \p c.
struct Link {
  explicit Link(const CellConfig& c, unsigned num_rx = 4,
                std::vector<phy::CsiPart2SizeMap> csi_part2_size_maps = {})
      : cell(c), transmitter(c) {
    PuschReceiverConfig config;
    config.num_rx_antennas = num_rx;
    config.max_layers = 2;
    config.csi_part2_size_maps = std::move(csi_part2_size_maps);
    receiver = std::make_unique<PuschReceiver>(cell, config);
    tx = transmitter.make_grid();
    rx = receiver->make_grid();
  }
  /// Sends \p pusch with \p payload through a random unitary channel at \p snr_db and decodes it
  /// as \p received (the PDU the receiver is told of).
  PuschPduResult run(const PuschConfig& pusch, const Payload& payload, const BitVector& tb,
                     float snr_db, std::mt19937_64& rng, const PuschConfig* received = nullptr) {
    tx.fill_zero();
    transmitter.transmit(tb, payload.view(), pusch, uci_slot_number, tx);
    FlatMimoChannel::random_unitary(rx.num_ports(), cell.num_antenna_ports, rng())
        .apply(tx, std::pow(10.0F, -snr_db / 10.0F), rng, rx);
    std::vector<PuschPduResult> results;
    receiver->process_slot(rx, uci_slot_number, std::span(received ? received : &pusch, 1),
                           results);
    return results.at(0);
  }
  CellConfig cell;
  PuschTransmitter transmitter;
  std::unique_ptr<PuschReceiver> receiver;
  ResourceGrid tx;
  ResourceGrid rx;
};

} // namespace airan::test
