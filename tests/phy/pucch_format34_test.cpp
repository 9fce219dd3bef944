// PUCCH formats 3 and 4 (TS 38.211 6.3.2.6, 6.4.1.3.3; TS 38.212 6.3.1.4): the DMRS symbols of
// Table 6.4.1.3.3.2-1, E_tot of Table 6.3.1.4-1, the format 4 covers and their DMRS cyclic shifts,
// the transmitted grid against a direct evaluation of the clauses (modulation, spreading, DFT,
// low-PAPR DMRS), and exact noise-free round trips over sizes, PRBs, symbols, hopping, additional
// DMRS, pi/2-BPSK and antennas.
#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/pucch_format34.h"
#include "airan/phy/pucch_sequence.h"
#include "airan/phy/pucch_uci_coding.h"

#include "../support/pucch_format34_link.h"
#include "../support/random_bits.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::test;

/// Symbols of \p mask in increasing order.
std::vector<unsigned> symbols_of(std::uint16_t mask) {
  std::vector<unsigned> out;
  for (unsigned l = 0; l < 16; ++l) {
    if ((mask >> l & 1U) != 0) {
      out.push_back(l);
    }
  }
  return out;
}

TEST(PucchFormat34, DmrsSymbolsFollowTable64133Dash2Dash1) {
  using V = std::vector<unsigned>;
  PucchConfig p = test_pucch34(PucchFormat::format3, 16, 1, 4, false);
  struct Row {
    unsigned length;
    V plain;
    V additional;
  };
  const std::vector<Row> table = {{4, {1}, {1}},
                                  {5, {0, 3}, {0, 3}},
                                  {6, {1, 4}, {1, 4}},
                                  {7, {1, 4}, {1, 4}},
                                  {8, {1, 5}, {1, 5}},
                                  {9, {1, 6}, {1, 6}},
                                  {10, {2, 7}, {1, 3, 6, 8}},
                                  {11, {2, 7}, {1, 3, 6, 9}},
                                  {12, {2, 8}, {1, 4, 7, 10}},
                                  {13, {2, 9}, {1, 4, 7, 11}},
                                  {14, {3, 10}, {1, 5, 8, 12}}};
  for (const Row& row : table) {
    for (const bool hopping : {false, true}) {
      p.num_symbols = row.length;
      p.intra_slot_hopping = hopping;
      p.additional_dmrs = false;
      const V plain = row.length == 4 && hopping ? V{0, 2} : row.plain;
      EXPECT_EQ(symbols_of(pucch_format34_dmrs_mask(p)), plain) << row.length;
      EXPECT_EQ(pucch_format34_uci_symbols(p), row.length - plain.size());
      p.additional_dmrs = true;
      const V additional = row.length == 4 && hopping ? V{0, 2} : row.additional;
      EXPECT_EQ(symbols_of(pucch_format34_dmrs_mask(p)), additional) << row.length;
    }
  }
  p.num_symbols = 3;
  EXPECT_EQ(pucch_format34_dmrs_mask(p), 0);
}

TEST(PucchFormat34, CodedBitsFollowTable6314Dash1) {
  // Format 3: 24 N_symb,UCI N_PRB (QPSK), 12 N_symb,UCI N_PRB (pi/2-BPSK); format 4: 24
  // N_symb,UCI / N_SF and 12 N_symb,UCI / N_SF.
  PucchConfig p = test_pucch34(PucchFormat::format3, 16, 5, 14, false);
  EXPECT_EQ(pucch_format34_coded_bits(p), 24U * 12 * 5);
  EXPECT_EQ(pucch_uci_coded_bits(p), 24U * 12 * 5);
  p.pi2_bpsk = true;
  p.additional_dmrs = true;
  EXPECT_EQ(pucch_format34_coded_bits(p), 12U * 10 * 5);
  p = test_pucch34(PucchFormat::format4, 16, 1, 14, false, 2);
  EXPECT_EQ(pucch_format34_coded_bits(p), 24U * 12 / 2);
  p = test_pucch34(PucchFormat::format4, 4, 1, 4, true, 4);
  p.pi2_bpsk = true;
  EXPECT_EQ(pucch_format34_coded_bits(p), 12U * 2 / 4); // 6 bits
}

TEST(PucchFormat34, Format4CoversAreOrthogonalAndSetTheDmrsCyclicShift) {
  for (const unsigned n_sf : {2U, 4U}) {
    for (unsigned n = 0; n < n_sf; ++n) {
      for (unsigned n2 = 0; n2 < n_sf; ++n2) {
        cf32 sum = 0.0F;
        for (unsigned k = 0; k < 12; ++k) {
          sum += pucch_format4_cover(n_sf, n, k) * std::conj(pucch_format4_cover(n_sf, n2, k));
        }
        EXPECT_NEAR(std::abs(sum - cf32(n == n2 ? 12.0F : 0.0F)), 0.0F, 1e-5F);
      }
    }
  }
  // Table 6.3.2.6.3-2, n = 1 and 3: +1 x3, -j x3, -1 x3, +j x3 and its conjugate.
  EXPECT_EQ(pucch_format4_cover(4, 1, 4), cf32(0.0F, -1.0F));
  EXPECT_EQ(pucch_format4_cover(4, 1, 10), cf32(0.0F, 1.0F));
  EXPECT_EQ(pucch_format4_cover(4, 3, 4), cf32(0.0F, 1.0F));
  EXPECT_EQ(pucch_format4_cover(2, 1, 6), cf32(-1.0F, 0.0F));
  EXPECT_EQ(pucch_format4_cover(2, 1, 5), cf32(1.0F, 0.0F));
  EXPECT_THROW(static_cast<void>(pucch_format4_cover(3, 0, 0)), std::invalid_argument);
  EXPECT_THROW(static_cast<void>(pucch_format4_cover(2, 2, 0)), std::invalid_argument);
  // Table 6.4.1.3.3.1-1.
  const std::vector<std::pair<std::pair<unsigned, unsigned>, unsigned>> m0 = {
      {{2, 0}, 0}, {{2, 1}, 6}, {{4, 0}, 0}, {{4, 1}, 6}, {{4, 2}, 3}, {{4, 3}, 9}};
  for (const auto& [cover, shift] : m0) {
    const PucchConfig p =
        test_pucch34(PucchFormat::format4, 8, 1, 14, false, cover.first, cover.second);
    EXPECT_EQ(pucch_format34_dmrs_cyclic_shift(p), shift);
  }
  EXPECT_EQ(pucch_format34_dmrs_cyclic_shift(test_pucch34(PucchFormat::format3, 8, 2, 9, false)),
            0U);
}

/// The grid of \p pucch carrying \p payload, evaluated from the clauses one RE at a time.
ResourceGrid expected_grid(const CellConfig& cell, const PucchConfig& pucch,
                           const BitVector& payload) {
  const unsigned e = pucch_format34_coded_bits(pucch);
  BitVector b(e);
  encode_pucch_uci(pucch, parts_of(pucch, payload), b); // coding and scrambling
  const bool f4 = pucch.format == PucchFormat::format4;
  const unsigned m = 12 * pucch.num_prbs;
  const unsigned n_sf = f4 ? pucch.pre_dft_occ_length : 1;
  const float s = std::numbers::sqrt2_v<float> / 2;
  std::vector<cf32> d;
  if (pucch.pi2_bpsk) { // TS 38.211 5.1.1
    for (unsigned i = 0; i < e; ++i) {
      const cf32 rot = std::polar(1.0F, std::numbers::pi_v<float> / 2 * static_cast<float>(i % 2));
      d.push_back(rot * cf32(s * (1 - 2.0F * b[i]), s * (1 - 2.0F * b[i])));
    }
  } else { // 5.1.3
    for (std::size_t i = 0; i < e / 2; ++i) {
      d.push_back(cf32(s * (1 - 2.0F * b[2 * i]), s * (1 - 2.0F * b[2 * i + 1])));
    }
  }
  ResourceGrid grid = empty_grid(cell);
  const std::uint16_t dmrs = pucch_format34_dmrs_mask(pucch);
  unsigned data_symbol = 0;
  for (unsigned l = 0; l < pucch.num_symbols; ++l) {
    const unsigned symbol = pucch.start_symbol + l;
    const unsigned first = 12 * (pucch.first_crb_of(l) - cell.grid_start_crb);
    std::vector<cf32> z(m);
    if ((dmrs >> l & 1U) != 0) {
      const LowPaprSequenceId id =
          pucch_sequence_id(pucch.group_hopping, pucch.hopping_id, test_slot, pucch.hop_of(l), m);
      const unsigned cs = (pucch_format34_dmrs_cyclic_shift(pucch) +
                           pucch_cyclic_shift_hopping(pucch.hopping_id, 14, test_slot, symbol)) %
                          12;
      generate_low_papr_sequence(id.u, id.v, 2 * std::numbers::pi_v<float> * cs / 12, z);
    } else {
      std::vector<cf32> y(m);
      for (unsigned k = 0; k < m; ++k) { // 6.3.2.6.3
        const unsigned per = m / n_sf;
        y[k] = d[data_symbol * per + k % per] *
               (f4 ? pucch_format4_cover(n_sf, pucch.pre_dft_occ_index, k) : cf32(1.0F));
      }
      for (unsigned k = 0; k < m; ++k) { // 6.3.2.6.4
        std::complex<double> sum = 0.0;
        for (unsigned i = 0; i < m; ++i) {
          sum += std::complex<double>(y[i]) * std::polar(1.0, -2 * std::numbers::pi * i * k / m);
        }
        z[k] = static_cast<cf32>(sum / std::sqrt(double(m)));
      }
      ++data_symbol;
    }
    for (unsigned k = 0; k < m; ++k) {
      grid.at(0, symbol, first + k) = z[k];
    }
  }
  return grid;
}

TEST(PucchFormat34, TransmittedGridMatchesTheClauses) {
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(1);
  struct Case {
    PucchFormat format;
    unsigned bits, prbs, symbols;
    bool hopping, additional, bpsk;
    unsigned occ_length, occ_index;
    PucchGroupHopping group;
  };
  using enum PucchFormat;
  const std::vector<Case> cases = {
      {format3, 16, 1, 14, false, false, false, 2, 0, PucchGroupHopping::enable},
      {format3, 7, 2, 4, true, false, true, 2, 0, PucchGroupHopping::neither},
      {format3, 40, 3, 11, true, true, false, 2, 0, PucchGroupHopping::enable},
      {format3, 100, 6, 10, false, true, true, 2, 0, PucchGroupHopping::disable}, // v hops
      {format3, 300, 16, 14, true, false, false, 2, 0, PucchGroupHopping::disable},
      {format4, 5, 1, 9, false, false, false, 2, 1, PucchGroupHopping::enable},
      {format4, 9, 1, 14, true, true, true, 4, 3, PucchGroupHopping::enable},
      {format4, 22, 1, 12, false, false, false, 4, 1, PucchGroupHopping::enable},
      {format4, 3, 1, 5, true, false, false, 4, 2, PucchGroupHopping::disable},
  };
  for (const Case& c : cases) {
    PucchConfig p =
        test_pucch34(c.format, c.bits, c.prbs, c.symbols, c.hopping, c.occ_length, c.occ_index);
    p.additional_dmrs = c.additional;
    p.pi2_bpsk = c.bpsk;
    p.group_hopping = c.group;
    ASSERT_EQ(p.validate(cell), "") << c.bits << " bits, " << c.prbs << " PRBs";
    const BitVector payload = random_bits(c.bits, rng);
    ResourceGrid grid = empty_grid(cell);
    write_pucch_format34(cell, test_slot, p, parts_of(p, payload), grid);
    const ResourceGrid expected = expected_grid(cell, p, payload);
    double power = 0.0;
    unsigned written = 0;
    for (unsigned l = 0; l < 14; ++l) {
      for (unsigned k = 0; k < grid.num_subcarriers(); ++k) {
        ASSERT_NEAR(std::abs(grid.at(0, l, k) - expected.at(0, l, k)), 0.0F, 2e-4F)
            << c.bits << " bits, " << c.prbs << " PRBs, symbol " << l << " subcarrier " << k;
        power += std::norm(grid.at(0, l, k));
        written += grid.at(0, l, k) != cf32(0.0F) ? 1U : 0U;
      }
    }
    // Format 4 spreads with a cover of period 12 / N_SF, which leaves every N_SF-th subcarrier
    // of its data symbols (the others, for N_SF = 2 and cover 0, are 0).
    if (c.format == format3) {
      EXPECT_EQ(written, 12 * p.num_prbs * p.num_symbols);
    } else {
      EXPECT_LT(written, 12 * p.num_symbols);
    }
    EXPECT_NEAR(power / (12 * p.num_prbs * p.num_symbols), 1.0, 1e-3); // unit average power
  }
}

TEST(PucchFormat34, NoiseFreeRoundTripsGiveTheBitsBack) {
  const CellConfig cell = test_cell();
  std::mt19937_64 rng(11);
  unsigned cases = 0;
  for (const PucchFormat format : {PucchFormat::format3, PucchFormat::format4}) {
    for (const unsigned a : {3U, 11U, 12U, 22U, 100U, 400U}) {
      for (const unsigned prbs : {1U, 2U, 5U, 16U}) {
        if (format == PucchFormat::format4 && prbs > 1) {
          continue;
        }
        for (const unsigned symbols : {4U, 5U, 10U, 14U}) {
          for (unsigned variant = 0; variant < 8; ++variant) {
            const bool hopping = (variant & 1U) != 0;
            PucchConfig p = test_pucch34(format, a, prbs, symbols, hopping,
                                         (variant & 4U) != 0 ? 4 : 2, variant % 2);
            p.additional_dmrs = (variant & 2U) != 0;
            p.pi2_bpsk = (variant & 4U) != 0;
            if (!p.validate(cell).empty()) {
              continue; // too few coded bits
            }
            const unsigned rx = 1 + variant % 3;
            const BitVector payload = random_bits(a, rng);
            const PucchResult r = round_trip(cell, p, payload, rx, unit_channel, 0.0F, 1);
            ASSERT_TRUE(r.detected && r.crc_ok && same_bits(r, payload))
                << "format " << static_cast<int>(format) << ", " << a << " bits, " << prbs
                << " PRBs, " << symbols << " symbols, variant " << variant;
            EXPECT_EQ(r.num_harq_bits, p.harq_bits);
            EXPECT_EQ(r.num_csi_part1_bits, p.csi_part1_bits);
            EXPECT_GE(r.sinr_db, 50.0F);
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_GT(cases, 200U);
}

} // namespace
