// Intra-slot hopping in the CPU front end: every data symbol is equalized with its own hop's
// noise variance. On a noiseless-channel slot (H = 1, one antenna) with different noise on the
// two hops, each data symbol's mean post-equalization noise is its hop's estimated noise. Until
// 2026-12-06 GCC 12's vectorizer read the second hop's noise for its first symbols from before
// ChannelEstimate's hop noises (an index of -1), which gave them the 1e-7 floor instead.
#include "airan/phy/awgn.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;

TEST(PuschHoppingNoise, EveryDataSymbolGetsItsHopsNoise) {
  CellConfig cell;
  cell.num_prbs = 51;
  cell.num_antenna_ports = 1;
  PuschConfig pusch;
  pusch.bwp_size = 51;
  pusch.prb_size = 8;
  pusch.intra_slot_hopping = true;
  pusch.second_hop_prb_start = 40;
  pusch.dmrs_additional_position = 1;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = 9;
  ASSERT_EQ(pusch.validate(cell), "");
  PuschTransmitter transmitter(cell);
  ResourceGrid grid = transmitter.make_grid();
  std::mt19937_64 rng(5);
  std::vector<bit_t> tb(transmitter.transport_block_size(pusch));
  for (bit_t& b : tb) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  constexpr unsigned slot = 2;
  transmitter.transmit(tb, pusch, slot, grid);
  // Noise 0.01 on the first hop's symbols, 0.04 on the second's (the whole symbol).
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  AwgnGenerator awgn(9);
  for (unsigned l = 0; l < grid.num_symbols(); ++l) {
    awgn.add(grid.symbol(0, l), l < mapping.second_hop_symbol ? 0.01F : 0.04F);
  }
  PuschFrontEnd front_end({1, 1, 51});
  std::vector<float> llrs(pusch_coded_bits(cell, pusch));
  front_end.process(grid, cell, pusch, slot, {}, llrs);
  const ChannelEstimate& estimate = front_end.channel_estimate();
  ASSERT_EQ(estimate.second_hop_symbol(), mapping.second_hop_symbol);
  const std::span<const float> noise = front_end.equalized_noise_variances();
  std::size_t re = 0;
  unsigned symbols = 0;
  for (unsigned l = mapping.start_symbol; l < mapping.start_symbol + mapping.num_symbols; ++l) {
    const unsigned count = mapping.num_data_res(l);
    if (count == 0) {
      continue;
    }
    double sum = 0.0;
    for (unsigned i = 0; i < count; ++i) {
      sum += noise[re + i];
    }
    re += count;
    ++symbols;
    const double hop_noise = estimate.noise_variance_of(l);
    EXPECT_NEAR(sum / count, hop_noise, 0.25 * hop_noise) << "symbol " << l;
    EXPECT_NEAR(hop_noise, l < mapping.second_hop_symbol ? 0.01 : 0.04,
                0.4 * (l < mapping.second_hop_symbol ? 0.01 : 0.04))
        << "symbol " << l;
  }
  EXPECT_EQ(re, noise.size());
  EXPECT_GE(symbols, 8U);
}

} // namespace
