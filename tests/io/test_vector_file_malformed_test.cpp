// Malformed HDF5 test vectors: missing, not HDF5, truncated at many lengths, and valid files
// corrupted on purpose with libhdf5 (wrong format, variable-length string, wrong shape, a chunk
// that skipped its filters or inflates short, a dataset never written, an invalid PUSCH
// configuration). Each must raise TestVectorError
// naming the file, the object and the problem.
#include "test_vector_fixtures.h"

#include <zlib.h>

#include <cstring>

// The corrupting tests use libhdf5 directly (Debian keeps the header in hdf5/serial/); airan_io
// links libhdf5, so only the header is needed.
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#define AIRAN_TEST_HDF5 1
#elif __has_include(<hdf5/serial/hdf5.h>)
#include <hdf5/serial/hdf5.h>
#define AIRAN_TEST_HDF5 1
#endif

namespace {

using namespace airan_test_vectors;
using TestVectorFileMalformed = TestVectorFileTest;

TEST_F(TestVectorFileMalformed, MissingAndNotHdf5) {
  const auto missing = temp_path("does_not_exist.h5");
  EXPECT_NE(read_error(missing).find("does not exist"), std::string::npos) << read_error(missing);
  const auto random = path("random.h5");
  std::mt19937 rng(7);
  std::vector<char> bytes(4096);
  for (auto& b : bytes) {
    b = static_cast<char>(rng());
  }
  write_bytes(random, bytes.data(), bytes.size());
  const auto error = read_error(random);
  EXPECT_NE(error.find("not an HDF5 file"), std::string::npos) << error;
  EXPECT_NE(error.find(random.string()), std::string::npos) << error;
}

TEST_F(TestVectorFileMalformed, TruncatedFilesThrow) {
  const auto bytes = read_bytes(valid_vector("whole.h5"));
  ASSERT_GT(bytes.size(), 4096U);
  const auto cut = path("cut.h5");
  for (const std::size_t length :
       {std::size_t{0}, std::size_t{7}, std::size_t{100}, std::size_t{512}, std::size_t{2048},
        bytes.size() / 4, bytes.size() / 2, bytes.size() * 3 / 4, bytes.size() - 100,
        bytes.size() - 1}) {
    SCOPED_TRACE("length " + std::to_string(length));
    write_bytes(cut, bytes.data(), length);
    EXPECT_NE(read_error(cut), "");
  }
}

// The writer uses HDF5 1.8's format (superblock version 2), whose metadata has checksums: a
// byte flipped in an attribute's header (here the dataspace size before a name, which the
// oldest format decoded as it stood: libhdf5 crashed or read another value) is an error that
// names the file, for every byte of the headers around the names tried.
TEST_F(TestVectorFileMalformed, AFlippedMetadataByteIsAnErrorNotACrash) {
  const auto bytes = read_bytes(valid_vector("checksummed.h5"));
  ASSERT_GT(bytes.size(), 9U);
  EXPECT_EQ(bytes[8], 2); // superblock version
  const auto flipped = path("flipped.h5");
  unsigned tried = 0;
  for (const std::string name : {"delay_spread_s", "rnti", "mcs_index"}) {
    const auto at = std::search(bytes.begin(), bytes.end(), name.begin(), name.end());
    ASSERT_NE(at, bytes.end()) << name;
    const auto offset = static_cast<std::size_t>(at - bytes.begin());
    for (std::size_t back = 1; back <= 8 && back <= offset; ++back) {
      SCOPED_TRACE(name + " - " + std::to_string(back));
      auto changed = bytes;
      changed[offset - back] = static_cast<char>(changed[offset - back] ^ 0x7F);
      write_bytes(flipped, changed.data(), changed.size());
      EXPECT_NE(read_error(flipped), "");
      ++tried;
    }
  }
  EXPECT_EQ(tried, 24U);
}

#ifdef AIRAN_TEST_HDF5
/// Opens \p file read-write, runs \p edit on it and closes it.
template <typename Edit> void edit_file(const fs::path& file, Edit edit) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  edit(f);
  H5Fclose(f);
}

/// Replaces string attribute \p name of \p object with \p value, fixed-length (as the writer
/// stores strings) or variable-length.
void replace_string_attribute(hid_t f, const char* object, const char* name, const char* value,
                              bool variable = false) {
  ASSERT_GE(H5Adelete_by_name(f, object, name, H5P_DEFAULT), 0);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, variable ? H5T_VARIABLE : std::strlen(value) + 1);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t a =
      H5Acreate_by_name(f, object, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(variable ? H5Awrite(a, type, &value) : H5Awrite(a, type, value), 0);
  H5Aclose(a);
  H5Sclose(space);
  H5Tclose(type);
}

TEST_F(TestVectorFileMalformed, WrongFormat) {
  const auto file = valid_vector("format.h5");
  edit_file(file, [](hid_t f) { replace_string_attribute(f, "/", "format", "other-format"); });
  const auto error = read_error(file);
  EXPECT_NE(error.find("'format': 'other-format' is not 'airan-testvector'"), std::string::npos)
      << error;
}

TEST_F(TestVectorFileMalformed, VariableLengthStringsAreRejected) {
  const auto file = valid_vector("vlen.h5");
  edit_file(file, [](hid_t f) { replace_string_attribute(f, "/channel", "model", "awgn", true); });
  const auto error = read_error(file);
  EXPECT_NE(error.find("/channel attribute 'model': must be a fixed-length string"),
            std::string::npos)
      << error;
}

// Files written before the CDL antenna attributes existed read as omni, vertical arrays; a value
// outside the schema is an error naming it.
TEST_F(TestVectorFileMalformed, AntennaAttributesAreOptionalButChecked) {
  const auto file = valid_vector("antennas.h5");
  edit_file(file, [](hid_t f) {
    for (const char* name : {"bs_antenna_pattern", "bs_polarization", "ue_polarization"}) {
      ASSERT_GE(H5Adelete_by_name(f, "/channel", name, H5P_DEFAULT), 0) << name;
    }
  });
  ASSERT_EQ(read_error(file), "");
  const TestVectorReader reader(file);
  EXPECT_EQ(reader.header().channel.bs_antenna_pattern, "omni");
  EXPECT_EQ(reader.header().channel.bs_polarization, "V");
  EXPECT_EQ(reader.header().channel.ue_polarization, "V");
  const auto bad = valid_vector("bad-polarization.h5");
  edit_file(bad,
            [](hid_t f) { replace_string_attribute(f, "/channel", "ue_polarization", "dual"); });
  const auto error = read_error(bad);
  EXPECT_NE(error.find("ue_polarization 'dual' is not one of V, H, VH, cross"), std::string::npos)
      << error;
}

// Files written before DFT-s-OFDM lack tp_pi2bpsk, pusch_identity and dmrs_hopping: the PDUs read
// with the defaults. Present, they are checked.
TEST_F(TestVectorFileMalformed, TransformPrecodingAttributesAreOptionalButChecked) {
  const auto file = valid_vector("tp.h5");
  edit_file(file, [](hid_t f) {
    for (const char* name : {"tp_pi2bpsk", "pusch_identity", "dmrs_hopping"}) {
      ASSERT_GE(H5Adelete_by_name(f, "/slots/0001/pdus/0", name, H5P_DEFAULT), 0) << name;
    }
  });
  ASSERT_EQ(read_error(file), "");
  const TestVectorReader reader(file);
  TestVectorSlot slot;
  reader.read_slot(1, slot);
  EXPECT_FALSE(slot.pdus[0].config.tp_pi2bpsk);
  EXPECT_EQ(slot.pdus[0].config.pusch_identity, 0U);
  EXPECT_EQ(slot.pdus[0].config.dmrs_hopping, airan::phy::LowPaprHopping::none);
  EXPECT_EQ(slot.pdus[1].config.pusch_identity, 321U); // still there

  const auto bad = valid_vector("bad-hopping.h5");
  edit_file(bad, [](hid_t f) {
    replace_string_attribute(f, "/slots/0000/pdus/1", "dmrs_hopping", "both");
  });
  auto error = read_error(bad);
  EXPECT_NE(error.find("/slots/0000/pdus/1 attribute 'dmrs_hopping': 'both' is not one of none, "
                       "group, sequence"),
            std::string::npos)
      << error;
  // Hopping without transform precoding: PuschConfig::validate() refuses it.
  const auto cp = valid_vector("cp-hopping.h5");
  edit_file(cp, [](hid_t f) {
    replace_string_attribute(f, "/slots/0000/pdus/1", "dmrs_hopping", "group");
  });
  error = read_error(cp);
  EXPECT_NE(error.find("/slots/0000/pdus/1: invalid PUSCH configuration: DMRS group or sequence "
                       "hopping needs transform precoding"),
            std::string::npos)
      << error;
}

TEST_F(TestVectorFileMalformed, DatasetWithWrongShape) {
  const auto file = valid_vector("shape.h5");
  edit_file(file, [](hid_t f) {
    ASSERT_GE(H5Ldelete(f, "/slots/0001/grid", H5P_DEFAULT), 0);
    const hid_t type = H5Tcreate(H5T_COMPOUND, 8);
    H5Tinsert(type, "r", 0, H5T_NATIVE_FLOAT);
    H5Tinsert(type, "i", 4, H5T_NATIVE_FLOAT);
    const hsize_t dims[3] = {2, 12, 239};
    const hid_t space = H5Screate_simple(3, dims, nullptr);
    const hid_t d =
        H5Dcreate2(f, "/slots/0001/grid", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(d, 0);
    H5Dclose(d);
    H5Sclose(space);
    H5Tclose(type);
  });
  const auto error = read_error(file);
  EXPECT_NE(error.find("/slots/0001/grid: shape [2][12][239] differs"), std::string::npos) << error;
}

TEST_F(TestVectorFileMalformed, ChunkThatSkippedItsFiltersIsRejected) {
  // libhdf5 1.10 copies a whole chunk out of a shorter stored one when the chunk's filter mask
  // says "not filtered" (a fuzzer finding): the reader checks every chunk first.
  const auto file = valid_vector("chunk.h5");
  edit_file(file, [](hid_t f) {
    const hid_t d = H5Dopen2(f, "/slots/0000/grid", H5P_DEFAULT);
    ASSERT_GE(d, 0);
    const hsize_t offset[3] = {1, 0, 0};
    const std::vector<char> short_chunk(64, 0);
    ASSERT_GE(H5Dwrite_chunk(d, H5P_DEFAULT, 1, offset, short_chunk.size(), short_chunk.data()), 0);
    H5Dclose(d);
  });
  const auto error = read_error(file);
  EXPECT_NE(error.find("/slots/0000/grid: chunk 1 is corrupt (filter mask 1, 64 bytes)"),
            std::string::npos)
      << error;
}

TEST_F(TestVectorFileMalformed, ChunkThatInflatesShortIsRejected) {
  // A chunk whose filters all ran but whose deflate stream inflates to 16 bytes: libhdf5 1.10
  // copied a whole chunk (142 kB) out of the 16-byte buffer (a heap over-read). The checksum
  // bytes need not be right: the reader decodes each chunk's size before libhdf5 reads it.
  const auto file = valid_vector("inflate.h5");
  edit_file(file, [](hid_t f) {
    const hid_t d = H5Dopen2(f, "/slots/0000/grid", H5P_DEFAULT);
    ASSERT_GE(d, 0);
    const std::vector<unsigned char> data(16, 7);
    std::vector<unsigned char> chunk(compressBound(data.size()) + 4);
    uLongf length = chunk.size() - 4;
    ASSERT_EQ(compress(chunk.data(), &length, data.data(), data.size()), Z_OK);
    chunk.resize(length + 4); // and a Fletcher-32 field
    const hsize_t offset[3] = {1, 0, 0};
    ASSERT_GE(H5Dwrite_chunk(d, H5P_DEFAULT, 0, offset, chunk.size(), chunk.data()), 0);
    H5Dclose(d);
  });
  const auto error = read_error(file);
  EXPECT_NE(error.find("/slots/0000/grid: chunk 1 is corrupt (it decodes to 16 bytes"),
            std::string::npos)
      << error;
}

TEST_F(TestVectorFileMalformed, DatasetThatWasNeverWrittenIsRejected) {
  // A contiguous dataset of the right shape and type with no storage: libhdf5 reads zeros.
  const auto file = valid_vector("unwritten.h5");
  edit_file(file, [](hid_t f) {
    const hid_t d = H5Dopen2(f, "/slots/0000/grid", H5P_DEFAULT);
    ASSERT_GE(d, 0);
    const hid_t type = H5Dget_type(d);
    const hid_t space = H5Dget_space(d);
    H5Dclose(d);
    ASSERT_GE(H5Ldelete(f, "/slots/0000/grid", H5P_DEFAULT), 0);
    const hid_t empty =
        H5Dcreate2(f, "/slots/0000/grid", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(empty, 0);
    H5Dclose(empty);
    H5Sclose(space);
    H5Tclose(type);
  });
  const auto error = read_error(file);
  EXPECT_NE(error.find("/slots/0000/grid: the data was never written"), std::string::npos) << error;
}

TEST_F(TestVectorFileMalformed, InvalidPuschConfig) {
  const auto file = valid_vector("config.h5");
  edit_file(file, [](hid_t f) {
    replace_string_attribute(f, "/slots/0001/pdus/1", "mapping_type", "A"); // type A at symbol 1
  });
  const TestVectorReader reader(file);
  TestVectorSlot slot;
  EXPECT_NO_THROW(reader.read_slot(0, slot));
  try {
    reader.read_slot(1, slot);
    ADD_FAILURE() << "no error";
  } catch (const TestVectorError& e) {
    const std::string error = e.what();
    EXPECT_NE(error.find(file.string() + ": /slots/0001/pdus/1: invalid PUSCH configuration"),
              std::string::npos)
        << error;
  }
}
#else
TEST(TestVectorFileMalformed, CorruptingTestsNeedHdf5Header) {
  GTEST_SKIP() << "hdf5.h not found: the tests that corrupt files are not built";
}
#endif

} // namespace
