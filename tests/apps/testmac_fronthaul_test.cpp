// The test MAC with the fronthaul in the loop: every slot's signal goes through an emulated O-RU
// as O-RAN U-plane frames into the DU's slot assembler before the L1 sees it. With C-plane on,
// the L1 turns each UL_TTI.request into uplink C-plane and the RU sends only what it asks for.
// 200 slots, 4 UEs, HARQ: every TB must come back once, correct.
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"

#include "../support/run_airan.h"
#include "four_ue_pattern.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace airan::l1 {
namespace {

using airan::test::four_ue_pattern;

void expect_clean_run(const TestMacReport& report, const LaunchPattern& pattern) {
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.new_tbs, report.tbs_delivered);
  EXPECT_EQ(report.tbs_lost, 0U);
  EXPECT_GT(report.first_transmissions_failed, 10U);
  EXPECT_EQ(report.recovered_by_harq, report.first_transmissions_failed);
  // Every slot with PUSCH went through the fronthaul without loss (the test MAC may add slots
  // at the end for HARQ retransmissions still pending; how many depends on when CRCs arrive).
  EXPECT_GE(report.fronthaul.slots, pattern.num_slots);
  EXPECT_EQ(report.fronthaul.slots, report.l1.slots_processed);
  EXPECT_GT(report.fronthaul.uplane_frames, 0U);
  EXPECT_EQ(report.fronthaul_ingest.packets, report.fronthaul.uplane_frames);
  EXPECT_EQ(report.fronthaul_ingest.malformed(), 0U);
  EXPECT_EQ(report.fronthaul_ingest.sequence_gaps, 0U);
  // RSSI in the RU's dBFS: unit-power REs at full scale 16 are about -24 dBFS (they read 0 dBFS
  // or more, clamped, when the L1 ignored the fronthaul's scale).
  EXPECT_GT(report.rssi_reports, 0U);
  EXPECT_EQ(report.rssi_at_ceiling, 0U);
  EXPECT_GT(report.mean_rssi_db(), -30.0);
  EXPECT_LT(report.mean_rssi_db(), -16.0);
}

TEST(TestMacFronthaul, SevenTwoXWithCplaneOverUdp) {
  const LaunchPattern pattern = four_ue_pattern();
  TestMacOptions options;
  options.transport = TransportKind::udp;
  io::FronthaulConfig fronthaul;
  fronthaul.mode = io::FronthaulIngestMode::frequency_domain;
  fronthaul.compression = {io::CompressionMethod::block_floating_point, 9};
  options.fronthaul = fronthaul;
  options.fronthaul_cplane = true;
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_clean_run(report, pattern);
  // One C-plane frame per receive antenna and slot (all PDUs' sections fit one frame), each
  // received and used by the RU.
  EXPECT_EQ(report.cplane_frames_sent, report.fronthaul.slots * pattern.num_rx_antennas);
  EXPECT_EQ(report.fronthaul.cplane_frames, report.cplane_frames_sent);
  EXPECT_EQ(report.fronthaul.cplane_ignored, 0U);
  EXPECT_EQ(report.fronthaul.cplane_missing, 0U);
}

TEST(TestMacFronthaul, TimeDomainBfp14OverSharedMemory) {
  const LaunchPattern pattern = four_ue_pattern();
  TestMacOptions options;
  options.transport = TransportKind::shm;
  io::FronthaulConfig fronthaul;
  fronthaul.mode = io::FronthaulIngestMode::time_domain;
  fronthaul.compression = {io::CompressionMethod::block_floating_point, 14};
  options.fronthaul = fronthaul;
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_clean_run(report, pattern);
  EXPECT_EQ(report.cplane_frames_sent, 0U);
  EXPECT_EQ(report.fronthaul_ingest.missing_units, 0U);
}

// The carrier at 11.52 MHz (a 384-point FFT, cell.fft_size): the O-RU's time-domain frames, the
// UEs' signal and the L1's OFDM all at that rate (the L1 takes it for the cell of the MAC's
// CONFIG.request, which carries no FFT size).
TEST(TestMacFronthaul, TimeDomainAtANonPowerOfTwoFftSize) {
  LaunchPattern pattern = four_ue_pattern();
  pattern.cell.fft_size = 384;
  TestMacOptions options;
  options.transport = TransportKind::shm;
  io::FronthaulConfig fronthaul;
  fronthaul.mode = io::FronthaulIngestMode::time_domain;
  options.fronthaul = fronthaul;
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_clean_run(report, pattern);
  EXPECT_EQ(report.fronthaul_ingest.missing_units, 0U);
}

TEST(TestMacFronthaul, CliRunsWithFronthaulAndCplane) {
  const auto result = airan::test::run_airan(
      "testmac --pattern " +
      (airan::test::repo_root() / "configs/patterns/four_ue_harq.yaml").string() +
      " --quiet --slots 40 --fronthaul 7.2x --comp bfp9 --cplane");
  EXPECT_EQ(result.status, 0) << result.output;
  // "L1: slots processed N" and "C-plane frames sent 2N received 2N (ignored 0, slots without 0)":
  // one frame per receive antenna and slot with PUSCH, every one used.
  std::smatch processed;
  std::smatch cplane;
  ASSERT_TRUE(std::regex_search(result.output, processed, std::regex(R"(slots processed (\d+))")))
      << result.output;
  ASSERT_TRUE(std::regex_search(
      result.output, cplane,
      std::regex(R"(C-plane frames sent (\d+) received (\d+) \(ignored 0, slots without 0\))")))
      << result.output;
  EXPECT_GE(std::stoi(processed[1]), 40);
  EXPECT_EQ(std::stoi(cplane[1]), 2 * std::stoi(processed[1])) << result.output;
  EXPECT_EQ(cplane[1], cplane[2]) << result.output;
  const auto bad = airan::test::run_airan(
      "testmac --pattern " +
      (airan::test::repo_root() / "configs/patterns/four_ue_harq.yaml").string() + " --cplane");
  EXPECT_EQ(bad.status, 2) << bad.output;
}

} // namespace
} // namespace airan::l1
