/// \file
/// \brief The "UCI information for determining UCI Part1 to Part2 correspondence" of a PUSCH PDU
/// (SCF 222.10.04), which follows the PUSCH maintenance FAPIv3 part when the puschUci part's
/// csiPart2BitLength is 0xFFFF: numPart2s (uint16, 1 .. 8 here), then per part 2 priority
/// (uint16), numPart1Params (uint8, 1 .. 4), paramOffsets[numPart1Params] (uint16),
/// paramSizes[numPart1Params] (uint8), part2SizeMapIndex (uint16) and part2SizeMapScope (uint8,
/// 0 .. 1).
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "fapi_byte_io.h"

#include <cstddef>

namespace airan::io::fapi_detail {

/// True when \p pdu's CSI part 2 is sized from part 1 (puschUci with csiPart2BitLength 0xFFFF).
[[nodiscard]] bool csi_part2_from_part1(const FapiPuschPdu& pdu);

/// Checks the correspondence of \p pdu: with csiPart2BitLength 0xFFFF the maintenance part must
/// be present (length_mismatch) and the correspondence within its ranges (numPart2s 1 .. 8,
/// beyond 8 capacity_exceeded; numPart1Params 1 .. 4, part2SizeMapScope 0 .. 1: out_of_range);
/// without it, numPart2s must be 0. False with \p error set (MSG_SLOT_ERR, \p offset) otherwise.
bool check_uci_part2_info(const FapiPuschPdu& pdu, std::size_t offset, FapiError& error);

/// Reads the correspondence into \p info: an error when the bytes end inside it (truncated) or a
/// count is outside its range (as check_uci_part2_info(), at the count's offset).
FapiError read_uci_part2_info(ByteReader& reader, FapiUciPart2Info& info);

/// Writes the correspondence (its num_part2s entries).
void write_uci_part2_info(ByteWriter& writer, const FapiUciPart2Info& info);

} // namespace airan::io::fapi_detail
