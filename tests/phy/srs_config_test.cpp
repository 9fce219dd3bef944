// SRS configuration (TS 38.211 6.4.1.4): Table 6.4.1.4.3-1 (every row nests, spot rows, every
// sequence length exists), the ports' cyclic shifts and combs, validate() on each field, the
// reference point of k0, the hopping counter n_SRS, frequency hopping over one period, and the
// sequence group and number per symbol against an independent Gold sequence.
#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/srs_config.h"

#include "srs_test_helpers.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>
#include <numbers>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::test;

TEST(SrsConfig, EveryTableRowNestsEachLevelInThePreviousOne) {
  for (unsigned c = 0; c <= SrsConfig::max_c_srs; ++c) {
    const SrsBandwidthRow row = srs_bandwidth_row(c);
    EXPECT_EQ(row.n[0], 1U) << "C_SRS " << c;
    for (unsigned b = 1; b < 4; ++b) {
      EXPECT_EQ(row.m_srs[b - 1], row.m_srs[b] * row.n[b]) << "C_SRS " << c << " b " << b;
    }
    for (unsigned b = 0; b < 4; ++b) {
      EXPECT_EQ(row.m_srs[b] % 4, 0U) << "C_SRS " << c << " b " << b;
    }
    if (c > 0) { // m_SRS,0 never decreases down the table
      EXPECT_GE(row.m_srs[0], srs_bandwidth_row(c - 1).m_srs[0]) << "C_SRS " << c;
    }
  }
  EXPECT_THROW((void)srs_bandwidth_row(64), std::invalid_argument);
  SrsConfig srs;
  srs.b_srs = 4;
  EXPECT_THROW((void)srs.num_prbs(), std::invalid_argument);
  EXPECT_THROW((void)srs_first_crb(srs, 0), std::invalid_argument);
  srs.b_srs = 3;
  srs.c_srs = 64;
  EXPECT_THROW((void)srs_hopping_period(srs), std::invalid_argument);
}

TEST(SrsConfig, SpotRowsOfTheTable) {
  const auto expect_row = [](unsigned c, std::array<unsigned, 4> m, std::array<unsigned, 4> n) {
    const SrsBandwidthRow row = srs_bandwidth_row(c);
    EXPECT_EQ(row.m_srs, m) << "C_SRS " << c;
    EXPECT_EQ(row.n, n) << "C_SRS " << c;
  };
  expect_row(0, {4, 4, 4, 4}, {1, 1, 1, 1});
  expect_row(9, {32, 16, 8, 4}, {1, 2, 2, 2});
  expect_row(20, {76, 4, 4, 4}, {1, 19, 1, 1});
  expect_row(36, {144, 48, 24, 12}, {1, 3, 2, 2});
  expect_row(55, {240, 48, 16, 8}, {1, 5, 3, 2});
  expect_row(61, {272, 136, 68, 4}, {1, 2, 2, 17});
  expect_row(63, {272, 16, 8, 4}, {1, 17, 2, 2});
}

TEST(SrsConfig, EverySequenceLengthHasALowPaprSequence) {
  for (unsigned c = 0; c <= SrsConfig::max_c_srs; ++c) {
    for (unsigned b = 0; b < 4; ++b) {
      for (unsigned comb : {2U, 4U}) {
        SrsConfig srs;
        srs.c_srs = c;
        srs.b_srs = b;
        srs.comb_size = comb;
        EXPECT_EQ(srs.num_prbs(), srs_bandwidth_row(c).m_srs[b]);
        EXPECT_EQ(srs.sequence_length(), srs.num_prbs() * 12 / comb);
        EXPECT_TRUE(low_papr_length_supported(srs.sequence_length()))
            << "C_SRS " << c << " B_SRS " << b << " comb " << comb;
      }
    }
  }
}

TEST(SrsConfig, PortsHaveEvenlySpreadCyclicShiftsAndSplitCombsInTheUpperHalf) {
  SrsConfig srs;
  srs.comb_size = 4;
  srs.comb_offset = 1;
  srs.num_ports = 4;
  srs.cyclic_shift = 5; // lower half of 12: one comb
  EXPECT_EQ(srs.max_cyclic_shifts(), 12U);
  const std::array<unsigned, 4> lower = {5, 8, 11, 2};
  for (unsigned p = 0; p < 4; ++p) {
    EXPECT_EQ(srs.port_cyclic_shift(p), lower[p]);
    EXPECT_NEAR(srs.port_alpha(p), 2.0 * std::numbers::pi * lower[p] / 12.0, 1e-6);
    EXPECT_EQ(srs.port_comb(p), 1U);
  }
  srs.cyclic_shift = 6; // upper half: ports 1001 and 1003 move by K_TC / 2
  EXPECT_EQ(srs.port_comb(0), 1U);
  EXPECT_EQ(srs.port_comb(1), 3U);
  EXPECT_EQ(srs.port_comb(2), 1U);
  EXPECT_EQ(srs.port_comb(3), 3U);
  srs.num_ports = 2; // only 4-port SRSs split
  EXPECT_EQ(srs.port_comb(1), 1U);
  EXPECT_EQ(srs.port_cyclic_shift(1), 0U); // (6 + 12 / 2) mod 12

  srs.comb_size = 2;
  srs.comb_offset = 1;
  srs.num_ports = 4;
  srs.cyclic_shift = 7;
  EXPECT_EQ(srs.max_cyclic_shifts(), 8U);
  EXPECT_EQ(srs.port_cyclic_shift(1), 1U); // (7 + 2) mod 8
  EXPECT_EQ(srs.port_comb(1), 0U);
  EXPECT_EQ(srs.port_comb(2), 1U);
}

TEST(SrsConfig, ValidateAcceptsTheDefaultsAndAValidHoppingPdu) {
  const CellConfig cell; // 273 PRBs
  EXPECT_EQ(SrsConfig{}.validate(cell), "");
  SrsConfig srs = srs_test_config(cell, 63, 4, 4, 4);
  srs.b_srs = 3;
  srs.hopping_bandwidth = 0;
  srs.repetition = 2;
  srs.resource_type = SrsResourceType::periodic;
  srs.periodicity = 2560;
  srs.slot_offset = 2559;
  srs.group_or_sequence_hopping = SrsHopping::group;
  EXPECT_EQ(srs.validate(cell), "");
  srs.resource_type = SrsResourceType::aperiodic;
  srs.periodicity = 3; // not read for an aperiodic SRS
  EXPECT_EQ(srs.validate(cell), "");
}

TEST(SrsConfig, ValidateRejectsEachFieldOutOfRangeAndSaysWhich) {
  const CellConfig cell = srs_test_cell(52);
  const SrsConfig valid = srs_test_config(cell, 12, 2, 1); // 48 PRBs
  ASSERT_EQ(valid.validate(cell), "");
  struct Case {
    std::function<void(SrsConfig&)> change;
    const char* message;
  };
  const std::vector<Case> cases = {
      {[](SrsConfig& s) { s.num_ports = 3; }, "numAntPorts 3"},
      {[](SrsConfig& s) { s.num_symbols = 3; }, "numSymbols 3"},
      {[](SrsConfig& s) { s.repetition = 3; }, "numRepetitions 3"},
      {[](SrsConfig& s) { s.repetition = 2; }, "numRepetitions 2"}, // above 1 symbol
      {[](SrsConfig& s) { s.num_symbols = 4; }, "exceed the slot"}, // from symbol 13
      {[](SrsConfig& s) { s.comb_size = 8; }, "combSize 8"},
      {[](SrsConfig& s) { s.comb_offset = 2; }, "combOffset 2"},
      {[](SrsConfig& s) { s.cyclic_shift = 8; }, "cyclicShift 8"},
      {[](SrsConfig& s) { s.sequence_id = 1024; }, "sequenceId 1024"},
      {[](SrsConfig& s) { s.group_or_sequence_hopping = static_cast<SrsHopping>(3); },
       "groupOrSequenceHopping 3"},
      {[](SrsConfig& s) { s.resource_type = static_cast<SrsResourceType>(3); }, "resourceType 3"},
      {[](SrsConfig& s) {
         s.resource_type = SrsResourceType::periodic;
         s.periodicity = 3;
       },
       "Tsrs 3"},
      {[](SrsConfig& s) {
         s.resource_type = SrsResourceType::semi_persistent;
         s.periodicity = 10;
         s.slot_offset = 10;
       },
       "Toffset 10"},
      {[](SrsConfig& s) { s.bwp_size = 53; }, "BWP CRBs 0+53"},
      {[](SrsConfig& s) { s.c_srs = 64; }, "configIndex 64"},
      {[](SrsConfig& s) { s.b_srs = 4; }, "bandwidthIndex 4"},
      {[](SrsConfig& s) { s.hopping_bandwidth = 4; }, "frequencyHopping 4"},
      {[](SrsConfig& s) { s.frequency_position = 68; }, "frequencyPosition 68"},
      {[](SrsConfig& s) { s.frequency_shift = 269; }, "frequencyShift 269"},
      {[](SrsConfig& s) { s.frequency_shift = 5; }, "SRS CRBs 5+48"}, // past the BWP's end
      {[](SrsConfig& s) { // the BWP starts above n_shift: from the BWP start (CRB 2 would fit)
         s.bwp_start = 3;
         s.bwp_size = 49;
         s.frequency_shift = 2;
       },
       "SRS CRBs 5+48 do not fit the BWP CRBs 3+49"},
      {[](SrsConfig& s) { // one of the 4 hops of 8 PRBs over 32 leaves the BWP of 28 PRBs
         s.c_srs = 9;
         s.b_srs = 2;
         s.hopping_bandwidth = 0;
         s.bwp_size = 28;
       },
       "at hop n_SRS"},
  };
  for (const Case& c : cases) {
    SrsConfig srs = valid;
    c.change(srs);
    const std::string error = srs.validate(cell);
    EXPECT_NE(error.find(c.message), std::string::npos)
        << "expected '" << c.message << "', got '" << error << "'";
  }
  SrsConfig comb4 = valid;
  comb4.comb_size = 4;
  comb4.cyclic_shift = 11;
  EXPECT_EQ(comb4.validate(cell), "");
  comb4.cyclic_shift = 12;
  EXPECT_NE(comb4.validate(cell).find("cyclicShift 12"), std::string::npos);
  CellConfig bad_cell = cell;
  bad_cell.num_prbs = 0;
  EXPECT_EQ(valid.validate(bad_cell).rfind("cell: ", 0), 0U);
}

TEST(SrsConfig, FirstSubcarrierCountsFromCrbZeroOrFromTheBwp) {
  const CellConfig cell = srs_test_cell(100, 20); // CRBs 20 .. 119
  SrsConfig srs = srs_test_config(cell, 9, 4, 1); // 32 PRBs
  srs.comb_offset = 3;
  srs.bwp_start = 30;
  srs.bwp_size = 80;
  srs.frequency_shift = 40; // N_BWP^start <= n_shift: from CRB 0
  ASSERT_EQ(srs.validate(cell), "");
  EXPECT_EQ(srs_first_crb(srs, 0), 40U);
  EXPECT_EQ(srs_first_subcarrier(srs, cell, 0, 0), 12U * (40 - 20) + 3);
  srs.frequency_shift = 29; // below the BWP start: from the BWP start
  ASSERT_EQ(srs.validate(cell), "");
  EXPECT_EQ(srs_first_crb(srs, 0), 59U);
  EXPECT_EQ(srs_first_subcarrier(srs, cell, 0, 0), 12U * (59 - 20) + 3);
  // n_RRC places the band in units of m_SRS,b: b = 0 has N_0 = 1, so B_SRS = 1 moves by 16.
  srs.frequency_shift = 30;
  srs.b_srs = 1;
  srs.frequency_position = 4; // floor(16 / 16) mod 2 = 1
  EXPECT_EQ(srs_first_crb(srs, 0), 46U);
}

TEST(SrsConfig, HoppingCounterCountsSymbolsAndOccasions) {
  SrsConfig srs;
  srs.num_symbols = 4;
  srs.repetition = 2;
  for (unsigned l = 0; l < 4; ++l) {
    EXPECT_EQ(srs_hopping_counter(srs, 20, 517, 9, l), l / 2); // aperiodic: floor(l' / R)
  }
  for (SrsResourceType type : {SrsResourceType::periodic, SrsResourceType::semi_persistent}) {
    srs.resource_type = type;
    srs.periodicity = 10;
    srs.slot_offset = 3;
    // (20 * 2 + 13 - 3) / 10 = 5 occasions of N_symb / R = 2 hops.
    EXPECT_EQ(srs_hopping_counter(srs, 20, 2, 13, 0), 10U);
    EXPECT_EQ(srs_hopping_counter(srs, 20, 2, 13, 3), 11U);
    // Before T_offset in frame 0: counted from the previous hyperframe (1024 frames).
    EXPECT_EQ(srs_hopping_counter(srs, 20, 0, 1, 0), (1024U * 20 - 2) / 10 * 2);
  }
  srs.periodicity = 0;
  EXPECT_THROW((void)srs_hopping_counter(srs, 20, 0, 1, 0), std::invalid_argument);
}

TEST(SrsConfig, HoppingVisitsEverySubBandOnceAPeriod) {
  struct Case {
    unsigned c_srs, b_srs, b_hop, n_rrc;
  };
  for (const Case& c : std::vector<Case>{{9, 2, 0, 0},
                                         {9, 3, 0, 5},
                                         {9, 3, 1, 9},
                                         {2, 1, 0, 0},
                                         {28, 2, 0, 13},
                                         {28, 3, 1, 40},
                                         {36, 3, 1, 17},
                                         {18, 3, 2, 30},
                                         {63, 3, 0, 0},
                                         {47, 2, 0, 3}}) {
    SrsConfig srs;
    srs.c_srs = c.c_srs;
    srs.b_srs = c.b_srs;
    srs.hopping_bandwidth = c.b_hop;
    srs.frequency_position = c.n_rrc;
    ASSERT_TRUE(srs.frequency_hopping());
    const SrsBandwidthRow row = srs_bandwidth_row(c.c_srs);
    unsigned expected_period = 1;
    for (unsigned b = c.b_hop + 1; b <= c.b_srs; ++b) {
      expected_period *= row.n[b];
    }
    const unsigned period = srs_hopping_period(srs);
    ASSERT_EQ(period, expected_period) << "C_SRS " << c.c_srs;
    std::set<unsigned> prbs;
    for (unsigned n = 0; n < period; ++n) {
      const unsigned first = srs_first_crb(srs, n);
      EXPECT_EQ(first, srs_first_crb(srs, n + period)) << "C_SRS " << c.c_srs << " n " << n;
      for (unsigned prb = first; prb < first + srs.num_prbs(); ++prb) {
        EXPECT_TRUE(prbs.insert(prb).second) << "C_SRS " << c.c_srs << " PRB " << prb << " twice";
      }
    }
    // The union is the level-b_hop band the hops share: m_SRS,b_hop PRBs on its own grid.
    const unsigned hop_band = row.m_srs[c.b_hop];
    ASSERT_EQ(prbs.size(), hop_band) << "C_SRS " << c.c_srs;
    EXPECT_EQ(*prbs.rbegin() - *prbs.begin() + 1, hop_band);
    EXPECT_EQ(*prbs.begin() % hop_band, 0U);
  }
}

// The hop order itself, worked out by hand from TS 38.211 6.4.1.4.3 (F_b for even and for odd
// N_b, N_{b_hop} = 1), not only its coverage: a wrong F_b that still permutes the sub-bands fails.
TEST(SrsConfig, HoppingFollowsTheSpecsOrder) {
  SrsConfig srs;
  srs.bwp_size = 273;
  srs.hopping_bandwidth = 0;
  // C_SRS 9 (m 32, 16, 8, 4; N 1, 2, 2, 2), B_SRS 3: F_1 = n mod 2, F_2 = floor((n mod 4) / 2),
  // F_3 = floor((n mod 8) / 4); offset 16 n_1 + 8 n_2 + 4 n_3 PRBs.
  srs.c_srs = 9;
  srs.b_srs = 3;
  const unsigned even[] = {0, 16, 8, 24, 4, 20, 12, 28};
  for (unsigned n = 0; n < 8; ++n) {
    EXPECT_EQ(srs_first_crb(srs, n), even[n]) << n;
    EXPECT_EQ(srs_first_crb(srs, n + 8), even[n]) << n; // period 8
  }
  // C_SRS 10 (m 36, 12, 4, 4; N 1, 3, 3, 1), B_SRS 2: N_b odd, F_1 = n, F_2 = floor(n / 3);
  // offset 12 (n mod 3) + 4 (floor(n / 3) mod 3) PRBs.
  srs.c_srs = 10;
  srs.b_srs = 2;
  const unsigned odd[] = {0, 12, 24, 4, 16, 28, 8, 20, 32};
  for (unsigned n = 0; n < 9; ++n) {
    EXPECT_EQ(srs_first_crb(srs, n), odd[n]) << n;
  }
  // b_hop 1 on C_SRS 9: level 1 fixed by n_RRC (4 n_RRC / 16 = 1: the upper half), levels 2 and
  // 3 hop inside it with F_2 = n mod 2, F_3 = floor((n mod 4) / 2).
  srs.c_srs = 9;
  srs.b_srs = 3;
  srs.hopping_bandwidth = 1;
  srs.frequency_position = 4;
  const unsigned inner[] = {16, 24, 20, 28};
  for (unsigned n = 0; n < 4; ++n) {
    EXPECT_EQ(srs_first_crb(srs, n), inner[n]) << n;
  }
}

TEST(SrsConfig, SequenceIdsFollowGroupAndSequenceHopping) {
  const CellConfig cell;
  SrsConfig srs = srs_test_config(cell, 20, 2, 1, 4); // 76 PRBs: M = 456 >= 72
  srs.sequence_id = 1000;
  std::array<LowPaprSequenceId, 4> ids{};
  bool u_changed = false;
  for (unsigned slot : {0U, 7U, 19U}) {
    for (unsigned l0 : {8U, 10U}) {
      srs.start_symbol = l0;
      srs.group_or_sequence_hopping = SrsHopping::group;
      srs_sequence_ids(srs, 14, slot, ids);
      for (unsigned l = 0; l < 4; ++l) {
        const std::vector<unsigned> c = srs_reference_gold(1000, 8 * (slot * 14 + l0 + l), 8);
        unsigned f_gh = 0;
        for (unsigned m = 0; m < 8; ++m) {
          f_gh += c[m] << m;
        }
        EXPECT_EQ(ids[l].u, (f_gh % 30 + 1000) % 30) << "slot " << slot << " l " << l;
        EXPECT_EQ(ids[l].v, 0U);
        u_changed = u_changed || ids[l].u != ids[0].u;
      }
      srs.group_or_sequence_hopping = SrsHopping::sequence;
      srs_sequence_ids(srs, 14, slot, ids);
      const std::vector<unsigned> c = srs_reference_gold(1000, slot * 14 + l0, 4);
      for (unsigned l = 0; l < 4; ++l) {
        EXPECT_EQ(ids[l].u, 1000U % 30);
        EXPECT_EQ(ids[l].v, c[l]) << "slot " << slot << " l " << l;
      }
    }
  }
  EXPECT_TRUE(u_changed);
  srs.c_srs = 2; // 12 PRBs, comb 2: M = 72 still has two base sequences
  srs_sequence_ids(srs, 14, 3, ids);
  const std::vector<unsigned> c = srs_reference_gold(1000, 3 * 14 + srs.start_symbol, 4);
  for (unsigned l = 0; l < 4; ++l) {
    EXPECT_EQ(ids[l].v, c[l]);
  }
  srs.comb_size = 4; // M = 36: v = 0 on every symbol
  srs_sequence_ids(srs, 14, 3, ids);
  for (unsigned l = 0; l < 4; ++l) {
    EXPECT_EQ(ids[l].v, 0U);
  }
  srs.group_or_sequence_hopping = SrsHopping::neither;
  srs_sequence_ids(srs, 14, 3, ids);
  for (unsigned l = 0; l < 4; ++l) {
    EXPECT_EQ(ids[l], (LowPaprSequenceId{1000 % 30, 0}));
  }
  std::array<LowPaprSequenceId, 2> too_few{};
  EXPECT_THROW(srs_sequence_ids(srs, 14, 3, too_few), std::invalid_argument);
}

} // namespace
