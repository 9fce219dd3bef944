// --backend cpu|cuda|auto and --receiver neural --model on `airan replay`, `eval`,
// `bench pusch`, `conformance pusch-rx` and the L1 (`testmac`): auto says what it picked, cuda
// without a device is a clear error (and with one decodes like the CPU), the neural receiver
// decodes with the committed model, the neural model runs on the selected backend, and a missing or
// wrong model is an error naming it.
#include "../support/run_airan.h"
#include "../support/sanitizer_sweeps.h"
#include "two_ue_config.h"

#include "airan/gpu/device_query.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
using airan::test::last_line;
using airan::test::run_airan;
using airan::test::scratch_dir;
using airan::test::two_ue_config;

const std::string trained_model =
    (airan::test::repo_root() / "models" / "neural_receiver.onnx").string();
/// The committed model before stage 4, trained on 1-2 layers (its airan.max_layers is 2).
const std::string two_layer_model =
    (airan::test::repo_root() / "models" / "pretrained" / "neural_receiver_stage3.onnx").string();

bool have_device() {
  return !airan::gpu::query_devices().devices.empty();
}

/// Slots of the vectors: 2, 1 under the sanitizers (whose neural receiver runs 10 times slower).
constexpr unsigned vector_slots = 2 / airan::test::sweep_stride(2);
/// What a replay of a whole vector ends with: both UEs' TBs of every slot decoded.
const std::string all_tbs_decoded =
    std::to_string(2 * vector_slots) + "/" + std::to_string(2 * vector_slots) + " TBs decoded";

/// A vector of the two-UE scenario (2 Rx, TDL-C300) at 28 dB.
std::string make_vector(const std::string& name) {
  auto file = (scratch_dir(name) / "vector.h5").string();
  const auto gen = run_airan("gen --config " + two_ue_config +
                             " --channel TDL-C300 --doppler 50 --snr 28 --slots " +
                             std::to_string(vector_slots) + " --seed 9 -o " + file);
  EXPECT_EQ(gen.status, 0) << gen.output;
  return file;
}

TEST(ReceiverBackendCli, AutoSaysWhatItPickedAndDecodes) {
  const std::string file = make_vector("auto");
  const auto replay = run_airan("replay " + file + " --backend auto");
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find(have_device() ? "(cuda device 0)" : "(cpu)"), std::string::npos)
      << replay.output;
  // The choice and its reason: with no device here, why not.
  EXPECT_NE(replay.output.find(have_device() ? "(auto: a CUDA device is present)"
                                             : "backend: cpu (auto: "),
            std::string::npos)
      << replay.output;
  EXPECT_NE(last_line(replay.output).find(all_tbs_decoded), std::string::npos) << replay.output;
}

// mmse2d-lmmse (Wiener time interpolation) runs where the backend says: auto picks the device
// when there is one, and both backends decode every TB.
TEST(ReceiverBackendCli, WienerTimeInterpolationRunsOnEitherBackend) {
  const std::string file = make_vector("wiener");
  const auto replay = run_airan("replay " + file + " --backend auto --receiver mmse2d-lmmse");
  ASSERT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find(have_device() ? "(cuda device 0)" : "(cpu)"), std::string::npos)
      << replay.output;
  EXPECT_NE(last_line(replay.output).find(all_tbs_decoded), std::string::npos) << replay.output;
  const auto cpu = run_airan("replay " + file + " --backend cpu --receiver mmse2d-lmmse");
  ASSERT_EQ(cpu.status, 0) << cpu.output;
  EXPECT_NE(last_line(cpu.output).find(all_tbs_decoded), std::string::npos) << cpu.output;
}

TEST(ReceiverBackendCli, CudaWithoutADeviceIsAClearError) {
  const std::string file = make_vector("cuda");
  const auto replay = run_airan("replay " + file + " --backend cuda");
  if (have_device()) {
    EXPECT_EQ(replay.status, 0) << replay.output;
    EXPECT_NE(last_line(replay.output).find(all_tbs_decoded), std::string::npos) << replay.output;
    const auto irc = run_airan("replay " + file + " --backend cuda --receiver mmse-irc");
    EXPECT_EQ(irc.status, 0) << irc.output;
    EXPECT_NE(last_line(irc.output).find(all_tbs_decoded), std::string::npos) << irc.output;
    const auto genie = run_airan("replay " + file + " --backend cuda --receiver perfect-csi");
    EXPECT_EQ(genie.status, 2) << genie.output;
    EXPECT_NE(genie.output.find("CPU backend only"), std::string::npos) << genie.output;
    return;
  }
  EXPECT_EQ(replay.status, 2) << replay.output;
  const bool named = replay.output.find("no CUDA device") != std::string::npos ||
                     replay.output.find("built without CUDA") != std::string::npos;
  EXPECT_TRUE(named) << replay.output;
  const auto bad = run_airan("replay " + file + " --backend gpu");
  EXPECT_NE(bad.status, 0);
}

// `airan conformance pusch-rx --backend cuda`: the MATLAB grids through the CUDA front end and LDPC
// decoder with a device, the same clear error as the other commands without one.
TEST(ReceiverBackendCli, ConformancePuschRxRunsOnTheSelectedBackend) {
  const std::string dir = (fs::path(AIRAN_TESTVECTOR_DIR) / "pusch").string();
  const auto cuda = run_airan("conformance pusch-rx " + dir + " --backend cuda");
  if (have_device()) {
    EXPECT_EQ(cuda.status, 0) << cuda.output;
    EXPECT_NE(cuda.output.find("cuda device 0"), std::string::npos) << cuda.output;
    EXPECT_EQ(last_line(cuda.output), "22 passed, 0 failed");
  } else {
    EXPECT_EQ(cuda.status, 2) << cuda.output;
    const bool named = cuda.output.find("no CUDA device") != std::string::npos ||
                       cuda.output.find("built without CUDA") != std::string::npos;
    EXPECT_TRUE(named) << cuda.output;
  }
  const auto automatic = run_airan("conformance pusch-rx " + dir + " --backend auto");
  EXPECT_EQ(automatic.status, 0) << automatic.output;
  EXPECT_EQ(last_line(automatic.output), "22 passed, 0 failed");
  const auto bad = run_airan("conformance pusch-rx " + dir + " --backend gpu");
  EXPECT_NE(bad.status, 0);
}

// `airan bench ldpc --backend cuda`: the CUDA decoder's throughput next to the CPU's with a device,
// a clear error without one; auto falls back to the CPU and says why.
TEST(ReceiverBackendCli, BenchLdpcMeasuresTheCudaDecoderWhenSelected) {
  const auto cuda = run_airan("bench ldpc --blocks 3 --batch 16 --backend cuda");
  if (have_device()) {
    EXPECT_EQ(cuda.status, 0) << cuda.output;
    EXPECT_NE(last_line(cuda.output).find("(cuda, 16 blocks)"), std::string::npos) << cuda.output;
  } else {
    EXPECT_EQ(cuda.status, 2) << cuda.output;
    EXPECT_NE(cuda.output.find("--backend cuda:"), std::string::npos) << cuda.output;
    const auto automatic = run_airan("bench ldpc --blocks 3 --backend auto");
    EXPECT_EQ(automatic.status, 0) << automatic.output;
    EXPECT_NE(automatic.output.find("backend: cpu (auto:"), std::string::npos) << automatic.output;
  }
}

TEST(ReceiverBackendCli, NeuralReceiverDecodesWithTheCommittedModel) {
  const std::string file = make_vector("neural");
  const auto replay = run_airan("replay " + file + " --receiver neural --model " + trained_model);
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find("receiver neural (cpu, model"), std::string::npos) << replay.output;
  EXPECT_NE(last_line(replay.output).find(all_tbs_decoded), std::string::npos) << replay.output;

  const auto bench = run_airan("bench pusch --receiver neural --model " + trained_model +
                               " --prb 24 --rx 4 --layers 1 --mcs 10 --mcs-table 1 --slots 2 "
                               "--threads 1");
  EXPECT_EQ(bench.status, 0) << bench.output;
  EXPECT_NE(bench.output.find("neural detection"), std::string::npos) << bench.output;

  const auto eval =
      run_airan("eval --receiver ls-lin-lmmse,neural --model " + trained_model +
                " --prb 8 --rx 4 --snr 12 --max-slots 4 --target-errors 4 --threads 1");
  EXPECT_EQ(eval.status, 0) << eval.output;
  EXPECT_NE(eval.output.find("receiver neural: cpu, model"), std::string::npos) << eval.output;

  // A model trained on 1 and 2 layers: 4 is refused before any slot runs.
  const auto four = run_airan("eval --receiver ls-lin-lmmse,neural --model " + two_layer_model +
                              " --prb 8 --rx 4 --layers 4 --snr 20 --max-slots 2 --threads 1");
  EXPECT_EQ(four.status, 2) << four.output;
  EXPECT_NE(four.output.find("receiver neural: its model takes at most 2 layer(s)"),
            std::string::npos)
      << four.output;
  const auto bench4 = run_airan("bench pusch --receiver neural --model " + two_layer_model +
                                " --prb 8 --rx 4 --layers 4 --slots 1 --threads 1");
  EXPECT_EQ(bench4.status, 2) << bench4.output;
  EXPECT_NE(bench4.output.find("at most 2 layer(s)"), std::string::npos) << bench4.output;
}

TEST(ReceiverBackendCli, MissingOrWrongModelIsAnErrorNamingIt) {
  const std::string file = make_vector("badmodel");
  const auto missing = run_airan("replay " + file + " --receiver neural --model /nonexistent.onnx");
  EXPECT_EQ(missing.status, 2) << missing.output;
  EXPECT_NE(missing.output.find("/nonexistent.onnx"), std::string::npos) << missing.output;
  // A valid ONNX file that is not a neural receiver: a config YAML is not protobuf at all.
  const auto wrong = run_airan("replay " + file + " --receiver neural --model " + two_ue_config);
  EXPECT_EQ(wrong.status, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("pusch_20mhz_1layer_16qam.yaml"), std::string::npos) << wrong.output;
}

TEST(ReceiverBackendCli, NeuralReceiverRunsOnTheSelectedBackend) {
  const std::string file = make_vector("neuralcuda");
  const auto cuda =
      run_airan("replay " + file + " --receiver neural --backend cuda --model " + trained_model);
  if (!have_device()) {
    EXPECT_EQ(cuda.status, 2) << cuda.output;
    const bool named = cuda.output.find("no CUDA device") != std::string::npos ||
                       cuda.output.find("built without CUDA") != std::string::npos;
    EXPECT_TRUE(named) << cuda.output;
    return;
  }
  EXPECT_EQ(cuda.status, 0) << cuda.output;
  EXPECT_NE(cuda.output.find("receiver neural (cuda device 0, model"), std::string::npos)
      << cuda.output;
  EXPECT_NE(last_line(cuda.output).find(all_tbs_decoded), std::string::npos) << cuda.output;
}

TEST(ReceiverBackendCli, Tf32NeuralMathIsForTheCudaBackend) {
  const std::string file = make_vector("neuraltf32");
  const std::string neural = "replay " + file + " --receiver neural --model " + trained_model;
  const auto on_cpu = run_airan(neural + " --backend cpu --neural-math tf32");
  EXPECT_EQ(on_cpu.status, 2) << on_cpu.output;
  EXPECT_NE(on_cpu.output.find("--neural-math tf32 runs on the CUDA backend only"),
            std::string::npos)
      << on_cpu.output;
  const auto unknown = run_airan(neural + " --neural-math fp16");
  EXPECT_NE(unknown.status, 0) << unknown.output;
  EXPECT_NE(unknown.output.find("--neural-math"), std::string::npos) << unknown.output;
  const auto automatic = run_airan(neural + " --backend auto --neural-math tf32");
  EXPECT_EQ(automatic.status, 0) << automatic.output;
  EXPECT_NE(last_line(automatic.output).find(all_tbs_decoded), std::string::npos)
      << automatic.output;
  EXPECT_NE(automatic.output.find(have_device() ? "(cuda device 0, tf32, model"
                                                : "(cpu (fp32: tf32 applies to CUDA), model"),
            std::string::npos)
      << automatic.output;
}

TEST(ReceiverBackendCli, GemmEpiloguesAreForTheCudaBackend) {
  const std::string file = make_vector("neuralepilogue");
  const std::string neural = "replay " + file + " --receiver neural --model " + trained_model;
  const auto on_cpu = run_airan(neural + " --backend cpu --neural-gemm-epilogue");
  EXPECT_EQ(on_cpu.status, 2) << on_cpu.output;
  EXPECT_NE(on_cpu.output.find("--neural-gemm-epilogue runs on the CUDA backend only"),
            std::string::npos)
      << on_cpu.output;
  const auto automatic = run_airan(neural + " --backend auto --neural-gemm-epilogue");
  EXPECT_EQ(automatic.status, 0) << automatic.output;
  EXPECT_NE(last_line(automatic.output).find(all_tbs_decoded), std::string::npos)
      << automatic.output;
  EXPECT_NE(automatic.output.find(have_device() ? "(cuda device 0, cuBLASLt epilogues, model"
                                                : "(cuBLASLt epilogues apply to CUDA), model"),
            std::string::npos)
      << automatic.output;
}

TEST(ReceiverBackendCli, TheL1RunsTheReceiverItIsGiven) {
  const std::string pattern =
      (airan::test::repo_root() / "configs" / "patterns" / "four_ue_harq.yaml").string();
  const auto neural = run_airan("testmac --pattern " + pattern + " --slots " +
                                std::to_string(12 / airan::test::sweep_stride(3)) +
                                " --quiet --receiver neural --model " + trained_model);
  EXPECT_EQ(neural.status, 0) << neural.output;
  EXPECT_NE(neural.output.find("L1 receiver neural (cpu, model"), std::string::npos)
      << neural.output;
  const auto genie =
      run_airan("testmac --pattern " + pattern + " --slots 2 --receiver perfect-csi");
  EXPECT_EQ(genie.status, 2) << genie.output;
  EXPECT_NE(genie.output.find("true channel"), std::string::npos) << genie.output;
  const auto unknown = run_airan("testmac --pattern " + pattern + " --slots 2 --receiver magic");
  EXPECT_NE(unknown.status, 0) << unknown.output;
  EXPECT_NE(unknown.output.find("unknown receiver 'magic'"), std::string::npos) << unknown.output;
}

// The L1 keeps a receiver per layer count on one carrier, all made by one detector factory: on
// either backend, 1- and 2-layer PDUs in the same slots decode (with HARQ recovering the first
// transmissions the fading loses). The CUDA detectors check each PDU against the ports of the
// receiver that runs it, not of the cell their factory was given (1 port: every 2-layer PDU
// failed).
TEST(ReceiverBackendCli, TheL1DecodesMixedLayerCountsOnEitherBackend) {
  const std::string pattern =
      (airan::test::repo_root() / "configs" / "patterns" / "mixed_layers.yaml").string();
  for (const std::string backend : {"cpu", "cuda"}) {
    std::string command = "testmac --pattern " + pattern;
    command += " --quiet --backend ";
    command += backend;
    const auto run = run_airan(command);
    if (backend == "cuda" && !have_device()) {
      EXPECT_EQ(run.status, 2) << run.output;
      const bool named = run.output.find("no CUDA device") != std::string::npos ||
                         run.output.find("built without CUDA") != std::string::npos;
      EXPECT_TRUE(named) << run.output;
      continue;
    }
    EXPECT_EQ(run.status, 0) << backend << ": " << run.output;
    EXPECT_NE(run.output.find("CRC ok 140, CRC failed 20, first transmissions failed 20, "
                              "recovered by HARQ 20"),
              std::string::npos)
        << backend << ": " << run.output;
    EXPECT_NE(run.output.find("TBs delivered 140, lost 0, unfinished 0, ERROR.indications 0"),
              std::string::npos)
        << backend << ": " << run.output;
    EXPECT_EQ(last_line(run.output), "PASS: 0 mismatch(es)") << backend;
  }
}

} // namespace
