// The PUCCH pattern end to end: PUCCH UEs of formats 0 to 4 (multiplexed pairs of formats 0, 1
// and 4 on one PRB each, an SR occasion that is silent for a negative SR, format 3 with QPSK and
// with pi/2-BPSK, additional DMRS and hopping) beside a PUSCH UE, through TDL-C fading and the
// FAPI transport. Every PUCCH PDU is answered in UCI.indication with what the UE
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
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/pucch.yaml");
  ASSERT_EQ(pattern.ues.size(), 11U);
  for (std::size_t u = 1; u < pattern.ues.size(); ++u) {
    ASSERT_TRUE(pattern.ues[u].pucch) << u;
  }
  EXPECT_FALSE(pattern.ues[0].pucch);
  EXPECT_EQ(pattern.ues[1].pucch->format, phy::PucchFormat::format0);
  EXPECT_EQ(pattern.ues[1].pucch->rnti, 0x4902);
  EXPECT_EQ(pattern.ues[5].pucch->csi_part1_bits, 20U);
  EXPECT_EQ(pattern.ues[3].pucch->hopping_id, 21U); // the cell's N_ID by default
  EXPECT_EQ(pattern.ues[7].pucch->format, phy::PucchFormat::format3);
  EXPECT_TRUE(pattern.ues[8].pucch->pi2_bpsk && pattern.ues[8].pucch->additional_dmrs);
  EXPECT_EQ(pattern.ues[9].pucch->format, phy::PucchFormat::format4);
  EXPECT_EQ(pattern.ues[9].pucch->pre_dft_occ_index, 0U);
  EXPECT_EQ(pattern.ues[10].pucch->pre_dft_occ_index, 1U);
  EXPECT_EQ(pattern.ues[10].pucch->pre_dft_occ_length, 2U);
  const TestMacReport report = run_test_mac_session(pattern, {});
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  // 10 PUCCH UEs, one every other slot: 9.5 PUCCHs a slot.
  EXPECT_EQ(report.pucch_sent, 19U * pattern.num_slots / 2);
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
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/pucch.yaml");
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
  const auto dir = airan::test::scratch_dir("testmac_pucch_pattern");
  const auto refused = [&](const std::string& ue, const std::string& expected) {
    const auto path = dir / "bad.yaml";
    {
      std::ofstream file(path);
      file << "cell: {num_prbs: 24, numerology: 1}\nues:\n  - rnti: 5\n" << ue;
    }
    const auto result = airan::test::run_airan("testmac --pattern " + path.string());
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
  };
  refused("    pucch: {format: 1, harq_bit: 1}\n", "ues[0].pucch: unknown key 'harq_bit'");
  refused("    pucch: {format: 3, num_prbs: 7, harq_bits: 4}\n",
          "ues[0].pucch: prbSize 7 is not 2^a 3^b 5^c, as transform precoding needs (format 3)");
  refused("    pucch: {format: 4, pre_dft_occ_length: 3, harq_bits: 4}\n",
          "ues[0].pucch: PreDftOccLen 3 and PreDftOccIdx 0 are not a cover of length 2 or 4");
  refused("    pucch: {format: 0, num_symbols: 4, harq_bits: 1}\n",
          "ues[0].pucch: NrOfSymbols 4 is not in 1..2");
  refused("    pucch: {format: 1, harq_bits: 1, group_hopping: sometimes}\n",
          "ues[0].pucch.group_hopping: 'sometimes' is not neither, enable or disable");
  refused("    pucch: {format: 1, harq_bits: 1}\n    pusch: {prb_size: 6}\n",
          "ues[0]: a UE has a pusch or a pucch, not both");
}

} // namespace
} // namespace airan::l1
