/// \file
/// \brief The scenario features only the FAPI path runs (`airan testmac`, `airan l1`), which the
/// commands that run a scenario's PUSCHs themselves (`airan tx`, `gen`, `eval`, `replay`) refuse
/// with a clear error: a CSI part 2 sized from CSI part 1 (`uci.csi_part2_from_part1`), whose
/// size changes with each transmission's part 1 and needs the cell's size maps (FAPI
/// CONFIG.request) at the receiver.
#pragma once

#include "airan/io/pusch_config_file.h"

#include <span>
#include <string>

namespace airan::cli {

/// \throws io::ConfigError naming \p path, the PUSCH and \p command when one of \p pusch sizes its
/// CSI part 2 from CSI part 1 (the CLI reports it as a configuration error, exit status 2).
inline void refuse_fapi_only_pusch(std::span<const phy::PuschConfig> pusch, const std::string& path,
                                   const std::string& command) {
  for (std::size_t i = 0; i < pusch.size(); ++i) {
    if (!pusch[i].uci.csi_part2_sizing.empty()) {
      throw io::ConfigError(path + ": pusch[" + std::to_string(i) +
                            "].uci.csi_part2_from_part1: CSI part 2 sized from CSI part 1 "
                            "(csi_part2_from_part1) runs only through FAPI: airan testmac / "
                            "airan l1, not " +
                            command + " (give csi_part2_bits instead)");
    }
  }
}

/// load_slot_scenario(\p path), refused by refuse_fapi_only_pusch() for \p command when any of
/// its PUSCHs sizes its CSI part 2 from part 1. \throws io::ConfigError.
inline io::SlotScenario load_scenario_outside_fapi(const std::string& path,
                                                   const std::string& command) {
  io::SlotScenario scenario = io::load_slot_scenario(path);
  refuse_fapi_only_pusch(scenario.pusch, path, command);
  return scenario;
}

} // namespace airan::cli
