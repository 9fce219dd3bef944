// PUSCH front end on a thread pool: channel estimate, measurements, equalized symbols, their
// noise variances and LLRs are bit-identical to the front end without a pool, over layers,
// antennas, DMRS types and lengths, estimator options, PT-RS and all equalizers; a MATLAB grid when
// one is found; and the pooled stages do not allocate.
#include "airan/apps/pusch_case.h"
#include "airan/io/npy.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "../support/allocation_counter.h"

namespace fs = std::filesystem;

namespace airan::phy {
namespace {

struct Case {
  unsigned layers = 1;
  unsigned num_rx = 1;
  DmrsConfigType type = DmrsConfigType::type1;
  unsigned dmrs_length = 1;
  unsigned cdm_groups_no_data = 2;
  EqualizerAlgorithm equalizer = EqualizerAlgorithm::mmse;
  bool transform_precoding = false; ///< DFT-s-OFDM on 50 of the 51 PRBs (1 layer).
  bool pi2bpsk = false;             ///< With it: pi/2-BPSK (MCS 0, tp-pi2BPSK).
  bool ptrs = false;                ///< PT-RS on the last layer's DMRS port, L 2, K 2.
  PuschFrontEndOptions options;
};

std::string describe(const Case& c) {
  return std::to_string(c.layers) + " layer(s), " + std::to_string(c.num_rx) + " rx, type " +
         (c.type == DmrsConfigType::type1 ? "1" : "2") + ", length " +
         std::to_string(c.dmrs_length) + ", equalizer " +
         std::to_string(static_cast<int>(c.equalizer)) + (c.transform_precoding ? ", DFT-s" : "") +
         (c.pi2bpsk ? " pi/2-BPSK" : "") + (c.ptrs ? ", PT-RS" : "");
}

// Received grid of a random TB on 51 PRBs through a random two-tap channel per (antenna, port)
// with AWGN at about 20 dB.
ResourceGrid make_received_grid(const Case& c, CellConfig& cell, PuschConfig& pusch,
                                unsigned seed) {
  cell.num_prbs = 51;
  cell.n_cell_id = 17;
  cell.num_antenna_ports = c.layers == 3 ? 4 : c.layers;
  pusch.rnti = 0x4321;
  pusch.bwp_size = pusch.prb_size = 51;
  pusch.num_layers = c.layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1U);
  pusch.dmrs_config_type = c.type;
  pusch.dmrs_length = c.dmrs_length;
  pusch.num_dmrs_cdm_groups_no_data = c.cdm_groups_no_data;
  pusch.dmrs_scrambling_id = 17;
  pusch.mcs_table = McsTable::qam256;
  pusch.mcs_index = 15;
  pusch.data_scrambling_id = 17;
  if (c.transform_precoding) {            // 50 = 2 x 5^2 PRBs
    pusch.prb_size = c.pi2bpsk ? 45 : 50; // 45: 6480 symbols, an odd 405 per chunk of 16
    pusch.transform_precoding = true;
    pusch.mcs_table = McsTable::transform_precoding_qam64;
    pusch.mcs_index = c.pi2bpsk ? 0 : 20;
    pusch.tp_pi2bpsk = c.pi2bpsk;
  }
  if (c.ptrs) {
    pusch.ptrs.enabled = true;
    pusch.ptrs.time_density = 2;
    pusch.ptrs.dmrs_port = c.layers - 1;
  }
  if (c.layers == 3) { // 3 layers on 4 ports: codebook precoding
    pusch.precoding = PuschPrecoding::codebook;
    pusch.tpmi = 0;
  }
  PuschTransmitter transmitter(cell);
  ResourceGrid tx = transmitter.make_grid();
  std::mt19937 rng(seed);
  BitVector tb(transmitter.transport_block_size(pusch));
  for (auto& b : tb) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  transmitter.transmit(tb, pusch, 3, tx);

  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  const auto gaussian = [&] { return cf32(normal(rng), normal(rng)); };
  const unsigned width = tx.num_subcarriers();
  ResourceGrid rx(c.num_rx, tx.num_symbols(), width);
  for (unsigned r = 0; r < c.num_rx; ++r) {
    std::vector<cf32> taps(std::size_t{2} * tx.num_ports());
    for (auto& tap : taps) {
      tap = gaussian();
    }
    for (unsigned l = 0; l < tx.num_symbols(); ++l) {
      for (unsigned k = 0; k < width; ++k) {
        cf32 y = 0.1F * gaussian();
        for (unsigned p = 0; p < tx.num_ports(); ++p) {
          const cf32 h = 0.8F * taps[std::size_t{2} * p] +
                         0.6F * taps[std::size_t{2} * p + 1] *
                             std::polar(1.0F, -2.0F * std::numbers::pi_v<float> * 0.02F *
                                                  static_cast<float>(k));
          y += h * tx.at(p, l, k);
        }
        rx.at(r, l, k) = y;
      }
    }
  }
  return rx;
}

template <typename T>
void expect_same(std::span<const T> a, std::span<const T> b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i])) {
      EXPECT_EQ(a[i], b[i]) << what << " " << i; // first difference only
      return;
    }
  }
}

void expect_same_measurements(const PuschMeasurements& a, const PuschMeasurements& b) {
  EXPECT_EQ(a.noise_variance, b.noise_variance);
  EXPECT_EQ(a.rsrp, b.rsrp);
  EXPECT_EQ(a.sinr_db, b.sinr_db);
  EXPECT_EQ(a.post_eq_sinr_db, b.post_eq_sinr_db);
  EXPECT_EQ(a.cfo_hz, b.cfo_hz);
  EXPECT_EQ(a.delay_s, b.delay_s);
  EXPECT_EQ(a.evm, b.evm);
}

// Runs \p grid through a front end without and one with a 3-worker pool and compares all.
void expect_identical(const ResourceGrid& grid, const CellConfig& cell, const PuschConfig& pusch,
                      unsigned slot, const PuschFrontEndOptions& options) {
  const PuschFrontEndLimits limits{8, 4, 275};
  ThreadPool pool(3);
  PuschFrontEnd sequential(limits);
  PuschFrontEnd pooled(limits, &pool);
  const std::size_t g = pusch_coded_bits(cell, pusch);
  std::vector<float> llrs_sequential(g);
  std::vector<float> llrs_pooled(g, -1.0F);
  const PuschMeasurements m_sequential =
      sequential.process(grid, cell, pusch, slot, options, llrs_sequential);
  const PuschMeasurements m_pooled = pooled.process(grid, cell, pusch, slot, options, llrs_pooled);

  expect_same_measurements(m_sequential, m_pooled);
  const ChannelEstimate& a = sequential.channel_estimate();
  const ChannelEstimate& b = pooled.channel_estimate();
  EXPECT_EQ(a.measurements.delay_spread_s, b.measurements.delay_spread_s);
  ASSERT_EQ(a.num_covariance_groups(), b.num_covariance_groups());
  for (unsigned group = 0; group < a.num_covariance_groups(); ++group) {
    expect_same(a.covariance(group), b.covariance(group), "covariance");
  }
  const unsigned end = pusch.start_symbol + pusch.num_symbols;
  for (unsigned r = 0; r < a.num_rx_antennas(); ++r) {
    for (unsigned layer = 0; layer < a.num_layers(); ++layer) {
      for (unsigned l = pusch.start_symbol; l < end; ++l) {
        expect_same(a.channel(r, layer, l), b.channel(r, layer, l), "channel");
      }
    }
  }
  expect_same(sequential.ptrs_phases(), pooled.ptrs_phases(), "PT-RS phases");
  expect_same(sequential.equalized_symbols(), pooled.equalized_symbols(), "symbols");
  expect_same(sequential.equalized_noise_variances(), pooled.equalized_noise_variances(),
              "noise variances");
  expect_same(std::span<const float>(llrs_sequential), std::span<const float>(llrs_pooled), "LLRs");
}

TEST(PuschFrontEndParallel, BitIdenticalToSequential) {
  std::vector<Case> cases;
  for (unsigned layers : {1U, 2U, 3U, 4U}) {
    for (unsigned num_rx : {1U, 2U, 4U, 8U}) {
      if (num_rx < layers) {
        continue;
      }
      for (DmrsConfigType type : {DmrsConfigType::type1, DmrsConfigType::type2}) {
        for (EqualizerAlgorithm equalizer :
             {EqualizerAlgorithm::mmse, EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse_irc}) {
          Case c;
          c.layers = layers;
          c.num_rx = num_rx;
          c.type = type;
          c.equalizer = equalizer;
          c.options.equalizer = equalizer;
          c.options.estimator.covariance_group_prbs = equalizer == EqualizerAlgorithm::zf ? 0 : 8;
          cases.push_back(c);
        }
      }
    }
  }
  // Double-symbol DMRS, data on the DMRS symbols, linear and averaging interpolators.
  Case c;
  c.layers = 2;
  c.num_rx = 4;
  c.dmrs_length = 2;
  c.cdm_groups_no_data = 1;
  c.options.estimator.frequency_interpolation = FrequencyInterpolation::linear;
  c.options.estimator.time_interpolation = TimeInterpolation::average;
  cases.push_back(c);
  c.type = DmrsConfigType::type2;
  c.options.estimator.compensate_delay = false;
  c.equalizer = c.options.equalizer = EqualizerAlgorithm::mmse_irc;
  cases.push_back(c);
  // Exact (log-MAP) LLRs, split over the pool's lanes like max-log ones.
  c.options.demapping = SoftDemapping::exact;
  cases.push_back(c);
  // DFT-s-OFDM: each lane deprecodes the symbols it equalized.
  for (unsigned num_rx : {1U, 2U, 4U}) {
    for (EqualizerAlgorithm equalizer : {EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
      Case dfts;
      dfts.num_rx = num_rx;
      dfts.transform_precoding = true;
      dfts.equalizer = dfts.options.equalizer = equalizer;
      cases.push_back(dfts);
      dfts.pi2bpsk = true; // demapped in chunks of an even number of symbols
      cases.push_back(dfts);
    }
  }

  // PT-RS: gathered, rotated symbols; covariance groups count the PT-RS REs out.
  for (EqualizerAlgorithm equalizer :
       {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
    Case ptrs;
    ptrs.layers = 2;
    ptrs.num_rx = 4;
    ptrs.ptrs = true;
    ptrs.equalizer = ptrs.options.equalizer = equalizer;
    ptrs.options.estimator.covariance_group_prbs = 8;
    cases.push_back(ptrs);
  }

  unsigned seed = 1;
  for (const Case& test : cases) {
    SCOPED_TRACE(describe(test));
    CellConfig cell;
    PuschConfig pusch;
    const ResourceGrid grid = make_received_grid(test, cell, pusch, seed++);
    expect_identical(grid, cell, pusch, 3, test.options);
  }
}

// SoftDemapping::exact makes process() give the exact demapper's LLRs of its equalized symbols
// (and not the max-log ones).
TEST(PuschFrontEndParallel, ExactDemappingGivesTheExactDemappersLlrs) {
  Case c;
  c.layers = 2;
  c.num_rx = 4;
  CellConfig cell;
  PuschConfig pusch;
  const ResourceGrid grid = make_received_grid(c, cell, pusch, 41);
  PuschFrontEnd front_end({4, 4, 275});
  const std::size_t g = pusch_coded_bits(cell, pusch);
  std::vector<float> max_log(g);
  std::vector<float> exact(g);
  PuschFrontEndOptions options;
  front_end.process(grid, cell, pusch, 3, options, max_log);
  options.demapping = SoftDemapping::exact;
  front_end.process(grid, cell, pusch, 3, options, exact);
  std::vector<float> expected(g);
  create_exact_soft_demapper()->demodulate(
      front_end.equalized_symbols(), front_end.equalized_noise_variances(),
      modulation_from_order(pusch.modulation_order()), expected);
  expect_same(std::span<const float>(exact), std::span<const float>(expected), "exact LLRs");
  EXPECT_NE(exact, max_log);
}

// The first MATLAB PUSCH grid of AIRAN_TESTVECTOR_DIR/pusch.
TEST(PuschFrontEndParallel, MatlabGridBitIdentical) {
  const fs::path root = fs::path(AIRAN_TESTVECTOR_DIR) / "pusch";
  std::vector<fs::path> dirs;
  if (fs::is_directory(root)) {
    for (const auto& entry : fs::directory_iterator(root)) {
      if (entry.is_directory() && fs::exists(entry.path() / "grid.npy") &&
          fs::exists(entry.path() / "config.json")) {
        dirs.push_back(entry.path());
      }
    }
  }
  ASSERT_FALSE(dirs.empty()) << "no MATLAB PUSCH grids under " << root
                             << ": the committed ones come with the repository";
  std::sort(dirs.begin(), dirs.end());
  const fs::path& dir = dirs.front();
  const auto reference = airan::apps::load_pusch_case(dir);
  const ResourceGrid grid = airan::apps::load_pusch_case_grid(dir, reference.cell.num_prbs);
  SCOPED_TRACE(dir.filename().string());
  for (EqualizerAlgorithm equalizer :
       {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
    PuschFrontEndOptions options;
    options.equalizer = equalizer;
    expect_identical(grid, reference.cell, reference.pusch, reference.slot, options);
  }
}

TEST(PuschFrontEndParallel, PooledProcessDoesNotAllocate) {
  for (const unsigned variant : {0U, 1U, 2U}) {
    const bool transform_precoding = variant == 1;
    Case c;
    c.layers = transform_precoding ? 1 : 2;
    c.num_rx = 4;
    c.transform_precoding = transform_precoding;
    c.ptrs = variant == 2;
    CellConfig cell;
    PuschConfig pusch;
    const ResourceGrid grid = make_received_grid(c, cell, pusch, 99);
    ThreadPool pool(3);
    PuschFrontEnd front_end({4, 4, 275}, &pool);
    std::vector<float> llrs(pusch_coded_bits(cell, pusch));
    for (EqualizerAlgorithm algorithm :
         {EqualizerAlgorithm::zf, EqualizerAlgorithm::mmse, EqualizerAlgorithm::mmse_irc}) {
      PuschFrontEndOptions options;
      options.equalizer = algorithm;
      front_end.process(grid, cell, pusch, 3, options, llrs); // warm-up
      const long before = airan::test::allocation_count();
      front_end.process(grid, cell, pusch, 3, options, llrs);
      EXPECT_EQ(airan::test::allocation_count() - before, 0)
          << "equalizer " << static_cast<int>(algorithm) << " " << describe(c);
    }
  }
}

} // namespace
} // namespace airan::phy
