// PUSCH intra-slot frequency hopping (TS 38.214 6.3.1, TS 38.211 Table 6.4.1.1.3-6): the DMRS
// positions per hop, the hops' symbols and PRBs, what validate() refuses, where the transmitter
// puts each hop, and the CPU receiver end to end on a channel that differs between the hops, so
// that a receiver which estimated the second hop from the first hop's DMRS could not decode.
#include "airan/phy/awgn.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/perfect_channel_estimate.h"
#include "airan/phy/pusch_frequency_hopping.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_receiver_sizing.h"
#include "airan/phy/pusch_transmitter.h"

#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::random_bits;

std::uint16_t symbols_mask(std::initializer_list<unsigned> symbols) {
  std::uint16_t mask = 0;
  for (unsigned l : symbols) {
    mask |= static_cast<std::uint16_t>(1U << l);
  }
  return mask;
}

CellConfig hopping_cell(unsigned ports) {
  CellConfig cell;
  cell.num_prbs = 51;
  cell.numerology = 1;
  cell.n_cell_id = 77;
  cell.num_antenna_ports = ports;
  return cell;
}

/// 20 PRBs hopping from PRB 2 to PRB 29 of a 51-PRB BWP, 64-QAM.
PuschConfig hopping_pusch(unsigned layers) {
  PuschConfig pusch;
  pusch.rnti = 0x4321;
  pusch.bwp_size = 51;
  pusch.prb_start = 2;
  pusch.prb_size = 20;
  pusch.intra_slot_hopping = true;
  pusch.second_hop_prb_start = 29;
  pusch.mcs_index = 19;
  pusch.num_layers = layers;
  pusch.dmrs_ports = layers == 1 ? 0x1 : 0x3;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 77;
  pusch.data_scrambling_id = 77;
  return pusch;
}

TEST(PuschHoppingDmrs, FollowsTable6411363) {
  using enum PuschMappingType;
  // Type A, l0 = 2, 14 symbols: hops of 7; pos1 adds 6 in the first hop and 7 + 4 in the second.
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_a, 2, 0, 14, 0), symbols_mask({2, 7}));
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_a, 2, 0, 14, 1), symbols_mask({2, 6, 7, 11}));
  // l0 = 3: the first hop keeps l0 alone.
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_a, 3, 0, 14, 1), symbols_mask({3, 7, 11}));
  // Hops of 4 and 5 (9 symbols): no second position in a 4-symbol hop.
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_a, 2, 0, 9, 1), symbols_mask({2, 4, 8}));
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_a, 2, 0, 8, 1), symbols_mask({2, 4}));
  // 6 symbols of first hop, l0 = 2 and pos1: only l_d = 7 adds symbol 6.
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_a, 2, 0, 13, 1), symbols_mask({2, 6, 10}));
  // Type B: l0 = 0 in both hops, and 4 with pos1 from l_d = 5 on.
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_b, 2, 2, 10, 0), symbols_mask({2, 7}));
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_b, 2, 2, 10, 1), symbols_mask({2, 6, 7, 11}));
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_b, 2, 5, 4, 1), symbols_mask({5, 7}));
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_b, 2, 10, 2, 0), symbols_mask({10, 11}));
  // pos2 and pos3 count as pos1.
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_a, 2, 0, 14, 3),
            dmrs_symbol_mask_with_hopping(type_a, 2, 0, 14, 1));
  EXPECT_EQ(dmrs_symbol_mask_with_hopping(type_b, 2, 0, 12, 2),
            dmrs_symbol_mask_with_hopping(type_b, 2, 0, 12, 1));
  // "-": type A hops of fewer than 4 symbols.
  EXPECT_THROW((void)dmrs_symbol_mask_with_hopping(type_a, 2, 0, 7, 0), std::invalid_argument);
  EXPECT_THROW((void)dmrs_symbol_mask_with_hopping(type_a, 4, 0, 14, 0), std::invalid_argument);
}

TEST(PuschHoppingDmrs, TheConfigDerivesTheHoppingPositions) {
  const CellConfig cell = hopping_cell(1);
  PuschConfig pusch = hopping_pusch(1);
  EXPECT_EQ(pusch_dmrs_symbols(cell, pusch).mask, symbols_mask({2, 6, 7, 11}));
  pusch.intra_slot_hopping = false;
  EXPECT_EQ(pusch_dmrs_symbols(cell, pusch).mask, symbols_mask({2, 11}));
}

TEST(PuschHops, SplitTheSymbolsAtHalfTheDuration) {
  PuschConfig pusch = hopping_pusch(1);
  pusch.mapping_type = PuschMappingType::type_b;
  pusch.start_symbol = 1;
  pusch.num_symbols = 13;
  const PuschHops hops = pusch_hops(pusch);
  ASSERT_EQ(hops.count, 2U);
  EXPECT_EQ(hops.hops[0], (PuschHop{1, 6, 2}));
  EXPECT_EQ(hops.hops[1], (PuschHop{7, 7, 29}));
  EXPECT_EQ(pusch.second_hop_symbol(), 7U);
  EXPECT_EQ(pusch.first_crb_of_symbol(6), 2U);
  EXPECT_EQ(pusch.first_crb_of_symbol(7), 29U);
  pusch.intra_slot_hopping = false;
  const PuschHops one = pusch_hops(pusch);
  EXPECT_EQ(one.count, 1U);
  EXPECT_EQ(one.hops[0], (PuschHop{1, 13, 2}));
  EXPECT_EQ(pusch.first_crb_of_symbol(13), 2U);
  // Without hopping second_hop_prb_start means nothing, also past the PUSCH's last symbol.
  pusch.num_symbols = 9;
  for (unsigned l = 0; l < 14; ++l) {
    EXPECT_EQ(pusch.first_crb_of_symbol(l), 2U) << l;
  }
  EXPECT_EQ(make_pusch_dmrs_params(hopping_cell(1), pusch, 0).first_crb_of(13), 2U);
}

TEST(PuschHoppingValidation, RefusesWhatItDoesNotSupport) {
  const CellConfig cell = hopping_cell(1);
  EXPECT_EQ(hopping_pusch(1).validate(cell), "");
  PuschConfig outside = hopping_pusch(1);
  outside.second_hop_prb_start = 32; // 32 + 20 > 51
  EXPECT_NE(outside.validate(cell).find("second hop"), std::string::npos);
  // Sums that would wrap in 32 bits.
  PuschConfig wrapping = hopping_pusch(1);
  wrapping.second_hop_prb_start = 0xFFFFFFFFU;
  EXPECT_NE(wrapping.validate(cell).find("second hop"), std::string::npos);
  wrapping = hopping_pusch(1);
  wrapping.prb_start = 0xFFFFFFFFU;
  EXPECT_NE(wrapping.validate(cell).find("do not fit the BWP"), std::string::npos);
  wrapping = hopping_pusch(1);
  wrapping.bwp_start = 0xFFFFFFF0U;
  EXPECT_NE(wrapping.validate(cell).find("do not fit the carrier"), std::string::npos);
  wrapping = hopping_pusch(1);
  wrapping.start_symbol = 0xFFFFFFFFU;
  EXPECT_NE(wrapping.validate(cell).find("do not fit a slot"), std::string::npos);
  PuschConfig double_symbol = hopping_pusch(1);
  double_symbol.dmrs_length = 2;
  EXPECT_NE(double_symbol.validate(cell).find("single-symbol"), std::string::npos);
  PuschConfig ptrs = hopping_pusch(1);
  ptrs.ptrs.enabled = true;
  EXPECT_NE(ptrs.validate(cell).find("PT-RS"), std::string::npos);
  PuschConfig uci = hopping_pusch(1);
  uci.uci.harq_ack_bits = 2;
  EXPECT_NE(uci.validate(cell).find("UCI"), std::string::npos);
  PuschConfig no_dmrs = hopping_pusch(1);
  no_dmrs.dmrs_symbol_mask = symbols_mask({2, 5}); // the second hop (7..13) has none
  EXPECT_NE(no_dmrs.validate(cell).find("hop 2"), std::string::npos);
  PuschConfig short_type_a = hopping_pusch(1);
  short_type_a.num_symbols = 6; // hops of 3: no type A entry
  EXPECT_NE(short_type_a.validate(cell).find("6.4.1.1.3-6"), std::string::npos);
}

TEST(PuschHoppingMapping, EachHopLiesOnItsOwnPrbs) {
  const CellConfig cell = hopping_cell(1);
  const PuschConfig pusch = hopping_pusch(1);
  PuschTransmitter transmitter(cell);
  ResourceGrid grid = transmitter.make_grid();
  std::mt19937_64 rng(5);
  const BitVector tb = random_bits(transmitter.transport_block_size(pusch), rng);
  transmitter.transmit(tb, {}, pusch, 3, grid);
  const unsigned first[2] = {12 * 2, 12 * 29};
  for (unsigned l = 0; l < 14; ++l) {
    const unsigned hop = l < 7 ? 0 : 1;
    const auto row = grid.symbol(0, l);
    for (unsigned k = 0; k < row.size(); ++k) {
      const bool inside = k >= first[hop] && k < first[hop] + 240;
      if (!inside) {
        ASSERT_EQ(row[k], cf32{}) << "symbol " << l << " subcarrier " << k;
      } else if (l != 2 && l != 6 && l != 7 && l != 11) {
        ASSERT_NE(row[k], cf32{}) << "symbol " << l << " subcarrier " << k;
      }
    }
  }
  // The DMRS of the second hop is the Gold sequence from its own first CRB (TS 38.211
  // 6.4.1.1.1.1: r is indexed from CRB 0).
  PuschConfig unhopped = pusch;
  unhopped.intra_slot_hopping = false;
  unhopped.prb_start = 29;
  unhopped.dmrs_symbol_mask = symbols_mask({7, 11});
  unhopped.mapping_type = PuschMappingType::type_b;
  unhopped.start_symbol = 7;
  unhopped.num_symbols = 7;
  const PuschDmrsParams params = make_pusch_dmrs_params(cell, unhopped, 3);
  std::vector<cf32> expected(params.values_per_symbol());
  generate_pusch_dmrs(params, 0, 11, expected);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned k = first[1] + dmrs_subcarrier(DmrsConfigType::type1, 0, unsigned(i));
    ASSERT_EQ(grid.symbol(0, 11)[k], expected[i]) << i;
  }
  // Extracting the data REs gives back what was mapped, hop by hop.
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  EXPECT_EQ(mapping.first_subcarrier_of(6), first[0]);
  EXPECT_EQ(mapping.first_subcarrier_of(7), first[1]);
  std::vector<cf32> symbols(mapping.num_data_res());
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    symbols[i] = cf32(float(i), -float(i));
  }
  ResourceGrid layer_grid(1, 14, 12 * cell.num_prbs);
  map_pusch_data(mapping, symbols, 1, layer_grid);
  std::vector<cf32> back(symbols.size());
  extract_pusch_data(mapping, layer_grid, 1, back);
  EXPECT_EQ(back, symbols);
  EXPECT_EQ(layer_grid.symbol(0, 13)[first[1]], symbols[symbols.size() - 240]);
}

/// Sends \p pusch through a channel that is flat within each hop's PRBs but different between
/// them (\p h[hop][rx][port]), adds AWGN and decodes it on the CPU receiver.
struct HopLink {
  CellConfig cell;
  PuschConfig pusch;
  unsigned num_rx = 2;
  float noise_variance = 1e-3F;
  EqualizerAlgorithm equalizer = EqualizerAlgorithm::mmse;
  /// Added to the second hop's PRBs only: an interferer of this power per RE and antenna
  /// with a fixed spatial signature.
  float interference_power = 0.0F;

  bool run(std::uint64_t seed, ResourceGrid* rx_out = nullptr,
           std::vector<cf32>* channels = nullptr) const {
    std::mt19937_64 rng(seed);
    PuschTransmitter transmitter(cell);
    PuschReceiverConfig config;
    config.num_rx_antennas = num_rx;
    config.max_layers = 2;
    config.front_end.equalizer = equalizer;
    PuschReceiver receiver(cell, config);
    ResourceGrid tx = transmitter.make_grid();
    const BitVector tb = random_bits(transmitter.transport_block_size(pusch), rng);
    transmitter.transmit(tb, {}, pusch, 4, tx);
    std::normal_distribution<float> gauss(0.0F, std::sqrt(0.5F));
    const unsigned ports = cell.num_antenna_ports;
    std::vector<cf32> h(2 * std::size_t{num_rx} * ports);
    for (cf32& v : h) {
      v = cf32(gauss(rng), gauss(rng));
    }
    std::vector<cf32> signature(num_rx);
    for (cf32& v : signature) {
      v = cf32(gauss(rng), gauss(rng));
    }
    const unsigned second_first = 12 * (pusch.bwp_start + pusch.second_hop_prb_start);
    const unsigned second_end = second_first + 12 * pusch.prb_size;
    ResourceGrid rx = receiver.make_grid();
    for (unsigned r = 0; r < num_rx; ++r) {
      for (unsigned l = 0; l < tx.num_symbols(); ++l) {
        auto out = rx.symbol(r, l);
        for (unsigned k = 0; k < out.size(); ++k) {
          const unsigned hop = k >= second_first && k < second_end ? 1 : 0;
          cf32 sum(0.0F, 0.0F);
          for (unsigned p = 0; p < ports; ++p) {
            sum += h[(hop * num_rx + r) * ports + p] * tx.symbol(p, l)[k];
          }
          out[k] = sum;
        }
      }
    }
    if (interference_power > 0.0F) {
      for (unsigned l = 0; l < rx.num_symbols(); ++l) {
        for (unsigned k = second_first; k < second_end; ++k) {
          const cf32 s = std::sqrt(interference_power) * cf32(gauss(rng), gauss(rng));
          for (unsigned r = 0; r < num_rx; ++r) {
            rx.symbol(r, l)[k] += signature[r] * s;
          }
        }
      }
    }
    AwgnGenerator awgn(seed + 3);
    awgn.add(rx, noise_variance);
    std::vector<PuschPduResult> results;
    receiver.process_slot(rx, 4, std::span(&pusch, 1), results);
    if (rx_out != nullptr) {
      *rx_out = rx;
    }
    if (channels != nullptr) {
      *channels = h;
    }
    EXPECT_EQ(results[0].error, "");
    return results[0].tb_crc_ok && results[0].tb_bits == tb;
  }
};

TEST(PuschHoppingLink, EstimatesEachHopFromItsOwnDmrs) {
  HopLink link{hopping_cell(1), hopping_pusch(1)};
  ResourceGrid rx;
  std::vector<cf32> h;
  EXPECT_TRUE(link.run(31, &rx, &h));
  PuschFrontEnd front_end({2, 2, 51});
  front_end.estimate_channel(rx, link.cell, link.pusch, 4, {});
  const ChannelEstimate& estimate = front_end.channel_estimate();
  EXPECT_EQ(estimate.second_hop_symbol(), 7U);
  for (unsigned r = 0; r < 2; ++r) {
    for (unsigned l : {0U, 3U, 6U, 7U, 10U, 13U}) {
      const cf32 truth = h[std::size_t{l < 7 ? 0U : 1U} * 2 + r];
      for (unsigned k : {0U, 119U, 239U}) {
        EXPECT_LT(std::abs(estimate.at(r, 0, l, k) - truth), 0.05F * std::abs(truth) + 0.02F)
            << "rx " << r << " symbol " << l << " subcarrier " << k;
      }
    }
  }
  // The same slot received as if it did not hop: the second hop's data is read where the UE
  // did not send it.
  PuschConfig unhopped = link.pusch;
  unhopped.intra_slot_hopping = false;
  unhopped.dmrs_symbol_mask = symbols_mask({2, 6, 7, 11});
  PuschReceiverConfig config;
  config.num_rx_antennas = 2;
  PuschReceiver receiver(link.cell, config);
  std::vector<PuschPduResult> results;
  receiver.process_slot(rx, 4, std::span(&unhopped, 1), results);
  EXPECT_FALSE(results[0].tb_crc_ok);
}

TEST(PuschHoppingLink, DecodesTwoLayersAndTypeBAndAllTheLengths) {
  HopLink two_layers{hopping_cell(2), hopping_pusch(2)};
  two_layers.num_rx = 4;
  EXPECT_TRUE(two_layers.run(41));
  for (unsigned symbols : {2U, 5U, 9U, 12U}) {
    HopLink type_b{hopping_cell(1), hopping_pusch(1)};
    type_b.pusch.mapping_type = PuschMappingType::type_b;
    type_b.pusch.start_symbol = 14 - symbols;
    type_b.pusch.num_symbols = symbols;
    type_b.pusch.mcs_index = 9;
    type_b.pusch.num_dmrs_cdm_groups_no_data = 1; // data beside the DMRS of 1-symbol hops
    ASSERT_EQ(type_b.pusch.validate(type_b.cell), "") << symbols;
    EXPECT_TRUE(type_b.run(50 + symbols)) << symbols << " symbols";
  }
}

TEST(PuschHoppingLink, DecodesHopsOfDmrsAloneAndWithOverhead) {
  // Type B over 3 symbols: the first hop is its DMRS symbol alone (2 CDM groups without data),
  // the second a DMRS and a data symbol. Each hop is estimated as a PUSCH of its own, which
  // alone would carry no data: the estimator checks the reference signals, not the sizes.
  HopLink three{hopping_cell(1), hopping_pusch(1)};
  three.pusch.mapping_type = PuschMappingType::type_b;
  three.pusch.start_symbol = 4;
  three.pusch.num_symbols = 3;
  three.pusch.mcs_index = 5;
  ASSERT_EQ(three.pusch.validate(three.cell), "");
  EXPECT_TRUE(three.run(81));
  // xOverhead 18 on 4 symbols (2 per hop): no TBS for one hop, one for the PDU.
  HopLink overhead{hopping_cell(1), hopping_pusch(1)};
  overhead.pusch.mapping_type = PuschMappingType::type_b;
  overhead.pusch.start_symbol = 2;
  overhead.pusch.num_symbols = 4;
  overhead.pusch.num_dmrs_cdm_groups_no_data = 1;
  overhead.pusch.x_overhead = 18;
  overhead.pusch.mcs_index = 5;
  ASSERT_EQ(overhead.pusch.validate(overhead.cell), "");
  EXPECT_TRUE(overhead.run(82));
}

TEST(PuschHoppingLink, DecodesDftSOfdm) {
  HopLink link{hopping_cell(1), hopping_pusch(1)};
  link.pusch.transform_precoding = true;
  link.pusch.prb_size = 18; // 2 * 3^2
  link.pusch.mcs_table = McsTable::transform_precoding_qam64;
  link.pusch.mcs_index = 14;
  ASSERT_EQ(link.pusch.validate(link.cell), "");
  EXPECT_TRUE(link.run(61));
}

TEST(PuschHoppingLink, IrcWhitensTheSecondHopsInterferenceOnly) {
  // An interferer 10 dB above the signal on the second hop's PRBs alone: MMSE-IRC with the
  // second hop's own covariance removes it; plain MMSE does not.
  HopLink link{hopping_cell(1), hopping_pusch(1)};
  link.num_rx = 4;
  link.pusch.mcs_index = 16;
  link.interference_power = 10.0F;
  link.equalizer = EqualizerAlgorithm::mmse_irc;
  EXPECT_TRUE(link.run(71));
  link.equalizer = EqualizerAlgorithm::mmse;
  EXPECT_FALSE(link.run(71));

  ResourceGrid rx;
  link.equalizer = EqualizerAlgorithm::mmse_irc;
  (void)link.run(72, &rx);
  PuschFrontEnd front_end({4, 2, 51});
  PuschFrontEndOptions options;
  options.equalizer = EqualizerAlgorithm::mmse_irc;
  front_end.estimate_channel(rx, link.cell, link.pusch, 4, options);
  const ChannelEstimate& estimate = front_end.channel_estimate();
  const unsigned groups = estimate.num_covariance_groups();
  const auto trace = [&](unsigned group) {
    float sum = 0.0F;
    for (unsigned r = 0; r < 4; ++r) {
      sum += estimate.covariance(group)[r * 4 + r].real();
    }
    return sum;
  };
  EXPECT_EQ(estimate.covariance_group_base(6), 0U);
  EXPECT_EQ(estimate.covariance_group_base(7), groups);
  EXPECT_GT(trace(groups), 100.0F * trace(0));

  // Plain MMSE takes each hop's own noise: the second hop's symbols (the last 5 x 240 data REs)
  // come out far noisier than the first hop's, so their LLRs are not over-confident.
  options.equalizer = EqualizerAlgorithm::mmse;
  front_end.estimate_channel(rx, link.cell, link.pusch, 4, options);
  EXPECT_GT(front_end.channel_estimate().noise_variance_of(7),
            100.0F * front_end.channel_estimate().noise_variance_of(6));
  front_end.equalize(rx, link.cell, link.pusch, options);
  const auto variances = front_end.equalized_noise_variances();
  ASSERT_EQ(variances.size(), 2400U);
  double first = 0.0;
  double second = 0.0;
  for (std::size_t i = 0; i < 1200; ++i) {
    first += variances[i];
    second += variances[1200 + i];
  }
  EXPECT_GT(second, 10.0 * first);
}

TEST(PuschHoppingPerfectCsi, ReadsEachHopsChannel) {
  const CellConfig cell = hopping_cell(1);
  const PuschConfig pusch = hopping_pusch(1);
  ChannelResponse truth(1, 1, 14, 12 * cell.num_prbs);
  for (unsigned l = 0; l < 14; ++l) {
    auto row = truth.at(0, 0, l);
    for (unsigned k = 0; k < row.size(); ++k) {
      row[k] = cf32(float(k), float(l));
    }
  }
  ChannelEstimate estimate(1, 1, 51);
  fill_perfect_channel_estimate(estimate, truth, cell, pusch, 0.01F);
  EXPECT_EQ(estimate.at(0, 0, 6, 5), cf32(12 * 2 + 5, 6));
  EXPECT_EQ(estimate.at(0, 0, 7, 5), cf32(12 * 29 + 5, 7));
}

} // namespace
