// The fused OFDM demodulation kernel (GpuPuschFrontEnd::set_fused_ofdm(),
// GpuCellGroupOptions::fused_ofdm): for every FFT size it takes, a front end's demodulate() and
// a launch set of front ends give the grids that CP removal, cuFFT and extraction give, within
// float rounding (1e-5 of the grid's RMS); a launch set may mix fused front ends with cuFFT ones
// in a workspace; a cell group with the fused kernel decodes, one
// graph per slot or stream by stream, what it decodes without; cells at FFT sizes it does not take
// (1536, 3072) keep cuFFT and match the CPU demodulator. The kernel's arithmetic runs on the host
// in ofdm_fused_emulation_test. Skipped without a CUDA device.
#include "gpu_cell_group_test_support.h"
#include "gpu_ofdm_test_support.h"

#if defined(AIRAN_HAVE_CUDA)
#include "airan/gpu/launch_profiler.h" // CUDA builds only
#endif

#include "airan/phy/ofdm_demodulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace cell_group_test;
using namespace ofdm_test;

TEST(GpuFusedOfdm, EveryFftSizeMatchesCuFft) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  Cells cells;
  // FFT 128, 256, 512, 1024, 2048, 4096 (numerology 1).
  for (const unsigned prbs : {6U, 15U, 24U, 51U, 106U, 273U}) {
    cells.add(make_cell(prbs), 2);
  }
  for (std::size_t c = 0; c < cells.front_ends.size(); ++c) {
    SCOPED_TRACE("FFT " + std::to_string(fft_size_of(cells.configs[c])));
    GpuPuschFrontEnd& front_end = *cells.front_ends[c];
    EXPECT_FALSE(front_end.fused_ofdm()) << "cuFFT by default";
    front_end.set_fused_ofdm(true);
    ASSERT_TRUE(front_end.fused_ofdm());
    front_end.demodulate_host(cells.iq[c], cells.rx[c], cells.slot);
    ResourceGrid fused(cells.rx[c], symbols, 12 * cells.configs[c].num_prbs);
    front_end.download_grid(fused);
    EXPECT_LE(relative_difference(fused, cells.reference_grid(c)), 1e-5);
    EXPECT_GT(front_end.stage_times().ofdm_ms, 0.0F);
  }
  cells.demodulate_and_compare(nullptr); // all six fused, one launch
}

// Cells at a radio's rate (CellConfig::fft_size 1536 and 3072: cuFFT's mixed radices): the fused
// kernel does not take them, and the device's grid is the CPU demodulator's.
TEST(GpuFusedOfdm, NonPowerOfTwoFftSizesKeepCuFftAndMatchTheCpu) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  Cells cells;
  for (const auto& [prbs, fft] : {std::pair{106U, 1536U}, std::pair{245U, 3072U}}) {
    CellConfig cell = make_cell(prbs);
    cell.fft_size = fft;
    cells.add(cell, 2);
  }
  for (std::size_t c = 0; c < cells.front_ends.size(); ++c) {
    SCOPED_TRACE("FFT " + std::to_string(fft_size_of(cells.configs[c])));
    GpuPuschFrontEnd& front_end = *cells.front_ends[c];
    front_end.set_fused_ofdm(true);
    EXPECT_FALSE(front_end.fused_ofdm()) << "no fused kernel at this size";
    front_end.demodulate_host(cells.iq[c], cells.rx[c], cells.slot);
    ResourceGrid device(cells.rx[c], symbols, 12 * cells.configs[c].num_prbs);
    front_end.download_grid(device);
    const auto numerology = carrier_numerology(cells.configs[c]);
    airan::phy::OfdmDemodulator demodulator(numerology, cells.configs[c].num_prbs);
    ResourceGrid host(cells.rx[c], symbols, 12 * cells.configs[c].num_prbs);
    const std::size_t length = numerology.slot_length(cells.slot);
    for (unsigned r = 0; r < cells.rx[c]; ++r) {
      demodulator.demodulate_slot(std::span(cells.iq[c]).subspan(r * length, length), cells.slot,
                                  host, r);
    }
    EXPECT_LE(relative_difference(device, host), 1e-4);
  }
}

TEST(GpuFusedOfdm, ALaunchSetMixesFusedAndCuFftFrontEnds) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  Cells cells;
  const CellConfig wide = make_cell(51);   // FFT 1024
  const CellConfig narrow = make_cell(24); // FFT 512
  cells.add(wide, 4);
  cells.add(narrow, 2);
  cells.add(wide, 4);
  cells.add(wide, 2);
  cells.front_ends[0]->set_fused_ofdm(true);
  cells.front_ends[1]->set_fused_ofdm(true);
  GpuOfdmWorkspace workspace(fft_size_of(wide), (4 + 4 + 2) * symbols);
  cells.demodulate_and_compare(&workspace);
  EXPECT_EQ(workspace.joint_transforms() + workspace.own_transforms(), 1U)
      << "one cuFFT for the two front ends that use it";
  // Switched after prepare_demodulation(): the prepared slot says which path it takes.
  cells.front_ends[2]->prepare_demodulation(
      cells.front_ends[2]->upload_iq(cells.iq[2], cells.rx[2], cells.slot), cells.rx[2],
      cells.slot);
  cells.front_ends[2]->set_fused_ofdm(true);
  GpuPuschFrontEnd* one[] = {cells.front_ends[2].get()};
  GpuPuschFrontEnd::enqueue_prepared_demodulation(one, nullptr, nullptr);
  ResourceGrid grid(cells.rx[2], symbols, 12 * wide.num_prbs);
  cells.front_ends[2]->download_grid(grid);
  EXPECT_LE(relative_difference(grid, cells.reference_grid(2)), 1e-5);
}

TEST(GpuFusedOfdm, ACellGroupDecodesWithTheFusedKernelAsWithCuFft) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const std::vector<CellSetup> cells = make_cells(10.0F);
  std::vector<GpuCellConfig> configs;
  configs.reserve(cells.size());
  for (const auto& cell : cells) {
    configs.push_back(cell.config);
  }
  for (const bool one_graph : {true, false}) {
    SCOPED_TRACE(one_graph ? "one graph per slot, batched" : "a stream per cell");
    airan::gpu::GpuCellGroupOptions options;
    options.one_graph_per_slot = one_graph;
    options.batched_front_end = one_graph;
    options.batched_decoding = one_graph;
    airan::gpu::GpuCellGroup cufft(configs, 0, options);
    options.fused_ofdm = true;
    airan::gpu::GpuCellGroup fused(configs, 0, options);
    std::mt19937_64 rng(9);
    for (unsigned slot = 0; slot < 3; ++slot) {
      std::vector<std::vector<PuschConfig>> pdus(cells.size());
      std::vector<std::vector<cf32>> iq(cells.size());
      std::vector<airan::gpu::GpuCellSlot> inputs(cells.size());
      for (std::size_t c = 0; c < cells.size(); ++c) {
        pdus[c] = cells[c].pdus;
        const std::vector<BitVector> tbs = random_tbs(cells[c].config.cell, pdus[c], rng);
        iq[c] = make_slot_iq(cells[c], pdus[c], tbs, slot, 40 + 3 * slot + c);
        inputs[c] = {nullptr, iq[c], slot, pdus[c]};
      }
      std::vector<std::vector<PuschPduResult>> with_fused;
      std::vector<std::vector<PuschPduResult>> with_cufft;
#if defined(AIRAN_HAVE_CUDA) // (the test skips without a device, so a CUDA build runs this)
      if (slot == 0) {       // the fused kernel ran, and no cuFFT
        airan::gpu::LaunchProfiler profiler;
        fused.process(inputs, with_fused);
        const auto launches = profiler.collect();
        const auto named = [&](const std::string& name) {
          return std::count_if(launches.begin(), launches.end(),
                               [&](const auto& launch) { return launch.name == name; });
        };
        EXPECT_GT(named("fused_ofdm_kernel"), 0);
        EXPECT_EQ(named("cuFFT"), 0);
      } else {
        fused.process(inputs, with_fused);
      }
#else
      fused.process(inputs, with_fused);
#endif
      cufft.process(inputs, with_cufft);
      for (std::size_t c = 0; c < cells.size(); ++c) {
        ASSERT_EQ(with_fused[c].size(), pdus[c].size());
        for (std::size_t p = 0; p < pdus[c].size(); ++p) {
          SCOPED_TRACE("slot " + std::to_string(slot) + ", cell " + std::to_string(c) + ", PDU " +
                       std::to_string(p));
          const PuschPduResult& got = with_fused[c][p];
          const PuschPduResult& expected = with_cufft[c][p];
          EXPECT_TRUE(got.tb_crc_ok) << got.error;
          EXPECT_EQ(got.tb_crc_ok, expected.tb_crc_ok);
          EXPECT_EQ(got.tb_bytes, expected.tb_bytes);
          EXPECT_NEAR(got.measurements.noise_variance, expected.measurements.noise_variance,
                      1e-4 * expected.measurements.noise_variance);
        }
      }
    }
  }
}

} // namespace
