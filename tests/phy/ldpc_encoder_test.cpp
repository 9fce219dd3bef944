// LDPC encoder: every parity check H c = 0 (H lifted directly from the base graph) for BG1 and
// BG2 at all 51 lifting sizes, systematic and filler positions, partial outputs, bad arguments.
#include "airan/phy/ldpc_base_graph.h"
#include "airan/phy/ldpc_encoder.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace airan::phy;

namespace {

/// Number of unsatisfied parity checks of the full codeword c (length = columns * Z).
unsigned count_failed_checks(LdpcBaseGraph graph, unsigned z, const BitVector& c) {
  const unsigned set_index = *ldpc_lifting_set_index(z);
  std::vector<bit_t> syndrome(std::size_t{ldpc_num_rows(graph)} * z, 0);
  for (const auto& entry : ldpc_base_graph_entries(graph)) {
    const unsigned shift = entry.shift[set_index] % z;
    for (unsigned t = 0; t < z; ++t) {
      // Row t of the identity shifted right by P has its one in column (t + P) mod Z.
      syndrome[entry.row * z + t] ^= c[entry.column * z + (t + shift) % z];
    }
  }
  unsigned failed = 0;
  for (bit_t s : syndrome) {
    failed += s;
  }
  return failed;
}

/// Rebuilds the unpunctured codeword: message, zero fillers, then d from position K - 2Z on.
BitVector full_codeword(const BitVector& message, const LdpcEncoderConfig& config,
                        const BitVector& d) {
  const unsigned z = config.lifting_size;
  const unsigned k = ldpc_systematic_length(config.base_graph, z);
  BitVector c(std::size_t{ldpc_num_columns(config.base_graph)} * z, 0);
  std::copy(message.begin(), message.end(), c.begin());
  std::copy(d.begin() + (k - 2 * z), d.end(), c.begin() + k);
  return c;
}

TEST(LdpcBaseGraph, TablesHaveTheShapeOfTs38212) {
  EXPECT_EQ(ldpc_base_graph_entries(LdpcBaseGraph::bg1).size(), 316u);
  EXPECT_EQ(ldpc_base_graph_entries(LdpcBaseGraph::bg2).size(), 197u);
  const auto sizes = ldpc_lifting_sizes();
  std::set<unsigned> distinct;
  for (const auto& size : sizes) {
    distinct.insert(size.z);
    // Z = a * 2^j with a = 2, 3, 5, 7, ..., 15 for i_LS = 0, 1, 2, 3, ..., 7.
    const unsigned a = size.set_index == 0 ? 2 : 2 * size.set_index + 1;
    ASSERT_EQ(size.z % a, 0u) << "Z=" << size.z;
    const unsigned power_of_two = size.z / a;
    EXPECT_EQ(power_of_two & (power_of_two - 1), 0u) << "Z=" << size.z;
    EXPECT_LE(size.z, 384u);
  }
  EXPECT_EQ(distinct.size(), 51u);
  EXPECT_EQ(*ldpc_lifting_set_index(384), 1u);
  EXPECT_EQ(*ldpc_lifting_set_index(208), 6u);
  EXPECT_FALSE(ldpc_lifting_set_index(17).has_value());
  EXPECT_EQ(ldpc_smallest_lifting_size(17)->z, 18u);
  EXPECT_FALSE(ldpc_smallest_lifting_size(385).has_value());
}

class LdpcEncoderAllSizes : public ::testing::TestWithParam<LdpcBaseGraph> {};

TEST_P(LdpcEncoderAllSizes, EveryParityCheckHolds) {
  const LdpcBaseGraph graph = GetParam();
  auto encoder = create_ldpc_encoder();
  std::mt19937 rng(1234);
  for (const auto& size : ldpc_lifting_sizes()) {
    const unsigned z = size.z;
    const unsigned k = ldpc_systematic_length(graph, z);
    const unsigned n = ldpc_codeword_length(graph, z);
    // Some filler bits (K' < K) and none at all.
    for (unsigned k_prime : {k - (z / 3), k}) {
      const LdpcEncoderConfig config{graph, z, k_prime};
      BitVector message(k_prime);
      for (auto& bit : message) {
        bit = static_cast<bit_t>(rng() & 1u);
      }
      BitVector d(n, 7);
      encoder->encode(message, config, d);

      // Systematic part: c_{2Z} .. c_{K'-1}, then K - K' filler markers.
      for (unsigned i = 2 * z; i < k_prime; ++i) {
        ASSERT_EQ(d[i - 2 * z], message[i]) << "Z=" << z << " bit " << i;
      }
      for (unsigned i = k_prime; i < k; ++i) {
        ASSERT_EQ(d[i - 2 * z], ldpc_filler_bit) << "Z=" << z << " filler " << i;
      }
      for (unsigned i = k - 2 * z; i < n; ++i) {
        ASSERT_LE(d[i], 1) << "Z=" << z << " parity " << i;
      }
      EXPECT_EQ(count_failed_checks(graph, z, full_codeword(message, config, d)), 0u)
          << "Z=" << z << " K'=" << k_prime;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BothGraphs, LdpcEncoderAllSizes,
                         ::testing::Values(LdpcBaseGraph::bg1, LdpcBaseGraph::bg2),
                         [](const auto& info) {
                           return info.param == LdpcBaseGraph::bg1 ? "BG1" : "BG2";
                         });

// A wrong bit anywhere in the parity part breaks at least one check (the checker itself works).
TEST(LdpcEncoder, CorruptedParityFailsTheCheck) {
  auto encoder = create_ldpc_encoder();
  const LdpcEncoderConfig config{LdpcBaseGraph::bg1, 36, 792};
  BitVector message(792, 1);
  BitVector d(ldpc_codeword_length(LdpcBaseGraph::bg1, 36));
  encoder->encode(message, config, d);
  BitVector c = full_codeword(message, config, d);
  ASSERT_EQ(count_failed_checks(LdpcBaseGraph::bg1, 36, c), 0u);
  c[30 * 36 + 5] ^= 1;
  EXPECT_GT(count_failed_checks(LdpcBaseGraph::bg1, 36, c), 0u);
}

// Asking for fewer bits gives a prefix of the full output, for every possible length.
TEST(LdpcEncoder, PartialOutputIsAPrefix) {
  auto encoder = create_ldpc_encoder();
  std::mt19937 rng(99);
  for (auto graph : {LdpcBaseGraph::bg1, LdpcBaseGraph::bg2}) {
    const unsigned z = 10;
    const LdpcEncoderConfig config{graph, z, ldpc_systematic_length(graph, z) - 7};
    BitVector message(config.num_info_bits);
    for (auto& bit : message) {
      bit = static_cast<bit_t>(rng() & 1u);
    }
    BitVector full(ldpc_codeword_length(graph, z));
    encoder->encode(message, config, full);
    for (std::size_t length = 0; length <= full.size(); ++length) {
      BitVector part(length, 9);
      encoder->encode(message, config, part);
      ASSERT_TRUE(std::equal(part.begin(), part.end(), full.begin())) << "length " << length;
    }
  }
}

TEST(LdpcEncoder, FillerBitsInThePuncturedPartAreNotOutput) {
  // K' < 2Z: every filler bit from 2Z on is marked, the punctured ones are not output.
  auto encoder = create_ldpc_encoder();
  const LdpcEncoderConfig config{LdpcBaseGraph::bg2, 8, 10};
  EXPECT_EQ(ldpc_filler_begin(config), 0u);
  EXPECT_EQ(ldpc_filler_end(config), 64u);
  BitVector message(10, 1);
  BitVector d(ldpc_codeword_length(LdpcBaseGraph::bg2, 8));
  encoder->encode(message, config, d);
  for (unsigned i = 0; i < 64; ++i) {
    ASSERT_EQ(d[i], ldpc_filler_bit);
  }
  EXPECT_EQ(count_failed_checks(LdpcBaseGraph::bg2, 8, full_codeword(message, config, d)), 0u);
}

TEST(LdpcEncoder, RejectsInconsistentArguments) {
  auto encoder = create_ldpc_encoder();
  BitVector message(100, 0);
  BitVector d(ldpc_codeword_length(LdpcBaseGraph::bg1, 10));
  EXPECT_THROW(encoder->encode(message, {LdpcBaseGraph::bg1, 17, 100}, d),
               std::invalid_argument); // 17 is not a lifting size
  EXPECT_THROW(encoder->encode(message, {LdpcBaseGraph::bg1, 10, 99}, d),
               std::invalid_argument); // message size differs from K'
  EXPECT_THROW(encoder->encode(BitVector(221, 0), {LdpcBaseGraph::bg1, 10, 221}, d),
               std::invalid_argument); // K' > K = 220
  BitVector too_long(d.size() + 1);
  EXPECT_THROW(encoder->encode(message, {LdpcBaseGraph::bg1, 10, 100}, too_long),
               std::invalid_argument);
}

} // namespace
