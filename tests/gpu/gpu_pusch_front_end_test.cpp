// GpuPuschFrontEnd against the CPU reference (OfdmDemodulator, PuschFrontEnd) on simulated noisy
// slots: grids and channel estimates within 1e-4 relative error, equalized symbols within 1e-4,
// LLR signs agreeing on >= 99.99% of the bits; for MMSE-IRC (slots with a rank-one coloured
// interferer added to the grid, or plain noise) also the regularised interference covariances
// within 1e-4, and IRC alternating with MMSE on one front end (CUDA graph re-instantiated and
// updated). Skipped without a CUDA device.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/relative_errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {

using airan::phy::cf32;

using Errors = airan::test::RelativeErrors;

Errors relative_errors(std::span<const cf32> a, std::span<const cf32> b) {
  return airan::test::relative_errors<cf32>(a, b);
}

bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

struct Case {
  std::string name;
  unsigned prbs = 273;
  unsigned rx = 4;
  unsigned layers = 2;
  unsigned mcs = 27;
  airan::phy::McsTable table = airan::phy::McsTable::qam256;
  airan::phy::DmrsConfigType dmrs_type = airan::phy::DmrsConfigType::type1;
  unsigned dmrs_length = 1;
  std::string channel = "TDL-C300";
  airan::apps::ChannelDomain domain = airan::apps::ChannelDomain::time;
  float snr_db = 28.0F;
  airan::phy::FrequencyInterpolation interpolation = airan::phy::FrequencyInterpolation::mmse;
  bool compensate_delay = true;
  airan::phy::EqualizerAlgorithm equalizer = airan::phy::EqualizerAlgorithm::mmse;
  unsigned covariance_group_prbs = 0; ///< MMSE-IRC: PRBs per covariance group (0: one group).
  float interference = 0.0F;          ///< Power per RE of a rank-one interferer added to the grid.
  unsigned additional_position = 1;   ///< dmrs-AdditionalPosition: 1 + this many DMRS occasions.
  airan::phy::TimeInterpolation time = airan::phy::TimeInterpolation::linear;
};

/// The PDU of case \p c on the scenario of \p c.
struct Link {
  airan::apps::LinkScenario scenario;
  airan::phy::PuschConfig pusch;
};

Link make_link(const Case& c) {
  Link link;
  airan::apps::LinkScenario& scenario = link.scenario;
  scenario.cell.num_prbs = c.prbs;
  scenario.cell.num_antenna_ports = c.layers;
  scenario.num_rx_antennas = c.rx;
  scenario.channel.model = c.channel;
  scenario.channel.domain = c.domain;
  scenario.channel.max_doppler_hz = c.channel == "awgn" ? 0.0 : 50.0;
  airan::phy::PuschConfig& pusch = link.pusch;
  pusch.bwp_size = c.prbs;
  pusch.prb_size = c.prbs;
  pusch.num_layers = c.layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << c.layers) - 1);
  pusch.dmrs_config_type = c.dmrs_type;
  pusch.dmrs_length = c.dmrs_length;
  pusch.dmrs_additional_position = c.additional_position;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = c.mcs;
  pusch.mcs_table = c.table;
  pusch.rnti = 0x4601;
  return link;
}

/// \p grid plus an interferer of power \p power per RE (every antenna, symbol and subcarrier)
/// with one random spatial signature: coloured interference that MMSE-IRC can reject.
airan::phy::ResourceGrid with_interferer(const airan::phy::ResourceGrid& grid, float power) {
  airan::phy::ResourceGrid out = grid;
  if (power <= 0.0F) {
    return out;
  }
  std::mt19937 rng(2024);
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  std::vector<cf32> signature(grid.num_ports());
  for (auto& s : signature) {
    s = cf32(normal(rng), normal(rng));
  }
  const float amplitude = std::sqrt(power);
  for (unsigned l = 0; l < grid.num_symbols(); ++l) {
    for (unsigned k = 0; k < grid.num_subcarriers(); ++k) {
      const cf32 symbol = amplitude * cf32(normal(rng), normal(rng));
      for (unsigned r = 0; r < grid.num_ports(); ++r) {
        out.at(r, l, k) += signature[r] * symbol;
      }
    }
  }
  return out;
}

/// Options of case \p c for both front ends.
airan::phy::PuschFrontEndOptions make_options(const Case& c) {
  airan::phy::PuschFrontEndOptions options;
  options.estimator.frequency_interpolation = c.interpolation;
  options.estimator.compensate_delay = c.compensate_delay;
  options.estimator.covariance_group_prbs = c.covariance_group_prbs;
  options.estimator.time_interpolation = c.time;
  options.equalizer = c.equalizer;
  return options;
}

/// Fraction of LLRs whose signs agree.
double sign_agreement(std::span<const float> a, std::span<const float> b) {
  std::size_t agree = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    agree += (a[i] >= 0.0F) == (b[i] >= 0.0F) ? 1 : 0;
  }
  return static_cast<double>(agree) / static_cast<double>(std::max<std::size_t>(b.size(), 1));
}

/// The covariances of every group of \p estimate, concatenated.
std::vector<cf32> all_covariances(const airan::phy::ChannelEstimate& estimate) {
  std::vector<cf32> out;
  for (unsigned g = 0; g < estimate.num_covariance_groups(); ++g) {
    const auto covariance = estimate.covariance(g);
    out.insert(out.end(), covariance.begin(), covariance.end());
  }
  return out;
}

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks for
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

using airan::apps::ChannelDomain;
using airan::phy::DmrsConfigType;
using airan::phy::EqualizerAlgorithm;
using airan::phy::FrequencyInterpolation;
using airan::phy::McsTable;

class GpuFrontEnd : public testing::TestWithParam<Case> {};

// Every case is a link the transmitter and the CPU receiver accept (runs without a device).
TEST_P(GpuFrontEnd, IsAValidLink) {
  const Link link = make_link(GetParam());
  EXPECT_EQ(airan::apps::validate_link(link.scenario, std::span(&link.pusch, 1)), "");
}

TEST_P(GpuFrontEnd, MatchesTheCpuReference) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const Case& c = GetParam();
  const Link link = make_link(c);
  const airan::apps::LinkScenario& scenario = link.scenario;
  const airan::phy::PuschConfig& pusch = link.pusch;
  ASSERT_EQ(airan::apps::validate_link(scenario, std::span(&pusch, 1)), "");

  airan::apps::SlotSimulator simulator(scenario);
  const float noise_variance = std::pow(10.0F, -c.snr_db / 10.0F);
  simulator.simulate(std::span(&pusch, 1), 3, 11, 12, noise_variance);
  const unsigned slot = simulator.slot_number();
  const airan::phy::ResourceGrid& simulated = simulator.received_grid();

  airan::gpu::GpuPuschFrontEnd gpu(scenario.cell, {c.rx, 4, c.prbs});
  // OFDM demodulation: the simulator's grid came from the CPU demodulator of this IQ.
  if (c.domain == airan::apps::ChannelDomain::time) {
    gpu.demodulate_host(simulator.received_iq(), c.rx, slot);
    airan::phy::ResourceGrid demodulated(c.rx, simulated.num_symbols(),
                                         simulated.num_subcarriers());
    gpu.download_grid(demodulated);
    const Errors e = relative_errors(demodulated.elements(), simulated.elements());
    EXPECT_LT(e.norm, 1e-4) << "OFDM demodulation";
    EXPECT_LT(e.max, 1e-4) << "OFDM demodulation";
  }

  // Both front ends process the same grid (with the interferer, if any).
  const airan::phy::ResourceGrid grid = with_interferer(simulated, c.interference);
  const airan::phy::PuschFrontEndOptions options = make_options(c);
  airan::phy::PuschFrontEnd cpu({c.rx, 4, c.prbs});
  const std::size_t g = airan::phy::pusch_coded_bits(scenario.cell, pusch);
  std::vector<float> cpu_llrs(g);
  cpu.process(grid, scenario.cell, pusch, slot, options, cpu_llrs);

  std::vector<float> gpu_llrs(g);
  gpu.process_grid(grid, pusch, slot, options, gpu_llrs);

  // Channel estimate and measurements.
  airan::phy::ChannelEstimate estimate(c.rx, 4, c.prbs);
  gpu.download_channel_estimate(estimate);
  const airan::phy::ChannelEstimate& reference = cpu.channel_estimate();
  std::vector<cf32> a;
  std::vector<cf32> b;
  for (unsigned rx = 0; rx < c.rx; ++rx) {
    for (unsigned layer = 0; layer < c.layers; ++layer) {
      for (unsigned l = pusch.start_symbol; l < pusch.start_symbol + pusch.num_symbols; ++l) {
        const auto row = estimate.channel(rx, layer, l);
        const auto ref = reference.channel(rx, layer, l);
        a.insert(a.end(), row.begin(), row.end());
        b.insert(b.end(), ref.begin(), ref.end());
      }
    }
  }
  const Errors h = relative_errors(a, b);
  EXPECT_LT(h.norm, 1e-4) << "channel estimate";
  EXPECT_LT(h.max, 1e-4) << "channel estimate";
  const auto& m = estimate.measurements;
  const auto& mr = reference.measurements;
  EXPECT_NEAR(m.noise_variance, mr.noise_variance, 1e-4 * mr.noise_variance);
  EXPECT_NEAR(m.rsrp, mr.rsrp, 1e-4 * mr.rsrp);
  EXPECT_NEAR(m.delay_spread_s, mr.delay_spread_s, 1e-3 * mr.delay_spread_s + 1e-12);
  EXPECT_NEAR(m.delay_s, mr.delay_s, 1e-4 * std::abs(mr.delay_s) + 1e-12);
  ASSERT_EQ(m.cfo_hz.has_value(), mr.cfo_hz.has_value()) << "CFO needs two DMRS occasions";
  if (mr.cfo_hz) {
    EXPECT_NEAR(*m.cfo_hz, *mr.cfo_hz, 1e-3F * std::abs(*mr.cfo_hz) + 0.1F) << "CFO (Hz)";
  }
  if (c.equalizer == EqualizerAlgorithm::mmse_irc) {
    ASSERT_EQ(estimate.num_covariance_groups(), reference.num_covariance_groups());
    ASSERT_EQ(estimate.covariance_group_prbs(), reference.covariance_group_prbs());
    const Errors r = relative_errors(all_covariances(estimate), all_covariances(reference));
    EXPECT_LT(r.norm, 1e-4) << "interference covariances";
    EXPECT_LT(r.max, 1e-4) << "interference covariances";
  }

  // Equalized symbols and noise variances.
  std::vector<cf32> symbols;
  std::vector<float> noise;
  gpu.download_equalized(symbols, noise);
  ASSERT_EQ(symbols.size(), cpu.equalized_symbols().size());
  const Errors x = relative_errors(symbols, cpu.equalized_symbols());
  EXPECT_LT(x.norm, 1e-4) << "equalized symbols";
  EXPECT_LT(x.max, 1e-3) << "equalized symbols";

  // Post-equalization SINR and EVM, computed on the device from its symbols.
  const airan::phy::PuschMeasurements quality = gpu.download_pusch_measurements();
  const airan::phy::PuschMeasurements cpu_quality = cpu.measurements(pusch);
  EXPECT_NEAR(quality.post_eq_sinr_db, cpu_quality.post_eq_sinr_db, 1e-3);
  EXPECT_NEAR(quality.evm, cpu_quality.evm, 1e-4 * cpu_quality.evm + 1e-6);
  EXPECT_EQ(quality.noise_variance, m.noise_variance);
  EXPECT_EQ(quality.cfo_hz, m.cfo_hz);

  // LLR signs.
  EXPECT_GE(sign_agreement(gpu_llrs, cpu_llrs), 0.9999) << "LLR signs of " << g;

  // Descrambling inside the demapper (the Gold words generated on a branch beside the
  // estimation) gives the descrambling pass's LLRs bit for bit, in a graph updated between the
  // two shapes of process().
  const std::uint32_t c_init =
      airan::phy::pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id);
  std::vector<float> separate(g);
  std::vector<float> fused(g);
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(gpu.process(pusch, slot, options), g);
    EXPECT_FALSE(gpu.llrs_descrambled());
    gpu.descramble(c_init);
    EXPECT_TRUE(gpu.llrs_descrambled());
    gpu.download_llrs(separate);
    EXPECT_EQ(gpu.process(pusch, slot, options, /*descramble=*/true), g);
    EXPECT_TRUE(gpu.llrs_descrambled());
    gpu.download_llrs(fused);
    EXPECT_EQ(std::memcmp(fused.data(), separate.data(), g * sizeof(float)), 0)
        << "round " << round;
    EXPECT_EQ(gpu.stage_times().descramble_ms, 0.0F);
  }
  airan::phy::descramble_llrs(cpu_llrs, c_init);
  EXPECT_GE(sign_agreement(fused, cpu_llrs), 0.9999) << "descrambled LLR signs of " << g;

  // The DMRS generated ahead on the branch (pregenerate_dmrs(), as GpuCellGroup does beside the
  // OFDM demodulation) serve process() when they are its PDU's, and not when they are another's:
  // the LLRs are the same bit for bit either way. With the branch join deferred (it takes effect
  // without CUDA graphs: process() captures its own graph otherwise), the measurements that
  // enqueue_measurements() downloads on the branch are those of the PDU.
  airan::phy::PuschConfig other = pusch;
  other.dmrs_scrambling_id = static_cast<std::uint16_t>(pusch.dmrs_scrambling_id + 1);
  other.n_scid = 1 - pusch.n_scid;
  for (const bool defer : {false, true}) {
    gpu.set_deferred_branch_join(defer);
    for (const airan::phy::PuschConfig* ahead :
         std::initializer_list<const airan::phy::PuschConfig*>{&pusch, &other}) {
      SCOPED_TRACE(std::string(ahead == &pusch ? "its own DMRS ahead" : "another PDU's DMRS") +
                   (defer ? ", join deferred" : ""));
      std::vector<float> llrs(g);
      gpu.pregenerate_dmrs(*ahead, slot, options);
      EXPECT_EQ(gpu.process(pusch, slot, options, /*descramble=*/true), g);
      gpu.enqueue_measurements(0);
      gpu.synchronize();
      const airan::phy::PuschMeasurements pending = gpu.pending_measurements(0);
      EXPECT_EQ(pending.noise_variance, quality.noise_variance);
      EXPECT_EQ(pending.post_eq_sinr_db, quality.post_eq_sinr_db);
      EXPECT_EQ(pending.evm, quality.evm);
      EXPECT_EQ(pending.cfo_hz, quality.cfo_hz);
      gpu.download_llrs(llrs);
      EXPECT_EQ(std::memcmp(llrs.data(), fused.data(), g * sizeof(float)), 0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Slots, GpuFrontEnd,
    testing::Values(
        Case{"Prb273Rx4Layers2Qam256TdlC300MmseLmmse"},
        Case{"Prb106Rx4Layer1Qam64TdlA30LsLinLmmse", 106, 4, 1, 20, McsTable::qam64,
             DmrsConfigType::type1, 1, "TDL-A30", ChannelDomain::time, 22.0F,
             FrequencyInterpolation::linear, false, EqualizerAlgorithm::mmse},
        Case{"Prb51Rx2Layers2Qpsk16Type2DoubleZf", 51, 2, 2, 5, McsTable::qam64,
             DmrsConfigType::type2, 2, "awgn", ChannelDomain::frequency, 15.0F,
             FrequencyInterpolation::mmse, true, EqualizerAlgorithm::zf},
        Case{"Prb24Rx8Layers4Qam16AwgnMmse", 24, 8, 4, 12, McsTable::qam64, DmrsConfigType::type1,
             1, "awgn", ChannelDomain::frequency, 20.0F, FrequencyInterpolation::mmse, true,
             EqualizerAlgorithm::mmse},
        // MMSE-IRC: covariance per 4 PRBs, an interferer 5 dB below the signal.
        Case{"Prb106Rx4Layers2Qam64TdlA30MmseIrcGroups4Interferer", 106, 4, 2, 20, McsTable::qam64,
             DmrsConfigType::type1, 1, "TDL-A30", ChannelDomain::time, 25.0F,
             FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse_irc, 4, 0.3F},
        // One covariance for the allocation, 8 Rx, 4 layers, interferer at 0 dB.
        Case{"Prb24Rx8Layers4Qam16AwgnMmseIrcInterferer", 24, 8, 4, 12, McsTable::qam64,
             DmrsConfigType::type1, 1, "awgn", ChannelDomain::frequency, 20.0F,
             FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse_irc, 0, 1.0F},
        // Per-PRB covariances with DMRS type 2 (two pilots per PRB), plain noise.
        Case{"Prb51Rx2Layer1QpskType2DoubleMmseIrcGroups1", 51, 2, 1, 5, McsTable::qam64,
             DmrsConfigType::type2, 2, "TDL-A30", ChannelDomain::frequency, 15.0F,
             FrequencyInterpolation::linear, false, EqualizerAlgorithm::mmse_irc, 1, 0.0F},
        // 16 Rx (the kernels' 16-antenna path), groups of 6 PRBs, interferer. (Groups of 3 PRBs
        // give 18 residuals for a 16 x 16 covariance: its loading then follows the smallest
        // pivot of a nearly singular matrix, and summation order alone moves the SINR by about
        // the tolerance.)
        Case{"Prb12Rx16Layers2Qam16AwgnMmseIrcGroups6Interferer", 12, 16, 2, 12, McsTable::qam64,
             DmrsConfigType::type1, 1, "awgn", ChannelDomain::frequency, 20.0F,
             FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse_irc, 6, 0.5F},
        // Four DMRS occasions (pos3): time interpolation between three pairs of them, and with
        // linear frequency interpolation three occasions (pos2), symbols held after the last.
        Case{"Prb51Rx4Layers2Qam64TdlA30Pos3", 51, 4, 2, 20, McsTable::qam64, DmrsConfigType::type1,
             1, "TDL-A30", ChannelDomain::time, 25.0F, FrequencyInterpolation::mmse, true,
             EqualizerAlgorithm::mmse, 0, 0.0F, 3},
        Case{"Prb24Rx2Layer1Qam16TdlA30LsLinPos2", 24, 2, 1, 12, McsTable::qam64,
             DmrsConfigType::type1, 1, "TDL-A30", ChannelDomain::time, 20.0F,
             FrequencyInterpolation::linear, false, EqualizerAlgorithm::mmse, 0, 0.0F, 2},
        // Wiener time interpolation (mmse2d-lmmse): the CFO kernel and the weights on the chain
        // before the interpolation; four occasions, and two-symbol occasions with linear
        // frequency interpolation.
        Case{"Prb51Rx4Layers2Qam64TdlA30Pos3Wiener", 51, 4, 2, 20, McsTable::qam64,
             DmrsConfigType::type1, 1, "TDL-A30", ChannelDomain::time, 25.0F,
             FrequencyInterpolation::mmse, true, EqualizerAlgorithm::mmse, 0, 0.0F, 3,
             airan::phy::TimeInterpolation::wiener},
        Case{"Prb24Rx2Layer1Qam16TdlC300Type2DoubleLinearWiener", 24, 2, 1, 12, McsTable::qam64,
             DmrsConfigType::type2, 2, "TDL-C300", ChannelDomain::time, 18.0F,
             FrequencyInterpolation::linear, true, EqualizerAlgorithm::mmse, 0, 0.0F, 1,
             airan::phy::TimeInterpolation::wiener}),
    case_name);

// One GPU front end (one CUDA graph) for MMSE, MMSE-IRC with two group sizes and MMSE again on
// the same slot: each result agrees with the CPU's, so the graph's re-instantiation (a kernel
// more or less) and in-place updates (new group counts) carry the right parameters.
TEST(GpuFrontEndIrc, AlternatesWithMmseOnOneFrontEnd) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  Case c{"Alternating",
         51,
         4,
         2,
         16,
         McsTable::qam64,
         DmrsConfigType::type1,
         1,
         "TDL-A30",
         ChannelDomain::frequency,
         22.0F};
  c.interference = 0.3F;
  const Link link = make_link(c);
  ASSERT_EQ(airan::apps::validate_link(link.scenario, std::span(&link.pusch, 1)), "");
  airan::apps::SlotSimulator simulator(link.scenario);
  simulator.simulate(std::span(&link.pusch, 1), 3, 11, 12, std::pow(10.0F, -c.snr_db / 10.0F));
  const airan::phy::ResourceGrid grid = with_interferer(simulator.received_grid(), c.interference);
  airan::gpu::GpuPuschFrontEnd gpu(link.scenario.cell, {c.rx, 4, c.prbs});
  airan::phy::PuschFrontEnd cpu({c.rx, 4, c.prbs});
  const std::size_t g = airan::phy::pusch_coded_bits(link.scenario.cell, link.pusch);
  std::vector<float> cpu_llrs(g);
  std::vector<float> gpu_llrs(g);
  struct Step {
    EqualizerAlgorithm equalizer;
    unsigned group_prbs;
  };
  for (const Step step :
       {Step{EqualizerAlgorithm::mmse, 0}, Step{EqualizerAlgorithm::mmse_irc, 4},
        Step{EqualizerAlgorithm::mmse_irc, 2}, Step{EqualizerAlgorithm::mmse, 0}}) {
    c.equalizer = step.equalizer;
    c.covariance_group_prbs = step.group_prbs;
    const airan::phy::PuschFrontEndOptions options = make_options(c);
    cpu.process(grid, link.scenario.cell, link.pusch, simulator.slot_number(), options, cpu_llrs);
    gpu.process_grid(grid, link.pusch, simulator.slot_number(), options, gpu_llrs);
    const std::string name = "equalizer " + std::to_string(static_cast<int>(step.equalizer)) +
                             ", groups of " + std::to_string(step.group_prbs);
    EXPECT_GE(sign_agreement(gpu_llrs, cpu_llrs), 0.9999) << name;
    std::vector<cf32> symbols;
    std::vector<float> noise;
    gpu.download_equalized(symbols, noise);
    EXPECT_LT(relative_errors(symbols, cpu.equalized_symbols()).norm, 1e-4) << name;
    if (step.equalizer == EqualizerAlgorithm::mmse_irc) {
      airan::phy::ChannelEstimate estimate(c.rx, 4, c.prbs);
      gpu.download_channel_estimate(estimate);
      ASSERT_EQ(estimate.num_covariance_groups(), cpu.channel_estimate().num_covariance_groups());
      EXPECT_LT(
          relative_errors(all_covariances(estimate), all_covariances(cpu.channel_estimate())).norm,
          1e-4)
          << name;
    }
  }
}

TEST(GpuFrontEndWithoutDevice, ConstructionFailsWithAReason) {
  std::string status;
  if (have_device(status)) {
    GTEST_SKIP() << "a CUDA device is present";
  }
  airan::phy::CellConfig cell;
  try {
    airan::gpu::GpuPuschFrontEnd front_end(cell);
    FAIL() << "constructed without a device";
  } catch (const std::runtime_error& error) {
    EXPECT_FALSE(std::string(error.what()).empty());
  }
}

} // namespace
