// PuschTransmitter: the chain's wiring (coding, scrambling, modulation, layers, DMRS, precoding),
// the time-domain output, buffer reuse and error handling.
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/layer_mapper.h"
#include "airan/phy/modulation_mapper.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/pusch_precoder.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/ulsch_encoder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <random>
#include <stdexcept>
#include <vector>

#include "../support/allocation_counter.h"

namespace airan::phy {
namespace {

BitVector seeded_random_bits(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  BitVector bits(n);
  for (auto& b : bits) {
    b = static_cast<bit_t>(rng() & 1U);
  }
  return bits;
}

CellConfig transmitter_cell(unsigned prbs, unsigned ports) {
  CellConfig cell;
  cell.num_prbs = prbs;
  cell.n_cell_id = 321;
  cell.num_antenna_ports = ports;
  return cell;
}

PuschConfig transmitter_pusch(unsigned prbs, unsigned layers) {
  PuschConfig pusch;
  pusch.rnti = 0x4601;
  pusch.bwp_size = pusch.prb_size = prbs;
  pusch.num_layers = layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1U);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 1234;
  pusch.mcs_index = 20;
  pusch.data_scrambling_id = 321;
  return pusch;
}

// Data REs of the grid = layer_map(modulate(scramble(encode(tb)))), DMRS REs = the DMRS of each
// layer's port, computed here from the building blocks.
TEST(PuschTransmitter, ChainMatchesItsBuildingBlocks) {
  const CellConfig cell = transmitter_cell(24, 2);
  const PuschConfig pusch = transmitter_pusch(24, 2);
  PuschTransmitter transmitter(cell);
  const BitVector tb = seeded_random_bits(transmitter.transport_block_size(pusch), 3);
  ResourceGrid grid = transmitter.make_grid();
  transmitter.transmit(tb, pusch, 7, grid);

  const std::uint32_t g = pusch_coded_bits(cell, pusch);
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  ASSERT_EQ(g, mapping.num_data_res() * 6 * 2);
  UlschCodingConfig coding;
  coding.tbs = static_cast<std::uint32_t>(tb.size());
  coding.target_code_rate = mcs_entry(McsTable::qam64, 20).code_rate();
  coding.modulation_order = 6;
  coding.num_layers = 2;
  coding.g = g;
  BitVector codeword(g);
  create_ulsch_encoder()->encode(tb, coding, codeword);
  scramble_bits(codeword, pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
  std::vector<cf32> symbols(g / 6);
  modulate(codeword, Modulation::qam64, symbols);
  std::vector<cf32> expected(symbols.size());
  map_layers(symbols, 2, expected);
  std::vector<cf32> actual(symbols.size());
  extract_pusch_data(mapping, grid, 2, actual);
  EXPECT_EQ(actual, expected);

  const PuschDmrsParams dmrs = make_pusch_dmrs_params(cell, pusch, 7);
  std::vector<cf32> values(dmrs.values_per_symbol());
  for (unsigned layer = 0; layer < 2; ++layer) {
    for (unsigned l : {2u, 11u}) {
      generate_pusch_dmrs(dmrs, layer, l, values);
      const unsigned delta = dmrs_port_params(DmrsConfigType::type1, layer).delta;
      for (unsigned i = 0; i < values.size(); ++i) {
        ASSERT_EQ(grid.at(layer, l, dmrs_subcarrier(DmrsConfigType::type1, delta, i)), values[i]);
      }
      // CDM group 1 is without data and unused by ports 0 and 1: empty.
      for (unsigned k = 1; k < grid.num_subcarriers(); k += 2) {
        ASSERT_EQ(grid.at(layer, l, k), cf32(0.0F, 0.0F));
      }
    }
  }
}

// Codebook precoding: the 4-port grid is W times the 2-layer (non-codebook) grid, RE by RE.
TEST(PuschTransmitter, CodebookIsMatrixTimesLayerGrid) {
  const PuschConfig layers_only = transmitter_pusch(12, 2);
  PuschTransmitter two_ports(transmitter_cell(12, 2));
  const BitVector tb = seeded_random_bits(two_ports.transport_block_size(layers_only), 5);
  ResourceGrid layer_grid = two_ports.make_grid();
  two_ports.transmit(tb, layers_only, 3, layer_grid);

  PuschConfig codebook = layers_only;
  codebook.precoding = PuschPrecoding::codebook;
  codebook.tpmi = 17;
  PuschTransmitter four_ports(transmitter_cell(12, 4));
  ResourceGrid grid = four_ports.make_grid();
  four_ports.transmit(tb, codebook, 3, grid);

  const PrecodingMatrix w = pusch_codebook_matrix(2, 4, 17);
  for (unsigned p = 0; p < 4; ++p) {
    for (unsigned l = 0; l < 14; ++l) {
      for (unsigned k = 0; k < grid.num_subcarriers(); ++k) {
        const cf32 expected = w(p, 0) * layer_grid.at(0, l, k) + w(p, 1) * layer_grid.at(1, l, k);
        ASSERT_LT(std::abs(grid.at(p, l, k) - expected), 1e-6F) << p << " " << l << " " << k;
      }
    }
  }
}

TEST(PuschTransmitter, TimeDomainOutputDemodulatesToTheGrid) {
  const CellConfig cell = transmitter_cell(51, 2);
  const PuschConfig pusch = transmitter_pusch(51, 2);
  PuschTransmitter transmitter(cell);
  EXPECT_EQ(transmitter.numerology().fft_size(), 1024u);
  const BitVector tb = seeded_random_bits(transmitter.transport_block_size(pusch), 9);
  ResourceGrid grid = transmitter.make_grid();
  const unsigned slot_length = transmitter.numerology().slot_length(1);
  std::vector<cf32> iq(std::size_t{2} * slot_length);
  transmitter.transmit(tb, pusch, 1, grid, iq);

  OfdmDemodulator demodulator(transmitter.numerology(), 51);
  ResourceGrid back = transmitter.make_grid();
  for (unsigned port = 0; port < 2; ++port) {
    demodulator.demodulate_slot(
        std::span<const cf32>(iq).subspan(std::size_t{port} * slot_length, slot_length), 1, back,
        port);
  }
  for (std::size_t i = 0; i < grid.size(); ++i) {
    ASSERT_LT(std::abs(grid.elements()[i] - back.elements()[i]), 1e-5F) << i;
  }
  std::vector<cf32> wrong(iq.size() - 1);
  EXPECT_THROW(transmitter.transmit(tb, pusch, 1, grid, wrong), std::invalid_argument);
}

// A mini-slot PUSCH on part of the carrier writes only its allocation; the transmitter can be
// reused for a different PUSCH and gives the same result as a fresh one.
TEST(PuschTransmitter, PartialAllocationAndReuse) {
  const CellConfig cell = transmitter_cell(20, 1);
  PuschConfig small = transmitter_pusch(20, 1);
  small.prb_start = 5;
  small.prb_size = 6;
  small.mapping_type = PuschMappingType::type_b;
  small.start_symbol = 3;
  small.num_symbols = 7;
  small.num_dmrs_cdm_groups_no_data = 1;
  small.dmrs_config_type = DmrsConfigType::type2;
  small.mcs_table = McsTable::qam256;
  small.mcs_index = 25;
  PuschTransmitter reused(cell);
  const BitVector big_tb =
      seeded_random_bits(reused.transport_block_size(transmitter_pusch(20, 1)), 1);
  ResourceGrid scratch = reused.make_grid();
  reused.transmit(big_tb, transmitter_pusch(20, 1), 0, scratch);

  const BitVector tb = seeded_random_bits(reused.transport_block_size(small), 2);
  ResourceGrid grid = reused.make_grid();
  reused.transmit(tb, small, 4, grid);
  PuschTransmitter fresh(cell);
  ResourceGrid fresh_grid = fresh.make_grid();
  fresh.transmit(tb, small, 4, fresh_grid);
  EXPECT_TRUE(
      std::equal(grid.elements().begin(), grid.elements().end(), fresh_grid.elements().begin()));
  for (unsigned l = 0; l < 14; ++l) {
    for (unsigned k = 0; k < 240; ++k) {
      const bool inside = l >= 3 && l < 10 && k >= 60 && k < 132;
      if (!inside) {
        ASSERT_EQ(grid.at(0, l, k), cf32(0.0F, 0.0F)) << l << " " << k;
      } else if (l != 3 && l != 7) { // type B, l_d = 7, pos1: DMRS on symbols 3 and 7
        ASSERT_NE(grid.at(0, l, k), cf32(0.0F, 0.0F)) << l << " " << k;
      }
    }
  }
}

// Once the UL-SCH encoder has sized its work buffers (on its first transport block), a slot
// (grid and IQ, identity or codebook precoding) allocates nothing.
TEST(PuschTransmitter, TransmitDoesNotAllocate) {
  const CellConfig cell = transmitter_cell(273, 2);
  const PuschConfig pusch = transmitter_pusch(273, 2);
  PuschConfig codebook = pusch;
  codebook.precoding = PuschPrecoding::codebook;
  codebook.tpmi = 1;
  PuschTransmitter transmitter(cell);
  const BitVector tb = seeded_random_bits(transmitter.transport_block_size(pusch), 6);
  ResourceGrid grid = transmitter.make_grid();
  std::vector<cf32> iq(std::size_t{2} * transmitter.numerology().slot_length(5));
  transmitter.transmit(tb, pusch, 4, grid); // warm-up
  const long before = airan::test::allocation_count();
  transmitter.transmit(tb, pusch, 5, grid, iq);
  transmitter.transmit(tb, codebook, 6, grid);
  EXPECT_EQ(airan::test::allocation_count() - before, 0);
}

TEST(PuschTransmitter, RejectsInvalidInput) {
  const CellConfig cell = transmitter_cell(10, 1);
  PuschConfig pusch = transmitter_pusch(10, 1);
  PuschTransmitter transmitter(cell);
  const BitVector tb = seeded_random_bits(transmitter.transport_block_size(pusch), 4);
  ResourceGrid grid = transmitter.make_grid();
  const BitVector short_tb(tb.size() - 8);
  EXPECT_THROW(transmitter.transmit(short_tb, pusch, 0, grid), std::invalid_argument);
  EXPECT_THROW(transmitter.transmit(tb, pusch, 20, grid), std::invalid_argument); // mu = 1
  ResourceGrid wrong_grid(2, 14, 120);
  EXPECT_THROW(transmitter.transmit(tb, pusch, 0, wrong_grid), std::invalid_argument);
  PuschConfig bad = pusch;
  bad.prb_size = 11;
  EXPECT_THROW(transmitter.transmit(tb, bad, 0, grid), std::invalid_argument);
  pusch.tb_size_bits = static_cast<std::uint32_t>(short_tb.size()); // explicit TBS is honoured
  EXPECT_NO_THROW(transmitter.transmit(short_tb, pusch, 0, grid));
  CellConfig bad_cell = cell;
  bad_cell.num_antenna_ports = 3;
  EXPECT_THROW(PuschTransmitter{bad_cell}, std::invalid_argument);
}

} // namespace
} // namespace airan::phy
