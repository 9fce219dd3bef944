// Receiver evaluation: same seed, same numbers whatever the thread count; the genie bounds the
// estimators; configuration errors are caught before any work; SNR lists and BLER crossings.
#include "airan/apps/bler_evaluation.h"
#include "airan/apps/evaluation_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

using namespace airan;

apps::EvaluationConfig small_config() {
  apps::EvaluationConfig config;
  auto& cell = config.scenario.cell;
  cell.num_prbs = 12;
  cell.numerology = 1;
  cell.n_cell_id = 3;
  cell.num_antenna_ports = 1;
  config.scenario.num_rx_antennas = 2;
  config.scenario.channel.model = "TDL-C300";
  config.scenario.channel.max_doppler_hz = 100.0;
  auto& p = config.pusch;
  p.bwp_size = 12;
  p.prb_size = 12;
  p.num_dmrs_cdm_groups_no_data = 2;
  p.mcs_index = 9;
  config.receivers = apps::parse_receiver_list("ls-lin-lmmse,mmse-lmmse,perfect-csi");
  config.snr_db = {-2.0, 2.0, 6.0};
  config.target_errors = 15;
  config.max_slots = 48;
  config.seed = 7;
  return config;
}

TEST(BlerEvaluation, SameSeedGivesTheSameNumbersWhateverTheThreadCount) {
  auto config = small_config();
  config.num_threads = 1;
  const auto one = apps::run_evaluation(config);
  config.num_threads = 3;
  const auto three = apps::run_evaluation(config);
  ASSERT_EQ(one.size(), three.size());
  ASSERT_EQ(one.size(), 9U);
  for (std::size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].receiver, three[i].receiver);
    EXPECT_EQ(one[i].slots, three[i].slots) << i;
    EXPECT_EQ(one[i].tb_errors, three[i].tb_errors) << i;
    EXPECT_DOUBLE_EQ(one[i].mean_post_eq_sinr_db, three[i].mean_post_eq_sinr_db) << i;
    ASSERT_EQ(one[i].paired.size(), three[i].paired.size());
    for (std::size_t r = 0; r < one[i].paired.size(); ++r) {
      EXPECT_EQ(one[i].paired[r].common_slots, three[i].paired[r].common_slots) << i;
      EXPECT_EQ(one[i].paired[r].only_this_failed, three[i].paired[r].only_this_failed) << i;
      EXPECT_EQ(one[i].paired[r].only_other_failed, three[i].paired[r].only_other_failed) << i;
    }
  }
  config.seed = 8;
  const auto other = apps::run_evaluation(config);
  bool differs = false;
  for (std::size_t i = 0; i < one.size(); ++i) {
    differs = differs || other[i].tb_errors != one[i].tb_errors ||
              other[i].mean_post_eq_sinr_db != one[i].mean_post_eq_sinr_db;
  }
  EXPECT_TRUE(differs);
}

// On the same slots (common random numbers), perfect CSI never loses more TBs than an estimator,
// and the BLER falls with SNR.
TEST(BlerEvaluation, UciErrorsAreCountedPerPartAndFallWithSnr) {
  // A PUSCH with a 2-bit HARQ-ACK and CSI parts 1 and 2: each point counts, per part, the slots
  // whose payload came back wrong or undetected; many at -8 dB, none at 12 dB; the same numbers
  // on any thread count; and the report files carry them.
  auto config = small_config();
  config.receivers = apps::parse_receiver_list("mmse-lmmse");
  config.pusch.uci = {2, 7, 11, 3, 9, 6, 6};
  config.snr_db = {-8.0, 12.0};
  config.early_stop = false;
  config.max_slots = 40;
  config.target_errors = 1000; // every slot counts
  config.num_threads = 1;
  const auto points = apps::run_evaluation(config);
  ASSERT_EQ(points.size(), 2U);
  EXPECT_EQ(points[0].slots, 40U);
  EXPECT_GT(points[0].uci_errors[1], 10U) << "CSI part 1 at -8 dB";
  EXPECT_GT(points[0].uci_errors[2], 10U) << "CSI part 2 at -8 dB";
  EXPECT_LE(points[0].uci_errors[0], points[0].uci_errors[1]) << "HARQ-ACK, beta 12.625";
  EXPECT_EQ(points[1].uci_errors, (std::array<std::uint64_t, 3>{0, 0, 0}));
  EXPECT_EQ(points[1].tb_errors, 0U);
  config.num_threads = 2;
  const auto again = apps::run_evaluation(config);
  EXPECT_EQ(again[0].uci_errors, points[0].uci_errors);
  // Without UCI nothing is counted.
  config.pusch.uci = {};
  EXPECT_EQ(apps::run_evaluation(config)[0].uci_errors, (std::array<std::uint64_t, 3>{0, 0, 0}));
  config.pusch.uci = {2, 7, 11, 3, 9, 6, 6};
  const auto dir = std::filesystem::temp_directory_path() / "airan_uci_eval_test";
  apps::write_evaluation_outputs(dir, "test", config, points);
  std::ifstream csv(dir / "bler.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_NE(header.find("harq_ack_errors,csi_part1_errors,csi_part2_errors"), std::string::npos);
  std::ifstream json(dir / "bler.json");
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"block_error_rate\""), std::string::npos);
  EXPECT_NE(apps::format_evaluation_table(config, points).find("UCI errors"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(BlerEvaluation, PerfectCsiBoundsTheEstimatorsOnTheSameSlots) {
  auto config = small_config();
  config.target_errors = 1000; // every receiver runs all max_slots slots
  config.max_slots = 64;
  config.num_threads = 2;
  config.early_stop = false;
  const auto points = apps::run_evaluation(config);
  for (std::size_t i = 0; i < points.size(); i += 3) {
    const auto& ls = points[i];
    const auto& mmse = points[i + 1];
    const auto& genie = points[i + 2];
    EXPECT_EQ(ls.receiver, "ls-lin-lmmse");
    EXPECT_EQ(genie.receiver, "perfect-csi");
    EXPECT_EQ(ls.slots, 64U);
    EXPECT_LE(genie.tb_errors, mmse.tb_errors) << "SNR " << ls.snr_db;
    EXPECT_LE(genie.tb_errors, ls.tb_errors) << "SNR " << ls.snr_db;
    EXPECT_EQ(genie.undetected_errors, 0U);
  }
  EXPECT_GT(points[0].tb_errors, points[6].tb_errors) << "BLER must fall from -2 to 6 dB";
  EXPECT_GT(points[0].bler, 0.5);
}

// The paired outcomes count the same slots from both sides: on the slots two receivers share,
// the difference of their discordant counts is the difference of their errors there, and A's
// "only this failed" against B is B's "only the other failed" against A. Receivers that stop at
// different slot counts (target errors) share the shorter run.
TEST(BlerEvaluation, PairedOutcomesCountTheSharedSlotsFromBothSides) {
  for (const std::uint64_t target : {std::uint64_t{1000}, std::uint64_t{15}}) {
    auto config = small_config();
    config.target_errors = target;
    config.max_slots = 64;
    config.num_threads = 2;
    config.early_stop = false;
    const auto points = apps::run_evaluation(config);
    bool stopped_apart = false;
    for (std::size_t i = 0; i < points.size(); i += 3) {
      for (std::size_t a = 0; a < 3; ++a) {
        const auto& pa = points[i + a];
        ASSERT_EQ(pa.paired.size(), 3U);
        EXPECT_EQ(pa.paired[a].common_slots, 0U);
        for (std::size_t b = 0; b < 3; ++b) {
          if (a == b) {
            continue;
          }
          const auto& pb = points[i + b];
          const auto& ab = pa.paired[b];
          EXPECT_EQ(ab.common_slots, std::min(pa.slots, pb.slots));
          EXPECT_EQ(ab.only_this_failed, pb.paired[a].only_other_failed);
          EXPECT_LE(ab.only_this_failed, pa.tb_errors);
          // The slots behind the counts: as many, ascending, among the common (first) slots,
          // and the same from the other side.
          EXPECT_EQ(ab.only_this_failed_slots.size(), ab.only_this_failed);
          EXPECT_EQ(ab.only_other_failed_slots.size(), ab.only_other_failed);
          EXPECT_TRUE(
              std::is_sorted(ab.only_this_failed_slots.begin(), ab.only_this_failed_slots.end()));
          EXPECT_TRUE(ab.only_this_failed_slots.empty() ||
                      ab.only_this_failed_slots.back() < ab.common_slots);
          EXPECT_EQ(ab.only_this_failed_slots, pb.paired[a].only_other_failed_slots);
          stopped_apart = stopped_apart || pa.slots != pb.slots;
          if (pa.slots == pb.slots) {
            EXPECT_EQ(std::int64_t(ab.only_this_failed) - std::int64_t(ab.only_other_failed),
                      std::int64_t(pa.tb_errors) - std::int64_t(pb.tb_errors));
          }
        }
      }
    }
    EXPECT_EQ(stopped_apart, target == 15) << "target " << target;
  }
}

TEST(BlerEvaluation, EarlyStopSkipsThePointsAfterAnErrorFreeOne) {
  auto config = small_config();
  config.scenario.channel = {};
  config.receivers = apps::parse_receiver_list("mmse-lmmse");
  config.snr_db = {20.0, 25.0, 30.0};
  config.max_slots = 10;
  const auto points = apps::run_evaluation(config);
  ASSERT_EQ(points.size(), 3U);
  EXPECT_TRUE(points[0].simulated);
  EXPECT_EQ(points[0].tb_errors, 0U);
  EXPECT_EQ(points[0].slots, 10U);
  EXPECT_FALSE(points[1].simulated);
  EXPECT_FALSE(points[2].simulated);
  EXPECT_EQ(points[2].slots, 0U);
  // Measured throughput at the simulated point; none claimed at the skipped ones (they were
  // reported at the peak rate, a figure no slot produced).
  EXPECT_GT(points[0].throughput_mbps, 0.0);
  EXPECT_EQ(points[1].throughput_mbps, 0.0);
  EXPECT_EQ(points[2].throughput_mbps, 0.0);
  const auto table = apps::format_evaluation_table(config, points);
  // The 26-wide cell, a space, then "-" right-aligned in 9 columns.
  EXPECT_NE(table.find("skipped (early stop)" + std::string(6 + 1 + 8, ' ') + "-\n"),
            std::string::npos)
      << table;
}

TEST(BlerEvaluation, ImpossibleConfigurationsAreErrorsBeforeAnyWork) {
  EXPECT_THROW(apps::parse_receiver_list("mmse-lmmse,no-such-receiver"), std::invalid_argument);
  EXPECT_THROW(apps::parse_receiver_list("mmse-lmmse,mmse-lmmse"), std::invalid_argument);
  EXPECT_THROW(apps::parse_receiver_list(""), std::invalid_argument);

  auto config = small_config();
  config.pusch.num_layers = 2;
  config.pusch.dmrs_ports = 0x3;
  config.scenario.cell.num_antenna_ports = 2;
  config.scenario.num_rx_antennas = 1;
  EXPECT_NE(apps::validate_evaluation(config).find("receive antennas"), std::string::npos)
      << apps::validate_evaluation(config);
  EXPECT_THROW(apps::run_evaluation(config), std::invalid_argument);

  // The paired statistics are keyed by name: a receiver twice is refused.
  config = small_config();
  config.receivers.push_back(config.receivers[0]);
  EXPECT_NE(apps::validate_evaluation(config).find("'ls-lin-lmmse' is listed twice"),
            std::string::npos)
      << apps::validate_evaluation(config);

  config = small_config();
  config.scenario.cell.num_prbs = 300;
  EXPECT_NE(apps::validate_evaluation(config).find("cell"), std::string::npos);

  config = small_config();
  config.scenario.channel.model = "TDL-Q";
  EXPECT_NE(apps::validate_evaluation(config).find("channel"), std::string::npos);

  config = small_config();
  config.snr_db.clear();
  config.max_slots = 0;
  const auto problems = apps::validate_evaluation(config);
  EXPECT_NE(problems.find("SNR"), std::string::npos);
  EXPECT_NE(problems.find("max slots"), std::string::npos);

  // Early stop skips what follows an error-free point, so the points must rise: {30, 0} skipped
  // the 0 dB point and reported it error-free.
  config = small_config();
  config.snr_db = {30.0, 0.0};
  EXPECT_NE(apps::validate_evaluation(config).find("rise strictly"), std::string::npos);
  config.snr_db = {3.0, 3.0};
  EXPECT_NE(apps::validate_evaluation(config).find("rise strictly"), std::string::npos);

  config = small_config();
  config.num_threads = apps::max_evaluation_threads + 1;
  EXPECT_NE(apps::validate_evaluation(config).find("threads"), std::string::npos);

  // awgn takes no delay spread or correlation (they were ignored without a word).
  config = small_config();
  config.scenario.channel = {};
  config.scenario.channel.delay_spread_s = 100e-9;
  EXPECT_NE(apps::validate_evaluation(config).find("need a TDL or CDL model"), std::string::npos);
  config.scenario.channel.delay_spread_s = 0.0;
  config.scenario.channel.correlation = phy::AntennaCorrelation::medium;
  EXPECT_NE(apps::validate_evaluation(config).find("need a TDL or CDL model"), std::string::npos);
}

// `airan eval --transform-precoding` and the Python module's transform_precoding.
TEST(BlerEvaluation, EnableTransformPrecoding) {
  auto config = small_config();
  auto& p = config.pusch;
  p.num_dmrs_cdm_groups_no_data = 1;
  ASSERT_EQ(apps::enable_transform_precoding(p, true), "");
  EXPECT_TRUE(p.transform_precoding);
  EXPECT_TRUE(p.tp_pi2bpsk);
  EXPECT_EQ(p.num_dmrs_cdm_groups_no_data, 2U); // TS 38.214 6.2.2: no data on DMRS symbols
  // mcs-Table not qam256: TS 38.214 Table 6.1.4.1-1 (6.1.4.1).
  EXPECT_EQ(p.mcs_table, phy::McsTable::transform_precoding_qam64);
  EXPECT_EQ(apps::validate_evaluation(config), "");
  p.mcs_index = 0;
  EXPECT_EQ(p.modulation_order(), 1U); // pi/2-BPSK

  phy::PuschConfig qam256;
  qam256.mcs_table = phy::McsTable::qam256;
  ASSERT_EQ(apps::enable_transform_precoding(qam256, false), "");
  EXPECT_EQ(qam256.mcs_table, phy::McsTable::qam256);
  EXPECT_FALSE(qam256.tp_pi2bpsk);

  phy::PuschConfig low_se;
  low_se.mcs_table = phy::McsTable::qam64_low_se;
  // mcs-TableTransformPrecoder qam64LowSE: TS 38.214 Table 6.1.4.1-2, whose MCS 0 to 5 are
  // pi/2-BPSK with tp-pi2BPSK.
  ASSERT_EQ(apps::enable_transform_precoding(low_se, true), "");
  EXPECT_EQ(low_se.mcs_table, phy::McsTable::transform_precoding_qam64_low_se);
  EXPECT_TRUE(low_se.transform_precoding);
  low_se.mcs_index = 5;
  EXPECT_EQ(low_se.modulation_order(), 1U);
  EXPECT_EQ(low_se.mcs().code_rate_x10240, 1980U);
  low_se.mcs_index = 6;
  EXPECT_EQ(low_se.modulation_order(), 2U);

  // 2 layers: left to PuschConfig::validate(), reported before any work.
  config = small_config();
  config.pusch.num_layers = 2;
  config.pusch.dmrs_ports = 0x3;
  config.scenario.cell.num_antenna_ports = 2;
  ASSERT_EQ(apps::enable_transform_precoding(config.pusch, false), "");
  EXPECT_NE(apps::validate_evaluation(config).find("one layer"), std::string::npos)
      << apps::validate_evaluation(config);

  // The neural receiver takes CP-OFDM only.
  config = small_config();
  ASSERT_EQ(apps::enable_transform_precoding(config.pusch, false), "");
  config.receivers = apps::parse_receiver_list("mmse-lmmse,neural");
  EXPECT_NE(apps::validate_evaluation(config).find("CP-OFDM PUSCH only"), std::string::npos)
      << apps::validate_evaluation(config);
}

TEST(EvaluationReport, ParsesSnrLists) {
  EXPECT_EQ(apps::parse_snr_list("-2:1:2"), (std::vector<double>{-2, -1, 0, 1, 2}));
  EXPECT_EQ(apps::parse_snr_list("0:0.5:1"), (std::vector<double>{0, 0.5, 1}));
  EXPECT_EQ(apps::parse_snr_list("3,7.5"), (std::vector<double>{3, 7.5}));
  EXPECT_EQ(apps::parse_snr_list("4"), (std::vector<double>{4}));
  for (const char* bad : {"", "1:2", "1:0:5", "5:1:1", "a", "1,,2", "0:0.001:10", "nan",
                          "0:1e-300:1", "5,0", "3,3", "0,2,1"}) {
    EXPECT_THROW(apps::parse_snr_list(bad), std::invalid_argument) << bad;
  }
}

TEST(EvaluationReport, SnrAtBlerInterpolatesLogBler) {
  std::vector<apps::EvaluationPoint> points(3);
  const double snrs[] = {0.0, 2.0, 4.0};
  const double blers[] = {1.0, 0.2, 0.02};
  for (int i = 0; i < 3; ++i) {
    points[i].receiver = "r";
    points[i].snr_db = snrs[i];
    points[i].bler = blers[i];
    points[i].slots = 1000;
  }
  const auto snr = apps::snr_at_bler(points, "r", 0.1);
  ASSERT_TRUE(snr.has_value());
  EXPECT_NEAR(*snr, 2.0 + 2.0 * (std::log10(0.2) - std::log10(0.1)) / 1.0, 1e-9);
  EXPECT_FALSE(apps::snr_at_bler(points, "r", 0.01).has_value());
  EXPECT_FALSE(apps::snr_at_bler(points, "other", 0.1).has_value());
}

// Wilson score intervals against published values (0/10: [0, 0.2775], 5/10: [0.2366, 0.7634]).
TEST(EvaluationReport, WilsonIntervals) {
  const auto near = [](apps::BlerInterval got, double low, double high) {
    EXPECT_NEAR(got.low, low, 1e-4);
    EXPECT_NEAR(got.high, high, 1e-4);
  };
  near(apps::bler_wilson_interval(0, 10), 0.0, 0.2775);
  near(apps::bler_wilson_interval(5, 10), 0.2366, 0.7634);
  near(apps::bler_wilson_interval(10, 10), 0.7225, 1.0);
  near(apps::bler_wilson_interval(200, 1000), 0.17638, 0.22592);
  near(apps::bler_wilson_interval(0, 0), 0.0, 1.0);
}

// The crossing on the intervals' ends brackets the estimate's, and more slots narrow it.
TEST(EvaluationReport, SnrAtBlerRangeFromTheIntervals) {
  const auto curve = [](std::uint64_t scale) {
    std::vector<apps::EvaluationPoint> points(3);
    const double snrs[] = {0.0, 1.0, 2.0};
    const std::uint64_t errors[] = {60, 20, 2}; // of 100 slots: BLER 0.6, 0.2, 0.02
    for (int i = 0; i < 3; ++i) {
      points[i].receiver = "r";
      points[i].snr_db = snrs[i];
      points[i].slots = 100 * scale;
      points[i].tb_errors = errors[i] * scale;
      points[i].bler = double(errors[i]) / 100.0;
    }
    return points;
  };
  const auto range_width = [](const std::vector<apps::EvaluationPoint>& points) {
    const auto low = apps::snr_at_bler(points, "r", 0.1, apps::BlerCurve::lower95);
    const auto estimate = apps::snr_at_bler(points, "r", 0.1);
    const auto high = apps::snr_at_bler(points, "r", 0.1, apps::BlerCurve::upper95);
    EXPECT_TRUE(low && estimate && high);
    if (!low || !estimate || !high) {
      return 0.0;
    }
    EXPECT_LT(*low, *estimate);
    EXPECT_GT(*high, *estimate);
    return *high - *low;
  };
  const double few = range_width(curve(1));
  const double many = range_width(curve(100));
  EXPECT_GT(few, 0.2); // 20 errors in 100 slots: a wide range
  EXPECT_LT(many, few / 5.0);
}

// An error-free point after the crossing stands for a BLER below the target however few its
// slots: with 3 slots the floor 0.5 / 3 lay above 10%, and the crossing landed past both points.
TEST(EvaluationReport, SnrAtBlerStaysBetweenThePointsItInterpolates) {
  std::vector<apps::EvaluationPoint> points(2);
  points[0].receiver = points[1].receiver = "r";
  points[0].snr_db = -6.0;
  points[0].bler = 1.0;
  points[0].slots = 3;
  points[1].snr_db = 20.0;
  points[1].bler = 0.0;
  points[1].slots = 3;
  const auto snr = apps::snr_at_bler(points, "r", 0.1);
  ASSERT_TRUE(snr.has_value());
  EXPECT_GT(*snr, -6.0);
  EXPECT_LE(*snr, 20.0);
  // With many slots the floor is half an error: the point's own resolution.
  points[1].slots = 1000;
  EXPECT_NEAR(*apps::snr_at_bler(points, "r", 0.1),
              -6.0 + 26.0 * (0.0 + 1.0) / (0.0 - std::log10(0.5 / 1000.0)), 1e-9);
}

} // namespace

namespace {

// Eb/N0 as Sionna's ebnodb2no: N0 = 1 / (Eb/N0 * Q_m * R * data REs / energy sent). With DMRS
// type 1 on symbols 2 and 11, both CDM groups free of data and one port, a PRB has 12 x 12 data
// REs and 2 x 6 DMRS REs at twice the data's power (beta_DMRS = sqrt(2)): 168 units, as Sionna's
// count of all 14 x 12 REs (counting the DMRS REs at unit power gave 156, 0.32 dB off).
TEST(BlerEvaluation, EbnoAxisFollowsSionnasDefinition) {
  auto config = small_config();
  config.pusch.mcs_index = 14; // 16-QAM, R = 553 / 1024
  config.snr_is_ebno = true;
  const double ebno_db = 3.0;
  const double expected =
      1.0 / (std::pow(10.0, ebno_db / 10.0) * 4.0 * (553.0 / 1024.0) * (144.0 / 168.0));
  EXPECT_NEAR(apps::evaluation_noise_variance(config, ebno_db), expected, 1e-6 * expected);
  config.snr_is_ebno = false;
  EXPECT_NEAR(apps::evaluation_noise_variance(config, ebno_db), std::pow(10.0, -0.3), 1e-6);
  // With PT-RS (L 1, K 2: 6 subcarriers on each of the 12 data symbols of the 12 PRBs, at unit
  // power on one layer) every RE is still sent: 1656 data REs of 12 x 168 units.
  config.snr_is_ebno = true;
  config.pusch.ptrs.enabled = true;
  ASSERT_EQ(config.pusch.validate(config.scenario.cell), "");
  const double with_ptrs =
      1.0 / (std::pow(10.0, ebno_db / 10.0) * 4.0 * (553.0 / 1024.0) * (1656.0 / 2016.0));
  EXPECT_NEAR(apps::evaluation_noise_variance(config, ebno_db), with_ptrs, 1e-6 * with_ptrs);
  // Codebook precoding: a layer carries the energy of its column of W, so E_b does: N0 is the
  // unprecoded one times that (W = I / sqrt(2): 1/2; one layer, TPMI 2: [1; 1] / sqrt(2), 1).
  config.pusch.ptrs.enabled = false;
  const float one_port = apps::evaluation_noise_variance(config, ebno_db);
  config.scenario.cell.num_antenna_ports = 2;
  config.pusch.precoding = phy::PuschPrecoding::codebook;
  for (const auto& [tpmi, energy] : {std::pair{0U, 0.5}, std::pair{2U, 1.0}}) {
    config.pusch.tpmi = tpmi;
    EXPECT_NEAR(apps::evaluation_noise_variance(config, ebno_db), energy * one_port,
                1e-6 * one_port)
        << "TPMI " << tpmi;
  }
  config.pusch.num_layers = 2;
  config.pusch.dmrs_ports = 0x3;
  config.pusch.precoding = phy::PuschPrecoding::non_codebook;
  const float two_layers = apps::evaluation_noise_variance(config, ebno_db);
  config.pusch.precoding = phy::PuschPrecoding::codebook;
  config.pusch.tpmi = 0;
  EXPECT_NEAR(apps::evaluation_noise_variance(config, ebno_db), 0.5 * two_layers,
              1e-6 * two_layers);
}

} // namespace
