// Intra-slot frequency hopping in the link simulation: with two UEs that swap halves of the band
// at the second hop, the true channel on each subcarrier is, symbol by symbol, that of the UE
// whose hop occupies it (what perfect-csi and the vectors of `airan gen` rely on), and the
// noise-free received grid is each UE's channel times its hopping transmission. An evaluation
// with the neural receiver refuses a hopping PUSCH before any work.
#include "airan/apps/bler_evaluation.h"
#include "airan/apps/link_simulation.h"
#include "airan/apps/receiver_catalog.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <complex>
#include <string>
#include <vector>

namespace {

using namespace airan;

constexpr unsigned hopping_num_prbs = 24;

apps::LinkScenario hopping_scenario() {
  apps::LinkScenario scenario;
  scenario.cell.num_prbs = hopping_num_prbs;
  scenario.cell.numerology = 1;
  scenario.cell.n_cell_id = 3;
  scenario.cell.num_antenna_ports = 1;
  scenario.num_rx_antennas = 2;
  scenario.channel.model = "TDL-C";
  scenario.channel.delay_spread_s = 300e-9;
  scenario.channel.max_doppler_hz = 50.0;
  scenario.channel.domain = apps::ChannelDomain::frequency;
  return scenario;
}

/// UE \p ue: 12 PRBs from PRB 12 * ue, hopping to the other half at symbol 7; QPSK.
phy::PuschConfig hopping_ue_pdu(unsigned ue) {
  phy::PuschConfig pdu;
  pdu.rnti = static_cast<std::uint16_t>(0x200 + ue);
  pdu.bwp_start = 0;
  pdu.bwp_size = hopping_num_prbs;
  pdu.prb_start = 12 * ue;
  pdu.prb_size = 12;
  pdu.intra_slot_hopping = true;
  pdu.second_hop_prb_start = 12 * (1 - ue);
  pdu.num_dmrs_cdm_groups_no_data = 2;
  pdu.dmrs_scrambling_id = 3;
  pdu.data_scrambling_id = 3;
  pdu.mcs_index = 4;
  return pdu;
}

/// Largest |a - b| over receive antenna 0, port 0, symbol \p l, subcarriers [first, first + 144).
double largest_difference(const phy::ChannelResponse& a, const phy::ChannelResponse& b, unsigned l,
                          std::size_t first) {
  const auto x = a.at(0, 0, l).subspan(first, 144);
  const auto y = b.at(0, 0, l).subspan(first, 144);
  double worst = 0.0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    worst = std::max(worst, static_cast<double>(std::abs(x[k] - y[k])));
  }
  return worst;
}

TEST(SlotSimulatorHopping, TrueChannelFollowsEachUesHops) {
  const auto scenario = hopping_scenario();
  const std::vector<phy::PuschConfig> pdus = {hopping_ue_pdu(0), hopping_ue_pdu(1)};
  for (const auto& pdu : pdus) {
    ASSERT_EQ(pdu.validate(scenario.cell), "");
  }
  constexpr std::uint64_t seed = 91;

  // Each UE alone, on the realisation the pair gives it: its channel on every subcarrier.
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
  constexpr std::size_t lower = 0;
  constexpr std::size_t upper = 144;
  for (const unsigned l : {0U, 3U, 6U}) { // first hop: UE 0 below, UE 1 above
    SCOPED_TRACE("symbol " + std::to_string(l));
    EXPECT_EQ(largest_difference(h, ue0, l, lower), 0.0);
    EXPECT_EQ(largest_difference(h, ue1, l, upper), 0.0);
  }
  for (const unsigned l : {7U, 10U, 13U}) { // second hop: swapped
    SCOPED_TRACE("symbol " + std::to_string(l));
    EXPECT_EQ(largest_difference(h, ue1, l, lower), 0.0);
    EXPECT_EQ(largest_difference(h, ue0, l, upper), 0.0);
    EXPECT_GT(largest_difference(h, ue0, l, lower), 0.1); // not UE 0's first-hop channel
  }

  // Noise-free, the received grid is on every RE the channel there times what was sent.
  phy::PuschTransmitter transmitter(scenario.cell);
  auto tx = transmitter.make_grid();
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    transmitter.transmit(both.tb_bits(i), pdus[i], both.slot_number(), tx);
  }
  const auto& rx = both.received_grid();
  double worst = 0.0;
  double power = 0.0;
  for (unsigned r = 0; r < scenario.num_rx_antennas; ++r) {
    for (unsigned l = 0; l < rx.num_symbols(); ++l) {
      const auto channel = h.at(r, 0, l);
      const auto sent = tx.symbol(0, l);
      const auto received = rx.symbol(r, l);
      for (std::size_t k = 0; k < received.size(); ++k) {
        worst = std::max(worst, static_cast<double>(std::abs(received[k] - channel[k] * sent[k])));
        power += std::norm(sent[k]);
      }
    }
  }
  EXPECT_GT(power, 0.0);
  EXPECT_LT(worst, 1e-5);
}

TEST(EvaluationHopping, NeuralReceiverRefusesAHoppingPusch) {
  apps::EvaluationConfig config;
  config.scenario = hopping_scenario();
  config.pusch = hopping_ue_pdu(0);
  config.receivers = apps::parse_receiver_list("mmse-lmmse,neural");
  config.snr_db = {10.0};
  const std::string problems = apps::validate_evaluation(config);
  EXPECT_NE(problems.find("the neural receiver sees one allocation, not intra-slot frequency "
                          "hopping"),
            std::string::npos)
      << problems;
  config.receivers = apps::parse_receiver_list("mmse-lmmse,perfect-csi");
  EXPECT_EQ(apps::validate_evaluation(config), "");
}

} // namespace
