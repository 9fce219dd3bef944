#include "airan/phy/low_papr_sequence.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <initializer_list>
#include <numbers>
#include <set>
#include <stdexcept>
#include <vector>

namespace airan::phy {
namespace {

using cd = std::complex<double>;
constexpr double pi = std::numbers::pi;
constexpr std::array<unsigned, 4> table_lengths = {6, 12, 18, 24};

std::vector<cf32> sequence(unsigned m_zc, unsigned u, unsigned v = 0, float alpha = 0.0F) {
  std::vector<cf32> out(m_zc);
  generate_low_papr_sequence(u, v, alpha, out);
  return out;
}

bool is_prime_slow(unsigned value) {
  if (value < 2) {
    return false;
  }
  for (unsigned d = 2; d < value; ++d) {
    if (value % d == 0) {
      return false;
    }
  }
  return true;
}

unsigned largest_prime_below(unsigned m) {
  unsigned p = m - 1;
  while (!is_prime_slow(p)) {
    --p;
  }
  return p;
}

/// TS 38.211 5.2.2.1 evaluated term by term in double: q m (m + 1) < 2^53 for these lengths, so
/// its reduction modulo 2 N_ZC is exact.
cd zc_reference(unsigned n_zc, unsigned u, unsigned v, unsigned n) {
  const double qbar = n_zc * (u + 1.0) / 31.0;
  const long long sign = static_cast<long long>(std::floor(2.0 * qbar)) % 2 == 0 ? 1 : -1;
  const double q = std::floor(qbar + 0.5) + static_cast<double>(sign * static_cast<long long>(v));
  const double m = n % n_zc;
  const double reduced = std::fmod(q * m * (m + 1.0), 2.0 * n_zc);
  return std::polar(1.0, -pi * reduced / n_zc);
}

/// Length-31 Gold sequence c(offset) .. c(offset + length - 1) from the TS 38.211 5.2.1 recurrence.
std::vector<unsigned> reference_gold_sequence(std::uint32_t c_init, unsigned offset,
                                              unsigned length) {
  const unsigned total = 1600 + offset + length + 31;
  std::vector<unsigned> x1(total, 0), x2(total, 0);
  x1[0] = 1;
  for (unsigned i = 0; i < 31; ++i) {
    x2[i] = (c_init >> i) & 1U;
  }
  for (unsigned n = 0; n + 31 < total; ++n) {
    x1[n + 31] = (x1[n + 3] + x1[n]) % 2;
    x2[n + 31] = (x2[n + 3] + x2[n + 2] + x2[n + 1] + x2[n]) % 2;
  }
  std::vector<unsigned> c(length);
  for (unsigned n = 0; n < length; ++n) {
    c[n] = (x1[1600 + offset + n] + x2[1600 + offset + n]) % 2;
  }
  return c;
}

/// Peak-to-average power ratio in dB of the sequence on M of 8 M subcarriers (IDFT, 8x zero pad).
double papr_db(const std::vector<cf32>& seq) {
  const std::size_t size = 8 * seq.size();
  std::vector<cd> twiddle(size);
  for (std::size_t k = 0; k < size; ++k) {
    twiddle[k] = std::polar(1.0, 2.0 * pi * static_cast<double>(k) / static_cast<double>(size));
  }
  double peak = 0.0;
  double total = 0.0;
  for (std::size_t t = 0; t < size; ++t) {
    cd sample = 0.0;
    for (std::size_t k = 0; k < seq.size(); ++k) {
      sample += cd(seq[k]) * twiddle[(k * t) % size];
    }
    peak = std::max(peak, std::norm(sample));
    total += std::norm(sample);
  }
  return 10.0 * std::log10(peak / (total / static_cast<double>(size)));
}

TEST(LowPaprSequence, SupportedLengths) {
  for (unsigned m : {6U, 12U, 18U, 24U, 30U, 36U, 42U, 72U, 1620U, 3276U}) {
    EXPECT_TRUE(low_papr_length_supported(m)) << m;
  }
  for (unsigned m : {0U, 1U, 5U, 7U, 13U, 29U, 31U, 32U, 35U, 37U, 40U, 100U}) {
    EXPECT_FALSE(low_papr_length_supported(m)) << m;
  }
}

TEST(LowPaprSequence, ZadoffChuPrimeIsTheLargestPrimeBelowTheLength) {
  EXPECT_EQ(low_papr_zc_prime(36), 31U);
  EXPECT_EQ(low_papr_zc_prime(72), 71U);
  EXPECT_EQ(low_papr_zc_prime(1620), 1619U);
  EXPECT_EQ(low_papr_zc_prime(3276), 3271U);
  EXPECT_EQ(low_papr_zc_prime(3), 2U);
  EXPECT_EQ(low_papr_zc_prime(4), 3U);
  for (unsigned m = 36; m <= 600; m += 6) {
    const unsigned p = low_papr_zc_prime(m);
    EXPECT_TRUE(is_prime_slow(p)) << m;
    for (unsigned k = p + 1; k < m; ++k) {
      EXPECT_FALSE(is_prime_slow(k)) << m;
    }
  }
}

TEST(LowPaprSequence, EveryValueHasUnitModulus) {
  for (unsigned m : {6U, 12U, 18U, 24U, 30U, 36U, 72U, 1620U, 3276U}) {
    for (unsigned u = 0; u < low_papr_num_groups; ++u) {
      for (unsigned v = 0; v < (m >= 72 ? 2U : 1U); ++v) {
        for (const cf32 value : sequence(m, u, v, 0.7F)) {
          ASSERT_NEAR(std::abs(value), 1.0F, 1e-6F) << m << " " << u << " " << v;
        }
      }
    }
  }
}

struct TableRow {
  unsigned m_zc;
  unsigned u;
  std::vector<int> phi;
};

TEST(LowPaprSequence, TableRowsMatchTheSpecification) {
  // phi(n) of TS 38.211 Tables 5.2.2.2-1 .. -4, compared across public transcriptions. Row 18 of
  // the length-24 table is the one where one open-source stack has phi(0) = +3 (its PAPR would
  // then be 4.2 dB instead of 2.6 dB).
  const std::vector<TableRow> rows = {
      {6, 0, {-3, -1, 3, 3, -1, -3}},
      {6, 29, {1, 1, -3, 1, -1, -1}},
      {12, 0, {-3, 1, -3, -3, -3, 3, -3, -1, 1, 1, 1, -3}},
      {12, 29, {-3, 3, -3, 3, -3, -3, 3, -1, -1, 1, 3, -3}},
      {18, 0, {-1, 3, -1, -3, 3, 1, -3, -1, 3, -3, -1, -1, 1, 1, 1, -1, -1, -1}},
      {18, 29, {-3, 3, 1, -1, -1, -1, -1, 1, -1, 3, 3, -3, -1, 1, 3, -1, 3, -1}},
      {24, 0, {-1, -3, 3, -1, 3,  1,  3, -1, 1, -3, -1, -3,
               -1, 1,  3, -3, -1, -3, 3, 3,  3, -3, -3, -3}},
      {24, 18, {-3, 1,  -3, 1,  -3, -3, 1, -3, 1, -3, -3, -3,
                -3, -3, 1,  -3, -3, 1,  1, -3, 1, 1,  -3, -3}},
      {24, 29, {3,  -3, -1, 1,  3, -1, -1, -3, -1, 3,  -1, -3,
                -1, -3, 3,  -1, 3, 1,  1,  -3, 3,  -3, -3, -3}},
  };
  for (const TableRow& row : rows) {
    ASSERT_EQ(row.phi.size(), row.m_zc);
    const std::vector<cf32> seq = sequence(row.m_zc, row.u);
    for (unsigned n = 0; n < row.m_zc; ++n) {
      const cd expected = std::polar(1.0, row.phi[n] * pi / 4.0);
      EXPECT_NEAR(std::abs(cd(seq[n]) - expected), 0.0, 1e-6)
          << "M_ZC " << row.m_zc << " u " << row.u << " n " << n;
    }
  }
  // Every table value is exp(j phi pi / 4) with an odd phi: both parts +-1/sqrt(2).
  for (unsigned m : table_lengths) {
    for (unsigned u = 0; u < low_papr_num_groups; ++u) {
      for (const cf32 value : sequence(m, u)) {
        EXPECT_NEAR(std::abs(value.real()), std::numbers::sqrt2_v<float> / 2, 1e-6F);
        EXPECT_NEAR(std::abs(value.imag()), std::numbers::sqrt2_v<float> / 2, 1e-6F);
      }
    }
  }
}

TEST(LowPaprSequence, ZadoffChuSequencesMatchADirectEvaluation) {
  for (unsigned m : {36U, 72U, 1620U, 3276U}) {
    const unsigned n_zc = largest_prime_below(m);
    for (unsigned v = 0; v < (m >= 72 ? 2U : 1U); ++v) {
      for (unsigned u = 0; u < low_papr_num_groups; ++u) {
        const std::vector<cf32> seq = sequence(m, u, v);
        double worst = 0.0;
        for (unsigned n = 0; n < m; ++n) {
          worst = std::max(worst, std::abs(cd(seq[n]) - zc_reference(n_zc, u, v, n)));
        }
        EXPECT_LT(worst, 1e-4) << "M_ZC " << m << " u " << u << " v " << v;
      }
    }
  }
}

TEST(LowPaprSequence, BaseSequenceOfLength30) {
  for (unsigned u = 0; u < low_papr_num_groups; ++u) {
    const std::vector<cf32> seq = sequence(30, u);
    for (unsigned n = 0; n < 30; ++n) {
      const cd expected = std::polar(1.0, -pi * (u + 1.0) * (n + 1.0) * (n + 2.0) / 31.0);
      EXPECT_LT(std::abs(cd(seq[n]) - expected), 1e-5) << "u " << u << " n " << n;
    }
  }
}

TEST(LowPaprSequence, CyclicShiftMultipliesByAPhaseRamp) {
  for (unsigned m : {6U, 24U, 30U, 72U, 1620U}) {
    for (float alpha : {0.5F, static_cast<float>(2.0 * pi * 3.0 / 12.0), -1.25F}) {
      const unsigned v = m >= 72 ? 1 : 0;
      const std::vector<cf32> base = sequence(m, 7, v);
      const std::vector<cf32> shifted = sequence(m, 7, v, alpha);
      for (unsigned n = 0; n < m; ++n) {
        const cd expected = std::polar(1.0, static_cast<double>(alpha) * n) * cd(base[n]);
        EXPECT_LT(std::abs(cd(shifted[n]) - expected), 1e-4) << m << " " << alpha << " " << n;
      }
    }
  }
}

TEST(LowPaprSequence, SequencesOfOneLengthAreDistinct) {
  for (unsigned m : {6U, 12U, 18U, 24U, 30U, 36U, 72U, 1620U}) {
    std::vector<std::vector<cf32>> all;
    for (unsigned v = 0; v < (m >= 72 ? 2U : 1U); ++v) {
      for (unsigned u = 0; u < low_papr_num_groups; ++u) {
        all.push_back(sequence(m, u, v));
      }
    }
    for (std::size_t a = 0; a < all.size(); ++a) {
      for (std::size_t b = a + 1; b < all.size(); ++b) {
        float largest = 0.0F;
        for (unsigned n = 0; n < m; ++n) {
          largest = std::max(largest, std::abs(all[a][n] - all[b][n]));
        }
        EXPECT_GT(largest, 0.1F) << "M_ZC " << m << " sequences " << a << " and " << b;
      }
    }
  }
}

TEST(LowPaprSequence, TableSequencesHaveALowPapr) {
  // Measured maxima over the 30 groups: 3.75 dB (M_ZC = 6), 2.78 dB (12), 2.84 dB (18) and
  // 2.75 dB (24); a single wrong phase in a row typically pushes it well above these.
  for (unsigned m : table_lengths) {
    const double bound = m == 6 ? 4.0 : 3.0;
    double worst = 0.0;
    for (unsigned u = 0; u < low_papr_num_groups; ++u) {
      const double papr = papr_db(sequence(m, u));
      EXPECT_LT(papr, bound) << "M_ZC " << m << " u " << u;
      worst = std::max(worst, papr);
    }
    RecordProperty("max_papr_db_" + std::to_string(m), std::to_string(worst));
  }
}

TEST(LowPaprHopping, NoHoppingUsesTheIdentity) {
  for (const std::uint16_t n_id : std::initializer_list<std::uint16_t>{0, 29, 30, 31, 517, 1007}) {
    for (unsigned slot : {0U, 5U, 19U}) {
      for (unsigned m : {36U, 72U}) {
        const LowPaprSequenceId id =
            pusch_low_papr_sequence_id(LowPaprHopping::none, n_id, 14, slot, 2, m);
        EXPECT_EQ(id, (LowPaprSequenceId{n_id % 30U, 0}));
      }
    }
  }
}

TEST(LowPaprHopping, GroupHoppingFollowsTheGoldSequence) {
  for (const std::uint16_t n_id : std::initializer_list<std::uint16_t>{0, 100, 517, 1007}) {
    for (unsigned symbols_per_slot : {12U, 14U}) {
      std::set<unsigned> groups;
      for (unsigned slot = 0; slot < 20; ++slot) {
        for (unsigned symbol : {0U, 2U, 3U, 11U}) {
          const unsigned index = symbols_per_slot * slot + symbol;
          const std::vector<unsigned> c = reference_gold_sequence(n_id / 30U, 8 * index, 8);
          unsigned f_gh = 0;
          for (unsigned m = 0; m < 8; ++m) {
            f_gh += c[m] << m;
          }
          const LowPaprSequenceId id = pusch_low_papr_sequence_id(
              LowPaprHopping::group, n_id, symbols_per_slot, slot, symbol, 72);
          EXPECT_EQ(id, (LowPaprSequenceId{(f_gh % 30 + n_id) % 30U, 0}))
              << n_id << " " << slot << " " << symbol;
          groups.insert(id.u);
        }
      }
      EXPECT_GE(groups.size(), 15U) << "u should vary over symbols and slots";
    }
  }
}

TEST(LowPaprHopping, SequenceHoppingOnlyFromLength72) {
  for (const std::uint16_t n_id : std::initializer_list<std::uint16_t>{0, 100, 517, 1007}) {
    std::set<unsigned> seen_v;
    for (unsigned slot = 0; slot < 10; ++slot) {
      for (unsigned symbol : {0U, 3U, 7U, 11U}) {
        for (unsigned m : {6U, 30U, 36U, 66U}) {
          EXPECT_EQ(pusch_low_papr_sequence_id(LowPaprHopping::sequence, n_id, 14, slot, symbol, m),
                    (LowPaprSequenceId{n_id % 30U, 0}));
        }
        const unsigned bit = reference_gold_sequence(n_id, 14 * slot + symbol, 1)[0];
        for (unsigned m : {72U, 1620U}) {
          const LowPaprSequenceId id =
              pusch_low_papr_sequence_id(LowPaprHopping::sequence, n_id, 14, slot, symbol, m);
          EXPECT_EQ(id, (LowPaprSequenceId{n_id % 30U, bit})) << n_id << " " << slot << " " << m;
          seen_v.insert(id.v);
        }
      }
    }
    EXPECT_EQ(seen_v.size(), 2U);
  }
}

TEST(LowPaprSequence, InvalidArgumentsThrow) {
  for (std::size_t m : {0U, 1U, 5U, 7U, 29U, 31U, 35U, 40U, 100U}) {
    std::vector<cf32> out(m);
    EXPECT_THROW(generate_low_papr_sequence(0, 0, 0.0F, out), std::invalid_argument) << m;
  }
  std::vector<cf32> out(72);
  EXPECT_THROW(generate_low_papr_sequence(30, 0, 0.0F, out), std::invalid_argument);
  EXPECT_THROW(generate_low_papr_sequence(0, 2, 0.0F, out), std::invalid_argument);
  EXPECT_NO_THROW(generate_low_papr_sequence(29, 1, 0.0F, out));
  for (std::size_t m : {6U, 24U, 30U, 36U, 66U}) {
    std::vector<cf32> short_out(m);
    EXPECT_THROW(generate_low_papr_sequence(0, 1, 0.0F, short_out), std::invalid_argument) << m;
  }
  for (unsigned m : {0U, 1U, 2U}) {
    EXPECT_THROW(low_papr_zc_prime(m), std::invalid_argument) << m;
  }
  EXPECT_THROW(pusch_low_papr_sequence_id(static_cast<LowPaprHopping>(7), 0, 14, 0, 0, 72),
               std::invalid_argument);
}

} // namespace
} // namespace airan::phy
