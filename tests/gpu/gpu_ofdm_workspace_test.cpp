// GpuOfdmWorkspace: several front ends' OFDM demodulation through one cuFFT
// (GpuPuschFrontEnd::enqueue_prepared_demodulation() with a workspace) gives each front end the
// grid its own demodulate() gives, within cuFFT's rounding (1e-5 of the grid's RMS: a plan over
// more transforms may run other kernels); front ends of another FFT size, those beyond the
// workspace's room and those of a window count no plan may be made for take their own plans;
// runs beyond 32 front ends each get one cuFFT. A GpuCellGroup of three cells of one FFT size
// decodes with the joint FFT what it decodes without; inside one graph per slot a slot with a
// failed cell (fewer windows, no plan for them in a capture) takes the cells' own plans, and the
// next such slot the plan made after that capture; a group of 34 cells has a plan for each run
// of cells (32 and 2). Without a device the constructor throws. Otherwise skipped without a CUDA
// device.
#include "gpu_cell_group_test_support.h"
#include "gpu_ofdm_test_support.h"

#include "airan/gpu/gpu_ofdm_workspace.h"
#include "airan/gpu/gpu_pusch_front_end.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace cell_group_test;
using namespace ofdm_test;

TEST(GpuOfdmWorkspace, WithoutADeviceTheConstructorThrows) {
  std::string status;
  if (have_device(status)) {
    GTEST_SKIP() << "a device is present";
  }
  EXPECT_THROW(GpuOfdmWorkspace(1024, 56), std::runtime_error);
}

TEST(GpuOfdmWorkspace, FrontEndsThroughOneCuFftMatchTheirOwnDemodulation) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  Cells cells;
  const CellConfig wide = make_cell(51);   // FFT 1024
  const CellConfig narrow = make_cell(24); // FFT 512: its own plan
  ASSERT_NE(fft_size_of(wide), fft_size_of(narrow));
  for (const unsigned rx : {4U, 4U, 2U}) {
    cells.add(wide, rx);
  }
  cells.add(narrow, 4);
  cells.add(wide, 4);
  GpuOfdmWorkspace workspace(fft_size_of(wide), (4 + 4 + 2 + 4) * symbols);
  EXPECT_EQ(workspace.fft_size(), 1024U);
  cells.demodulate_and_compare(&workspace);
  EXPECT_EQ(workspace.joint_transforms(), 1U);
  EXPECT_EQ(workspace.own_transforms(), 1U);
  EXPECT_TRUE(workspace.prepared(14 * symbols)) << "the plan for the windows it held";
  EXPECT_GT(cells.front_ends.front()->stage_times().ofdm_ms, 0.0F);
  // Room for the first two only: the third and the fifth take their own plans too.
  GpuOfdmWorkspace small(fft_size_of(wide), 8 * symbols);
  cells.demodulate_and_compare(&small);
  EXPECT_EQ(small.joint_transforms(), 1U);
  EXPECT_EQ(small.own_transforms(), 3U);
  // Without a workspace, as before.
  cells.demodulate_and_compare(nullptr);
}

TEST(GpuOfdmWorkspace, EachRunOfThirtyTwoFrontEndsGetsOneCuFft) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  Cells cells;
  for (unsigned c = 0; c < 37; ++c) {
    cells.add(make_cell(24), 2);
  }
  GpuOfdmWorkspace workspace(512, symbols * 2 * 32);
  ASSERT_TRUE(workspace.prepare(symbols * 2 * 32));
  cells.demodulate_and_compare(&workspace);
  EXPECT_EQ(workspace.joint_transforms(), 2U);
  EXPECT_EQ(workspace.own_transforms(), 0U);
  EXPECT_TRUE(workspace.prepared(symbols * 2 * 5)) << "made for the second run";
}

TEST(GpuOfdmWorkspace, PlansAreLimitedAndFrontEndsThenUseTheirOwn) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  EXPECT_THROW(GpuOfdmWorkspace(0, 10), std::invalid_argument);
  EXPECT_THROW(GpuOfdmWorkspace(512, 0), std::invalid_argument);
  GpuOfdmWorkspace workspace(512, 100);
  EXPECT_FALSE(workspace.prepare(0));
  EXPECT_FALSE(workspace.prepare(101));
  for (std::size_t windows = 1; windows <= GpuOfdmWorkspace::max_plans; ++windows) {
    EXPECT_TRUE(workspace.prepare(windows));
    EXPECT_TRUE(workspace.prepare(windows)) << "made once, found again";
  }
  EXPECT_FALSE(workspace.prepare(GpuOfdmWorkspace::max_plans + 1));
  EXPECT_FALSE(workspace.prepared(GpuOfdmWorkspace::max_plans + 1));
  Cells cells;
  cells.add(make_cell(24), 2); // 28 windows: no plan can be made for them
  cells.demodulate_and_compare(&workspace);
  EXPECT_EQ(workspace.joint_transforms(), 0U);
  EXPECT_EQ(workspace.own_transforms(), 1U);
}

/// Three 52-PRB cells (one FFT size) with the PDUs of make_cells()' first cell.
std::vector<CellSetup> same_size_cells() {
  std::vector<CellSetup> cells(3, make_cells(10.0F)[0]);
  for (unsigned c = 0; c < 3; ++c) {
    cells[c].config.cell.n_cell_id = 20 + c;
  }
  return cells;
}

TEST(GpuOfdmWorkspace, ACellGroupDecodesWithTheJointFftAsWithout) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const std::vector<CellSetup> cells = same_size_cells();
  std::vector<GpuCellConfig> configs;
  configs.reserve(cells.size());
  for (const auto& cell : cells) {
    configs.push_back(cell.config);
  }
  airan::gpu::GpuCellGroupOptions options;
  options.one_graph_per_slot = true;
  options.batched_front_end = true;
  options.batched_decoding = true;
  airan::gpu::GpuCellGroup joint(configs, 0, options);
  options.joint_fft = false;
  airan::gpu::GpuCellGroup own(configs, 0, options);
  std::mt19937_64 rng(5);
  for (unsigned slot = 0; slot < 6; ++slot) {
    SCOPED_TRACE("slot " + std::to_string(slot));
    std::vector<std::vector<PuschConfig>> pdus(3);
    std::vector<std::vector<cf32>> iq(3);
    std::vector<airan::gpu::GpuCellSlot> inputs(3);
    for (std::size_t c = 0; c < 3; ++c) {
      pdus[c] = cells[c].pdus;
      const std::vector<BitVector> tbs = random_tbs(cells[c].config.cell, pdus[c], rng);
      iq[c] = make_slot_iq(cells[c], pdus[c], tbs, slot, 70 + 3 * slot + c);
      inputs[c] = {nullptr, iq[c], slot, pdus[c]};
    }
    // Slots 3 and 5: cell 1's IQ one sample short (its slot fails before the OFDM): 2 cells'
    // windows.
    const bool short_iq = slot == 3 || slot == 5;
    if (short_iq) {
      inputs[1].host_iq = std::span(iq[1]).first(iq[1].size() - 1);
    }
    const auto before = joint.launches();
    std::vector<std::vector<PuschPduResult>> with_joint;
    std::vector<std::vector<PuschPduResult>> with_own;
    joint.process(inputs, with_joint);
    own.process(inputs, with_own);
    const auto after = joint.launches();
    for (std::size_t c = 0; c < 3; ++c) {
      ASSERT_EQ(with_joint[c].size(), pdus[c].size());
      ASSERT_EQ(with_own[c].size(), pdus[c].size());
      for (std::size_t p = 0; p < pdus[c].size(); ++p) {
        SCOPED_TRACE("cell " + std::to_string(c) + ", PDU " + std::to_string(p));
        const PuschPduResult& got = with_joint[c][p];
        const PuschPduResult& expected = with_own[c][p];
        EXPECT_EQ(got.error, expected.error);
        EXPECT_EQ(got.tb_crc_ok, !(short_iq && c == 1)) << got.error;
        EXPECT_EQ(got.tb_crc_ok, expected.tb_crc_ok);
        EXPECT_EQ(got.tb_bytes, expected.tb_bytes);
        EXPECT_NEAR(got.measurements.noise_variance, expected.measurements.noise_variance,
                    1e-4 * expected.measurements.noise_variance);
      }
    }
    const auto joint_ffts = after.joint_ffts - before.joint_ffts;
    const auto own_ffts = after.own_ffts - before.own_ffts;
    if (slot == 3 && after.one_graph > before.one_graph) {
      // Captured: no plan for the 2 cells' windows (the constructor planned 3 cells'); the
      // group makes it after the capture, for slot 5.
      EXPECT_EQ(joint_ffts, 0U);
      EXPECT_EQ(own_ffts, 2U);
    } else {
      EXPECT_EQ(joint_ffts, 1U); // outside a capture the plan for 2 cells is made then
      EXPECT_EQ(own_ffts, 0U);
    }
  }
  EXPECT_EQ(own.launches().joint_ffts, 0U);
  EXPECT_EQ(own.launches().own_ffts, 0U) << "no workspace without joint_fft";
}

TEST(GpuOfdmWorkspace, AGroupOfMoreThanThirtyTwoCellsHasAPlanForEachRun) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  // 34 cells of 24 PRB: runs of 32 and 2 cells, each one cuFFT inside the slot's graph.
  constexpr unsigned num_cells = 34;
  const CellSetup setup = make_cells(10.0F)[2];
  std::vector<GpuCellConfig> configs(num_cells, setup.config);
  for (unsigned c = 0; c < num_cells; ++c) {
    configs[c].max_pdus = 1;
  }
  airan::gpu::GpuCellGroupOptions options;
  options.one_graph_per_slot = true;
  options.batched_front_end = true;
  options.batched_decoding = true;
  airan::gpu::GpuCellGroup group(configs, 0, options);
  PuschTransmitter transmitter(setup.config.cell);
  std::vector<std::vector<PuschConfig>> pdus(num_cells, setup.pdus);
  std::vector<std::vector<cf32>> iq(num_cells);
  std::vector<airan::gpu::GpuCellSlot> inputs(num_cells);
  for (unsigned c = 0; c < num_cells; ++c) {
    const std::vector<BitVector> tbs(
        1, BitVector(transmitter.transport_block_size(pdus[c][0]), static_cast<bit_t>(c & 1U)));
    iq[c] = make_slot_iq(setup, pdus[c], tbs, 2, 200 + c);
    inputs[c] = {nullptr, iq[c], 2, pdus[c]};
  }
  std::vector<std::vector<PuschPduResult>> results;
  group.process(inputs, results);
  for (unsigned c = 0; c < num_cells; ++c) {
    ASSERT_EQ(results[c].size(), 1U);
    EXPECT_TRUE(results[c][0].tb_crc_ok) << "cell " << c << ": " << results[c][0].error;
  }
  EXPECT_EQ(group.launches().joint_ffts, 2U);
  EXPECT_EQ(group.launches().own_ffts, 0U);
}

} // namespace
