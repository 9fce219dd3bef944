// PUSCH transmitter conformance suite on the committed vectors, the shared set, and broken copies.
#include "../support/conformance_dirs.h"
#include "airan/apps/conformance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using airan::test::ConformanceSet;

void expect_pusch_tx_suite_passes(ConformanceSet set) {
  const fs::path dir = airan::test::conformance_dir(set, "pusch");
  AIRAN_REQUIRE_CONFORMANCE_DIR(set, dir);
  const auto result = airan::apps::run_pusch_tx_conformance(dir, &std::cout);
  EXPECT_EQ(result.cases.size(), airan::test::conformance_case_count(set, "pusch"));
  EXPECT_TRUE(result.all_passed());
  for (const auto& c : result.cases) {
    EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
    if (c.passed) {
      EXPECT_LE(c.worst_error, 1e-6) << c.name; // max_grid_error: the verdict's own limit
    }
  }
}

TEST(PuschTxConformance, CommittedVectors) {
  expect_pusch_tx_suite_passes(ConformanceSet::committed);
}

TEST(PuschTxConformance, SharedReferenceSet) {
  expect_pusch_tx_suite_passes(ConformanceSet::shared);
}

// Copies of a real case: intact, one grid element changed, a truncated grid.npy, a missing
// config.json, a config.json that is not JSON, a config with a missing key, and a TB one bit
// short (so the derived TBS disagrees).
TEST(PuschTxConformance, BrokenCopiesFailTheirCaseOnly) {
  const fs::path source =
      airan::test::conformance_dir(ConformanceSet::committed, "pusch") / "case_000";
  AIRAN_REQUIRE_CONFORMANCE_DIR(ConformanceSet::committed, source);
  const fs::path dir = fs::temp_directory_path() /
                       ("airan_pusch_tx_conformance_broken_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const char* names[] = {"case_0_intact",    "case_1_changed_re", "case_2_truncated_grid",
                         "case_3_no_config", "case_4_not_json",   "case_5_missing_key",
                         "case_6_short_tb",  "case_7_nan_re"};
  for (const char* name : names) {
    fs::copy(source, dir / name);
  }
  {
    // Last byte of the last complex64 element: the top byte of its imaginary part's float.
    std::fstream file(dir / "case_1_changed_re" / "grid.npy",
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(-1, std::ios::end);
    const char last = static_cast<char>(file.get());
    file.seekp(-1, std::ios::end);
    file.put(static_cast<char>(last ^ 0x40));
  }
  {
    // The first element's real part a NaN (0x7fc00000, little-endian) among exact values: std::max
    // skipped it and the case passed.
    const fs::path grid = dir / "case_7_nan_re" / "grid.npy";
    const auto header =
        fs::file_size(grid) - std::uintmax_t{8} * 14 * 480; // case_000: one port, 40 PRB
    std::fstream file(grid, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(header));
    file.write("\x00\x00\xc0\x7f", 4);
  }
  fs::resize_file(dir / "case_2_truncated_grid" / "grid.npy",
                  fs::file_size(dir / "case_2_truncated_grid" / "grid.npy") - 100);
  fs::remove(dir / "case_3_no_config" / "config.json");
  std::ofstream(dir / "case_4_not_json" / "config.json") << "{ \"carrier\": ";
  std::ofstream(dir / "case_5_missing_key" / "config.json")
      << R"({"carrier": {"n_cell_id": 1, "slot_number": 0}, "pusch": {"n_size_bwp": 4}})";
  {
    // A uint8 .npy of one bit fewer: rewrite the header shape and drop the last byte.
    const fs::path tb = dir / "case_6_short_tb" / "tb_bits.npy";
    std::ifstream in(tb, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    const std::string old_shape = "(13576,)";
    const auto at = bytes.find(old_shape);
    ASSERT_NE(at, std::string::npos) << "case_000 is expected to hold 13576 TB bits";
    bytes.replace(at, old_shape.size(), "(13575,)");
    bytes.pop_back();
    std::ofstream(tb, std::ios::binary | std::ios::trunc) << bytes;
  }

  const auto result = airan::apps::run_pusch_tx_conformance(dir, &std::cout);
  ASSERT_EQ(result.cases.size(), 8u);
  EXPECT_TRUE(result.cases[0].passed) << result.cases[0].detail;
  for (std::size_t i = 1; i < result.cases.size(); ++i) {
    EXPECT_FALSE(result.cases[i].passed) << result.cases[i].name;
    EXPECT_FALSE(result.cases[i].detail.empty()) << result.cases[i].name;
  }
  EXPECT_GT(result.cases[1].worst_error, 1e-5);
  EXPECT_TRUE(std::isnan(result.cases[7].worst_error)) << result.cases[7].worst_error;
  EXPECT_NE(result.cases[3].detail.find("config.json"), std::string::npos);
  EXPECT_NE(result.cases[5].detail.find("pusch.dmrs"), std::string::npos) << result.cases[5].detail;
  EXPECT_NE(result.cases[6].detail.find("TBS"), std::string::npos) << result.cases[6].detail;
  EXPECT_FALSE(result.all_passed());
  fs::remove_all(dir);
}

} // namespace
