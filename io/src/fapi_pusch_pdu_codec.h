/// \file
/// \brief The UL_TTI.request PUSCH PDU (SCF 222.10.02 Table 3-46 with the optional parts of
/// Tables 3-47 .. 3-50 and the Rx beamforming of Table 3-53, then FAPIv3's maintenance part and,
/// with csiPart2BitLength 0xFFFF, the part 1 to part 2 correspondence of
/// fapi_pusch_uci_part2_codec.h): range checks, decoding of the PDU body (after pduType and
/// pduSize) and encoding; and the field check and Rx beamforming part that the PUCCH PDU
/// (fapi_pucch_pdu_codec.h) shares with it.
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "fapi_byte_io.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io::fapi_detail {

/// Bytes of the PUSCH PDU before its optional parts (after pduType and pduSize).
inline constexpr std::size_t pusch_pdu_fixed_size = 82;

/// Range check of one UL_TTI.request PDU field: false, with \p error set (out_of_range,
/// MSG_SLOT_ERR), when \p value is outside \p low .. \p high.
bool ul_tti_in_range(const char* field, unsigned value, unsigned low, unsigned high,
                     std::size_t offset, FapiError& error);

/// Checks the Rx beamforming part (numPRGs, prgSize, the beam index capacity).
FapiError check_rx_beamforming(const FapiRxBeamforming& bf, std::size_t offset);

/// Reads the Rx beamforming part (Table 3-53) of a PDU; \p pdu_name names the PDU in a
/// truncation error. An error when the bytes end inside it or it holds more beam indices than
/// fapi_max_beam_indices.
FapiError read_rx_beamforming(ByteReader& reader, const char* pdu_name, FapiRxBeamforming& bf);

/// Writes the Rx beamforming part.
void write_rx_beamforming(ByteWriter& writer, const FapiRxBeamforming& bf);

/// Checks what a PDU needs to be answered and written: RNTI, harqProcessID (CRC.indication
/// carries 0 .. 15), the code block, PT-RS port and beam index capacities, the CSI part 2
/// correspondence's shape. What the decoder and the UL_TTI.request encoder check.
FapiError check_pusch_pdu_reportable(const FapiPuschPdu& pdu, std::size_t offset);

/// check_pusch_pdu_reportable(), then every other field against the spec's ranges
/// (to_pusch_config() refuses the PDU alone for these). \p offset is reported in the error.
FapiError check_pusch_pdu(const FapiPuschPdu& pdu, std::size_t offset);

/// Decodes a PUSCH PDU body that must fill \p body exactly. \p base_offset is the absolute
/// offset of body[0] (for error reports).
FapiError decode_pusch_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                           FapiPuschPdu& out);

/// Writes the PUSCH PDU body (no pduType / pduSize). The caller checks the pdu first.
void write_pusch_pdu(ByteWriter& writer, const FapiPuschPdu& pdu);

} // namespace airan::io::fapi_detail
