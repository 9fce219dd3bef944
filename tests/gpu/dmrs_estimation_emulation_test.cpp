// The GPU DMRS estimator's kernels run on the host: the per-thread functions of
// dmrs_despread_elements.h and dmrs_interpolation_elements.h in the kernels' block and tile
// order (delay correlation, de-spreading with the noise sums in ranges of pilots, the
// measurements from the summed partials, interpolation), on simulated slots, against phy's DMRS
// channel estimator: the same measurements and channel estimate within the GPU front end's
// tolerances. So the kernels' indexing, tiles, halos and filter-bank selection are checked in CI
// without a GPU (CUDA builds: the structs hold CUDA vector types).
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "front_end_emulation_support.h"

#include <cmath>
#include <vector>

namespace {

using namespace emulation_test;

std::vector<EmulationCase> cases() {
  using F = FrequencyInterpolation;
  using T = TimeInterpolation;
  using D = apps::ChannelDomain;
  return {
      {"Prb51Rx4Layers2TdlA30Mmse"},
      {"Prb24Rx2Layer1LinearPos2", 24, 2, 1, DmrsConfigType::type1, 1, 2, "TDL-A30", D::time, 20.0F,
       F::linear, T::linear, false},
      {"Prb51Rx2Layers2Type2DoubleAverage", 51, 2, 2, DmrsConfigType::type2, 2, 1, "awgn",
       D::frequency, 15.0F, F::mmse, T::average, true},
      {"Prb106Rx8Layers4Pos3TdlC300", 106, 8, 4, DmrsConfigType::type1, 1, 3, "TDL-C300", D::time,
       28.0F, F::mmse, T::linear, true},
  };
}

TEST(DmrsEstimationEmulation, KernelsReproduceTheCpuEstimator) {
  for (const EmulationCase& c : cases()) {
    SCOPED_TRACE(c.name);
    const EmulatedPdu pdu(c);
    const PduGeometry& g = pdu.g;
    const ResourceGrid& grid = pdu.grid();
    const auto* device_grid = pdu.device_grid();
    const auto* device_banks = pdu.device_banks();
    const std::vector<float2>& dmrs = pdu.dmrs;
    const unsigned blocks = despread_noise_blocks(g);
    const Emulated e = emulate(g, device_grid, dmrs.data(), device_banks, blocks);

    const auto estimator = create_dmrs_channel_estimator({c.rx, 4, c.prbs});
    ChannelEstimate reference(c.rx, 4, c.prbs);
    estimator->estimate(reference, grid, pdu.scenario.cell, pdu.pusch, pdu.slot,
                        pdu.options.estimator);
    const DmrsMeasurements& m = reference.measurements;
    EXPECT_NEAR(e.state.noise_variance, m.noise_variance, 1e-4 * m.noise_variance);
    EXPECT_NEAR(e.state.rsrp, m.rsrp, 1e-4 * m.rsrp);
    EXPECT_NEAR(e.state.sinr_db, m.sinr_db, 1e-3);
    EXPECT_NEAR(e.state.delay_spread_s, m.delay_spread_s, 1e-3 * m.delay_spread_s + 1e-12);
    EXPECT_NEAR(e.state.delay_s, m.delay_s, 1e-4 * std::abs(m.delay_s) + 1e-12);

    // The channel estimate over the PDU's symbols: relative RMS and largest error below 1e-4.
    double difference = 0.0;
    double power = 0.0;
    double largest = 0.0;
    std::size_t n = 0;
    for (unsigned r = 0; r < c.rx; ++r) {
      for (unsigned layer = 0; layer < c.layers; ++layer) {
        for (unsigned l = g.start_symbol; l < g.end_symbol; ++l) {
          const auto want = reference.channel(r, layer, l);
          const float2* got =
              e.h.data() + ((std::size_t{r} * c.layers + layer) * max_symbols + l) * want.size();
          for (std::size_t k = 0; k < want.size(); ++k) {
            const double d = std::norm(cf32(got[k].x, got[k].y) - want[k]);
            difference += d;
            power += std::norm(want[k]);
            largest = std::max(largest, d);
            ++n;
          }
        }
      }
    }
    EXPECT_LT(std::sqrt(difference / power), 1e-4) << "channel estimate, relative RMS error";
    EXPECT_LT(std::sqrt(largest) / std::sqrt(power / static_cast<double>(n)), 1e-4)
        << "channel estimate, largest error over the RMS";

    // Fewer blocks than pilots allow (several tiles per block): the same pilots, and the same
    // measurements up to the order of the double sums.
    const Emulated few = emulate(g, device_grid, dmrs.data(), device_banks, 3);
    for (std::size_t i = 0; i < e.pilots.size(); ++i) {
      ASSERT_EQ(few.pilots[i].x, e.pilots[i].x) << "pilot " << i;
      ASSERT_EQ(few.pilots[i].y, e.pilots[i].y) << "pilot " << i;
    }
    EXPECT_NEAR(few.state.noise_variance, e.state.noise_variance, 1e-6 * m.noise_variance);
    EXPECT_EQ(few.state.bank, e.state.bank);
  }
}

} // namespace
#else
TEST(DmrsEstimationEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
