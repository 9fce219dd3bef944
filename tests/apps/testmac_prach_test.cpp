// PRACH end to end through the test MAC: CONFIG.request with the PRACH TLVs, a PRACH PDU in each
// PRACH slot's UL_TTI.request, the PRACH UEs' preambles through their channels into the slots'
// time-domain IQ (format 0 spanning two 30 kHz slots, carried over by the signal generator; A1
// with three occasions a slot), and RACH.indication checked occasion by occasion: every preamble
// detected in its occasion with its TimingAdvance, no false alarm, every occasion answered. Also
// through the time-domain fronthaul, a pattern of PRACH UEs alone (a preamble too weak to detect
// counted missed, not a mismatch), the refusals of 7.2x without C-plane and of time-domain
// fronthaul with it, the carry-over itself and the CLI's summary (7.2x: testmac_prach_oran_test).
#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"
#include "airan/l1/uplink_prach.h"

#include "../support/run_airan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::l1 {
namespace {

void expect_no_mismatch(const TestMacReport& report) {
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.error_indications, 0U);
}

void expect_every_preamble_detected(const TestMacReport& report) {
  EXPECT_GT(report.preambles_sent, 0U);
  EXPECT_EQ(report.preambles_detected, report.preambles_sent);
  EXPECT_EQ(report.preambles_missed, 0U);
  EXPECT_EQ(report.preambles_wrong_ta, 0U);
  EXPECT_EQ(report.preambles_false, 0U);
  EXPECT_EQ(report.prach_reports, report.prach_occasions);
  EXPECT_EQ(report.l1.prach_occasions, report.prach_occasions);
  EXPECT_EQ(report.l1.prach_failed, 0U);
  EXPECT_EQ(report.l1.prach_preambles, report.preambles_sent);
}

TEST(TestMacPrach, LongFormatAcrossTwoSlots) {
  const LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/prach.yaml");
  ASSERT_TRUE(pattern.prach);
  const PatternPrach& prach = *pattern.prach;
  EXPECT_EQ(prach.config.format, phy::PrachFormat::f0);
  EXPECT_EQ(prach.config.cyclic_shift_length, 13U); // zeroCorrelationZoneConfig 1 at 1.25 kHz
  EXPECT_EQ(prach.span_slots, 2U);                  // 0.9 ms on 0.5 ms slots
  EXPECT_NEAR(prach.channel_spread_s, 8.6523 * 300e-9, 1e-9); // TDL-C300's last path
  EXPECT_NEAR(prach.max_delay_s, 11.0 / (839 * 1250.0) - prach.channel_spread_s, 1e-9);
  ASSERT_EQ(pattern.ues.size(), 5U);
  EXPECT_FALSE(pattern.ues[0].prach);
  EXPECT_EQ(pattern.ues[1].prach->preamble, 17U);
  EXPECT_FALSE(pattern.ues[2].prach->preamble); // random
  EXPECT_FALSE(pattern.ues[2].prach->delay_s);
  EXPECT_EQ(pattern.ues[3].prach->power_db, -13.0);
  EXPECT_FALSE(pattern.ues[4].prach->preamble); // random by default
  const TestMacReport report = run_test_mac_session(pattern, {});
  expect_no_mismatch(report);
  // 10 PRACH slots: UEs 1 and 4 in each, UEs 2 and 3 in every other one.
  EXPECT_EQ(report.prach_pdus, 10U);
  EXPECT_EQ(report.prach_occasions, 10U);
  EXPECT_EQ(report.preambles_sent, 30U);
  expect_every_preamble_detected(report);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
  EXPECT_EQ(report.new_tbs, pattern.num_slots);
}

TEST(TestMacPrach, ShortFormatThreeOccasionsASlot) {
  const LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/prach_short.yaml");
  ASSERT_TRUE(pattern.prach);
  EXPECT_EQ(pattern.prach->config.format, phy::PrachFormat::a1);
  EXPECT_EQ(pattern.prach->config.short_format_numerology, 1U);
  EXPECT_EQ(pattern.prach->occasions_per_slot, 3U);
  EXPECT_EQ(pattern.prach->occasion(2).start_symbol, 4U);
  const TestMacReport report = run_test_mac_session(pattern, {});
  expect_no_mismatch(report);
  // 12 PRACH slots of 3 occasions; three UEs in each slot, a fourth in every other one.
  EXPECT_EQ(report.prach_pdus, 12U);
  EXPECT_EQ(report.prach_occasions, 36U);
  EXPECT_EQ(report.preambles_sent, 42U);
  expect_every_preamble_detected(report);
  EXPECT_EQ(report.tbs_delivered, report.new_tbs);
}

TEST(TestMacPrach, ThroughTheTimeDomainFronthaul) {
  LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/prach.yaml");
  pattern.num_slots = 16;
  TestMacOptions options;
  options.transport = TransportKind::shm;
  io::FronthaulConfig fronthaul;
  fronthaul.mode = io::FronthaulIngestMode::time_domain;
  fronthaul.compression = {io::CompressionMethod::block_floating_point, 14};
  options.fronthaul = fronthaul;
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_no_mismatch(report);
  EXPECT_EQ(report.prach_occasions, 4U);
  expect_every_preamble_detected(report);
  EXPECT_EQ(report.fronthaul_ingest.malformed(), 0U);
  // 7.2x needs the C-plane to ask the O-RU for the occasions; the time-domain O-RU cannot take
  // C-plane section requests.
  options.fronthaul->mode = io::FronthaulIngestMode::frequency_domain;
  EXPECT_THROW((void)run_test_mac_session(pattern, options), std::invalid_argument);
  options.fronthaul->mode = io::FronthaulIngestMode::time_domain;
  options.fronthaul_cplane = true;
  EXPECT_THROW((void)run_test_mac_session(pattern, options), std::invalid_argument);
}

// The PRACH carrier at 11.52 MHz (384 points, cell.fft_size) through the time-domain fronthaul:
// the preambles' periods (9216 samples) and the L1's PRACH FFTs at that rate.
TEST(TestMacPrach, AtANonPowerOfTwoFftSize) {
  LaunchPattern pattern =
      load_launch_pattern(airan::test::repo_root() / "configs/patterns/prach.yaml");
  pattern.num_slots = 16;
  pattern.cell.fft_size = 384;
  TestMacOptions options;
  options.transport = TransportKind::shm;
  io::FronthaulConfig fronthaul;
  fronthaul.mode = io::FronthaulIngestMode::time_domain;
  options.fronthaul = fronthaul;
  const TestMacReport report = run_test_mac_session(pattern, options);
  expect_no_mismatch(report);
  EXPECT_EQ(report.prach_occasions, 4U);
  expect_every_preamble_detected(report);
  EXPECT_EQ(report.fronthaul_ingest.malformed(), 0U);
}

// No PUSCH: the PRACH slots' UL_TTI.requests hold only the PRACH PDU, and the continuation slots
// no request at all. A preamble 40 dB under the other is missed, which is a decoding outcome.
TEST(TestMacPrach, PrachUesAlone) {
  const LaunchPattern pattern = parse_launch_pattern(R"(
cell: {num_prbs: 24, numerology: 1, n_cell_id: 3}
num_rx_antennas: 1
channel: {model: awgn, domain: time}
snr_db: 10
num_slots: 12
prach: {format: 0, zero_correlation_zone: 2, prb_start: 10, period_slots: 3, offset_slots: 1}
ues:
  - {rnti: 1, period_slots: 3, offset_slots: 1, prach: {preamble: 5, delay_us: random, power_db: -10}}
  - {rnti: 2, period_slots: 6, offset_slots: 4, prach: {preamble: 50, delay_us: 3, power_db: -50}}
)",
                                                     "prach_alone");
  const TestMacReport report = run_test_mac_session(pattern, {});
  for (const auto& detail : report.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  EXPECT_EQ(report.error_indications, 0U);
  // Two of six missed: over the default 1% budget, so the run fails on decoding, not protocol.
  ASSERT_EQ(report.decode_shortfalls.size(), 1U);
  EXPECT_EQ(report.decode_shortfalls[0],
            "preambles missed, with a wrong TA or false: 2 of 6 (33.33%, above the 1.00% allowed)");
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.pdus_sent, 0U);
  EXPECT_EQ(report.prach_occasions, 4U); // slots 1, 4, 7, 10
  EXPECT_EQ(report.prach_reports, 4U);
  EXPECT_EQ(report.preambles_sent, 6U);
  EXPECT_EQ(report.preambles_detected, 4U);
  EXPECT_EQ(report.preambles_missed, 2U);
  EXPECT_EQ(report.preambles_false, 0U);
  EXPECT_LT(report.prach_ta_error_max, 1.0); // one path: within a T_A unit
}

// The samples of a format 0 occasion run past its first 30 kHz slot; the generator carries them
// into the next one. Through the awgn model (one path of unit gain), each antenna's samples are
// the preamble's times a phase.
TEST(UplinkPrachSignal, CarriesALongOccasionIntoTheNextSlot) {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  apps::ChannelSpec channel;
  channel.domain = apps::ChannelDomain::time;
  phy::PrachConfig prach; // format 0, N_CS 13
  prach.start_symbol = 2;
  UplinkPrachSignal signal(cell, 2, channel, std::span(&prach, 1), 7);
  const auto numerology = phy::Numerology::for_carrier(1, phy::CyclicPrefix::normal, 24);
  phy::PrachModulator modulator(prach, numerology, 24);
  const phy::PrachOccasionLayout layout = modulator.layout(4);
  std::vector<phy::cf32> expected(layout.length());
  modulator.modulate(4, 9, 1.0F, expected);
  std::vector<phy::cf32> stream;
  const PrachTransmission tx{0, 0, 9, 0.0, 1.0F};
  for (unsigned s = 4; s < 7; ++s) {
    const std::size_t length = numerology.slot_length(s);
    std::vector<phy::cf32> iq(2 * length);
    signal.add_slot(s == 4 ? std::span(&tx, 1) : std::span<const PrachTransmission>{}, s, iq);
    stream.insert(stream.end(), iq.begin(), iq.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_EQ(signal.pending(), s == 4) << s; // the second slot takes the rest
  }
  ASSERT_GT(layout.start + layout.length(), numerology.slot_length(4));
  const phy::cf32 phase = stream[layout.start] / expected[0];
  EXPECT_NEAR(std::abs(phase), 1.0, 1e-3);
  double error = 0;
  double power = 0;
  for (std::size_t n = 0; n < expected.size(); ++n) {
    error += std::norm(stream[layout.start + n] - phase * expected[n]);
    power += std::norm(expected[n]);
  }
  EXPECT_LT(error / power, 1e-6);
  for (std::size_t n = 0; n < layout.start; ++n) {
    ASSERT_EQ(stream[n], phy::cf32{}) << n;
  }
}

TEST(TestMacPrachCli, PrintsThePrachCounts) {
  const auto result = airan::test::run_airan(
      "testmac --pattern " +
      (airan::test::repo_root() / "configs/patterns/prach_short.yaml").string() +
      " --slots 4 --quiet");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("PRACH PDUs 2 (6 occasions, reported 6): preambles sent 7, "
                               "detected 7, missed 0, wrong TA 0, false 0"),
            std::string::npos)
      << result.output;
  const auto refused = airan::test::run_airan(
      "testmac --pattern " + (airan::test::repo_root() / "configs/patterns/prach.yaml").string() +
      " --fronthaul 7.2x --slots 4 --quiet");
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("PRACH over --fronthaul 7.2x needs --cplane"), std::string::npos)
      << refused.output;
}

} // namespace
} // namespace airan::l1
