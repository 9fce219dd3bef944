// `airan prach-eval` run the way a user runs it: bad options are refused with a reason and exit
// status 2, a strong preamble is detected every time, noise-only occasions report their false
// alarms, and the JSON file parses with every point's counts.
#include "../support/run_airan.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using airan::test::run_airan;
using airan::test::scratch_dir;

std::string prach_cli_read(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void expect_prach_eval_refused(const std::string& args, const std::string& reason) {
  const auto run = run_airan("prach-eval " + args);
  EXPECT_EQ(run.status, 2) << args << '\n' << run.output;
  EXPECT_NE(run.output.find(reason), std::string::npos) << args << '\n' << run.output;
}

TEST(PrachEvalCli, RefusesBadOptionsWithAReason) {
  expect_prach_eval_refused("--format D1 --trials 4", "PRACH format 'D1' is not 0, 1, 2, 3, A1");
  expect_prach_eval_refused("--channel rayleigh --trials 4",
                            "'rayleigh' is not awgn or TDLC300-100");
  expect_prach_eval_refused("--snr 3,1 --trials 4", "must rise strictly");
  expect_prach_eval_refused("--preamble 64 --trials 4", "preamble index 64 is over 63");
  expect_prach_eval_refused("--ncs 14 --trials 4", "N_CS 14 is not in the unrestricted N_CS table");
  expect_prach_eval_refused("--delay-us 40 --trials 4", "outside the zero-correlation window");
  expect_prach_eval_refused("--format A1 --prach-numerology 2 --trials 4",
                            "Table 6.3.3.2-1 has no PRACH of 60000 Hz with PUSCH of 15000 Hz");
  expect_prach_eval_refused("--rx 17 --trials 4", "receive antennas must be 1 .. 16");
  expect_prach_eval_refused("--trials 0", "nothing to simulate");
  // CLI11 refuses the pair itself (its own exit status).
  const auto both = run_airan("prach-eval --delay-us 1 --random-delay --trials 4");
  EXPECT_NE(both.status, 0);
  EXPECT_NE(both.output.find("excludes"), std::string::npos) << both.output;
}

TEST(PrachEvalCli, StrongPreambleIsAlwaysDetected) {
  const auto run = run_airan("prach-eval --snr 0 --trials 20 --threads 2");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("PRACH format 0 at 1.25 kHz, N_CS 13, root 22, preamble 32"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("tolerance 1.04 us"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("100.00% (20/20)"), std::string::npos) << run.output;
}

TEST(PrachEvalCli, NoiseOnlyOccasionsReportTheirFalseAlarms) {
  const auto run = run_airan(
      "prach-eval --format B4 --numerology 1 --snr 0 --trials 0 --false-alarm 30 --pfa-target "
      "0.9 --threads 2");
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("PRACH format B4 at 30 kHz, N_CS 46, root 0, preamble 0"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("Pfa [95% CI]"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("Pd [95% CI]"), std::string::npos) << run.output; // no detection
  EXPECT_NE(run.output.find("/30) ["), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("(0/30)"), std::string::npos) << run.output; // a 90% target alarms
  EXPECT_NE(run.output.find("noise-only occasions over the sweep: false alarms"), std::string::npos)
      << run.output;
}

TEST(PrachEvalCli, WritesJsonThatParses) {
  const auto path = scratch_dir("prach-eval") / "prach.json";
  const auto run =
      run_airan("prach-eval --channel TDLC300-100 --snr -20,10 --trials 12 --false-alarm 8 "
                "--threads 2 --json " +
                path.string());
  ASSERT_EQ(run.status, 0) << run.output;
  const auto json = nlohmann::json::parse(prach_cli_read(path));
  EXPECT_NE(json["command"].get<std::string>().find("prach-eval"), std::string::npos);
  EXPECT_EQ(json["scenario"]["channel"], "TDLC300-100");
  EXPECT_EQ(json["scenario"]["cfo_hz"], 400.0);
  EXPECT_NEAR(json["scenario"]["time_error_tolerance_us"].get<double>(), 2.55, 1e-9);
  ASSERT_EQ(json["results"].size(), 2U);
  for (const auto& point : json["results"]) {
    EXPECT_EQ(point["trials"], 12);
    EXPECT_EQ(point["false_alarm_trials"], 8);
    EXPECT_EQ(point["detected"].get<int>() + point["timing_failures"].get<int>() +
                  point["missed"].get<int>(),
              12);
    ASSERT_EQ(point["pd_ci95"].size(), 2U);
    ASSERT_EQ(point["pfa_ci95"].size(), 2U);
    EXPECT_LE(point["pd_ci95"][0].get<double>(), point["pd"].get<double>());
  }
  EXPECT_EQ(json["results"][1]["pd"], 1.0); // 10 dB
  EXPECT_GT(json["results"][1]["mean_snr_estimate_db"].get<double>(), 5.0);
}

} // namespace
