#include "airan/phy/pusch_config.h"

#include "pusch_base_graph.h"
#include "pusch_config_uci.h"

#include "airan/phy/code_block_segmentation.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/ptrs_pusch.h"
#include "airan/phy/pusch_frequency_hopping.h"
#include "airan/phy/pusch_precoder.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/transform_precoder.h"
#include "airan/phy/uci_coded_sizes.h"
#include "airan/phy/uci_polar_code.h"
#include "airan/phy/ulsch_code_block.h"
#include "airan/phy/ulsch_decoder.h"

#include <bit>
#include <stdexcept>
#include <string>
#include <tuple>

namespace airan::phy {
namespace {

constexpr unsigned max_carrier_prbs = 275;
constexpr unsigned max_grid_start_crb = 2199;
constexpr unsigned max_cell_id = 1007;
constexpr unsigned max_layers = 4;
constexpr unsigned max_data_scrambling_id = 1023;
constexpr unsigned max_harq_process_id = 31;

using pusch_config_detail::str;
using pusch_config_detail::validate_ldpc_base_graph;
using pusch_config_detail::validate_segmentation;
using pusch_config_detail::validate_uci;
using pusch_config_detail::validate_uci_only;
using pusch_config_detail::validate_uci_sizes;

std::string validate_modulation_and_coding(const PuschConfig& pusch) {
  if (pusch.mcs_index >= num_mcs_indices) {
    return "MCS index " + str(pusch.mcs_index) + " is not in 0..31";
  }
  if (is_transform_precoding_table(pusch.mcs_table) && !pusch.transform_precoding) {
    return std::string(mcs_table_name(pusch.mcs_table)) + " needs transform precoding";
  }
  if (pusch.tp_pi2bpsk && !pusch.transform_precoding) {
    return "tp-pi2BPSK needs transform precoding";
  }
  if (pusch.qam_order == 1 && !pusch.transform_precoding) {
    return "pi/2-BPSK (modulation order 1) needs transform precoding";
  }
  const McsEntry entry = pusch.mcs();
  // Built only for an error message: validate() does not allocate for a valid PUSCH.
  const auto where = [&] {
    return "MCS " + str(pusch.mcs_index) + " of " + mcs_table_name(pusch.mcs_table);
  };
  if (pusch.qam_order != 0 && pusch.qam_order != entry.modulation_order) {
    return "qam_order " + str(pusch.qam_order) + " differs from Q_m " +
           str(entry.modulation_order) + " of " + where();
  }
  if (entry.reserved && pusch.target_code_rate_x10240 == 0) {
    return where() + " is reserved: the target code rate must be given";
  }
  if (!entry.reserved && pusch.target_code_rate_x10240 != 0 &&
      pusch.target_code_rate_x10240 != entry.code_rate_x10240) {
    return "target code rate x10240 " + str(pusch.target_code_rate_x10240) + " differs from " +
           str(entry.code_rate_x10240) + " of " + where();
  }
  if (pusch.code_rate_x10240() >= 10240) {
    return "target code rate must be below 1";
  }
  const unsigned qm = pusch.modulation_order();
  if (qm != 1 && qm != 2 && qm != 4 && qm != 6 && qm != 8) {
    return "modulation order " + str(qm) + " is not one of 1, 2, 4, 6, 8 for PUSCH";
  }
  return {};
}

std::string validate_allocation(const CellConfig& cell, const PuschConfig& pusch) {
  // Sums in 64 bits: 32-bit fields near their maximum must not wrap past the checks.
  if (pusch.bwp_size == 0 || pusch.bwp_start < cell.grid_start_crb ||
      std::uint64_t{pusch.bwp_start} + pusch.bwp_size >
          std::uint64_t{cell.grid_start_crb} + cell.num_prbs) {
    return "BWP CRBs " + str(pusch.bwp_start) + "+" + str(pusch.bwp_size) +
           " do not fit the carrier CRBs " + str(cell.grid_start_crb) + "+" + str(cell.num_prbs);
  }
  if (pusch.prb_size == 0 || std::uint64_t{pusch.prb_start} + pusch.prb_size > pusch.bwp_size) {
    return "PRBs " + str(pusch.prb_start) + "+" + str(pusch.prb_size) + " do not fit the BWP of " +
           str(pusch.bwp_size) + " PRBs";
  }
  const unsigned slot_symbols = symbols_per_slot(cell.cyclic_prefix);
  if (pusch.num_symbols == 0 ||
      std::uint64_t{pusch.start_symbol} + pusch.num_symbols > slot_symbols) {
    return "symbols " + str(pusch.start_symbol) + "+" + str(pusch.num_symbols) +
           " do not fit a slot of " + str(slot_symbols);
  }
  // TS 38.214 Table 6.1.2.1-1: type A starts at symbol 0 and lasts at least 4 symbols.
  if (pusch.mapping_type == PuschMappingType::type_a &&
      (pusch.start_symbol != 0 || pusch.num_symbols < 4)) {
    return "mapping type A needs start symbol 0 and at least 4 symbols";
  }
  return {};
}

std::string validate_dmrs(const CellConfig& cell, const PuschConfig& pusch) {
  const DmrsConfigType type = pusch.dmrs_config_type;
  if (type != DmrsConfigType::type1 && type != DmrsConfigType::type2) {
    return "DMRS configuration type must be 1 or 2";
  }
  if (pusch.dmrs_length != 1 && pusch.dmrs_length != 2) {
    return "DMRS length must be 1 or 2";
  }
  if (pusch.n_scid > 1) {
    return "n_SCID must be 0 or 1";
  }
  const unsigned groups = dmrs_num_cdm_groups(type);
  if (pusch.num_dmrs_cdm_groups_no_data < 1 || pusch.num_dmrs_cdm_groups_no_data > groups) {
    return "CDM groups without data must be 1.." + str(groups) + " for DMRS type " +
           str(static_cast<unsigned>(type));
  }
  if (pusch.num_layers < 1 || pusch.num_layers > max_layers) {
    return "number of layers must be 1..4";
  }
  if (static_cast<unsigned>(std::popcount(pusch.dmrs_ports)) != pusch.num_layers) {
    return "dmrs_ports has " + str(static_cast<unsigned>(std::popcount(pusch.dmrs_ports))) +
           " port(s) for " + str(pusch.num_layers) + " layer(s)";
  }
  for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
    const unsigned port = pusch.dmrs_port_of_layer(layer);
    if (port >= dmrs_num_ports(type)) {
      return "DMRS port " + str(port) + " does not exist for DMRS type " +
             str(static_cast<unsigned>(type));
    }
    const DmrsPortParams params = dmrs_port_params(type, port);
    if (params.w_t[1] < 0 && pusch.dmrs_length != 2) {
      return "DMRS port " + str(port) + " needs double-symbol DMRS";
    }
    if (params.cdm_group >= pusch.num_dmrs_cdm_groups_no_data) {
      return "DMRS port " + str(port) + " is in CDM group " + str(params.cdm_group) +
             ", not among the " + str(pusch.num_dmrs_cdm_groups_no_data) +
             " CDM group(s) without data";
    }
  }
  try {
    if (pusch_dmrs_symbols(cell, pusch).mask == 0) {
      return "the PUSCH has no DMRS symbol";
    }
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

std::string validate_precoding(const CellConfig& cell, const PuschConfig& pusch) {
  if (pusch.precoding == PuschPrecoding::non_codebook) {
    if (pusch.num_layers != cell.num_antenna_ports) {
      return "non-codebook precoding needs as many layers (" + str(pusch.num_layers) +
             ") as antenna ports (" + str(cell.num_antenna_ports) + ")";
    }
    return {};
  }
  try {
    (void)pusch_codebook_matrix(pusch.num_layers, cell.num_antenna_ports, pusch.tpmi,
                                pusch.transform_precoding);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

std::string validate_transform_precoding(const CellConfig& /*cell*/, const PuschConfig& pusch) {
  if (pusch.pusch_identity > max_cell_id) {
    return "PUSCH identity n_ID^RS " + str(pusch.pusch_identity) + " exceeds 1007";
  }
  if (pusch.dmrs_hopping > LowPaprHopping::sequence) {
    return "DMRS hopping " + str(static_cast<unsigned>(pusch.dmrs_hopping)) +
           " is not none, group or sequence";
  }
  if (pusch.dmrs_hopping != LowPaprHopping::none && !pusch.transform_precoding) {
    return "DMRS group or sequence hopping needs transform precoding";
  }
  if (!pusch.transform_precoding) {
    return {};
  }
  // TS 38.211 6.3.1.4 and 6.4.1.1.3; TS 38.214 6.2.2 (no data on DMRS symbols).
  if (pusch.num_layers != 1) {
    return "transform precoding allows one layer, not " + str(pusch.num_layers);
  }
  if (pusch.dmrs_config_type != DmrsConfigType::type1) {
    return "transform precoding needs DMRS configuration type 1";
  }
  if (pusch.num_dmrs_cdm_groups_no_data != 2) {
    return "transform precoding needs 2 DMRS CDM groups without data (no data on DMRS symbols)";
  }
  if (pusch.mcs_table == McsTable::qam64 || pusch.mcs_table == McsTable::qam64_low_se) {
    // TS 38.214 6.1.4.1: mcs-TableTransformPrecoder picks Table 6.1.4.1-1 or -2, or mcs-Table
    // qam256 Table 5.1.3.1-2.
    return "transform precoding takes TS 38.214 Table 6.1.4.1-1 or -2 (mcs_table 4, 5) or "
           "5.1.3.1-2, not " +
           std::string(mcs_table_name(pusch.mcs_table));
  }
  if (!transform_precoding_prbs_allowed(pusch.prb_size)) {
    return "transform precoding needs a PRB count of the form 2^a 3^b 5^c, not " +
           str(pusch.prb_size);
  }
  return {};
}

/// PT-RS (TS 38.211 6.4.1.2, TS 38.214 6.2.3.1): one port, CP-OFDM only.
std::string validate_ptrs(const CellConfig& /*cell*/, const PuschConfig& pusch) {
  const PuschPtrsConfig& ptrs = pusch.ptrs;
  if (!ptrs.enabled) {
    return {};
  }
  if (pusch.transform_precoding) {
    return "PT-RS with transform precoding (TS 38.211 6.4.1.2.2.2) is not supported";
  }
  if (ptrs.time_density != 1 && ptrs.time_density != 2 && ptrs.time_density != 4) {
    return "PT-RS time density must be 1, 2 or 4, not " + str(ptrs.time_density);
  }
  if (ptrs.frequency_density != 2 && ptrs.frequency_density != 4) {
    return "PT-RS frequency density must be 2 or 4 PRBs, not " + str(ptrs.frequency_density);
  }
  if (ptrs.re_offset > 3) {
    return "PT-RS resource element offset must be 0..3, not " + str(ptrs.re_offset);
  }
  if (ptrs.power > 1) {
    return "PT-RS power " + str(ptrs.power) + " is reserved (0 or 1)";
  }
  if (ptrs.dmrs_port >= 16 || ((pusch.dmrs_ports >> ptrs.dmrs_port) & 1U) == 0) {
    return "PT-RS DMRS port " + str(ptrs.dmrs_port) + " is not one of the PDU's DMRS ports";
  }
  if (ptrs_re_reference(pusch.dmrs_config_type, ptrs.dmrs_port, ptrs.re_offset) < 0) {
    return "PT-RS cannot follow DMRS port " + str(ptrs.dmrs_port) + " of DMRS type " +
           str(static_cast<unsigned>(pusch.dmrs_config_type)) +
           " (TS 38.211 Table 6.4.1.2.2.1-1 lists ports 0..3 for type 1, 0..5 for type 2)";
  }
  return {};
}

/// The TB against the allocation (after every other check): a TBS in whole bytes, given with a
/// reserved MCS, data REs to carry it, and a TBS_LBRM of at least the TBS.
std::string validate_sizes(const CellConfig& cell, const PuschConfig& pusch) {
  if (!pusch.ulsch) {
    return pusch.ldpc_base_graph ? validate_ldpc_base_graph(pusch, 0)
                                 : validate_uci_only(cell, pusch);
  }
  if (pusch.tb_size_bits % 8 != 0) {
    return "TB size " + str(pusch.tb_size_bits) + " bits is not a whole number of bytes";
  }
  if (pusch.tb_size_bits == 0 && pusch.mcs().reserved) {
    // TS 38.214 6.1.4.2: a reserved MCS keeps the TBS of the TB's last transmission with a
    // non-reserved one; computed from this allocation and Q_m it would be another TB.
    return "MCS " + str(pusch.mcs_index) +
           " is reserved: the TB size of the first transmission must be given";
  }
  if (make_pusch_re_mapping(cell, pusch).num_data_res() == 0) {
    return "the allocation has no data RE (every RE is DMRS or left empty)";
  }
  std::uint32_t tbs = pusch.tb_size_bits;
  if (tbs == 0) {
    try {
      tbs = compute_pusch_tbs(cell, pusch);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
  }
  // At most ulsch_max_code_blocks code blocks (the largest TBS of TS 38.214, 4 layers on 275
  // PRBs, needs 152), checked before TBS + CRC is formed: that sum must not wrap.
  if (tbs > ulsch::max_supported_tbs) {
    return "TB size " + str(tbs) + " bits is above the largest UL-SCH TB (" +
           str(ulsch::max_supported_tbs) + " bits, " + str(ulsch_max_code_blocks) + " code blocks)";
  }
  std::optional<LdpcBaseGraph> kept; // a retransmission that only the other graph segments
  if (pusch.tb_size_bits != 0 || pusch.ldpc_base_graph) {
    // A given TBS or base graph (the TBS table's are all segmentable with their own graph): TS
    // 38.212 5.2.2 splits B' into C equal code blocks, which needs B' a multiple of C: a size
    // from a file or a MAC is not trusted to be one.
    if (std::string problem = validate_segmentation(pusch, tbs, kept); !problem.empty()) {
      return problem;
    }
  }
  if (std::string problem = validate_ldpc_base_graph(pusch, tbs); !problem.empty()) {
    return problem;
  }
  if (pusch.tbs_lbrm != 0 && pusch.tbs_lbrm < tbs) {
    return "TBS_LBRM " + str(pusch.tbs_lbrm) + " is below the TB size " + str(tbs) +
           " (limited-buffer rate matching would keep less than the code's systematic bits)";
  }
  if (kept) {
    PuschConfig with_kept = pusch;
    with_kept.ldpc_base_graph = kept;
    return validate_uci_sizes(cell, with_kept, tbs);
  }
  return validate_uci_sizes(cell, pusch, tbs);
}

} // namespace

std::string CellConfig::validate() const {
  if (num_prbs < 1 || num_prbs > max_carrier_prbs) {
    return "carrier size " + str(num_prbs) + " PRBs is not in 1..275";
  }
  if (grid_start_crb > max_grid_start_crb) {
    return "carrier start CRB " + str(grid_start_crb) + " exceeds 2199";
  }
  if (numerology > max_numerology) {
    return "numerology " + str(numerology) + " is not in 0..6";
  }
  if (cyclic_prefix == CyclicPrefix::extended && numerology != 2) {
    return "the extended cyclic prefix exists only for numerology 2";
  }
  if (n_cell_id > max_cell_id) {
    return "cell id " + str(n_cell_id) + " exceeds 1007";
  }
  if (dmrs_type_a_position != 2 && dmrs_type_a_position != 3) {
    return "dmrs-TypeA-Position must be 2 or 3";
  }
  if (num_antenna_ports != 1 && num_antenna_ports != 2 && num_antenna_ports != 4) {
    return "number of antenna ports must be 1, 2 or 4";
  }
  if (fft_size != 0) {
    if (fft_size % fft_size_granularity != 0 || fft_size > max_cell_fft_size) {
      return "FFT size " + str(fft_size) + " is not a multiple of " + str(fft_size_granularity) +
             " in " + str(fft_size_granularity) + ".." + str(max_cell_fft_size) +
             " (0 chooses one)";
    }
    if (fft_size < subcarriers_per_prb * num_prbs) {
      return "FFT size " + str(fft_size) + " is below the carrier's " +
             str(subcarriers_per_prb * num_prbs) + " subcarriers";
    }
  }
  return {};
}

Numerology carrier_numerology(const CellConfig& cell) {
  if (cell.fft_size != 0 && cell.fft_size < subcarriers_per_prb * cell.num_prbs) {
    throw std::invalid_argument("FFT size " + str(cell.fft_size) + " is below the carrier's " +
                                str(subcarriers_per_prb * cell.num_prbs) + " subcarriers");
  }
  return {cell.numerology, cell.cyclic_prefix,
          cell.fft_size != 0 ? cell.fft_size : choose_fft_size(cell.num_prbs)};
}

std::string PuschConfig::validate_reference_signals(const CellConfig& cell) const {
  if (std::string error = cell.validate(); !error.empty()) {
    return "cell: " + error;
  }
  for (auto* check : {validate_allocation, validate_dmrs, validate_precoding,
                      validate_transform_precoding, validate_ptrs, validate_frequency_hopping}) {
    if (std::string error = check(cell, *this); !error.empty()) {
      return error;
    }
  }
  return {};
}

std::string PuschConfig::validate(const CellConfig& cell) const {
  if (std::string error = validate_reference_signals(cell); !error.empty()) {
    return error;
  }
  if (std::string error = validate_modulation_and_coding(*this); !error.empty()) {
    return error;
  }
  if (rv > 3) {
    return "redundancy version must be 0..3";
  }
  if (harq_process_id > max_harq_process_id) {
    return "HARQ process id must be 0..31";
  }
  if (data_scrambling_id > max_data_scrambling_id) {
    return "data scrambling id must be 0..1023";
  }
  if (x_overhead != 0 && x_overhead != 6 && x_overhead != 12 && x_overhead != 18) {
    return "xOverhead must be 0, 6, 12 or 18";
  }
  if (std::string error = validate_uci(uci); !error.empty()) {
    return error;
  }
  return validate_sizes(cell, *this);
}

unsigned PuschConfig::modulation_order() const {
  return qam_order != 0 ? qam_order : mcs().modulation_order;
}

std::uint32_t PuschConfig::code_rate_x10240() const {
  return target_code_rate_x10240 != 0 ? target_code_rate_x10240 : mcs().code_rate_x10240;
}

unsigned PuschConfig::dmrs_port_of_layer(unsigned layer) const {
  unsigned seen = 0;
  for (unsigned port = 0; port < 16; ++port) {
    if (((dmrs_ports >> port) & 1U) != 0) {
      if (seen == layer) {
        return port;
      }
      ++seen;
    }
  }
  throw std::invalid_argument("layer " + str(layer) + " has no DMRS port in dmrs_ports");
}

} // namespace airan::phy
