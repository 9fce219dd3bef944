#include "airan/io/npy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace {

using airan::io::NpyDtype;
using airan::io::NpyError;

std::filesystem::path npy_temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("airan_npy_test_" + std::to_string(::getpid()) + "_" + name);
}

std::vector<std::byte> to_bytes(const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

std::string npy_image(const std::string& dict, const std::string& payload) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string image = "\x93NUMPY";
  image.push_back('\x01');
  image.push_back('\x00');
  image.push_back(static_cast<char>(header.size() & 0xff));
  image.push_back(static_cast<char>(header.size() >> 8));
  return image + header + payload;
}

TEST(Npy, RoundTripComplex) {
  const std::vector<airan::phy::cf32> values = {{1.0F, -2.0F}, {0.5F, 0.25F}, {3.0F, 4.0F},
                                                {-1.0F, 0.0F}, {7.0F, 8.0F},  {9.0F, -9.0F}};
  const std::size_t shape[] = {1, 2, 3};
  const auto path = npy_temp_file("c64.npy");
  airan::io::write_npy(path, NpyDtype::c64, shape,
                       std::as_bytes(std::span<const airan::phy::cf32>(values)));
  std::vector<std::size_t> read_shape;
  const auto read = airan::io::read_npy_c64(path, &read_shape);
  EXPECT_EQ(read_shape, (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_EQ(read, values);
  std::filesystem::remove(path);
}

TEST(Npy, ReadsBitsWithOneDimensionalShape) {
  const auto array = airan::io::parse_npy(
      to_bytes(npy_image("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }",
                         std::string("\x01\x00\x01\x01", 4))),
      "bits");
  EXPECT_EQ(array.shape, (std::vector<std::size_t>{4}));
  EXPECT_EQ(array.num_elements(), 4U);
}

TEST(Npy, RejectsBadMagic) {
  EXPECT_THROW(airan::io::parse_npy(to_bytes("not an npy file at all"), "x"), NpyError);
}

TEST(Npy, RejectsTruncatedPayload) {
  // Three <u2 values need 6 bytes; the payload has 3 (the NUL is part of it).
  const auto image = npy_image("{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }",
                               std::string("\x01\x00\x02", 3));
  EXPECT_THROW(airan::io::parse_npy(to_bytes(image), "x"), NpyError);
}

TEST(Npy, RejectsUnsupportedDtypeAndFortranOrder) {
  EXPECT_THROW(airan::io::parse_npy(
                   to_bytes(npy_image("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
                                      std::string(8, '\0'))),
                   "x"),
               NpyError);
  EXPECT_THROW(airan::io::parse_npy(
                   to_bytes(npy_image("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
                                      std::string(4, '\0'))),
                   "x"),
               NpyError);
}

TEST(Npy, RejectsOverflowingShape) {
  const auto image = npy_image(
      "{'descr': '<c8', 'fortran_order': False, 'shape': (99999999999, 99999999999, 9999), }", "");
  EXPECT_THROW(airan::io::parse_npy(to_bytes(image), "x"), NpyError);
}

TEST(Npy, AFileLongerThanItsHeaderSaysIsRefusedBeforeItsPayloadIsRead) {
  // Two <u2 values, then a sparse terabyte: the size check comes before any allocation (the
  // reader used to allocate and read the whole file first).
  const auto path = npy_temp_file("long.npy");
  {
    std::ofstream out(path, std::ios::binary);
    out << npy_image("{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }",
                     std::string(4, '\0'));
  }
  std::filesystem::resize_file(path, std::uintmax_t{1} << 40U);
  try {
    (void)airan::io::read_npy_u16(path);
    ADD_FAILURE() << "a file with a terabyte past its payload was read";
  } catch (const NpyError& error) {
    EXPECT_NE(std::string(error.what()).find("shape needs 4"), std::string::npos) << error.what();
  }
  std::filesystem::remove(path);
}

TEST(Npy, AFileShorterThanItsHeaderIsRefused) {
  const auto path = npy_temp_file("short.npy");
  {
    std::ofstream out(path, std::ios::binary);
    out << npy_image("{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }",
                     std::string(4, '\0'));
  }
  EXPECT_THROW((void)airan::io::read_npy_u16(path), NpyError);
  std::filesystem::resize_file(path, 9); // the magic and half the length field
  EXPECT_THROW((void)airan::io::read_npy_u16(path), NpyError);
  std::filesystem::remove(path);
}

TEST(Npy, BitReaderRejectsNonBinaryValues) {
  const auto path = npy_temp_file("bits.npy");
  const std::uint8_t values[] = {0, 1, 2};
  const std::size_t shape[] = {3};
  airan::io::write_npy(path, NpyDtype::u8, shape, std::as_bytes(std::span(values)));
  EXPECT_THROW(airan::io::read_npy_bits(path), NpyError);
  std::filesystem::remove(path);
}

// What the stream still buffers at the end is written and checked before write_npy returns: a
// full disk is an error, not a silently empty file.
TEST(Npy, AFullDiskIsAWriteError) {
  const std::uint8_t values[100] = {};
  const std::size_t shape[] = {100};
  if (!std::filesystem::exists("/dev/full")) {
    GTEST_SKIP() << "no /dev/full";
  }
  try {
    airan::io::write_npy("/dev/full", NpyDtype::u8, shape, std::as_bytes(std::span(values)));
    FAIL() << "no error";
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find("write error"), std::string::npos) << e.what();
  }
}

TEST(Npy, MissingFileIsAClearError) {
  try {
    airan::io::read_npy("/nonexistent/dir/file.npy");
    FAIL() << "no exception";
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
}

TEST(Npy, ReadsCommittedConformanceGrid) {
  const std::filesystem::path grid =
      std::filesystem::path(AIRAN_TESTVECTOR_DIR) / "pusch" / "case_000" / "grid.npy";
  std::vector<std::size_t> shape;
  const auto values = airan::io::read_npy_c64(grid, &shape);
  ASSERT_EQ(shape.size(), 3U);
  EXPECT_EQ(shape[1], 14U);
  EXPECT_EQ(values.size(), shape[0] * shape[1] * shape[2]);
}

} // namespace
