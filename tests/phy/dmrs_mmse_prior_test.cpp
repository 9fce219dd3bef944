/// \file
/// \brief The MMSE interpolator's adapted prior on TR 38.901 TDL channels: the channel estimate's
/// error against the true response, with the default options (exponential prior, rms delay
/// spread from the pilots' lag-one and lag-four correlations) and with linear interpolation.
/// These are the cases where the earlier defaults had an error floor: a uniform prior cut off
/// TDL-C's long tail (about -20 dB on 100 PRB whatever the SNR), and the lag-one fit alone
/// measured 0 ns on some narrow-band realisations at high SNR (a 20 ns prior).

#include "airan/phy/awgn.h"
#include "airan/phy/channel_estimate.h"
#include "airan/phy/channel_response.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tdl_channel.h"
#include "airan/phy/tdl_profile.h"

#include "../support/random_bits.h"
#include "../support/tdl_test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

/// Mean estimation error (dB, relative to the channel's power over every RE of the slot) of two
/// estimator options, and the mean measured rms delay spread, over \p slots independent
/// realisations of \p profile at \p snr_db: 1 layer, 4 Rx, \p prbs PRBs at 30 kHz, DMRS type 1 at
/// symbols 2 and 11.
struct PriorComparison {
  double default_error_db = 0.0;
  double linear_error_db = 0.0;
  double measured_spread_s = 0.0;
};

PriorComparison compare(unsigned prbs, const char* profile, double spread_s, double snr_db,
                        unsigned slots) {
  CellConfig cell;
  cell.num_prbs = prbs;
  cell.numerology = 1;
  cell.n_cell_id = 301;
  PuschConfig pusch;
  pusch.rnti = 0x1234;
  pusch.bwp_size = prbs;
  pusch.prb_size = prbs;
  pusch.mcs_index = 14;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_additional_position = 1;
  PuschTransmitter transmitter(cell);
  ResourceGrid tx_grid = transmitter.make_grid();
  std::mt19937_64 rng(1);
  transmitter.transmit(airan::test::random_bits(transmitter.transport_block_size(pusch), rng),
                       pusch, 1, tx_grid);
  const Numerology numerology(1, CyclicPrefix::normal, transmitter.numerology().fft_size());
  TdlChannelConfig config = airan::test::make_tdl_config(profile, spread_s, 4, 1);
  config.max_doppler_hz = 100.0;
  TdlChannel channel(config, numerology, prbs, 17);
  ResourceGrid rx_grid(4, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  ChannelResponse response;
  const DmrsChannelEstimatorLimits limits{4, 1, prbs};
  auto estimator = create_dmrs_channel_estimator(limits);
  ChannelEstimate estimate = make_channel_estimate(limits);
  DmrsChannelEstimatorOptions linear;
  linear.frequency_interpolation = FrequencyInterpolation::linear;
  const DmrsChannelEstimatorOptions defaults;
  AwgnGenerator awgn(5);
  const auto noise = static_cast<float>(std::pow(10.0, -snr_db / 10.0));
  double default_error = 0.0;
  double linear_error = 0.0;
  double power = 0.0;
  PriorComparison result;
  for (unsigned s = 0; s < slots; ++s) {
    channel.reseed(100 + s);
    channel.apply_frequency_domain(tx_grid, 0.0, 1, rx_grid);
    channel.frequency_response(0.0, 1, response);
    awgn.add(rx_grid, noise);
    for (const bool is_default : {true, false}) {
      estimator->estimate(estimate, rx_grid, cell, pusch, 1, is_default ? defaults : linear);
      double& error = is_default ? default_error : linear_error;
      for (unsigned rx = 0; rx < 4; ++rx) {
        for (unsigned l = 0; l < 14; ++l) {
          const auto h = estimate.channel(rx, 0, l);
          const auto truth = response.at(rx, 0, l);
          for (std::size_t k = 0; k < h.size(); ++k) {
            error += std::norm(h[k] - truth[k]);
            power += is_default ? std::norm(truth[k]) : 0.0;
          }
        }
      }
      if (is_default) {
        result.measured_spread_s += estimate.measurements.delay_spread_s / slots;
      }
    }
  }
  result.default_error_db = 10.0 * std::log10(default_error / power);
  result.linear_error_db = 10.0 * std::log10(linear_error / power);
  std::cout << profile << " " << spread_s * 1e9 << " ns, " << prbs << " PRB, SNR " << snr_db
            << " dB: error " << result.default_error_db << " dB (linear " << result.linear_error_db
            << " dB), measured rms spread " << result.measured_spread_s * 1e9 << " ns\n";
  return result;
}

TEST(DmrsMmsePrior, KeepsTdlCsLongTailOnAWideAllocation) {
  // 100 PRB: MMSE was 3.4 dB behind linear interpolation at 14 dB with the uniform prior (-18.3
  // against -21.7 dB) and 9 dB behind at 30 dB; exponential it is 1.8 and 4.6 dB ahead.
  const PriorComparison at14 = compare(100, "TDL-C", 300e-9, 14.0, 12);
  EXPECT_LT(at14.default_error_db, at14.linear_error_db - 1.0);
  EXPECT_LT(at14.default_error_db, -22.5);
  const PriorComparison at30 = compare(100, "TDL-C", 300e-9, 30.0, 12);
  EXPECT_LT(at30.default_error_db, at30.linear_error_db - 3.0);
  // The lag-one fit of an exponential profile finds TDL-C300's rms spread.
  EXPECT_NEAR(at14.measured_spread_s, 300e-9, 60e-9);
}

TEST(DmrsMmsePrior, HasNoErrorFloorOnNarrowAllocationsAtHighSnr) {
  // 24 PRB of TDL-B100 and 4 PRB of TDL-C300 at 30 dB: with the lag-one fit alone some
  // realisations measured 0 ns, and MMSE was 5.7 and 9.7 dB behind linear interpolation.
  const PriorComparison b100 = compare(24, "TDL-B", 100e-9, 30.0, 20);
  EXPECT_LT(b100.default_error_db, b100.linear_error_db);
  const PriorComparison c300 = compare(4, "TDL-C", 300e-9, 30.0, 30);
  EXPECT_LT(c300.default_error_db, c300.linear_error_db - 1.5);
  // At low SNR the prior still averages the noise: well ahead of linear interpolation.
  const PriorComparison low = compare(24, "TDL-B", 100e-9, 6.0, 20);
  EXPECT_LT(low.default_error_db, low.linear_error_db - 4.0);
}

TEST(DmrsMmsePrior, StaysAheadOfLinearOnShortChannels) {
  // TDL-A30 on 100 PRB: nearly flat, where the MMSE filter's noise averaging pays most.
  const PriorComparison a30 = compare(100, "TDL-A", 30e-9, 14.0, 12);
  EXPECT_LT(a30.default_error_db, a30.linear_error_db - 5.0);
  EXPECT_LT(a30.measured_spread_s, 80e-9);
}

} // namespace
