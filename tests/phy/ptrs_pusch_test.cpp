// PUSCH PT-RS placement and values (TS 38.211 6.4.1.2): the symbol rule that restarts at every
// DMRS occasion, k_ref^RE of Table 6.4.1.2.2.1-1, k_ref^RB from the RNTI, the data REs that the
// RE mapping and the device layout skip, the values taken from the DMRS sequence, and the
// configurations validate() refuses.
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/ptrs_pusch.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_re_mapper.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using namespace airan::phy;

std::uint16_t bits(std::initializer_list<unsigned> symbols) {
  std::uint16_t mask = 0;
  for (unsigned l : symbols) {
    mask = static_cast<std::uint16_t>(mask | (1U << l));
  }
  return mask;
}

TEST(PtrsPusch, SymbolsRestartAtEachDmrsOccasion) {
  // 14 symbols, DMRS on 2 and 11 (type A, pos1).
  EXPECT_EQ(ptrs_symbol_mask(0, 14, bits({2, 11}), 1),
            bits({0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13}));
  EXPECT_EQ(ptrs_symbol_mask(0, 14, bits({2, 11}), 2), bits({0, 4, 6, 8, 10, 13}));
  EXPECT_EQ(ptrs_symbol_mask(0, 14, bits({2, 11}), 4), bits({0, 6, 10}));
  EXPECT_EQ(ptrs_symbol_mask(0, 14, bits({2}), 4), bits({0, 6, 10}));
  // Double-symbol DMRS on 2-3: counting restarts from the second DMRS symbol.
  EXPECT_EQ(ptrs_symbol_mask(0, 14, bits({2, 3}), 2), bits({0, 5, 7, 9, 11, 13}));
  EXPECT_EQ(ptrs_symbol_mask(0, 14, bits({2, 3, 10, 11}), 1),
            bits({0, 1, 4, 5, 6, 7, 8, 9, 12, 13}));
  // Mapping type B from symbol 5, 7 symbols, DMRS on the first: symbols 6..11.
  EXPECT_EQ(ptrs_symbol_mask(5, 7, bits({5}), 1), bits({6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(ptrs_symbol_mask(5, 7, bits({5}), 2), bits({7, 9, 11}));
  EXPECT_EQ(ptrs_symbol_mask(5, 7, bits({5, 9}), 4), bits({}));
  // Never on a DMRS symbol, whatever the density.
  for (unsigned density : {1U, 2U, 4U}) {
    for (std::uint16_t dmrs : {bits({2, 7, 11}), bits({3, 8, 12}), bits({0, 4, 8, 12})}) {
      EXPECT_EQ(ptrs_symbol_mask(0, 14, dmrs, density) & dmrs, 0) << density;
    }
  }
}

TEST(PtrsPusch, ReferenceSubcarrierTable) {
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type1, 0, 0), 0);
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type1, 1, 3), 10);
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type1, 2, 1), 3);
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type1, 3, 2), 9);
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type1, 4, 0), -1);
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type2, 1, 3), 0);
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type2, 4, 2), 10);
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type2, 5, 3), 4);
  EXPECT_EQ(ptrs_re_reference(DmrsConfigType::type2, 6, 0), -1);
  // Every entry is a subcarrier of the port's own CDM group.
  for (auto type : {DmrsConfigType::type1, DmrsConfigType::type2}) {
    for (unsigned port = 0; port < 6; ++port) {
      for (unsigned offset = 0; offset < 4; ++offset) {
        const int k = ptrs_re_reference(type, port, offset);
        if (k < 0) {
          continue;
        }
        const DmrsPortParams params = dmrs_port_params(type, port);
        bool found = false;
        for (unsigned i = 0; i < dmrs_res_per_prb(type); ++i) {
          found = found || dmrs_subcarrier(type, params.delta, i) == static_cast<unsigned>(k);
        }
        EXPECT_TRUE(found) << "port " << port << " offset " << offset;
      }
    }
  }
}

PuschConfig make_ptrs_pusch(unsigned prbs, unsigned density, std::uint16_t rnti) {
  PuschConfig pusch;
  pusch.bwp_size = 52;
  pusch.prb_size = prbs;
  pusch.rnti = rnti;
  pusch.mcs_index = 20;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.ptrs.enabled = true;
  pusch.ptrs.frequency_density = density;
  pusch.ptrs.time_density = 1;
  return pusch;
}

TEST(PtrsPusch, ResourceBlockOffsetFollowsTheRnti) {
  // K divides N_RB: k_ref^RB = n_RNTI mod K.
  EXPECT_EQ(make_ptrs_pattern(make_ptrs_pusch(4, 2, 3), bits({2})).offset, 12U);
  EXPECT_EQ(make_ptrs_pattern(make_ptrs_pusch(8, 4, 7), bits({2})).offset, 36U);
  // Otherwise n_RNTI mod (N_RB mod K).
  EXPECT_EQ(make_ptrs_pattern(make_ptrs_pusch(5, 2, 3), bits({2})).offset, 0U);
  EXPECT_EQ(make_ptrs_pattern(make_ptrs_pusch(10, 4, 7), bits({2})).offset, 12U);
  PuschConfig pusch = make_ptrs_pusch(10, 4, 7);
  pusch.ptrs.re_offset = 2; // port 0, '10': subcarrier 6
  const PtrsPattern pattern = make_ptrs_pattern(pusch, bits({2}));
  EXPECT_EQ(pattern.offset, 18U);
  EXPECT_EQ(pattern.period, 48U);
  EXPECT_EQ(ptrs_count(pattern, 120), 3U); // 18, 66, 114
  pusch.ptrs.enabled = false;
  EXPECT_FALSE(make_ptrs_pattern(pusch, bits({2})).present());
}

TEST(PtrsPusch, DataSubcarriersSkipEveryPtrsSubcarrier) {
  for (unsigned period : {24U, 48U}) {
    for (unsigned offset = 0; offset < period; offset += 5) {
      PtrsPattern pattern;
      pattern.period = period;
      pattern.offset = offset;
      pattern.symbol_mask = 1;
      for (unsigned width : {12U, 36U, 60U, 3300U}) {
        unsigned j = 0;
        unsigned ptrs = 0;
        for (unsigned k = 0; k < width; ++k) {
          ASSERT_EQ(pattern.count_below(k), ptrs);
          if (pattern.on_subcarrier(k)) {
            ++ptrs;
            continue;
          }
          ASSERT_EQ(pattern.data_subcarrier(j++), k) << period << " " << offset << " " << width;
        }
        EXPECT_EQ(ptrs_count(pattern, width), ptrs);
      }
    }
  }
}

TEST(PtrsPusch, MappingAndLayoutLeaveThePtrsResEmpty) {
  CellConfig cell;
  cell.num_prbs = 52;
  PuschConfig pusch = make_ptrs_pusch(11, 2, 0x4601);
  pusch.num_dmrs_cdm_groups_no_data = 1; // data on DMRS symbols too
  pusch.ptrs.time_density = 2;
  ASSERT_EQ(pusch.validate(cell), "");
  const PuschReMapping mapping = make_pusch_re_mapping(cell, pusch);
  PuschConfig plain = pusch;
  plain.ptrs.enabled = false;
  const PuschReMapping without = make_pusch_re_mapping(cell, plain);
  ASSERT_TRUE(mapping.ptrs.present());
  const unsigned per_symbol = ptrs_count(mapping.ptrs, mapping.num_subcarriers());
  EXPECT_EQ(per_symbol, 6U); // 11 PRBs, K = 2, k_ref^RB = 0x4601 mod 1 = 0
  std::size_t ptrs_res = 0;
  for (unsigned l = 0; l < 14; ++l) {
    const unsigned expected =
        without.num_data_res(l) - (mapping.ptrs.on_symbol(l) ? per_symbol : 0);
    EXPECT_EQ(mapping.num_data_res(l), expected) << l;
    ptrs_res += mapping.ptrs.on_symbol(l) ? per_symbol : 0;
  }
  EXPECT_EQ(mapping.num_data_res(), without.num_data_res() - ptrs_res);

  // The device layout finds the same data REs, in the same order.
  const PuschDataLayout layout = make_pusch_data_layout(mapping);
  ASSERT_EQ(layout.num_res(), mapping.num_data_res());
  unsigned re = 0;
  for (unsigned l = 0; l < 14; ++l) {
    for (unsigned k = 0; k < mapping.num_subcarriers(); ++k) {
      if (!mapping.is_data_re(l, k)) {
        continue;
      }
      unsigned symbol = 0;
      unsigned subcarrier = 0;
      locate_data_re(layout, re++, symbol, subcarrier);
      ASSERT_EQ(symbol, l);
      ASSERT_EQ(subcarrier, k);
    }
  }

  // map_pusch_data() leaves the PT-RS REs zero on every layer; extract returns the data.
  ResourceGrid grid(1, 14, 12 * cell.num_prbs);
  for (unsigned l = 0; l < 14; ++l) {
    for (cf32& v : grid.symbol(0, l)) {
      v = cf32(9.0F, 9.0F);
    }
  }
  std::vector<cf32> data(mapping.num_data_res());
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = cf32(static_cast<float>(i), 1.0F);
  }
  map_pusch_data(mapping, data, 1, grid);
  for (unsigned l = 0; l < 14; ++l) {
    if (!mapping.ptrs.on_symbol(l)) {
      continue;
    }
    for (unsigned n = 0; n < per_symbol; ++n) {
      EXPECT_EQ(grid.symbol(0, l)[mapping.ptrs.offset + n * mapping.ptrs.period], cf32(0.0F, 0.0F));
    }
  }
  std::vector<cf32> back(data.size());
  extract_pusch_data(mapping, grid, 1, back);
  EXPECT_EQ(back, data);
}

TEST(PtrsPusch, ValuesAreTheDmrsSequenceAtTheirSubcarriers) {
  CellConfig cell;
  cell.num_prbs = 52;
  struct Case {
    DmrsConfigType type;
    std::uint16_t ports;
    unsigned ptrs_port, re_offset, layers;
  };
  for (const Case& c :
       {Case{DmrsConfigType::type1, 0x1, 0, 1, 1}, Case{DmrsConfigType::type1, 0x3, 1, 3, 2},
        Case{DmrsConfigType::type2, 0x9, 3, 2, 2}}) {
    PuschConfig pusch = make_ptrs_pusch(13, 2, 0x1234);
    pusch.prb_start = 7;
    pusch.dmrs_config_type = c.type;
    pusch.dmrs_ports = c.ports;
    pusch.num_layers = c.layers;
    pusch.num_dmrs_cdm_groups_no_data = c.type == DmrsConfigType::type1 ? 2 : 3;
    pusch.dmrs_scrambling_id = 77;
    pusch.ptrs.dmrs_port = c.ptrs_port;
    pusch.ptrs.re_offset = c.re_offset;
    pusch.ptrs.power = 1; // beta_PT-RS = 1
    cell.num_antenna_ports = c.layers;
    ASSERT_EQ(pusch.validate(cell), "");
    const PuschDmrsParams dmrs = make_pusch_dmrs_params(cell, pusch, 5);
    const PtrsPattern pattern = make_ptrs_pattern(pusch, dmrs.symbols.mask);
    std::vector<cf32> values(ptrs_count(pattern, 12 * pusch.prb_size));
    generate_pusch_ptrs(dmrs, pusch, pattern, values);
    // The DMRS of the associated port on the first DMRS symbol, divided by beta w_f(k').
    const DmrsPortParams port = dmrs_port_params(c.type, c.ptrs_port);
    std::vector<cf32> reference(dmrs.values_per_symbol());
    generate_pusch_dmrs(dmrs, c.ptrs_port, 2, reference);
    for (std::size_t n = 0; n < values.size(); ++n) {
      const unsigned k = pattern.offset + static_cast<unsigned>(n) * pattern.period;
      bool found = false;
      for (unsigned i = 0; i < reference.size(); ++i) {
        if (dmrs_subcarrier(c.type, port.delta, i) == k) {
          const cf32 expected = reference[i] / (dmrs.beta * static_cast<float>(port.w_f[i % 2]));
          EXPECT_NEAR(values[n].real(), expected.real(), 1e-6F);
          EXPECT_NEAR(values[n].imag(), expected.imag(), 1e-6F);
          found = true;
        }
      }
      EXPECT_TRUE(found) << "subcarrier " << k;
    }
    // ptrs-Power '00' boosts by sqrt(layers).
    pusch.ptrs.power = 0;
    std::vector<cf32> boosted(values.size());
    generate_pusch_ptrs(dmrs, pusch, pattern, boosted);
    EXPECT_NEAR(std::abs(boosted[0]), std::sqrt(static_cast<float>(c.layers)), 1e-6F);
  }
}

TEST(PtrsPusch, ValidateRefusesWhatThePtrsCannotBe) {
  CellConfig cell;
  cell.num_prbs = 52;
  PuschConfig pusch = make_ptrs_pusch(10, 2, 1);
  ASSERT_EQ(pusch.validate(cell), "");
  auto expect_error = [&](PuschConfig p, const std::string& text) {
    const std::string error = p.validate(cell);
    EXPECT_NE(error.find(text), std::string::npos) << error;
  };
  PuschConfig p = pusch;
  p.ptrs.time_density = 3;
  expect_error(p, "time density");
  p = pusch;
  p.ptrs.frequency_density = 1;
  expect_error(p, "frequency density");
  p = pusch;
  p.ptrs.re_offset = 4;
  expect_error(p, "resource element offset");
  p = pusch;
  p.ptrs.power = 2;
  expect_error(p, "reserved");
  p = pusch;
  p.ptrs.dmrs_port = 1;
  expect_error(p, "not one of the PDU's DMRS ports");
  p = pusch;
  p.dmrs_length = 2;
  p.dmrs_ports = 0x10; // port 4 of type 1 (double-symbol)
  p.ptrs.dmrs_port = 4;
  expect_error(p, "Table 6.4.1.2.2.1-1");
  p = pusch;
  p.transform_precoding = true;
  p.mcs_table = McsTable::transform_precoding_qam64;
  expect_error(p, "transform precoding");
}

} // namespace
