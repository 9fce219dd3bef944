/// \file
/// \brief The DMRS channel estimator's error against the true channel on a TDL link: one layer,
/// 4 Rx, 30 kHz, DMRS type 1 at symbols 2 and 11 (2 CDM groups without data), for comparing
/// estimator options on the same slots.
#pragma once

#include "airan/phy/awgn.h"
#include "airan/phy/channel_estimate.h"
#include "airan/phy/channel_response.h"
#include "airan/phy/dmrs_channel_estimator.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/tdl_channel.h"

#include "random_bits.h"
#include "tdl_test_helpers.h"

#include <cmath>
#include <random>
#include <span>
#include <vector>

namespace airan::test {

/// The link: \p prbs PRBs (carrier = allocation), a TR 38.901 TDL profile with its rms spread,
/// Doppler and CFO.
struct EstimationLink {
  unsigned prbs = 106;
  const char* profile = "TDL-B";
  double spread_s = 100e-9;
  double doppler_hz = 100.0;
  double cfo_hz = 0.0;
};

/// What estimation_errors() measured.
struct EstimationErrors {
  std::vector<double> error_db;     ///< Per option: sum |h - h_true|^2 / sum |h_true|^2, in dB.
  double mean_delay_spread_s = 0.0; ///< The first option's measured rms delay spread, mean.
};

/// Runs every option of \p options on the same \p slots realisations of \p link at \p snr_db
/// (independent realisations: seeds 100, 101, ...; the same noise draws for every option) and
/// compares the estimates with the true response over every RE of the slot.
inline EstimationErrors estimation_errors(const EstimationLink& link,
                                          std::span<const phy::DmrsChannelEstimatorOptions> options,
                                          double snr_db, unsigned slots) {
  using namespace phy;
  CellConfig cell;
  cell.num_prbs = link.prbs;
  cell.numerology = 1;
  cell.n_cell_id = 301;
  PuschConfig pusch;
  pusch.rnti = 0x1234;
  pusch.bwp_size = link.prbs;
  pusch.prb_size = link.prbs;
  pusch.mcs_index = 14;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_additional_position = 1;
  PuschTransmitter transmitter(cell);
  ResourceGrid tx_grid = transmitter.make_grid();
  std::mt19937_64 rng(1);
  transmitter.transmit(random_bits(transmitter.transport_block_size(pusch), rng), pusch, 1,
                       tx_grid);
  const Numerology numerology(1, CyclicPrefix::normal, transmitter.numerology().fft_size());
  TdlChannelConfig config = make_tdl_config(link.profile, link.spread_s, 4, 1);
  config.max_doppler_hz = link.doppler_hz;
  config.cfo_hz = link.cfo_hz;
  TdlChannel channel(config, numerology, link.prbs, 17);
  ResourceGrid rx_grid(4, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  ChannelResponse response;
  const DmrsChannelEstimatorLimits limits{4, 1, link.prbs};
  auto estimator = create_dmrs_channel_estimator(limits);
  ChannelEstimate estimate = make_channel_estimate(limits);
  AwgnGenerator awgn(5);
  const auto noise = static_cast<float>(std::pow(10.0, -snr_db / 10.0));
  EstimationErrors result;
  result.error_db.assign(options.size(), 0.0);
  double power = 0.0;
  for (unsigned s = 0; s < slots; ++s) {
    channel.reseed(100 + s);
    channel.apply_frequency_domain(tx_grid, 0.0, 1, rx_grid);
    channel.frequency_response(0.0, 1, response);
    awgn.add(rx_grid, noise);
    for (std::size_t m = 0; m < options.size(); ++m) {
      estimator->estimate(estimate, rx_grid, cell, pusch, 1, options[m]);
      for (unsigned rx = 0; rx < 4; ++rx) {
        for (unsigned l = 0; l < 14; ++l) {
          const auto h = estimate.channel(rx, 0, l);
          const auto truth = response.at(rx, 0, l);
          for (std::size_t k = 0; k < h.size(); ++k) {
            result.error_db[m] += std::norm(h[k] - truth[k]);
            power += m == 0 ? std::norm(truth[k]) : 0.0;
          }
        }
      }
      if (m == 0) {
        result.mean_delay_spread_s += estimate.measurements.delay_spread_s / slots;
      }
    }
  }
  for (double& e : result.error_db) {
    e = 10.0 * std::log10(e / power);
  }
  return result;
}

} // namespace airan::test
