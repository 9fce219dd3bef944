/// \file
/// \brief The UL_TTI.request PRACH PDU (SCF 222.10.02 Table 3-45 with the Rx beamforming of Table
/// 3-53, and the PRACH maintenance FAPIv3 part of 222.10.04): range checks, decoding of the PDU
/// body (after pduType and pduSize) and encoding.
#pragma once

#include "airan/io/fapi_prach_messages.h"
#include "airan/io/fapi_types.h"
#include "fapi_byte_io.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io::fapi_detail {

/// Bytes of the PRACH PDU before its Rx beamforming part (after pduType and pduSize).
inline constexpr std::size_t prach_pdu_fixed_size = 8;
/// Bytes of the PRACH maintenance FAPIv3 part.
inline constexpr std::size_t prach_maintenance_v3_size = 10;

/// Checks every field of \p pdu against the spec's ranges and this codec's capacities (out_of_range
/// or capacity_exceeded, MSG_SLOT_ERR). \p offset is the offset of the PDU body: each error
/// reports it plus the field's offset in the body. The decoder and the UL_TTI.request encoder
/// check only the beamforming part (check_rx_beamforming()); to_prach_occasions() checks all.
FapiError check_prach_pdu(const FapiPrachPdu& pdu, std::size_t offset);

/// Decodes a PRACH PDU body that must fill \p body exactly: the fixed fields and the beamforming
/// part, then either nothing or the 10-byte maintenance FAPIv3 part. \p base_offset is the
/// absolute offset of body[0] (for error reports).
FapiError decode_prach_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                           FapiPrachPdu& out);

/// Writes the PRACH PDU body (no pduType / pduSize). The caller checks the pdu first.
void write_prach_pdu(ByteWriter& writer, const FapiPrachPdu& pdu);

} // namespace airan::io::fapi_detail
