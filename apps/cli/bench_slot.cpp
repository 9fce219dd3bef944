// The slot of `airan bench pusch|cells`.
#include "bench_slot.h"

#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/mcs_table.h"
#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_transmitter.h"

#include <cmath>
#include <random>
#include <span>
#include <stdexcept>

namespace airan::cli {

void add_bench_slot_options(CLI::App& app, BenchSlotShape& shape) {
  app.add_option("--prb", shape.prbs, "PRBs (30 kHz carrier)")->check(CLI::Range(1, 275));
  app.add_option("--rx", shape.rx, "Receive antennas")->check(CLI::Range(1, 16));
  app.add_option("--layers", shape.layers, "Layers")->check(CLI::Range(1, 4));
  app.add_option("--mcs", shape.mcs, "MCS index")->check(CLI::Range(0, 31));
  app.add_option("--mcs-table", shape.mcs_table, "MCS table 1-5 (as airan eval's)")
      ->check(CLI::Range(1, 5));
  app.add_option("--snr", shape.snr_db,
                 "Noise level: a layer's power summed over the receive antennas (the flat "
                 "random-unitary channel spreads it) over one antenna's noise, dB");
  app.add_flag("--transform-precoding", shape.transform_precoding,
               "DFT-s-OFDM PUSCH (1 layer, --prb 2^a 3^b 5^c, --mcs-table 1 and 3 read as TS "
               "38.214 Tables 6.1.4.1-1 and -2)");
}

BenchSlot make_bench_slot(const BenchSlotShape& shape) {
  using namespace phy;
  BenchSlot slot;
  CellConfig& cell = slot.cell;
  cell.num_prbs = shape.prbs;
  cell.numerology = 1;
  cell.n_cell_id = 1;
  cell.num_antenna_ports = shape.layers == 3 ? 4 : shape.layers;
  PuschConfig& pusch = slot.pusch;
  pusch.rnti = 0x1234;
  pusch.bwp_size = shape.prbs;
  pusch.prb_size = shape.prbs;
  pusch.num_layers = shape.layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << shape.layers) - 1U);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 1;
  pusch.data_scrambling_id = 1;
  pusch.mcs_index = shape.mcs;
  pusch.mcs_table = mcs_table_from_number(shape.mcs_table);
  if (shape.layers == 3) {
    pusch.precoding = PuschPrecoding::codebook;
  }
  if (shape.transform_precoding) {
    pusch.transform_precoding = true;
    if (pusch.mcs_table == McsTable::qam64) { // TS 38.214 6.1.4.1
      pusch.mcs_table = McsTable::transform_precoding_qam64;
    } else if (pusch.mcs_table == McsTable::qam64_low_se) {
      pusch.mcs_table = McsTable::transform_precoding_qam64_low_se;
    }
  }
  if (const auto error = pusch.validate(cell); !error.empty()) {
    throw std::invalid_argument(error);
  }
  if (shape.rx < cell.num_antenna_ports) {
    throw std::invalid_argument("--rx must be at least the number of UE antenna ports");
  }
  PuschTransmitter transmitter(cell);
  std::mt19937_64 rng(1);
  slot.tb.resize(transmitter.transport_block_size(pusch));
  for (auto& bit : slot.tb) {
    bit = static_cast<bit_t>(rng() & 1U);
  }
  auto tx_grid = transmitter.make_grid();
  transmitter.transmit(slot.tb, pusch, 0, tx_grid);
  slot.rx_grid = ResourceGrid(shape.rx, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  FlatMimoChannel::random_unitary(shape.rx, cell.num_antenna_ports, 2)
      .apply(tx_grid, std::pow(10.0F, -shape.snr_db / 10.0F), rng, slot.rx_grid);
  slot.g = pusch_coded_bits(cell, pusch);
  return slot;
}

std::vector<phy::cf32> bench_slot_iq(const BenchSlot& slot) {
  const phy::Numerology numerology = phy::carrier_numerology(slot.cell);
  phy::OfdmModulator modulator(numerology, slot.cell.num_prbs);
  const std::size_t samples = numerology.slot_length(0);
  const unsigned num_rx = slot.rx_grid.num_ports();
  std::vector<phy::cf32> iq(num_rx * samples);
  for (unsigned rx = 0; rx < num_rx; ++rx) {
    modulator.modulate_slot(slot.rx_grid, rx, 0, std::span(iq).subspan(rx * samples, samples));
  }
  return iq;
}

} // namespace airan::cli
