// Post-equalization quality math shared by the CPU and CUDA front ends: the hard decision on a
// QAM axis is the nearest constellation level (against a search over all levels, 1024-QAM
// included); the SINR and EVM summaries; and the CPU front end's measurements equal that math
// applied to its own equalized symbols and noise variances.
#include "airan/phy/equalization_quality.h"
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

TEST(EqualizationQuality, AxisDecisionIsTheNearestLevel) {
  std::mt19937 rng(3);
  for (const unsigned qm : {2U, 4U, 6U, 8U, 10U}) {
    const int levels = 1 << (qm / 2);
    const float scale = qam_scale(qm);
    std::uniform_real_distribution<float> value(-scale * (levels + 2.0F), scale * (levels + 2.0F));
    for (int i = 0; i < 20000; ++i) {
      const float v = value(rng);
      const float decided = qam_axis_decision(v, levels, scale, 0.5F / scale, 0.5F * levels);
      float nearest = 0.0F;
      float best = std::numeric_limits<float>::infinity();
      for (int k = 0; k < levels; ++k) {
        const float point = scale * static_cast<float>(2 * k - levels + 1);
        if (std::abs(v - point) < best) {
          best = std::abs(v - point);
          nearest = point;
        }
      }
      ASSERT_NEAR(std::abs(v - decided), best, 1e-6F * scale) << "Q_m " << qm << " value " << v;
      if (std::abs(std::abs(v - decided) - best) > 0.0F) {
        ASSERT_EQ(decided, nearest);
      }
    }
  }
}

// Values far outside the constellation (beyond an int's range after scaling, infinite) are
// decided to the outermost level on their side.
TEST(EqualizationQuality, HugeValuesAreDecidedToTheOutermostLevel) {
  for (const unsigned qm : {2U, 4U, 6U, 8U, 10U}) {
    const int levels = 1 << (qm / 2);
    const float scale = qam_scale(qm);
    const float outer = scale * static_cast<float>(levels - 1);
    for (const float v : {1e10F, 1e30F, std::numeric_limits<float>::infinity()}) {
      EXPECT_EQ(qam_axis_decision(v, levels, scale, 0.5F / scale, 0.5F * levels), outer) << v;
      EXPECT_EQ(qam_axis_decision(-v, levels, scale, 0.5F / scale, 0.5F * levels), -outer) << v;
    }
  }
}

TEST(EqualizationQuality, SinrAndEvmSummaries) {
  EXPECT_FLOAT_EQ(post_equalization_sinr_db(0.1 * 50, 50), 10.0F);
  EXPECT_TRUE(std::isnan(post_equalization_sinr_db(0.0, 0))) << "nothing resolved: no SINR";
  EXPECT_FLOAT_EQ(post_equalization_sinr_db(1e-12, 1), 100.0F) << "capped";
  EXPECT_FLOAT_EQ(evm_of(1.0, 100.0), 0.1F);
  EXPECT_FLOAT_EQ(evm_of(1.0, 0.0), 0.0F);
}

TEST(EqualizationQuality, FrontEndMeasurementsFollowTheSharedMath) {
  CellConfig cell;
  cell.num_prbs = 24;
  cell.num_antenna_ports = 2;
  PuschConfig pusch;
  pusch.bwp_size = 24;
  pusch.prb_size = 24;
  pusch.num_layers = 2;
  pusch.dmrs_ports = 0x3;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 16;
  PuschTransmitter transmitter(cell);
  BitVector tb(transmitter.transport_block_size(pusch), 1);
  auto tx_grid = transmitter.make_grid();
  transmitter.transmit(tb, pusch, 0, tx_grid);
  ResourceGrid grid(4, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  std::mt19937_64 rng(5);
  FlatMimoChannel::random_unitary(4, 2, 7).apply(tx_grid, 0.02F, rng, grid);
  PuschFrontEnd front_end({4, 2, 24});
  std::vector<float> llrs(pusch_coded_bits(cell, pusch));
  front_end.process(grid, cell, pusch, 0, {}, llrs);
  const PuschMeasurements m = front_end.measurements(pusch);

  const unsigned qm = pusch.modulation_order();
  const int levels = 1 << (qm / 2);
  const float scale = qam_scale(qm);
  double error = 0.0;
  double reference = 0.0;
  for (const cf32 symbol : front_end.equalized_symbols()) {
    for (const float v : {symbol.real(), symbol.imag()}) {
      const float point = qam_axis_decision(v, levels, scale, 0.5F / scale, 0.5F * levels);
      error += (v - point) * (v - point);
      reference += point * point;
    }
  }
  double noise_sum = 0.0;
  std::size_t count = 0;
  for (const float variance : front_end.equalized_noise_variances()) {
    noise_sum += variance;
    ++count;
  }
  EXPECT_NEAR(m.evm, evm_of(error, reference), 1e-5);
  EXPECT_NEAR(m.post_eq_sinr_db, post_equalization_sinr_db(noise_sum, count), 1e-4);
  EXPECT_GT(m.post_eq_sinr_db, 10.0F);
  EXPECT_LT(m.evm, 0.3F);
}

} // namespace
