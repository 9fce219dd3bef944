/// \file
/// \brief The UL_TTI.request PUSCH PDU (SCF 222.10.02 Table 3-46 with the optional parts of
/// Tables 3-47 .. 3-50 and the Rx beamforming of Table 3-53): range checks, decoding of the PDU
/// body (after pduType and pduSize) and encoding.
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "fapi_byte_io.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io::fapi_detail {

/// Bytes of the PUSCH PDU before its optional parts (after pduType and pduSize).
inline constexpr std::size_t pusch_pdu_fixed_size = 82;

/// Checks every field of \p pdu against the spec's ranges and this codec's capacities.
/// \p offset is reported in the error.
FapiError check_pusch_pdu(const FapiPuschPdu& pdu, std::size_t offset);

/// Decodes a PUSCH PDU body that must fill \p body exactly. \p base_offset is the absolute
/// offset of body[0] (for error reports).
FapiError decode_pusch_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                           FapiPuschPdu& out);

/// Writes the PUSCH PDU body (no pduType / pduSize). The caller checks the pdu first.
void write_pusch_pdu(ByteWriter& writer, const FapiPuschPdu& pdu);

} // namespace airan::io::fapi_detail
