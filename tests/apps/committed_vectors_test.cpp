// The HDF5 vectors committed under testvectors/vectors replay with every classical receiver:
// every TB is expected to decode (none may pass vacuously) and does.
#include "../support/run_airan.h"
#include "airan/io/test_vector_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
using airan::test::last_line;
using airan::test::run_airan;

std::vector<fs::path> committed_vectors() {
  std::vector<fs::path> files;
  const fs::path dir = airan::test::repo_root() / "testvectors" / "vectors";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".h5") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(CommittedVectors, ThereAreMultiSlotMultiPduVectorsAndEveryTbIsExpectedToDecode) {
  const auto files = committed_vectors();
  ASSERT_GE(files.size(), 3U);
  bool multi_slot_multi_pdu = false;
  for (const auto& file : files) {
    const airan::io::TestVectorReader reader(file);
    airan::io::TestVectorSlot slot;
    for (std::size_t i = 0; i < reader.num_slots(); ++i) {
      reader.read_slot(i, slot);
      ASSERT_FALSE(slot.pdus.empty()) << file;
      for (const auto& pdu : slot.pdus) {
        EXPECT_TRUE(pdu.expected_crc_ok) << file << " slot " << i;
        EXPECT_FALSE(pdu.tb_bits.empty());
      }
      multi_slot_multi_pdu =
          multi_slot_multi_pdu || (reader.num_slots() > 1 && slot.pdus.size() > 1);
    }
  }
  EXPECT_TRUE(multi_slot_multi_pdu);
}

// One case per receiver, so that ctest runs them side by side (about 30 s one after the other).
class CommittedVectorsReplay : public ::testing::TestWithParam<const char*> {};

TEST_P(CommittedVectorsReplay, DecodesEveryTb) {
  const std::string receiver = GetParam();
  unsigned replayed = 0;
  for (const auto& file : committed_vectors()) {
    const airan::io::TestVectorReader reader(file);
    airan::io::TestVectorSlot slot;
    reader.read_slot(0, slot);
    if (receiver == "perfect-csi" && slot.true_channel.empty()) {
      continue; // the genie needs the vector's true channel
    }
    const auto result = run_airan("replay -q " + file.string() + " --receiver " + receiver);
    EXPECT_EQ(result.status, 0) << file << " " << receiver << "\n" << result.output;
    EXPECT_NE(last_line(result.output).find("-> PASS"), std::string::npos) << result.output;
    ++replayed;
  }
  EXPECT_GT(replayed, 0U);
}

INSTANTIATE_TEST_SUITE_P(EveryClassicalReceiver, CommittedVectorsReplay,
                         ::testing::Values("mmse-lmmse", "ls-lin-lmmse", "mmse-irc", "perfect-csi"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// The DFT-s-OFDM vector: the neural receiver (CP-OFDM only) is refused with the reason before any
// slot runs, instead of failing every TB.
TEST(CommittedVectors, NeuralReceiverRefusesTheDftsOfdmVectorUpFront) {
  const fs::path file =
      airan::test::repo_root() / "testvectors" / "vectors" / "tdl-c300_20mhz_dfts_3ue_1x2.h5";
  const auto result = run_airan("replay -q " + file.string() + " --receiver neural");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("takes CP-OFDM PUSCH only"), std::string::npos) << result.output;
}

} // namespace
