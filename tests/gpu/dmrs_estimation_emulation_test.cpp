// The GPU DMRS estimator's kernels run on the host: the per-thread functions of
// dmrs_despread_elements.h, dmrs_noise_elements.h, dmrs_interpolation_elements.h and
// cfo_elements.h in the kernels' block, tile and thread order (delay correlation, de-spreading
// with the noise sums in ranges of pilots, the measurements from the summed partials,
// interpolation, the CFO from the occasion pairs' correlations), on simulated slots (some with a
// carrier frequency offset), against phy's DMRS channel estimator: the same measurements, CFO and
// channel estimate within the GPU front end's tolerances. So the kernels' indexing, tiles, halos,
// filter-bank selection and pilot pairs are checked in CI without a GPU (CUDA builds: the structs
// hold CUDA vector types). The host sums that mirror the device's shuffle and shared-memory trees
// are checked on sums whose rounding shows the order.
#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "front_end_emulation_support.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

namespace {

using namespace emulation_test;

std::vector<EmulationCase> estimation_cases() {
  using F = FrequencyInterpolation;
  using T = TimeInterpolation;
  using D = apps::ChannelDomain;
  constexpr auto mmse = EqualizerAlgorithm::mmse;
  return {
      {"Prb51Rx4Layers2TdlA30Mmse"},
      // One occasion: no CFO.
      {"Prb24Rx2Layer1Pos0NoCfo", 24, 2, 1, DmrsConfigType::type1, 1, 0, "TDL-A30", D::time, 20.0F},
      // A carrier frequency offset, three occasions (two pairs), and one of two-symbol occasions.
      {"Prb51Rx4Layers2Pos2TdlA30Cfo400", 51, 4, 2, DmrsConfigType::type1, 1, 2, "TDL-A30", D::time,
       25.0F, F::mmse, T::linear, true, 10, false, mmse, 400.0},
      {"Prb51Rx4Layers2Type2DoubleTdlA30CfoMinus250", 51, 4, 2, DmrsConfigType::type2, 2, 1,
       "TDL-A30", D::time, 25.0F, F::mmse, T::linear, true, 10, false, mmse, -250.0},
      {"Prb24Rx2Layer1LinearPos2", 24, 2, 1, DmrsConfigType::type1, 1, 2, "TDL-A30", D::time, 20.0F,
       F::linear, T::linear, false},
      {"Prb51Rx2Layers2Type2DoubleAverage", 51, 2, 2, DmrsConfigType::type2, 2, 1, "awgn",
       D::frequency, 15.0F, F::mmse, T::average, true},
      {"Prb106Rx8Layers4Pos3TdlC300", 106, 8, 4, DmrsConfigType::type1, 1, 3, "TDL-C300", D::time,
       28.0F, F::mmse, T::linear, true},
      // The short difference filters of the noise estimate: 3 pilots per row (order 2) and 2
      // (order 1).
      {"Prb1Rx2Layer1Type1FilterOrder2", 1, 2, 1, DmrsConfigType::type1, 1, 1, "TDL-A30", D::time,
       20.0F},
      {"Prb1Rx4Layers2Type2FilterOrder1", 1, 4, 2, DmrsConfigType::type2, 1, 1, "TDL-A30", D::time,
       20.0F},
      // Wiener time interpolation: its weights from the CFO kernel's correlations, the noise
      // measurements and the selected bank's energy (or linear interpolation's gain); four
      // occasions with an offset, two-symbol occasions on a fast channel at low SNR (where the
      // noise ratio shapes the weights), and one occasion.
      {"Prb51Rx4Layers2Pos3TdlA30Cfo400Wiener300Hz", 51, 4, 2, DmrsConfigType::type1, 1, 3,
       "TDL-A30", D::time, 8.0F, F::mmse, T::wiener, true, 10, false, mmse, 400.0, 300.0},
      {"Prb24Rx2Layer1Type2DoubleLinearWiener400Hz", 24, 2, 1, DmrsConfigType::type2, 2, 1,
       "TDL-C300", D::time, 5.0F, F::linear, T::wiener, true, 10, false, mmse, 0.0, 400.0},
      {"Prb24Rx2Layers2Pos0Wiener", 24, 2, 2, DmrsConfigType::type1, 1, 0, "TDL-A30", D::time,
       20.0F, F::mmse, T::wiener, true},
  };
}

/// The noise sums of \p pilots (rows of g.num_pilots) added one pilot after the other, reading
/// the pilots in place: no tiles, windows, blocks or trees.
NoiseTerms sequential_noise_sums(const PduGeometry& g, const std::vector<float2>& pilots) {
  const DifferenceFilter filter = difference_filter(g.num_pilots);
  NoiseTerms sums;
  for (std::size_t i = 0; i < pilots.size(); ++i) {
    add_noise_terms(sums, filter, pilots.data() + i, static_cast<unsigned>(i % g.num_pilots),
                    g.num_pilots);
  }
  return sums;
}

/// An occasion pair's CFO correlation and the sum of its terms' magnitudes.
struct PairCorrelation {
  double re = 0.0;
  double im = 0.0;
  double magnitude = 0.0;
};

/// Each occasion pair's correlation of \p pilots ([rx][layer][occasion][pilot]) added pilot after
/// pilot in phy's order (antenna, layer, pilot; phy::detail::estimate_cfo): no threads or trees.
std::array<PairCorrelation, max_dmrs_occasions - 1>
sequential_cfo_correlations(const PduGeometry& g, const std::vector<float2>& pilots) {
  std::array<PairCorrelation, max_dmrs_occasions - 1> pairs{};
  for (unsigned o = 0; o + 1 < g.num_occasions; ++o) {
    for (unsigned rx = 0; rx < g.num_rx; ++rx) {
      for (unsigned layer = 0; layer < g.num_layers; ++layer) {
        const std::size_t row = std::size_t{rx} * g.num_layers + layer;
        const float2* a = pilots.data() + (row * g.num_occasions + o) * g.num_pilots;
        const float2* b = pilots.data() + (row * g.num_occasions + o + 1) * g.num_pilots;
        for (unsigned n = 0; n < g.num_pilots; ++n) {
          add_cfo_correlation(a[n].x, a[n].y, b[n].x, b[n].y, pairs[o].re, pairs[o].im);
          pairs[o].magnitude += std::hypot(a[n].x, a[n].y) * std::hypot(b[n].x, b[n].y);
        }
      }
    }
  }
  return pairs;
}

/// Expects \p got to be \p want up to a relative \p tolerance of the power (the lag sums are at
/// most the power; the residual relative to itself).
void expect_noise_sums_near(const NoiseTerms& got, const NoiseTerms& want, double tolerance) {
  EXPECT_NEAR(got.power, want.power, tolerance * want.power);
  EXPECT_NEAR(got.lag_re, want.lag_re, tolerance * want.power);
  EXPECT_NEAR(got.lag_im, want.lag_im, tolerance * want.power);
  EXPECT_NEAR(got.residual, want.residual, tolerance * want.residual);
  EXPECT_NEAR(got.far_re, want.far_re, tolerance * want.power);
  EXPECT_NEAR(got.far_im, want.far_im, tolerance * want.power);
}

TEST(DmrsEstimationEmulation, KernelsReproduceTheCpuEstimator) {
  for (const EmulationCase& c : estimation_cases()) {
    SCOPED_TRACE(c.name);
    const EmulatedPdu pdu(c);
    const PduGeometry& g = pdu.g;
    const ResourceGrid& grid = pdu.grid();
    const auto* device_grid = pdu.device_grid();
    const auto* device_banks = pdu.device_banks();
    const std::vector<float2>& dmrs = pdu.dmrs;
    const unsigned blocks = despread_noise_blocks(g);
    const Emulated e =
        emulate(g, device_grid, dmrs.data(), device_banks, blocks, &pdu.scenario.cell, pdu.slot);

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

    // The CFO (cfo_kernel on the emulated pilots): there with two occasions or more, and the CPU
    // estimator's within the GPU front end's tolerance (gpu_pusch_front_end_test: the pilots
    // differ from the CPU's in their last float bits); an injected offset recovered as phy's
    // estimator test asks (5%).
    ASSERT_EQ(e.state.has_cfo != 0, m.cfo_hz.has_value()) << "CFO needs two DMRS occasions";
    ASSERT_EQ(g.num_occasion_pairs + 1, std::max(g.num_occasions, 1U));
    if (m.cfo_hz) {
      EXPECT_NEAR(e.state.cfo_hz, *m.cfo_hz, 1e-3 * std::abs(*m.cfo_hz) + 0.1) << "CFO (Hz)";
      if (c.cfo_hz != 0.0 && c.max_doppler_hz <= 50.0) { // fast fading has a phase of its own
        EXPECT_NEAR(*m.cfo_hz, c.cfo_hz, 0.05 * std::abs(c.cfo_hz)) << "CPU CFO (Hz)";
        EXPECT_NEAR(e.state.cfo_hz, c.cfo_hz, 0.05 * std::abs(c.cfo_hz)) << "CFO (Hz)";
      }
    }
    // Each pair's correlation in the device's order against the pilots' terms added one after
    // the other in phy's order: equal up to the rounding of the double sums, 1e-10 of the sum of
    // the terms' magnitudes (a term missing, or a pilot paired with the wrong occasion, changes
    // them by far more).
    const auto pairs = sequential_cfo_correlations(g, e.pilots);
    for (unsigned o = 0; o < g.num_occasion_pairs; ++o) {
      SCOPED_TRACE(o);
      EXPECT_NEAR(e.cfo_re[o], pairs[o].re, 1e-10 * pairs[o].magnitude);
      EXPECT_NEAR(e.cfo_im[o], pairs[o].im, 1e-10 * pairs[o].magnitude);
    }

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

    // The noise sums in the device's order, against the pilots' terms added one after the other
    // without tiles or halos: equal up to the rounding of the double sums (a pilot's terms
    // missing or read from the wrong window entry change them by far more).
    expect_noise_sums_near(e.noise_sums, sequential_noise_sums(g, e.pilots), 1e-10);

    // Fewer blocks than pilots allow (several tiles per block; one block: the whole PDU): the same
    // pilots, and the same sums and measurements up to the order of the double sums.
    for (const unsigned few_blocks : {1U, 3U}) {
      SCOPED_TRACE(few_blocks);
      const Emulated few = emulate(g, device_grid, dmrs.data(), device_banks, few_blocks,
                                   &pdu.scenario.cell, pdu.slot);
      for (std::size_t i = 0; i < e.pilots.size(); ++i) {
        ASSERT_EQ(few.pilots[i].x, e.pilots[i].x) << "pilot " << i;
        ASSERT_EQ(few.pilots[i].y, e.pilots[i].y) << "pilot " << i;
      }
      expect_noise_sums_near(few.noise_sums, e.noise_sums, 1e-10);
      EXPECT_NEAR(few.state.noise_variance, e.state.noise_variance, 1e-6 * m.noise_variance);
      EXPECT_EQ(few.state.bank, e.state.bank);
      EXPECT_EQ(few.state.cfo_hz, e.state.cfo_hz); // from the same pilots
    }
  }
}

TEST(DmrsEstimationEmulation, WarpTreeSumAddsInTheShuffleOrder) {
  // warp_sum's first shuffle adds lane 16 into lane 0: the big values cancel before any 1 is
  // added (sequentially the first 1 would be lost against 2^53, and 15 ones with it).
  std::vector<double> lanes(32, 1.0);
  lanes[0] = two_to_the_53;
  lanes[16] = -two_to_the_53;
  EXPECT_EQ(warp_tree_sum(lanes.data()), 30.0);
  // Every lane exactly once.
  for (unsigned l = 0; l < 32; ++l) {
    lanes[l] = std::ldexp(1.0, static_cast<int>(l));
  }
  EXPECT_EQ(warp_tree_sum(lanes.data()), std::ldexp(1.0, 32) - 1.0);
}

TEST(DmrsEstimationEmulation, BlockTreeSumAddsWarpTotalsInTheShuffleOrder) {
  // block_sum: the warps' totals (8 of them) in one more warp tree, warp 4 into warp 0 before
  // warp 1's total joins: the big values cancel first.
  std::vector<double> values(despread_threads, 0.0);
  values[0] = two_to_the_53;    // warp 0
  values[32] = 1.0;             // warp 1
  values[128] = -two_to_the_53; // warp 4
  EXPECT_EQ(block_tree_sum(values.data(), despread_threads), 1.0);
  // Every thread exactly once.
  for (unsigned t = 0; t < despread_threads; ++t) {
    values[t] = t + 1.0;
  }
  EXPECT_EQ(block_tree_sum(values.data(), despread_threads),
            despread_threads * (despread_threads + 1.0) / 2.0);
  // A block's six sums each in that order, from its threads' terms.
  std::vector<NoiseTerms> terms(despread_threads);
  for (unsigned t = 0; t < despread_threads; ++t) {
    terms[t] = {t + 1.0,         2.0 * (t + 1.0), -(t + 1.0), (t + 1.0) * (t + 1.0),
                3.0 * (t + 1.0), -2.0 * (t + 1.0)};
  }
  const NoiseTerms sums = block_noise_sums(terms.data(), despread_threads);
  const double n = despread_threads;
  EXPECT_EQ(sums.power, n * (n + 1.0) / 2.0);
  EXPECT_EQ(sums.lag_re, n * (n + 1.0));
  EXPECT_EQ(sums.lag_im, -n * (n + 1.0) / 2.0);
  EXPECT_EQ(sums.residual, n * (n + 1.0) * (2.0 * n + 1.0) / 6.0);
  EXPECT_EQ(sums.far_re, 1.5 * n * (n + 1.0));
  EXPECT_EQ(sums.far_im, -n * (n + 1.0));
}

TEST(DmrsEstimationEmulation, SharedMemoryTreeHalvesItsStrides) {
  // The CFO kernel's tree over its 256 threads: thread 128 into thread 0 first, the big values
  // cancel before thread 64's 1 joins (in thread order it would be lost against 2^53).
  std::vector<double> values(cfo_threads, 0.0);
  values[0] = two_to_the_53;
  values[64] = 1.0;
  values[128] = -two_to_the_53;
  EXPECT_EQ(cfo_block_sum(values.data()), 1.0);
  EXPECT_EQ(halving_tree_sum(values.data(), cfo_threads), 1.0);
  // Every thread exactly once.
  for (unsigned t = 0; t < cfo_threads; ++t) {
    values[t] = t + 1.0;
  }
  EXPECT_EQ(cfo_block_sum(values.data()), cfo_threads * (cfo_threads + 1.0) / 2.0);
}

TEST(DmrsEstimationEmulation, CfoThreadsAddTheirTermsStrided) {
  // A PDU of 2 antennas, 1 layer, 3 occasions of 300 pilots: 600 terms a pair, thread t adds
  // terms t, t + 256, t + 512; each pilot pair once, pair o of occasions o and o + 1.
  PduGeometry g;
  g.num_rx = 2;
  g.num_layers = 1;
  g.num_pilots = 300;
  g.num_occasions = 3;
  g.num_occasion_pairs = 2;
  g.occasion_dt[0] = 5e-4;
  g.occasion_dt[1] = 5e-4;
  std::vector<float2> pilots(std::size_t{g.num_rx} * g.num_occasions * g.num_pilots);
  for (std::size_t i = 0; i < pilots.size(); ++i) {
    const unsigned occasion = static_cast<unsigned>(i / g.num_pilots % g.num_occasions);
    pilots[i] = {static_cast<float>(occasion + 1), 0.0F}; // b conj(a) = (o + 1)(o + 2)
  }
  Emulated e;
  emulate_cfo(g, pilots.data(), &e.state, e.cfo_re.data(), e.cfo_im.data());
  const double terms = g.num_rx * g.num_pilots;
  EXPECT_EQ(e.cfo_re[0], 2.0 * terms);
  EXPECT_EQ(e.cfo_re[1], 6.0 * terms);
  EXPECT_EQ(e.cfo_im[0], 0.0);
  EXPECT_EQ(e.state.has_cfo, 1);
  EXPECT_EQ(e.state.cfo_hz, 0.0F);
  double re = 0.0;
  double im = 0.0;
  cfo_thread_correlation(g, pilots.data(), 1, 100, cfo_threads, re, im);
  EXPECT_EQ(re, 2 * 6.0); // terms 100 and 356 (612 is past the 600)
}

TEST(DmrsEstimationEmulation, PartialsAreAddedLaneStrided) {
  // Every block's six partials exactly once, in their places, for block counts around the
  // warp's width and up to max_noise_blocks.
  for (const unsigned blocks : {1U, 2U, 31U, 32U, 33U, 100U, 825U, max_noise_blocks}) {
    SCOPED_TRACE(blocks);
    std::vector<double> partials(noise_partial_doubles * std::size_t{blocks});
    for (unsigned b = 0; b < blocks; ++b) {
      const double v = b + 1.0;
      write_noise_partials(partials.data(), b, {v, 1024.0 * v, -v, v * v, 4.0 * v, -8.0 * v});
    }
    const double n = blocks;
    const NoiseTerms sums = noise_terms_from_partials(partials.data(), blocks);
    EXPECT_EQ(sums.power, n * (n + 1.0) / 2.0);
    EXPECT_EQ(sums.lag_re, 512.0 * n * (n + 1.0));
    EXPECT_EQ(sums.lag_im, -n * (n + 1.0) / 2.0);
    EXPECT_EQ(sums.residual, n * (n + 1.0) * (2.0 * n + 1.0) / 6.0);
    EXPECT_EQ(sums.far_re, 2.0 * n * (n + 1.0));
    EXPECT_EQ(sums.far_im, -4.0 * n * (n + 1.0));
  }
  // Lane 0 adds block 32 right after block 0, and lane 1's block 1 joins in the tree: the big
  // values cancel first (in block order block 1's 1 would be lost).
  std::vector<double> partials(std::size_t{noise_partial_doubles} * 33, 0.0);
  partials[0] = two_to_the_53;                                        // block 0's power
  partials[noise_partial_doubles] = 1.0;                              // block 1's
  partials[std::size_t{32} * noise_partial_doubles] = -two_to_the_53; // block 32's
  EXPECT_EQ(noise_terms_from_partials(partials.data(), 33).power, 1.0);
}

} // namespace
#else
TEST(DmrsEstimationEmulation, NeedsCudaVectorTypes) {
  GTEST_SKIP() << "built without CUDA: the kernels' structs hold CUDA vector types";
}
#endif
