// LDPC rate matching: N_cb with LBRM, k0, E_r and offsets worked out by hand, bit selection
// against a literal transcription of the TS 38.212 5.4.2.1 loop, bit interleaving.
#include "airan/phy/ldpc_rate_matcher.h"

#include <gtest/gtest.h>

using namespace airan::phy;

namespace {

TEST(LdpcRateMatching, CircularBufferLength) {
  EXPECT_EQ(ldpc_circular_buffer_length(LdpcBaseGraph::bg1, 384, 2, 0), 25344u);
  EXPECT_EQ(ldpc_circular_buffer_length(LdpcBaseGraph::bg2, 10, 1, 0), 500u);
  // N_ref = floor(20000 / (2 * 2/3)) = 15000 < N.
  EXPECT_EQ(ldpc_circular_buffer_length(LdpcBaseGraph::bg1, 384, 2, 20000), 15000u);
  // N_ref = floor(100000 / (2/3)) = 150000 > N.
  EXPECT_EQ(ldpc_circular_buffer_length(LdpcBaseGraph::bg1, 384, 1, 100000), 25344u);
}

TEST(LdpcRateMatching, StartPositions) {
  // Full buffer: k0 = {0, 17, 33, 56} Z (BG1) and {0, 13, 25, 43} Z (BG2).
  const unsigned bg1[4] = {0, 17 * 384, 33 * 384, 56 * 384};
  const unsigned bg2[4] = {0, 130, 250, 430};
  for (unsigned rv = 0; rv < 4; ++rv) {
    EXPECT_EQ(ldpc_rv_start_position(LdpcBaseGraph::bg1, 384, 25344, rv), bg1[rv]);
    EXPECT_EQ(ldpc_rv_start_position(LdpcBaseGraph::bg2, 10, 500, rv), bg2[rv]);
  }
  // N_cb = 15000: floor(17 * 15000 / 25344) = 10, floor(33 * 15000 / 25344) = 19,
  // floor(56 * 15000 / 25344) = 33.
  EXPECT_EQ(ldpc_rv_start_position(LdpcBaseGraph::bg1, 384, 15000, 1), 10u * 384);
  EXPECT_EQ(ldpc_rv_start_position(LdpcBaseGraph::bg1, 384, 15000, 2), 19u * 384);
  EXPECT_EQ(ldpc_rv_start_position(LdpcBaseGraph::bg1, 384, 15000, 3), 33u * 384);
  EXPECT_THROW(ldpc_rv_start_position(LdpcBaseGraph::bg1, 384, 15000, 4), std::invalid_argument);
}

TEST(LdpcRateMatching, RateMatchedLengthsAndOffsets) {
  // G = 20004, C = 2, N_L = 1, Q_m = 4: 5001 symbols -> 2500 and 2501.
  EXPECT_EQ(ldpc_rate_matched_length(0, 2, 20004, 1, 4), 10000u);
  EXPECT_EQ(ldpc_rate_matched_length(1, 2, 20004, 1, 4), 10004u);
  EXPECT_EQ(ldpc_code_block_offset(1, 2, 20004, 1, 4), 10000u);
  // G = 1000, C = 3, N_L = 2, Q_m = 2: 250 symbols -> 83, 83, 84.
  EXPECT_EQ(ldpc_rate_matched_length(0, 3, 1000, 2, 2), 332u);
  EXPECT_EQ(ldpc_rate_matched_length(1, 3, 1000, 2, 2), 332u);
  EXPECT_EQ(ldpc_rate_matched_length(2, 3, 1000, 2, 2), 336u);
  EXPECT_EQ(ldpc_code_block_offset(2, 3, 1000, 2, 2), 664u);
  EXPECT_EQ(ldpc_code_block_offset(3, 3, 1000, 2, 2), 1000u);
  EXPECT_THROW(ldpc_rate_matched_length(0, 3, 1001, 2, 2), std::invalid_argument);
  EXPECT_THROW(ldpc_rate_matched_length(3, 3, 1000, 2, 2), std::invalid_argument);
}

TEST(LdpcRateMatching, InterleaverWritesColumnsOfQmRows) {
  BitVector e(12);
  for (unsigned i = 0; i < 12; ++i) {
    e[i] = static_cast<bit_t>(i);
  }
  BitVector f(12);
  ldpc_interleave_bits(e, 4, f);
  EXPECT_EQ(f, (BitVector{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}));
  ldpc_interleave_bits(e, 6, f);
  EXPECT_EQ(f, (BitVector{0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11}));
  EXPECT_THROW(ldpc_interleave_bits(e, 5, f), std::invalid_argument);
}

/// TS 38.212 5.4.2.1 bit selection and 5.4.2.2 interleaving, written as in the specification.
BitVector spec_rate_match(const BitVector& d, unsigned n_cb, unsigned k0, unsigned e_length,
                          unsigned q_m) {
  BitVector e(e_length);
  unsigned k = 0;
  unsigned j = 0;
  while (k < e_length) {
    const bit_t bit = d[(k0 + j) % n_cb];
    if (bit != ldpc_filler_bit) {
      e[k++] = bit;
    }
    ++j;
  }
  BitVector f(e_length);
  for (unsigned jj = 0; jj < e_length / q_m; ++jj) {
    for (unsigned i = 0; i < q_m; ++i) {
      f[i + jj * q_m] = e[i * (e_length / q_m) + jj];
    }
  }
  return f;
}

// d holds position-dependent bytes (not bits) so that any wrong position shows.
TEST(LdpcRateMatching, SelectionMatchesTheSpecificationLoop) {
  LdpcRateMatcher matcher;
  for (auto graph : {LdpcBaseGraph::bg1, LdpcBaseGraph::bg2}) {
    const unsigned z = 12;
    const unsigned n = ldpc_codeword_length(graph, z);
    const unsigned k = ldpc_systematic_length(graph, z);
    for (unsigned k_prime : {k - 30, k}) {
      const LdpcEncoderConfig code{graph, z, k_prime};
      BitVector d(n);
      for (unsigned i = 0; i < n; ++i) {
        d[i] = static_cast<bit_t>(i % 251);
      }
      for (unsigned i = ldpc_filler_begin(code); i < ldpc_filler_end(code); ++i) {
        d[i] = ldpc_filler_bit;
      }
      for (unsigned n_cb : {n, n - 5 * z - 3}) {
        for (unsigned rv = 0; rv < 4; ++rv) {
          for (unsigned q_m : {1u, 2u, 4u, 6u, 8u}) {
            for (unsigned e_length : {q_m * 7, q_m * 50, q_m * 401}) { // up to 4 wraps
              const LdpcRateMatchConfig config{code, n_cb, rv, q_m};
              const unsigned k0 = ldpc_rv_start_position(graph, z, n_cb, rv);
              BitVector f(e_length);
              matcher.rate_match(d, config, f);
              ASSERT_EQ(f, spec_rate_match(d, n_cb, k0, e_length, q_m))
                  << "K'=" << k_prime << " N_cb=" << n_cb << " rv=" << rv << " Qm=" << q_m
                  << " E=" << e_length;
              // Only the reported prefix of d is read.
              const unsigned needed = ldpc_rate_match_input_length(config, e_length);
              BitVector prefix(d.begin(), d.begin() + needed);
              BitVector f_prefix(e_length);
              matcher.rate_match(prefix, config, f_prefix);
              ASSERT_EQ(f_prefix, f);
            }
          }
        }
      }
    }
  }
}

TEST(LdpcRateMatching, RejectsInconsistentArguments) {
  LdpcRateMatcher matcher;
  const LdpcEncoderConfig code{LdpcBaseGraph::bg2, 10, 100};
  BitVector d(500, 0);
  BitVector f(30);
  EXPECT_THROW(matcher.rate_match(d, {code, 500, 0, 4}, f), std::invalid_argument); // 30 % 4
  EXPECT_THROW(matcher.rate_match(d, {code, 501, 0, 2}, f), std::invalid_argument); // N_cb > N
  EXPECT_THROW(matcher.rate_match(d, {code, 500, 4, 2}, f), std::invalid_argument); // rv 4
  BitVector short_d(20, 0);
  EXPECT_THROW(matcher.rate_match(short_d, {code, 500, 0, 2}, f), std::invalid_argument);
}

} // namespace
