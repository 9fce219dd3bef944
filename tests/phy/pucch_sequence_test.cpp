// PUCCH sequences (TS 38.211 6.3.2.2, 6.3.2.4, 6.4.1.3.1), the DTX threshold and validate().
#include "airan/phy/gold_sequence.h"
#include "airan/phy/pucch_config.h"
#include "airan/phy/pucch_detection.h"
#include "airan/phy/pucch_format0.h"
#include "airan/phy/pucch_sequence.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

namespace airan::phy {
namespace {

unsigned gold_value(std::uint32_t c_init, std::uint32_t first, unsigned bits) {
  std::vector<bit_t> c(first + bits);
  gold_sequence(c_init, c);
  unsigned value = 0;
  for (unsigned m = 0; m < bits; ++m) {
    value += static_cast<unsigned>(c[first + m]) << m;
  }
  return value;
}

TEST(PucchSequenceTest, GroupAndSequenceHoppingFollowTheSpecFormulas) {
  for (const std::uint16_t n_id : {0, 29, 30, 517, 1023}) {
    for (unsigned slot = 0; slot < 20; ++slot) {
      for (unsigned hop = 0; hop < 2; ++hop) {
        const LowPaprSequenceId neither =
            pucch_sequence_id(PucchGroupHopping::neither, n_id, slot, hop);
        EXPECT_EQ(neither, (LowPaprSequenceId{n_id % 30U, 0}));
        const unsigned f_gh = gold_value(n_id / 30U, 8 * (2 * slot + hop), 8) % 30;
        EXPECT_EQ(pucch_sequence_id(PucchGroupHopping::enable, n_id, slot, hop),
                  (LowPaprSequenceId{(f_gh + n_id % 30U) % 30U, 0}));
        const unsigned v = gold_value((32U * (n_id / 30U)) + (n_id % 30U), 2 * slot + hop, 1);
        EXPECT_EQ(pucch_sequence_id(PucchGroupHopping::disable, n_id, slot, hop, 72),
                  (LowPaprSequenceId{n_id % 30U, v}));
        // Formats 0 and 1: 12 values, a single base sequence.
        EXPECT_EQ(pucch_sequence_id(PucchGroupHopping::disable, n_id, slot, hop),
                  (LowPaprSequenceId{n_id % 30U, 0}));
      }
    }
  }
}

TEST(PucchSequenceTest, CyclicShiftHoppingFollowsTheSpecFormula) {
  PucchConfig pucch;
  pucch.hopping_id = 611;
  pucch.initial_cyclic_shift = 5;
  for (unsigned slot = 0; slot < 20; ++slot) {
    for (unsigned symbol = 0; symbol < 14; ++symbol) {
      const unsigned n_cs = gold_value(611, 8 * (14 * slot + symbol), 8);
      EXPECT_EQ(pucch_cyclic_shift_hopping(611, 14, slot, symbol), n_cs);
      EXPECT_EQ(pucch_cyclic_shift_index(pucch, 14, slot, symbol, 3), (5 + 3 + n_cs) % 12);
    }
    pucch.start_symbol = 3;
    pucch.num_symbols = 9;
    std::array<unsigned, 9> run{};
    pucch_cyclic_shift_indices(pucch, 14, slot, run);
    for (unsigned l = 0; l < 9; ++l) {
      EXPECT_EQ(run[l], pucch_cyclic_shift_index(pucch, 14, slot, 3 + l, 0));
    }
  }
}

TEST(PucchSequenceTest, SpreadingFactorsMatchTheSpecTables) {
  // TS 38.211 Table 6.3.2.4.1-1 (data) and Table 6.4.1.3.1.1-1 (DMRS), N = 4..14:
  // {no hopping, hop 0, hop 1}.
  const std::array<std::array<unsigned, 3>, 11> data = {{{2, 1, 1},
                                                         {2, 1, 1},
                                                         {3, 1, 2},
                                                         {3, 1, 2},
                                                         {4, 2, 2},
                                                         {4, 2, 2},
                                                         {5, 2, 3},
                                                         {5, 2, 3},
                                                         {6, 3, 3},
                                                         {6, 3, 3},
                                                         {7, 3, 4}}};
  const std::array<std::array<unsigned, 3>, 11> dmrs = {{{2, 1, 1},
                                                         {3, 1, 2},
                                                         {3, 2, 1},
                                                         {4, 2, 2},
                                                         {4, 2, 2},
                                                         {5, 2, 3},
                                                         {5, 3, 2},
                                                         {6, 3, 3},
                                                         {6, 3, 3},
                                                         {7, 3, 4},
                                                         {7, 4, 3}}};
  PucchConfig pucch;
  pucch.format = PucchFormat::format1;
  for (unsigned n = 4; n <= 14; ++n) {
    pucch.num_symbols = n;
    pucch.intra_slot_hopping = false;
    EXPECT_EQ(pucch_format1_spreading_factor(pucch, 0, false), data[n - 4][0]) << n;
    EXPECT_EQ(pucch_format1_spreading_factor(pucch, 0, true), dmrs[n - 4][0]) << n;
    pucch.intra_slot_hopping = true;
    for (unsigned hop = 0; hop < 2; ++hop) {
      EXPECT_EQ(pucch_format1_spreading_factor(pucch, hop, false), data[n - 4][1 + hop]) << n;
      EXPECT_EQ(pucch_format1_spreading_factor(pucch, hop, true), dmrs[n - 4][1 + hop]) << n;
    }
  }
}

TEST(PucchSequenceTest, CoverCodesAreOrthogonal) {
  for (unsigned n_sf = 1; n_sf <= 7; ++n_sf) {
    for (unsigned i = 0; i < n_sf; ++i) {
      EXPECT_NEAR(std::abs(pucch_format1_cover(n_sf, i, 0) - cf32(1.0F, 0.0F)), 0.0F, 1e-6F);
      for (unsigned j = 0; j < n_sf; ++j) {
        cf32 sum(0.0F, 0.0F);
        for (unsigned m = 0; m < n_sf; ++m) {
          sum += pucch_format1_cover(n_sf, i, m) * std::conj(pucch_format1_cover(n_sf, j, m));
        }
        EXPECT_NEAR(std::abs(sum), i == j ? static_cast<float>(n_sf) : 0.0F, 1e-5F);
      }
    }
  }
  EXPECT_NEAR(std::abs(pucch_format1_cover(4, 1, 1) - cf32(-1.0F, 0.0F)), 0.0F, 1e-6F);
  EXPECT_THROW((void)pucch_format1_cover(8, 0, 0), std::invalid_argument);
  EXPECT_THROW((void)pucch_format1_cover(3, 3, 0), std::invalid_argument);
}

TEST(PucchSequenceTest, Format0CyclicShiftsFollowTs38213) {
  const auto shift = [](std::vector<bit_t> harq, bool sr) {
    return pucch_format0_cyclic_shift(harq, sr);
  };
  EXPECT_EQ(shift({}, true), 0U);
  EXPECT_FALSE(shift({}, false).has_value());
  EXPECT_EQ(shift({0}, false), 0U);
  EXPECT_EQ(shift({1}, false), 6U);
  EXPECT_EQ(shift({0}, true), 3U);
  EXPECT_EQ(shift({1}, true), 9U);
  EXPECT_EQ(shift({0, 0}, false), 0U);
  EXPECT_EQ(shift({0, 1}, false), 3U);
  EXPECT_EQ(shift({1, 1}, false), 6U);
  EXPECT_EQ(shift({1, 0}, false), 9U);
  EXPECT_EQ(shift({0, 0}, true), 1U);
  EXPECT_EQ(shift({0, 1}, true), 4U);
  EXPECT_EQ(shift({1, 1}, true), 7U);
  EXPECT_EQ(shift({1, 0}, true), 10U);
}

TEST(PucchDetectionTest, BetaTailMatchesClosedForms) {
  // a = 1: P(X > t) = (1 - t)^b; b = 1: P(X > t) = 1 - t^a.
  for (const double t : {0.01, 0.2, 0.5, 0.9}) {
    EXPECT_NEAR(beta_tail_probability(1, 23, t), std::pow(1.0 - t, 23), 1e-12);
    EXPECT_NEAR(beta_tail_probability(5, 1, t), 1.0 - std::pow(t, 5), 1e-12);
  }
  const double t = pucch_energy_share_threshold(4, 100, 4, 0.01);
  EXPECT_NEAR(4 * beta_tail_probability(4, 100, t), 0.01, 1e-6);
  EXPECT_THROW((void)pucch_energy_share_threshold(0, 10, 1, 0.01), std::invalid_argument);
  EXPECT_THROW((void)pucch_energy_share_threshold(1, 10, 1, 1.0), std::invalid_argument);
}

TEST(PucchConfigTest, ValidateRefusesWhatTheSpecOrThisReceiverDoesNot) {
  const CellConfig cell{.num_prbs = 52, .numerology = 1};
  PucchConfig ok;
  ok.format = PucchFormat::format1;
  ok.bwp_size = 52;
  ok.harq_bits = 2;
  EXPECT_EQ(ok.validate(cell), "");
  const auto error_of = [&](auto change) {
    PucchConfig pucch = ok;
    change(pucch);
    return pucch.validate(cell);
  };
  EXPECT_NE(error_of([](PucchConfig& p) { p.format = PucchFormat::format3; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.harq_bits = 3; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.num_symbols = 3; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.num_prbs = 2; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.prb_start = 52; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.bwp_size = 53; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.initial_cyclic_shift = 12; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.hopping_id = 1024; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.time_domain_occ = 7; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) {
              p.num_symbols = 4;
              p.intra_slot_hopping = true;
              p.time_domain_occ = 1; // N_SF = 1 per hop
            }),
            "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.harq_bits = p.sr_bits = 0; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) { p.csi_part1_bits = 4; }), "");
  EXPECT_NE(error_of([](PucchConfig& p) {
              p.intra_slot_hopping = true;
              p.second_hop_prb = 52;
            }),
            "");
  EXPECT_NE(error_of([](PucchConfig& p) {
              p.format = PucchFormat::format0;
              p.num_symbols = 3;
            }),
            "");
  EXPECT_NE(error_of([](PucchConfig& p) {
              p.format = PucchFormat::format0;
              p.num_symbols = 1;
              p.intra_slot_hopping = true;
            }),
            "");
  EXPECT_NE(error_of([](PucchConfig& p) {
              p.format = PucchFormat::format2;
              p.num_symbols = 1;
              p.harq_bits = 2; // format 2 needs 3 bits or more
            }),
            "");
  EXPECT_EQ(error_of([](PucchConfig& p) {
              p.format = PucchFormat::format2;
              p.num_symbols = 2;
              p.num_prbs = 16;
              p.harq_bits = 2;
              p.sr_bits = 1;
              p.csi_part1_bits = 40;
            }),
            "");
  EXPECT_NE(error_of([](PucchConfig& p) {
              p.format = PucchFormat::format2;
              p.num_symbols = 1;
              p.csi_part1_bits = 200; // does not fit 16 coded bits
            }),
            "");
}

} // namespace
} // namespace airan::phy
