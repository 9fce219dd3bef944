/// \file
/// \brief The two-UE 20 MHz PUSCH scenario's configuration file
/// (configs/pusch_20mhz_1layer_16qam.yaml), shared by the CLI tests that generate, replay and
/// evaluate vectors of it.
#pragma once

#include "../support/run_airan.h"

#include <string>

namespace airan::test {

/// The path of configs/pusch_20mhz_1layer_16qam.yaml, as `--config` takes it.
inline const std::string two_ue_config =
    (repo_root() / "configs" / "pusch_20mhz_1layer_16qam.yaml").string();

} // namespace airan::test
