// CRC conformance suite on the committed vectors, the shared reference set, and a broken copy.
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

void expect_crc_suite_passes(ConformanceSet set) {
  const fs::path dir = airan::test::conformance_dir(set, "crc");
  AIRAN_REQUIRE_CONFORMANCE_DIR(set, dir);
  const auto result = airan::apps::run_crc_conformance(dir, &std::cout);
  EXPECT_EQ(result.cases.size(), 6u);
  EXPECT_TRUE(result.all_passed());
}

TEST(CrcConformance, CommittedVectors) {
  expect_crc_suite_passes(ConformanceSet::committed);
}

TEST(CrcConformance, SharedReferenceSet) {
  expect_crc_suite_passes(ConformanceSet::shared);
}

// A truncated file, a wrong parity bit and a missing file are failures of their own cases only.
TEST(CrcConformance, BrokenFilesFailTheirCaseOnly) {
  const fs::path dir = fs::temp_directory_path() /
                       ("airan_crc_conformance_broken_" + std::to_string(std::random_device{}()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::array<std::size_t, 2> input_shape{1, 10};
  const std::array<std::uint8_t, 10> message{1, 0, 1, 1, 0, 0, 1, 0, 1, 1};
  // CRC6 of the message above, from the definition (remainder of a(D) D^6 mod D^6 + D^5 + 1).
  const std::array<std::uint8_t, 6> crc6{0, 1, 1, 0, 1, 1};
  const std::array<std::size_t, 1> crc6_shape{6};
  auto write_bits = [](const fs::path& path, std::span<const std::size_t> shape,
                       std::span<const std::uint8_t> bits) {
    airan::io::write_npy(path, airan::io::NpyDtype::u8, shape, std::as_bytes(bits));
  };
  write_bits(dir / "CRC6_input.npy", input_shape, message);
  write_bits(dir / "CRC6_crc.npy", crc6_shape, crc6);
  // CRC11: parity file with one wrong bit count (the right length is 11).
  write_bits(dir / "CRC11_input.npy", input_shape, message);
  write_bits(dir / "CRC11_crc.npy", crc6_shape, crc6);
  // CRC16: truncated input file.
  write_bits(dir / "CRC16_input.npy", input_shape, message);
  fs::resize_file(dir / "CRC16_input.npy", 40);
  write_bits(dir / "CRC16_crc.npy", crc6_shape, crc6);
  // CRC24A: wrong parity values. CRC24B/CRC24C: no files.
  const std::array<std::uint8_t, 24> zeros{};
  const std::array<std::size_t, 1> crc24_shape{24};
  write_bits(dir / "CRC24A_input.npy", input_shape, message);
  write_bits(dir / "CRC24A_crc.npy", crc24_shape, zeros);

  const auto result = airan::apps::run_crc_conformance(dir, &std::cout);
  ASSERT_EQ(result.cases.size(), 6u);
  EXPECT_TRUE(result.cases[0].passed) << result.cases[0].detail; // CRC6
  for (std::size_t i = 1; i < result.cases.size(); ++i) {
    EXPECT_FALSE(result.cases[i].passed) << result.cases[i].name;
    EXPECT_FALSE(result.cases[i].detail.empty());
  }
  EXPECT_GT(result.cases[3].worst_error, 0.0); // CRC24A: mismatching bits are counted
  fs::remove_all(dir);
}

} // namespace
