// Intra-slot frequency hopping through the CLI: `airan eval --second-hop-prb` reaches the
// simulation (the report and bler.json name the hops, every TB decodes at high SNR, and the
// received slots differ from a run without hopping), impossible hops fail before any work, and
// the bundled hopping scenario goes through `airan gen` and `airan replay` with every receiver.
#include "../support/run_airan.h"

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

nlohmann::json read_hopping_json(const fs::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return nlohmann::json::parse(text.str());
}

const std::string hopping_eval_args =
    " --channel TDL-C300 --doppler 10 --snr 25 --prb 24 --alloc-prb 12 --rx 2 --mcs 9"
    " --receiver mmse-lmmse,ls-lin-lmmse,perfect-csi --max-slots 8 --no-early-stop --threads 2";

// 12 of 24 PRBs hopping to the upper half at symbol 7 over TDL-C300 at 25 dB: every TB decodes
// with every receiver; the report says where the hops are.
TEST(EvalCliHopping, FrequencyHoppingDecodes) {
  const auto dir = scratch_dir("eval_hopping");
  const auto result =
      run_airan("eval --second-hop-prb 12" + hopping_eval_args + " -o " + dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("1 layer(s), PRBs 0+12 hopping to PRB 12 at symbol 7, MCS 9"),
            std::string::npos)
      << result.output;
  const auto json = read_hopping_json(dir / "bler.json");
  EXPECT_EQ(json["scenario"]["prb_start"], 0);
  EXPECT_EQ(json["scenario"]["prb_size"], 12);
  EXPECT_EQ(json["scenario"]["intra_slot_hopping"]["second_hop_prb_start"], 12);
  EXPECT_EQ(json["scenario"]["intra_slot_hopping"]["second_hop_symbol"], 7);
  ASSERT_EQ(json["results"].size(), 3U);
  for (const auto& point : json["results"]) {
    EXPECT_EQ(point["slots"], 8) << point;
    EXPECT_EQ(point["tb_errors"], 0) << point;
  }

  // The same run without hopping sees other channels on its second half: the flag changed what
  // was simulated (the measured SINR), not only the report.
  const auto plain_dir = scratch_dir("eval_no_hopping");
  const auto plain = run_airan("eval" + hopping_eval_args + " -o " + plain_dir.string());
  ASSERT_EQ(plain.status, 0) << plain.output;
  EXPECT_NE(plain.output.find("1 layer(s), PRBs 0+12, MCS 9"), std::string::npos) << plain.output;
  const auto plain_json = read_hopping_json(plain_dir / "bler.json");
  EXPECT_TRUE(plain_json["scenario"]["intra_slot_hopping"].is_null());
  ASSERT_EQ(plain_json["results"].size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NE(plain_json["results"][i]["mean_post_eq_sinr_db"].get<double>(),
              json["results"][i]["mean_post_eq_sinr_db"].get<double>())
        << json["results"][i]["receiver"];
  }
}

// PuschConfig::validate()'s hopping rules, before any work.
TEST(EvalCliHopping, ImpossibleHopsFailBeforeAnyWork) {
  auto result = run_airan("eval --prb 24 --alloc-prb 12 --second-hop-prb 13 --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("PUSCH 0: second hop PRBs 13+12 do not fit the BWP of 24 PRBs"),
            std::string::npos)
      << result.output;
  // Without --alloc-prb the allocation is the whole carrier: only PRB 0 is left for the hop.
  result = run_airan("eval --prb 24 --second-hop-prb 1 --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("second hop PRBs 1+24 do not fit the BWP of 24 PRBs"),
            std::string::npos)
      << result.output;
  result = run_airan("eval --prb 24 --alloc-prb 12 --second-hop-prb 12 --ptrs --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("PT-RS with intra-slot frequency hopping is not supported"),
            std::string::npos)
      << result.output;
  result = run_airan("eval --prb 24 --alloc-prb 25 --snr 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("PRBs 0+25 do not fit the BWP of 24 PRBs"), std::string::npos)
      << result.output;
  result = run_airan("eval --second-hop-prb x --snr 0");
  EXPECT_NE(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("--second-hop-prb"), std::string::npos) << result.output;
}

// The bundled scenario: three hopping UEs, two of which swap band edges (so each one's second hop
// lies where the other's first was) and a type B mini-slot, through TDL-C300 at 30 dB. Every TB
// decodes from the IQ with each receiver, perfect-csi from the vector's true channel.
TEST(EvalCliHopping, GenThenReplayTheBundledHoppingScenario) {
  const auto dir = scratch_dir("gen_hopping");
  const auto file = (dir / "hopping.h5").string();
  const auto config =
      (airan::test::repo_root() / "configs" / "pusch_frequency_hopping.yaml").string();
  const auto gen =
      run_airan("gen --config " + config +
                " --channel TDL-C300 --doppler 50 --snr 30 --slots 2 --seed 5 -o " + file);
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
        << receiver << ": " << replay.output;
  }
  // The first scenario PUSCH through `airan eval --config`, its hopping taken from the file.
  const auto eval_dir = scratch_dir("eval_hopping_config");
  const auto eval = run_airan("eval --config " + config +
                              " --channel TDL-C300 --snr 30 --receiver mmse-lmmse --max-slots 4 "
                              "--threads 2 -o " +
                              eval_dir.string());
  ASSERT_EQ(eval.status, 0) << eval.output;
  EXPECT_NE(eval.output.find("PRBs 0+20 hopping to PRB 31 at symbol 7"), std::string::npos)
      << eval.output;
  EXPECT_EQ(read_hopping_json(
                eval_dir / "bler.json")["scenario"]["intra_slot_hopping"]["second_hop_prb_start"],
            31);
}

} // namespace
