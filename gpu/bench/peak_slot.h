/// \file
/// \brief The slot the GPU benchmarks time (issue 6's reference slot): 273 PRB at 30 kHz, 4 Rx,
/// 2 layers, 256-QAM MCS 27, TDL-A30 at 50 Hz through the time domain, simulated at 35 dB: a slot
/// the receivers decode (tests/gpu/bench/peak_slot_test.cpp), so that the benchmarks time LDPC
/// decoding that converges, as in a cell running its peak MCS. (Until 2026-11-30 it was TDL-C300
/// at 30 dB, where 256-QAM MCS 27 on ports 0 and 1 does not decode with estimated channels: every
/// TB failed and LDPC ran all its iterations.)
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/phy/mcs_table.h"
#include "airan/phy/pusch_config.h"

#include <memory>
#include <span>

namespace airan::bench {

inline constexpr unsigned peak_prbs = 273;
inline constexpr unsigned peak_rx = 4;
inline constexpr unsigned peak_layers = 2;
inline constexpr float peak_noise_variance = 3.1622777e-4F; ///< 35 dB SNR

/// The reference slot, simulated once.
struct PeakSlot {
  apps::LinkScenario scenario;
  phy::PuschConfig pusch;
  std::unique_ptr<apps::SlotSimulator> simulator; ///< Holds the received IQ and grid.

  PeakSlot() {
    scenario.cell.num_prbs = peak_prbs;
    scenario.cell.num_antenna_ports = peak_layers;
    scenario.num_rx_antennas = peak_rx;
    scenario.channel.model = "TDL-A30";
    scenario.channel.max_doppler_hz = 50.0;
    scenario.channel.domain = apps::ChannelDomain::time;
    pusch.bwp_size = peak_prbs;
    pusch.prb_size = peak_prbs;
    pusch.num_layers = peak_layers;
    pusch.dmrs_ports = 0x3;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.mcs_index = 27;
    pusch.mcs_table = phy::McsTable::qam256;
    simulator = std::make_unique<apps::SlotSimulator>(scenario);
    simulator->simulate(std::span(&pusch, 1), 0, 1, 2, peak_noise_variance);
  }
};

} // namespace airan::bench
