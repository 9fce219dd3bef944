/// \file
/// \brief An SRS as YAML (the `srs` entry of a test MAC launch pattern's UE): the keys of
/// phy::SrsConfig, checked against the cell.
///
/// \code
/// srs:
///   num_ports: 1               # N_ap: 1, 2 or 4 (at most the UE's antenna ports)
///   num_symbols: 1             # N_symb^SRS: 1, 2 or 4
///   repetition: 1              # R: 1, 2 or 4, at most num_symbols
///   start_symbol: 13           # l0: the first SRS symbol of the slot
///   c_srs: 9                   # C_SRS 0 .. 63 (TS 38.211 Table 6.4.1.4.3-1)
///   b_srs: 0                   # B_SRS 0 .. 3
///   comb_size: 2               # K_TC: 2 or 4
///   comb_offset: 0             # 0 .. K_TC - 1
///   cyclic_shift: 0            # 0 .. 7 (comb 2), 0 .. 11 (comb 4)
///   frequency_position: 0      # n_RRC 0 .. 67
///   frequency_shift: 0         # n_shift 0 .. 268
///   hopping_bandwidth: 0       # b_hop 0 .. 3 (frequency hopping when below b_srs)
///   group_or_sequence_hopping: neither  # or group, sequence
///   sequence_id: 21            # n_ID^SRS 0 .. 1023 (default: the cell's N_ID^cell mod 1024)
///   resource_type: periodic    # or aperiodic, semi_persistent
///   bwp_start: 0               # default: the carrier
///   bwp_size: 51
/// \endcode
/// A periodic or semi-persistent SRS has the UE's period_slots as T_SRS (a value of TS 38.211
/// 6.4.1.4.4); the test MAC sets T_offset from the slot it sends it in.
#pragma once

#include "airan/io/yaml_fields.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/srs_config.h"

#include <yaml-cpp/yaml.h>

#include <string>

namespace airan::io {

/// Reads the SRS at \p node (\p where in messages) for \p cell and checks it
/// (phy::SrsConfig::validate(), with T_SRS = \p period_slots and T_offset 0).
/// \throws whatever \p ctx raises, naming the key.
phy::SrsConfig parse_srs_config(const YAML::Node& node, const std::string& where,
                                const phy::CellConfig& cell, unsigned period_slots,
                                const yaml_fields::Context& ctx);

} // namespace airan::io
