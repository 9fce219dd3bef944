/// \file
/// \brief PuschConfig::validate()'s UCI checks (pusch_config_uci.cpp): the payloads and offsets,
/// room for every part, and what a PUSCH without UL-SCH needs.
#pragma once

#include "airan/phy/pusch_config.h"

#include <cstdint>
#include <string>

namespace airan::phy::pusch_config_detail {

inline std::string str(unsigned value) {
  return std::to_string(value);
}

/// The UCI payloads and offsets against what TS 38.212/38.213 define and airan codes.
std::string validate_uci(const PuschUciConfig& uci);

/// Every UCI part present gets coded bits, and the UL-SCH (when there is one) keeps some.
std::string validate_uci_sizes(const CellConfig& cell, const PuschConfig& pusch, std::uint32_t tbs);

/// A PUSCH without UL-SCH: CSI part 1 to carry and room for every UCI part (data REs of DMRS
/// symbols carry nothing; validate_modulation_and_coding() already asked a reserved MCS for the
/// code rate that sizes the UCI).
std::string validate_uci_only(const CellConfig& cell, const PuschConfig& pusch);

} // namespace airan::phy::pusch_config_detail
