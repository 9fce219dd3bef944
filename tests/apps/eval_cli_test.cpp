// `airan gen`, `airan replay` and `airan eval` run the way a user runs them.
#include "../support/run_airan.h"
#include "two_ue_config.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using airan::test::last_line;
using airan::test::run_airan;
using airan::test::scratch_dir;
using airan::test::two_ue_config;

std::string read_text(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Two UEs, 2 Rx, TDL-C300 in the time domain at 28 dB: every TB decodes with every receiver,
// from the IQ and from the stored grid.
TEST(EvalCli, GenThenReplayDecodesEveryTb) {
  const auto dir = scratch_dir("gen");
  const auto file = (dir / "vector.h5").string();
  const auto gen =
      run_airan("gen --config " + two_ue_config +
                " --channel TDL-C300 --doppler 50 --snr 28 --slots 3 --seed 4 -o " + file);
  ASSERT_EQ(gen.status, 0) << gen.output;
  EXPECT_NE(gen.output.find("mmse-lmmse decoded 6 TB(s)"), std::string::npos) << gen.output;
  for (const std::string receiver : {"mmse-lmmse", "ls-lin-lmmse", "perfect-csi"}) {
    std::string command = "replay ";
    command += file;
    command += " --receiver ";
    command += receiver;
    const auto replay = run_airan(command);
    EXPECT_EQ(replay.status, 0) << replay.output;
    EXPECT_NE(last_line(replay.output).find("6/6 TBs decoded; 6/6 expected-good"),
              std::string::npos)
        << replay.output;
  }
  const auto grid = run_airan("replay --grid -q " + file);
  EXPECT_EQ(grid.status, 0) << grid.output;
}

// A vector whose PUSCH carries UCI stores the payloads; replay decodes them and says how many
// came back right.
TEST(EvalCli, GenThenReplayChecksUciPayloads) {
  const auto dir = scratch_dir("gen-uci");
  std::ofstream(dir / "uci.yaml")
      << "cell: {num_prbs: 24}\nnum_rx_antennas: 2\npusch:\n  - {bwp_size: 24, prb_size: 24, "
         "mcs_index: 9, uci: {harq_ack_bits: 1, csi_part1_bits: 7, csi_part2_bits: 30, "
         "beta_offset_harq_ack: 9, beta_offset_csi1: 9, beta_offset_csi2: 9}}\n";
  const auto file = (dir / "uci.h5").string();
  const auto gen =
      run_airan("gen --config " + (dir / "uci.yaml").string() + " --snr 20 --slots 3 -o " + file);
  ASSERT_EQ(gen.status, 0) << gen.output;
  const auto replay = run_airan("replay " + file);
  EXPECT_EQ(replay.status, 0) << replay.output;
  // Three slots of a 1-bit HARQ-ACK, a 7-bit CSI part 1 and a 30-bit (polar) CSI part 2.
  EXPECT_NE(last_line(replay.output).find("UCI payloads right 9/9"), std::string::npos)
      << replay.output;
}

// A CDL vector records its arrays (the 38.901 elements and the polarisation) and replay names
// them.
TEST(EvalCli, CdlVectorsRecordTheirArrays) {
  const auto dir = scratch_dir("gen-cdl");
  const auto file = (dir / "cdl.h5").string();
  const auto gen = run_airan("gen --config " + two_ue_config +
                             " --channel cdl-c --delay-spread 100 --bs-antenna-pattern 38.901 "
                             "--bs-polarization cross --snr 30 --slots 1 --seed 2 -o " +
                             file);
  ASSERT_EQ(gen.status, 0) << gen.output;
  const auto replay = run_airan("replay " + file);
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find("channel CDL-C (38.901 BS elements, polarisation BS cross UE V)"),
            std::string::npos)
      << replay.output;
  EXPECT_NE(last_line(replay.output).find("2/2 TBs decoded"), std::string::npos) << replay.output;
  const auto odd = run_airan("gen --config " + two_ue_config +
                             " --channel CDL-C --delay-spread 100 --ue-polarization VH -o " + file);
  EXPECT_EQ(odd.status, 2) << odd.output; // one UE port: not a dual-polarised pair
  EXPECT_NE(odd.output.find("even number of antennas"), std::string::npos) << odd.output;
}

// At -10 dB nothing decodes: the reference receiver marks the TBs as expected to fail, replay
// still passes, and the vector records it.
TEST(EvalCli, TbsTheReferenceReceiverCannotDecodeAreNotExpected) {
  const auto dir = scratch_dir("lowsnr");
  const auto file = (dir / "low.h5").string();
  const auto gen = run_airan("gen --config " + two_ue_config + " --snr -10 --slots 1 -o " + file);
  ASSERT_EQ(gen.status, 0) << gen.output;
  EXPECT_NE(gen.output.find("decoded 0 TB(s)"), std::string::npos) << gen.output;
  const auto replay = run_airan("replay -q " + file);
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find("0/2 TBs decoded; 0/0 expected-good"), std::string::npos)
      << replay.output;
}

TEST(EvalCli, EvalWritesTableCsvJsonAndPlot) {
  const auto dir = scratch_dir("eval");
  const auto result = run_airan(
      "eval --receiver ls-lin-lmmse,perfect-csi --channel TDL-A30 --doppler 10 --snr 0:4:8 "
      "--prb 12 --rx 2 --mcs 5 --target-errors 4 --max-slots 16 --threads 2 --seed 3 -o " +
      dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("SNR at BLER 10%"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("95% range:"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("  ls-lin-lmmse vs perfect-csi: ls-lin-lmmse worse on "),
            std::string::npos)
      << result.output;
  const auto csv = read_text(dir / "bler.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7) << csv;
  EXPECT_NE(csv.find(",simulated,bler_low95,bler_high95,harq_ack_errors,csi_part1_errors,"
                     "csi_part2_errors\n"),
            std::string::npos)
      << csv;
  const auto json = nlohmann::json::parse(read_text(dir / "bler.json"));
  EXPECT_EQ(json["results"].size(), 6U);
  for (const auto& point : json["results"]) {
    ASSERT_EQ(point["bler_ci95"].size(), 2U);
    EXPECT_LE(point["bler_ci95"][0].get<double>(), point["bler"].get<double>());
    EXPECT_GE(point["bler_ci95"][1].get<double>(), point["bler"].get<double>());
  }
  // The paired counts: per point from both sides, and over the sweep as the points' sums.
  std::uint64_t only_ls = 0;
  std::uint64_t only_genie = 0;
  for (std::size_t i = 0; i < json["results"].size(); i += 2) {
    const auto& ls = json["results"][i];
    const auto& genie = json["results"][i + 1];
    ASSERT_EQ(ls["receiver"], "ls-lin-lmmse");
    const auto& pair = ls["paired"]["perfect-csi"];
    EXPECT_EQ(pair["only_this_failed"], genie["paired"]["ls-lin-lmmse"]["only_other_failed"]);
    EXPECT_EQ(pair["only_other_failed"], genie["paired"]["ls-lin-lmmse"]["only_this_failed"]);
    if (ls["simulated"].get<bool>()) {
      only_ls += pair["only_this_failed"].get<std::uint64_t>();
      only_genie += pair["only_other_failed"].get<std::uint64_t>();
    }
  }
  ASSERT_EQ(json["paired_over_sweep"].size(), 1U);
  const auto& sweep = json["paired_over_sweep"][0];
  EXPECT_EQ(sweep["a"], "ls-lin-lmmse");
  EXPECT_EQ(sweep["only_a_failed"].get<std::uint64_t>(), only_ls);
  EXPECT_EQ(sweep["only_b_failed"].get<std::uint64_t>(), only_genie);
  // The test's counts: each slot once, so at most the slot-points and the distinct slots.
  const auto a_worse = sweep["a_worse_slots"].get<std::uint64_t>();
  const auto b_worse = sweep["b_worse_slots"].get<std::uint64_t>();
  EXPECT_LE(a_worse, only_ls);
  EXPECT_LE(b_worse, only_genie);
  EXPECT_LE(a_worse + b_worse, sweep["common_slots"].get<std::uint64_t>());
  EXPECT_LE(sweep["common_slots"].get<std::uint64_t>(), 16U) << "--max-slots 16";
  EXPECT_GE(sweep["slot_points"].get<std::uint64_t>(), sweep["common_slots"].get<std::uint64_t>());
  EXPECT_LE(sweep["log10_p_value"].get<double>(), 0.0);
  for (const char* name : {"ls-lin-lmmse", "perfect-csi"}) {
    const auto& range = json["snr_at_bler_10_percent_ci95"][name];
    ASSERT_EQ(range.size(), 2U) << name;
    const auto& estimate = json["snr_at_bler_10_percent"][name];
    if (!range[0].is_null() && !range[1].is_null() && !estimate.is_null()) {
      EXPECT_LE(range[0].get<double>(), estimate.get<double>()) << name;
      EXPECT_GE(range[1].get<double>(), estimate.get<double>()) << name;
    }
  }
  EXPECT_EQ(json["scenario"]["num_rx_antennas"], 2);
  EXPECT_NE(json["command"].get<std::string>().find("--receiver ls-lin-lmmse,perfect-csi"),
            std::string::npos);
  const auto png = read_text(dir / "bler.png");
  ASSERT_GT(png.size(), 8U);
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

// A run without TB errors has no curve for a log axis: it writes no plot, says so, and removes
// the plot an earlier run left in the directory (it stayed beside the new tables).
TEST(EvalCli, ErrorFreeRunRemovesAnEarlierPlot) {
  const auto dir = scratch_dir("eval_error_free");
  std::filesystem::create_directories(dir);
  {
    std::ofstream old_plot(dir / "bler.png");
    old_plot << "an earlier run's plot";
  }
  const auto result = run_airan("eval --receiver mmse-lmmse --channel awgn --snr 30 --prb 4 "
                                "--rx 2 --mcs 5 --max-slots 4 --threads 1 -o " +
                                dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("bler.csv, bler.json (no TB error: no BLER plot)"),
            std::string::npos)
      << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "bler.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir / "bler.png"));
}

// DFT-s-OFDM over AWGN at 20 dB: every TB decodes, pi/2-BPSK at MCS 0 of Table 6.1.4.1-1 and
// 16-QAM; the report says transform precoding.
TEST(EvalCli, TransformPrecodingDecodesOverAwgn) {
  for (const std::string mcs :
       {"--pi2bpsk --mcs 0", "--mcs 14", "--pi2bpsk --mcs-table 3 --mcs 4"}) {
    SCOPED_TRACE(mcs);
    const auto dir = scratch_dir("eval_tp");
    const auto result = run_airan("eval --transform-precoding " + mcs +
                                  " --receiver mmse-lmmse,ls-lin-lmmse --channel awgn --snr 20 "
                                  "--prb 50 --rx 2 --max-slots 8 --threads 2 -o " +
                                  dir.string());
    ASSERT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("1 layer(s), DFT-s-OFDM, MCS "), std::string::npos)
        << result.output;
    const auto json = nlohmann::json::parse(read_text(dir / "bler.json"));
    EXPECT_EQ(json["scenario"]["transform_precoding"], true);
    EXPECT_EQ(json["scenario"]["tp_pi2bpsk"], mcs.starts_with("--pi2bpsk"));
    // Table 1 read as TS 38.214 Table 6.1.4.1-1, table 3 as 6.1.4.1-2.
    EXPECT_EQ(json["scenario"]["mcs_table"],
              mcs.find("--mcs-table 3") != std::string::npos ? 5 : 4);
    ASSERT_EQ(json["results"].size(), 2U);
    for (const auto& point : json["results"]) {
      EXPECT_EQ(point["slots"], 8) << point;
      EXPECT_EQ(point["tb_errors"], 0) << point;
    }
  }
}

// PT-RS under 300 Hz of phase noise: the tracking receiver decodes every TB at 24 dB, the same
// receiver without the tracking loses most; the report names the PT-RS pattern.
TEST(EvalCli, PtrsTracksPhaseNoise) {
  const auto dir = scratch_dir("eval_ptrs");
  const auto result = run_airan(
      "eval --ptrs --ptrs-time-density 1 --phase-noise 300 --channel TDL-A30 --prb 24 --rx 2 "
      "--mcs 20 --snr 24 --receiver mmse-lmmse,mmse-no-ptrs --max-slots 20 --no-early-stop "
      "--threads 2 -o " +
      dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("PT-RS L 1 K 2"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("phase noise 300 Hz"), std::string::npos) << result.output;
  const auto json = nlohmann::json::parse(read_text(dir / "bler.json"));
  EXPECT_EQ(json["scenario"]["ptrs"]["time_density"], 1);
  EXPECT_EQ(json["scenario"]["ptrs"]["frequency_density"], 2);
  ASSERT_EQ(json["results"].size(), 2U);
  for (const auto& point : json["results"]) {
    if (point["receiver"] == "mmse-lmmse") {
      EXPECT_EQ(point["tb_errors"], 0) << point;
    } else {
      EXPECT_GE(point["tb_errors"], 10) << point;
    }
  }
  // The densities need --ptrs, and only take the values TS 38.214 allows.
  EXPECT_NE(run_airan("eval --ptrs-time-density 2 --snr 0").status, 0);
  EXPECT_NE(run_airan("eval --ptrs --ptrs-time-density 3 --snr 0").status, 0);
  EXPECT_NE(run_airan("eval --ptrs --ptrs-frequency-density 1 --snr 0").status, 0);
}

TEST(EvalCli, TransformPrecodingOptionsAreChecked) {
  auto result = run_airan("eval --pi2bpsk --snr 0 --prb 50");
  EXPECT_NE(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("--pi2bpsk requires --transform-precoding"), std::string::npos)
      << result.output;
  result = run_airan("eval --mcs-table 6 --snr 0");
  EXPECT_NE(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("--mcs-table"), std::string::npos) << result.output;
  // PuschConfig::validate()'s rules, before any work: 106 PRBs, 2 layers, table 4 on CP-OFDM.
  result = run_airan("eval --transform-precoding --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("2^a 3^b 5^c, not 106"), std::string::npos) << result.output;
  result = run_airan("eval --transform-precoding --layers 2 --rx 2 --prb 50 --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("one layer"), std::string::npos) << result.output;
  result = run_airan("eval --mcs-table 4 --prb 50 --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("Table 6.1.4.1-1 needs transform precoding"), std::string::npos)
      << result.output;
}

TEST(EvalCli, ImpossibleRequestsFailBeforeAnyWork) {
  auto result = run_airan("eval --receiver mmse-lmmse,neural-x --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("unknown receiver 'neural-x'"), std::string::npos);
  EXPECT_NE(result.output.find("perfect-csi"), std::string::npos) << "lists the valid names";

  result = run_airan("eval --layers 2 --rx 1 --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("receive antennas"), std::string::npos) << result.output;

  result = run_airan("eval --prb 300 --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;

  // A minus sign on a count or seed: refused (CLI11 read -1 into 64 bits as 2^64 - 1).
  for (const char* option : {"--max-slots -1", "--seed -1", "--target-errors -5"}) {
    result = run_airan(std::string("eval --snr 0 ") + option);
    EXPECT_NE(result.status, 0) << option << ": " << result.output; // CLI11's usage error
    EXPECT_NE(result.output.find("must not be negative"), std::string::npos) << result.output;
  }
  // What --config replaces cannot be given beside it (--mcs-table was ignored silently).
  result = run_airan("eval --snr 0 --config " + two_ue_config + " --mcs-table 2");
  EXPECT_NE(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("--config excludes --mcs-table"), std::string::npos)
      << result.output;
  result = run_airan("replay --threads 400 /dev/null");
  EXPECT_NE(result.status, 0) << result.output; // 1 .. 256, as the other commands'
  EXPECT_NE(result.output.find("--threads"), std::string::npos) << result.output;

  result = run_airan("replay /nonexistent.h5");
  EXPECT_NE(result.status, 0);
  result = run_airan("gen --config " + two_ue_config + " --channel TDL-X -o /tmp/x.h5");
  EXPECT_EQ(result.status, 2) << result.output;
}

} // namespace
