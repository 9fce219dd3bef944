/// \file
/// \brief Private: between the puschUci part of a FAPI PUSCH PDU (SCF 222.10.02 Table 3-48, with
/// FAPIv3's part 1 to part 2 correspondence for csiPart2BitLength 0xFFFF) and
/// phy::PuschUciConfig, for fapi_pusch_conversion.cpp.
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/phy/pusch_config.h"

namespace airan::io::fapi_detail {

/// Sets \p out from \p uci (checked by the codec): the three bit lengths, alphaScaling and the
/// beta offsets. With csiPart2BitLength 0xFFFF, csi_part2_bits is 0 and csi_part2_sizing has one
/// rule per part 2 of the correspondence (fields = paramOffsets / paramSizes, map_index =
/// part2SizeMapIndex; part2SizeMapScope 0 and 1 both name the cell's maps, the only ones there
/// are; priority is not read). OUT_OF_RANGE (MSG_SLOT_ERR) when a field has 0 bits, the fields of
/// a part 2 have more than 12 bits together, a field does not lie within csiPart1BitLength, or
/// part2SizeMapIndex is beyond the 64 maps a CONFIG.request carries; \p out is then unchanged.
/// Allocates nothing.
FapiError uci_config_of(const FapiPuschUci& uci, phy::PuschUciConfig& out);

/// The puschUci part of \p uci (which has payload bits). A non-empty csi_part2_sizing becomes
/// csiPart2BitLength 0xFFFF with one part 2 per rule (priority = the report's index,
/// part2SizeMapScope 1, the cell's maps); csi_part2_bits is then not sent.
FapiPuschUci fapi_uci_of(const phy::PuschUciConfig& uci);

} // namespace airan::io::fapi_detail
