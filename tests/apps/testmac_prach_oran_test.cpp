// PRACH over the O-RAN 7.2x fronthaul, end to end through the test MAC: the L1 asks for each
// occasion in section type 3 C-plane on the PRACH eAxCs, the emulated O-RU runs its PRACH FFTs on
// the air interface's IQ and sends the occasions' REs as PRACH U-plane (filterIndex 1 or 3), the
// DU's PRACH assembler gathers them over antennas and periods, and the L1 detects the preambles
// from those sections (no time-domain IQ reaches it): every preamble detected with its
// TimingAdvance, every occasion answered, no section unmatched; also with a small MTU (sections
// split over frames) and on the CLI.
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"

#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <string>

namespace airan::l1 {
namespace {

void expect_every_preamble_detected_over_72x(const TestMacReport& report) {
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.error_indications, 0U);
  EXPECT_GT(report.preambles_sent, 0U);
  EXPECT_EQ(report.preambles_detected, report.preambles_sent);
  EXPECT_EQ(report.preambles_missed, 0U);
  EXPECT_EQ(report.preambles_wrong_ta, 0U);
  EXPECT_EQ(report.preambles_false, 0U);
  EXPECT_EQ(report.prach_reports, report.prach_occasions);
  EXPECT_EQ(report.l1.prach_occasions, report.prach_occasions);
  EXPECT_EQ(report.l1.prach_failed, 0U);
  EXPECT_EQ(report.l1.prach_sections_unmatched, 0U);
  // One section per occasion reached the L1; none of the O-RU's requests was refused.
  EXPECT_EQ(report.fronthaul.prach_sections, report.prach_occasions);
  EXPECT_EQ(report.fronthaul.prach_refused, 0U);
  EXPECT_GT(report.fronthaul.prach_frames, 0U);
  EXPECT_EQ(report.fronthaul_ingest.malformed(), 0U);
}

TestMacOptions oran_72x_options(unsigned max_frame_size) {
  TestMacOptions options;
  options.transport = TransportKind::shm;
  io::FronthaulConfig fronthaul; // 7.2x, BFP 9
  fronthaul.max_frame_size = max_frame_size;
  options.fronthaul = fronthaul;
  options.fronthaul_cplane = true;
  return options;
}

// Format 0 (L_RA 839, 72 PRBs of 1.25 kHz) spanning two 30 kHz slots, beside PUSCH UEs.
TEST(TestMacPrachOran, LongFormatOverTheFronthaul) {
  LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/prach.yaml");
  pattern.num_slots = 16;
  const TestMacReport report = run_test_mac_session(pattern, oran_72x_options(1500));
  EXPECT_EQ(report.prach_occasions, 4U);
  expect_every_preamble_detected_over_72x(report);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  // 72 BFP-9 PRBs (2016 bytes) take two 1500-byte frames: 2 antennas x 1 period x 2 frames.
  EXPECT_EQ(report.fronthaul.prach_frames, 4U * 2U * 2U);
}

// A1 (L_RA 139, 12 PRBs of 30 kHz, two periods), three occasions a slot; at a 256-byte MTU each
// period's 12 PRBs take several frames.
TEST(TestMacPrachOran, ShortFormatsSplitOverSmallFrames) {
  LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/prach_short.yaml");
  pattern.num_slots = 8;
  const TestMacReport report = run_test_mac_session(pattern, oran_72x_options(256));
  EXPECT_GT(report.prach_occasions, 0U);
  expect_every_preamble_detected_over_72x(report);
  EXPECT_GT(report.fronthaul.prach_frames, 2U * report.prach_occasions * 2U);
}

// Format 1 on a 15 kHz carrier spans three slots; the occasion of slots 2558-2560 runs across
// the wrap of frameId (256 frames = 2560 slots), which the O-RU's PRACH windows, the DU's
// assemblers and the L1's matching all take. The L1 reports over 7.2x exactly what it reports
// from the same slots' time-domain IQ (one preamble on a neighbouring cyclic shift of the strong
// one is reported by both: a detector outcome, docs/FAPI.md).
TEST(TestMacPrachOran, AnOccasionAcrossTheFrameIdWrap) {
  LaunchPattern pattern = parse_launch_pattern(R"(
cell: {num_prbs: 24, numerology: 0, n_cell_id: 5}
num_rx_antennas: 1
channel: {model: awgn, domain: time}
snr_db: 10
num_slots: 2570
drain_slots: 8
prach: {format: 1, zero_correlation_zone: 1, prb_start: 6, period_slots: 10, offset_slots: 8}
ues:
  - {rnti: 1, period_slots: 10, offset_slots: 8, prach: {preamble: 9, delay_us: 2}}
)",
                                               "prach_wrap");
  const TestMacReport direct = run_test_mac_session(pattern, {});
  const TestMacReport report = run_test_mac_session(pattern, oran_72x_options(1500));
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.prach_occasions, 257U); // slots 8, 18, ..., 2568
  EXPECT_EQ(report.prach_reports, report.prach_occasions);
  EXPECT_EQ(report.l1.prach_failed, 0U);
  EXPECT_EQ(report.l1.prach_sections_unmatched, 0U);
  EXPECT_EQ(report.fronthaul.prach_sections, report.prach_occasions);
  EXPECT_EQ(report.preambles_sent, 257U);
  EXPECT_EQ(report.preambles_detected, direct.preambles_detected);
  EXPECT_EQ(report.preambles_detected, 257U);
  EXPECT_EQ(report.preambles_false, direct.preambles_false);
  EXPECT_EQ(report.l1.prach_preambles, direct.l1.prach_preambles);
  EXPECT_EQ(report.prach_ta_error_max, direct.prach_ta_error_max);
}

TEST(TestMacPrachOranCli, PrintsThePrachStream) {
  const auto result = airan::test::run_airan(
      "testmac --pattern " + (airan::test::repo_root() / "configs/patterns/prach.yaml").string() +
      " --fronthaul 7.2x --cplane --slots 8 --quiet");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("PRACH U-plane frames 8 (sections to the L1 2, requests refused 0)"),
            std::string::npos)
      << result.output;
}

} // namespace
} // namespace airan::l1
