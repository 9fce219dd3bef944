// A CSI report on a PUSCH without UL-SCH through the CLI: `airan gen` writes it (no TB, reported
// as UCI only), `airan replay` checks its UCI and counts TBs of the other UE only, the RU
// emulator's capture replayed with the scenario alone (no vector to compare with) passes with it
// (it counts no TB for it), and `airan eval` refuses a BLER of it. The UCI-only UE has one DMRS
// CDM group without data: the data REs of its DMRS symbols go empty.
#include "../support/run_airan.h"
#include "airan/io/test_vector_file.h"
#include "two_ue_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace airan::test {
namespace {

/// The two-UE scenario with the second UE sending UCI only (12-bit CSI part 1, 30-bit CSI
/// part 2, 1-bit HARQ-ACK).
std::string uci_only_scenario(const std::filesystem::path& dir) {
  std::ifstream in(two_ue_config);
  std::stringstream text;
  text << in.rdbuf();
  std::string scenario = text.str();
  const std::string second_ue = "  - rnti: 4602";
  const auto at = scenario.find(second_ue);
  EXPECT_NE(at, std::string::npos);
  const std::string harq = "    harq_process_id:";
  const auto harq_at = scenario.find(harq, at);
  EXPECT_NE(harq_at, std::string::npos);
  scenario.insert(harq_at, "    ulsch: false\n    uci: {harq_ack_bits: 1, csi_part1_bits: 12, "
                           "csi_part2_bits: 30, beta_offset_csi1: 5}\n");
  const std::string cdm = "    num_dmrs_cdm_groups_no_data: 2";
  const auto cdm_at = scenario.find(cdm, at);
  EXPECT_NE(cdm_at, std::string::npos);
  scenario.replace(cdm_at, cdm.size(), "    num_dmrs_cdm_groups_no_data: 1");
  auto path = (dir / "uci_only.yaml").string();
  std::ofstream(path) << scenario;
  return path;
}

TEST(UciOnlyCli, GenReplayAndFronthaulReplayCarryTheCsiReport) {
  const auto dir = scratch_dir("uci_only_cli");
  const std::string config = uci_only_scenario(dir);
  const auto vector = (dir / "v.h5").string();
  const auto gen =
      run_airan("gen --config " + config + " --snr 20 --slots 4 --seed 2 -o " + vector);
  ASSERT_EQ(gen.status, 0) << gen.output;
  EXPECT_NE(gen.output.find("rnti 4602 UCI only"), std::string::npos) << gen.output;
  EXPECT_NE(gen.output.find("4 slot(s), 4 TB(s)"), std::string::npos) << gen.output;

  const auto replay = run_airan("replay " + vector);
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find("4/4 TBs decoded"), std::string::npos) << replay.output;
  EXPECT_NE(replay.output.find("UCI payloads right 12/12 (12/12 expected right)"),
            std::string::npos)
      << replay.output;

  // A payload the generator's receiver got right and this replay does not fails the replay
  // (it passed with every UCI payload wrong): the vector's CSI part 1 of slot 2 changed.
  const auto wrong = (dir / "wrong_uci.h5").string();
  {
    io::TestVectorReader reader(vector);
    io::TestVectorWriter writer(wrong, reader.header());
    io::TestVectorSlot slot;
    for (std::size_t i = 0; i < reader.num_slots(); ++i) {
      reader.read_slot(i, slot);
      ASSERT_EQ(slot.pdus.size(), 2U);
      EXPECT_TRUE(slot.pdus[1].expected_uci_ok);
      if (i == 2) {
        slot.pdus[1].csi_part1_bits[3] ^= 1U;
      }
      writer.write_slot(slot);
    }
    writer.close();
  }
  const auto failed = run_airan("replay " + wrong);
  EXPECT_EQ(failed.status, 1) << failed.output;
  EXPECT_NE(failed.output.find("UCI payloads right 11/12 (11/12 expected right)"),
            std::string::npos)
      << failed.output;

  // 7.2x capture, replayed with the scenario only: the UCI-only PDU is no TB to count.
  const auto pcap = (dir / "u.pcap").string();
  ASSERT_EQ(run_airan("ru-emulator --vector " + vector + " --pcap " + pcap).status, 0);
  const auto fronthaul = run_airan("replay " + pcap + " --config " + config);
  EXPECT_EQ(fronthaul.status, 0) << fronthaul.output;
  EXPECT_NE(fronthaul.output.find("rnti 4602 UCI only"), std::string::npos) << fronthaul.output;
  EXPECT_NE(fronthaul.output.find("4/4 expected-good undamaged TBs decoded"), std::string::npos)
      << fronthaul.output;
  // With the vector, the UCI payloads are checked too: all right against it, and the changed
  // copy's CSI part 1 fails the replay.
  const auto checked =
      run_airan("replay " + pcap + " --config " + config + " --vector " + vector + " --no-dpdk");
  EXPECT_EQ(checked.status, 0) << checked.output;
  EXPECT_NE(checked.output.find("UCI payloads right 12/12"), std::string::npos) << checked.output;
  const auto changed =
      run_airan("replay " + pcap + " --config " + config + " --vector " + wrong + " --no-dpdk");
  EXPECT_EQ(changed.status, 1) << changed.output;
  EXPECT_NE(changed.output.find("UCI payloads right 11/12"), std::string::npos) << changed.output;
}

TEST(UciOnlyCli, EvalRefusesABlerOfAPuschWithoutUlsch) {
  const auto dir = scratch_dir("uci_only_eval");
  std::ifstream in(uci_only_scenario(dir));
  std::stringstream text;
  text << in.rdbuf();
  std::string scenario = text.str();
  // Drop the first UE: the UCI-only one is the scenario's first PUSCH.
  const auto first = scenario.find("  - rnti: 4601");
  const auto second = scenario.find("  - rnti: 4602");
  ASSERT_NE(first, std::string::npos);
  scenario.erase(first, second - first);
  const auto config = (dir / "first.yaml").string();
  std::ofstream(config) << scenario;
  const auto eval = run_airan("eval --config " + config + " --snr 10");
  EXPECT_EQ(eval.status, 2) << eval.output;
  EXPECT_NE(eval.output.find("has no TB for a BLER"), std::string::npos) << eval.output;
}

} // namespace
} // namespace airan::test
