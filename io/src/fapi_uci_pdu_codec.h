/// \file
/// \brief The PDUs of UCI.indication (SCF 222.10.02 Tables 3-63 .. 3-69): the UCI part and
/// measurement checks shared by every PDU type (fapi_uci_indication_codec.cpp) and the PUCCH
/// format 0/1 and format 2/3/4 PDUs (fapi_uci_pucch_codec.cpp). Each read_* function reads a PDU
/// body after PDUType and PDUSize and checks it; each write_* function writes one the caller
/// checked with the matching check_* function.
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_types.h"
#include "fapi_byte_io.h"

#include <cstddef>
#include <cstdint>

namespace airan::io::fapi_detail {

/// Checks RNTI 1 .. 65535, TimingAdvance 0 .. 63 and RSSI 0 .. 1280 (0xFFFF: invalid).
FapiError check_uci_rnti_and_measurement(std::uint16_t rnti, const FapiUlMeasurement& m,
                                         std::size_t offset);

/// Checks a UCI part's CRC (0 .. 2) and bit length (1 .. 1706); \p name names it in the error.
FapiError check_uci_part(const FapiUciPart& part, const char* name, std::size_t offset);

/// Reads one part (CRC u8, BitLen u16, ceil(BitLen / 8) payload bytes).
FapiError read_uci_part(ByteReader& reader, const char* name, FapiUciPart& part);

/// Writes one part.
void write_uci_part(ByteWriter& writer, const FapiUciPart& part);

/// Checks every field of a PUCCH format 0/1 PDU (PDUType 1).
FapiError check_uci_pucch_format01(const FapiUciPucchFormat01& pdu, std::size_t offset);
/// Reads a PUCCH format 0/1 PDU.
FapiError read_uci_pucch_format01(ByteReader& reader, FapiUciPucchFormat01& pdu);
/// Writes a PUCCH format 0/1 PDU (no PDUType / PDUSize).
void write_uci_pucch_format01(ByteWriter& writer, const FapiUciPucchFormat01& pdu);

/// Checks every field of a PUCCH format 2/3/4 PDU (PDUType 2).
FapiError check_uci_pucch_format234(const FapiUciPucchFormat234& pdu, std::size_t offset);
/// Reads a PUCCH format 2/3/4 PDU.
FapiError read_uci_pucch_format234(ByteReader& reader, FapiUciPucchFormat234& pdu);
/// Writes a PUCCH format 2/3/4 PDU (no PDUType / PDUSize).
void write_uci_pucch_format234(ByteWriter& writer, const FapiUciPucchFormat234& pdu);

} // namespace airan::io::fapi_detail
