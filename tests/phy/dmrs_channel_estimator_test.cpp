// DMRS channel estimator on synthetic transmissions through a known multipath channel with AWGN:
// interpolation MSE against LS on the pilots, noise variance, RSRP/SNR, CFO and delay accuracy,
// TD-OCC separation, and input checks (the MATLAB grids are in
// dmrs_channel_estimator_matlab_test.cpp).
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

// --- Synthetic transmissions ----------------------------------------------------------------

struct Tap {
  double delay_s;
  cf32 gain;
};

// Frequency-domain multipath channel per (receive antenna, transmit port).
struct MultipathChannel {
  unsigned num_rx = 0;
  unsigned num_ports = 0;
  std::vector<std::vector<Tap>> taps; ///< [rx * num_ports + port]

  [[nodiscard]] cf32 response(unsigned rx, unsigned port, unsigned k, double scs_hz) const {
    std::complex<double> sum = 0.0;
    for (const Tap& tap : taps[rx * num_ports + port]) {
      sum += std::complex<double>(tap.gain) *
             std::polar(1.0, -2.0 * std::numbers::pi * k * scs_hz * tap.delay_s);
    }
    return {static_cast<float>(sum.real()), static_cast<float>(sum.imag())};
  }
};

// Taps at \p delays with powers \p powers_db (normalised to unit total), random complex gains.
MultipathChannel random_channel(unsigned num_rx, unsigned num_ports,
                                const std::vector<double>& delays,
                                const std::vector<double>& powers_db, unsigned seed) {
  std::mt19937 rng(seed);
  double total = 0.0;
  for (double p : powers_db) {
    total += std::pow(10.0, p / 10.0);
  }
  MultipathChannel channel{num_rx, num_ports, {}};
  for (unsigned i = 0; i < num_rx * num_ports; ++i) {
    std::vector<Tap> taps;
    for (std::size_t t = 0; t < delays.size(); ++t) {
      const auto sigma =
          static_cast<float>(std::sqrt(std::pow(10.0, powers_db[t] / 10.0) / total / 2.0));
      std::normal_distribution<float> normal(0.0F, sigma);
      taps.push_back({delays[t], cf32(normal(rng), normal(rng))});
    }
    channel.taps.push_back(taps);
  }
  return channel;
}

// A TDL-like profile, rms delay spread about 100 ns.
const std::vector<double> tdl_delays = {0.0, 30e-9, 70e-9, 150e-9, 230e-9, 310e-9};
const std::vector<double> tdl_powers = {0.0, -1.0, -2.0, -4.0, -7.0, -10.0};

// Time of the FFT window centre of each symbol of \p slot, seconds (for a CFO phase ramp).
std::vector<double> window_centre_times(const CellConfig& cell, unsigned slot) {
  const Numerology numerology = carrier_numerology(cell);
  std::vector<double> times;
  double start = 0.0;
  for (unsigned l = 0; l < numerology.symbols_per_slot(); ++l) {
    times.push_back((start + numerology.cp_length(slot, l) + 0.5 * numerology.fft_size()) /
                    numerology.sample_rate_hz());
    start += numerology.symbol_length(slot, l);
  }
  return times;
}

struct EstimatorLink {
  CellConfig cell;
  PuschConfig pusch;
  unsigned slot = 5;
  unsigned num_rx = 4;
};

EstimatorLink make_estimator_link(unsigned prbs, unsigned layers, std::uint16_t ports,
                                  unsigned num_rx) {
  EstimatorLink link;
  link.cell.num_prbs = prbs;
  link.cell.n_cell_id = 77;
  link.cell.num_antenna_ports = layers;
  link.pusch.rnti = 0x1234;
  link.pusch.bwp_size = link.pusch.prb_size = prbs;
  link.pusch.num_layers = layers;
  link.pusch.dmrs_ports = ports;
  link.pusch.num_dmrs_cdm_groups_no_data = 2;
  link.pusch.dmrs_scrambling_id = 511;
  link.pusch.mcs_index = 10;
  link.pusch.data_scrambling_id = 77;
  link.num_rx = num_rx;
  return link;
}

// Transmits a random TB and passes it through \p channel with AWGN of variance \p noise per RE
// and receive antenna, a CFO phase ramp and an extra delay.
ResourceGrid receive_multipath(const EstimatorLink& link, const MultipathChannel& channel,
                               float noise, unsigned seed, double cfo_hz = 0.0) {
  PuschTransmitter transmitter(link.cell);
  ResourceGrid tx = transmitter.make_grid();
  std::mt19937 rng(seed);
  BitVector tb(transmitter.transport_block_size(link.pusch));
  for (auto& b : tb) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  transmitter.transmit(tb, link.pusch, link.slot, tx);
  const double scs = subcarrier_spacing_hz(link.cell.numerology);
  const unsigned width = tx.num_subcarriers();
  const std::vector<double> times = window_centre_times(link.cell, link.slot);
  ResourceGrid rx(link.num_rx, tx.num_symbols(), width);
  std::normal_distribution<float> normal(0.0F, std::sqrt(noise / 2.0F));
  for (unsigned r = 0; r < link.num_rx; ++r) {
    std::vector<std::vector<cf32>> h(tx.num_ports(), std::vector<cf32>(width));
    for (unsigned p = 0; p < tx.num_ports(); ++p) {
      for (unsigned k = 0; k < width; ++k) {
        h[p][k] = channel.response(r, p, k, scs);
      }
    }
    for (unsigned l = 0; l < tx.num_symbols(); ++l) {
      const auto rotation =
          std::polar(1.0F, static_cast<float>(2.0 * std::numbers::pi * cfo_hz * times[l]));
      for (unsigned k = 0; k < width; ++k) {
        cf32 y(0.0F, 0.0F);
        for (unsigned p = 0; p < tx.num_ports(); ++p) {
          y += h[p][k] * tx.at(p, l, k);
        }
        rx.at(r, l, k) = rotation * y + cf32(normal(rng), normal(rng));
      }
    }
  }
  return rx;
}

// Mean squared error of the estimate over every RE of the allocation (static channel).
double estimate_mse(const ChannelEstimate& estimate, const EstimatorLink& link,
                    const MultipathChannel& channel) {
  const double scs = subcarrier_spacing_hz(link.cell.numerology);
  double sum = 0.0;
  std::size_t count = 0;
  for (unsigned r = 0; r < estimate.num_rx_antennas(); ++r) {
    for (unsigned layer = 0; layer < estimate.num_layers(); ++layer) {
      for (unsigned k = 0; k < estimate.num_subcarriers(); ++k) {
        const cf32 truth = channel.response(r, layer, k, scs);
        for (unsigned l = link.pusch.start_symbol;
             l < link.pusch.start_symbol + link.pusch.num_symbols; ++l) {
          sum += std::norm(estimate.at(r, layer, l, k) - truth);
          ++count;
        }
      }
    }
  }
  return sum / static_cast<double>(count);
}

// MSE of least squares on the DMRS REs themselves: y / x per pilot RE (ports must not share a
// CDM group), and the mean true channel power there.
void least_squares_on_pilots(const ResourceGrid& grid, const EstimatorLink& link,
                             const MultipathChannel& channel, double& mse, double& power) {
  const PuschDmrsParams params = make_pusch_dmrs_params(link.cell, link.pusch, link.slot);
  const double scs = subcarrier_spacing_hz(link.cell.numerology);
  std::vector<cf32> x(params.values_per_symbol());
  double sum = 0.0;
  double power_sum = 0.0;
  std::size_t count = 0;
  for (unsigned layer = 0; layer < link.pusch.num_layers; ++layer) {
    const unsigned port = link.pusch.dmrs_port_of_layer(layer);
    const unsigned delta = dmrs_port_params(params.config_type, port).delta;
    for (unsigned l = 0; l < 14; ++l) {
      if (!params.symbols.contains(l)) {
        continue;
      }
      generate_pusch_dmrs(params, port, l, x);
      for (unsigned r = 0; r < link.num_rx; ++r) {
        for (unsigned i = 0; i < x.size(); ++i) {
          const unsigned k = dmrs_subcarrier(params.config_type, delta, i);
          const cf32 truth = channel.response(r, layer, k, scs);
          sum += std::norm(grid.at(r, l, k) / x[i] - truth);
          power_sum += std::norm(truth);
          ++count;
        }
      }
    }
  }
  mse = sum / static_cast<double>(count);
  power = power_sum / static_cast<double>(count);
}

// 2 layers on ports 0 and 2 (separate CDM groups, so LS per pilot RE is clean), 4 antennas,
// 52 PRBs, multipath at 20 dB SNR: both interpolators beat LS on the pilots and MMSE (default:
// prior adapted to the measured delay spread) beats linear, on a short TDL-like channel, one
// with 1.2 us and one with 2 us of excess delay. A fixed exponential 300 ns prior also beats
// linear on the short channel, which it matches.
TEST(DmrsChannelEstimator, InterpolationBeatsLeastSquaresOnPilots) {
  struct Profile {
    const char* name;
    std::vector<double> delays;
    std::vector<double> powers;
  };
  const Profile profiles[] = {
      {"short", tdl_delays, tdl_powers},
      {"1.2 us", {0.0, 200e-9, 500e-9, 800e-9, 1.2e-6}, {0.0, -2.0, -4.0, -8.0, -12.0}},
      {"2 us", {0.0, 1e-6, 2e-6}, {0.0, -3.0, -6.0}},
  };
  for (const Profile& profile : profiles) {
    const EstimatorLink link = make_estimator_link(52, 2, 0b101, 4);
    const MultipathChannel channel = random_channel(4, 2, profile.delays, profile.powers, 3);
    const float noise = 0.01F;
    const ResourceGrid grid = receive_multipath(link, channel, noise, 4);
    double ls_mse = 0.0;
    double power = 0.0;
    least_squares_on_pilots(grid, link, channel, ls_mse, power);
    auto estimator = create_dmrs_channel_estimator({4, 2, 52});
    ChannelEstimate estimate = make_channel_estimate({4, 2, 52});
    DmrsChannelEstimatorOptions options;
    options.frequency_interpolation = FrequencyInterpolation::linear;
    estimator->estimate(estimate, grid, link.cell, link.pusch, link.slot, options);
    const double linear_mse = estimate_mse(estimate, link, channel);
    options.frequency_interpolation = FrequencyInterpolation::mmse; // default prior
    estimator->estimate(estimate, grid, link.cell, link.pusch, link.slot, options);
    const double mmse_mse = estimate_mse(estimate, link, channel);
    const float measured_spread = estimate.measurements.delay_spread_s;
    options.delay_profile = DelayProfile::exponential;
    options.delay_spread_s = 300e-9F;
    estimator->estimate(estimate, grid, link.cell, link.pusch, link.slot, options);
    const double exponential_mse = estimate_mse(estimate, link, channel);
    std::cout << profile.name << " channel (measured rms spread " << measured_spread * 1e9
              << " ns), MSE: LS on pilots " << ls_mse << ", linear " << linear_mse
              << ", MMSE adaptive " << mmse_mse << ", MMSE exponential 300 ns " << exponential_mse
              << "\n";
    EXPECT_NEAR(ls_mse, noise / 2.0, 0.1 * noise / 2.0) << profile.name; // sigma^2 / beta^2
    EXPECT_LT(linear_mse, ls_mse) << profile.name;
    EXPECT_LE(mmse_mse, linear_mse) << profile.name;
    if (profile.delays == tdl_delays) {
      EXPECT_LE(exponential_mse, linear_mse);
    }
  }
}

struct NoiseCase {
  const char* name;
  DmrsConfigType type;
  unsigned length;
  unsigned additional_position;
  unsigned layers;
  std::uint16_t ports;
  unsigned cdm_groups_no_data;
};

// Noise variance within 10% at 10 and 20 dB SNR, for FD-OCC (type 1, ports 0 and 1), TD-OCC on
// type 2 with all four codes of CDM group 0 (ports 0, 1, 6, 7) and a single layer with four
// DMRS occasions; RSRP within 10% and SNR within 1 dB of the truth.
TEST(DmrsChannelEstimator, NoiseVarianceRsrpAndSnrMatchTheTruth) {
  const NoiseCase cases[] = {
      {"type 1, FD-OCC ports 0+1", DmrsConfigType::type1, 1, 1, 2, 0b11, 2},
      {"type 2 double, ports 0+1+6+7", DmrsConfigType::type2, 2, 1, 4, 0b11000011, 1},
      {"type 1, 1 layer pos3", DmrsConfigType::type1, 1, 3, 1, 0b1, 1},
  };
  for (const NoiseCase& nc : cases) {
    EstimatorLink link = make_estimator_link(52, nc.layers, nc.ports, 4);
    link.pusch.dmrs_config_type = nc.type;
    link.pusch.dmrs_length = nc.length;
    link.pusch.dmrs_additional_position = nc.additional_position;
    link.pusch.num_dmrs_cdm_groups_no_data = nc.cdm_groups_no_data;
    ASSERT_EQ(link.pusch.validate(link.cell), "") << nc.name;
    const MultipathChannel channel = random_channel(4, nc.layers, tdl_delays, tdl_powers, 8);
    for (double snr_db : {10.0, 20.0}) {
      const auto noise = static_cast<float>(std::pow(10.0, -snr_db / 10.0));
      const ResourceGrid grid = receive_multipath(link, channel, noise, 9);
      double ls_mse = 0.0;
      double power = 0.0;
      least_squares_on_pilots(grid, link, channel, ls_mse, power);
      auto estimator = create_dmrs_channel_estimator({4, 4, 52});
      ChannelEstimate estimate = make_channel_estimate({4, 4, 52});
      estimator->estimate(estimate, grid, link.cell, link.pusch, link.slot, {});
      const auto& m = estimate.measurements;
      const float beta2 = static_cast<float>(nc.cdm_groups_no_data);
      const std::string what = std::string(nc.name) + " at " + std::to_string(snr_db) + " dB";
      EXPECT_NEAR(m.noise_variance, noise, 0.1F * noise) << what;
      EXPECT_NEAR(m.rsrp, beta2 * power, 0.1 * beta2 * power) << what;
      EXPECT_NEAR(m.sinr_db, 10.0 * std::log10(power / noise), 1.0) << what;
      EXPECT_LT(estimate_mse(estimate, link, channel), noise / beta2) << what;
    }
  }
}

// A CFO of 400 Hz (and -250 Hz) as a phase ramp across the symbols, at 20 dB, with single- and
// double-symbol DMRS and with four occasions: estimate within 5%. One occasion: no estimate.
TEST(DmrsChannelEstimator, CfoEstimateFromDmrsPhaseRotation) {
  for (unsigned variant = 0; variant < 3; ++variant) {
    EstimatorLink link = make_estimator_link(24, 1, 0b1, 2);
    link.pusch.dmrs_length = variant == 1 ? 2 : 1;
    link.pusch.dmrs_additional_position = variant == 2 ? 3 : 1;
    const MultipathChannel channel = random_channel(2, 1, tdl_delays, tdl_powers, 12);
    for (double cfo : {400.0, -250.0}) {
      const ResourceGrid grid = receive_multipath(link, channel, 0.01F, 13, cfo);
      auto estimator = create_dmrs_channel_estimator({2, 1, 24});
      ChannelEstimate estimate = make_channel_estimate({2, 1, 24});
      estimator->estimate(estimate, grid, link.cell, link.pusch, link.slot, {});
      ASSERT_TRUE(estimate.measurements.cfo_hz.has_value());
      EXPECT_NEAR(*estimate.measurements.cfo_hz, cfo, 0.05 * std::abs(cfo))
          << "variant " << variant;
    }
  }
  EstimatorLink single = make_estimator_link(24, 1, 0b1, 2);
  single.pusch.dmrs_additional_position = 0;
  const MultipathChannel channel = random_channel(2, 1, tdl_delays, tdl_powers, 12);
  const ResourceGrid grid = receive_multipath(single, channel, 0.01F, 13, 400.0);
  auto estimator = create_dmrs_channel_estimator({2, 1, 24});
  ChannelEstimate estimate = make_channel_estimate({2, 1, 24});
  estimator->estimate(estimate, grid, single.cell, single.pusch, single.slot, {});
  EXPECT_FALSE(estimate.measurements.cfo_hz.has_value());
}

// A pure delay (one tap at 0.6 us, or -0.4 us) at 20 dB: the delay estimate is within 5% for
// both DMRS types, and with delay compensation the interpolated channel stays accurate.
TEST(DmrsChannelEstimator, DelayEstimateFromPhaseSlope) {
  for (DmrsConfigType type : {DmrsConfigType::type1, DmrsConfigType::type2}) {
    for (double delay : {0.6e-6, -0.4e-6}) {
      EstimatorLink link = make_estimator_link(52, 1, 0b1, 2);
      link.pusch.dmrs_config_type = type;
      MultipathChannel channel = random_channel(2, 1, {delay}, {0.0}, 21);
      const ResourceGrid grid = receive_multipath(link, channel, 0.01F, 22);
      auto estimator = create_dmrs_channel_estimator({2, 1, 52});
      ChannelEstimate estimate = make_channel_estimate({2, 1, 52});
      estimator->estimate(estimate, grid, link.cell, link.pusch, link.slot, {});
      const std::string what =
          "type " + std::to_string(static_cast<int>(type)) + ", " + std::to_string(delay);
      EXPECT_NEAR(estimate.measurements.delay_s, delay, 0.05 * std::abs(delay)) << what;
      double ls_mse = 0.0;
      double power = 0.0;
      least_squares_on_pilots(grid, link, channel, ls_mse, power);
      EXPECT_LT(estimate_mse(estimate, link, channel), 0.5 * ls_mse) << what;
    }
  }
}

// Four layers sharing CDM group 0 of type 1 through all four (w_f, w_t) codes (ports 0, 1, 4,
// 5), noise-free, frequency-flat random channel: de-spreading separates the ports exactly.
TEST(DmrsChannelEstimator, DoubleSymbolOccSeparatesFourPortsOfOneGroup) {
  EstimatorLink link = make_estimator_link(12, 4, 0b110011, 4);
  link.pusch.dmrs_length = 2;
  link.pusch.num_dmrs_cdm_groups_no_data = 1;
  ASSERT_EQ(link.pusch.validate(link.cell), "");
  const MultipathChannel channel = random_channel(4, 4, {0.0}, {0.0}, 31);
  const ResourceGrid grid = receive_multipath(link, channel, 0.0F, 32);
  auto estimator = create_dmrs_channel_estimator({4, 4, 12});
  ChannelEstimate estimate = make_channel_estimate({4, 4, 12});
  for (FrequencyInterpolation interpolation :
       {FrequencyInterpolation::linear, FrequencyInterpolation::mmse}) {
    DmrsChannelEstimatorOptions options;
    options.frequency_interpolation = interpolation;
    estimator->estimate(estimate, grid, link.cell, link.pusch, link.slot, options);
    EXPECT_LT(estimate_mse(estimate, link, channel), 1e-9);
    EXPECT_LT(estimate.measurements.noise_variance, 1e-8F);
  }
}

TEST(DmrsChannelEstimator, RejectsBadInput) {
  const EstimatorLink link = make_estimator_link(12, 1, 0b1, 2);
  auto estimator = create_dmrs_channel_estimator({2, 1, 12});
  ChannelEstimate estimate = make_channel_estimate({2, 1, 12});
  const ResourceGrid wrong_width(2, 14, 100);
  EXPECT_THROW(estimator->estimate(estimate, wrong_width, link.cell, link.pusch, 0, {}),
               std::invalid_argument);
  const ResourceGrid too_many_antennas(3, 14, 144);
  EXPECT_THROW(estimator->estimate(estimate, too_many_antennas, link.cell, link.pusch, 0, {}),
               std::invalid_argument);
  PuschConfig invalid = link.pusch;
  invalid.num_layers = 2; // one DMRS port for two layers
  const ResourceGrid grid(2, 14, 144);
  EXPECT_THROW(estimator->estimate(estimate, grid, link.cell, invalid, 0, {}),
               std::invalid_argument);
  EXPECT_NO_THROW(estimator->estimate(estimate, grid, link.cell, link.pusch, 0, {}));
  EXPECT_THROW(create_dmrs_channel_estimator({17, 1, 12}), std::invalid_argument);
}

} // namespace
} // namespace airan::phy
