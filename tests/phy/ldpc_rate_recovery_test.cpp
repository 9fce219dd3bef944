// LDPC rate recovery: de-interleaving inverts interleaving; recovering a rate-matched noiseless
// code block puts, at every position of d, the sum of the LLRs of every transmitted copy of that
// bit (counted with the literal TS 38.212 5.4.2.1 selection loop), for all rvs, both base graphs,
// filler bits, repetition, limited buffers and every Q_m; nothing else is written.
#include "airan/phy/ldpc_encoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ldpc_rate_recovery.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace airan::phy;

namespace {

TEST(LdpcRateRecovery, DeinterleavingInvertsInterleaving) {
  std::mt19937 rng(1);
  for (const unsigned q_m : {1U, 2U, 3U, 4U, 6U, 8U, 10U}) {
    for (const unsigned columns : {1U, 7U, 16U, 17U, 1000U}) {
      const unsigned e_length = q_m * columns;
      BitVector e(e_length);
      for (auto& bit : e) {
        bit = static_cast<bit_t>(rng() & 1U);
      }
      BitVector f(e_length);
      ldpc_interleave_bits(e, q_m, f);
      std::vector<float> f_soft(f.begin(), f.end());
      std::vector<float> e_soft(e_length);
      ldpc_deinterleave_llrs(f_soft, q_m, e_soft);
      for (unsigned i = 0; i < e_length; ++i) {
        ASSERT_EQ(static_cast<unsigned>(e_soft[i]), e[i]) << "Q_m " << q_m << " i " << i;
      }
      // Positions: f index j Q_m + i lands at e index i E/Q_m + j.
      for (unsigned i = 0; i < e_length; ++i) {
        f_soft[i] = static_cast<float>(i);
      }
      ldpc_deinterleave_llrs(f_soft, q_m, e_soft);
      for (unsigned row = 0; row < q_m; ++row) {
        for (unsigned column = 0; column < columns; ++column) {
          ASSERT_EQ(e_soft[row * columns + column], static_cast<float>(column * q_m + row));
        }
      }
    }
  }
  std::vector<float> a(12);
  std::vector<float> b(12);
  EXPECT_THROW(ldpc_deinterleave_llrs(a, 5, b), std::invalid_argument);
  EXPECT_THROW(ldpc_deinterleave_llrs(a, 4, std::span<float>(b).first(8)), std::invalid_argument);
}

struct RecoveryCase {
  LdpcBaseGraph graph;
  unsigned z;
  unsigned k_prime;
  unsigned n_cb; ///< 0: N
  unsigned q_m;
  unsigned e;
};

/// How many times bit selection (TS 38.212 5.4.2.1, literally) takes each position of d.
std::vector<unsigned> selection_counts(const BitVector& d, unsigned n_cb, unsigned k0, unsigned e) {
  std::vector<unsigned> counts(d.size(), 0);
  unsigned k = 0;
  for (unsigned j = 0; k < e; ++j) {
    const unsigned position = (k0 + j) % n_cb;
    if (d[position] != ldpc_filler_bit) {
      ++counts[position];
      ++k;
    }
  }
  return counts;
}

TEST(LdpcRateRecovery, ReproducesTheEncoderOutputAtEveryTransmittedPosition) {
  const RecoveryCase cases[] = {
      {LdpcBaseGraph::bg1, 384, 8448, 0, 8, 9000},      // no filler, high rate
      {LdpcBaseGraph::bg1, 104, 2200, 0, 6, 4800},      // filler bits
      {LdpcBaseGraph::bg1, 64, 1300, 0, 4, 10000},      // repetition: E > N_cb
      {LdpcBaseGraph::bg1, 384, 8424, 15000, 8, 20000}, // LBRM, repetition
      {LdpcBaseGraph::bg2, 52, 500, 0, 2, 1200},        // BG2 with filler
      {LdpcBaseGraph::bg2, 8, 70, 0, 1, 1300},          // tiny code, heavy repetition, Q_m 1
      {LdpcBaseGraph::bg2, 384, 3840, 0, 10, 2000},     // Q_m 10
      {LdpcBaseGraph::bg2, 208, 1900, 6000, 4, 3000},   // BG2 LBRM
      {LdpcBaseGraph::bg1, 30, 500, 200, 2, 1000},      // N_cb cuts the filler: clipped
      {LdpcBaseGraph::bg1, 384, 8448, 0, 2, 0},         // nothing transmitted
  };
  std::mt19937 rng(21);
  auto encoder = create_ldpc_encoder();
  LdpcRateMatcher matcher;
  for (const auto& test : cases) {
    const LdpcEncoderConfig code{test.graph, test.z, test.k_prime};
    const unsigned n = ldpc_codeword_length(test.graph, test.z);
    BitVector message(test.k_prime);
    for (auto& bit : message) {
      bit = static_cast<bit_t>(rng() & 1U);
    }
    BitVector d(n);
    encoder->encode(message, code, d);
    const unsigned n_cb = test.n_cb == 0 ? n : test.n_cb;
    for (unsigned rv = 0; rv < 4; ++rv) {
      const LdpcRateMatchConfig config{code, n_cb, rv, test.q_m};
      BitVector f(test.e);
      matcher.rate_match(d, config, f);
      // +-1 per transmitted copy: each position must sum to its copy count times its sign.
      std::vector<float> llrs(test.e);
      for (unsigned i = 0; i < test.e; ++i) {
        llrs[i] = f[i] == 0 ? 1.0f : -1.0f;
      }
      std::vector<float> soft(n, 0.0f);
      const unsigned received = ldpc_rate_recover(llrs, config, soft);
      EXPECT_EQ(received, test.e == 0 ? 0 : ldpc_rate_match_input_length(config, test.e));

      const unsigned k0 = ldpc_rv_start_position(test.graph, test.z, n_cb, rv);
      const std::vector<unsigned> counts = selection_counts(d, n_cb, k0, test.e);
      unsigned last_written = 0;
      for (unsigned p = 0; p < n; ++p) {
        float expected = 0.0f;
        if (p < n_cb && d[p] != ldpc_filler_bit) {
          expected = static_cast<float>(counts[p]) * (d[p] == 0 ? 1.0f : -1.0f);
        }
        ASSERT_EQ(soft[p], expected)
            << "Z " << test.z << " K' " << test.k_prime << " rv " << rv << " position " << p;
        last_written = counts[p] > 0 ? p + 1 : last_written;
      }
      EXPECT_EQ(received, last_written);
    }
  }
}

// Rate recovery as a gather (one position at a time, the CUDA formulation) leaves the same soft
// values as ldpc_rate_recover on a HARQ buffer's content, bit for bit, also where the
// transmission repeats bits (E > N_cb minus filler) and a position sums several values.
TEST(LdpcRateRecovery, GatherPerPositionEqualsRateRecovery) {
  const RecoveryCase cases[] = {
      {LdpcBaseGraph::bg1, 384, 8448, 0, 8, 9000},
      {LdpcBaseGraph::bg1, 104, 2200, 0, 6, 4800},
      {LdpcBaseGraph::bg1, 64, 1300, 0, 4, 10000},
      {LdpcBaseGraph::bg1, 384, 8424, 15000, 8, 20000},
      {LdpcBaseGraph::bg2, 52, 500, 0, 2, 1200},
      {LdpcBaseGraph::bg2, 8, 70, 0, 1, 1300},
      {LdpcBaseGraph::bg2, 384, 3840, 0, 10, 2000},
      {LdpcBaseGraph::bg2, 208, 1900, 6000, 4, 3000},
      {LdpcBaseGraph::bg1, 30, 500, 200, 2, 1000},
      {LdpcBaseGraph::bg1, 384, 8448, 0, 2, 0},
  };
  std::mt19937 rng(8);
  std::normal_distribution<float> normal(0.0F, 4.0F);
  unsigned repeating_cases = 0;
  for (const auto& test : cases) {
    const LdpcEncoderConfig code{test.graph, test.z, test.k_prime};
    const unsigned n = ldpc_codeword_length(test.graph, test.z);
    const unsigned n_cb = test.n_cb == 0 ? n : test.n_cb;
    for (unsigned rv = 0; rv < 4; ++rv) {
      const LdpcRateMatchConfig config{code, n_cb, rv, test.q_m};
      std::vector<float> f(test.e);
      for (auto& value : f) {
        value = normal(rng);
      }
      std::vector<float> harq(n);
      for (auto& value : harq) {
        value = normal(rng);
      }
      std::vector<float> expected = harq;
      ldpc_rate_recover(f, config, expected);
      std::vector<float> from_empty(n, 0.0F);
      ldpc_rate_recover(f, config, from_empty);
      const LdpcSelectionMap map = ldpc_selection_map(config);
      repeating_cases += test.e > map.period ? 1 : 0;
      for (unsigned p = 0; p < n; ++p) {
        const float gathered =
            ldpc_rate_recovery_gather(map, f.data(), test.e, test.q_m, p, harq[p]);
        ASSERT_EQ(gathered, expected[p]) << "Z " << test.z << " rv " << rv << " position " << p;
        ASSERT_EQ(ldpc_rate_recovery_gather(map, f.data(), test.e, test.q_m, p), from_empty[p])
            << "from an empty buffer: Z " << test.z << " rv " << rv << " position " << p;
      }
    }
  }
  EXPECT_GE(repeating_cases, 12U) << "cases where positions sum several values";
}

TEST(LdpcRateRecovery, AccumulatesOntoTheBufferContent) {
  const LdpcEncoderConfig code{LdpcBaseGraph::bg2, 40, 380};
  const unsigned n = ldpc_codeword_length(code.base_graph, code.lifting_size);
  BitVector message(code.num_info_bits, 1);
  BitVector d(n);
  create_ldpc_encoder()->encode(message, code, d);
  std::vector<float> soft(n, 0.0f);
  std::vector<unsigned> total(n, 0);
  LdpcRateMatcher matcher;
  for (const unsigned rv : {0U, 2U, 3U, 0U}) {
    const LdpcRateMatchConfig config{code, n, rv, 4};
    BitVector f(800);
    matcher.rate_match(d, config, f);
    std::vector<float> llrs(f.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
      llrs[i] = f[i] == 0 ? 2.0f : -2.0f;
    }
    ldpc_rate_recover(llrs, config, soft);
    const auto counts =
        selection_counts(d, n, ldpc_rv_start_position(code.base_graph, 40, n, rv), 800);
    for (unsigned p = 0; p < n; ++p) {
      total[p] += counts[p];
    }
  }
  for (unsigned p = 0; p < n; ++p) {
    const float sign = d[p] == 1 ? -1.0f : 1.0f;
    ASSERT_EQ(soft[p], d[p] == ldpc_filler_bit ? 0.0f : 2.0f * sign * total[p]) << p;
  }
}

TEST(LdpcRateRecovery, RejectsInconsistentArguments) {
  const LdpcRateMatchConfig good{{LdpcBaseGraph::bg2, 40, 380}, 2000, 0, 4};
  std::vector<float> llrs(400, 1.0f);
  std::vector<float> soft(2000, 0.0f);
  EXPECT_NO_THROW(ldpc_rate_recover(llrs, good, soft));
  EXPECT_THROW(ldpc_rate_recover(std::span<const float>(llrs).first(398), good, soft),
               std::invalid_argument); // E not a multiple of Q_m
  EXPECT_THROW(ldpc_rate_recover(llrs, good, std::span<float>(soft).first(1999)),
               std::invalid_argument); // buffer shorter than N_cb
  auto bad = good;
  bad.code.lifting_size = 41;
  EXPECT_THROW(ldpc_rate_recover(llrs, bad, soft), std::invalid_argument);
  bad = good;
  bad.n_cb = 2001;
  EXPECT_THROW(ldpc_rate_recover(llrs, bad, soft), std::invalid_argument);
  bad = good;
  bad.rv = 4;
  EXPECT_THROW(ldpc_rate_recover(llrs, bad, soft), std::invalid_argument);
  bad = good;
  bad.modulation_order = 0;
  EXPECT_THROW(ldpc_rate_recover(llrs, bad, soft), std::invalid_argument);
}

} // namespace
