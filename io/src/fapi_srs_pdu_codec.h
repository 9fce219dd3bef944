/// \file
/// \brief The UL_TTI.request SRS PDU (SCF 222.10.02 Table 3-73 with the Rx beamforming of Table
/// 3-53): the checks the decoder and the encoder make, decoding of the PDU body (after pduType
/// and pduSize) and encoding.
#pragma once

#include "airan/io/fapi_srs_messages.h"
#include "airan/io/fapi_types.h"
#include "fapi_byte_io.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io::fapi_detail {

/// Bytes of the SRS PDU before its Rx beamforming part (after pduType and pduSize).
inline constexpr std::size_t srs_pdu_fixed_size = 33;

/// Checks what an SRS.indication needs to answer \p pdu: RNTI 1 .. 65535 and the beamforming part
/// (out_of_range or capacity_exceeded, MSG_SLOT_ERR, at \p offset, the PDU body's, plus the
/// field's offset). The other fields, numSymbols included (an SRS.indication for a PDU whose
/// numSymbols is out of range says 1 symbol), written and read as they are, are
/// to_srs_config()'s to judge, so that a PDU the receiver cannot take is refused alone and the
/// MAC still hears back about it.
FapiError check_srs_pdu_reportable(const FapiSrsPdu& pdu, std::size_t offset);

/// Decodes an SRS PDU body. \p base_offset is the absolute offset of body[0] (for error
/// reports). Bytes after the Rx beamforming part (what a 222.10.04 MAC appends: the SRS
/// parameters of FAPIv4) are skipped.
FapiError decode_srs_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                         FapiSrsPdu& out);

/// Writes the SRS PDU body (no pduType / pduSize). The caller checks the pdu first.
void write_srs_pdu(ByteWriter& writer, const FapiSrsPdu& pdu);

} // namespace airan::io::fapi_detail
