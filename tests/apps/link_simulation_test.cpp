// SlotSimulator with several PDUs: each PDU is a UE with a fading channel of its own, the UEs'
// signals add up at the receive antennas, and the true channel is per subcarrier that of the UE
// occupying it (TDL and CDL models); CDL models' link checks; phase noise. (All PDUs went
// through one realisation, so two UEs of a scenario, and the vectors `airan gen` wrote for them,
// faded identically.)
#include "airan/apps/link_simulation.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <complex>
#include <string>
#include <vector>

namespace {

using namespace airan;

constexpr unsigned num_prbs = 24;

apps::LinkScenario two_ue_scenario(apps::ChannelDomain domain, const char* model = "TDL-C") {
  apps::LinkScenario scenario;
  scenario.cell.num_prbs = num_prbs;
  scenario.cell.numerology = 1;
  scenario.cell.n_cell_id = 3;
  scenario.cell.num_antenna_ports = 1;
  scenario.num_rx_antennas = 2;
  scenario.channel.model = model;
  scenario.channel.delay_spread_s = 300e-9;
  scenario.channel.max_doppler_hz = 50.0;
  scenario.channel.domain = domain;
  return scenario;
}

/// PDU \p ue: 12 PRBs from PRB 12 * ue, one layer, QPSK.
phy::PuschConfig ue_pdu(unsigned ue) {
  phy::PuschConfig pdu;
  pdu.rnti = static_cast<std::uint16_t>(0x100 + ue);
  pdu.bwp_start = 0;
  pdu.bwp_size = num_prbs;
  pdu.prb_start = 12 * ue;
  pdu.prb_size = 12;
  pdu.num_dmrs_cdm_groups_no_data = 2;
  pdu.dmrs_scrambling_id = 3;
  pdu.data_scrambling_id = 3;
  pdu.mcs_index = 4;
  return pdu;
}

/// Mean |a - b| over receive antenna 0, port 0, symbol 5, subcarriers [first, first + count).
double mean_difference(const phy::ChannelResponse& a, const phy::ChannelResponse& b,
                       std::size_t first, std::size_t count) {
  const auto x = a.at(0, 0, 5).subspan(first, count);
  const auto y = b.at(0, 0, 5).subspan(first, count);
  double sum = 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    sum += std::abs(x[k] - y[k]);
  }
  return sum / static_cast<double>(count);
}

TEST(SlotSimulator, EachPduHasAChannelOfItsOwnAndTheSignalsAdd) {
  const auto scenario = two_ue_scenario(apps::ChannelDomain::frequency);
  const std::vector<phy::PuschConfig> pdus = {ue_pdu(0), ue_pdu(1)};
  constexpr std::uint64_t seed = 77;
  constexpr std::size_t half = std::size_t{12} * 12; // subcarriers of one UE

  // Each UE alone, on the realisation the pair gives it.
  apps::SlotSimulator alone(scenario);
  alone.reseed_channel(seed);
  alone.simulate(std::span(pdus).first(1), 3, 1, 2, 0.0F);
  const phy::ChannelResponse ue0 = alone.true_channel();
  alone.reseed_channel(apps::SlotSimulator::channel_seed_of_pdu(seed, 1));
  alone.simulate(std::span(pdus).subspan(1), 3, 1, 2, 0.0F);
  const phy::ChannelResponse ue1 = alone.true_channel();

  apps::SlotSimulator both(scenario);
  both.reseed_channel(seed);
  both.simulate(pdus, 3, 1, 2, 0.0F);
  const auto& h = both.true_channel();
  EXPECT_EQ(mean_difference(h, ue0, 0, half), 0.0);
  EXPECT_EQ(mean_difference(h, ue1, half, half), 0.0);
  // Independent realisations: UE 1's channel is not UE 0's.
  EXPECT_GT(mean_difference(h, ue0, half, half), 0.1);

  // Noise-free, the received grid is each UE's channel times its own transmission.
  phy::PuschTransmitter transmitter(scenario.cell);
  auto tx = transmitter.make_grid();
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    transmitter.transmit(both.tb_bits(i), pdus[i], both.slot_number(), tx);
  }
  const auto& rx = both.received_grid();
  double worst = 0.0;
  for (unsigned r = 0; r < scenario.num_rx_antennas; ++r) {
    for (unsigned l = 0; l < rx.num_symbols(); ++l) {
      const auto channel = h.at(r, 0, l);
      const auto sent = tx.symbol(0, l);
      const auto received = rx.symbol(r, l);
      for (std::size_t k = 0; k < received.size(); ++k) {
        worst = std::max(worst, static_cast<double>(std::abs(received[k] - channel[k] * sent[k])));
      }
    }
  }
  EXPECT_LT(worst, 1e-5);
}

// In the time domain too the UEs fade independently, and each UE's subcarriers hold its signal
// through its channel (up to the inter-carrier interference of the Doppler): for the TDL taps and
// for the CDL model's rays (the true channel is the one applied to the IQ).
class TimeDomainModel : public ::testing::TestWithParam<const char*> {};

TEST_P(TimeDomainModel, UesFadeIndependently) {
  const auto scenario = two_ue_scenario(apps::ChannelDomain::time, GetParam());
  const std::vector<phy::PuschConfig> pdus = {ue_pdu(0), ue_pdu(1)};
  apps::SlotSimulator both(scenario);
  both.reseed_channel(5);
  both.simulate(pdus, 0, 1, 2, 0.0F);
  const phy::ChannelResponse h = both.true_channel();
  apps::SlotSimulator alone(scenario);
  alone.reseed_channel(5);
  alone.simulate(std::span(pdus).first(1), 0, 1, 2, 0.0F);
  EXPECT_EQ(mean_difference(h, alone.true_channel(), 0, 144), 0.0);
  EXPECT_GT(mean_difference(h, alone.true_channel(), 144, 144), 0.1);

  phy::PuschTransmitter transmitter(scenario.cell);
  auto tx = transmitter.make_grid();
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    transmitter.transmit(both.tb_bits(i), pdus[i], both.slot_number(), tx);
  }
  double error = 0.0;
  double power = 0.0;
  const auto& rx = both.received_grid();
  for (unsigned l = 0; l < rx.num_symbols(); ++l) {
    const auto channel = h.at(0, 0, l);
    const auto sent = tx.symbol(0, l);
    const auto received = rx.symbol(0, l);
    for (std::size_t k = 0; k < received.size(); ++k) {
      error += std::norm(received[k] - channel[k] * sent[k]);
      power += std::norm(channel[k] * sent[k]);
    }
  }
  EXPECT_LT(error / power, 1e-3) << "signal-to-distortion " << power / error;
}

INSTANTIATE_TEST_SUITE_P(SlotSimulator, TimeDomainModel, ::testing::Values("TDL-C", "CDL-C"),
                         [](const auto& info) {
                           std::string name = info.param;
                           name.erase(name.find('-'), 1);
                           return name;
                         });

TEST(ChannelSpec, ModelNamesAreCanonicalised) {
  EXPECT_EQ(apps::canonical_channel_model("AWGN"), "awgn");
  EXPECT_EQ(apps::canonical_channel_model("tdl-c300"), "TDL-C300");
  EXPECT_EQ(apps::canonical_channel_model("cdl-c"), "CDL-C");
  EXPECT_EQ(apps::canonical_channel_model("TDL-Q"), "TDL-Q"); // unknown: left for validation
}

// Phase noise (--phase-noise): a TDL or CDL impairment like the CFO, in the description, checked
// by the channel (at most the subcarrier spacing), and in the simulated slot: the same
// realisation's true channel times one common phase error per symbol.
TEST(SlotSimulator, PhaseNoiseNeedsAFadingModelAndReachesTheChannel) {
  const std::vector<phy::PuschConfig> pdus = {ue_pdu(0)};
  auto scenario = two_ue_scenario(apps::ChannelDomain::frequency);
  scenario.channel.phase_noise_linewidth_hz = 100.0;
  EXPECT_EQ(apps::validate_link(scenario, pdus), "");
  EXPECT_NE(scenario.channel.describe().find(", phase noise 100 Hz linewidth,"), std::string::npos)
      << scenario.channel.describe();
  scenario.channel.phase_noise_linewidth_hz = 40e3; // above the 30 kHz subcarrier spacing
  EXPECT_NE(apps::validate_link(scenario, pdus).find("phase_noise_linewidth_hz"),
            std::string::npos);
  scenario.channel.model = "CDL-C";
  EXPECT_NE(apps::validate_link(scenario, pdus).find("phase_noise_linewidth_hz"),
            std::string::npos);
  apps::LinkScenario awgn = scenario;
  awgn.channel = {};
  awgn.channel.phase_noise_linewidth_hz = 100.0;
  EXPECT_NE(apps::validate_link(awgn, pdus)
                .find("phase noise, timing offset and Doppler need a "
                      "TDL or CDL model"),
            std::string::npos);

  scenario = two_ue_scenario(apps::ChannelDomain::frequency);
  apps::SlotSimulator plain(scenario);
  scenario.channel.phase_noise_linewidth_hz = 1000.0;
  apps::SlotSimulator noisy(scenario);
  plain.reseed_channel(9);
  noisy.reseed_channel(9);
  plain.simulate(pdus, 5, 1, 2, 0.0F);
  noisy.simulate(pdus, 5, 1, 2, 0.0F);
  double worst = 0.0;
  double smallest_rotation = 10.0;
  for (unsigned l = 0; l < 14; ++l) {
    const std::complex<double> cpe = std::complex<double>(noisy.true_channel().at(0, 0, l)[7]) /
                                     std::complex<double>(plain.true_channel().at(0, 0, l)[7]);
    smallest_rotation = std::min(smallest_rotation, std::abs(cpe - 1.0));
    for (unsigned r = 0; r < 2; ++r) {
      const auto a = plain.true_channel().at(r, 0, l);
      const auto b = noisy.true_channel().at(r, 0, l);
      for (std::size_t k = 0; k < a.size(); ++k) {
        worst = std::max(worst,
                         std::abs(std::complex<double>(b[k]) - cpe * std::complex<double>(a[k])));
      }
    }
  }
  EXPECT_LT(worst, 1e-5) << "not one rotation per symbol";
  EXPECT_GT(smallest_rotation, 1e-3) << "no phase noise";
}

TEST(SlotSimulator, CdlModelsNeedADelaySpreadAndNoCorrelationMatrixAndPatternsNeedCdl) {
  const std::vector<phy::PuschConfig> pdus = {ue_pdu(0)};
  auto scenario = two_ue_scenario(apps::ChannelDomain::frequency, "CDL-A");
  EXPECT_EQ(apps::validate_link(scenario, pdus), "");
  scenario.channel.delay_spread_s = 0.0;
  EXPECT_NE(apps::validate_link(scenario, pdus).find("delay spread"), std::string::npos);
  scenario = two_ue_scenario(apps::ChannelDomain::frequency, "CDL-A");
  scenario.channel.correlation = phy::AntennaCorrelation::low;
  EXPECT_NE(apps::validate_link(scenario, pdus).find("correlation"), std::string::npos);
  scenario = two_ue_scenario(apps::ChannelDomain::frequency, "TDL-C");
  scenario.channel.bs_antenna_pattern = phy::CdlElementPattern::tr38901;
  EXPECT_NE(apps::validate_link(scenario, pdus).find("antenna pattern needs a CDL model"),
            std::string::npos);
  scenario.channel.model = "CDL-C";
  EXPECT_EQ(apps::validate_link(scenario, pdus), "");
  EXPECT_NE(scenario.channel.describe().find("38.901 elements"), std::string::npos);
  scenario = two_ue_scenario(apps::ChannelDomain::frequency, "CDL-Z");
  EXPECT_NE(apps::validate_link(scenario, pdus).find("CDL-A, CDL-B"), std::string::npos);
  // Polarisation: CDL only; a dual-polarised UE needs an even number of ports.
  scenario = two_ue_scenario(apps::ChannelDomain::frequency, "TDL-C");
  scenario.channel.bs_polarization = phy::CdlPolarization::cross;
  EXPECT_NE(apps::validate_link(scenario, pdus).find("polarisation other than V needs a CDL"),
            std::string::npos);
  scenario.channel.model = "CDL-C";
  EXPECT_EQ(apps::validate_link(scenario, pdus), "");
  EXPECT_NE(scenario.channel.describe().find("polarisation BS cross UE V"), std::string::npos);
  scenario.cell.num_antenna_ports = 1;
  scenario.channel.ue_polarization = phy::CdlPolarization::vh;
  EXPECT_NE(apps::validate_link(scenario, pdus)
                .find("the UE's VH array is dual-polarised: it needs an even number of antennas, "
                      "got 1"),
            std::string::npos)
      << apps::validate_link(scenario, pdus);
}

} // namespace
