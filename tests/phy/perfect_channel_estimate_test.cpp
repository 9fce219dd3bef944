// Perfect CSI: the genie estimate must equal the effective channel H W that the DMRS estimator
// estimates, and a receiver given it must decode.
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/perfect_channel_estimate.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_precoder.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

using namespace airan::phy;

CellConfig perfect_estimate_cell(unsigned ports) {
  CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  cell.n_cell_id = 5;
  cell.num_antenna_ports = ports;
  return cell;
}

PuschConfig perfect_estimate_pusch(unsigned layers) {
  PuschConfig pusch;
  pusch.rnti = 0x1234;
  pusch.bwp_size = 24;
  pusch.prb_start = 4;
  pusch.prb_size = 16;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1U);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.num_layers = layers;
  pusch.mcs_index = 16;
  return pusch;
}

/// The true channel of a flat channel: the same matrix on every RE.
ChannelResponse flat_response(const FlatMimoChannel& channel, const CellConfig& cell) {
  ChannelResponse h(channel.num_rx(), channel.num_ports(), 14, 12 * cell.num_prbs);
  for (unsigned r = 0; r < channel.num_rx(); ++r) {
    for (unsigned p = 0; p < channel.num_ports(); ++p) {
      for (unsigned l = 0; l < 14; ++l) {
        for (auto& value : h.at(r, p, l)) {
          value = channel.gain(r, p);
        }
      }
    }
  }
  return h;
}

// Codebook precoding, 2 ports, 1 layer: the genie gives H w, which the DMRS estimator also finds
// on a noise-free flat channel.
TEST(PerfectChannelEstimate, EqualsTheEffectiveChannelTheDmrsEstimatorSees) {
  const CellConfig cell = perfect_estimate_cell(2);
  PuschConfig pusch = perfect_estimate_pusch(1);
  pusch.precoding = PuschPrecoding::codebook;
  pusch.tpmi = 3;
  const auto channel = FlatMimoChannel::rayleigh(4, 2, 11);
  PuschTransmitter transmitter(cell);
  auto tx = transmitter.make_grid();
  ResourceGrid rx(4, 14, 12 * cell.num_prbs);
  BitVector tb(transmitter.transport_block_size(pusch), 1);
  transmitter.transmit(tb, pusch, 0, tx);
  std::mt19937_64 rng(3);
  channel.apply(tx, 0.0F, rng, rx);

  PuschFrontEnd front_end;
  front_end.estimate_channel(rx, cell, pusch, 0, {});
  const ChannelEstimate estimated = front_end.channel_estimate();
  const ChannelResponse truth = flat_response(channel, cell);
  front_end.use_true_channel(truth, cell, pusch, 1e-3F);
  const ChannelEstimate& genie = front_end.channel_estimate();

  const PrecodingMatrix w = pusch_codebook_matrix(1, 2, 3);
  ASSERT_EQ(genie.num_rx_antennas(), 4U);
  ASSERT_EQ(genie.num_subcarriers(), 12U * 16U);
  double error = 0.0, power = 0.0;
  for (unsigned r = 0; r < 4; ++r) {
    const cf32 expected = channel.gain(r, 0) * w(0, 0) + channel.gain(r, 1) * w(1, 0);
    for (unsigned l = 0; l < 14; ++l) {
      for (unsigned k = 0; k < genie.num_subcarriers(); ++k) {
        EXPECT_NEAR(std::abs(genie.at(r, 0, l, k) - expected), 0.0F, 1e-6F);
        error += std::norm(estimated.at(r, 0, l, k) - genie.at(r, 0, l, k));
        power += std::norm(genie.at(r, 0, l, k));
      }
    }
  }
  EXPECT_LT(error / power, 1e-6) << "DMRS estimate vs genie, noise-free flat channel";
  EXPECT_FLOAT_EQ(genie.measurements.noise_variance, 1e-3F);
  EXPECT_NEAR(10 * std::log10(power / (4 * 14 * 192) / 1e-3), genie.measurements.sinr_db, 0.01);
}

TEST(PerfectChannelEstimate, RejectsATrueChannelOfTheWrongShape) {
  const CellConfig cell = perfect_estimate_cell(1);
  const PuschConfig pusch = perfect_estimate_pusch(1);
  ChannelEstimate estimate(4, 4, 275);
  EXPECT_THROW(fill_perfect_channel_estimate(estimate, ChannelResponse(4, 1, 14, 12 * 23), cell,
                                             pusch, 0.1F),
               std::invalid_argument);
  EXPECT_THROW(fill_perfect_channel_estimate(estimate, ChannelResponse(4, 1, 12, 12 * 24), cell,
                                             pusch, 0.1F),
               std::invalid_argument);
  EXPECT_NO_THROW(fill_perfect_channel_estimate(estimate, ChannelResponse(4, 1, 14, 12 * 24), cell,
                                                pusch, 0.1F));
}

// Two layers over a Rayleigh 4x2 channel at 22 dB: the genie receiver decodes, and it reports
// the true noise variance rather than an estimate.
TEST(PerfectChannelEstimate, ReceiverWithPerfectCsiDecodes) {
  const CellConfig cell = perfect_estimate_cell(2);
  const PuschConfig pusch = perfect_estimate_pusch(2);
  const auto channel = FlatMimoChannel::rayleigh(4, 2, 5);
  PuschTransmitter transmitter(cell);
  PuschReceiverConfig config;
  config.num_rx_antennas = 4;
  PuschReceiver receiver(cell, config);
  auto tx = transmitter.make_grid();
  auto rx = receiver.make_grid();
  std::mt19937_64 rng(9);
  BitVector tb(transmitter.transport_block_size(pusch));
  for (auto& b : tb) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  transmitter.transmit(tb, pusch, 0, tx);
  const float noise = std::pow(10.0F, -2.2F);
  channel.apply(tx, noise, rng, rx);
  const ChannelResponse truth = flat_response(channel, cell);
  const PerfectCsi genie{&truth, noise};
  std::vector<PuschPduResult> results;
  receiver.process_slot(rx, 0, std::span(&pusch, 1), results, &genie);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_TRUE(results[0].error.empty()) << results[0].error;
  EXPECT_TRUE(results[0].tb_crc_ok);
  EXPECT_EQ(results[0].tb_bits, tb);
  EXPECT_FLOAT_EQ(results[0].measurements.noise_variance, noise);

  const PerfectCsi missing{nullptr, noise};
  EXPECT_THROW(receiver.process_slot(rx, 0, std::span(&pusch, 1), results, &missing),
               std::invalid_argument);
}

} // namespace
