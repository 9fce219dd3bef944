// PUCCHs in the link simulation (SlotSimulator::simulate_pucch): through the awgn model without
// noise the received grid is the transmitted PUCCH on every antenna, in the frequency and in the
// time domain; through TDL fading a UE's PUCCH meets the channel its PUSCH meets; and PUCCHs of
// all three formats through fading come back from the PUCCH receiver.
#include "airan/apps/link_simulation.h"
#include "airan/phy/pucch_receiver.h"
#include "airan/phy/snr_definition.h"

#include <gtest/gtest.h>

#include <array>
#include <complex>
#include <string>
#include <vector>

namespace {

using namespace airan;

apps::LinkScenario pucch_scenario(const char* model, apps::ChannelDomain domain) {
  apps::LinkScenario scenario;
  scenario.cell.num_prbs = 25;
  scenario.cell.numerology = 1;
  scenario.cell.n_cell_id = 77;
  scenario.num_rx_antennas = 2;
  scenario.channel.model = model;
  if (std::string(model) != "awgn") {
    scenario.channel.delay_spread_s = 100e-9;
    scenario.channel.max_doppler_hz = 10.0;
  }
  scenario.channel.domain = domain;
  return scenario;
}

phy::PucchConfig format1_at(unsigned prb) {
  phy::PucchConfig pucch;
  pucch.format = phy::PucchFormat::format1;
  pucch.bwp_size = 25;
  pucch.prb_start = prb;
  pucch.num_symbols = 14;
  pucch.hopping_id = 77;
  pucch.harq_bits = 2;
  return pucch;
}

const std::array<phy::bit_t, 2> ack_nack = {1, 0};

TEST(PucchLinkSimulationTest, AwgnModelWithoutNoiseReceivesThePucchOnEveryAntenna) {
  for (const auto domain : {apps::ChannelDomain::frequency, apps::ChannelDomain::time}) {
    apps::SlotSimulator simulator(pucch_scenario("awgn", domain));
    const phy::PucchConfig pucch = format1_at(5);
    const std::array<phy::PucchConfig, 1> pdus = {pucch};
    const std::array<phy::PucchUciBits, 1> bits = {phy::PucchUciBits{ack_nack, {}, {}}};
    simulator.simulate_pucch(pdus, bits, 23, 1, 0.0F);
    phy::ResourceGrid expected(1, 14, 12 * 25);
    phy::write_pucch(simulator.scenario().cell, 3, pucch, bits[0], expected);
    const phy::ResourceGrid& got = simulator.received_grid();
    EXPECT_EQ(simulator.slot_number(), 3U); // 23 mod 20 slots per frame
    for (unsigned r = 0; r < 2; ++r) {
      double worst = 0.0;
      for (std::size_t i = 0; i < expected.port(0).size(); ++i) {
        worst = std::max(worst, double(std::abs(got.port(r)[i] - expected.port(0)[i])));
      }
      // OFDM modulation and demodulation round off a little in the time domain.
      EXPECT_LE(worst, domain == apps::ChannelDomain::time ? 1e-4 : 0.0) << "rx " << r;
    }
  }
}

TEST(PucchLinkSimulationTest, EveryFormatThroughFadingComesBackFromTheReceiver) {
  apps::SlotSimulator simulator(pucch_scenario("TDL-C", apps::ChannelDomain::time));
  simulator.reseed_channel(5);
  phy::PucchConfig f0 = format1_at(0);
  f0.format = phy::PucchFormat::format0;
  f0.start_symbol = 12;
  f0.num_symbols = 2;
  f0.sr_bits = 1;
  phy::PucchConfig f1 = format1_at(2);
  f1.intra_slot_hopping = true;
  f1.second_hop_prb = 20;
  phy::PucchConfig f2 = format1_at(8);
  f2.format = phy::PucchFormat::format2;
  f2.num_prbs = 4;
  f2.start_symbol = 12;
  f2.num_symbols = 2;
  f2.harq_bits = 2;
  f2.sr_bits = 1;
  f2.csi_part1_bits = 9;
  const std::array<phy::bit_t, 1> sr = {1};
  const std::array<phy::bit_t, 9> csi = {1, 0, 1, 1, 0, 0, 1, 0, 1};
  const std::array<phy::PucchConfig, 3> pdus = {f0, f1, f2};
  const std::array<phy::PucchUciBits, 3> bits = {phy::PucchUciBits{ack_nack, sr, {}},
                                                 phy::PucchUciBits{ack_nack, {}, {}},
                                                 phy::PucchUciBits{ack_nack, sr, csi}};
  phy::PucchReceiver receiver(simulator.scenario().cell, 2);
  std::vector<phy::PucchResult> results;
  for (unsigned slot = 0; slot < 10; ++slot) {
    simulator.simulate_pucch(pdus, bits, slot, slot, phy::noise_variance_from_snr_db(20.0));
    receiver.process_slot(simulator.received_grid(), simulator.slot_number(), pdus, results);
    for (std::size_t i = 0; i < pdus.size(); ++i) {
      ASSERT_TRUE(results[i].detected) << "PDU " << i << " slot " << slot;
      EXPECT_EQ(results[i].harq()[0], 1);
      EXPECT_EQ(results[i].harq()[1], 0);
    }
    EXPECT_EQ(results[0].sr()[0], 1);
    EXPECT_EQ(results[2].sr()[0], 1);
    for (unsigned b = 0; b < csi.size(); ++b) {
      EXPECT_EQ(results[2].csi_part1()[b], csi[b]);
    }
  }
}

TEST(PucchLinkSimulationTest, MismatchedPayloadsAreRefused) {
  apps::SlotSimulator simulator(pucch_scenario("awgn", apps::ChannelDomain::frequency));
  const std::array<phy::PucchConfig, 1> pdus = {format1_at(0)};
  EXPECT_THROW(simulator.simulate_pucch(pdus, {}, 0, 0, 0.0F), std::invalid_argument);
}

} // namespace
