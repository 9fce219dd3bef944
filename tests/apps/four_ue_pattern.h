/// \file
/// \brief The committed four-UE HARQ launch pattern (configs/patterns/four_ue_harq.yaml), shared
/// by the test MAC's end-to-end and fronthaul tests.
#pragma once

#include "airan/l1/launch_pattern.h"

#include "../support/run_airan.h"

namespace airan::test {

/// The four-UE HARQ pattern: 4 UEs scheduled in every one of 200 slots.
inline l1::LaunchPattern four_ue_pattern() {
  return l1::load_launch_pattern(repo_root() / "configs/patterns/four_ue_harq.yaml");
}

} // namespace airan::test
