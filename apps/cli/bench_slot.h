/// \file
/// \brief The PUSCH slot `airan bench pusch` and `airan bench cells` time: one PDU over the whole
/// carrier, a random TB through a flat random unitary channel with noise.
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"
#include "airan/phy/types.h"

#include <CLI/CLI.hpp>

#include <vector>

namespace airan::cli {

/// The slot's shape: PRBs (30 kHz carrier), antennas, layers, MCS and SNR per antenna.
struct BenchSlotShape {
  unsigned prbs = 273;
  unsigned rx = 4;
  unsigned layers = 2;
  unsigned mcs = 27;
  unsigned mcs_table = 2;
  float snr_db = 35.0F;
  /// DFT-s-OFDM (1 layer, a PRB count 2^a 3^b 5^c; MCS table 1 read as TS 38.214 Table
  /// 6.1.4.1-1): the CPU front end's equalization then includes the transform deprecoding.
  bool transform_precoding = false;
};

/// A generated slot.
struct BenchSlot {
  phy::CellConfig cell;
  phy::PuschConfig pusch;
  phy::BitVector tb;         ///< What the UE sent.
  phy::ResourceGrid rx_grid; ///< [rx][symbol][subcarrier] at the receiver.
  std::uint32_t g = 0;       ///< Coded bits.
};

/// Adds --prb, --rx, --layers, --mcs, --mcs-table, --snr and --transform-precoding to \p app.
void add_bench_slot_options(CLI::App& app, BenchSlotShape& shape);

/// The slot of \p shape (slot number 0). Prints nothing.
/// \throws std::invalid_argument for a PDU the cell cannot carry or fewer antennas than ports.
BenchSlot make_bench_slot(const BenchSlotShape& shape);

/// rx_grid of \p slot OFDM-modulated: time-domain IQ, antenna after antenna, slot 0.
std::vector<phy::cf32> bench_slot_iq(const BenchSlot& slot);

} // namespace airan::cli
