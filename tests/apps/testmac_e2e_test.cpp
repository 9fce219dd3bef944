// End to end: the test MAC drives the FAPI L1 (own thread) over UDP and over shared memory with
// the committed four-UE HARQ pattern (200 slots), and every TB must come back once, correct,
// with some first transmissions failing and recovered by HARQ combining.
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"

#include "../support/run_airan.h"
#include "four_ue_pattern.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace airan::l1 {
namespace {

using airan::test::four_ue_pattern;

void expect_every_tb_delivered(const TestMacReport& report, const LaunchPattern& pattern) {
  EXPECT_EQ(report.mismatches, 0U);
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  // 4 UEs scheduled every slot for 200 slots: every slot carries 4 PDUs.
  EXPECT_EQ(report.new_tbs + report.retransmissions, report.pdus_sent);
  EXPECT_GE(report.pdus_sent, pattern.ues.size() * pattern.num_slots);
  EXPECT_EQ(report.new_tbs, report.tbs_delivered);
  EXPECT_EQ(report.tbs_lost, 0U);
  EXPECT_EQ(report.crc_ok, report.tbs_delivered);
  EXPECT_EQ(report.crc_ok + report.crc_failed, report.pdus_sent);
  // The channel and SNR are chosen so that HARQ has work to do.
  EXPECT_GT(report.first_transmissions_failed, 10U);
  EXPECT_EQ(report.recovered_by_harq, report.first_transmissions_failed);
  EXPECT_GE(report.retransmissions, report.first_transmissions_failed);
  EXPECT_EQ(report.error_indications, 0U);
  // The L1's own view agrees.
  EXPECT_EQ(report.l1.pdus_decoded, report.pdus_sent);
  EXPECT_EQ(report.l1.crc_ok, report.crc_ok);
  EXPECT_EQ(report.l1.crc_failed, report.crc_failed);
  EXPECT_EQ(report.l1.error_indications_sent, 0U);
  EXPECT_EQ(report.l1.send_failures, 0U);
  EXPECT_EQ(report.l1_latency.count, report.l1.slots_processed);
  EXPECT_GT(report.l1_latency.p50_us, 0.0);
  // A clean link: nothing dropped on either end (the last messages sent may still be in flight
  // when the session stops).
  for (const auto* t : {&report.l1_transport, &report.mac_transport}) {
    EXPECT_EQ(t->dropped_malformed + t->dropped_out_of_sequence + t->dropped_too_large +
                  t->dropped_foreign + t->sequence_gaps,
              0U);
  }
  EXPECT_GE(report.l1_transport.messages_received, report.pdus_sent / pattern.ues.size());
  EXPECT_LE(report.l1_transport.messages_received, report.mac_transport.messages_sent);
  EXPECT_GE(report.mac_transport.messages_received, report.slots);
  EXPECT_LE(report.mac_transport.messages_received, report.l1_transport.messages_sent);
}

TEST(TestMacEndToEnd, FourUesWithHarqOverUdp) {
  const LaunchPattern pattern = four_ue_pattern();
  ASSERT_EQ(pattern.ues.size(), 4U);
  ASSERT_EQ(pattern.num_slots, 200U);
  TestMacOptions options;
  options.transport = TransportKind::udp;
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_every_tb_delivered(report, pattern);
}

TEST(TestMacEndToEnd, FourUesWithHarqOverSharedMemory) {
  const LaunchPattern pattern = four_ue_pattern();
  TestMacOptions options;
  options.transport = TransportKind::shm;
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_every_tb_delivered(report, pattern);
}

TEST(TestMacEndToEnd, TimeDomainSamplesOverSharedMemory) {
  // The L1 OFDM-demodulates time-domain IQ from the source instead of taking the grid.
  LaunchPattern pattern = four_ue_pattern();
  pattern.channel.domain = apps::ChannelDomain::time;
  pattern.num_slots = 60;
  TestMacOptions options;
  options.transport = TransportKind::shm;
  const TestMacReport report = run_test_mac_session(pattern, options);
  EXPECT_TRUE(report.passed()) << report.mismatches;
  EXPECT_EQ(report.new_tbs, report.tbs_delivered);
}

TEST(TestMacEndToEnd, LowSnrLosesTbsAndFails) {
  // The checks can fail: at -5 dB nothing decodes, every TB is lost after 4 transmissions.
  LaunchPattern pattern = four_ue_pattern();
  pattern.snr_db = -5.0;
  pattern.num_slots = 12;
  const TestMacReport report = run_test_mac_session(pattern, {});
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.tbs_delivered, 0U);
  EXPECT_EQ(report.tbs_lost, report.new_tbs);
  EXPECT_EQ(report.retransmissions, 3 * report.new_tbs);
}

TEST(TestMacEndToEnd, TbsStillOwedARetransmissionFailTheRun) {
  // No drain: the TBs whose last transmissions failed are never retransmitted, neither delivered
  // nor lost; the run used to pass with them.
  LaunchPattern pattern = four_ue_pattern();
  pattern.snr_db = -5.0;
  pattern.num_slots = 4;
  pattern.drain_slots = 0;
  const TestMacReport report = run_test_mac_session(pattern, {});
  EXPECT_FALSE(report.passed());
  EXPECT_GT(report.tbs_unfinished, 0U);
  EXPECT_EQ(report.tbs_delivered, 0U);
  EXPECT_EQ(report.tbs_lost + report.tbs_unfinished, report.new_tbs);
}

TEST(TestMacCli, PassesAndPrintsSummary) {
  const auto result = airan::test::run_airan(
      "testmac --pattern " +
      (airan::test::repo_root() / "configs/patterns/four_ue_harq.yaml").string() +
      " --transport shm --slots 40");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("slot     39"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("latency L1"), std::string::npos);
  EXPECT_NE(result.output.find("FAPI transport: L1 received "), std::string::npos);
  EXPECT_EQ(airan::test::last_line(result.output), "PASS: 0 mismatch(es)");
}

// The CDL pattern: two 2-layer UEs between cross-polarised arrays at both ends; at 10 dB some
// first transmissions fail and HARQ recovers every one.
TEST(TestMacSession, CrossPolarisedCdlPatternRecoversEveryTbByHarq) {
  const LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/cdl_cross_polarized.yaml");
  EXPECT_EQ(pattern.channel.bs_polarization, phy::CdlPolarization::cross);
  EXPECT_EQ(pattern.channel.ue_polarization, phy::CdlPolarization::cross);
  const TestMacReport report = run_test_mac_session(pattern, {});
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.tbs_lost, 0U);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_GT(report.first_transmissions_failed, 0U);
  EXPECT_EQ(report.recovered_by_harq, report.first_transmissions_failed);
}

// The DFT-s-OFDM pattern: three transform-precoded UEs (pi/2-BPSK, QPSK, 16-QAM; the 12- and
// 30-value low-PAPR DMRS and a Zadoff-Chu one) beside a CP-OFDM UE, through FAPI PDUs with
// TransformPrecoding 0; at 7 dB some first transmissions fail and HARQ recovers every one.
TEST(TestMacSession, DftsOfdmPatternRecoversEveryTbByHarq) {
  const LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/dfts_ofdm_mixed.yaml");
  unsigned transform_precoded = 0;
  for (const auto& ue : pattern.ues) {
    transform_precoded += ue.pusch.transform_precoding ? 1 : 0;
  }
  EXPECT_EQ(transform_precoded, 3U);
  EXPECT_TRUE(pattern.ues[0].pusch.tp_pi2bpsk);
  const TestMacReport report = run_test_mac_session(pattern, {});
  EXPECT_TRUE(report.passed());
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_EQ(report.tbs_lost, 0U);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_GT(report.new_tbs, 200U);
  EXPECT_GT(report.first_transmissions_failed, 0U);
  EXPECT_EQ(report.recovered_by_harq, report.first_transmissions_failed);
  EXPECT_EQ(report.error_indications, 0U);
}

// The UCI pattern: HARQ-ACK of 1, 2 and 4 bits and CSI parts 1 and 2 on PUSCH (CP-OFDM with 1 and
// 2 layers, DFT-s-OFDM) beside a UE without UCI, and a CSI report on a PUSCH without UL-SCH in
// the other slots: every PUSCH with UCI gets its UCI.indication PDU (the one without UL-SCH no
// CRC or RX_DATA), through fading nearly every payload is right, without fading every one is.
TEST(TestMacSession, UciPatternReportsEveryPayload) {
  LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/uci_on_pusch.yaml");
  ASSERT_EQ(pattern.ues.size(), 5U);
  // CSI part 2 sized from part 1 (6 to 30 bits), on UL-SCH and without.
  EXPECT_FALSE(pattern.ues[1].pusch.uci.csi_part2_sizing.empty());
  EXPECT_FALSE(pattern.ues[4].pusch.uci.csi_part2_sizing.empty());
  EXPECT_FALSE(pattern.ues[4].pusch.ulsch); // UCI only
  std::uint64_t parts_per_round = 0;        // of the UEs sending every slot
  for (std::size_t u = 0; u < 3; ++u) {
    const auto& uci = pattern.ues[u].pusch.uci;
    parts_per_round += (uci.harq_ack_bits != 0 ? 1 : 0) + (uci.csi_part1_bits != 0 ? 1 : 0) +
                       (uci.has_csi_part2() ? 1 : 0);
  }
  EXPECT_EQ(parts_per_round, 6U);
  TestMacReport report = run_test_mac_session(pattern, {});
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_GT(report.first_transmissions_failed, 0U);
  EXPECT_EQ(report.recovered_by_harq, report.first_transmissions_failed);
  // Every other slot a PUSCH without UL-SCH: no TB, no CRC; the others' CRCs all came.
  EXPECT_EQ(report.uci_only_sent, pattern.num_slots / 2);
  EXPECT_EQ(report.new_tbs + report.retransmissions + report.uci_only_sent, report.pdus_sent);
  EXPECT_EQ(report.crc_ok + report.crc_failed + report.uci_only_sent, report.pdus_sent);
  // Three of the UEs carry UCI in every transmission, 6 parts together, and the UCI-only UE 3
  // parts every other slot.
  EXPECT_GE(report.uci_reports, std::uint64_t{3} * pattern.num_slots + report.uci_only_sent);
  EXPECT_LT(report.uci_reports, report.pdus_sent);
  EXPECT_EQ(report.l1.uci_reports_sent, report.uci_reports);
  const std::uint64_t payloads =
      report.uci_payloads_ok + report.uci_payloads_wrong + report.uci_payloads_failed;
  EXPECT_GE(payloads, parts_per_round * pattern.num_slots + 3 * report.uci_only_sent);
  EXPECT_EQ(report.uci_payloads_failed, 0U);
  EXPECT_LE(report.uci_payloads_wrong * 100, payloads) << "more than 1% wrong";
  // The sized CSI part 2s (UE 0x4802's in every slot, the UCI-only UE's) came back with the
  // lengths their part 1s gave, several of them.
  std::uint64_t sized = 0;
  for (const auto& [bits, count] : report.csi_part2_sized_lengths) {
    sized += count;
  }
  EXPECT_GE(report.csi_part2_sized_lengths.size(), 4U);
  EXPECT_GE(sized, pattern.num_slots + report.uci_only_sent);

  pattern.channel = apps::ChannelSpec{}; // AWGN
  pattern.channel.domain = apps::ChannelDomain::frequency;
  pattern.snr_db = 20.0;
  pattern.num_slots = 20;
  report = run_test_mac_session(pattern, {});
  EXPECT_TRUE(report.passed());
  EXPECT_GT(report.uci_payloads_ok, 0U);
  EXPECT_EQ(report.uci_payloads_wrong, 0U);
}

// A pattern of CSI reports without UL-SCH only: no CRC is owed, yet the session waits for every
// UCI.indication before it stops, and passes on them.
TEST(TestMacSession, APatternOfUciOnlyPuschsPassesOnItsUciReports) {
  LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/uci_on_pusch.yaml");
  ASSERT_FALSE(pattern.ues.back().pusch.ulsch);
  pattern.ues = {pattern.ues.back()};
  pattern.ues[0].period_slots = 1;
  pattern.ues[0].offset_slots = 0;
  pattern.channel = apps::ChannelSpec{}; // AWGN
  pattern.channel.domain = apps::ChannelDomain::frequency;
  pattern.snr_db = 20.0;
  pattern.num_slots = 12;
  const TestMacReport report = run_test_mac_session(pattern, {});
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.uci_only_sent, pattern.num_slots);
  EXPECT_EQ(report.pdus_sent, report.uci_only_sent);
  EXPECT_EQ(report.uci_reports, report.uci_only_sent); // the last ones too
  EXPECT_EQ(report.crc_ok + report.crc_failed, 0U);
  EXPECT_EQ(report.uci_payloads_ok, 3 * report.uci_only_sent);
}

TEST(TestMacCli, ExitsNonZeroOnMismatch) {
  const auto result = airan::test::run_airan(
      "testmac --pattern " +
      (airan::test::repo_root() / "configs/patterns/four_ue_harq.yaml").string() +
      " --transport udp --slots 8 --snr -5 --quiet");
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("lost after 4 transmissions"), std::string::npos) << result.output;
}

// The PT-RS pattern: PUSCH PDUs with puschPtrs (one port, on the first or the second layer,
// with UCI around it) through 300 Hz of oscillator phase noise: the L1 tracks the phase and
// every TB and UCI payload comes back; the same UEs without PT-RS lose many first transmissions.
TEST(TestMacSession, PtrsPatternTracksPhaseNoise) {
  LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/ptrs_phase_noise.yaml");
  ASSERT_EQ(pattern.ues.size(), 3U);
  EXPECT_TRUE(pattern.ues[0].pusch.ptrs.enabled);
  EXPECT_EQ(pattern.ues[1].pusch.ptrs.dmrs_port, 1U);
  EXPECT_EQ(pattern.channel.phase_noise_linewidth_hz, 300.0);
  TestMacReport report = run_test_mac_session(pattern, {});
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.tbs_lost, 0U);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_EQ(report.error_indications, 0U);
  EXPECT_LE(report.first_transmissions_failed * 20, report.new_tbs) << "over 5% failed";
  EXPECT_EQ(report.uci_payloads_wrong + report.uci_payloads_failed, 0U);
  EXPECT_GE(report.uci_payloads_ok, 2U * pattern.num_slots);

  for (auto& ue : pattern.ues) {
    ue.pusch.ptrs.enabled = false;
  }
  report = run_test_mac_session(pattern, {});
  // HARQ still delivers every TB, but only after retransmissions (a UCI payload or so may come
  // back wrong: over the decoding budget, which is the verdict's business, not this test's).
  EXPECT_EQ(report.mismatches, 0U);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_GE(report.first_transmissions_failed * 5, report.new_tbs) << "under 20% failed";
}

// The hopping pattern: PUSCH PDUs with FrequencyHopping 1 and the FAPIv3 maintenance part
// (puschSecondHopPRB) through the FAPI transport; two UEs swap the band edges in the middle of
// the slot, one beside them does not hop. Every TB comes back.
TEST(TestMacSession, HoppingPatternDecodesEachHop) {
  const LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/frequency_hopping.yaml");
  ASSERT_EQ(pattern.ues.size(), 3U);
  EXPECT_TRUE(pattern.ues[0].pusch.intra_slot_hopping);
  EXPECT_EQ(pattern.ues[0].pusch.second_hop_prb_start, 45U);
  EXPECT_EQ(pattern.ues[1].pusch.second_hop_prb_start, 0U);
  EXPECT_FALSE(pattern.ues[2].pusch.intra_slot_hopping);
  const TestMacReport report = run_test_mac_session(pattern, {});
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.tbs_lost, 0U);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_GE(report.new_tbs, 2U * pattern.num_slots);
  EXPECT_EQ(report.error_indications, 0U);
}

TEST(TestMacCli, BadPatternNamesTheKey) {
  const auto dir = airan::test::scratch_dir("testmac_pattern");
  const auto path = dir / "bad.yaml";
  {
    std::ofstream file(path);
    file << "cell: {num_prbs: 24, numerology: 1}\nues:\n  - rnti: 5\n    pusch: {prb_size: 6, "
            "mcs_idx: 3}\n";
  }
  const auto result = airan::test::run_airan("testmac --pattern " + path.string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("ues[0].pusch: unknown key 'mcs_idx'"), std::string::npos)
      << result.output;
}

} // namespace
} // namespace airan::l1
