#include "airan/io/fapi_pucch_conversion.h"

#include "airan/io/fapi_pusch_conversion.h"

#include "airan/io/fapi_indication_conversion.h"
#include "airan/phy/pucch_format34.h"
#include "airan/phy/uci_polar_code.h"

#include <algorithm>
#include <span>
#include <string>

namespace airan::io {

namespace {

constexpr FapiMessageType pucch_conversion_message = FapiMessageType::ul_tti_request;

unsigned fapi_cyclic_prefix_of(const phy::CellConfig& cell) {
  return cell.cyclic_prefix == phy::CyclicPrefix::extended ? 1 : 0;
}

/// m_0 of a format 3 or 4 PUCCH's DMRS (TS 38.211 Table 6.4.1.3.3.1-1, as the transmitter and
/// receiver take it: phy::pucch_format34_dmrs_cyclic_shift()): 0 for format 3 and for a cover
/// outside the table (validate() refuses it).
unsigned pucch_dmrs_m0_of(phy::PucchFormat format, unsigned occ_length, unsigned occ_index) {
  const bool cover = (occ_length == 2 || occ_length == 4) && occ_index < occ_length;
  if (format != phy::PucchFormat::format4 || !cover) {
    return 0;
  }
  phy::PucchConfig pucch;
  pucch.format = format;
  pucch.pre_dft_occ_length = occ_length;
  pucch.pre_dft_occ_index = occ_index;
  return phy::pucch_format34_dmrs_cyclic_shift(pucch);
}

bool is_format34(unsigned format_type) {
  return format_type == 3 || format_type == 4;
}

/// Rejects what the receiver cannot do, and a numerology or cyclic prefix other than the cell's.
FapiError check_pucch_supported(const FapiPucchPdu& pdu, const phy::CellConfig& cell) {
  const auto unsupported = [](const char* field, unsigned value, const char* why) {
    return make_fapi_error(FapiStatus::unsupported, FapiErrorCode::msg_slot_err,
                           pucch_conversion_message, 0, "PUCCH PDU: %s %u is not supported (%s)",
                           field, value, why);
  };
  const auto not_a_flag = [](const char* field, unsigned value) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                           pucch_conversion_message, 0, "PUCCH PDU: %s %u is not 0 or 1", field,
                           value);
  };
  if (pdu.format_type > 4) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                           pucch_conversion_message, 0, "PUCCH PDU: FormatType %u is not in 0..4",
                           pdu.format_type);
  }
  if (pdu.pi2_bpsk > 1) {
    return not_a_flag("pi2Bpsk", pdu.pi2_bpsk);
  }
  if (pdu.add_dmrs_flag > 1) {
    return not_a_flag("AddDmrsFlag", pdu.add_dmrs_flag);
  }
  // Formats 0-2 have neither pi/2-BPSK nor additional DMRS (TS 38.211 6.3.2.3-6.3.2.5).
  if (!is_format34(pdu.format_type) && pdu.pi2_bpsk != 0) {
    return unsupported("pi2Bpsk", pdu.pi2_bpsk, "formats 3 and 4 only");
  }
  if (!is_format34(pdu.format_type) && pdu.add_dmrs_flag != 0) {
    return unsupported("AddDmrsFlag", pdu.add_dmrs_flag, "formats 3 and 4 only");
  }
  if (pdu.multi_slot_tx_indicator != 0) {
    return unsupported("multiSlotTxIndicator", pdu.multi_slot_tx_indicator, "multi-slot PUCCH");
  }
  if (pdu.csi_part2_bit_length != 0) {
    return unsupported("csiPart2BitLength", pdu.csi_part2_bit_length, "CSI part 2 on PUCCH");
  }
  if (pdu.intra_slot_frequency_hopping > 1) {
    return not_a_flag("intraSlotFrequencyHopping", pdu.intra_slot_frequency_hopping);
  }
  if (pdu.subcarrier_spacing != cell.numerology) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                           pucch_conversion_message, 0,
                           "PUCCH PDU: SubcarrierSpacing %u is not the cell's mu %u",
                           pdu.subcarrier_spacing, cell.numerology);
  }
  if (pdu.cyclic_prefix != fapi_cyclic_prefix_of(cell)) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                           pucch_conversion_message, 0,
                           "PUCCH PDU: CyclicPrefix %u is not the cell's %u", pdu.cyclic_prefix,
                           fapi_cyclic_prefix_of(cell));
  }
  return {};
}

/// The pre-DFT cover of a format 4 PDU (PreDftOccLen 2 or 4, PreDftOccIdx below it) and the DMRS
/// cyclic shift of a format 3 or 4 one: m0PucchDmrsCyclicShift is the value TS 38.211 Table
/// 6.4.1.3.3.1-1 gives, or 0 (left unset); formats 0-2 do not read these fields.
FapiError check_pucch_format34_fields(const FapiPucchPdu& pdu) {
  if (!is_format34(pdu.format_type)) {
    return {};
  }
  const auto format = static_cast<phy::PucchFormat>(pdu.format_type);
  if (format == phy::PucchFormat::format4) {
    if (pdu.pre_dft_occ_len != 2 && pdu.pre_dft_occ_len != 4) {
      return make_fapi_error(
          FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, pucch_conversion_message, 0,
          "PUCCH PDU: PreDftOccLen %u is not 2 or 4 (format 4)", pdu.pre_dft_occ_len);
    }
    if (pdu.pre_dft_occ_idx >= pdu.pre_dft_occ_len) {
      return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                             pucch_conversion_message, 0,
                             "PUCCH PDU: PreDftOccIdx %u is not below PreDftOccLen %u (format 4)",
                             pdu.pre_dft_occ_idx, pdu.pre_dft_occ_len);
    }
  }
  const unsigned m0 = pucch_dmrs_m0_of(format, pdu.pre_dft_occ_len, pdu.pre_dft_occ_idx);
  if (pdu.m0_pucch_dmrs_cyclic_shift == m0 || pdu.m0_pucch_dmrs_cyclic_shift == 0) {
    return {};
  }
  if (format == phy::PucchFormat::format3) {
    return make_fapi_error(
        FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, pucch_conversion_message, 0,
        "PUCCH PDU: m0PucchDmrsCyclicShift %u is not %u (format 3, TS 38.211 Table 6.4.1.3.3.1-1)",
        pdu.m0_pucch_dmrs_cyclic_shift, m0);
  }
  return make_fapi_error(
      FapiStatus::out_of_range, FapiErrorCode::msg_slot_err, pucch_conversion_message, 0,
      "PUCCH PDU: m0PucchDmrsCyclicShift %u is not %u (TS 38.211 Table "
      "6.4.1.3.3.1-1: PreDftOccIdx %u of %u)",
      pdu.m0_pucch_dmrs_cyclic_shift, m0, pdu.pre_dft_occ_idx, pdu.pre_dft_occ_len);
}

/// \p measurement with UL_CQI from the SINR the receiver estimated (when it processed the PDU).
FapiUlMeasurement with_pucch_ul_cqi(FapiUlMeasurement measurement, const phy::PucchResult& result) {
  if (result.error.empty()) {
    measurement.ul_cqi = fapi_ul_cqi_from_snr_db(result.sinr_db);
  }
  return measurement;
}

/// \p bits (one per element, values 0/1) packed least significant first.
void pack_uci_bits(std::span<const phy::bit_t> bits, std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < bits.size() && i / 8 < out.size(); ++i) {
    out[i / 8] = static_cast<std::uint8_t>(out[i / 8] | ((bits[i] & 1U) << (i % 8)));
  }
}

/// A UCI part of \p length bits: \p bits with CRC \p crc when \p decoded, else CRC fail and zero
/// bits.
FapiUciPart pucch_uci_part(std::span<const phy::bit_t> bits, unsigned length, bool decoded,
                           std::uint8_t crc) {
  FapiUciPart part;
  part.bit_length = static_cast<std::uint16_t>(std::min<unsigned>(length, FapiUciPart::max_bits));
  if (!decoded || bits.size() != length) {
    part.crc = FapiUciPart::crc_fail;
    return part;
  }
  part.crc = crc;
  pack_uci_bits(bits, part.payload);
  return part;
}

} // namespace

phy::PucchConfig pucch_fields_of(const FapiPucchPdu& pdu) {
  phy::PucchConfig config;
  config.rnti = pdu.rnti;
  config.handle = pdu.handle;
  config.format = static_cast<phy::PucchFormat>(pdu.format_type);
  config.bwp_start = pdu.bwp_start;
  config.bwp_size = pdu.bwp_size;
  config.prb_start = pdu.prb_start;
  config.num_prbs = pdu.prb_size;
  config.start_symbol = pdu.start_symbol_index;
  config.num_symbols = pdu.num_symbols;
  config.intra_slot_hopping = pdu.intra_slot_frequency_hopping != 0;
  config.second_hop_prb = pdu.second_hop_prb;
  config.group_hopping = static_cast<phy::PucchGroupHopping>(pdu.pucch_group_hopping);
  config.hopping_id = pdu.n_id_pucch_hopping;
  config.initial_cyclic_shift = pdu.initial_cyclic_shift;
  config.time_domain_occ = pdu.time_domain_occ_idx;
  config.scrambling_id = pdu.n_id_pucch_scrambling;
  config.dmrs_scrambling_id = pdu.n_id0_pucch_dmrs_scrambling;
  config.pi2_bpsk = pdu.pi2_bpsk != 0;
  config.additional_dmrs = pdu.add_dmrs_flag != 0;
  if (config.format == phy::PucchFormat::format4) { // other formats keep the defaults
    config.pre_dft_occ_length = pdu.pre_dft_occ_len;
    config.pre_dft_occ_index = pdu.pre_dft_occ_idx;
  }
  config.sr_bits = pdu.sr_bit_len;
  config.harq_bits = pdu.bit_len_harq;
  config.csi_part1_bits = pdu.csi_part1_bit_length;
  return config;
}

FapiError to_pucch_config(const FapiPucchPdu& pdu, const phy::CellConfig& cell,
                          phy::PucchConfig& out) {
  if (FapiError error = check_pucch_supported(pdu, cell); !error.ok()) {
    return error;
  }
  if (FapiError error = check_pucch_format34_fields(pdu); !error.ok()) {
    return error;
  }
  const phy::PucchConfig config = pucch_fields_of(pdu);
  if (const std::string problem = config.validate(cell); !problem.empty()) {
    return make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                           pucch_conversion_message, 0, "PUCCH PDU: %s", problem.c_str());
  }
  out = config;
  return {};
}

void add_pucch_pdus(const FapiUlTtiRequest& request, const phy::CellConfig& cell,
                    FapiSlotRequest& out) {
  out.num_pucch = 0;
  out.num_rejected_pucch = 0;
  for (const FapiPucchPdu& pdu : request.pucch_pdus()) {
    if (FapiError error = to_pucch_config(pdu, cell, out.pucch[out.num_pucch]); !error.ok()) {
      out.rejected_pucch[out.num_rejected_pucch++] = {pucch_fields_of(pdu), error};
      continue;
    }
    ++out.num_pucch;
  }
}

FapiPucchPdu to_fapi_pucch_pdu(const phy::PucchConfig& pucch, const phy::CellConfig& cell) {
  FapiPucchPdu pdu;
  pdu.rnti = pucch.rnti;
  pdu.handle = pucch.handle;
  pdu.bwp_size = static_cast<std::uint16_t>(pucch.bwp_size);
  pdu.bwp_start = static_cast<std::uint16_t>(pucch.bwp_start);
  pdu.subcarrier_spacing = static_cast<std::uint8_t>(cell.numerology);
  pdu.cyclic_prefix = static_cast<std::uint8_t>(fapi_cyclic_prefix_of(cell));
  pdu.format_type = static_cast<std::uint8_t>(pucch.format);
  pdu.prb_start = static_cast<std::uint16_t>(pucch.prb_start);
  pdu.prb_size = static_cast<std::uint16_t>(pucch.num_prbs);
  pdu.start_symbol_index = static_cast<std::uint8_t>(pucch.start_symbol);
  pdu.num_symbols = static_cast<std::uint8_t>(pucch.num_symbols);
  pdu.intra_slot_frequency_hopping = pucch.intra_slot_hopping ? 1 : 0;
  pdu.second_hop_prb = static_cast<std::uint16_t>(pucch.second_hop_prb);
  pdu.pucch_group_hopping = static_cast<std::uint8_t>(pucch.group_hopping);
  pdu.n_id_pucch_hopping = pucch.hopping_id;
  pdu.initial_cyclic_shift = static_cast<std::uint16_t>(pucch.initial_cyclic_shift);
  pdu.n_id_pucch_scrambling = pucch.scrambling_id;
  pdu.time_domain_occ_idx = static_cast<std::uint8_t>(pucch.time_domain_occ);
  pdu.n_id0_pucch_dmrs_scrambling = pucch.dmrs_scrambling_id;
  pdu.pi2_bpsk = pucch.pi2_bpsk ? 1 : 0;
  pdu.add_dmrs_flag = pucch.additional_dmrs ? 1 : 0;
  if (pucch.format == phy::PucchFormat::format4) { // 0 for the formats that have no cover
    pdu.pre_dft_occ_len = static_cast<std::uint8_t>(pucch.pre_dft_occ_length);
    pdu.pre_dft_occ_idx = static_cast<std::uint8_t>(pucch.pre_dft_occ_index);
  }
  pdu.m0_pucch_dmrs_cyclic_shift = static_cast<std::uint8_t>(
      pucch_dmrs_m0_of(pucch.format, pucch.pre_dft_occ_length, pucch.pre_dft_occ_index));
  pdu.sr_bit_len = static_cast<std::uint8_t>(pucch.sr_bits);
  pdu.bit_len_harq = static_cast<std::uint16_t>(pucch.harq_bits);
  pdu.csi_part1_bit_length = static_cast<std::uint16_t>(pucch.csi_part1_bits);
  return pdu;
}

FapiUciPucchFormat01 to_uci_pucch_format01(const phy::PucchConfig& pucch,
                                           const phy::PucchResult& result,
                                           const FapiUlMeasurement& measurement) {
  FapiUciPucchFormat01 pdu;
  pdu.handle = pucch.handle;
  pdu.rnti = pucch.rnti;
  pdu.pucch_format = pucch.format == phy::PucchFormat::format1 ? FapiUciPucchFormat01::format1
                                                               : FapiUciPucchFormat01::format0;
  pdu.measurement = with_pucch_ul_cqi(measurement, result);
  const bool processed = result.error.empty();
  const std::uint8_t confidence =
      processed && result.detected ? fapi_uci_confidence::good : fapi_uci_confidence::bad;
  if (pucch.sr_bits != 0) {
    FapiUciSrFormat01& sr = pdu.sr.emplace();
    const std::span<const phy::bit_t> bits = result.sr();
    sr.sr_indication = result.detected && !bits.empty() && bits[0] == 1 ? 1 : 0;
    // An SR occasion alone, or a format 1 on the SR resource (HARQ-ACK sent there only with a
    // positive SR), that stays silent is simply a negative SR.
    const bool silence_is_negative_sr =
        pucch.harq_bits == 0 || pucch.format == phy::PucchFormat::format1;
    sr.confidence_level =
        processed && silence_is_negative_sr ? fapi_uci_confidence::good : confidence;
  }
  if (pucch.harq_bits != 0) {
    FapiUciHarqFormat01& harq = pdu.harq.emplace();
    harq.num_harq = static_cast<std::uint8_t>(
        std::min<unsigned>(pucch.harq_bits, FapiUciHarqFormat01::max_harq));
    harq.confidence_level = confidence;
    const std::span<const phy::bit_t> bits = result.harq();
    for (std::size_t i = 0; i < harq.num_harq; ++i) {
      if (!result.detected || i >= bits.size()) {
        harq.values[i] = FapiUciHarqFormat01::dtx;
      } else {
        harq.values[i] = bits[i] == 1 ? FapiUciHarqFormat01::ack : FapiUciHarqFormat01::nack;
      }
    }
  }
  return pdu;
}

FapiUciPucchFormat234 to_uci_pucch_format234(const phy::PucchConfig& pucch,
                                             const phy::PucchResult& result,
                                             const FapiUlMeasurement& measurement) {
  FapiUciPucchFormat234 pdu;
  pdu.handle = pucch.handle;
  pdu.rnti = pucch.rnti;
  pdu.pucch_format = static_cast<std::uint8_t>(
      std::clamp<unsigned>(static_cast<unsigned>(pucch.format), 2, 4) - 2U);
  pdu.measurement = with_pucch_ul_cqi(measurement, result);
  // Formats 2, 3 and 4 (without CSI part 2) code HARQ-ACK, SR and CSI part 1 as one payload
  // (TS 38.212 6.3.1): one CRC verdict for all parts.
  const bool polar = pucch.payload_bits() >= phy::uci_polar_min_payload_bits;
  const bool decoded = result.detected && result.crc_ok;
  const std::uint8_t crc = polar ? FapiUciPart::crc_pass : FapiUciPart::crc_not_present;
  if (pucch.sr_bits != 0) {
    FapiUciSrPayload& sr = pdu.sr.emplace();
    sr.bit_length =
        static_cast<std::uint16_t>(std::min<unsigned>(pucch.sr_bits, FapiUciSrPayload::max_bits));
    if (decoded && result.sr().size() == pucch.sr_bits) {
      pack_uci_bits(result.sr(), std::span(&sr.payload, 1));
    }
  }
  if (pucch.harq_bits != 0) {
    pdu.harq = pucch_uci_part(result.harq(), pucch.harq_bits, decoded, crc);
  }
  if (pucch.csi_part1_bits != 0) {
    pdu.csi_part1 = pucch_uci_part(result.csi_part1(), pucch.csi_part1_bits, decoded, crc);
  }
  return pdu;
}

void append_pucch_uci(const phy::PucchConfig& pucch, const phy::PucchResult& result,
                      const FapiUlMeasurement& measurement, FapiUciIndication& uci) {
  if (pucch.format == phy::PucchFormat::format0 || pucch.format == phy::PucchFormat::format1) {
    if (uci.num_pucch_f01 < uci.pucch_f01.size()) {
      uci.pucch_f01[uci.num_pucch_f01++] = to_uci_pucch_format01(pucch, result, measurement);
    }
    return;
  }
  if (uci.num_pucch_f234 < uci.pucch_f234.size()) {
    uci.pucch_f234[uci.num_pucch_f234++] = to_uci_pucch_format234(pucch, result, measurement);
  }
}

void append_rejected_pucch_uci(const FapiSlotRequest& request, FapiUciIndication& uci) {
  phy::PucchResult rejected; // not detected, nothing decoded
  rejected.error = "rejected";
  for (const FapiRejectedPucch& pdu : request.rejected_pucch_pdus()) {
    append_pucch_uci(pdu.fields, rejected, FapiUlMeasurement{}, uci);
  }
}

} // namespace airan::io
