// SRS evaluation (apps/srs_evaluation.h, `airan srs-eval`): on AWGN the estimator's SNR, timing
// and TimingAdvance are right at a high SNR (one port, and a hopping periodic SRS), the channel
// NMSE falls as the SNR rises on TDL-C, results do not depend on the thread count, bad
// configurations are refused with a reason; and the CLI prints its table and CSV, and refuses bad
// options with exit status 2 naming them.
#include "../support/run_airan.h"
#include "airan/apps/srs_evaluation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using namespace airan;
using airan::test::run_airan;
using airan::test::scratch_dir;

/// One port on comb 2, C_SRS 11 (40 PRBs) in the last symbol of a 52-PRB carrier at 30 kHz, 4 Rx,
/// AWGN, the UE 300 ns late.
apps::SrsEvaluationConfig srs_eval_awgn_config() {
  apps::SrsEvaluationConfig config;
  config.scenario.cell.num_prbs = 52;
  config.scenario.cell.numerology = 1;
  config.scenario.cell.num_antenna_ports = 1;
  config.scenario.num_rx_antennas = 4;
  config.scenario.channel.domain = apps::ChannelDomain::frequency;
  phy::SrsConfig& srs = config.srs;
  srs.bwp_size = 52;
  srs.c_srs = 11;
  srs.start_symbol = 13;
  config.delay_s = 300e-9;
  config.snr_db = {30.0};
  config.slots = 40;
  config.num_threads = 2;
  return config;
}

/// The same through TDL-C with a 300 ns delay spread, 100 Hz Doppler.
apps::SrsEvaluationConfig srs_eval_tdl_config() {
  apps::SrsEvaluationConfig config = srs_eval_awgn_config();
  config.scenario.channel.model = "TDL-C";
  config.scenario.channel.delay_spread_s = 300e-9;
  config.scenario.channel.max_doppler_hz = 100.0;
  return config;
}

/// SNR error, timing error and TimingAdvance of a high-SNR AWGN point.
void srs_eval_expect_accurate(const apps::SrsEvaluationPoint& p, const std::string& name) {
  EXPECT_NEAR(p.mean_true_snr_db(), p.snr_db, 0.01) << name; // unit channel, unit power per RE
  EXPECT_LT(std::abs(p.mean_snr_error_db()), 0.3) << name;
  EXPECT_LT(p.rms_snr_error_db(), 0.4) << name;
  EXPECT_LT(std::abs(p.mean_timing_error_s()), 10e-9) << name;
  EXPECT_LT(p.rms_timing_error_s(), 10e-9) << name;
  EXPECT_EQ(p.timing_advance_share(), 1.0) << name;
  EXPECT_LT(p.channel_nmse_db(), -30.0) << name;
}

TEST(SrsEvaluationTest, AwgnOnePortAtHighSnrIsAccurate) {
  const apps::SrsEvaluationConfig config = srs_eval_awgn_config();
  ASSERT_EQ(apps::validate_srs_evaluation(config), "");
  const auto points = apps::run_srs_evaluation(config);
  ASSERT_EQ(points.size(), 1U);
  EXPECT_EQ(points[0].slots, 40U);
  EXPECT_EQ(points[0].timing_advance_matches, 40U);
  srs_eval_expect_accurate(points[0], "1 port");
}

// A periodic SRS hopping over two 20-PRB sub-bands (one per occasion) on two symbols, and four
// ports on comb 4 split over two combs: the truth follows the SRS REs of each slot and port.
TEST(SrsEvaluationTest, AwgnHoppingAndFourPortsAtHighSnrAreAccurate) {
  apps::SrsEvaluationConfig config = srs_eval_awgn_config();
  config.srs.b_srs = 1;
  config.srs.hopping_bandwidth = 0;
  config.srs.num_symbols = 2;
  config.srs.start_symbol = 12;
  config.srs.resource_type = phy::SrsResourceType::periodic;
  config.srs.periodicity = 2;
  config.srs.slot_offset = 1;
  config.slots = 10;
  ASSERT_EQ(apps::validate_srs_evaluation(config), "");
  srs_eval_expect_accurate(apps::run_srs_evaluation(config).front(), "hopping");

  config = srs_eval_awgn_config();
  config.scenario.cell.num_antenna_ports = 4;
  config.srs.num_ports = 4;
  config.srs.comb_size = 4;
  config.srs.cyclic_shift = 6; // upper half: ports 1001 and 1003 on the other comb
  config.slots = 10;
  ASSERT_EQ(apps::validate_srs_evaluation(config), "");
  const apps::SrsEvaluationPoint four = apps::run_srs_evaluation(config).front();
  // Every rx sees every port (awgn), two of them at 1/4 power on each SRS RE.
  EXPECT_NEAR(four.mean_true_snr_db(), 30.0 + 10.0 * std::log10(2.0 / 4.0), 0.01);
  EXPECT_LT(std::abs(four.mean_snr_error_db()), 0.3);
  EXPECT_LT(four.rms_timing_error_s(), 10e-9);
  EXPECT_EQ(four.timing_advance_share(), 1.0);
  EXPECT_LT(four.channel_nmse_db(), -20.0);
}

TEST(SrsEvaluationTest, TdlCChannelNmseFallsAsSnrRises) {
  apps::SrsEvaluationConfig config = srs_eval_tdl_config();
  config.snr_db = {0.0, 10.0, 20.0};
  config.slots = 20;
  ASSERT_EQ(apps::validate_srs_evaluation(config), "");
  const auto points = apps::run_srs_evaluation(config);
  ASSERT_EQ(points.size(), 3U);
  for (std::size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].slots, 20U);
    // Fading: each slot's true SNR is about the nominal one (4 Rx, 40 PRBs).
    EXPECT_NEAR(points[i].mean_true_snr_db(), config.snr_db[i], 1.0);
    if (i > 0) { // one port: the PRB mean of the received channel, noise-limited
      EXPECT_LT(points[i].channel_nmse_db(), points[i - 1].channel_nmse_db() - 8.0) << i;
    }
  }
  EXPECT_LT(points[2].channel_nmse_db(), -20.0);
  // The estimate is the UE's delay plus about the channel's mean delay.
  const double mean_delay = apps::channel_mean_delay_s(config.scenario.channel);
  EXPECT_GT(mean_delay, 100e-9);
  EXPECT_NEAR(points[2].mean_timing_error_s(), mean_delay, 50e-9);
}

TEST(SrsEvaluationTest, ResultsDoNotDependOnTheThreadCount) {
  apps::SrsEvaluationConfig config = srs_eval_tdl_config();
  config.snr_db = {5.0};
  config.slots = 12;
  config.num_threads = 1;
  const auto one = apps::run_srs_evaluation(config);
  config.num_threads = 3;
  EXPECT_EQ(apps::run_srs_evaluation(config), one);
}

TEST(SrsEvaluationTest, BadConfigurationsAreRefusedWithAReason) {
  const auto problems = [](const apps::SrsEvaluationConfig& config) {
    return apps::validate_srs_evaluation(config);
  };
  const auto expect_problem = [&](const apps::SrsEvaluationConfig& config, const char* reason) {
    const std::string text = problems(config);
    EXPECT_NE(text.find(reason), std::string::npos) << text;
  };
  apps::SrsEvaluationConfig config = srs_eval_awgn_config();
  config.srs.comb_size = 3;
  expect_problem(config, "SRS: combSize 3 is not 2 or 4");
  config = srs_eval_awgn_config();
  config.srs.c_srs = 13; // 48 PRBs from PRB 8
  config.srs.frequency_shift = 8;
  expect_problem(config, "SRS: SRS CRBs 8+48 do not fit the BWP CRBs 0+52");
  config = srs_eval_awgn_config();
  config.srs.num_ports = 2;
  expect_problem(config, "the SRS has 2 ports but the UE only 1 antenna ports");
  config = srs_eval_awgn_config();
  config.delay_s = 9e-6; // one port on comb 2 at 30 kHz: +-8.33 us
  expect_problem(config, "UE delay 9000 ns is outside +-8333.33 ns");
  EXPECT_NEAR(apps::srs_unambiguous_delay_s(config.srs, config.scenario.cell), 1.0 / 120e3, 1e-12);
  config = srs_eval_tdl_config();
  config.scenario.channel.timing_offset_s = 1e-7;
  expect_problem(config, "the channel's timing offset must be 0");
  config = srs_eval_tdl_config();
  config.delay_s = -2e-6; // below -CP/2 for the TDL channel
  expect_problem(config, "channel: ");
  config = srs_eval_awgn_config();
  config.snr_db = {};
  expect_problem(config, "no SNR point");
  config.snr_db = {3.0, 1.0};
  expect_problem(config, "rise strictly");
  config = srs_eval_awgn_config();
  config.slots = 0;
  expect_problem(config, "SRS slots per point must be positive");
  EXPECT_THROW((void)apps::run_srs_evaluation(config), std::invalid_argument);
}

TEST(SrsEvaluationCli, PrintsATableAndWritesCsv) {
  const auto csv = scratch_dir("srs-eval") / "srs.csv";
  const auto run = run_airan("srs-eval --channel awgn --timing-offset 300 --snr 0,20 --slots 8 "
                             "--threads 2 --csv " +
                             csv.string());
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("SRS 1 port, comb 2 offset 0, cyclic shift 0, C_SRS 11 B_SRS 0 (40 "
                            "PRBs), symbols 13+1"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("UE delay 300 ns (TimingAdvance 32)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("NMSE dB"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("100.0%"), std::string::npos) << run.output; // TA right at 20 dB
  std::ifstream file(csv);
  std::ostringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str().rfind("snr_db,slots,true_snr_db,snr_error_mean_db,", 0), 0U) << text.str();
  EXPECT_NE(text.str().find("\n20,8,20"), std::string::npos) << text.str();
}

void srs_eval_expect_refused(const std::string& args, const std::string& reason) {
  const auto run = run_airan("srs-eval --slots 2 " + args);
  EXPECT_EQ(run.status, 2) << args << '\n' << run.output;
  EXPECT_NE(run.output.find(reason), std::string::npos) << args << '\n' << run.output;
}

TEST(SrsEvaluationCli, RefusesBadOptionsNamingThem) {
  srs_eval_expect_refused("--comb 3",
                          "combSize 3 is not 2 or 4 (comb 8 is not supported) [--comb]");
  srs_eval_expect_refused("--ports 3", "number of antenna ports must be 1, 2 or 4 [--ports]");
  srs_eval_expect_refused("--cyclic-shift 8", "[--cyclic-shift]");
  srs_eval_expect_refused("--prb 24", "do not fit the BWP CRBs 0+24 [--c-srs");
  srs_eval_expect_refused("--symbols 4 --start-symbol 12", "[--start-symbol, --symbols]");
  srs_eval_expect_refused("--channel awgn --timing-offset 9000", "[--timing-offset]");
  srs_eval_expect_refused("--sequence-hopping maybe",
                          "--sequence-hopping 'maybe' is not neither, group or sequence");
  srs_eval_expect_refused("--snr 3,1", "--snr: SNR list '3,1' must rise strictly");
  srs_eval_expect_refused("--rx 17", "receive antennas: 17 (1 .. 16) [--rx]");
  srs_eval_expect_refused("--channel awgn --doppler 10", "need a TDL or CDL model, not awgn");
}

} // namespace
