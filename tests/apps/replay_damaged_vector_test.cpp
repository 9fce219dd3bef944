// `airan replay` of a test vector with one damaged slot: the slot is reported and counted, every
// other slot is still decoded, and the run fails with the loss named, whether the vector is
// replayed itself or gives the expected TBs of a fronthaul capture.
#include "../support/run_airan.h"
#include "two_ue_config.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

// Debian keeps the header in hdf5/serial/; airan_io links libhdf5, so only the header is needed.
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#define AIRAN_TEST_HDF5 1
#elif __has_include(<hdf5/serial/hdf5.h>)
#include <hdf5/serial/hdf5.h>
#define AIRAN_TEST_HDF5 1
#endif

namespace airan::test {
namespace {

namespace fs = std::filesystem;

#ifdef AIRAN_TEST_HDF5

/// Removes the PDUs of slot \p slot_name from \p file, as a damaged group would leave them (every
/// reader of a slot reads its PDUs; the datasets it does not use it leaves alone).
void remove_pdus(const fs::path& file, const std::string& slot_name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const std::string link = "/slots/" + slot_name + "/pdus";
  EXPECT_GE(H5Ldelete(f, link.c_str(), H5P_DEFAULT), 0);
  H5Fclose(f);
}

/// Three slots of two UEs at 28 dB (every TB decodes), then slot 0001's PDUs removed.
struct DamagedVector {
  fs::path intact;
  fs::path damaged;
};

DamagedVector make_vectors(const std::string& name) {
  const auto dir = scratch_dir(name);
  DamagedVector v{dir / "intact.h5", dir / "damaged.h5"};
  const auto gen = run_airan("gen --config " + two_ue_config +
                             " --channel TDL-C300 --doppler 50 --snr 28 --slots 3 --seed 4 -o " +
                             v.intact.string());
  EXPECT_EQ(gen.status, 0) << gen.output;
  fs::copy_file(v.intact, v.damaged, fs::copy_options::overwrite_existing);
  remove_pdus(v.damaged, "0001");
  return v;
}

TEST(ReplayDamagedVector, TheOtherSlotsAreDecodedAndTheLossIsNamed) {
  const auto v = make_vectors("replay_damaged");
  const auto intact = run_airan("replay -q " + v.intact.string());
  EXPECT_EQ(intact.status, 0) << intact.output;
  EXPECT_NE(last_line(intact.output).find("6/6 TBs decoded"), std::string::npos) << intact.output;

  const auto damaged = run_airan("replay " + v.damaged.string());
  EXPECT_EQ(damaged.status, 2) << damaged.output;
  EXPECT_NE(damaged.output.find("slot 1 skipped"), std::string::npos) << damaged.output;
  EXPECT_NE(damaged.output.find("/slots/0001/pdus"), std::string::npos) << damaged.output;
  const std::string total = last_line(damaged.output);
  EXPECT_NE(total.find("4/4 TBs decoded; 4/4 expected-good"), std::string::npos) << total;
  EXPECT_NE(total.find("1 of 3 slot(s) unreadable"), std::string::npos) << total;
  EXPECT_NE(total.find("FAIL"), std::string::npos) << total;
}

// The capture comes from the intact vector; the damaged one gives the expected TBs, so the
// capture's slot 1 has none: it is counted as not in the vector and fails the replay with exit
// status 2 (a damaged vector is bad input, as in an HDF5 replay), and the other two slots are
// still checked.
TEST(ReplayDamagedVector, AFronthaulReplayCountsTheSlotItCannotCheck) {
  const auto v = make_vectors("replay_damaged_fh");
  const auto pcap = (v.intact.parent_path() / "uplane.pcap").string();
  const auto emulate = run_airan("ru-emulator --vector " + v.intact.string() + " --pcap " + pcap);
  ASSERT_EQ(emulate.status, 0) << emulate.output;
  const auto replay = run_airan("replay " + pcap + " --config " + two_ue_config + " --vector " +
                                v.damaged.string() + " --no-dpdk");
  EXPECT_EQ(replay.status, 2) << replay.output;
  EXPECT_NE(replay.output.find("vector slot 1 skipped"), std::string::npos) << replay.output;
  EXPECT_NE(replay.output.find("1 read(s) of the vector's slots failed"), std::string::npos)
      << replay.output;
  EXPECT_NE(replay.output.find("not in the vector"), std::string::npos) << replay.output;
  const std::string total = last_line(replay.output);
  EXPECT_NE(total.find("3 slot(s)"), std::string::npos) << total;
  EXPECT_NE(total.find("4/4 expected-good undamaged TBs decoded"), std::string::npos) << total;
  EXPECT_NE(total.find("FAIL"), std::string::npos) << total;
}

/// Replaces the IQ of slot \p slot_name of \p file by zeros at twice its FFT size (a format the
/// reader accepts: any FFT size of 128 .. 16384 whose slot length the samples are).
void double_iq_fft_size(const fs::path& file, const std::string& slot_name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const std::string link = "/slots/" + slot_name + "/iq";
  const hid_t old_iq = H5Dopen2(f, link.c_str(), H5P_DEFAULT);
  ASSERT_GE(old_iq, 0);
  const hid_t type = H5Dget_type(old_iq);
  const hid_t old_space = H5Dget_space(old_iq);
  std::array<hsize_t, 2> dims{};
  ASSERT_EQ(H5Sget_simple_extent_dims(old_space, dims.data(), nullptr), 2);
  std::uint32_t fft_size = 0;
  const hid_t old_attribute = H5Aopen(old_iq, "fft_size", H5P_DEFAULT);
  ASSERT_GE(H5Aread(old_attribute, H5T_NATIVE_UINT32, &fft_size), 0);
  H5Aclose(old_attribute);
  H5Sclose(old_space);
  H5Dclose(old_iq);
  ASSERT_GE(H5Ldelete(f, link.c_str(), H5P_DEFAULT), 0);
  dims[1] *= 2;
  fft_size *= 2;
  const hid_t space = H5Screate_simple(2, dims.data(), nullptr);
  const hid_t iq = H5Dcreate2(f, link.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(iq, 0);
  const std::vector<std::uint8_t> zeros(H5Tget_size(type) * dims[0] * dims[1], 0);
  EXPECT_GE(H5Dwrite(iq, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()), 0);
  const hid_t scalar = H5Screate(H5S_SCALAR);
  const hid_t attribute =
      H5Acreate2(iq, "fft_size", H5T_STD_U32LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(H5Awrite(attribute, H5T_NATIVE_UINT32, &fft_size), 0);
  H5Aclose(attribute);
  H5Sclose(scalar);
  H5Dclose(iq);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(f);
}

// IQ at another FFT size than the receiver's numerology demodulates at: the stored grids are
// replayed (said once), every TB decodes, and the run passes.
TEST(ReplayDamagedVector, IqAtAnotherFftSizeReplaysTheGrids) {
  const auto v = make_vectors("replay_fft_size");
  for (const char* slot : {"0000", "0001", "0002"}) {
    double_iq_fft_size(v.intact, slot);
  }
  const auto replay = run_airan("replay -q " + v.intact.string());
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find("its stored grids are replayed"), std::string::npos)
      << replay.output;
  EXPECT_NE(last_line(replay.output).find("6/6 TBs decoded"), std::string::npos) << replay.output;
}

// Replay reads the grids only while it needs them: after a slot replayed from its IQ the next
// slot's grid is left out, and read after all when that slot's IQ is at another FFT size.
TEST(ReplayDamagedVector, IqAtAnotherFftSizeInALaterSlotReplaysItsGrid) {
  const auto v = make_vectors("replay_fft_size_later");
  double_iq_fft_size(v.intact, "0001");
  const auto replay = run_airan("replay -q " + v.intact.string());
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find("its stored grids are replayed"), std::string::npos)
      << replay.output;
  EXPECT_NE(last_line(replay.output).find("6/6 TBs decoded"), std::string::npos) << replay.output;
}

// A vector without slots (a generator stopped before its first) proves nothing: exit 2. A
// generator that fails leaves no vector at all.
TEST(ReplayDamagedVector, AVectorWithNothingToCheckFails) {
  const auto v = make_vectors("replay_no_slots");
  const hid_t f = H5Fopen(v.damaged.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  for (const char* slot : {"/slots/0000", "/slots/0001", "/slots/0002"}) {
    EXPECT_GE(H5Ldelete(f, slot, H5P_DEFAULT), 0);
  }
  H5Fclose(f);
  const auto replay = run_airan("replay " + v.damaged.string());
  EXPECT_EQ(replay.status, 2) << replay.output;
  EXPECT_NE(replay.output.find("has nothing to check"), std::string::npos) << replay.output;
  EXPECT_NE(last_line(replay.output).find("FAIL"), std::string::npos) << replay.output;

  const auto dir = scratch_dir("gen_fails");
  const fs::path config = dir / "too_large.yaml";
  std::ofstream(config) << "cell: {num_prbs: 24, numerology: 1}\n"
                           "pusch:\n"
                           "  - {rnti: 1, prb_size: 4, bwp_size: 24, mcs_index: 9, "
                           "tb_size_bits: 2200776}\n";
  const fs::path output = dir / "never.h5";
  const auto gen =
      run_airan("gen --config " + config.string() + " --slots 2 -o " + output.string());
  EXPECT_NE(gen.status, 0) << gen.output;
  EXPECT_FALSE(fs::exists(output));
  EXPECT_FALSE(fs::exists(output.string() + ".partial"));
}

#else

TEST(ReplayDamagedVector, NeedsTheHdf5Header) {
  GTEST_SKIP() << "hdf5.h not found: the tests that damage vectors are not built";
}

#endif

} // namespace
} // namespace airan::test
