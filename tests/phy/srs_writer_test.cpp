// write_srs() (TS 38.211 6.4.1.4.2, 6.4.1.4.3): the REs of every port and symbol (comb, k0,
// hopping, the 4-port comb split), their amplitude 1/sqrt(N_ap), the orthogonality of the ports
// of one comb, the values against the low-PAPR sequence of an independently hopped group times
// the port's cyclic shift, and the PDUs and grids it refuses.
#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/srs_estimator.h"

#include "srs_test_helpers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <set>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::test;

/// The SRS PDUs the writer tests cover: combs, ports, symbols, hopping, comb split.
std::vector<SrsConfig> srs_writer_cases(const CellConfig& cell) {
  std::vector<SrsConfig> cases;
  SrsConfig srs = srs_test_config(cell, 12, 2, 1); // 48 PRBs
  srs.bwp_start = cell.grid_start_crb + 2;
  srs.bwp_size = 49;
  srs.frequency_shift = 1;
  cases.push_back(srs);
  srs.comb_size = 4;
  srs.comb_offset = 3;
  srs.num_ports = 2;
  srs.num_symbols = 2;
  srs.start_symbol = 10;
  srs.b_srs = 1; // 16 of 48 PRBs, hopping over 3
  srs.hopping_bandwidth = 0;
  srs.cyclic_shift = 9;
  cases.push_back(srs);
  srs.num_ports = 4;
  srs.num_symbols = 4;
  srs.cyclic_shift = 7; // upper half: ports 1001, 1003 on comb offset 1
  srs.group_or_sequence_hopping = SrsHopping::group;
  cases.push_back(srs);
  srs.comb_size = 2;
  srs.comb_offset = 1;
  srs.cyclic_shift = 5; // upper half of 8
  srs.repetition = 2;
  srs.resource_type = SrsResourceType::periodic;
  srs.periodicity = 5;
  srs.slot_offset = 2;
  srs.group_or_sequence_hopping = SrsHopping::sequence;
  cases.push_back(srs);
  return cases;
}

TEST(SrsWriter, ResLandOnTheCombFromK0OnEverySymbolAndPort) {
  const CellConfig cell = srs_test_cell(52, 3);
  const unsigned sfn = 11;
  const unsigned slot = 7;
  for (const SrsConfig& srs : srs_writer_cases(cell)) {
    ASSERT_EQ(srs.validate(cell), "");
    const ResourceGrid grid = srs_transmit(cell, sfn, slot, srs);
    const float amplitude = 1.0F / std::sqrt(static_cast<float>(srs.num_ports));
    for (unsigned p = 0; p < srs.num_ports; ++p) {
      for (unsigned l = 0; l < 14; ++l) {
        std::set<unsigned> expected;
        if (l >= srs.start_symbol && l < srs.start_symbol + srs.num_symbols) {
          const unsigned n_srs = srs_hopping_counter(srs, 20, sfn, slot, l - srs.start_symbol);
          const unsigned k0 = srs_first_subcarrier(srs, cell, p, n_srs);
          EXPECT_EQ(k0 % srs.comb_size, srs.port_comb(p));
          EXPECT_EQ(k0 % 12, srs.port_comb(p)); // the band starts on a PRB
          for (unsigned k = 0; k < srs.sequence_length(); ++k) {
            expected.insert(k0 + srs.comb_size * k);
          }
        }
        std::set<unsigned> written;
        for (unsigned k = 0; k < grid.num_subcarriers(); ++k) {
          const cf32 value = grid.at(p, l, k);
          if (value != cf32(0.0F, 0.0F)) {
            written.insert(k);
            EXPECT_NEAR(std::abs(value), amplitude, 1e-5F);
          }
        }
        EXPECT_EQ(written, expected) << "port " << p << " symbol " << l;
      }
    }
  }
}

TEST(SrsWriter, PortsOfOneCombAreOrthogonal) {
  const CellConfig cell = srs_test_cell(52);
  for (unsigned comb : {2U, 4U}) {
    for (unsigned ports : {2U, 4U}) {
      SrsConfig srs = srs_test_config(cell, 12, comb, ports);
      srs.cyclic_shift = 1; // lower half: every port on one comb
      const ResourceGrid grid = srs_transmit(cell, 0, 4, srs);
      const unsigned k0 = srs_first_subcarrier(srs, cell, 0, 0);
      for (unsigned p = 0; p < ports; ++p) {
        for (unsigned q = 0; q < ports; ++q) {
          std::complex<double> inner(0.0, 0.0);
          for (unsigned k = 0; k < srs.sequence_length(); ++k) {
            const unsigned sc = k0 + comb * k;
            inner += std::complex<double>(grid.at(p, 13, sc)) *
                     std::conj(std::complex<double>(grid.at(q, 13, sc)));
          }
          const double energy = srs.sequence_length() / static_cast<double>(ports);
          EXPECT_NEAR(std::abs(inner) / energy, p == q ? 1.0 : 0.0, 1e-5)
              << "comb " << comb << " ports " << ports << " p " << p << " q " << q;
        }
      }
    }
  }
}

TEST(SrsWriter, FourPortsWithAnUpperHalfShiftUseBothHalvesOfTheComb) {
  const CellConfig cell = srs_test_cell(52);
  for (unsigned comb : {2U, 4U}) {
    SrsConfig srs = srs_test_config(cell, 12, comb, 4);
    srs.comb_offset = 1;
    srs.cyclic_shift = srs.max_cyclic_shifts() / 2;
    const ResourceGrid grid = srs_transmit(cell, 0, 4, srs);
    for (unsigned p = 0; p < 4; ++p) {
      const unsigned comb_of_port = p % 2 == 0 ? 1U : (1U + comb / 2) % comb;
      for (unsigned k = 0; k < grid.num_subcarriers(); ++k) {
        const bool on_comb = k % comb == comb_of_port && k < 48 * 12;
        EXPECT_EQ(grid.at(p, 13, k) != cf32(0.0F, 0.0F), on_comb) << "port " << p << " k " << k;
      }
    }
  }
}

TEST(SrsWriter, ValuesAreTheHoppedSequenceTimesThePortShift) {
  const CellConfig cell = srs_test_cell(52);
  SrsConfig srs = srs_test_config(cell, 13, 2, 2, 4); // 48 PRBs, M = 288
  srs.sequence_id = 555;
  srs.cyclic_shift = 3;
  srs.group_or_sequence_hopping = SrsHopping::group;
  ASSERT_EQ(srs.validate(cell), "");
  bool u_changed = false;
  for (unsigned slot : {0U, 5U, 13U}) {
    const ResourceGrid grid = srs_transmit(cell, 2, slot, srs);
    std::vector<cf32> base(srs.sequence_length());
    unsigned first_u = 0;
    for (unsigned l = 0; l < 4; ++l) {
      // u from the definition: f_gh = sum_m c(8 (n_s 14 + l0 + l') + m) 2^m, c_init = n_ID^SRS.
      const std::vector<unsigned> c = srs_reference_gold(555, 8 * (slot * 14 + 10 + l), 8);
      unsigned f_gh = 0;
      for (unsigned m = 0; m < 8; ++m) {
        f_gh += c[m] << m;
      }
      const unsigned u = (f_gh % 30 + 555) % 30;
      first_u = l == 0 ? u : first_u;
      u_changed = u_changed || u != first_u;
      generate_low_papr_sequence(u, 0, 0.0F, base);
      for (unsigned p = 0; p < 2; ++p) {
        const unsigned k0 = srs_first_subcarrier(srs, cell, p, 0);
        const unsigned shift = (3 + 8 * p / 2) % 8;
        for (unsigned k = 0; k < srs.sequence_length(); ++k) {
          const std::complex<double> turn =
              std::polar(1.0 / std::sqrt(2.0), 2.0 * std::numbers::pi * shift * k / 8.0);
          const std::complex<double> expected = std::complex<double>(base[k]) * turn;
          const cf32 value = grid.at(p, 10 + l, k0 + 2 * k);
          ASSERT_NEAR(value.real(), expected.real(), 1e-5) << "slot " << slot << " l " << l;
          ASSERT_NEAR(value.imag(), expected.imag(), 1e-5) << "slot " << slot << " l " << l;
        }
      }
    }
  }
  EXPECT_TRUE(u_changed);
}

TEST(SrsWriter, RefusesInvalidPdusAndGridsOfAnotherShape) {
  const CellConfig cell = srs_test_cell(52);
  SrsConfig srs = srs_test_config(cell, 12, 2, 2);
  ResourceGrid grid(2, 14, 12 * 52);
  EXPECT_NO_THROW(write_srs(cell, 0, 0, srs, grid));
  ResourceGrid one_port(1, 14, 12 * 52);
  EXPECT_THROW(write_srs(cell, 0, 0, srs, one_port), std::invalid_argument);
  EXPECT_THROW(write_srs(cell, 0, 0, srs, grid, 1), std::invalid_argument);
  ResourceGrid narrow(2, 14, 12 * 51);
  EXPECT_THROW(write_srs(cell, 0, 0, srs, narrow), std::invalid_argument);
  srs.cyclic_shift = 8;
  EXPECT_THROW(write_srs(cell, 0, 0, srs, grid), std::invalid_argument);
}

} // namespace
