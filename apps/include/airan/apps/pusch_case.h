/// \file
/// \brief A MATLAB PUSCH reference case (pusch/case_NNN/config.json) mapped onto airan's cell
/// and PUSCH configuration; shared by the pusch-tx and pusch-rx suites.
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/resource_grid.h"

#include <filesystem>
#include <string>

namespace airan::apps {

/// One reference case mapped onto the transmitter's configuration.
struct PuschCase {
  phy::CellConfig cell;
  phy::PuschConfig pusch;
  unsigned slot = 0;
  std::string summary; ///< Short description for the report line.
};

/// Reads \p case_dir / config.json. Carrier = BWP = allocation from CRB 0 at 30 kHz, DMRS
/// type A position 2, rv 0, data scrambling id = cell id (the references give none).
/// \throws std::runtime_error naming the file and key for a missing, malformed or unsupported
/// field.
PuschCase load_pusch_case(const std::filesystem::path& case_dir);

/// Reads \p case_dir / grid.npy into a grid [antenna port][symbol][subcarrier].
/// \throws std::runtime_error (io::NpyError) for a missing or malformed file, or a shape other
/// than [1..16][14][12 * num_prbs].
phy::ResourceGrid load_pusch_case_grid(const std::filesystem::path& case_dir, unsigned num_prbs);

/// Parses the text of a config.json (as load_pusch_case()). \throws std::runtime_error, or
/// std::invalid_argument for values the MCS tables reject.
PuschCase parse_pusch_case(const std::string& json_text);

} // namespace airan::apps
