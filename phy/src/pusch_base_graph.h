/// \file
/// \brief PuschConfig::validate()'s check of PuschConfig::ldpc_base_graph (pusch_base_graph.cpp).
#pragma once

#include "airan/phy/pusch_config.h"

#include <cstdint>
#include <string>

namespace airan::phy::pusch_config_detail {

/// Empty unless \p pusch sets an LDPC base graph that it cannot have: one on a PUSCH without
/// UL-SCH, or on new data one other than TS 38.212 7.2.2 selects for \p tbs bits at its code rate
/// (only a retransmission keeps another, its first transmission's).
std::string validate_ldpc_base_graph(const PuschConfig& pusch, std::uint32_t tbs);

} // namespace airan::phy::pusch_config_detail
