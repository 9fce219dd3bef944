// The cases of gpu_pusch_front_end_transform_precoding_test: transform-precoded (DFT-s-OFDM)
// PDUs and CP-OFDM ones to mix with them, each a TDL-A30 slot simulated for the GPU front end and
// its CPU reference (CUDA builds).
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace transform_precoding_test {

using airan::phy::EqualizerAlgorithm;
using airan::phy::LowPaprHopping;
using airan::phy::McsTable;
using airan::phy::PuschConfig;

/// The carrier of every slot (its UE has two antenna ports) and the front ends' limits.
inline constexpr unsigned carrier_prbs = 106;
inline constexpr unsigned max_rx = 8;
inline constexpr unsigned max_layers = 2;
inline constexpr airan::gpu::GpuPuschFrontEndLimits front_end_limits{max_rx, max_layers,
                                                                     carrier_prbs};

/// One PDU on TDL-A30: transform-precoded (one layer, codebook TPMI 0 of the two ports) unless
/// \p transform_precoding is false (CP-OFDM on \p layers layers).
struct TpCase {
  const char* name = "";
  unsigned prbs = 1;
  unsigned prb_start = 0;
  unsigned rx = 2;
  unsigned mcs = 0;
  McsTable table = McsTable::transform_precoding_qam64;
  bool pi2bpsk = false;
  LowPaprHopping dmrs_hopping = LowPaprHopping::none;
  std::uint16_t pusch_identity = 0; ///< n_ID^RS
  unsigned second_hop_prb = 0;      ///< Intra-slot hopping to this PRB when not 0.
  EqualizerAlgorithm equalizer = EqualizerAlgorithm::mmse;
  unsigned covariance_group_prbs = 0; ///< MMSE-IRC: PRBs per covariance group (0: one).
  float snr_db = 20.0F;
  unsigned dmrs_length = 1;
  unsigned slot = 3; ///< The slot simulated (of the frame: mod 20).
  bool transform_precoding = true;
  unsigned layers = 1;
};

/// The transform-precoded cases: DMRS of 6, 12, 18, 24 and 30 values (phase tables, length 30),
/// Zadoff-Chu from 8 PRBs (12 PRBs: 72 values, the shortest with v = 1 under sequence hopping).
inline std::vector<TpCase> transform_precoded_cases() {
  using enum LowPaprHopping;
  constexpr EqualizerAlgorithm mmse = EqualizerAlgorithm::mmse;
  constexpr EqualizerAlgorithm irc = EqualizerAlgorithm::mmse_irc;
  constexpr McsTable qam64 = McsTable::transform_precoding_qam64;
  constexpr McsTable low_se = McsTable::transform_precoding_qam64_low_se;
  constexpr McsTable qam256 = McsTable::qam256;
  // name, PRBs, first PRB, Rx, MCS, table, pi/2-BPSK, DMRS hopping, n_ID^RS, second hop's PRB,
  // equalizer, IRC group PRBs, SNR dB [, DMRS length]
  return {
      {"Prb1Rx2Pi2Bpsk", 1, 5, 2, 0, qam64, true, none, 1, 0, mmse, 0, 10.0F},
      {"Prb2Rx1Pi2BpskGroupHopping", 2, 40, 1, 1, qam64, true, group, 17, 0, mmse, 0, 12.0F},
      {"Prb3Rx2QpskDoubleSymbolDmrs", 3, 9, 2, 6, qam64, false, none, 29, 0, mmse, 0, 15.0F, 2},
      {"Prb4Rx4QpskIrc", 4, 60, 4, 8, qam64, false, none, 30, 0, irc, 0, 15.0F},
      {"Prb5Rx2Qam16Length30", 5, 20, 2, 12, qam64, false, none, 301, 0, mmse, 0, 20.0F},
      {"Prb8Rx2LowSeTablePi2Bpsk", 8, 30, 2, 5, low_se, true, none, 44, 0, mmse, 0, 5.0F},
      {"Prb12Rx4Qam64SequenceHopping", 12, 0, 4, 20, qam64, false, sequence, 3, 0, mmse, 0, 26.0F},
      {"Prb25Rx8Qam256IrcGroups5", 25, 50, 8, 22, qam256, false, none, 500, 0, irc, 5, 32.0F},
      {"Prb50Rx4Qam16GroupHoppingIntraSlotHopping", 50, 0, 4, 14, qam64, false, group, 77, 56, mmse,
       0, 22.0F},
      {"Prb24Rx4QpskSequenceHoppingIntraSlotHoppingIrc", 24, 10, 4, 9, qam64, false, sequence, 2,
       70, irc, 4, 18.0F},
      {"Prb100Rx2Qam64", 100, 3, 2, 24, qam64, false, none, 1007, 0, mmse, 0, 28.0F},
  };
}

/// The case of that name among transform_precoded_cases().
inline TpCase transform_precoded_case(const std::string& name) {
  for (const TpCase& c : transform_precoded_cases()) {
    if (name == c.name) {
      return c;
    }
  }
  throw std::invalid_argument("no transform-precoded case " + name);
}

/// A CP-OFDM case of 2 layers on 4 Rx (intra-slot hopping to \p second_hop_prb when not 0).
inline TpCase cp_ofdm_case(unsigned prbs, EqualizerAlgorithm equalizer,
                           unsigned second_hop_prb = 0) {
  TpCase c{"CpOfdm", prbs, 0, 4, 16, McsTable::qam64};
  c.second_hop_prb = second_hop_prb;
  c.equalizer = equalizer;
  c.covariance_group_prbs = equalizer == EqualizerAlgorithm::mmse_irc ? 4 : 0;
  c.snr_db = 22.0F;
  c.transform_precoding = false;
  c.layers = 2;
  return c;
}

/// The scenario and PDU of \p c (nothing simulated).
struct TpLink {
  airan::apps::LinkScenario scenario;
  PuschConfig pusch;

  explicit TpLink(const TpCase& c) {
    scenario.cell.num_prbs = carrier_prbs;
    scenario.cell.num_antenna_ports = 2;
    scenario.num_rx_antennas = c.rx;
    scenario.channel.model = "TDL-A30";
    scenario.channel.max_doppler_hz = 50.0;
    pusch.rnti = 0x4601;
    pusch.data_scrambling_id = 41;
    pusch.bwp_size = carrier_prbs;
    pusch.prb_start = c.prb_start;
    pusch.prb_size = c.prbs;
    pusch.num_layers = c.layers;
    pusch.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1);
    if (c.layers == 1) { // a 2-port UE: TPMI 0
      pusch.precoding = airan::phy::PuschPrecoding::codebook;
      pusch.tpmi = 0;
    }
    pusch.dmrs_length = c.dmrs_length;
    pusch.num_dmrs_cdm_groups_no_data = 2;
    pusch.mcs_index = c.mcs;
    pusch.mcs_table = c.table;
    pusch.intra_slot_hopping = c.second_hop_prb != 0;
    pusch.second_hop_prb_start = c.second_hop_prb;
    pusch.transform_precoding = c.transform_precoding;
    pusch.tp_pi2bpsk = c.pi2bpsk;
    pusch.dmrs_hopping = c.dmrs_hopping;
    pusch.pusch_identity = c.pusch_identity;
  }
};

/// The slot of \p c simulated, with the front ends' options.
struct TpSlot : TpLink {
  airan::phy::PuschFrontEndOptions options;
  std::unique_ptr<airan::apps::SlotSimulator> simulator;

  explicit TpSlot(const TpCase& c) : TpLink(c) {
    options.equalizer = c.equalizer;
    options.estimator.covariance_group_prbs = c.covariance_group_prbs;
    simulator = std::make_unique<airan::apps::SlotSimulator>(scenario);
    simulator->simulate(std::span(&pusch, 1), c.slot, c.prbs + 1, c.prbs + 2,
                        std::pow(10.0F, -c.snr_db / 10.0F));
  }
  [[nodiscard]] const airan::phy::ResourceGrid& grid() const { return simulator->received_grid(); }
  [[nodiscard]] unsigned slot() const { return simulator->slot_number(); }
  [[nodiscard]] std::size_t coded_bits() const {
    return airan::phy::pusch_coded_bits(scenario.cell, pusch);
  }
  [[nodiscard]] std::uint32_t c_init() const {
    return airan::phy::pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id);
  }
};

} // namespace transform_precoding_test
