// DMRS channel estimator on every MATLAB reference grid: the identity (or codebook) channel
// recovered exactly, with noise-free measurements (the synthetic channels are in
// dmrs_channel_estimator_test.cpp).
#include "airan/apps/pusch_case.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/pusch_precoder.h"

#include "../support/matlab_pusch_cases.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace airan::phy {
namespace {

// --- MATLAB reference cases (layout: ../shared/conformance/README.md) ---------------------------

struct MatlabCase {
  std::string name;
  CellConfig cell;
  PuschConfig pusch;
  unsigned slot = 0;
  ResourceGrid grid; ///< [antenna port = receive antenna][symbol][subcarrier]
};

MatlabCase load_matlab_case(const fs::path& dir) {
  const auto reference = airan::apps::load_pusch_case(dir);
  MatlabCase c;
  c.name = dir.filename().string();
  c.cell = reference.cell;
  c.pusch = reference.pusch;
  c.slot = reference.slot;
  c.grid = airan::apps::load_pusch_case_grid(dir, c.cell.num_prbs);
  return c;
}

// Effective channel of the reference grids, one receive antenna per port: H = W.
PrecodingMatrix reference_channel(const CellConfig& cell, const PuschConfig& pusch) {
  return pusch.precoding == PuschPrecoding::codebook
             ? pusch_codebook_matrix(pusch.num_layers, cell.num_antenna_ports, pusch.tpmi)
             : PrecodingMatrix::identity(pusch.num_layers);
}

TEST(DmrsChannelEstimator, MatlabGridsGiveTheIdentityOrCodebookChannel) {
  const auto dirs = airan::test::matlab_pusch_case_dirs();
  ASSERT_FALSE(dirs.empty())
      << "no MATLAB PUSCH grids: the committed ones come with the repository";
  auto estimator = create_dmrs_channel_estimator({4, 4, 275});
  ChannelEstimate estimate = make_channel_estimate({4, 4, 275});
  DmrsChannelEstimatorOptions linear;
  linear.frequency_interpolation = FrequencyInterpolation::linear;
  DmrsChannelEstimatorOptions mmse;
  mmse.time_interpolation = TimeInterpolation::average;
  mmse.estimate_covariance = true;
  std::cout << "checking " << dirs.size() << " MATLAB grids\n";
  for (const fs::path& dir : dirs) {
    const MatlabCase c = load_matlab_case(dir);
    const PrecodingMatrix w = reference_channel(c.cell, c.pusch);
    for (const auto* options : {&linear, &mmse}) {
      estimator->estimate(estimate, c.grid, c.cell, c.pusch, c.slot, *options);
      float worst = 0.0F;
      for (unsigned rx = 0; rx < estimate.num_rx_antennas(); ++rx) {
        for (unsigned layer = 0; layer < estimate.num_layers(); ++layer) {
          for (unsigned l = c.pusch.start_symbol; l < c.pusch.start_symbol + c.pusch.num_symbols;
               ++l) {
            for (cf32 h : estimate.channel(rx, layer, l)) {
              const float error = std::abs(h - w(rx, layer));
              worst = std::isnan(error) || error > worst ? error : worst; // NaN is not skipped
            }
          }
        }
      }
      const auto& m = estimate.measurements;
      const bool is_mmse = options == &mmse;
      EXPECT_LT(worst, 1e-4F) << c.name << (is_mmse ? " MMSE" : " linear");
      EXPECT_LT(m.noise_variance, 1e-8F) << c.name;
      EXPECT_LT(std::abs(m.delay_s), 1e-10F) << c.name;
      ASSERT_TRUE(m.cfo_hz.has_value()) << c.name; // every case has at least two DMRS occasions
      EXPECT_LT(std::abs(*m.cfo_hz), 1e-3F) << c.name;
      EXPECT_GT(m.sinr_db, 60.0F) << c.name;
      if (is_mmse) {
        // Noise-free: only the small diagonal floor is left in the covariance.
        for (cf32 v : estimate.covariance(0)) {
          EXPECT_LT(std::abs(v), 1e-6F) << c.name;
        }
      }
    }
  }
}

} // namespace
} // namespace airan::phy
