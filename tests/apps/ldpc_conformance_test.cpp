// LDPC conformance suite on the committed vectors, the shared reference set, and broken files.
#include "../support/conformance_dirs.h"
#include "airan/apps/conformance.h"
#include "airan/io/npy.h"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

namespace fs = std::filesystem;

namespace {

using airan::test::ConformanceSet;

void expect_ldpc_suite_passes(ConformanceSet set) {
  const fs::path dir = airan::test::conformance_dir(set, "ldpc");
  AIRAN_REQUIRE_CONFORMANCE_DIR(set, dir);
  const auto result = airan::apps::run_ldpc_conformance(dir, &std::cout);
  EXPECT_EQ(result.cases.size(), airan::test::conformance_case_count(set, "ldpc"));
  EXPECT_TRUE(result.all_passed());
}

TEST(LdpcConformance, CommittedVectors) {
  expect_ldpc_suite_passes(ConformanceSet::committed);
}

TEST(LdpcConformance, SharedReferenceSet) {
  expect_ldpc_suite_passes(ConformanceSet::shared);
}

// Garbage, an index outside the matrix, a wrong generator, a bad name and names whose sizes wrap
// or exceed one code block: failing cases, nothing sized from them.
TEST(LdpcConformance, BrokenFilesFailTheirCaseOnly) {
  const fs::path dir = fs::temp_directory_path() /
                       ("airan_ldpc_conformance_broken_" + std::to_string(std::random_device{}()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "k64_n128_G.npy") << "not a numpy file";
  const std::array<std::size_t, 2> shape{2, 2};
  const std::array<std::uint16_t, 4> out_of_range{1, 65, 1, 1}; // info index 65 > K = 64
  airan::io::write_npy(dir / "k64_n160_G.npy", airan::io::NpyDtype::u16, shape,
                       std::as_bytes(std::span(out_of_range)));
  const std::array<std::uint16_t, 4> wrong{1, 2, 1, 2}; // G = two ones: not this code
  airan::io::write_npy(dir / "k75_n210_G.npy", airan::io::NpyDtype::u16, shape,
                       std::as_bytes(std::span(wrong)));
  for (const char* name : {"kx_n10_G.npy", "k-1_n8_G.npy", "k4294967295_n8_G.npy",
                           "k9000_n9900_G.npy", "k64_n4000000000_G.npy"}) {
    airan::io::write_npy(dir / name, airan::io::NpyDtype::u16, shape,
                         std::as_bytes(std::span(wrong)));
  }

  const auto result = airan::apps::run_ldpc_conformance(dir, &std::cout);
  ASSERT_EQ(result.cases.size(), 8u);
  for (const auto& c : result.cases) {
    EXPECT_FALSE(c.passed) << c.name;
    EXPECT_FALSE(c.detail.empty()) << c.name;
  }
  for (const auto& c : result.cases) {
    if (c.name == "k75_n210") {
      EXPECT_GT(c.worst_error, 0.0); // mismatching bits are counted
    }
  }
  fs::remove_all(dir);
}

} // namespace
