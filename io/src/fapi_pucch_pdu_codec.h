/// \file
/// \brief The UL_TTI.request PUCCH PDU (SCF 222.10.02 Table 3-51 with the Rx beamforming of
/// Table 3-53): range checks, decoding of the PDU body (after pduType and pduSize) and encoding.
#pragma once

#include "airan/io/fapi_pucch_messages.h"
#include "airan/io/fapi_types.h"
#include "fapi_byte_io.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io::fapi_detail {

/// Checks what a UCI.indication needs to answer \p pdu: RNTI, SR / HARQ / CSI sizes and the
/// beamforming part (what the decoder and the encoder refuse; the other fields, written and read
/// as they are, are to_pucch_config()'s to judge).
FapiError check_pucch_pdu_reportable(const FapiPucchPdu& pdu, std::size_t offset);

/// Decodes a PUCCH PDU body. \p base_offset is the absolute offset of body[0] (for error
/// reports). Bytes after the Rx beamforming part (the parts a FAPIv3 MAC appends) are skipped.
FapiError decode_pucch_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                           FapiPucchPdu& out);

/// Writes the PUCCH PDU body (no pduType / pduSize). The caller checks the pdu first.
void write_pucch_pdu(ByteWriter& writer, const FapiPucchPdu& pdu);

} // namespace airan::io::fapi_detail
