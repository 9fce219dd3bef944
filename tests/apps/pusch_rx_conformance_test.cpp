// PUSCH receiver conformance suite: MATLAB grids decode to their transport blocks.
#include "../support/conformance_dirs.h"
#include "airan/apps/conformance.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using airan::test::ConformanceSet;

void expect_pusch_rx_suite_passes(ConformanceSet set,
                                  const airan::apps::PuschReceiverSetup& setup = {}) {
  const fs::path dir = airan::test::conformance_dir(set, "pusch");
  AIRAN_REQUIRE_CONFORMANCE_DIR(set, dir);
  const auto result = airan::apps::run_pusch_rx_conformance(dir, &std::cout, setup);
  EXPECT_EQ(result.cases.size(), airan::test::conformance_case_count(set, "pusch"));
  EXPECT_TRUE(result.all_passed());
  for (const auto& c : result.cases) {
    EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
    EXPECT_EQ(c.worst_error, 0.0) << c.name;
  }
}

TEST(PuschRxConformance, CommittedVectors) {
  expect_pusch_rx_suite_passes(ConformanceSet::committed);
}

TEST(PuschRxConformance, SharedReferenceSet) {
  expect_pusch_rx_suite_passes(ConformanceSet::shared);
}

// The UL-SCH decoders' batched LDPC path (the host lane decoder: the CUDA kernel's algorithm).
TEST(PuschRxConformance, CommittedVectorsWithTheBatchedLaneLdpcDecoder) {
  expect_pusch_rx_suite_passes(
      ConformanceSet::committed,
      [](const airan::phy::CellConfig&, airan::phy::PuschReceiverConfig& config) {
        config.ldpc_batch_decoder = airan::phy::create_host_lane_ldpc_batch_decoder;
      });
}

// A case whose grid is damaged must fail its TB CRC (never report a wrong "ok"); a case whose
// expected bits differ from what was sent must fail on the bit comparison; a missing file is a
// clear failure. The intact copy still passes.
TEST(PuschRxConformance, DamagedCasesFailWithoutStoppingTheOthers) {
  const fs::path source = fs::path(AIRAN_TESTVECTOR_DIR) / "pusch" / "case_000";
  const fs::path dir =
      fs::temp_directory_path() / ("airan_pusch_rx_broken_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* name :
       {"case_0_intact", "case_1_wrong_bits", "case_2_no_grid", "case_3_zero_grid"}) {
    fs::copy(source, dir / name);
  }
  {
    // Flip one expected TB bit: the receiver decodes the real TB, which then mismatches.
    const fs::path bits = dir / "case_1_wrong_bits" / "tb_bits.npy";
    std::fstream file(bits, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(file.tellg());
    file.seekg(size - 1);
    char last = 0;
    file.read(&last, 1);
    last = static_cast<char>(last ^ 1);
    file.seekp(size - 1);
    file.write(&last, 1);
  }
  fs::remove(dir / "case_2_no_grid" / "grid.npy");
  {
    // Same header, all-zero payload: nothing was received, so the TB CRC must fail.
    const fs::path grid = dir / "case_3_zero_grid" / "grid.npy";
    const auto size = fs::file_size(grid);
    std::fstream file(grid, std::ios::in | std::ios::out | std::ios::binary);
    std::vector<char> header(128);
    file.read(header.data(), 128);
    const std::size_t header_len =
        10 + static_cast<unsigned char>(header[8]) + (static_cast<unsigned char>(header[9]) << 8);
    file.seekp(static_cast<std::streamoff>(header_len));
    const std::vector<char> zeros(size - header_len, 0);
    file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  const auto result = airan::apps::run_pusch_rx_conformance(dir, &std::cout);
  ASSERT_EQ(result.cases.size(), 4U);
  EXPECT_TRUE(result.cases[0].passed) << result.cases[0].detail;
  EXPECT_FALSE(result.cases[1].passed);
  EXPECT_EQ(result.cases[1].worst_error, 1.0) << result.cases[1].detail;
  EXPECT_FALSE(result.cases[2].passed);
  EXPECT_NE(result.cases[2].detail.find("grid.npy"), std::string::npos) << result.cases[2].detail;
  EXPECT_FALSE(result.cases[3].passed);
  EXPECT_NE(result.cases[3].detail.find("TB CRC FAIL"), std::string::npos)
      << result.cases[3].detail;
  fs::remove_all(dir);
}

} // namespace
