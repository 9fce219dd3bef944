/// \file
/// \brief Private to pusch_config_file.cpp: the `uci.csi_part2_from_part1` key of a PUSCH (CSI
/// part 2 sized from CSI part 1, phy/csi_part2_sizing.h).
#pragma once

#include "airan/io/yaml_fields.h"
#include "airan/phy/csi_part2_sizing.h"
#include "airan/phy/pusch_config.h"

#include <span>
#include <string>
#include <vector>

namespace airan::io::pusch_config_file_detail {

/// Parses `csi_part2_from_part1` (\p node, the key path \p where) of a `uci:` block whose other
/// keys are in \p uci: one rule per CSI report into uci.csi_part2_sizing, whose maps are appended
/// to \p maps (the rules' map_index count in \p maps). Checks the rules against the part 1 of
/// uci.csi_part1_bits bits (validate_csi_part2_sizing()). \throws ConfigError naming the key.
void parse_csi_part2_from_part1(const YAML::Node& node, const std::string& where,
                                const yaml_fields::Context& ctx, phy::PuschUciConfig& uci,
                                std::vector<phy::CsiPart2SizeMap>& maps);

/// Checks that \p pusch, valid on \p cell, can carry every CSI part 2 size its part 1 can give
/// by \p maps (each total validated as an explicit csi_part2_bits). \throws ConfigError naming
/// \p where.
void check_csi_part2_sizes_fit(const phy::CellConfig& cell, const phy::PuschConfig& pusch,
                               std::span<const phy::CsiPart2SizeMap> maps, const std::string& where,
                               const yaml_fields::Context& ctx);

} // namespace airan::io::pusch_config_file_detail
