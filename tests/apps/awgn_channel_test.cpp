// The awgn model of SlotSimulator: every receive antenna sees every UE port at unit gain, the
// ports' columns orthogonal. (Antenna r saw port r mod P alone: with two ports each layer reached
// half the antennas, 3 dB below the SNR definition, and TPMI 1 on one antenna reached none.)
#include "airan/apps/bler_evaluation.h"
#include "airan/apps/link_simulation.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <complex>
#include <utility>
#include <vector>

namespace {

using namespace airan;

TEST(AwgnChannelGain, UnitGainEverywhereAndOrthogonalPorts) {
  for (const auto& [rx, tx] : {std::pair{1U, 1U}, std::pair{4U, 1U}, std::pair{2U, 2U},
                               std::pair{4U, 2U}, std::pair{3U, 2U}, std::pair{4U, 4U},
                               std::pair{8U, 4U}, std::pair{1U, 2U}, std::pair{2U, 4U}}) {
    for (unsigned r = 0; r < rx; ++r) {
      for (unsigned p = 0; p < tx; ++p) {
        EXPECT_NEAR(std::abs(apps::awgn_channel_gain(r, p, rx, tx)), 1.0, 1e-6) << rx << tx;
      }
    }
    if (tx == 1) {
      for (unsigned r = 0; r < rx; ++r) {
        EXPECT_EQ(apps::awgn_channel_gain(r, 0, rx, tx), phy::cf32(1.0F, 0.0F));
      }
    }
    // Columns (ports) orthogonal with rx >= tx, rows (antennas) otherwise.
    const unsigned vectors = rx >= tx ? tx : rx;
    const unsigned length = rx >= tx ? rx : tx;
    for (unsigned a = 0; a < vectors; ++a) {
      for (unsigned b = a + 1; b < vectors; ++b) {
        std::complex<double> dot{};
        for (unsigned i = 0; i < length; ++i) {
          const auto ga = rx >= tx ? apps::awgn_channel_gain(i, a, rx, tx)
                                   : apps::awgn_channel_gain(a, i, rx, tx);
          const auto gb = rx >= tx ? apps::awgn_channel_gain(i, b, rx, tx)
                                   : apps::awgn_channel_gain(b, i, rx, tx);
          dot += std::complex<double>(ga) * std::conj(std::complex<double>(gb));
        }
        EXPECT_LT(std::abs(dot), 1e-5) << rx << " x " << tx << ": " << a << ", " << b;
      }
    }
  }
}

apps::LinkScenario two_port_scenario(apps::ChannelDomain domain, unsigned rx) {
  apps::LinkScenario scenario;
  scenario.cell.num_prbs = 12;
  scenario.cell.numerology = 1;
  scenario.cell.n_cell_id = 5;
  scenario.cell.num_antenna_ports = 2;
  scenario.num_rx_antennas = rx;
  scenario.channel.domain = domain;
  return scenario;
}

phy::PuschConfig two_layer_pdu() {
  phy::PuschConfig pdu;
  pdu.bwp_size = 12;
  pdu.prb_size = 12;
  pdu.num_dmrs_cdm_groups_no_data = 2;
  pdu.num_layers = 2;
  pdu.dmrs_ports = 0x3;
  pdu.mcs_index = 9;
  return pdu;
}

// Without noise each antenna receives sum_p H_rp x_p with the true channel's H, every H_rp of unit
// magnitude: two unit-power layers give each antenna twice a layer's power on the data REs.
TEST(AwgnChannel, EveryAntennaReceivesEveryPortAtUnitGain) {
  for (const auto domain : {apps::ChannelDomain::frequency, apps::ChannelDomain::time}) {
    const auto scenario = two_port_scenario(domain, 4);
    const std::vector<phy::PuschConfig> pdus = {two_layer_pdu()};
    apps::SlotSimulator simulator(scenario);
    simulator.simulate(pdus, 6, 11, 12, 0.0F);

    phy::PuschTransmitter transmitter(scenario.cell);
    phy::ResourceGrid sent = transmitter.make_grid();
    transmitter.transmit(simulator.tb_bits(0), simulator.uci_bits(0).view(), pdus[0],
                         simulator.slot_number(), sent);
    const phy::ResourceGrid& received = simulator.received_grid();
    const phy::ChannelResponse& h = simulator.true_channel();
    const double tolerance = domain == apps::ChannelDomain::frequency ? 1e-5 : 1e-3;
    const unsigned data_symbol = 5; // no DMRS there (single-symbol DMRS on symbol 2 and 11)
    for (unsigned r = 0; r < 4; ++r) {
      double worst = 0.0;
      double power = 0.0;
      for (unsigned k = 0; k < sent.num_subcarriers(); ++k) {
        phy::cf32 expected{};
        for (unsigned p = 0; p < 2; ++p) {
          EXPECT_NEAR(std::abs(h.at(r, p, data_symbol)[k]), 1.0, 1e-6);
          expected += h.at(r, p, data_symbol)[k] * sent.port(p)[data_symbol * 144 + k];
        }
        const phy::cf32 got = received.port(r)[data_symbol * 144 + k];
        worst = std::max(worst, double(std::abs(got - expected)));
        power += std::norm(got);
      }
      EXPECT_LT(worst, tolerance) << "antenna " << r;
      EXPECT_NEAR(power / 144.0, 2.0, 0.2) << "antenna " << r; // 1.0 with port r mod 2 alone
    }
  }
}

// One layer precoded onto port 1 alone (TPMI 1: W = [0; 1] / sqrt(2)) reaches a single receive
// antenna: error-free at 20 dB (every TB failed while antenna 0 saw port 0 alone).
TEST(AwgnChannel, ASecondPortAloneReachesOneAntenna) {
  apps::EvaluationConfig config;
  config.scenario = two_port_scenario(apps::ChannelDomain::frequency, 1);
  config.pusch.bwp_size = 12;
  config.pusch.prb_size = 12;
  config.pusch.num_dmrs_cdm_groups_no_data = 2;
  config.pusch.mcs_index = 9;
  config.pusch.precoding = phy::PuschPrecoding::codebook;
  config.pusch.tpmi = 1;
  config.receivers = apps::parse_receiver_list("mmse-lmmse,perfect-csi");
  config.snr_db = {20.0};
  config.target_errors = 5;
  config.max_slots = 20;
  config.seed = 3;
  const auto points = apps::run_evaluation(config);
  ASSERT_EQ(points.size(), 2U);
  for (const auto& point : points) {
    EXPECT_EQ(point.slots, 20U) << point.receiver;
    EXPECT_EQ(point.tb_errors, 0U) << point.receiver;
  }
}

} // namespace
