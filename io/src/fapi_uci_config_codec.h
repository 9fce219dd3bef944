/// \file
/// \brief CONFIG.request's UCI configuration TLV (0x1036, SCF 222.10.04): the CSI part 1 to
/// part 2 size maps. Value: numUci2Maps (uint16), then per map numPart1Params (uint8, 1 .. 4),
/// sizesPart1Params[numPart1Params] (uint8 each, at most 12 bits together) and
/// map[2^(sum of sizesPart1Params)] (uint16 each), little-endian; at most
/// fapi_max_uci_part2_maps maps, and nothing after the last one.
#pragma once

#include "airan/io/fapi_p5_messages.h"
#include "fapi_codec_common.h"

#include <cstddef>
#include <span>
#include <vector>

namespace airan::io::fapi_detail {

/// Reads the value of \p tlv (tag fapi_config_tag::uci_configuration) into \p maps. False, with
/// \p error set (MSG_INVALID_CONFIG: truncated, out_of_range, capacity_exceeded or
/// length_mismatch, at the offending byte), when the content is malformed.
bool read_uci_configuration(const RawTlv& tlv, std::vector<FapiUciPart2Map>& maps,
                            FapiError& error);

/// Checks that \p maps can be written as one TLV (the decoder's rules, and a value of at most
/// 65535 bytes).
FapiError check_uci_configuration(std::span<const FapiUciPart2Map> maps);

/// Writes the TLV for \p maps (numUci2Maps 0 when empty) and counts it in \p count.
/// \pre check_uci_configuration(maps) is OK.
void write_uci_configuration(ByteWriter& writer, std::span<const FapiUciPart2Map> maps,
                             std::size_t& count);

} // namespace airan::io::fapi_detail
