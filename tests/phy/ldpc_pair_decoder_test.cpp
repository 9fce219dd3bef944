// The paired LDPC decoder (two code blocks of one code in the halves of each word: the CUDA pair
// kernel's algorithm, run lane after lane on the host) against the CPU decoder, half by half:
// the same message bits, iteration counts, parity and CRC outcomes on 200 random noisy pairs
// whose halves differ in message, noise, received length and so rows, iterations and outcome;
// a block paired with itself; the final parity check only where UL-SCH acceptance reads it; the
// per-half arithmetic of int16_pair.h; argument checks.
#include "airan/phy/ldpc_pair_decoder.h"
#include "airan/phy/ulsch_code_block.h"

#include "../support/ldpc_test_cases.h"
#include "../support/sanitizer_sweeps.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace airan::phy;

namespace {

// Per-half results of the word operations for values across the int16 range.
TEST(Int16Pair, OperatesOnEachHalfAlone) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> value(-32767, 32767);
  for (int i = 0; i < 20000; ++i) {
    const int a[2] = {value(rng), value(rng)};
    const int b[2] = {i % 7 == 0 ? a[0] : value(rng), value(rng)};
    const Int16Pair pa = int16_pair(a[0], a[1]);
    const Int16Pair pb = int16_pair(b[0], b[1]);
    for (unsigned h = 0; h < 2; ++h) {
      const auto wrap = [](int v) { return static_cast<int>(static_cast<std::int16_t>(v)); };
      ASSERT_EQ(int16_pair_half(int16_pair_add(pa, pb), h), wrap(a[h] + b[h]));
      ASSERT_EQ(int16_pair_half(int16_pair_sub(pa, pb), h), wrap(a[h] - b[h]));
      ASSERT_EQ(int16_pair_half(int16_pair_min(pa, pb), h), std::min(a[h], b[h]));
      ASSERT_EQ(int16_pair_half(int16_pair_max(pa, pb), h), std::max(a[h], b[h]));
      ASSERT_EQ(int16_pair_half(int16_pair_abs(pa), h), std::abs(a[h]));
      ASSERT_EQ(int16_pair_half(int16_pair_negative_mask(pa), h), a[h] < 0 ? -1 : 0);
      const auto ua = static_cast<unsigned>(a[h]) & 0xFFFFU;
      const auto ub = static_cast<unsigned>(b[h]) & 0xFFFFU;
      ASSERT_EQ(static_cast<unsigned>(int16_pair_half(int16_pair_min_unsigned(pa, pb), h)) &
                    0xFFFFU,
                std::min(ua, ub));
    }
    const int m[2] = {a[0] % 128, a[1] % 128};
    const Int16Pair pm = int16_pair(m[0], m[1]);
    const std::uint32_t bytes = int16_pair_to_int8s(pm) & 0xFFFFU;
    EXPECT_EQ(static_cast<std::int8_t>(bytes & 0xFFU), m[0]);
    EXPECT_EQ(static_cast<std::int8_t>(bytes >> 8), m[1]);
    ASSERT_EQ(int16_pair_from_int8s(bytes), pm);
  }
  // prmt's default mode: bytes of b:a by index, or a byte's sign replicated (bit 3 of a nibble).
  EXPECT_EQ(byte_permute<0x7654U>(0x11223344U, 0x55667788U), 0x55667788U);
  EXPECT_EQ(byte_permute<0x0123U>(0x11223344U, 0), 0x44332211U);
  // Bytes 0x01, 0x7F, 0xFF, 0x80: the signs of bytes 2, 1, 3 and 0.
  EXPECT_EQ(byte_permute<0x8B9AU>(0x80FF7F01U, 0), 0x00FF00FFU);
}

TEST(LdpcPairDecoder, EachHalfMatchesTheCpuDecoderBitForBit) {
  auto scalar = create_ldpc_decoder(LdpcDecoderImpl::scalar);
  unsigned different_rows = 0;
  unsigned different_iterations = 0;
  unsigned different_outcomes = 0;
  for (unsigned index = 0; index < 200; ++index) {
    const auto first = airan::test::make_ldpc_test_case(23, index);
    const auto second = airan::test::make_ldpc_partner_case(first, index);
    const airan::test::LdpcTestCase* cases[2] = {&first, &second};
    SCOPED_TRACE(
        "case " + std::to_string(index) + ": Z " + std::to_string(first.config.lifting_size) +
        ", K' " + std::to_string(first.config.num_info_bits) + ", " +
        std::to_string(first.llrs.size()) + " and " + std::to_string(second.llrs.size()) + " LLRs");
    BitVector expected[2];
    LdpcDecoderResult reference[2];
    for (unsigned h = 0; h < 2; ++h) {
      expected[h].resize(cases[h]->message.size());
      reference[h] =
          scalar->decode(cases[h]->llrs, cases[h]->config, expected[h], cases[h]->crc_check());
    }
    const unsigned rows[2] = {
        ldpc_rows_for_received_length(first.config.base_graph, first.config.lifting_size,
                                      static_cast<unsigned>(first.llrs.size())),
        ldpc_rows_for_received_length(first.config.base_graph, first.config.lifting_size,
                                      static_cast<unsigned>(second.llrs.size()))};
    different_rows += rows[0] != rows[1] ? 1 : 0;
    different_iterations += reference[0].iterations != reference[1].iterations ? 1 : 0;
    different_outcomes += reference[0].parity_ok != reference[1].parity_ok ? 1 : 0;
    for (const unsigned parts : {1U, 2U}) {
      if (!airan::test::runs_in_this_tree(index + parts, 2)) { // one of the two, in turn
        continue;
      }
      SCOPED_TRACE(std::to_string(parts) + " parts per check node");
      BitVector decoded[2] = {BitVector(first.message.size(), 2),
                              BitVector(second.message.size(), 2)};
      const std::span<const std::int8_t> llrs[2] = {first.llrs, second.llrs};
      const LdpcDecoderConfig configs[2] = {first.config, second.config};
      const std::span<bit_t> messages[2] = {decoded[0], decoded[1]};
      LdpcLaneResult results[2];
      ldpc_decode_pair_on_host(llrs, configs, messages, results, first.crc, parts);
      for (unsigned h = 0; h < 2; ++h) {
        SCOPED_TRACE("half " + std::to_string(h));
        ASSERT_EQ(decoded[h], expected[h]);
        ASSERT_EQ(results[h].iterations, reference[h].iterations);
        ASSERT_EQ(results[h].parity_ok, reference[h].parity_ok);
        ASSERT_EQ(results[h].crc_ok, reference[h].crc_ok);
      }
    }
  }
  std::printf("%u pairs with different rows, %u with different iterations, %u with one half "
              "failing parity\n",
              different_rows, different_iterations, different_outcomes);
  // The halves must differ, or the test would not show that each follows its own decoding.
  EXPECT_GT(different_rows, 40U);
  EXPECT_GT(different_iterations, 40U);
  EXPECT_GT(different_outcomes, 10U);
}

// The CUDA decoder pairs an odd batch's last block with itself: both halves give its results.
TEST(LdpcPairDecoder, ABlockPairedWithItselfDecodesAsAlone) {
  auto scalar = create_ldpc_decoder(LdpcDecoderImpl::scalar);
  for (unsigned index = 0; index < 20; ++index) {
    const auto c = airan::test::make_ldpc_test_case(29, index);
    BitVector expected(c.message.size());
    const auto reference = scalar->decode(c.llrs, c.config, expected, c.crc_check());
    BitVector decoded[2] = {BitVector(c.message.size(), 2), BitVector(c.message.size(), 2)};
    const std::span<const std::int8_t> llrs[2] = {c.llrs, c.llrs};
    const LdpcDecoderConfig configs[2] = {c.config, c.config};
    const std::span<bit_t> messages[2] = {decoded[0], decoded[1]};
    LdpcLaneResult results[2];
    ldpc_decode_pair_on_host(llrs, configs, messages, results, c.crc, 2);
    for (unsigned h = 0; h < 2; ++h) {
      ASSERT_EQ(decoded[h], expected) << "case " << index;
      ASSERT_EQ(results[h].iterations, reference.iterations);
      ASSERT_EQ(results[h].parity_ok, reference.parity_ok);
      ASSERT_EQ(results[h].crc_ok, reference.crc_ok);
    }
  }
}

// With LdpcLaneCode::parity_only_for_zero_message (GpuUlschDecoder's code blocks of a segmented
// TB), each half checks parity after its last iteration only where ulsch::accept_code_block()
// reads it (its CRC holds on an all-zero message), as the lane decoder does; parity_ok is false
// for the other halves, and bits, iterations, CRC outcome and acceptance stay the CPU decoder's.
// The noisy pairs with CRC24B, each also with one or both halves the all-zero codeword.
TEST(LdpcPairDecoder, ParityOnlyForAZeroMessageKeepsTheAcceptance) {
  auto scalar = create_ldpc_decoder(LdpcDecoderImpl::scalar);
  unsigned zero_checked = 0; // a half's zero message whose parity the termination did not give
  unsigned skipped = 0;      // a half's parity check left out that would have held
  unsigned mixed_pairs = 0;  // one half checked after its last iteration, the other not
  for (unsigned index = 0; index < 160; ++index) {
    const auto noisy = airan::test::make_ldpc_test_case(11, index);
    if (!noisy.crc) {
      continue;
    }
    const auto noisy_partner = airan::test::make_ldpc_partner_case(noisy, index);
    for (const unsigned zeros : {0U, 1U, 2U, 3U}) { // bit h: half h the all-zero codeword
      if (!airan::test::runs_in_this_tree(index + zeros, 2)) { // two of the four, in turn
        continue;
      }
      SCOPED_TRACE("case " + std::to_string(index) + ", zero halves " + std::to_string(zeros));
      airan::test::LdpcTestCase cases[2] = {noisy, noisy_partner};
      BitVector expected[2];
      LdpcDecoderResult reference[2];
      for (unsigned h = 0; h < 2; ++h) {
        if ((zeros >> h & 1U) != 0) {
          airan::test::make_zero_codeword(cases[h]);
        }
        expected[h].resize(cases[h].message.size());
        reference[h] =
            scalar->decode(cases[h].llrs, cases[h].config, expected[h], cases[h].crc_check());
      }
      BitVector decoded[2] = {BitVector(cases[0].message.size(), 2),
                              BitVector(cases[1].message.size(), 2)};
      const std::span<const std::int8_t> llrs[2] = {cases[0].llrs, cases[1].llrs};
      const LdpcDecoderConfig configs[2] = {cases[0].config, cases[1].config};
      const std::span<bit_t> messages[2] = {decoded[0], decoded[1]};
      LdpcLaneResult results[2];
      ldpc_decode_pair_on_host(llrs, configs, messages, results, noisy.crc, 2, true);
      const bool by_termination =
          noisy.config.early_termination == LdpcEarlyTermination::parity_check;
      bool checked[2] = {};
      for (unsigned h = 0; h < 2; ++h) {
        SCOPED_TRACE("half " + std::to_string(h));
        ASSERT_EQ(decoded[h], expected[h]);
        ASSERT_EQ(results[h].iterations, reference[h].iterations);
        ASSERT_EQ(results[h].crc_ok, reference[h].crc_ok);
        const bool nonzero =
            std::any_of(expected[h].begin(), expected[h].end(), [](bit_t b) { return b; });
        checked[h] = by_termination || (reference[h].crc_ok && !nonzero);
        EXPECT_EQ(results[h].parity_ok, checked[h] && reference[h].parity_ok);
        EXPECT_EQ(
            ulsch::accept_code_block(
                nonzero, {results[h].iterations, results[h].parity_ok, results[h].crc_ok}, true),
            ulsch::accept_code_block(nonzero, reference[h], true));
        zero_checked += !by_termination && checked[h] ? 1 : 0;
        skipped += !checked[h] && reference[h].parity_ok ? 1 : 0;
      }
      mixed_pairs += checked[0] != checked[1] ? 1 : 0;
    }
  }
  EXPECT_GE(zero_checked, 20U);
  EXPECT_GE(skipped, 20U);
  EXPECT_GE(mixed_pairs, 10U);
}

TEST(LdpcPairDecoder, CodesPairOnlyWhenAllButTheirRowsAgree) {
  const auto graph = ldpc_lift_graph(LdpcBaseGraph::bg1, 384);
  LdpcDecoderConfig config;
  config.base_graph = LdpcBaseGraph::bg1;
  config.lifting_size = 384;
  config.num_info_bits = 8448;
  config.num_rows = 5;
  const LdpcLaneCode a =
      ldpc_lane_code(config, 9386, graph.row_begin.data(), graph.edges.data(), nullptr);
  LdpcDecoderConfig longer = config;
  longer.num_rows = 8;
  const LdpcLaneCode b =
      ldpc_lane_code(longer, 10000, graph.row_begin.data(), graph.edges.data(), nullptr);
  EXPECT_TRUE(ldpc_lane_codes_pair(a, b));
  const LdpcPairCode pair = ldpc_pair_code(a, b);
  EXPECT_EQ(pair.num_rows, 8U);
  EXPECT_EQ(pair.num_columns, 30U);
  EXPECT_EQ(ldpc_pair_row_mask(pair, 4), 0xFFFFFFFFU);
  EXPECT_EQ(ldpc_pair_row_mask(pair, 5), 0xFFFF0000U);
  LdpcDecoderConfig other = config;
  other.max_iterations = config.max_iterations + 1;
  EXPECT_FALSE(ldpc_lane_codes_pair(
      a, ldpc_lane_code(other, 9386, graph.row_begin.data(), graph.edges.data(), nullptr)));
  other = config;
  other.num_info_bits = 8000;
  EXPECT_FALSE(ldpc_lane_codes_pair(
      a, ldpc_lane_code(other, 9386, graph.row_begin.data(), graph.edges.data(), nullptr)));
  other = config;
  other.offset = config.offset + 1;
  EXPECT_FALSE(ldpc_lane_codes_pair(
      a, ldpc_lane_code(other, 9386, graph.row_begin.data(), graph.edges.data(), nullptr)));
  LdpcLaneCode parity_only = a;
  parity_only.parity_only_for_zero_message = true;
  EXPECT_FALSE(ldpc_lane_codes_pair(a, parity_only));

  std::vector<std::int8_t> llrs(9386, 10);
  BitVector bits[2] = {BitVector(8448), BitVector(8000)};
  const std::span<const std::int8_t> spans[2] = {llrs, llrs};
  LdpcDecoderConfig configs[2] = {config, config};
  configs[1].num_info_bits = 8000;
  const std::span<bit_t> messages[2] = {bits[0], bits[1]};
  LdpcLaneResult results[2];
  EXPECT_THROW(ldpc_decode_pair_on_host(spans, configs, messages, results), std::invalid_argument);
  configs[1] = config;
  EXPECT_THROW(ldpc_decode_pair_on_host(spans, configs, messages, results, std::nullopt, 3),
               std::invalid_argument);
}

} // namespace
