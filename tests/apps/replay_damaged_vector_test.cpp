// `airan replay` of a test vector with one damaged slot: the slot is reported and counted, every
// other slot is still decoded, and the run fails with the loss named, whether the vector is
// replayed itself or gives the expected TBs of a fronthaul capture.
#include "../support/run_airan.h"
#include "two_ue_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

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

/// Removes the grid of slot \p slot_name from \p file, as a damaged chunk or group would leave it.
void remove_grid(const fs::path& file, const std::string& slot_name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const std::string link = "/slots/" + slot_name + "/grid";
  EXPECT_GE(H5Ldelete(f, link.c_str(), H5P_DEFAULT), 0);
  H5Fclose(f);
}

/// Three slots of two UEs at 28 dB (every TB decodes), then slot 0001's grid removed.
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
  remove_grid(v.damaged, "0001");
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
  EXPECT_NE(damaged.output.find("/slots/0001/grid"), std::string::npos) << damaged.output;
  const std::string total = last_line(damaged.output);
  EXPECT_NE(total.find("4/4 TBs decoded; 4/4 expected-good"), std::string::npos) << total;
  EXPECT_NE(total.find("1 of 3 slot(s) unreadable"), std::string::npos) << total;
  EXPECT_NE(total.find("FAIL"), std::string::npos) << total;
}

// The capture comes from the intact vector; the damaged one gives the expected TBs, so the
// capture's slot 1 has none: it is counted as not in the vector and fails the replay, and the
// other two slots are still checked.
TEST(ReplayDamagedVector, AFronthaulReplayCountsTheSlotItCannotCheck) {
  const auto v = make_vectors("replay_damaged_fh");
  const auto pcap = (v.intact.parent_path() / "uplane.pcap").string();
  const auto emulate = run_airan("ru-emulator --vector " + v.intact.string() + " --pcap " + pcap);
  ASSERT_EQ(emulate.status, 0) << emulate.output;
  const auto replay = run_airan("replay " + pcap + " --config " + two_ue_config + " --vector " +
                                v.damaged.string() + " --no-dpdk");
  EXPECT_EQ(replay.status, 1) << replay.output;
  EXPECT_NE(replay.output.find("vector slot 1 skipped"), std::string::npos) << replay.output;
  EXPECT_NE(replay.output.find("not in the vector"), std::string::npos) << replay.output;
  const std::string total = last_line(replay.output);
  EXPECT_NE(total.find("3 slot(s)"), std::string::npos) << total;
  EXPECT_NE(total.find("4/4 expected-good undamaged TBs decoded"), std::string::npos) << total;
  EXPECT_NE(total.find("FAIL"), std::string::npos) << total;
}

#else

TEST(ReplayDamagedVector, NeedsTheHdf5Header) {
  GTEST_SKIP() << "hdf5.h not found: the tests that damage vectors are not built";
}

#endif

} // namespace
} // namespace airan::test
