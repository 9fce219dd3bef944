// The per-element low-PAPR math (phy/low_papr_sequence_math.h), which the CUDA front end's DMRS
// generation runs one value per thread, against phy::generate_low_papr_sequence(), which steps
// the Zadoff-Chu phase index from value to value: the same phase index and, through a float
// angle's cosine and sine, the same values bit for bit, for every group and base sequence of
// every length up to 600 and of the longest DMRS lengths; and the phase index of a value past
// the Zadoff-Chu period that of its value modulo N_ZC (the cyclic extension).
#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/low_papr_sequence_math.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace {

using namespace airan::phy;

/// rbar_{u,v} of length \p m_zc element by element as a device thread computes it.
std::vector<cf32> per_element_sequence(unsigned m_zc, unsigned u, unsigned v) {
  const unsigned n_zc = m_zc >= low_papr_zc_min_length ? low_papr_zc_prime(m_zc) : 0;
  const LowPaprBase base = low_papr_base(m_zc, n_zc, u, v);
  const std::span<const std::int8_t> table = low_papr_table_phases(m_zc, u);
  std::vector<cf32> out(m_zc);
  for (unsigned n = 0; n < m_zc; ++n) {
    const auto angle = static_cast<float>(low_papr_base_phase(base, table.data(), n));
    out[n] = cf32(cosf(angle), sinf(angle));
  }
  return out;
}

void expect_same_bits(unsigned m_zc, unsigned u, unsigned v) {
  std::vector<cf32> want(m_zc);
  generate_low_papr_sequence(u, v, 0.0F, want);
  const std::vector<cf32> got = per_element_sequence(m_zc, u, v);
  EXPECT_EQ(std::memcmp(got.data(), want.data(), m_zc * sizeof(cf32)), 0)
      << "M_ZC " << m_zc << " u " << u << " v " << v;
}

TEST(LowPaprSequenceMath, EveryElementIsTheGeneratorsValue) {
  std::vector<unsigned> lengths;
  for (unsigned m = 6; m <= 600; m += 6) {
    lengths.push_back(m);
  }
  // The longest DMRS of a transform-precoded PUSCH (6 N_PRB for 270, 273 and 275 PRBs are not
  // 2^a 3^b 5^c counts; 270 is the longest that is) and SRS lengths beyond.
  for (const unsigned m : {1620U, 1650U, 3264U}) {
    lengths.push_back(m);
  }
  for (const unsigned m_zc : lengths) {
    ASSERT_TRUE(low_papr_length_supported(m_zc)) << m_zc;
    for (unsigned u = 0; u < low_papr_num_groups; ++u) {
      expect_same_bits(m_zc, u, 0);
      if (m_zc >= low_papr_two_sequences_min_length) {
        expect_same_bits(m_zc, u, 1);
      }
    }
  }
}

TEST(LowPaprSequenceMath, TablePhasesAreTheSpecifiedRows) {
  for (const unsigned m_zc : {6U, 12U, 18U, 24U}) {
    for (unsigned u = 0; u < low_papr_num_groups; ++u) {
      const std::span<const std::int8_t> row = low_papr_table_phases(m_zc, u);
      ASSERT_EQ(row.size(), m_zc);
      for (const std::int8_t phi : row) {
        EXPECT_TRUE(phi == -3 || phi == -1 || phi == 1 || phi == 3);
      }
    }
  }
  // TS 38.211 Table 5.2.2.2-2, u = 0: -3 1 -3 -3 -3 3 -3 -1 1 1 1 -3.
  const std::int8_t first_row_12[] = {-3, 1, -3, -3, -3, 3, -3, -1, 1, 1, 1, -3};
  const std::span<const std::int8_t> row = low_papr_table_phases(12, 0);
  EXPECT_TRUE(std::equal(row.begin(), row.end(), std::begin(first_row_12)));
  EXPECT_TRUE(low_papr_table_phases(30, 0).empty());
  EXPECT_TRUE(low_papr_table_phases(12, low_papr_num_groups).empty());
}

TEST(LowPaprSequenceMath, ZadoffChuIndexHasPeriodNzc) {
  for (const unsigned m_zc : {36U, 72U, 1650U}) {
    const unsigned n_zc = low_papr_zc_prime(m_zc);
    for (unsigned u = 0; u < low_papr_num_groups; ++u) {
      const std::uint64_t q = low_papr_zc_root(n_zc, u, 0);
      for (const std::uint64_t n : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{n_zc - 1}}) {
        const std::uint64_t index = low_papr_zc_phase_index(q, n_zc, n);
        EXPECT_EQ(low_papr_zc_phase_index(q, n_zc, n + n_zc), index);
        EXPECT_EQ(low_papr_zc_phase_index(q, n_zc, n + 7 * std::uint64_t{n_zc}), index);
        EXPECT_LT(index, 2 * std::uint64_t{n_zc});
      }
    }
  }
}

} // namespace
