// The PUCCH pattern end to end: PUCCH UEs of formats 0, 1 and 2 (two multiplexed pairs on one
// PRB each, an SR occasion that is silent for a negative SR) beside a PUSCH UE, through TDL-C
// fading and the FAPI transport. Every PUCCH PDU is answered in UCI.indication with what the UE
// sent; pattern files with a bad pucch entry are refused naming the key.
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"

#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace airan::l1 {
namespace {

TEST(TestMacPucch, EveryPucchComesBackAsSent) {
  const LaunchPattern pattern =
      load_launch_pattern(test::repo_root() / "configs/patterns/pucch.yaml");
  ASSERT_EQ(pattern.ues.size(), 7U);
  ASSERT_TRUE(pattern.ues[1].pucch && pattern.ues[6].pucch);
  EXPECT_FALSE(pattern.ues[0].pucch);
  EXPECT_EQ(pattern.ues[1].pucch->format, phy::PucchFormat::format0);
  EXPECT_EQ(pattern.ues[1].pucch->rnti, 0x4902);
  EXPECT_EQ(pattern.ues[5].pucch->csi_part1_bits, 20U);
  EXPECT_EQ(pattern.ues[3].pucch->hopping_id, 21U); // the cell's N_ID by default
  const TestMacReport report = run_test_mac_session(pattern, {});
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  // 6 PUCCH UEs, one every other slot: 5.5 PUCCHs a slot.
  EXPECT_EQ(report.pucch_sent, 11U * pattern.num_slots / 2);
  EXPECT_EQ(report.pucch_reports, report.pucch_sent);
  EXPECT_EQ(report.pucch_ok, report.pucch_sent);
  EXPECT_EQ(report.l1.pucch_processed, report.pucch_sent);
  // The SR occasion stays silent for about half of its slots: reported DTX, and right.
  EXPECT_GT(report.l1.pucch_dtx, pattern.num_slots / 4);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_EQ(report.error_indications, 0U);
}

// Through the fronthaul with C-plane: the RU sends only the sections the L1 asks for, so the
// PUCCHs come back only if their hops are requested too.
TEST(TestMacPucch, ThroughSevenTwoXWithCplane) {
  const LaunchPattern pattern =
      load_launch_pattern(test::repo_root() / "configs/patterns/pucch.yaml");
  TestMacOptions options;
  options.transport = TransportKind::udp;
  io::FronthaulConfig fronthaul;
  fronthaul.mode = io::FronthaulIngestMode::frequency_domain;
  fronthaul.compression = {io::CompressionMethod::block_floating_point, 9};
  options.fronthaul = fronthaul;
  options.fronthaul_cplane = true;
  const TestMacReport report = run_test_mac_session(pattern, options);
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.pucch_ok, report.pucch_sent);
  EXPECT_EQ(report.fronthaul.cplane_missing, 0U);
  EXPECT_EQ(report.fronthaul_ingest.malformed(), 0U);
}

TEST(TestMacPucch, BadPucchEntriesAreRefusedNamingTheKey) {
  const auto dir = test::scratch_dir("testmac_pucch_pattern");
  const auto refused = [&](const std::string& ue, const std::string& expected) {
    const auto path = dir / "bad.yaml";
    {
      std::ofstream file(path);
      file << "cell: {num_prbs: 24, numerology: 1}\nues:\n  - rnti: 5\n" << ue;
    }
    const auto result = test::run_airan("testmac --pattern " + path.string());
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
  };
  refused("    pucch: {format: 1, harq_bit: 1}\n", "ues[0].pucch: unknown key 'harq_bit'");
  refused("    pucch: {format: 3, harq_bits: 4}\n",
          "ues[0].pucch: PUCCH format 3 is not supported");
  refused("    pucch: {format: 0, num_symbols: 4, harq_bits: 1}\n",
          "ues[0].pucch: NrOfSymbols 4 is not in 1..2");
  refused("    pucch: {format: 1, harq_bits: 1, group_hopping: sometimes}\n",
          "ues[0].pucch.group_hopping: 'sometimes' is not neither, enable or disable");
  refused("    pucch: {format: 1, harq_bits: 1}\n    pusch: {prb_size: 6}\n",
          "ues[0]: a UE has a pusch or a pucch, not both");
}

} // namespace
} // namespace airan::l1
