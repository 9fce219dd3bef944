/// \file
/// \brief PuschConfig::validate()'s check of PuschConfig::ldpc_base_graph (pusch_base_graph.cpp).
#pragma once

#include "airan/phy/pusch_config.h"

#include <cstdint>
#include <optional>
#include <string>

namespace airan::phy::pusch_config_detail {

/// Empty unless \p pusch sets an LDPC base graph that it cannot have: one on a PUSCH without
/// UL-SCH, or on new data one other than TS 38.212 7.2.2 selects for \p tbs bits at its code rate
/// (only a retransmission keeps another, its first transmission's).
std::string validate_ldpc_base_graph(const PuschConfig& pusch, std::uint32_t tbs);

/// Empty when \p pusch's TB of \p tbs bits segments (TS 38.212 5.2.2: B' a multiple of C) with
/// its base graph (pusch_ldpc_base_graph()), otherwise why not. A retransmission that sets none
/// may have kept the other one from its first transmission (6.2.2), which the receiver takes from
/// its HARQ buffer: one that only the other graph segments is taken, and \p kept set to that
/// graph (for the UCI's sizes).
std::string validate_segmentation(const PuschConfig& pusch, std::uint32_t tbs,
                                  std::optional<LdpcBaseGraph>& kept);

} // namespace airan::phy::pusch_config_detail
