#include "airan/io/fapi_pusch_conversion.h"

#include "airan/io/fapi_pucch_conversion.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/tbs_calculator.h"
#include "fapi_pusch_maintenance_conversion.h"
#include "fapi_pusch_pdu_codec.h"
#include "fapi_pusch_ptrs_conversion.h"
#include "fapi_pusch_uci_conversion.h"

#include <algorithm>
#include <bit>
#include <cstdarg>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace airan::io {

namespace {

constexpr FapiMessageType ul_tti = FapiMessageType::ul_tti_request;
/// TBSize above this many bytes would overflow the TBS in bits.
constexpr std::uint32_t max_tb_size_bytes = (1U << 29) - 1;

[[gnu::format(printf, 2, 3)]] FapiError pdu_error(FapiStatus status, const char* format, ...);

FapiError pdu_error(FapiStatus status, const char* format, ...) {
  FapiError error;
  error.status = status;
  error.code = FapiErrorCode::msg_slot_err;
  error.message_type = ul_tti;
  std::va_list args;
  va_start(args, format);
  std::vsnprintf(error.reason_text.data(), error.reason_text.size(), format, args);
  va_end(args);
  return error;
}

/// The DFT-s-OFDM fields: transform precoding with TS 38.214 Tables 6.1.4.1-1 (FAPI mcsTable 3,
/// or 0: notqam256), 6.1.4.1-2 (4, or 2: qam64LowSE) or 5.1.3.1-2 (1), a dftsOfdm part only with
/// the low-PAPR group and sequence TS 38.211 6.4.1.1.1.2 gives without hopping (u = puschIdentity
/// mod 30, v = 0).
FapiError check_transform_precoding(const FapiPuschPdu& pdu) {
  const bool enabled = pdu.transform_precoding == 0;
  if (!enabled) {
    if (pdu.mcs_table == 3 || pdu.mcs_table == 4) {
      return pdu_error(FapiStatus::out_of_range,
                       "mcsTable %u (TS 38.214 Table 6.1.4.1-%u) needs transform precoding",
                       pdu.mcs_table, pdu.mcs_table - 2U);
    }
    if (pdu.dfts_ofdm) {
      return pdu_error(FapiStatus::out_of_range, "dftsOfdm part without transform precoding");
    }
    return {};
  }
  // With the FAPIv3 groupOrSequenceHopping the PHY derives u and v per DMRS symbol.
  const bool hopping = pdu.maintenance_v3 && pdu.maintenance_v3->group_or_sequence_hopping != 0;
  if (const auto& dfts = pdu.dfts_ofdm; dfts && !hopping) {
    const unsigned u = pdu.pusch_identity % 30U;
    if (dfts->low_papr_group_number != u || dfts->low_papr_sequence_number != 0) {
      // (The reason text holds 119 characters.)
      return pdu_error(FapiStatus::unsupported,
                       "lowPaprGroupNumber %u, lowPaprSequenceNumber %u are not %u, 0: MAC-chosen "
                       "group/sequence hopping is not supported",
                       dfts->low_papr_group_number, dfts->low_papr_sequence_number, u);
    }
  }
  return {};
}

/// Rejects what the receiver cannot do.
FapiError check_supported(const FapiPuschPdu& pdu, const phy::CellConfig& cell) {
  if (!pdu.data && !pdu.uci) {
    return pdu_error(FapiStatus::out_of_range,
                     "PUSCH PDU with neither puschData nor puschUci (pduBitmap bits 0 and 1)");
  }
  if (FapiError error = fapi_detail::check_pusch_ptrs(pdu); !error.ok()) {
    return error;
  }
  if (FapiError error = check_transform_precoding(pdu); !error.ok()) {
    return error;
  }
  if (pdu.resource_alloc != 1) {
    return pdu_error(FapiStatus::unsupported, "resource allocation type 0 is not supported");
  }
  if (pdu.vrb_to_prb_mapping != 0) {
    return pdu_error(FapiStatus::unsupported, "interleaved VRB-to-PRB mapping is not supported");
  }
  if (FapiError error = fapi_detail::check_pusch_maintenance(pdu); !error.ok()) {
    return error;
  }
  if (pdu.uplink_frequency_shift_7p5khz != 0) {
    return pdu_error(FapiStatus::unsupported, "the 7.5 kHz uplink shift is not supported");
  }
  if (pdu.data && pdu.data->num_cb != 0) {
    return pdu_error(FapiStatus::unsupported, "CBG retransmission (numCb %u) is not supported",
                     pdu.data->num_cb);
  }
  if (pdu.data && pdu.data->tb_size > max_tb_size_bytes) {
    return pdu_error(FapiStatus::out_of_range, "TBSize %u bytes is too large", pdu.data->tb_size);
  }
  if (pdu.subcarrier_spacing != cell.numerology) {
    return pdu_error(FapiStatus::out_of_range, "SubcarrierSpacing %u is not the cell's mu %u",
                     pdu.subcarrier_spacing, cell.numerology);
  }
  const unsigned cell_cp = cell.cyclic_prefix == phy::CyclicPrefix::extended ? 1 : 0;
  if (pdu.cyclic_prefix != cell_cp) {
    return pdu_error(FapiStatus::out_of_range, "CyclicPrefix %u is not the cell's %u",
                     pdu.cyclic_prefix, cell_cp);
  }
  if (pdu.ul_dmrs_symb_pos == 0) {
    return pdu_error(FapiStatus::out_of_range, "ulDmrsSymbPos has no DMRS symbol");
  }
  return {};
}

/// 2 when every DMRS symbol pairs with the next one (double-symbol DMRS), otherwise 1; also the
/// number of DMRS occasions.
unsigned dmrs_length_of(std::uint16_t mask, unsigned& occasions) {
  unsigned singles = 0;
  unsigned pairs = 0;
  for (unsigned l = 0; l < phy::max_symbols_per_slot; ++l) {
    if (((mask >> l) & 1U) == 0) {
      continue;
    }
    if (((mask >> (l + 1)) & 1U) != 0) {
      ++pairs;
      ++l;
    } else {
      ++singles;
    }
  }
  occasions = singles + pairs;
  return singles == 0 && pairs > 0 ? 2 : 1;
}

/// The MCS table of FAPI mcsTable (checked by check_transform_precoding()): with transform
/// precoding TS 38.214 6.1.4.1 reads notqam256 (0) as Table 6.1.4.1-1, as mcsTable 3 says, and
/// qam64LowSE (2) as Table 6.1.4.1-2, as mcsTable 4 says.
phy::McsTable mcs_table_of(std::uint8_t fapi_table, bool transform_precoding) {
  switch (fapi_table) {
  case 1:
    return phy::McsTable::qam256;
  case 2:
    return transform_precoding ? phy::McsTable::transform_precoding_qam64_low_se
                               : phy::McsTable::qam64_low_se;
  case 3:
    return phy::McsTable::transform_precoding_qam64;
  case 4:
    return phy::McsTable::transform_precoding_qam64_low_se;
  default:
    return transform_precoding ? phy::McsTable::transform_precoding_qam64 : phy::McsTable::qam64;
  }
}

std::uint8_t fapi_mcs_table(phy::McsTable table) {
  switch (table) {
  case phy::McsTable::qam256:
    return 1;
  case phy::McsTable::qam64_low_se:
    return 2;
  case phy::McsTable::transform_precoding_qam64:
    return 3;
  case phy::McsTable::transform_precoding_qam64_low_se:
    return 4;
  case phy::McsTable::qam64:
    break;
  }
  return 0;
}

/// Empty when to_fapi_pusch_pdu() can express \p pusch's transform precoding, otherwise why not.
const char* fapi_transform_precoding_problem(const phy::PuschConfig& pusch) {
  if (!pusch.transform_precoding) {
    return nullptr;
  }
  if (pusch.mcs_table == phy::McsTable::qam64 || pusch.mcs_table == phy::McsTable::qam64_low_se) {
    return "with transform precoding FAPI mcsTable 0/2 are Tables 6.1.4.1-1/-2: 5.1.3.1-1/-3 "
           "cannot be expressed";
  }
  return nullptr;
}

/// The cell with the UE's antenna ports = layers (non-codebook PUSCH), for validate().
phy::CellConfig cell_for_layers(const phy::CellConfig& cell, unsigned layers) {
  phy::CellConfig copy = cell;
  if (layers == 1 || layers == 2 || layers == 4) {
    copy.num_antenna_ports = layers;
  }
  return copy;
}

} // namespace

FapiError to_pusch_config(const FapiPuschPdu& pdu, const phy::CellConfig& cell,
                          phy::PuschConfig& out) {
  if (FapiError error = fapi_detail::check_pusch_pdu(pdu, 0); !error.ok()) {
    return error;
  }
  if (FapiError error = check_supported(pdu, cell); !error.ok()) {
    return error;
  }
  phy::PuschConfig config;
  config.rnti = pdu.rnti;
  config.handle = pdu.handle;
  config.bwp_start = pdu.bwp_start;
  config.bwp_size = pdu.bwp_size;
  config.prb_start = pdu.rb_start;
  config.prb_size = pdu.rb_size;
  config.start_symbol = pdu.start_symbol_index;
  config.num_symbols = pdu.num_symbols;

  const unsigned first_dmrs = static_cast<unsigned>(std::countr_zero(pdu.ul_dmrs_symb_pos));
  if (pdu.start_symbol_index == 0 && pdu.num_symbols >= 4 &&
      first_dmrs == cell.dmrs_type_a_position) {
    config.mapping_type = phy::PuschMappingType::type_a;
  } else if (first_dmrs == pdu.start_symbol_index) {
    config.mapping_type = phy::PuschMappingType::type_b;
  } else {
    return pdu_error(FapiStatus::out_of_range,
                     "first DMRS symbol %u fits neither mapping type A (l0 %u) nor B (start %u)",
                     first_dmrs, cell.dmrs_type_a_position, pdu.start_symbol_index);
  }
  config.dmrs_config_type =
      pdu.dmrs_config_type == 0 ? phy::DmrsConfigType::type1 : phy::DmrsConfigType::type2;
  config.dmrs_symbol_mask = pdu.ul_dmrs_symb_pos;
  unsigned occasions = 0;
  config.dmrs_length = dmrs_length_of(pdu.ul_dmrs_symb_pos, occasions);
  config.dmrs_additional_position = std::min(occasions, 4U) - 1;
  config.dmrs_ports = pdu.dmrs_ports;
  config.n_scid = pdu.scid;
  config.dmrs_scrambling_id = pdu.ul_dmrs_scrambling_id;
  config.num_dmrs_cdm_groups_no_data = pdu.num_dmrs_cdm_grps_no_data;
  if (pdu.ptrs) {
    if (FapiError error = fapi_detail::ptrs_config_of(*pdu.ptrs, config); !error.ok()) {
      return error;
    }
  }

  config.mcs_index = pdu.mcs_index;
  config.transform_precoding = pdu.transform_precoding == 0;
  config.mcs_table = mcs_table_of(pdu.mcs_table, config.transform_precoding);
  config.target_code_rate_x10240 = pdu.target_code_rate;
  config.qam_order = pdu.qam_mod_order;
  // FAPI has no tp-pi2BPSK: qamModOrder 1 on Table 6.1.4.1-1 or -2 says it (validate() then
  // checks that the row's Q_m is q, as for MCS 0 and 1 of -1, 0 to 5 of -2, and 28).
  config.tp_pi2bpsk = phy::is_transform_precoding_table(config.mcs_table) && pdu.qam_mod_order == 1;
  config.pusch_identity = pdu.pusch_identity;
  config.dmrs_hopping = phy::LowPaprHopping::none;
  fapi_detail::apply_pusch_maintenance(pdu, config);
  config.num_layers = pdu.num_layers;
  config.precoding = phy::PuschPrecoding::non_codebook;

  config.data_scrambling_id = pdu.data_scrambling_id;
  config.ulsch = static_cast<bool>(pdu.data); // without puschData: UCI only
  if (const auto& data = pdu.data) {
    config.rv = data->rv_index;
    config.harq_process_id = data->harq_process_id;
    config.new_data_indicator = data->new_data_indicator != 0;
    config.tb_size_bits = data->tb_size * 8;
  } else {
    config.rv = 0;
    config.harq_process_id = 0;
    config.new_data_indicator = false;
    config.tb_size_bits = 0;
  }
  if (pdu.uci) {
    if (FapiError error = fapi_detail::uci_config_of(*pdu.uci, config.uci); !error.ok()) {
      return error;
    }
  }

  if (const std::string problem = config.validate(cell_for_layers(cell, config.num_layers));
      !problem.empty()) {
    return pdu_error(FapiStatus::out_of_range, "%s", problem.c_str());
  }
  if (FapiError error = config.ulsch ? fapi_detail::check_ldpc_base_graph(
                                           pdu, cell_for_layers(cell, config.num_layers), config)
                                     : FapiError{};
      !error.ok()) {
    return error;
  }
  out = config;
  return {};
}

FapiError to_fapi_pusch_pdu(const phy::PuschConfig& pusch, const phy::CellConfig& cell,
                            FapiPuschPdu& out) {
  if (pusch.precoding != phy::PuschPrecoding::non_codebook) {
    return pdu_error(FapiStatus::unsupported, "the PUSCH PDU carries no TPMI");
  }
  if (const char* problem = fapi_transform_precoding_problem(pusch); problem != nullptr) {
    return pdu_error(FapiStatus::unsupported, "%s", problem);
  }
  if (const std::string problem = pusch.validate(cell); !problem.empty()) {
    return pdu_error(FapiStatus::out_of_range, "%s", problem.c_str());
  }
  FapiPuschPdu pdu;
  std::uint32_t tbs_bits = pusch.tb_size_bits;
  try {
    pdu.ul_dmrs_symb_pos = phy::pusch_dmrs_symbols(cell, pusch).mask;
    if (tbs_bits == 0 && pusch.ulsch) {
      tbs_bits = phy::compute_pusch_tbs(cell, pusch);
    }
  } catch (const std::invalid_argument& e) {
    return pdu_error(FapiStatus::out_of_range, "%s", e.what());
  }
  if (tbs_bits % 8 != 0) {
    return pdu_error(FapiStatus::out_of_range, "TBS %u bits is not whole bytes", tbs_bits);
  }
  pdu.rnti = pusch.rnti;
  pdu.handle = pusch.handle;
  pdu.bwp_size = static_cast<std::uint16_t>(pusch.bwp_size);
  pdu.bwp_start = static_cast<std::uint16_t>(pusch.bwp_start);
  pdu.subcarrier_spacing = static_cast<std::uint8_t>(cell.numerology);
  pdu.cyclic_prefix = cell.cyclic_prefix == phy::CyclicPrefix::extended ? 1 : 0;
  pdu.target_code_rate = static_cast<std::uint16_t>(pusch.code_rate_x10240());
  pdu.qam_mod_order = static_cast<std::uint8_t>(pusch.modulation_order());
  pdu.mcs_index = static_cast<std::uint8_t>(pusch.mcs_index);
  pdu.mcs_table = fapi_mcs_table(pusch.mcs_table);
  pdu.transform_precoding = pusch.transform_precoding ? 0 : 1; // 0: enabled
  pdu.data_scrambling_id = pusch.data_scrambling_id;
  pdu.num_layers = static_cast<std::uint8_t>(pusch.num_layers);
  pdu.dmrs_config_type = pusch.dmrs_config_type == phy::DmrsConfigType::type1 ? 0 : 1;
  pdu.ul_dmrs_scrambling_id = pusch.dmrs_scrambling_id;
  pdu.pusch_identity = pusch.transform_precoding ? pusch.pusch_identity : cell.n_cell_id;
  if (pusch.transform_precoding) {
    // The low-PAPR group and sequence of every DMRS symbol without hopping (TS 38.211
    // 6.4.1.1.1.2).
    FapiDftsOfdm& dfts = pdu.dfts_ofdm.emplace();
    dfts.low_papr_group_number = static_cast<std::uint8_t>(pusch.pusch_identity % 30U);
    dfts.low_papr_sequence_number = 0;
  }
  pdu.scid = static_cast<std::uint8_t>(pusch.n_scid);
  pdu.num_dmrs_cdm_grps_no_data = static_cast<std::uint8_t>(pusch.num_dmrs_cdm_groups_no_data);
  pdu.dmrs_ports = pusch.dmrs_ports;
  pdu.resource_alloc = 1;
  pdu.rb_start = static_cast<std::uint16_t>(pusch.prb_start);
  pdu.rb_size = static_cast<std::uint16_t>(pusch.prb_size);
  pdu.start_symbol_index = static_cast<std::uint8_t>(pusch.start_symbol);
  pdu.num_symbols = static_cast<std::uint8_t>(pusch.num_symbols);
  if (pusch.ulsch) { // UCI only: no puschData part (pduBitmap bit 0 clear)
    FapiPuschData& data = pdu.data.emplace();
    data.rv_index = static_cast<std::uint8_t>(pusch.rv);
    data.harq_process_id = static_cast<std::uint8_t>(pusch.harq_process_id);
    data.new_data_indicator = pusch.new_data_indicator ? 1 : 0;
    data.tb_size = tbs_bits / 8;
  }
  if (pusch.ptrs.enabled) {
    pdu.ptrs = fapi_detail::fapi_ptrs_of(pusch);
  }
  // What 222.10.02 cannot say goes in the FAPIv3 maintenance part (absent otherwise).
  if (FapiError error = fapi_detail::add_pusch_maintenance(pusch, tbs_bits, pdu); !error.ok()) {
    return error;
  }
  if (pusch.uci.present()) {
    // CSI part 2 sized from part 1: csiPart2BitLength 0xFFFF and the part 1 to part 2
    // correspondence (after the maintenance part, which add_pusch_maintenance() added).
    pdu.uci = fapi_detail::fapi_uci_of(pusch.uci);
  }
  if (FapiError error = fapi_detail::check_pusch_pdu(pdu, 0); !error.ok()) {
    return error; // e.g. a HARQ process id above 15, which 222.10.02 cannot carry
  }
  out = pdu;
  return {};
}

void to_slot_request(const FapiUlTtiRequest& request, const phy::CellConfig& cell,
                     FapiSlotRequest& out) {
  out.sfn = request.sfn;
  out.slot = request.slot;
  out.num_pusch = 0;
  out.num_rejected = 0;
  out.num_prach = 0;
  out.num_rejected_prach = 0;
  out.num_srs = 0;
  out.num_rejected_srs = 0;
  for (std::size_t i = 0; i < request.num_pusch; ++i) {
    const FapiPuschPdu& pdu = request.pusch[i];
    if (FapiError error = to_pusch_config(pdu, cell, out.pusch[out.num_pusch]); !error.ok()) {
      FapiRejectedPdu& rejected = out.rejected[out.num_rejected++];
      rejected.pusch_index = i;
      rejected.handle = pdu.handle;
      rejected.rnti = pdu.rnti;
      rejected.harq_process_id = pdu.data ? pdu.data->harq_process_id : 0;
      rejected.carries_tb = static_cast<bool>(pdu.data);
      rejected.new_data = pdu.data && pdu.data->new_data_indicator != 0;
      rejected.uci = pdu.uci;
      rejected.error = error;
      continue;
    }
    out.source_index[out.num_pusch++] = i;
  }
  add_pucch_pdus(request, cell, out);
}

} // namespace airan::io
