/// \file
/// \brief YAML scenario files: one cell and the PUSCH transmissions of a slot.
///
/// Layout (every key optional unless marked; unknown keys and a key given twice are errors, so
/// typos never pass silently; integers as YAML 1.2 reads them, 010 is ten, 0x hex, 0o octal):
/// \code
/// cell:   {num_prbs, grid_start_crb, numerology, cyclic_prefix: normal|extended, n_cell_id,
///          dmrs_type_a_position, num_antenna_ports, fft_size (0 or absent: chosen)}
/// num_rx_antennas: 1   # gNB receive antennas (1 .. 16)
/// slot_number: 0
/// pusch:  # a list; each entry the fields of phy::PuschConfig
///   - {rnti, handle, bwp_start, bwp_size, prb_start, prb_size, start_symbol, num_symbols,
///      intra_slot_hopping: true|false, second_hop_prb_start, mapping_type: A|B,
///      dmrs_config_type: 1|2, dmrs_symbol_mask, dmrs_additional_position,
///      dmrs_length, dmrs_ports (list of port numbers), n_scid, dmrs_scrambling_id,
///      num_dmrs_cdm_groups_no_data, mcs_index, mcs_table: 1..5, target_code_rate_x10240,
///      qam_order, num_layers, precoding: non-codebook|codebook, tpmi,
///      transform_precoding: true|false, tp_pi2bpsk: true|false, pusch_identity,
///      dmrs_hopping: none|group|sequence, ulsch: true|false, rv, harq_process_id,
///      new_data_indicator,
///      data_scrambling_id, tb_size_bits, tbs_lbrm, x_overhead,
///      ptrs: {enabled: true|false, time_density: 1|2|4, frequency_density: 2|4,
///             re_offset (0..3), dmrs_port, power (0..1)},
///      uci: {harq_ack_bits, csi_part1_bits, csi_part2_bits, alpha_scaling (0..3),
///            beta_offset_harq_ack (0..15), beta_offset_csi1, beta_offset_csi2 (0..18),
///            csi_part2_from_part1: [{fields: [[offset, bits], ...], part2_bits: [...]}, ...]}}
/// \endcode
/// uci multiplexes HARQ-ACK and CSI of up to 1706 bits each with the UL-SCH (phy::PuschUciConfig;
/// the test MAC sends random payloads and checks UCI.indication; `airan gen` stores them in the
/// test vector and `airan replay` checks them). ulsch: false (default true) sends the uci without
/// a TB (a PUSCH without UL-SCH: CSI part 1 required, no tb_size_bits; data REs of DMRS symbols
/// are sent empty).
/// csi_part2_from_part1 (instead of csi_part2_bits, with csi_part1_bits) sizes CSI part 2 from the
/// decoded CSI part 1 (phy/csi_part2_sizing.h, FAPI csiPart2BitLength 0xFFFF): one entry per CSI
/// report (at most 8), its part 2 following the previous report's. fields are the 1 .. 4 part 1
/// fields its part 2 size depends on (e.g. the rank indicator), each [offset, bits]: payload bits
/// [offset, offset + bits) of part 1; part2_bits the part 2 size (0 .. 1706 bits) for each of the
/// 2^(sum of the widths, at most 12) values of the fields concatenated, the first field's first
/// bit most significant. Every total the reports can reach must fit the PUSCH. Each entry becomes
/// a phy::CsiPart2SizeRule whose map_index points into SlotScenario::csi_part2_size_maps. Only the
/// FAPI path (`airan testmac`, `airan l1`) runs such a PUSCH: `airan tx`, `gen`, `eval` and
/// `replay` refuse it.
/// ptrs adds the phase-tracking RS of one PT-RS port (phy::PuschPtrsConfig, CP-OFDM only): the
/// map's presence enables it (enabled: false turns it off again); time_density is L_PT-RS (default
/// 1), frequency_density K_PT-RS in PRBs (default 2), re_offset the RRC resourceElementOffset
/// '00'..'11' as 0..3 (the column of TS 38.211 Table 6.4.1.2.2.1-1), dmrs_port the associated DMRS
/// port (one of dmrs_ports, 0..3 with DMRS type 1, 0..5 with type 2; default 0) and power the RRC
/// ptrs-Power '00' or '01' as 0 or 1 (TS 38.214 Table 6.2.3.1-3).
/// intra_slot_hopping (TS 38.214 6.3.1) sends the first floor(num_symbols / 2) symbols on
/// prb_start and the others on second_hop_prb_start (the second hop's first PRB in the BWP), each
/// hop with the DMRS of TS 38.211 Table 6.4.1.1.3-6 (unless dmrs_symbol_mask is given); each key
/// needs the other (intra_slot_hopping: false keeps hopping off). The hop must fit the BWP, with
/// single-symbol DMRS, no ptrs and no uci; mapping type A needs 4 symbols per hop (type B 1).
/// mcs_table 1..3 are TS 38.214 Tables 5.1.3.1-1..-3, 4 and 5 Tables 6.1.4.1-1 and -2 (transform
/// precoding only). transform_precoding (DFT-s-OFDM) needs one layer, dmrs_config_type 1,
/// num_dmrs_cdm_groups_no_data 2 and a prb_size of the form 2^a 3^b 5^c; tp_pi2bpsk (the rows of
/// Tables 6.1.4.1-1/-2 whose Q_m is q, MCS 0 and 1 of -1 and 0 to 5 of -2, are pi/2-BPSK),
/// pusch_identity (n_ID^RS, 0 .. 1007) and dmrs_hopping (TS 38.211 6.4.1.1.1.2 group or sequence
/// hopping) apply to it. A transform-precoded PUSCH without mcs_table takes 4 (TS 38.214 6.1.4.1:
/// Table 6.1.4.1-1 unless mcs-TableTransformPrecoder or mcs-Table say otherwise); it may also
/// name 5 or 2 (Table 5.1.3.1-2), not 1 or 3.
/// Without dmrs_scrambling_id, data_scrambling_id or pusch_identity a PUSCH takes the cell's
/// n_cell_id (TS 38.211 6.4.1.1.1.1, 6.4.1.1.1.2 and 6.3.1.1: N_ID^cell when no identity is
/// configured).
#pragma once

#include "airan/phy/pusch_config.h"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::io {

/// Error in a scenario file: the message names the file, the key and what is wrong.
class ConfigError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A cell and the PUSCH PDUs of one slot.
struct SlotScenario {
  phy::CellConfig cell;
  unsigned num_rx_antennas = 1; ///< gNB receive antennas of the scenario (1 .. 16).
  unsigned slot_number = 0;     ///< Slot number in the frame (DMRS sequences and CP lengths).
  std::vector<phy::PuschConfig> pusch;
  /// The CSI part 2 size maps of the PUSCHs' csi_part2_from_part1 (one per CSI report, those of
  /// pusch[0] first): the cell's maps that their phy::CsiPart2SizeRule::map_index point into
  /// (phy::PuschReceiverConfig::csi_part2_size_maps, FAPI CONFIG.request's UCI part 2 maps).
  std::vector<phy::CsiPart2SizeMap> csi_part2_size_maps;

  /// True when a PUSCH sizes its CSI part 2 from CSI part 1 (csi_part2_from_part1).
  [[nodiscard]] bool sizes_csi_part2_from_part1() const { return !csi_part2_size_maps.empty(); }
};

/// Parses a scenario from YAML text; \p name is used in error messages.
/// Every PUSCH entry is validated against the cell. \throws ConfigError.
SlotScenario parse_slot_scenario(const std::string& yaml_text, const std::string& name);

/// The cell of YAML text holding a top-level `cell:` mapping (other top-level keys not read), with
/// the scenario's keys and checks (phy::CellConfig::validate()); no `cell:` gives the defaults.
/// \throws ConfigError naming \p name.
phy::CellConfig parse_cell_section(const std::string& yaml_text, const std::string& name);

/// The whole text of a configuration file. \throws ConfigError naming the file when it cannot be
/// read.
std::string read_config_text(const std::filesystem::path& path);

/// Reads and parses a scenario file. \throws ConfigError.
SlotScenario load_slot_scenario(const std::filesystem::path& path);

} // namespace airan::io
