// Runs the `airan` binary the way a user does and checks its output, files and exit status.
#include "../support/run_airan.h"
#include "airan/io/npy.h"

#include "airan/gpu/device_query.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using airan::test::last_line;
using airan::test::run_airan;
using airan::test::scratch_dir;
const fs::path repo_root = airan::test::repo_root();

TEST(AiranCli, InfoReportsCpuAndCuda) {
  const auto result = run_airan("info");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("cpu:"), std::string::npos);
  EXPECT_NE(result.output.find("cuda backend:"), std::string::npos);
}

TEST(AiranCli, ConformancePuschTxOnCommittedVectorsPasses) {
  const auto result =
      run_airan("conformance pusch-tx " + (fs::path(AIRAN_TESTVECTOR_DIR) / "pusch").string());
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(last_line(result.output), "22 passed, 0 failed");
}

TEST(AiranCli, ConformanceReportsABrokenCaseAndFails) {
  const auto dir = scratch_dir("broken");
  const auto source = fs::path(AIRAN_TESTVECTOR_DIR) / "pusch" / "case_000";
  fs::copy(source, dir / "case_000");
  fs::copy(source, dir / "case_001");
  std::ofstream(dir / "case_001" / "grid.npy", std::ios::trunc) << "garbage";
  const auto result = run_airan("conformance pusch-tx " + dir.string());
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("PASS case_000"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("FAIL case_001"), std::string::npos) << result.output;
  EXPECT_EQ(last_line(result.output), "1 passed, 1 failed");
  fs::remove_all(dir);
}

TEST(AiranCli, ConformanceOnMissingDirectoryIsAClearError) {
  const auto result = run_airan("conformance crc /nonexistent/dir");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("not a directory"), std::string::npos) << result.output;
}

TEST(AiranCli, TxWritesGridIqAndTransportBlocks) {
  const auto dir = scratch_dir("tx");
  const auto config = repo_root / "configs" / "pusch_20mhz_1layer_16qam.yaml";
  const auto result = run_airan("tx --config " + config.string() + " -o " + dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  std::vector<std::size_t> shape;
  const auto grid = airan::io::read_npy_c64(dir / "grid.npy", &shape);
  EXPECT_EQ(shape, (std::vector<std::size_t>{1, 14, std::size_t{106} * 12}));
  const auto iq = airan::io::read_npy_c64(dir / "iq.npy", &shape);
  // 1 ms at 23.04 MHz (the config's fft_size 1536 at 15 kHz), not 30.72 MHz (2048 points).
  EXPECT_EQ(shape, (std::vector<std::size_t>{1, 23040}));
  EXPECT_NE(result.output.find("23.04 MHz (FFT 1536)"), std::string::npos) << result.output;
  const auto tb0 = airan::io::read_npy_bits(dir / "tb_bits_0.npy");
  const auto tb1 = airan::io::read_npy_bits(dir / "tb_bits_1.npy");
  EXPECT_GT(tb0.size(), tb1.size()); // 60 PRB 16-QAM carries more than 46 PRB QPSK
  // Every subcarrier of the 106 PRBs is allocated on the data symbols: none may be zero.
  for (std::size_t k = 0; k < std::size_t{106} * 12; ++k) {
    ASSERT_NE(std::abs(grid[std::size_t{5} * 106 * 12 + k]), 0.0F) << "subcarrier " << k;
  }
  fs::remove_all(dir);
}

TEST(AiranCli, TxWritesTheUciPayloadsBesideTheTransportBlock) {
  const auto dir = scratch_dir("tx_uci");
  std::ofstream(dir / "uci.yaml")
      << "cell: {num_prbs: 24}\npusch:\n  - {bwp_size: 24, prb_size: 24, mcs_index: 9, uci: "
         "{harq_ack_bits: 2, "
         "csi_part1_bits: 7, beta_offset_harq_ack: 9, beta_offset_csi1: 6}}\n";
  const auto result =
      run_airan("tx --config " + (dir / "uci.yaml").string() + " -o " + (dir / "out").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(airan::io::read_npy_bits(dir / "out" / "harq_ack_bits.npy").size(), 2U);
  EXPECT_EQ(airan::io::read_npy_bits(dir / "out" / "csi_part1_bits.npy").size(), 7U);
  EXPECT_FALSE(fs::exists(dir / "out" / "csi_part2_bits.npy"));
  // 12 bits and more are polar coded.
  std::ofstream(dir / "polar.yaml") << "cell: {num_prbs: 24}\npusch:\n  - {bwp_size: 24, prb_size: "
                                       "24, uci: {harq_ack_bits: 12, csi_part1_bits: 40}}\n";
  const auto polar =
      run_airan("tx --config " + (dir / "polar.yaml").string() + " -o " + (dir / "out2").string());
  ASSERT_EQ(polar.status, 0) << polar.output;
  EXPECT_EQ(airan::io::read_npy_bits(dir / "out2" / "csi_part1_bits.npy").size(), 40U);
  // More than 1706 bits: refused with the reason.
  std::ofstream(dir / "long.yaml") << "cell: {num_prbs: 24}\npusch:\n  - {bwp_size: 24, prb_size: "
                                      "24, uci: {harq_ack_bits: 1707}}\n";
  const auto refused =
      run_airan("tx --config " + (dir / "long.yaml").string() + " -o " + (dir / "out3").string());
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("1706"), std::string::npos) << refused.output;
  fs::remove_all(dir);
}

TEST(AiranCli, TxIsDeterministicForASeed) {
  const auto a = scratch_dir("seed_a");
  const auto b = scratch_dir("seed_b");
  const auto config = (repo_root / "configs" / "pusch_20mhz_1layer_16qam.yaml").string();
  ASSERT_EQ(run_airan("tx --seed 7 --config " + config + " -o " + a.string()).status, 0);
  ASSERT_EQ(run_airan("tx --seed 7 --config " + config + " -o " + b.string()).status, 0);
  EXPECT_EQ(airan::io::read_npy_c64(a / "iq.npy"), airan::io::read_npy_c64(b / "iq.npy"));
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(AiranCli, TxWithInvalidConfigFailsWithTheReason) {
  const auto dir = scratch_dir("badcfg");
  std::ofstream(dir / "bad.yaml") << "cell: {num_prbs: 52}\npusch:\n  - {mcs_index: 99}\n";
  const auto result =
      run_airan("tx --config " + (dir / "bad.yaml").string() + " -o " + (dir / "out").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("pusch[0].mcs_index"), std::string::npos) << result.output;
  fs::remove_all(dir);
}

TEST(AiranCli, BenchLdpcEndsWithItsFigure) {
  const auto result = run_airan("bench ldpc --blocks 3");
  ASSERT_EQ(result.status, 0) << result.output;
  const auto line = last_line(result.output);
  EXPECT_EQ(line.rfind("ldpc decoding BG1 Z=384 R=0.9 6 it (", 0), 0U) << line;
  EXPECT_EQ(line.substr(line.size() - 7), " Mbit/s") << line;
  EXPECT_NE(result.output.find("scalar"), std::string::npos);
}

TEST(AiranCli, BenchPuschReportsEveryStageAndEndsWithTheSlotTime) {
  const auto result = run_airan(
      "bench pusch --prb 24 --rx 2 --layers 2 --mcs 20 --mcs-table 2 --slots 2 --threads 1,2");
  ASSERT_EQ(result.status, 0) << result.output;
  for (const char* stage : {"channel estimation", "equalization", "soft demapping", "descrambling",
                            "UL-SCH decoding"}) {
    EXPECT_NE(result.output.find(stage), std::string::npos) << stage;
  }
  const auto line = last_line(result.output);
  EXPECT_EQ(line.rfind("pusch slot receive time (2 threads): ", 0), 0U) << line;
  EXPECT_EQ(line.substr(line.size() - 3), " us") << line;
  EXPECT_EQ(run_airan("bench pusch --prb 24 --rx 1 --layers 2 --slots 1").status, 2)
      << "fewer receive antennas than UE ports is a clear error";
  // DFT-s-OFDM: the slot decodes, and the equalization row includes the IDFT.
  const auto dfts = run_airan("bench pusch --prb 25 --rx 2 --layers 1 --mcs 10 --mcs-table 1 "
                              "--slots 2 --threads 1 --transform-precoding");
  ASSERT_EQ(dfts.status, 0) << dfts.output;
  EXPECT_NE(dfts.output.find("DFT-s-OFDM, MCS 10 table 4"), std::string::npos) << dfts.output;
  EXPECT_NE(dfts.output.find("equalization + IDFT"), std::string::npos) << dfts.output;
  const auto seven = run_airan("bench pusch --prb 7 --rx 2 --layers 1 --slots 1 "
                               "--transform-precoding");
  EXPECT_EQ(seven.status, 2) << seven.output;
  EXPECT_NE(seven.output.find("2^a 3^b 5^c"), std::string::npos) << seven.output;
}

// `bench cells`: the CPU receivers of 1 and 2 cells decode every slot and the last line says how
// many cells fit in a 500 us slot; cuda without a device is a clear error.
TEST(AiranCli, BenchCellsReportsCellsPerSlot) {
  const auto result = run_airan("bench cells --prb 24 --rx 2 --layers 2 --mcs 20 --mcs-table 2 "
                                "--cells 1,2 --slots 2");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("2/2"), std::string::npos) << result.output;
  const auto line = last_line(result.output);
  EXPECT_EQ(line.rfind("cells per 500 us slot (2 cells, cpu): ", 0), 0U) << line;
  const double cells = std::stod(line.substr(line.rfind(' ') + 1));
  EXPECT_GT(cells, 0.0) << line;
  if (!airan::gpu::query_devices().devices.empty()) {
    EXPECT_EQ(run_airan("bench cells --prb 24 --rx 2 --cells 2 --backend cuda").status, 0);
    const auto batched = run_airan("bench cells --prb 24 --rx 2 --cells 3 --backend cuda "
                                   "--batched-decoding --no-stage-timing");
    EXPECT_EQ(batched.status, 0) << batched.output;
    EXPECT_NE(batched.output.find("one launch set, stages not timed"), std::string::npos)
        << batched.output;
    const auto fused = run_airan("bench cells --prb 24 --rx 2 --cells 3 --backend cuda "
                                 "--batched-front-end --batched-decoding --fused-ofdm");
    EXPECT_EQ(fused.status, 0) << fused.output;
    EXPECT_NE(fused.output.find("3/3"), std::string::npos) << fused.output;
    EXPECT_NE(fused.output.find("the fused kernel"), std::string::npos) << fused.output;
  } else {
    const auto cuda = run_airan("bench cells --prb 24 --rx 2 --cells 1 --backend cuda");
    EXPECT_EQ(cuda.status, 2) << cuda.output;
    EXPECT_NE(cuda.output.find("CUDA"), std::string::npos) << cuda.output;
  }
}

} // namespace
