// The lane-wise LDPC decoder (the CUDA kernel's algorithm, run lane after lane on the host, with
// one, two or four work items per check node, keeping each layer's edges from its first pass for
// its second or reading them again) against the CPU decoders: the same message bits,
// iteration counts, parity and CRC outcomes on 300 random noisy code blocks of both base graphs,
// both min-sum rules and every termination mode (CRC24B termination included); the merge of
// check-node states; lifted graphs; argument checks.
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ulsch_code_block.h"

#include "../support/ldpc_test_cases.h"
#include "../support/sanitizer_sweeps.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

using namespace airan::phy;

namespace {

TEST(LdpcLiftedGraph, EdgesFollowTheBaseGraphWithShiftsModZ) {
  const auto graph = ldpc_lift_graph(LdpcBaseGraph::bg2, 15);
  const auto entries = ldpc_base_graph_entries(LdpcBaseGraph::bg2);
  EXPECT_EQ(graph.row_begin[42], entries.size());
  const unsigned set_index = *ldpc_lifting_set_index(15);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const unsigned shift = entries[e].shift[set_index] % 15;
    EXPECT_EQ(graph.edges[e].packed, ldpc_lifted_edge(entries[e].column, shift, 15).packed);
    LdpcLaneCode code;
    code.lifting_size = 15;
    for (unsigned lane = 0; lane < 15; ++lane) {
      EXPECT_EQ(ldpc_edge_position(code, graph.edges[e], lane),
                entries[e].column * 15U + (lane + shift) % 15);
    }
    EXPECT_GE(e, graph.row_begin[entries[e].row]);
    EXPECT_LT(e, graph.row_begin[entries[e].row + 1u]);
  }
  EXPECT_THROW(ldpc_lift_graph(LdpcBaseGraph::bg1, 17), std::invalid_argument);
  // Both forms of the position (the device below sm_90 takes the shifted one), for every edge
  // and lane of every lifting size of both graphs.
  for (const auto base_graph : {LdpcBaseGraph::bg1, LdpcBaseGraph::bg2}) {
    for (const auto& size : ldpc_lifting_sizes()) {
      const auto lifted = ldpc_lift_graph(base_graph, size.z);
      LdpcLaneCode code;
      code.lifting_size = size.z;
      for (unsigned e = 0; e < lifted.row_begin[ldpc_num_rows(base_graph)]; ++e) {
        for (unsigned lane = 0; lane < size.z; ++lane) {
          ASSERT_EQ(ldpc_edge_position_keyed(code, lifted.edges[e], lane),
                    ldpc_edge_position_shifted(code, lifted.edges[e], lane))
              << "Z " << size.z << ", edge " << e << ", lane " << lane;
        }
      }
    }
  }
}

// With the CUDA kernel's two threads per check node every row of both base graphs keeps its
// edges from pass 1 for pass 2 (BG1's rows have at most 19 edges, BG2's 10), and every variable
// position fits the 16 bits it is kept in.
TEST(LdpcLaneDecoder, EveryRowKeepsItsEdgesWithTwoParts) {
  for (const auto& [base_graph, rows, columns] :
       {std::tuple{LdpcBaseGraph::bg1, 46U, 68U}, std::tuple{LdpcBaseGraph::bg2, 42U, 52U}}) {
    const auto graph = ldpc_lift_graph(base_graph, 384);
    LdpcLaneCode code;
    code.row_begin = graph.row_begin.data();
    unsigned widest = 0;
    for (unsigned row = 0; row < rows; ++row) {
      widest = std::max<unsigned>(widest, graph.row_begin[row + 1] - graph.row_begin[row]);
      EXPECT_TRUE(ldpc_row_keeps_edges(code, row, 2)) << "row " << row;
    }
    EXPECT_EQ(widest, base_graph == LdpcBaseGraph::bg1 ? 19U : 10U);
    EXPECT_EQ(ldpc_row_keeps_edges(code, 0, 1), base_graph == LdpcBaseGraph::bg2);
    EXPECT_LE(columns * 384U, 0x10000U);
    code.keep_extrinsics = false;
    EXPECT_FALSE(ldpc_row_keeps_edges(code, 0, 2));
  }
}

// The kept-edge passes run the instance of the part's slot count: ceil(degree / parts) slots
// (BG1's first row has 19 edges, its fifth 3), each count dispatched to its own instance.
TEST(LdpcLaneDecoder, KeptPassesRunTheInstanceOfThePartsSlotCount) {
  for (unsigned slots = 1; slots <= ldpc_kept_edges; ++slots) {
    EXPECT_EQ(ldpc_with_slots(slots, [](auto count) { return decltype(count)::value; }), slots);
  }
  const auto graph = ldpc_lift_graph(LdpcBaseGraph::bg1, 384);
  LdpcLaneCode code;
  code.row_begin = graph.row_begin.data();
  EXPECT_EQ(ldpc_part_slots(code, 0, 1), 19U);
  EXPECT_EQ(ldpc_part_slots(code, 0, 2), 10U);
  EXPECT_EQ(ldpc_part_slots(code, 0, 4), 5U);
  EXPECT_EQ(ldpc_part_slots(code, 4, 2), 2U);
  EXPECT_EQ(ldpc_part_slots(code, 4, 4), 1U);
}

TEST(LdpcLaneDecoder, MatchesTheCpuDecodersBitForBit) {
  auto scalar = create_ldpc_decoder(LdpcDecoderImpl::scalar);
  auto fastest = create_ldpc_decoder(LdpcDecoderImpl::automatic);
  unsigned decoded_ok = 0;
  unsigned failed = 0;
  unsigned multi_iteration = 0;
  unsigned crc_stops = 0;
  for (unsigned index = 0; index < 300; ++index) {
    const auto c = airan::test::make_ldpc_test_case(11, index);
    SCOPED_TRACE("case " + std::to_string(index) + ": Z " + std::to_string(c.config.lifting_size) +
                 ", K' " + std::to_string(c.config.num_info_bits));
    BitVector expected(c.message.size());
    BitVector lanes(c.message.size());
    BitVector simd(c.message.size());
    const auto reference = scalar->decode(c.llrs, c.config, expected, c.crc_check());
    // One, two and four work items per check node (the CUDA kernel runs two), each with the
    // edges that pass 1 keeps for pass 2 (where they fit) and without; under the sanitizers,
    // two of the six in turn.
    unsigned variant = index;
    for (const unsigned parts : {1U, 2U, 4U}) {
      for (const bool keep : {true, false}) {
        if (!airan::test::runs_in_this_tree(variant++, 3)) {
          continue;
        }
        SCOPED_TRACE(std::to_string(parts) + " parts per check node, " +
                     (keep ? "edges kept" : "edges read again"));
        std::fill(lanes.begin(), lanes.end(), bit_t{2});
        const auto result = ldpc_decode_lanes_on_host(c.llrs, c.config, lanes, c.crc, parts, keep);
        ASSERT_EQ(lanes, expected);
        ASSERT_EQ(result.iterations, reference.iterations);
        ASSERT_EQ(result.parity_ok, reference.parity_ok);
        ASSERT_EQ(result.crc_ok, reference.crc_ok);
      }
    }
    const auto simd_result = fastest->decode(c.llrs, c.config, simd, c.crc_check());
    crc_stops += c.config.early_termination == LdpcEarlyTermination::crc_check &&
                         reference.crc_ok && reference.iterations < c.config.max_iterations
                     ? 1
                     : 0;
    ASSERT_EQ(simd, expected);
    ASSERT_EQ(simd_result.iterations, reference.iterations);
    decoded_ok += expected == c.message ? 1 : 0;
    failed += reference.parity_ok ? 0 : 1;
    multi_iteration += reference.iterations > 1 ? 1 : 0;
  }
  std::printf("%u decoded, %u failed parity, %u needed more than one iteration, %u stopped on "
              "their CRC\n",
              decoded_ok, failed, multi_iteration, crc_stops);
  // The cases span the threshold: some decode, some fail, most need several iterations.
  EXPECT_GT(decoded_ok, 100u);
  EXPECT_GT(failed, 10u);
  EXPECT_GT(multi_iteration, 150u);
  EXPECT_GT(crc_stops, 20u);
}

// Merging the states of two halves of a check node's edges gives the state of all of them, for
// random magnitudes with ties and the 127 cap, in either order.
TEST(LdpcLaneDecoder, MergedCheckNodeStatesEqualOnePass) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> value(-127, 127);
  std::uniform_int_distribution<int> length(0, 20);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<int> q(static_cast<std::size_t>(length(rng)));
    for (int& v : q) {
      v = trial % 3 == 0 ? value(rng) % 4 : value(rng); // small values: many ties
    }
    const std::size_t split = q.empty() ? 0 : rng() % (q.size() + 1);
    LdpcCheckNodeState all;
    LdpcCheckNodeState a;
    LdpcCheckNodeState b;
    for (std::size_t i = 0; i < q.size(); ++i) {
      ldpc_accumulate_edge(all, q[i]);
      ldpc_accumulate_edge(i < split ? a : b, q[i]);
    }
    for (const auto& merged :
         {ldpc_merge_check_node_states(a, b), ldpc_merge_check_node_states(b, a)}) {
      ASSERT_EQ(merged.min1, all.min1) << trial;
      ASSERT_EQ(merged.min2, all.min2) << trial;
      ASSERT_EQ(merged.sign, all.sign) << trial;
    }
  }
}

// The lane decoder of \p c's code with LdpcLaneCode::parity_only_for_zero_message (as
// GpuUlschDecoder's code blocks have it), two parts per check node as the CUDA kernel runs.
LdpcLaneResult decode_parity_only_for_zero_message(const airan::test::LdpcTestCase& c,
                                                   BitVector& message) {
  const auto graph = ldpc_lift_graph(c.config.base_graph, c.config.lifting_size);
  const auto contributions = CrcCalculator(*c.crc).bit_contributions(c.config.num_info_bits);
  LdpcDecoderConfig resolved = c.config;
  if (resolved.num_rows == 0) {
    resolved.num_rows = ldpc_rows_for_llrs(c.config.base_graph, c.config.lifting_size, c.llrs);
  }
  LdpcLaneCode code =
      ldpc_lane_code(resolved, static_cast<unsigned>(c.llrs.size()), graph.row_begin.data(),
                     graph.edges.data(), contributions.data());
  code.parity_only_for_zero_message = true;
  return ldpc_decode_lane_code_on_host(code, c.llrs, message, 2);
}

// With parity_only_for_zero_message the parity check after the last iteration runs only where
// ulsch::accept_code_block() reads it (the CRC holds on an all-zero message), else parity_ok is
// false: the bits, iterations, CRC outcome and acceptance stay the CPU decoder's. The same noisy
// cases as above with CRC24B, and each as the all-zero codeword with the same noise magnitudes.
TEST(LdpcLaneDecoder, ParityOnlyForAZeroMessageKeepsTheAcceptance) {
  auto scalar = create_ldpc_decoder(LdpcDecoderImpl::scalar);
  unsigned zero_checked = 0; // a zero message whose parity the termination did not give
  unsigned skipped = 0;      // a parity check left out that would have held
  for (unsigned index = 0; index < 160; ++index) {
    airan::test::LdpcTestCase c = airan::test::make_ldpc_test_case(11, index);
    if (!c.crc) {
      continue;
    }
    for (const bool zero : {false, true}) {
      SCOPED_TRACE("case " + std::to_string(index) + (zero ? ", all-zero codeword" : ""));
      if (zero) {
        airan::test::make_zero_codeword(c);
      }
      BitVector expected(c.message.size());
      BitVector lanes(c.message.size(), bit_t{2});
      const auto reference = scalar->decode(c.llrs, c.config, expected, c.crc_check());
      const auto result = decode_parity_only_for_zero_message(c, lanes);
      ASSERT_EQ(lanes, expected);
      ASSERT_EQ(result.iterations, reference.iterations);
      ASSERT_EQ(result.crc_ok, reference.crc_ok);
      const bool nonzero = std::any_of(expected.begin(), expected.end(), [](bit_t b) { return b; });
      const bool by_termination = c.config.early_termination == LdpcEarlyTermination::parity_check;
      const bool checked = by_termination || (reference.crc_ok && !nonzero);
      EXPECT_EQ(result.parity_ok, checked && reference.parity_ok);
      EXPECT_EQ(ulsch::accept_code_block(
                    nonzero, {result.iterations, result.parity_ok, result.crc_ok}, true),
                ulsch::accept_code_block(nonzero, reference, true));
      zero_checked += !by_termination && reference.crc_ok && !nonzero ? 1 : 0;
      skipped += !checked && reference.parity_ok ? 1 : 0;
    }
  }
  EXPECT_GE(zero_checked, 10U);
  EXPECT_GE(skipped, 10U);
}

TEST(LdpcLaneDecoder, RejectsCrcTerminationWithoutACrcAndUnresolvedRows) {
  LdpcDecoderConfig config;
  config.lifting_size = 8;
  config.num_info_bits = 100;
  const auto graph = ldpc_lift_graph(config.base_graph, 8);
  EXPECT_THROW(ldpc_lane_code(config, 100, graph.row_begin.data(), graph.edges.data()),
               std::invalid_argument); // num_rows = 0
  config.num_rows = 4;
  EXPECT_NO_THROW(ldpc_lane_code(config, 100, graph.row_begin.data(), graph.edges.data()));
  config.early_termination = LdpcEarlyTermination::crc_check;
  EXPECT_THROW(ldpc_lane_code(config, 100, graph.row_begin.data(), graph.edges.data()),
               std::invalid_argument); // no CRC contributions
  const auto contributions = CrcCalculator(CrcPolynomial::crc24b).bit_contributions(100);
  EXPECT_NO_THROW(ldpc_lane_code(config, 100, graph.row_begin.data(), graph.edges.data(),
                                 contributions.data()));
  config.early_termination = LdpcEarlyTermination::none;
  config.num_info_bits = 177; // K = 22 * 8 = 176
  EXPECT_THROW(ldpc_lane_code(config, 100, graph.row_begin.data(), graph.edges.data()),
               std::invalid_argument);
}

} // namespace
