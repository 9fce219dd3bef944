/// \file
/// \brief A PUCCH as YAML (the `pucch` entry of a test MAC launch pattern's UE): the keys of
/// phy::PucchConfig, checked against the cell.
///
/// \code
/// pucch:
///   format: 1                  # 0 .. 4
///   prb_start: 0               # PRBs relative to the BWP (bwp_start / bwp_size: the carrier)
///   num_prbs: 1                # format 2: 1 .. 16; format 3: 2^a 3^b 5^c <= 16; others 1
///   start_symbol: 0
///   num_symbols: 14            # formats 0, 2: 1 .. 2; formats 1, 3, 4: 4 .. 14
///   intra_slot_hopping: true
///   second_hop_prb: 35
///   group_hopping: neither     # neither, enable or disable
///   hopping_id: 21             # n_ID of the sequences (default: the cell's N_ID^cell)
///   initial_cyclic_shift: 0    # formats 0, 1
///   time_domain_occ: 0         # format 1
///   scrambling_id: 21          # formats 2-4 (default: N_ID^cell)
///   dmrs_scrambling_id: 21     # format 2 (default: N_ID^cell)
///   pi2_bpsk: false            # formats 3, 4: pi/2-BPSK instead of QPSK
///   additional_dmrs: false     # formats 3, 4: 4 DMRS symbols from 10 symbols on
///   pre_dft_occ_length: 2      # format 4 only: the cover length N_SF, 2 or 4 (default 2)
///   pre_dft_occ_index: 0       # format 4 only: 0 .. N_SF - 1 (default 0)
///   harq_bits: 2
///   sr_bits: 1
///   csi_part1_bits: 0          # formats 2-4
/// \endcode
#pragma once

#include "airan/io/yaml_fields.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/pusch_config.h"

#include <yaml-cpp/yaml.h>

#include <string>

namespace airan::io {

/// Reads the PUCCH at \p node (\p where in messages) for \p cell and checks it
/// (phy::PucchConfig::validate()). \throws whatever \p ctx raises, naming the key.
phy::PucchConfig parse_pucch_config(const YAML::Node& node, const std::string& where,
                                    const phy::CellConfig& cell, const yaml_fields::Context& ctx);

} // namespace airan::io
