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
/// prach:                   # the cell's PRACH (optional; needs channel.domain: time)
///   format: 0              # 0 .. 3, A1, A2, A3, B1, B2, B3, B4, C0, C2
///   subcarrier_spacing_khz: 30  # short formats: msg1-SubcarrierSpacing (default: the carrier's)
///   root_sequence_index: 22     # prach-RootSequenceIndex
///   zero_correlation_zone: 1    # zeroCorrelationZoneConfig 0 .. 15, or n_cs: N_CS itself
///   prb_start: 4           # msg1-FrequencyStart, PRBs from the carrier's first PRB
///   start_symbol: 0        # first symbol of the slot's first occasion
///   occasions_per_slot: 1  # short formats: occasions back to back in a PRACH slot
///   period_slots: 4        # PRACH slots: (s - offset_slots) % period_slots == 0
///   offset_slots: 0
/// ues:
///   - {rnti: 0x4601, period_slots: 1, offset_slots: 0, pusch: {prb_start: 0, prb_size: 12, ...}}
///   - {rnti: 0x4602, period_slots: 2, pucch: {format: 1, prb_start: 35, ...}}  # a PUCCH UE
///   - {rnti: 0x4603, period_slots: 4, prach: {preamble: random, delay_us: 2.5, power_db: -6}}
///   - {rnti: 0x4604, period_slots: 5, srs: {num_ports: 2, c_srs: 9, comb_size: 4, ...}}
/// \endcode
/// A PRACH UE's keys: preamble (0 .. 63, or random: one no other UE sends in that occasion),
/// delay_us (its round-trip delay, or random: uniform over 0 .. PatternPrach::max_delay_s),
/// occasion (which occasion of the slot, or random; default 0), power_db (power per PRACH
/// subcarrier over a PUSCH RE's, so its SNR per subcarrier and antenna is snr_db + power_db;
/// default 0). Its period_slots / offset_slots must pick PRACH slots only.
#pragma once

#include "airan/apps/link_simulation.h"
#include "airan/phy/prach_config.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/srs_config.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::l1 {

/// The cell's PRACH (the `prach:` block): one configuration on one FD occasion (FAPI numRa 0),
/// occasions_per_slot time-domain occasions (back to back, N_dur^RA symbols apart) in every PRACH
/// slot s, (s - offset_slots) % period_slots == 0, while s < num_slots.
struct PatternPrach {
  /// The first occasion of a PRACH slot (start_symbol its first symbol; first_prb from
  /// msg1-FrequencyStart, PRBs from the carrier's first PRB).
  phy::PrachConfig config;
  unsigned occasions_per_slot = 1; ///< FAPI NumPrachOcas: 1 for the long formats, else 1 .. 7.
  unsigned period_slots = 1;
  unsigned offset_slots = 0;
  /// Derived: the most slots an occasion's samples reach into (its first slot included), with the
  /// longest delay and the channel's last path; period_slots is at least this.
  unsigned span_slots = 1;
  /// Derived: the longest round-trip delay a preamble may have, seconds: its cyclic-shift window
  /// (N_CS lags of 1 / (L_RA * PRACH spacing)) less two lags and the channel's last path.
  double max_delay_s = 0.0;
  /// Derived: the delay of the channel's last path, seconds (0 for awgn).
  double channel_spread_s = 0.0;

  /// The configuration of time-domain occasion \p occasion of a PRACH slot.
  [[nodiscard]] phy::PrachConfig occasion(unsigned occasion) const;
  /// True when absolute slot \p slot is a PRACH slot (num_slots aside).
  [[nodiscard]] bool prach_slot(std::uint64_t slot) const {
    return slot % period_slots == offset_slots;
  }
};

/// A PRACH UE: a preamble in an occasion of its slots (each a PRACH slot).
struct PatternPrachUe {
  std::optional<unsigned> preamble; ///< 0 .. 63; nullopt: random, unused in that occasion.
  std::optional<double> delay_s;    ///< Round-trip delay; nullopt: random, 0 .. max_delay_s.
  std::optional<unsigned> occasion; ///< Occasion of the slot; nullopt: random.
  double power_db = 0.0;            ///< Power per PRACH subcarrier over a PUSCH RE's (unit power).
};

/// T_A unit of RACH.indication (TS 38.213 4.2): 16 * 64 T_c / 2^mu, seconds.
[[nodiscard]] double prach_timing_advance_unit_s(unsigned numerology);

/// One UE of a pattern: when it is scheduled and its PUSCH (handle, HARQ id, rv and NDI are
/// set by the test MAC), or its PUCCH, or its PRACH preamble.
struct PatternUe {
  std::uint16_t rnti = 1;
  unsigned period_slots = 1; ///< Scheduled in slots s with (s - offset_slots) % period_slots == 0.
  unsigned offset_slots = 0;
  phy::PuschConfig pusch; ///< Validated against the cell with ports = layers.
  /// The CSI part 2 size maps of pusch.uci.csi_part2_sizing (`uci.csi_part2_from_part1`), which
  /// its rules' map_index count in (from 0 for each UE; the test MAC numbers them anew in the
  /// CONFIG.request that carries every UE's).
  std::vector<phy::CsiPart2SizeMap> csi_part2_size_maps;
  /// A PUCCH UE (io/pucch_config_file.h keys): sends fresh random UCI on this PUCCH in each of
  /// its slots instead of a PUSCH (pusch unused).
  std::optional<phy::PucchConfig> pucch;
  /// A PRACH UE: sends a preamble in each of its slots instead of a PUSCH (pusch unused).
  std::optional<PatternPrachUe> prach;
  /// An SRS UE (io/srs_config_file.h keys): sends this SRS from srs->num_ports antenna ports in
  /// each of its slots instead of a PUSCH (pusch unused; a periodic SRS has T_SRS =
  /// period_slots).
  std::optional<phy::SrsConfig> srs;

  /// The UE's antenna ports: the SRS's ports for an SRS UE, else its PUSCH's layers.
  [[nodiscard]] unsigned antenna_ports() const { return srs ? srs->num_ports : pusch.num_layers; }
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
  std::optional<PatternPrach> prach; ///< The cell's PRACH, when the pattern has one.
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

/// The carrier of a stand-alone L1 (`airan l1 --config`).
struct CarrierFile {
  phy::CellConfig cell;
  unsigned num_rx_antennas = 1;
};

/// The `cell:` and `num_rx_antennas:` of a YAML file that has them (a launch pattern, a scenario
/// configuration), checked as a pattern's; other keys are not read. \throws PatternError.
CarrierFile load_carrier_file(const std::filesystem::path& path);

} // namespace airan::l1
