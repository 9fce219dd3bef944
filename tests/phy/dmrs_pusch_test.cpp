// PUSCH DMRS (TS 38.211 6.4.1.1): port tables, symbol positions, c_init, and the DMRS REs of the
// MATLAB reference grids (checkable without the data path).
#include "../support/conformance_dirs.h"
#include "airan/io/npy.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/gold_sequence_jump.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

namespace fs = std::filesystem;

std::uint16_t symbols(std::initializer_list<unsigned> list) {
  std::uint16_t mask = 0;
  for (unsigned l : list) {
    mask |= static_cast<std::uint16_t>(1U << l);
  }
  return mask;
}

TEST(DmrsPusch, PortTablesType1) {
  // Table 6.4.1.1.3-1: p, lambda, Delta, w_f(0) w_f(1), w_t(0) w_t(1)
  const DmrsPortParams p1 = dmrs_port_params(DmrsConfigType::type1, 1);
  EXPECT_EQ(p1.cdm_group, 0u);
  EXPECT_EQ(p1.delta, 0u);
  EXPECT_EQ(p1.w_f[1], -1);
  EXPECT_EQ(p1.w_t[1], 1);
  const DmrsPortParams p2 = dmrs_port_params(DmrsConfigType::type1, 2);
  EXPECT_EQ(p2.cdm_group, 1u);
  EXPECT_EQ(p2.delta, 1u);
  EXPECT_EQ(p2.w_f[1], 1);
  const DmrsPortParams p7 = dmrs_port_params(DmrsConfigType::type1, 7);
  EXPECT_EQ(p7.cdm_group, 1u);
  EXPECT_EQ(p7.delta, 1u);
  EXPECT_EQ(p7.w_f[1], -1);
  EXPECT_EQ(p7.w_t[1], -1);
  EXPECT_THROW(dmrs_port_params(DmrsConfigType::type1, 8), std::invalid_argument);
}

TEST(DmrsPusch, PortTablesType2) {
  const unsigned groups[12] = {0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2};
  for (unsigned p = 0; p < 12; ++p) {
    const DmrsPortParams params = dmrs_port_params(DmrsConfigType::type2, p);
    EXPECT_EQ(params.cdm_group, groups[p]) << p;
    EXPECT_EQ(params.delta, 2 * groups[p]) << p;
    EXPECT_EQ(params.w_f[0], 1);
    EXPECT_EQ(params.w_f[1], p % 2 == 0 ? 1 : -1) << p;
    EXPECT_EQ(params.w_t[1], p < 6 ? 1 : -1) << p;
  }
  EXPECT_THROW(dmrs_port_params(DmrsConfigType::type2, 12), std::invalid_argument);
}

TEST(DmrsPusch, AmplitudeAndSubcarriers) {
  EXPECT_FLOAT_EQ(dmrs_amplitude(1), 1.0F);
  EXPECT_FLOAT_EQ(dmrs_amplitude(2), std::sqrt(2.0F));
  EXPECT_FLOAT_EQ(dmrs_amplitude(3), std::sqrt(3.0F));
  EXPECT_THROW(dmrs_amplitude(0), std::invalid_argument);
  EXPECT_EQ(dmrs_subcarrier(DmrsConfigType::type1, 1, 0), 1u);
  EXPECT_EQ(dmrs_subcarrier(DmrsConfigType::type1, 1, 3), 7u); // n = 1, k' = 1
  EXPECT_EQ(dmrs_subcarrier(DmrsConfigType::type2, 4, 3), 11u);
}

TEST(DmrsPusch, PositionsTypeA) {
  const auto a = PuschMappingType::type_a;
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 14, 1, 0), symbols({2}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 14, 1, 1), symbols({2, 11}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 14, 1, 2), symbols({2, 7, 11}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 14, 1, 3), symbols({2, 5, 8, 11}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 3, 0, 12, 1, 2), symbols({3, 6, 9}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 12, 1, 3), symbols({2, 5, 8, 11}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 9, 1, 3), symbols({2, 7}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 7, 1, 1), symbols({2}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 14, 2, 1), symbols({2, 3, 10, 11}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 3, 0, 11, 2, 1), symbols({3, 4, 8, 9}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(a, 2, 0, 9, 2, 1), symbols({2, 3}));
  EXPECT_THROW(dmrs_symbol_mask_from_tables(a, 2, 0, 3, 1, 0), std::invalid_argument);
  EXPECT_THROW(dmrs_symbol_mask_from_tables(a, 3, 0, 14, 1, 3), std::invalid_argument);
  EXPECT_THROW(dmrs_symbol_mask_from_tables(a, 2, 0, 14, 2, 2), std::invalid_argument);
  EXPECT_THROW(dmrs_symbol_mask_from_tables(a, 4, 0, 14, 1, 0), std::invalid_argument);
}

TEST(DmrsPusch, PositionsTypeBAreRelativeToTheStart) {
  const auto b = PuschMappingType::type_b;
  EXPECT_EQ(dmrs_symbol_mask_from_tables(b, 2, 3, 2, 1, 1), symbols({3}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(b, 2, 3, 7, 1, 1), symbols({3, 7}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(b, 2, 0, 10, 1, 3), symbols({0, 3, 6, 9}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(b, 2, 2, 12, 1, 2), symbols({2, 7, 12}));
  EXPECT_EQ(dmrs_symbol_mask_from_tables(b, 2, 1, 8, 2, 1), symbols({1, 2, 6, 7}));
  EXPECT_THROW(dmrs_symbol_mask_from_tables(b, 2, 0, 4, 2, 0), std::invalid_argument);
}

TEST(DmrsPusch, ExplicitSymbolMask) {
  CellConfig cell;
  PuschConfig pusch;
  pusch.dmrs_symbol_mask = symbols({2, 3, 9, 10});
  pusch.dmrs_length = 2;
  const DmrsSymbols s = pusch_dmrs_symbols(cell, pusch);
  EXPECT_EQ(s.mask, pusch.dmrs_symbol_mask);
  EXPECT_EQ(s.second_symbol, symbols({3, 10}));
  EXPECT_EQ(s.count(), 4u);
  EXPECT_EQ(s.l_prime(10), 1u);
  EXPECT_EQ(s.l_prime(9), 0u);
  pusch.dmrs_symbol_mask = symbols({2, 3, 9});
  EXPECT_THROW(pusch_dmrs_symbols(cell, pusch), std::invalid_argument); // 9 unpaired
  pusch.dmrs_length = 1;
  pusch.start_symbol = 0;
  pusch.num_symbols = 8;
  EXPECT_THROW(pusch_dmrs_symbols(cell, pusch), std::invalid_argument); // 9 outside
  // At most 4 single-symbol or 2 double-symbol occasions (TS 38.211 Tables 6.4.1.1.3-3/-4): 5
  // to 8 would overrun the estimator's per-occasion arrays.
  pusch.num_symbols = 14;
  pusch.dmrs_symbol_mask = symbols({2, 5, 8, 11});
  EXPECT_EQ(pusch_dmrs_symbols(cell, pusch).count(), 4U);
  for (const std::uint16_t mask : {symbols({2, 4, 6, 8, 10}), symbols({2, 4, 6, 8, 10, 12}),
                                   symbols({2, 3, 4, 5, 7, 9, 11, 13})}) {
    pusch.dmrs_symbol_mask = mask;
    EXPECT_THROW(pusch_dmrs_symbols(cell, pusch), std::invalid_argument) << mask;
    EXPECT_NE(pusch.validate(cell).find("DMRS occasions of 1 symbol(s), more than 4"),
              std::string::npos)
        << pusch.validate(cell);
  }
  pusch.dmrs_length = 2;
  pusch.dmrs_symbol_mask = symbols({2, 3, 6, 7, 10, 11});
  EXPECT_NE(pusch.validate(cell).find("3 DMRS occasions of 2 symbol(s), more than 2"),
            std::string::npos)
      << pusch.validate(cell);
}

TEST(DmrsPusch, CInit) {
  // (2^17 (14 n_s + l + 1)(2 N_ID + 1) + 2 N_ID + n_SCID) mod 2^31
  EXPECT_EQ(pusch_dmrs_c_init(14, 0, 0, 0, 0), 1u << 17);
  EXPECT_EQ(pusch_dmrs_c_init(14, 1, 2, 10, 1), ((1ULL << 17) * 17 * 21 + 21) % (1ULL << 31));
  EXPECT_EQ(pusch_dmrs_c_init(14, 19, 13, 65535, 1),
            ((1ULL << 17) * (14 * 19 + 14) * 131071ULL + 131071) % (1ULL << 31));
}

// The reference grids are per antenna port; with non-codebook precoding port i carries layer i.
// At the DMRS REs of the layer's port the grid holds beta w_f w_t r; the other REs of the CDM
// groups without data on DMRS symbols are empty.
TEST(DmrsPusch, MatchesReferenceGridsAtDmrsRes) {
  using airan::test::ConformanceSet;
  const fs::path dir = airan::test::conformance_dir(ConformanceSet::committed, "pusch");
  AIRAN_REQUIRE_CONFORMANCE_DIR(ConformanceSet::committed, dir);
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream file(entry.path() / "config.json");
    const auto config = nlohmann::json::parse(file);
    const auto& p = config["pusch"];
    if (p["precoding"] != "non-codebook") {
      continue;
    }
    CellConfig cell;
    cell.num_prbs = p["n_size_bwp"];
    cell.n_cell_id = config["carrier"]["n_cell_id"];
    cell.num_antenna_ports = p["num_antenna_ports"];
    PuschConfig pusch;
    pusch.bwp_size = pusch.prb_size = cell.num_prbs;
    pusch.dmrs_config_type =
        p["dmrs"]["config_type"] == 1 ? DmrsConfigType::type1 : DmrsConfigType::type2;
    pusch.dmrs_length = p["dmrs"]["length"];
    pusch.dmrs_additional_position = p["dmrs"]["additional_position"];
    pusch.num_dmrs_cdm_groups_no_data = p["dmrs"]["num_cdm_groups_without_data"];
    pusch.n_scid = p["dmrs"]["n_scid"];
    pusch.dmrs_scrambling_id = p["dmrs"]["n_id"];
    pusch.num_layers = p["num_layers"];
    const unsigned slot = config["carrier"]["slot_number"];
    std::vector<std::size_t> shape;
    const auto grid = io::read_npy_c64(entry.path() / "grid.npy", &shape);
    const std::size_t num_sc = shape[2];

    const PuschDmrsParams params = make_pusch_dmrs_params(cell, pusch, slot);
    std::vector<cf32> values(params.values_per_symbol());
    for (unsigned layer = 0; layer < pusch.num_layers; ++layer) {
      const unsigned port = p["dmrs"]["dmrs_port_set"][layer];
      const DmrsPortParams port_params = dmrs_port_params(pusch.dmrs_config_type, port);
      for (unsigned l = 0; l < 14; ++l) {
        if (!params.symbols.contains(l)) {
          continue;
        }
        generate_pusch_dmrs(params, port, l, values);
        const cf32* row = grid.data() + (layer * 14 + l) * num_sc;
        std::vector<bool> is_dmrs(num_sc, false);
        for (unsigned i = 0; i < values.size(); ++i) {
          const unsigned k = dmrs_subcarrier(pusch.dmrs_config_type, port_params.delta, i);
          is_dmrs[k] = true;
          ASSERT_LT(std::abs(row[k] - values[i]), 1e-5F)
              << entry.path().filename() << " layer " << layer << " symbol " << l << " k " << k;
        }
        for (unsigned k = 0; k < num_sc; ++k) {
          const unsigned group =
              pusch.dmrs_config_type == DmrsConfigType::type1 ? k % 2 : (k % 6) / 2;
          if (!is_dmrs[k] && group < pusch.num_dmrs_cdm_groups_no_data) {
            ASSERT_EQ(row[k], cf32(0.0F, 0.0F)) << entry.path().filename() << " k " << k;
          }
        }
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(DmrsPusch, SequenceStartsAtCommonResourceBlockZero) {
  // An allocation from CRB 4 continues the sequence of one from CRB 0 at the same symbol.
  PuschDmrsParams from_zero;
  from_zero.num_prbs = 8;
  from_zero.symbols.mask = symbols({2});
  from_zero.scrambling_id = 77;
  PuschDmrsParams from_four = from_zero;
  from_four.first_crb = 4;
  from_four.num_prbs = 4;
  std::vector<cf32> whole(from_zero.values_per_symbol());
  std::vector<cf32> upper(from_four.values_per_symbol());
  generate_pusch_dmrs(from_zero, 0, 2, whole);
  generate_pusch_dmrs(from_four, 0, 2, upper);
  for (std::size_t i = 0; i < upper.size(); ++i) {
    EXPECT_EQ(upper[i], whole[i + 24]);
  }
  EXPECT_THROW(generate_pusch_dmrs(from_zero, 0, 3, whole), std::invalid_argument);
  EXPECT_THROW(generate_pusch_dmrs(from_zero, 0, 2, upper), std::invalid_argument);
}

// The CUDA generator's unit of work (one Gold word from gold_sequence_word, 16 values each)
// gives generate_pusch_dmrs's values bit for bit: both DMRS types, every port, single and double
// symbols, allocations starting at any CRB, beta of 1, 2 or 3 CDM groups without data.
TEST(DmrsPusch, ParallelWordGenerationEqualsTheSequentialGenerator) {
  const GoldJumpTable table = make_gold_jump_table();
  std::mt19937 rng(12);
  for (int trial = 0; trial < 200; ++trial) {
    PuschDmrsParams params;
    params.config_type = (trial % 2) == 0 ? DmrsConfigType::type1 : DmrsConfigType::type2;
    params.slot = rng() % 20;
    params.scrambling_id = static_cast<std::uint16_t>(rng() % 65536);
    params.n_scid = rng() % 2;
    params.first_crb = rng() % 200;
    params.num_prbs = 1 + rng() % 273;
    params.beta = dmrs_amplitude(1 + rng() % 3);
    params.symbols.mask = symbols({2, 3, 11});
    params.symbols.second_symbol = symbols({3});
    const unsigned port = rng() % dmrs_num_ports(params.config_type);
    const DmrsPortParams port_params = dmrs_port_params(params.config_type, port);
    for (const unsigned symbol : {2U, 3U, 11U}) {
      std::vector<cf32> expected(params.values_per_symbol());
      generate_pusch_dmrs(params, port, symbol, expected);
      const std::uint32_t c_init = pusch_dmrs_c_init(params.symbols_per_slot, params.slot, symbol,
                                                     params.scrambling_id, params.n_scid);
      const int w_t = port_params.w_t[params.symbols.l_prime(symbol)];
      const float weights[2] = {dmrs_value_weight(params.beta, w_t, port_params.w_f[0]),
                                dmrs_value_weight(params.beta, w_t, port_params.w_f[1])};
      const unsigned first_gold_bit = 2 * dmrs_res_per_prb(params.config_type) * params.first_crb;
      std::vector<cf32> parallel(expected.size(), cf32(9.0F, 9.0F));
      const auto words = static_cast<unsigned>((expected.size() + 15) / 16);
      for (unsigned w = 0; w < words; ++w) {
        const std::uint32_t bits = gold_sequence_word(table, c_init, first_gold_bit + 32 * w);
        dmrs_values_from_gold_word(
            bits, weights, w, static_cast<unsigned>(expected.size()),
            [&](unsigned i, float re, float im) { parallel[i] = cf32(re, im); });
      }
      ASSERT_EQ(parallel, expected) << "trial " << trial << " symbol " << symbol;
    }
  }
}

} // namespace
} // namespace airan::phy
