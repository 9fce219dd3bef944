/// \file
/// \brief The MATLAB PUSCH reference cases the tests read: the committed subset, then the full
/// shared set when it exists (layout: ../shared/conformance/README.md).
#pragma once

#include "airan/apps/conformance.h"

#include <filesystem>
#include <vector>

namespace airan::test {

/// The case directories (case_*) under pusch/ of AIRAN_TESTVECTOR_DIR and
/// AIRAN_SHARED_CONFORMANCE_DIR (the tests' compile definitions).
inline std::vector<std::filesystem::path> matlab_pusch_case_dirs() {
  std::vector<std::filesystem::path> dirs;
  for (const char* root : {AIRAN_TESTVECTOR_DIR, AIRAN_SHARED_CONFORMANCE_DIR}) {
    for (const auto& found :
         airan::apps::list_case_dirs(std::filesystem::path(root) / "pusch", "case_")) {
      dirs.push_back(found.path);
    }
  }
  return dirs;
}

} // namespace airan::test
