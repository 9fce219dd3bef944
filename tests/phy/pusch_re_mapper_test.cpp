// PUSCH RE mapping (TS 38.211 6.3.1.6): frequency-first order, DMRS REs skipped, CDM groups
// without data left empty, REs outside the allocation untouched.
#include "airan/phy/pusch_re_mapper.h"

#include "airan/phy/pusch_data_layout.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

constexpr cf32 marker(-7.0F, 7.0F); // what the grid holds before mapping

std::vector<cf32> numbered(std::size_t n) {
  std::vector<cf32> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = cf32(static_cast<float>(i + 1), 0.0F);
  }
  return v;
}

ResourceGrid marked_grid(unsigned ports, unsigned prbs) {
  ResourceGrid grid(ports, 14, 12 * prbs);
  for (auto& re : grid.elements()) {
    re = marker;
  }
  return grid;
}

TEST(PuschReMapper, CountsDataResourceElements) {
  CellConfig cell;
  cell.num_prbs = 40;
  PuschConfig pusch;
  pusch.bwp_size = pusch.prb_size = 40;
  pusch.dmrs_additional_position = 1; // DMRS on symbols 2 and 11
  PuschReMapping m = make_pusch_re_mapping(cell, pusch);
  EXPECT_EQ(m.num_data_res(0), 480u);
  EXPECT_EQ(m.num_data_res(2), 240u); // type 1, 1 CDM group without data: odd subcarriers
  EXPECT_EQ(m.num_data_res(), 12u * 480 + 2 * 240);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  m = make_pusch_re_mapping(cell, pusch);
  EXPECT_EQ(m.num_data_res(2), 0u);
  pusch.dmrs_config_type = DmrsConfigType::type2;
  pusch.num_dmrs_cdm_groups_no_data = 1;
  m = make_pusch_re_mapping(cell, pusch);
  EXPECT_EQ(m.num_data_res(11), 8u * 40);
  EXPECT_FALSE(m.is_data_re(11, 13)); // k = 1 of PRB 1: group 0
  EXPECT_TRUE(m.is_data_re(11, 14));  // k = 2: group 1
  EXPECT_TRUE(m.is_data_re(12, 13));
  EXPECT_FALSE(m.is_data_re(12, 480)); // outside the allocation
}

// PuschDataLayout + locate_data_re() (what the CUDA kernels use) enumerate exactly the REs that
// is_data_re() marks, in frequency-first order, for DMRS types 1 and 2, 1 to 3 CDM groups
// without data (2 and 3 leave DMRS symbols empty), single and double-symbol DMRS, type A and B.
TEST(PuschReMapper, DataLayoutLocatesEveryDataReInOrder) {
  CellConfig cell;
  cell.num_prbs = 9;
  unsigned cases = 0;
  for (const auto type : {DmrsConfigType::type1, DmrsConfigType::type2}) {
    for (unsigned groups = 1; groups <= (type == DmrsConfigType::type1 ? 2U : 3U); ++groups) {
      for (unsigned length = 1; length <= 2; ++length) {
        for (const bool type_b : {false, true}) {
          PuschConfig pusch;
          pusch.bwp_size = 9;
          pusch.prb_start = 2;
          pusch.prb_size = 5;
          pusch.dmrs_config_type = type;
          pusch.num_dmrs_cdm_groups_no_data = groups;
          pusch.dmrs_length = length;
          pusch.dmrs_additional_position = length == 1 ? 2 : 1;
          if (type_b) {
            pusch.mapping_type = PuschMappingType::type_b;
            pusch.start_symbol = 3;
            pusch.num_symbols = 10;
          }
          ASSERT_EQ(pusch.validate(cell), "") << cases;
          const PuschReMapping m = make_pusch_re_mapping(cell, pusch);
          const PuschDataLayout layout = make_pusch_data_layout(m);
          ASSERT_EQ(layout.num_res(), m.num_data_res()) << cases;
          unsigned re = 0;
          for (unsigned l = m.start_symbol; l < m.start_symbol + m.num_symbols; ++l) {
            for (unsigned k = 0; k < m.num_subcarriers(); ++k) {
              if (!m.is_data_re(l, k)) {
                continue;
              }
              unsigned symbol = 99;
              unsigned subcarrier = 9999;
              locate_data_re(layout, re++, symbol, subcarrier);
              ASSERT_EQ(symbol, l) << "case " << cases << " RE " << re - 1;
              ASSERT_EQ(subcarrier, k) << "case " << cases << " RE " << re - 1;
            }
          }
          EXPECT_EQ(re, layout.num_res());
          ++cases;
        }
      }
    }
  }
  EXPECT_EQ(cases, 20U);
}

// Type B, symbols 4..7, DMRS on symbol 4 (type 1, 1 CDM group without data), PRBs 2..3 of a
// 6-PRB carrier, 2 layers.
TEST(PuschReMapper, FrequencyFirstOrderAroundDmrs) {
  CellConfig cell;
  cell.num_prbs = 6;
  cell.num_antenna_ports = 2;
  PuschConfig pusch;
  pusch.bwp_size = 6;
  pusch.prb_start = 2;
  pusch.prb_size = 2;
  pusch.mapping_type = PuschMappingType::type_b;
  pusch.start_symbol = 4;
  pusch.num_symbols = 4;
  pusch.dmrs_additional_position = 0;
  pusch.num_layers = 2;
  pusch.dmrs_ports = 0x3;
  const PuschReMapping m = make_pusch_re_mapping(cell, pusch);
  EXPECT_EQ(m.first_subcarrier, 24u);
  ASSERT_EQ(m.num_data_res(), 12u + 3 * 24);

  ResourceGrid grid = marked_grid(2, 6);
  const auto symbols = numbered(2 * m.num_data_res());
  map_pusch_data(m, symbols, 2, grid);
  for (unsigned layer = 0; layer < 2; ++layer) {
    std::size_t next = layer * m.num_data_res();
    // Symbol 4: data on odd subcarriers, zeros on the even (DMRS CDM group 0) ones.
    for (unsigned k = 0; k < 24; ++k) {
      const cf32 re = grid.at(layer, 4, 24 + k);
      EXPECT_EQ(re, k % 2 == 1 ? symbols[next++] : cf32(0.0F, 0.0F)) << "k " << k;
    }
    for (unsigned l = 5; l < 8; ++l) {
      for (unsigned k = 0; k < 24; ++k) {
        EXPECT_EQ(grid.at(layer, l, 24 + k), symbols[next++]);
      }
    }
    // Outside the allocation nothing changed.
    for (unsigned l = 0; l < 14; ++l) {
      for (unsigned k = 0; k < 72; ++k) {
        if (l < 4 || l > 7 || k < 24 || k >= 48) {
          ASSERT_EQ(grid.at(layer, l, k), marker) << "l " << l << " k " << k;
        }
      }
    }
  }

  std::vector<cf32> back(symbols.size());
  extract_pusch_data(m, grid, 2, back);
  EXPECT_EQ(back, symbols);
}

TEST(PuschReMapper, RejectsMismatchedSizes) {
  CellConfig cell;
  cell.num_prbs = 4;
  PuschConfig pusch;
  pusch.bwp_size = pusch.prb_size = 4;
  const PuschReMapping m = make_pusch_re_mapping(cell, pusch);
  ResourceGrid grid(1, 14, 48);
  std::vector<cf32> too_few(m.num_data_res() - 1);
  EXPECT_THROW(map_pusch_data(m, too_few, 1, grid), std::invalid_argument);
  std::vector<cf32> right(m.num_data_res());
  EXPECT_THROW(map_pusch_data(m, right, 2, grid), std::invalid_argument); // 1-port grid
  ResourceGrid narrow(1, 14, 36);
  EXPECT_THROW(map_pusch_data(m, right, 1, narrow), std::invalid_argument);
}

TEST(ResourceGrid, LayoutAndReshape) {
  ResourceGrid grid(2, 14, 24);
  EXPECT_EQ(grid.size(), 2u * 14 * 24);
  grid.at(1, 3, 5) = cf32(1.0F, 2.0F);
  EXPECT_EQ(grid.elements()[(1 * 14 + 3) * 24 + 5], cf32(1.0F, 2.0F));
  EXPECT_EQ(grid.symbol(1, 3)[5], cf32(1.0F, 2.0F));
  EXPECT_EQ(grid.port(1)[3 * 24 + 5], cf32(1.0F, 2.0F));
  const cf32* storage = grid.elements().data();
  grid.reshape(1, 14, 48);
  EXPECT_EQ(grid.elements().data(), storage);
  EXPECT_EQ(grid.num_subcarriers(), 48u);
  EXPECT_THROW(grid.reshape(2, 14, 48), std::length_error);
  grid.fill_zero();
  for (const auto& re : grid.elements()) {
    ASSERT_EQ(re, cf32(0.0F, 0.0F));
  }
}

} // namespace
} // namespace airan::phy
