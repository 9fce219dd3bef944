/// \file
/// \brief Launch patterns for the test MAC: a cell, a channel, an SNR and the UEs scheduled
/// slot after slot, read from YAML (configs/patterns/*.yaml).
///
/// Layout (unknown keys are errors naming the key; `ues[i].pusch` takes every key of a PUSCH
/// entry of an `airan tx` scenario, see io/pusch_config_file.h):
/// \code
/// name: four_ue_harq
/// cell: {num_prbs, numerology, n_cell_id, dmrs_type_a_position, ...}  # as in a scenario
/// num_rx_antennas: 2
/// channel:
///   model: awgn            # or TDL-A .. TDL-E, TDL-A30, TDL-B100, TDL-C300, CDL-A .. CDL-E
///   delay_spread_ns: 100   # TDL-A .. E, CDL
///   max_doppler_hz: 10
///   phase_noise_hz: 0      # TDL/CDL: Wiener oscillator phase noise, 3 dB linewidth (0: none)
///   domain: frequency      # or time
///   bs_antenna_pattern: omni  # CDL: or 38.901
///   bs_polarization: V        # CDL: V, H, VH or cross
///   ue_polarization: V        # CDL: V, H, VH or cross
/// snr_db: 10.0             # per-RE SNR at each receive antenna
/// seed: 1
/// num_slots: 200           # slots with new transmissions; retransmissions may run past them
/// drain_slots: 40          # at most this many more slots to finish the retransmissions
/// harq: {rv_sequence: [0, 2, 3, 1], max_transmissions: 4}
/// l1: {receiver_threads: 1, max_layers: 2}
/// ues:
///   - {rnti: 0x4601, period_slots: 1, offset_slots: 0, pusch: {prb_start: 0, prb_size: 12, ...}}
///   - {rnti: 0x4602, period_slots: 2, pucch: {format: 1, prb_start: 35, ...}}  # a PUCCH UE
/// \endcode
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::l1 {

/// One UE of a pattern: when it is scheduled and its PUSCH (handle, HARQ id, rv and NDI are
/// set by the test MAC), or its PUCCH.
struct PatternUe {
  std::uint16_t rnti = 1;
  unsigned period_slots = 1; ///< Scheduled in slots s with (s - offset_slots) % period_slots == 0.
  unsigned offset_slots = 0;
  phy::PuschConfig pusch; ///< Validated against the cell with ports = layers.
  /// A PUCCH UE (io/pucch_config_file.h keys): sends fresh random UCI on this PUCCH in each of
  /// its slots instead of a PUSCH (pusch unused).
  std::optional<phy::PucchConfig> pucch;
};

/// How the test MAC runs HARQ.
struct PatternHarq {
  std::vector<unsigned> rv_sequence{0, 2, 3, 1}; ///< rv of transmission k: rv_sequence[k % n].
  unsigned max_transmissions = 4; ///< A TB still failing after this many is lost (a mismatch).
  unsigned num_processes = 16;    ///< HARQ processes per UE (ids 0 .. n-1, at most 16).
};

/// L1 settings the pattern asks for.
struct PatternL1 {
  unsigned receiver_threads = 1;
  unsigned max_layers = 2;
};

/// A whole test MAC run.
struct LaunchPattern {
  std::string name;
  phy::CellConfig cell;
  unsigned num_rx_antennas = 1;
  apps::ChannelSpec channel;
  double snr_db = 20.0;
  std::uint64_t seed = 1;
  unsigned num_slots = 100;
  unsigned drain_slots = 40;
  PatternHarq harq;
  PatternL1 l1;
  std::vector<PatternUe> ues;
};

/// Error in a pattern file: names the file and the key.
class PatternError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Parses a pattern from YAML text (\p name in messages). \throws PatternError.
LaunchPattern parse_launch_pattern(const std::string& yaml_text, const std::string& name);

/// Reads and parses a pattern file. \throws PatternError.
LaunchPattern load_launch_pattern(const std::filesystem::path& path);

} // namespace airan::l1
