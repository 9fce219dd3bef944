// The UL_TTI.request PRACH PDU (SCF 222.10.02 Table 3-45), little-endian, offsets after pduType
// and pduSize: physCellID 0 (u16), NumPrachOcas 2, prachFormat 3, numRa 4, prachStartSymbol 5,
// numCs 6 (u16), then the Rx beamforming part at 8 (Table 3-53, as in the PUSCH PDU). A FAPIv3 MAC
// (222.10.04) appends the PRACH maintenance part: handle (u32), prachConfigScope (u8),
// prachResConfigIndex (u16), NumFdRa (u8), startPreambleIndex (u8), numPreambleIndices (u8).
#include "fapi_prach_pdu_codec.h"

#include "fapi_codec_common.h"
#include "fapi_pusch_pdu_codec.h"

namespace airan::io::fapi_detail {
namespace {

constexpr FapiMessageType prach_pdu_message = FapiMessageType::ul_tti_request;

/// Largest values of the fixed fields (SCF 222.10.02 Table 3-45).
constexpr unsigned prach_max_phys_cell_id = 1007;
constexpr unsigned prach_max_num_ocas = 7;
constexpr unsigned prach_max_num_ra = 7;
constexpr unsigned prach_max_start_symbol = 13;
/// Largest values of the maintenance FAPIv3 fields (SCF 222.10.04).
constexpr unsigned prach_max_config_scope = 1;
constexpr unsigned prach_max_num_fd_ra = 8;
constexpr unsigned prach_max_start_preamble_index = 63;
constexpr unsigned prach_max_num_preamble_indices = 64;

/// Bytes of the beamforming part of \p bf on the wire.
std::size_t prach_beamforming_size(const FapiRxBeamforming& bf) {
  return 5 + 2 * std::size_t{bf.num_prgs} * bf.dig_bf_interfaces;
}

bool check_prach_maintenance_v3(const FapiPrachMaintenanceV3& v3, std::size_t offset,
                                FapiError& error) {
  // Field offsets within the part: handle 0, prachConfigScope 4, prachResConfigIndex 5,
  // NumFdRa 7, startPreambleIndex 8, numPreambleIndices 9.
  if (!ul_tti_in_range("prachConfigScope", v3.prach_config_scope, 0, prach_max_config_scope,
                       offset + 4, error) ||
      !ul_tti_in_range("NumFdRa", v3.num_fd_ra, 1, prach_max_num_fd_ra, offset + 7, error) ||
      !ul_tti_in_range("numPreambleIndices", v3.num_preamble_indices, 1,
                       prach_max_num_preamble_indices, offset + 9, error)) {
    return false;
  }
  if (v3.start_preamble_index > prach_max_start_preamble_index &&
      v3.start_preamble_index != FapiPrachMaintenanceV3::start_preamble_index_from_config) {
    error = make_fapi_error(FapiStatus::out_of_range, FapiErrorCode::msg_slot_err,
                            prach_pdu_message, offset + 8,
                            "UL_TTI.request: startPreambleIndex = %u is not in 0..63 or 255",
                            static_cast<unsigned>(v3.start_preamble_index));
    return false;
  }
  return true;
}

} // namespace

FapiError check_prach_pdu(const FapiPrachPdu& pdu, std::size_t offset) {
  FapiError error;
  const bool ok =
      ul_tti_in_range("PRACH physCellID", pdu.phys_cell_id, 0, prach_max_phys_cell_id, offset,
                      error) &&
      ul_tti_in_range("NumPrachOcas", pdu.num_prach_ocas, 1, prach_max_num_ocas, offset + 2,
                      error) &&
      ul_tti_in_range("prachFormat", pdu.prach_format, 0, fapi_prach_format::last, offset + 3,
                      error) &&
      ul_tti_in_range("numRa", pdu.num_ra, 0, prach_max_num_ra, offset + 4, error) &&
      ul_tti_in_range("prachStartSymbol", pdu.prach_start_symbol, 0, prach_max_start_symbol,
                      offset + 5, error) &&
      ul_tti_in_range("numCs", pdu.num_cs, 0, FapiPrachPdu::max_num_cs, offset + 6, error);
  if (!ok) {
    return error;
  }
  if (error = check_rx_beamforming(pdu.beamforming, offset + prach_pdu_fixed_size); !error.ok()) {
    return error;
  }
  if (pdu.maintenance_v3 && !check_prach_maintenance_v3(*pdu.maintenance_v3,
                                                        offset + prach_pdu_fixed_size +
                                                            prach_beamforming_size(pdu.beamforming),
                                                        error)) {
    return error;
  }
  return {};
}

FapiError decode_prach_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                           FapiPrachPdu& out) {
  out = {};
  ByteReader r(body, base_offset);
  out.phys_cell_id = r.u16();
  out.num_prach_ocas = r.u8();
  out.prach_format = r.u8();
  out.num_ra = r.u8();
  out.prach_start_symbol = r.u8();
  out.num_cs = r.u16();
  if (r.failed()) {
    return truncated_error(prach_pdu_message, r, "PRACH PDU");
  }
  if (FapiError error = read_rx_beamforming(r, "PRACH PDU", out.beamforming); !error.ok()) {
    return error;
  }
  if (r.remaining() == prach_maintenance_v3_size) {
    FapiPrachMaintenanceV3& v3 = out.maintenance_v3.emplace();
    v3.handle = r.u32();
    v3.prach_config_scope = r.u8();
    v3.prach_res_config_index = r.u16();
    v3.num_fd_ra = r.u8();
    v3.start_preamble_index = r.u8();
    v3.num_preamble_indices = r.u8();
  } else if (r.remaining() != 0) {
    return make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_slot_err,
                           prach_pdu_message, r.offset(),
                           "UL_TTI.request: %zu byte(s) after the PRACH PDU's beamforming part "
                           "(0, or 10 for the PRACH maintenance FAPIv3 part)",
                           r.remaining());
  }
  // The fields' ranges are checked by to_prach_occasions(), which refuses this PDU alone: the
  // other PDUs of the request are still received.
  return check_rx_beamforming(out.beamforming, base_offset + prach_pdu_fixed_size);
}

void write_prach_pdu(ByteWriter& w, const FapiPrachPdu& pdu) {
  w.u16(pdu.phys_cell_id);
  w.u8(pdu.num_prach_ocas);
  w.u8(pdu.prach_format);
  w.u8(pdu.num_ra);
  w.u8(pdu.prach_start_symbol);
  w.u16(pdu.num_cs);
  write_rx_beamforming(w, pdu.beamforming);
  if (const auto& v3 = pdu.maintenance_v3) {
    w.u32(v3->handle);
    w.u8(v3->prach_config_scope);
    w.u16(v3->prach_res_config_index);
    w.u8(v3->num_fd_ra);
    w.u8(v3->start_preamble_index);
    w.u8(v3->num_preamble_indices);
  }
}

} // namespace airan::io::fapi_detail
