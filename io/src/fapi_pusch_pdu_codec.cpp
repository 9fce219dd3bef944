#include "fapi_pusch_pdu_codec.h"

#include "fapi_codec_common.h"
#include "fapi_pusch_uci_part2_codec.h"

namespace airan::io {

std::uint16_t FapiPuschPdu::pdu_bitmap() const {
  return static_cast<std::uint16_t>(
      (data ? fapi_pusch_bitmap::data : 0) | (uci ? fapi_pusch_bitmap::uci : 0) |
      (ptrs ? fapi_pusch_bitmap::ptrs : 0) | (dfts_ofdm ? fapi_pusch_bitmap::dfts_ofdm : 0));
}

namespace fapi_detail {
namespace {

/// Bytes of the PUSCH maintenance FAPIv3 part.
constexpr std::size_t pusch_maintenance_v3_size = 13;

constexpr FapiMessageType ul_tti = FapiMessageType::ul_tti_request;
constexpr std::uint16_t known_bitmap_bits = 0x000F;

FapiError code_block_capacity_error(unsigned num_cb, std::size_t offset) {
  return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, ul_tti, offset,
                         "UL_TTI.request: numCb %u exceeds the %zu supported", num_cb,
                         fapi_max_code_blocks);
}

FapiError beam_capacity_error(const FapiRxBeamforming& bf, std::size_t offset) {
  return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_slot_err, ul_tti, offset,
                         "UL_TTI.request: %u PRGs x %u beams exceed the %zu supported", bf.num_prgs,
                         bf.dig_bf_interfaces, fapi_max_beam_indices);
}

bool check_optional_parts(const FapiPuschPdu& pdu, std::size_t offset, FapiError& error) {
  if (const auto& data = pdu.data) {
    if (!ul_tti_in_range("rvIndex", data->rv_index, 0, 3, offset, error) ||
        !ul_tti_in_range("newDataIndicator", data->new_data_indicator, 0, 1, offset, error)) {
      return false;
    }
  }
  if (pdu.uci && !ul_tti_in_range("AlphaScaling", pdu.uci->alpha_scaling, 0, 3, offset, error)) {
    return false;
  }
  if (const auto& ptrs = pdu.ptrs) {
    if (!ul_tti_in_range("PTRSTimeDensity", ptrs->time_density, 0, 2, offset, error) ||
        !ul_tti_in_range("PTRSFreqDensity", ptrs->freq_density, 0, 1, offset, error) ||
        !ul_tti_in_range("ulPTRSPower", ptrs->ul_ptrs_power, 0, 3, offset, error)) {
      return false;
    }
    for (unsigned p = 0; p < ptrs->num_ports; ++p) {
      if (!ul_tti_in_range("PTRSDmrsPort", ptrs->ports[p].dmrs_port, 0, 11, offset, error) ||
          !ul_tti_in_range("PTRSReOffset", ptrs->ports[p].re_offset, 0, 11, offset, error)) {
        return false;
      }
    }
  }
  if (pdu.dfts_ofdm &&
      (!ul_tti_in_range("lowPaprGroupNumber", pdu.dfts_ofdm->low_papr_group_number, 0, 29, offset,
                        error) ||
       !ul_tti_in_range("lowPaprSequenceNumber", pdu.dfts_ofdm->low_papr_sequence_number, 0, 1,
                        offset, error))) {
    return false;
  }
  if (error = check_rx_beamforming(pdu.beamforming, offset); !error.ok()) {
    return false;
  }
  if (const auto& v3 = pdu.maintenance_v3) {
    return ul_tti_in_range("puschTransType", v3->pusch_trans_type, 0, 2, offset, error) &&
           ul_tti_in_range("deltaBwp0StartFromActiveBwp", v3->delta_bwp0_start_from_active_bwp, 0,
                           274, offset, error) &&
           ul_tti_in_range("initialUlBwpSize", v3->initial_ul_bwp_size, 0, 275, offset, error) &&
           ul_tti_in_range("groupOrSequenceHopping", v3->group_or_sequence_hopping, 0, 2, offset,
                           error) &&
           ul_tti_in_range("puschSecondHopPRB", v3->pusch_second_hop_prb, 0, 274, offset, error) &&
           ul_tti_in_range("ldpcBaseGraph", v3->ldpc_base_graph, 1, 2, offset, error);
  }
  return true;
}

} // namespace

bool ul_tti_in_range(const char* field, unsigned value, unsigned low, unsigned high,
                     std::size_t offset, FapiError& error) {
  if (value < low || value > high) {
    error = out_of_range_error(ul_tti, offset, field, value, low, high);
    return false;
  }
  return true;
}

FapiError check_rx_beamforming(const FapiRxBeamforming& bf, std::size_t offset) {
  FapiError error;
  if (!ul_tti_in_range("numPRGs", bf.num_prgs, 0, 275, offset, error) ||
      !ul_tti_in_range("prgSize", bf.prg_size, 0, 275, offset, error)) {
    return error;
  }
  if (std::size_t{bf.num_prgs} * bf.dig_bf_interfaces > fapi_max_beam_indices) {
    return beam_capacity_error(bf, offset);
  }
  return {};
}

FapiError read_rx_beamforming(ByteReader& r, const char* pdu_name, FapiRxBeamforming& bf) {
  bf.num_prgs = r.u16();
  bf.prg_size = r.u16();
  bf.dig_bf_interfaces = r.u8();
  if (r.failed()) {
    return truncated_error(ul_tti, r, pdu_name);
  }
  const std::size_t num_beams = std::size_t{bf.num_prgs} * bf.dig_bf_interfaces;
  if (num_beams > fapi_max_beam_indices) {
    return beam_capacity_error(bf, r.offset() - 5);
  }
  for (std::size_t i = 0; i < num_beams; ++i) {
    bf.beam_index[i] = r.u16();
  }
  if (r.failed()) {
    return truncated_error(ul_tti, r, pdu_name);
  }
  return {};
}

void write_rx_beamforming(ByteWriter& w, const FapiRxBeamforming& bf) {
  w.u16(bf.num_prgs);
  w.u16(bf.prg_size);
  w.u8(bf.dig_bf_interfaces);
  for (std::size_t i = 0; i < std::size_t{bf.num_prgs} * bf.dig_bf_interfaces; ++i) {
    w.u16(bf.beam_index[i]);
  }
}

FapiError check_pusch_pdu_reportable(const FapiPuschPdu& pdu, std::size_t offset) {
  FapiError error;
  if (!ul_tti_in_range("RNTI", pdu.rnti, 1, 65535, offset, error)) {
    return error;
  }
  if (const auto& data = pdu.data) {
    // CRC.indication's HarqID is 0 .. 15 (Table 3-67): a larger one cannot be answered.
    if (!ul_tti_in_range("harqProcessID", data->harq_process_id, 0, 15, offset, error)) {
      return error;
    }
    if (data->num_cb > fapi_max_code_blocks) {
      return code_block_capacity_error(data->num_cb, offset);
    }
  }
  if (pdu.ptrs && !ul_tti_in_range("numPtrsPorts", pdu.ptrs->num_ports, 1, 2, offset, error)) {
    return error;
  }
  if (std::size_t{pdu.beamforming.num_prgs} * pdu.beamforming.dig_bf_interfaces >
      fapi_max_beam_indices) {
    return beam_capacity_error(pdu.beamforming, offset);
  }
  if (!check_uci_part2_info(pdu, offset, error)) {
    return error;
  }
  return {};
}

FapiError check_pusch_pdu(const FapiPuschPdu& pdu, std::size_t offset) {
  if (FapiError error = check_pusch_pdu_reportable(pdu, offset); !error.ok()) {
    return error;
  }
  FapiError error;
  const bool qam_ok = pdu.qam_mod_order == 1 || pdu.qam_mod_order == 2 || pdu.qam_mod_order == 4 ||
                      pdu.qam_mod_order == 6 || pdu.qam_mod_order == 8;
  if (!qam_ok) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, ul_tti, offset,
                           "UL_TTI.request: qamModOrder = %u is not 1, 2, 4, 6 or 8",
                           pdu.qam_mod_order);
  }
  const bool ok =
      ul_tti_in_range("BWPSize", pdu.bwp_size, 1, 275, offset, error) &&
      ul_tti_in_range("BWPStart", pdu.bwp_start, 0, 274, offset, error) &&
      ul_tti_in_range("SubcarrierSpacing", pdu.subcarrier_spacing, 0, 4, offset, error) &&
      ul_tti_in_range("CyclicPrefix", pdu.cyclic_prefix, 0, 1, offset, error) &&
      ul_tti_in_range("mcsIndex", pdu.mcs_index, 0, 31, offset, error) &&
      ul_tti_in_range("mcsTable", pdu.mcs_table, 0, 4, offset, error) &&
      ul_tti_in_range("TransformPrecoding", pdu.transform_precoding, 0, 1, offset, error) &&
      ul_tti_in_range("nrOfLayers", pdu.num_layers, 1, 4, offset, error) &&
      ul_tti_in_range("ulDmrsSymbPos", pdu.ul_dmrs_symb_pos, 0, 0x3FFF, offset, error) &&
      ul_tti_in_range("dmrsConfigType", pdu.dmrs_config_type, 0, 1, offset, error) &&
      ul_tti_in_range("puschIdentity", pdu.pusch_identity, 0, 1007, offset, error) &&
      ul_tti_in_range("SCID", pdu.scid, 0, 1, offset, error) &&
      ul_tti_in_range("numDmrsCdmGrpsNoData", pdu.num_dmrs_cdm_grps_no_data, 1, 3, offset, error) &&
      ul_tti_in_range("dmrsPorts", pdu.dmrs_ports, 0, 0x0FFF, offset, error) &&
      ul_tti_in_range("resourceAlloc", pdu.resource_alloc, 0, 1, offset, error) &&
      ul_tti_in_range("rbStart", pdu.rb_start, 0, 274, offset, error) &&
      ul_tti_in_range("rbSize", pdu.rb_size, 1, 275, offset, error) &&
      ul_tti_in_range("VRBtoPRBMapping", pdu.vrb_to_prb_mapping, 0, 2, offset, error) &&
      ul_tti_in_range("FrequencyHopping", pdu.frequency_hopping, 0, 1, offset, error) &&
      ul_tti_in_range("txDirectCurrentLocation", pdu.tx_direct_current_location, 0, 4095, offset,
                      error) &&
      ul_tti_in_range("uplinkFrequencyShift7p5khz", pdu.uplink_frequency_shift_7p5khz, 0, 1, offset,
                      error) &&
      ul_tti_in_range("StartSymbolIndex", pdu.start_symbol_index, 0, 13, offset, error) &&
      ul_tti_in_range("NrOfSymbols", pdu.num_symbols, 1, 14u - pdu.start_symbol_index, offset,
                      error) &&
      check_optional_parts(pdu, offset, error);
  return ok ? FapiError{} : error;
}

FapiError decode_pusch_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                           FapiPuschPdu& out) {
  out = {};
  ByteReader r(body, base_offset);
  const std::uint16_t bitmap = r.u16();
  out.rnti = r.u16();
  out.handle = r.u32();
  out.bwp_size = r.u16();
  out.bwp_start = r.u16();
  out.subcarrier_spacing = r.u8();
  out.cyclic_prefix = r.u8();
  out.target_code_rate = r.u16();
  out.qam_mod_order = r.u8();
  out.mcs_index = r.u8();
  out.mcs_table = r.u8();
  out.transform_precoding = r.u8();
  out.data_scrambling_id = r.u16();
  out.num_layers = r.u8();
  out.ul_dmrs_symb_pos = r.u16();
  out.dmrs_config_type = r.u8();
  out.ul_dmrs_scrambling_id = r.u16();
  out.pusch_identity = r.u16();
  out.scid = r.u8();
  out.num_dmrs_cdm_grps_no_data = r.u8();
  out.dmrs_ports = r.u16();
  out.resource_alloc = r.u8();
  r.copy(out.rb_bitmap);
  out.rb_start = r.u16();
  out.rb_size = r.u16();
  out.vrb_to_prb_mapping = r.u8();
  out.frequency_hopping = r.u8();
  out.tx_direct_current_location = r.u16();
  out.uplink_frequency_shift_7p5khz = r.u8();
  out.start_symbol_index = r.u8();
  out.num_symbols = r.u8();
  if (r.failed()) {
    return truncated_error(ul_tti, r, "PUSCH PDU");
  }
  if ((bitmap & ~known_bitmap_bits) != 0) {
    return out_of_range_error(ul_tti, base_offset, "pduBitmap", bitmap, 0, known_bitmap_bits);
  }
  if ((bitmap & fapi_pusch_bitmap::data) != 0) {
    FapiPuschData& data = out.data.emplace();
    data.rv_index = r.u8();
    data.harq_process_id = r.u8();
    data.new_data_indicator = r.u8();
    data.tb_size = r.u32();
    data.num_cb = r.u16();
    if (!r.failed() && data.num_cb > fapi_max_code_blocks) {
      return code_block_capacity_error(data.num_cb, r.offset() - 2);
    }
    r.copy(std::span(data.cb_present_and_position).first((data.num_cb + 7U) / 8));
  }
  if ((bitmap & fapi_pusch_bitmap::uci) != 0) {
    FapiPuschUci& uci = out.uci.emplace();
    uci.harq_ack_bit_length = r.u16();
    uci.csi_part1_bit_length = r.u16();
    uci.csi_part2_bit_length = r.u16();
    uci.alpha_scaling = r.u8();
    uci.beta_offset_harq_ack = r.u8();
    uci.beta_offset_csi1 = r.u8();
    uci.beta_offset_csi2 = r.u8();
  }
  if ((bitmap & fapi_pusch_bitmap::ptrs) != 0) {
    FapiPuschPtrs& ptrs = out.ptrs.emplace();
    ptrs.num_ports = r.u8();
    if (!r.failed() && (ptrs.num_ports < 1 || ptrs.num_ports > ptrs.ports.size())) {
      return out_of_range_error(ul_tti, r.offset() - 1, "numPtrsPorts", ptrs.num_ports, 1, 2);
    }
    for (unsigned p = 0; p < ptrs.num_ports; ++p) {
      ptrs.ports[p].port_index = r.u16();
      ptrs.ports[p].dmrs_port = r.u8();
      ptrs.ports[p].re_offset = r.u8();
    }
    ptrs.time_density = r.u8();
    ptrs.freq_density = r.u8();
    ptrs.ul_ptrs_power = r.u8();
  }
  if ((bitmap & fapi_pusch_bitmap::dfts_ofdm) != 0) {
    FapiDftsOfdm& dfts = out.dfts_ofdm.emplace();
    dfts.low_papr_group_number = r.u8();
    dfts.low_papr_sequence_number = r.u16();
    dfts.ul_ptrs_sample_density = r.u8();
    dfts.ul_ptrs_time_density_transform_precoding = r.u8();
  }
  if (FapiError error = read_rx_beamforming(r, "PUSCH PDU", out.beamforming); !error.ok()) {
    return error;
  }
  const bool part2_from_part1 = csi_part2_from_part1(out);
  if (part2_from_part1 && r.remaining() == 0) {
    return make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err, ul_tti,
                           r.offset(),
                           "UL_TTI.request: csiPart2BitLength 0xFFFF, but the PUSCH PDU has no "
                           "FAPIv3 maintenance part and part 1 to part 2 correspondence");
  }
  if (part2_from_part1 || r.remaining() == pusch_maintenance_v3_size) {
    // A FAPIv3 MAC's PUSCH maintenance part (then, with CSI part 2 sized from part 1, the part 1
    // to part 2 correspondence).
    FapiPuschMaintenanceV3& v3 = out.maintenance_v3.emplace();
    v3.pusch_trans_type = r.u8();
    v3.delta_bwp0_start_from_active_bwp = r.u16();
    v3.initial_ul_bwp_size = r.u16();
    v3.group_or_sequence_hopping = r.u8();
    v3.pusch_second_hop_prb = r.u16();
    v3.ldpc_base_graph = r.u8();
    v3.tb_size_lbrm_bytes = r.u32();
    if (r.failed()) {
      return truncated_error(ul_tti, r, "PUSCH maintenance FAPIv3 part");
    }
    if (part2_from_part1) {
      if (FapiError error = read_uci_part2_info(r, out.uci->part2_info); !error.ok()) {
        return error;
      }
    }
  }
  if (r.remaining() != 0) {
    return make_fapi_error(
        FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err, ul_tti, r.offset(),
        "UL_TTI.request: PUSCH PDU has %zu byte(s) beyond pduSize's content (a FAPIv3 "
        "maintenance part is 13)",
        r.remaining());
  }
  // Only what the L1 needs to answer the PDU (RNTI, HARQ process, the parts' shapes) is checked
  // here: a field out of range refuses that PDU alone, in to_pusch_config(), and the MAC still
  // hears back about it (a failed CRC.indication, UCI.indication).
  return check_pusch_pdu_reportable(out, base_offset);
}

void write_pusch_pdu(ByteWriter& w, const FapiPuschPdu& pdu) {
  w.u16(pdu.pdu_bitmap());
  w.u16(pdu.rnti);
  w.u32(pdu.handle);
  w.u16(pdu.bwp_size);
  w.u16(pdu.bwp_start);
  w.u8(pdu.subcarrier_spacing);
  w.u8(pdu.cyclic_prefix);
  w.u16(pdu.target_code_rate);
  w.u8(pdu.qam_mod_order);
  w.u8(pdu.mcs_index);
  w.u8(pdu.mcs_table);
  w.u8(pdu.transform_precoding);
  w.u16(pdu.data_scrambling_id);
  w.u8(pdu.num_layers);
  w.u16(pdu.ul_dmrs_symb_pos);
  w.u8(pdu.dmrs_config_type);
  w.u16(pdu.ul_dmrs_scrambling_id);
  w.u16(pdu.pusch_identity);
  w.u8(pdu.scid);
  w.u8(pdu.num_dmrs_cdm_grps_no_data);
  w.u16(pdu.dmrs_ports);
  w.u8(pdu.resource_alloc);
  w.bytes(pdu.rb_bitmap);
  w.u16(pdu.rb_start);
  w.u16(pdu.rb_size);
  w.u8(pdu.vrb_to_prb_mapping);
  w.u8(pdu.frequency_hopping);
  w.u16(pdu.tx_direct_current_location);
  w.u8(pdu.uplink_frequency_shift_7p5khz);
  w.u8(pdu.start_symbol_index);
  w.u8(pdu.num_symbols);
  if (const auto& data = pdu.data) {
    w.u8(data->rv_index);
    w.u8(data->harq_process_id);
    w.u8(data->new_data_indicator);
    w.u32(data->tb_size);
    w.u16(data->num_cb);
    w.bytes(std::span(data->cb_present_and_position).first((data->num_cb + 7U) / 8));
  }
  if (const auto& uci = pdu.uci) {
    w.u16(uci->harq_ack_bit_length);
    w.u16(uci->csi_part1_bit_length);
    w.u16(uci->csi_part2_bit_length);
    w.u8(uci->alpha_scaling);
    w.u8(uci->beta_offset_harq_ack);
    w.u8(uci->beta_offset_csi1);
    w.u8(uci->beta_offset_csi2);
  }
  if (const auto& ptrs = pdu.ptrs) {
    w.u8(ptrs->num_ports);
    for (unsigned p = 0; p < ptrs->num_ports; ++p) {
      w.u16(ptrs->ports[p].port_index);
      w.u8(ptrs->ports[p].dmrs_port);
      w.u8(ptrs->ports[p].re_offset);
    }
    w.u8(ptrs->time_density);
    w.u8(ptrs->freq_density);
    w.u8(ptrs->ul_ptrs_power);
  }
  if (const auto& dfts = pdu.dfts_ofdm) {
    w.u8(dfts->low_papr_group_number);
    w.u16(dfts->low_papr_sequence_number);
    w.u8(dfts->ul_ptrs_sample_density);
    w.u8(dfts->ul_ptrs_time_density_transform_precoding);
  }
  write_rx_beamforming(w, pdu.beamforming);
  if (const auto& v3 = pdu.maintenance_v3) {
    w.u8(v3->pusch_trans_type);
    w.u16(v3->delta_bwp0_start_from_active_bwp);
    w.u16(v3->initial_ul_bwp_size);
    w.u8(v3->group_or_sequence_hopping);
    w.u16(v3->pusch_second_hop_prb);
    w.u8(v3->ldpc_base_graph);
    w.u32(v3->tb_size_lbrm_bytes);
  }
  if (csi_part2_from_part1(pdu)) {
    write_uci_part2_info(w, pdu.uci->part2_info);
  }
}

} // namespace fapi_detail
} // namespace airan::io
