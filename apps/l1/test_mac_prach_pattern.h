/// \file
/// \brief Private to the launch pattern parser (launch_pattern.cpp): the PRACH parts of a
/// pattern, the cell's `prach:` block and a PRACH UE's `prach:` map, and the checks that need the
/// whole pattern (test_mac_prach_pattern.cpp).
#pragma once

#include "airan/io/yaml_fields.h"
#include "airan/l1/launch_pattern.h"

#include <string>

namespace airan::l1::prach_pattern_detail {

/// The cell's `prach:` block, checked against \p pattern's cell (the occasion fits the carrier
/// and the slot, and the L1's FAPI conversion takes it) and channel (time domain). The derived
/// fields are left to finish_pattern_prach().
PatternPrach parse_pattern_prach(const YAML::Node& node, const LaunchPattern& pattern,
                                 const io::yaml_fields::Context& ctx);

/// A PRACH UE's `prach:` map (\p where names it) under the cell's \p prach.
PatternPrachUe parse_pattern_prach_ue(const YAML::Node& node, const std::string& where,
                                      const PatternPrach& prach,
                                      const io::yaml_fields::Context& ctx);

/// Once the UEs and the channel are parsed and valid: fills PatternPrach's derived fields (the
/// channel's last path, the longest delay, the slots an occasion spans, which period_slots must
/// cover) and checks the UEs against the PRACH: a PRACH UE's slots are PRACH slots, its delay fits
/// the cyclic-shift window, no two UEs can send one fixed preamble in the same occasion, at most
/// 64 PRACH UEs, no PUSCH or PUCCH on the occasion's PRBs in a slot the occasion covers.
void finish_pattern_prach(LaunchPattern& pattern, const io::yaml_fields::Context& ctx);

} // namespace airan::l1::prach_pattern_detail
