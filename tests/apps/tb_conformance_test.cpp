// Transport-block conformance suite on the committed vectors, the shared set, and broken copies.
#include "../support/conformance_dirs.h"
#include "airan/apps/conformance.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

namespace fs = std::filesystem;

namespace {

using airan::test::ConformanceSet;

void expect_tb_suite_passes(ConformanceSet set) {
  const fs::path dir = airan::test::conformance_dir(set, "tb");
  AIRAN_REQUIRE_CONFORMANCE_DIR(set, dir);
  const auto result = airan::apps::run_tb_conformance(dir, &std::cout);
  EXPECT_EQ(result.cases.size(), airan::test::conformance_case_count(set, "tb"));
  EXPECT_TRUE(result.all_passed());
}

TEST(TbConformance, CommittedVectors) {
  expect_tb_suite_passes(ConformanceSet::committed);
}

TEST(TbConformance, SharedReferenceSet) {
  expect_tb_suite_passes(ConformanceSet::shared);
}

// Copies of a real case with a flipped codeword bit, a broken params.json and a missing file.
TEST(TbConformance, BrokenCopiesFailTheirCaseOnly) {
  const fs::path source =
      airan::test::conformance_dir(ConformanceSet::committed, "tb") / "tb_testcase_3";
  AIRAN_REQUIRE_CONFORMANCE_DIR(ConformanceSet::committed, source);
  const fs::path dir = fs::temp_directory_path() /
                       ("airan_tb_conformance_broken_" + std::to_string(std::random_device{}()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* name : {"tb_testcase_0", "tb_testcase_1", "tb_testcase_2", "tb_testcase_3"}) {
    fs::copy(source, dir / name);
  }
  // tb_testcase_0 stays intact. 1: last byte of the scrambled codeword flipped (0 <-> 1).
  {
    std::fstream file(dir / "tb_testcase_1" / "codeword_scrambled.npy",
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(-1, std::ios::end);
    const char last = static_cast<char>(file.get());
    file.seekp(-1, std::ios::end);
    file.put(static_cast<char>(last ^ 1));
  }
  // 2: params.json is not JSON. 3: tb_bits.npy is missing.
  std::ofstream(dir / "tb_testcase_2" / "params.json") << "{ \"n_id\": ";
  fs::remove(dir / "tb_testcase_3" / "tb_bits.npy");

  const auto result = airan::apps::run_tb_conformance(dir, &std::cout);
  ASSERT_EQ(result.cases.size(), 4u);
  EXPECT_TRUE(result.cases[0].passed) << result.cases[0].detail;
  EXPECT_FALSE(result.cases[1].passed);
  EXPECT_EQ(result.cases[1].worst_error, 1.0);
  EXPECT_FALSE(result.cases[2].passed);
  EXPECT_FALSE(result.cases[3].passed);
  EXPECT_NE(result.cases[3].detail.find("tb_bits"), std::string::npos) << result.cases[3].detail;
  fs::remove_all(dir);
}

} // namespace
