// The SRS pattern end to end: SRS UEs of 1, 2 and 4 ports (comb 2 and 4, group and sequence
// hopping, frequency hopping across symbols, the 4-port comb split) beside a PUSCH UE, through
// TDL-C fading and the FAPI transport, straight and through 7.2x with C-plane; the same on an
// AWGN channel, where the reported SNR and timing must be those of the channel; pattern files
// with a bad srs entry are refused naming the key.
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"

#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

namespace airan::l1 {
namespace {

LaunchPattern srs_pattern() {
  return load_launch_pattern(airan::test::repo_root() / "configs/patterns/srs.yaml");
}

void expect_every_srs_measured(const TestMacReport& report, const LaunchPattern& pattern) {
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  // Four SRS UEs every other slot: 2 a slot.
  EXPECT_EQ(report.srs_sent, 2U * pattern.num_slots);
  EXPECT_EQ(report.srs_reports, report.srs_sent);
  EXPECT_EQ(report.l1.srs_processed, report.srs_sent);
  EXPECT_EQ(report.l1.srs_reports_sent, report.srs_sent);
  EXPECT_EQ(report.srs_wrong_ta, 0U);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_EQ(report.error_indications, 0U);
}

TEST(TestMacSrs, EverySrsIsMeasuredOnItsPrbs) {
  const LaunchPattern pattern = srs_pattern();
  ASSERT_EQ(pattern.ues.size(), 5U);
  ASSERT_TRUE(pattern.ues[1].srs && pattern.ues[2].srs && pattern.ues[3].srs && pattern.ues[4].srs);
  EXPECT_EQ(pattern.ues[2].srs->cyclic_shift, 4U); // on ues[1]'s REs
  EXPECT_FALSE(pattern.ues[0].srs);
  EXPECT_EQ(pattern.ues[1].srs->rnti, 0x4A02);
  EXPECT_EQ(pattern.ues[1].srs->sequence_id, 21U); // the cell's N_ID by default
  EXPECT_EQ(pattern.ues[1].srs->periodicity, 2U);  // periodic, T_SRS = period_slots
  EXPECT_EQ(pattern.ues[3].srs->group_or_sequence_hopping, phy::SrsHopping::group);
  EXPECT_TRUE(pattern.ues[3].srs->frequency_hopping());
  EXPECT_EQ(pattern.ues[4].antenna_ports(), 4U);
  const TestMacReport report = run_test_mac_session(pattern, {});
  expect_every_srs_measured(report, pattern);
  // TDL-C fading around 20 dB: the mean of the reports near it.
  EXPECT_NEAR(report.mean_srs_snr_db(), pattern.snr_db, 3.0);
}

// Through the fronthaul with C-plane: the RU sends only the sections the L1 asks for, so the
// SRSs come back measured only if each symbol's PRBs are requested too.
TEST(TestMacSrs, ThroughSevenTwoXWithCplane) {
  const LaunchPattern pattern = srs_pattern();
  TestMacOptions options;
  io::FronthaulConfig fronthaul;
  fronthaul.mode = io::FronthaulIngestMode::frequency_domain;
  fronthaul.compression = {io::CompressionMethod::block_floating_point, 9};
  options.fronthaul = fronthaul;
  options.fronthaul_cplane = true;
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_every_srs_measured(report, pattern);
  EXPECT_EQ(report.fronthaul.cplane_missing, 0U);
  EXPECT_EQ(report.fronthaul_ingest.malformed(), 0U);
}

// Without fading or delay the reports are the channel's, and no timing correction. The awgn
// model gives every receive antenna every UE port at unit gain (each port at 1 / N_ap of the
// power), and WideBandSNR is the received SRS power per SRS RE (all of the PDU's REs, every comb)
// over the noise: the two 1-port UEs report the SNR (each its own power: the other, on the same
// REs, is kept out by its cyclic shift), the 2-port one (one comb: both ports on every RE) too,
// the 4-port one 3 dB less (its ports split over two combs: two of the four on each RE). As many
// reports each: 0.75 dB less on average. (While antenna r saw port r mod N_ap alone, the 2- and
// 4-port UEs read 3 and 9 dB less.)
TEST(TestMacSrs, AwgnReportsTheChannelsSnrAndNoTimingCorrection) {
  LaunchPattern pattern = srs_pattern();
  pattern.channel = apps::ChannelSpec{};
  pattern.channel.model = "awgn";
  pattern.snr_db = 12.0;
  pattern.num_slots = 12;
  const TestMacReport report = run_test_mac_session(pattern, {});
  expect_every_srs_measured(report, pattern);
  const double expected = pattern.snr_db - 10.0 * std::log10(2.0) / 4.0;
  EXPECT_NEAR(report.mean_srs_snr_db(), expected, 0.5);
  EXPECT_EQ(report.srs_ta_error_max, 0.0);
}

TEST(TestMacSrs, BadSrsEntriesAreRefusedNamingTheKey) {
  const auto dir = airan::test::scratch_dir("testmac_srs_pattern");
  const auto refused = [&](const std::string& ue, const std::string& expected) {
    const auto path = dir / "bad.yaml";
    {
      std::ofstream file(path);
      file << "cell: {num_prbs: 24, numerology: 1}\nnum_rx_antennas: 2\nues:\n  - rnti: 5\n" << ue;
    }
    const auto result = airan::test::run_airan("testmac --pattern " + path.string());
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
  };
  refused("    srs: {num_ports: 1, comb: 2}\n", "ues[0].srs: unknown key 'comb'");
  refused("    srs: {group_or_sequence_hopping: sometimes}\n",
          "ues[0].srs.group_or_sequence_hopping: 'sometimes' is not neither, group or sequence");
  refused("    srs: {resource_type: once}\n",
          "ues[0].srs.resource_type: 'once' is not aperiodic, semi_persistent or periodic");
  refused("    srs: {num_ports: 4}\n",
          "ues[0].srs.num_ports: more SRS ports than receive antennas");
  refused("    srs: {num_ports: 1}\n    pusch: {prb_size: 6}\n",
          "ues[0]: an SRS UE has no pusch, pucch or prach");
  refused("    period_slots: 3\n    srs: {num_ports: 1}\n", "ues[0].srs:");
}

} // namespace
} // namespace airan::l1
