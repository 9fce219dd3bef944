/// \file
/// \brief Where the conformance tests find their vectors: the committed subset
/// (testvectors/conformance, part of every clone, so a test fails without it) and the full
/// shared set (../shared/conformance, optional, so a test skips without it).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <string>

namespace airan::test {

/// The two sets of MATLAB-referenced vectors.
enum class ConformanceSet { committed, shared };

/// The directory of \p suite ("crc", "ldpc", "tb", "pusch", "channels") in \p set.
inline std::filesystem::path conformance_dir(ConformanceSet set, const std::string& suite) {
  return std::filesystem::path(set == ConformanceSet::committed ? AIRAN_TESTVECTOR_DIR
                                                                : AIRAN_SHARED_CONFORMANCE_DIR) /
         suite;
}

/// Cases of \p suite ("crc", "ldpc", "tb", "pusch") in \p set: a suite that runs fewer (a
/// deleted case, a partly copied shared set) fails instead of passing on what is left.
inline std::size_t conformance_case_count(ConformanceSet set, const std::string& suite) {
  const bool committed = set == ConformanceSet::committed;
  if (suite == "crc") {
    return 6;
  }
  if (suite == "ldpc") {
    return committed ? 17 : 28;
  }
  if (suite == "tb") {
    return committed ? 7 : 8;
  }
  if (suite == "pusch") {
    return committed ? 22 : 56;
  }
  ADD_FAILURE() << "no case count for suite " << suite;
  return 0;
}

} // namespace airan::test

/// In a test body or a void helper: fails (committed set) or skips (shared set) the test and
/// returns when the directory \p dir of set \p set does not exist.
#define AIRAN_REQUIRE_CONFORMANCE_DIR(set, dir)                                                    \
  do {                                                                                             \
    if (!std::filesystem::is_directory(dir)) {                                                     \
      if ((set) == ::airan::test::ConformanceSet::committed) {                                     \
        FAIL() << (dir) << " is missing: the committed conformance vectors come with the "         \
               << "repository";                                                                    \
      }                                                                                            \
      GTEST_SKIP() << (dir) << " does not exist (the shared conformance set is optional)";         \
    }                                                                                              \
  } while (false)
