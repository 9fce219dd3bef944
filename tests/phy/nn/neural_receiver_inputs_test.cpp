// Neural receiver inputs: the LS channel tensor recovers a known MIMO channel per antenna and
// layer (CDM de-spreading of two ports in one group, type 1 and 2, single and double symbol),
// the grid and side-information planes, LLR positions in the front end's codeword order
// (checked against PuschFrontEnd's hard decisions), and input checks.
#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <set>
#include <vector>

namespace airan::phy::nn {
namespace {

struct Link {
  CellConfig cell;
  PuschConfig pusch;
};

Link make_link(unsigned num_prbs, unsigned num_layers, DmrsConfigType type, unsigned dmrs_length,
               unsigned additional_position, unsigned mcs) {
  Link link;
  link.cell.num_prbs = num_prbs;
  link.cell.numerology = 1;
  link.cell.n_cell_id = 3;
  link.cell.num_antenna_ports = num_layers;
  PuschConfig& p = link.pusch;
  p.rnti = 0x1234;
  p.bwp_start = 0;
  p.bwp_size = num_prbs;
  p.prb_start = 0;
  p.prb_size = num_prbs;
  p.start_symbol = 0;
  p.num_symbols = 14;
  p.dmrs_config_type = type;
  p.dmrs_length = dmrs_length;
  p.dmrs_additional_position = additional_position;
  p.num_dmrs_cdm_groups_no_data = 2;
  p.dmrs_ports = static_cast<std::uint16_t>((1U << num_layers) - 1U);
  p.dmrs_scrambling_id = 7;
  p.data_scrambling_id = 9;
  p.num_layers = num_layers;
  p.mcs_index = mcs;
  return link;
}

/// Transmits a random TB and applies a flat channel H[r][l] (one complex gain per receive
/// antenna and layer) without noise.
ResourceGrid receive_flat(const Link& link, unsigned slot,
                          const std::vector<std::vector<cf32>>& h) {
  PuschTransmitter tx(link.cell);
  ResourceGrid tx_grid = tx.make_grid();
  std::mt19937 rng(11);
  BitVector tb(tx.transport_block_size(link.pusch));
  for (auto& b : tb) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  tx.transmit(tb, link.pusch, slot, tx_grid);
  const unsigned num_rx = static_cast<unsigned>(h.size());
  ResourceGrid rx(num_rx, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  for (unsigned r = 0; r < num_rx; ++r) {
    for (unsigned l = 0; l < tx_grid.num_symbols(); ++l) {
      auto out = rx.symbol(r, l);
      for (unsigned p = 0; p < link.pusch.num_layers; ++p) {
        const auto in = tx_grid.symbol(p, l);
        for (std::size_t k = 0; k < out.size(); ++k) {
          out[k] += h[r][p] * in[k];
        }
      }
    }
  }
  return rx;
}

struct Case {
  DmrsConfigType type;
  unsigned length;
  unsigned additional;
};

class LsChannel : public ::testing::TestWithParam<Case> {};

TEST_P(LsChannel, RecoversAFlatMimoChannelPerAntennaAndLayer) {
  const Case c = GetParam();
  const Link link = make_link(6, 2, c.type, c.length, c.additional, 10);
  const std::vector<std::vector<cf32>> h = {{{0.8F, -0.3F}, {-0.2F, 0.5F}},
                                            {{0.1F, 0.9F}, {0.7F, 0.2F}},
                                            {{-0.6F, -0.4F}, {0.3F, -0.8F}}};
  const ResourceGrid grid = receive_flat(link, 5, h);
  NeuralReceiverInputs inputs(6);
  inputs.build(grid, link.cell, link.pusch, 5);
  const unsigned s_count = inputs.num_symbols();
  const unsigned f_count = inputs.num_subcarriers();
  ASSERT_EQ(s_count, 14U);
  ASSERT_EQ(f_count, 72U);
  const std::size_t plane = std::size_t{s_count} * f_count;
  const auto ls = inputs.ls_channel();
  ASSERT_EQ(ls.size(), neural_ls_channel_channels * plane);
  for (unsigned a = 0; a < neural_max_rx_antennas; ++a) {
    for (unsigned l = 0; l < neural_max_layers; ++l) {
      const cf32 expected = a < 3 && l < 2 ? h[a][l] : cf32(0.0F, 0.0F);
      const float* re = ls.data() + std::size_t{2} * (neural_max_layers * a + l) * plane;
      const float* im = re + plane;
      for (std::size_t i = 0; i < plane; ++i) {
        ASSERT_NEAR(re[i], expected.real(), 1e-5F) << "antenna " << a << " layer " << l;
        ASSERT_NEAR(im[i], expected.imag(), 1e-5F) << "antenna " << a << " layer " << l;
      }
    }
  }
  // The grid tensor holds the received grid; antenna 3 is absent.
  const auto rx = inputs.rx_grid();
  for (unsigned a = 0; a < neural_max_rx_antennas; ++a) {
    for (unsigned s = 0; s < s_count; ++s) {
      for (unsigned k = 0; k < f_count; ++k) {
        const cf32 y = a < 3 ? grid.symbol(a, s)[k] : cf32(0.0F, 0.0F);
        const std::size_t i = std::size_t{s} * f_count + k;
        ASSERT_EQ(rx[std::size_t{2} * a * plane + i], y.real());
        ASSERT_EQ(rx[(2 * a + 1) * plane + i], y.imag());
      }
    }
  }
  const auto side = inputs.side_info();
  for (unsigned a = 0; a < neural_max_rx_antennas; ++a) {
    EXPECT_EQ(side[a * plane], a < 3 ? 1.0F : 0.0F);
    EXPECT_EQ(side[a * plane + plane - 1], a < 3 ? 1.0F : 0.0F);
  }
  EXPECT_LT(inputs.measurements().noise_variance, 1e-6F);
  EXPECT_EQ(side[neural_noise_variance_channel * plane], inputs.measurements().noise_variance);
}

INSTANTIATE_TEST_SUITE_P(DmrsConfigurations, LsChannel,
                         ::testing::Values(Case{DmrsConfigType::type1, 1, 1},
                                           Case{DmrsConfigType::type1, 1, 0},
                                           Case{DmrsConfigType::type1, 2, 1},
                                           Case{DmrsConfigType::type2, 1, 2},
                                           Case{DmrsConfigType::type2, 2, 0}));

TEST(NeuralReceiverInputs, PositionPlanesFollowTheDmrs) {
  // Type 1, one additional position: DMRS on symbols 2 and 11; port 0 (Delta 0) blocks at
  // subcarriers 0/2, 4/6, ... with centres 1, 5, 9, ...
  const Link link = make_link(2, 1, DmrsConfigType::type1, 1, 1, 5);
  const ResourceGrid grid = receive_flat(link, 0, {{{1.0F, 0.0F}}});
  NeuralReceiverInputs inputs(4);
  inputs.build(grid, link.cell, link.pusch, 0);
  const std::size_t f_count = inputs.num_subcarriers();
  const std::size_t plane = 14 * f_count;
  const auto side = inputs.side_info();
  const float* time = side.data() + neural_time_distance_channel * plane;
  const float* frequency = side.data() + neural_frequency_distance_channel * plane;
  const int expected_time[14] = {-2, -1, 0, 1, 2, 3, 4, -4, -3, -2, -1, 0, 1, 2};
  for (unsigned s = 0; s < 14; ++s) {
    EXPECT_FLOAT_EQ(time[s * f_count + 3], expected_time[s] / 14.0F) << "symbol " << s;
  }
  // Subcarrier k: distance to the nearest centre 4n + 1 (ties to the lower one), clamped at
  // the last block (n = 5, centre 21).
  for (unsigned k = 0; k < f_count; ++k) {
    int best = 1;
    for (int centre = 1; centre <= 21; centre += 4) {
      if (std::abs(static_cast<int>(k) - centre) < std::abs(static_cast<int>(k) - best)) {
        best = centre;
      }
    }
    EXPECT_FLOAT_EQ(frequency[7 * f_count + k], (static_cast<float>(k) - best) / 12.0F)
        << "subcarrier " << k;
  }
}

TEST(NeuralReceiverInputs, LlrPositionsFollowTheFrontEndsCodewordOrder) {
  // QPSK, 2 layers, noise-free identity channel on 2 antennas: each layer's symbol on an RE is
  // the received value of the antenna of that layer, so the bits at a codeword bit's position
  // are hard decisions of the grid there; they must equal the front end's LLR signs.
  Link link = make_link(4, 2, DmrsConfigType::type1, 1, 1, 3);
  link.pusch.num_dmrs_cdm_groups_no_data = 1; // data on the DMRS symbols too
  const ResourceGrid grid =
      receive_flat(link, 2, {{{1.0F, 0.0F}, {0.0F, 0.0F}}, {{0.0F, 0.0F}, {1.0F, 0.0F}}});
  const std::size_t g = pusch_coded_bits(link.cell, link.pusch);
  std::vector<float> llrs(g);
  PuschFrontEnd front_end;
  PuschFrontEndOptions options;
  options.equalizer = EqualizerAlgorithm::zf;
  front_end.process(grid, link.cell, link.pusch, 2, options, llrs);

  std::vector<std::uint32_t> positions(g);
  neural_llr_positions(link.cell, link.pusch, positions);
  const std::size_t f_count = std::size_t{12} * link.pusch.prb_size;
  const std::size_t plane = 14 * f_count;
  std::set<std::uint32_t> unique(positions.begin(), positions.end());
  EXPECT_EQ(unique.size(), g);
  for (std::size_t i = 0; i < g; ++i) {
    const std::size_t channel = positions[i] / plane;
    const std::size_t pixel = positions[i] % plane;
    const std::size_t layer = channel / neural_max_bits_per_symbol;
    const std::size_t bit = channel % neural_max_bits_per_symbol;
    ASSERT_LT(layer, 2U);
    ASSERT_LT(bit, 2U);
    const cf32 y = grid.symbol(static_cast<unsigned>(layer),
                               static_cast<unsigned>(pixel / f_count))[pixel % f_count];
    const float value = bit == 0 ? y.real() : y.imag();
    ASSERT_EQ(value < 0.0F, llrs[i] < 0.0F) << "codeword bit " << i;
  }
  std::vector<std::uint32_t> wrong(g + 1);
  EXPECT_THROW(neural_llr_positions(link.cell, link.pusch, wrong), std::invalid_argument);
}

TEST(NeuralReceiverInputs, RejectsWhatTheModelCannotTake) {
  const Link link = make_link(4, 1, DmrsConfigType::type1, 1, 1, 5);
  const ResourceGrid five_rx(5, 14, 48);
  NeuralReceiverInputs inputs(4);
  EXPECT_THROW(inputs.build(five_rx, link.cell, link.pusch, 0), std::invalid_argument);
  NeuralReceiverInputs small(2);
  const ResourceGrid grid(1, 14, 48);
  EXPECT_THROW(small.build(grid, link.cell, link.pusch, 0), std::invalid_argument);
  Link bad = link;
  bad.pusch.prb_size = 9; // beyond the carrier
  EXPECT_THROW(inputs.build(grid, bad.cell, bad.pusch, 0), std::invalid_argument);
  // DFT-s-OFDM: valid (4 PRBs, 2 CDM groups without data), but not what the model was made for.
  Link dfts = link;
  dfts.pusch.transform_precoding = true;
  dfts.pusch.mcs_table = McsTable::transform_precoding_qam64;
  dfts.pusch.num_dmrs_cdm_groups_no_data = 2;
  ASSERT_EQ(dfts.pusch.validate(dfts.cell), "");
  try {
    inputs.build(grid, dfts.cell, dfts.pusch, 0);
    ADD_FAILURE() << "a transform-precoded PDU was taken";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("transform precoding"), std::string::npos) << e.what();
  }
  EXPECT_THROW(NeuralReceiverInputs(0), std::invalid_argument);
  EXPECT_THROW(NeuralReceiverInputs(276), std::invalid_argument);
}

} // namespace
} // namespace airan::phy::nn
