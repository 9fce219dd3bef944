// GpuUlschDecoder's LDPC code blocks and TB assembly run on the host, in the kernels' order,
// through the shared code the kernels call (ulsch_kernels_emulation.h,
// ldpc_pair_kernel_emulation.h: ldpc_kernel_blocks.h, ldpc_pair_blocks.h, tb_assembly_elements.h):
// - the host's LdpcTransportBlockCodes (ulsch_transport_block_codes(), as GpuUlschDecoder::Impl::
//   plan() builds them) and ldpc_transport_block_block() for every code block r, against the CPU
//   decoder's segmentation and rate matching (E_r of TS 38.212 5.4.2.1, the received length its
//   rate recovery returns, the LDPC configuration it decodes with);
// - the single LDPC kernel's code blocks (rate recovery per work item, a block decoded when one of
//   its LLRs is nonzero, else cleared as the kernel's inactive path), then tb_assembly over every
//   thread block and thread (TB bytes with warp shuffles and the block's fold of the CRC register,
//   then one block per code block's nonzero flag), then the host's combination of the partials and
//   flags: TB bytes, TB CRC verdict, nonzero flags and the result against create_ulsch_decoder();
// - the paired LDPC kernel's thread blocks (decode_tb_pair(): code blocks 2p and 2p + 1, each
//   half's code, buffers and activity, the pair code, the pair decoded by phy::ldpc_pair_decode()
//   or not at all, what each half writes): bits and results equal to the single kernel's code
//   block by code block, its TB through the assembly and finish() against create_ulsch_decoder(),
//   and no pair running longer than its received halves need;
// for the peak TB (TBS 590,128, 71 code blocks of two E_r: the last paired with itself), small
// one-code-block TBs with CRC16 (one failing its CRC), a BG2 TB with an all-zero code block, a TB
// with a code block that receives nothing, one whose first code block has E_r = 0, and a TB of
// four code blocks of two rows (the short/long boundary inside pair 1): as received, with code
// block 2 silent (an empty low half beside an active high one), with code blocks 0, 1 and 3 silent
// (a pair of two empty halves, an empty high half of more rows than its partner), and with
// E_0 = E_1 = E_2 = 0 (empty halves over an earlier TB's LLRs).
#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/ulsch_code_block.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include "ldpc_pair_kernel_emulation.h"
#include "ulsch_kernels_emulation.h"

#include "../support/noisy_llrs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::test::ulsch_emulation;
namespace ulsch = airan::phy::ulsch;
namespace detail = airan::gpu::detail;

/// The positions of d the CPU decoder's rate recovery of code block \p r receives (0: none).
unsigned cpu_received_length(const ulsch::TransportBlockLayout& layout,
                             const UlschCodingConfig& coding, unsigned r) {
  const unsigned e = ldpc_rate_matched_length(r, layout.seg.num_code_blocks, coding.g,
                                              coding.num_layers, coding.modulation_order);
  std::vector<float> buffer(layout.rate_match.n_cb, 0.0F);
  return ldpc_rate_recover(std::vector<float>(e, 1.0F), layout.rate_match, buffer);
}

/// (1): code block r's code and offsets as ldpc_transport_block_block() gives them, against the
/// lane code of the LDPC configuration the CPU decoder decodes it with.
void check_code_blocks(const ulsch::TransportBlockLayout& layout, const UlschDecoderConfig& cfg,
                       const HostCodeTables& tables) {
  const CodeBlockSegmentation& seg = layout.seg;
  const ulsch::GatherRateRecovery plan = ulsch::gather_rate_recovery(layout, cfg.coding);
  const detail::LdpcTransportBlockCodes codes = tables.codes(layout, cfg, plan);
  const bool has_cb_crc = seg.num_code_blocks > 1;
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    SCOPED_TRACE("code block " + std::to_string(r));
    const detail::LdpcKernelBlock block = detail::ldpc_transport_block_block(codes, r);
    EXPECT_EQ(block.llr_offset, std::uint64_t{r} * ldpc_llr_stride);    // where recovery writes
    EXPECT_EQ(block.bits_offset, std::uint64_t{r} * seg.num_info_bits); // where assembly reads
    EXPECT_EQ(block.code.num_info_bits, seg.num_info_bits);
    const unsigned received = cpu_received_length(layout, cfg.coding, r);
    EXPECT_EQ(plan.received_length(r), received);
    if (received == 0) {
      continue; // not decoded: any code (the kernel's inactive path)
    }
    const LdpcLaneCode expected =
        ldpc_lane_code(ulsch::code_block_ldpc_config(layout, cfg, received), received,
                       tables.graph.row_begin.data(), tables.graph.edges.data(),
                       has_cb_crc ? tables.crc24b.data() : nullptr);
    const LdpcLaneCode& code = block.code;
    EXPECT_EQ(code.num_llrs, received);
    EXPECT_LE(code.num_llrs, ldpc_llr_stride);
    EXPECT_EQ(code.lifting_size, seg.lifting_size);
    EXPECT_EQ(code.num_rows, expected.num_rows);
    EXPECT_EQ(code.num_columns, expected.num_columns);
    EXPECT_EQ(code.filler_begin, expected.filler_begin);
    EXPECT_EQ(code.filler_end, expected.filler_end);
    EXPECT_EQ(code.max_iterations, cfg.max_iterations);
    EXPECT_EQ(code.parity_termination, !has_cb_crc);
    EXPECT_EQ(code.crc_termination, has_cb_crc);
    EXPECT_EQ(code.crc_contributions, has_cb_crc ? tables.crc24b.data() : nullptr);
    EXPECT_EQ(code.parity_only_for_zero_message, has_cb_crc);
    EXPECT_EQ(code.rule.normalized, expected.rule.normalized);
    EXPECT_EQ(code.rule.offset, expected.rule.offset);
    EXPECT_EQ(code.row_begin, tables.graph.row_begin.data());
    EXPECT_EQ(code.edges, tables.graph.edges.data());
  }
}

struct AssemblyCase {
  const char* what;
  UlschCodingConfig coding;
  float snr_db;
  int zero_payload_block = -1;     ///< A code block whose payload bits are all 0.
  std::uint32_t silent_blocks = 0; ///< Code blocks (bit r) whose LLRs are all 0 (receive nothing).
  bool decodes = true;             ///< Expected TB CRC outcome of the CPU decoder.
  /// Whether code block \p r receives nothing (only the first 32 can).
  [[nodiscard]] bool silent(unsigned r) const { return r < 32 && (silent_blocks >> r & 1U) != 0; }
};

/// Four code blocks of BG1 at Z = 320, the first three of the shorter E_r and 11 rows, the last
/// of 12: code blocks 2 and 3 (pair 1) have different codes.
constexpr UlschCodingConfig four_code_blocks{25648, 0.7, 8, 2, 0, 37264, 0};

const std::array<AssemblyCase, 11> assembly_cases{{
    {"peak TB, 71 code blocks", {590128, 948.0 / 1024.0, 8, 2, 0, 628992, 0}, 8.0F, 30},
    {"one code block, CRC16, BG1", {1000, 0.8, 2, 1, 0, 1272, 0}, 6.0F},
    {"one code block, CRC16, failing", {1000, 0.8, 2, 1, 0, 1272, 0}, -2.0F, -1, 0, false},
    {"one code block, CRC16, BG2", {256, 0.3, 2, 1, 0, 900, 0}, 3.0F},
    {"BG2, 6 code blocks, one all zero", {19464, 0.2, 2, 1, 0, 97442, 0}, 1.0F, 2},
    {"a code block receives nothing", {24576, 0.9, 8, 2, 0, 27776, 0}, 9.0F, -1, 0b10, false},
    {"E_0 = 0", {10000, 0.9, 2, 1, 0, 2, 0}, 3.0F, -1, 0, false},
    {"4 code blocks of two codes", four_code_blocks, 2.4F},
    {"4 code blocks, code block 2 silent", four_code_blocks, 2.4F, -1, 0b0100, false},
    {"4 code blocks, 0, 1 and 3 silent", four_code_blocks, 2.4F, -1, 0b1011, false},
    {"E_0 = E_1 = E_2 = 0", {25648, 0.7, 2, 1, 0, 2, 0}, 3.0F, -1, 0, false},
}};

/// A case's TB encoded and received, and the CPU decoder's outputs for it.
struct ReceivedTb {
  ReceivedTb(const AssemblyCase& c, std::mt19937_64& rng)
      : layout(ulsch::layout_transport_block(c.coding)), tb(c.coding.tbs), cpu_bits(c.coding.tbs) {
    const CodeBlockSegmentation& seg = layout.seg;
    cfg.coding = c.coding;
    for (auto& bit : tb) {
      bit = static_cast<bit_t>(rng() & 1U);
    }
    if (c.zero_payload_block >= 0) {
      const std::size_t begin = std::size_t{seg.num_payload_bits()} * c.zero_payload_block;
      std::fill_n(tb.begin() + static_cast<std::ptrdiff_t>(begin), seg.num_payload_bits(),
                  bit_t{0});
    }
    BitVector codeword(c.coding.g);
    create_ulsch_encoder()->encode(tb, c.coding, codeword);
    llrs = airan::test::noisy_llrs(codeword, c.snr_db, rng);
    const auto& k = c.coding;
    for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
      if (c.silent(r)) {
        const std::uint32_t offset =
            ldpc_code_block_offset(r, seg.num_code_blocks, k.g, k.num_layers, k.modulation_order);
        std::fill_n(
            llrs.begin() + offset,
            ldpc_rate_matched_length(r, seg.num_code_blocks, k.g, k.num_layers, k.modulation_order),
            0.0F);
      }
    }
    expected = create_ulsch_decoder(600000)->decode(llrs, cfg, cpu_bits);
  }
  ulsch::TransportBlockLayout layout;
  UlschDecoderConfig cfg;
  BitVector tb;
  std::vector<float> llrs;
  BitVector cpu_bits;
  UlschDecoderResult expected;
};

/// The emulated kernels' TB \p got against the CPU decoder's of \p rx.
void expect_cpu_decoders_tb(const EmulatedTb& got, const ReceivedTb& rx, const AssemblyCase& c) {
  const UlschDecoderResult& expected = rx.expected;
  const CodeBlockSegmentation& seg = rx.layout.seg;
  EXPECT_EQ(expected.tb_crc_ok, c.decodes);
  EXPECT_EQ(got.result.tb_crc_ok, expected.tb_crc_ok);
  EXPECT_EQ(got.result.code_block_crc_ok, expected.code_block_crc_ok);
  EXPECT_EQ(got.result.num_code_blocks_ok, expected.num_code_blocks_ok);
  EXPECT_EQ(got.result.max_ldpc_iterations, expected.max_ldpc_iterations);
  EXPECT_EQ(got.result.mean_ldpc_iterations, expected.mean_ldpc_iterations);
  // The TB bytes as finish() unpacks them.
  for (std::uint32_t i = 0; i < c.coding.tbs; ++i) {
    ASSERT_EQ((got.tb_bytes[i / 8] >> (7 - i % 8)) & 1U, rx.cpu_bits[i]) << "TB bit " << i;
  }
  // The CRC verdict against the CPU's desegmentation and TB CRC check of the same messages.
  BitVector tb_with_crc(seg.input_length);
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    const auto payload = static_cast<std::ptrdiff_t>(seg.num_payload_bits());
    const auto message = got.messages.begin() + static_cast<std::ptrdiff_t>(r) *
                                                    static_cast<std::ptrdiff_t>(seg.num_info_bits);
    const std::ptrdiff_t begin = static_cast<std::ptrdiff_t>(r) * payload;
    const std::ptrdiff_t count =
        std::min<std::ptrdiff_t>(payload, static_cast<std::ptrdiff_t>(seg.input_length) - begin);
    std::copy_n(message, count, tb_with_crc.begin() + begin);
  }
  EXPECT_EQ(got.crc_register == 0, CrcCalculator(rx.layout.tb_crc).check(tb_with_crc));
  if (expected.num_code_blocks_ok == seg.num_code_blocks && seg.num_code_blocks > 1) {
    EXPECT_EQ(got.crc_register == 0, expected.tb_crc_ok);
  }
  // The nonzero flags: accept_code_block()'s rule on each message.
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    const auto message = std::span<const bit_t>(got.messages)
                             .subspan(std::size_t{r} * seg.num_info_bits, seg.num_info_bits);
    const bool any = std::any_of(message.begin(), message.end(), [](bit_t b) { return b != 0; });
    EXPECT_EQ(got.nonzero[r], any ? 1U : 0U) << "code block " << r;
  }
  if (c.zero_payload_block >= 0) {
    const auto r = static_cast<unsigned>(c.zero_payload_block);
    EXPECT_EQ(got.nonzero[r], 0U);
    EXPECT_TRUE(expected.code_block_crc_ok[r]); // decoded to zero, a codeword: accepted
  }
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    if (c.silent(r)) {
      EXPECT_EQ(got.nonzero[r], 0U);
      EXPECT_FALSE(expected.code_block_crc_ok[r]); // not decoded
      EXPECT_NE(got.crc_register, 0U);
    }
  }
}

TEST(UlschAssemblyEmulation, TransportBlockCodesAreTheCpuDecodersCodeBlocks) {
  for (const AssemblyCase& c : assembly_cases) {
    SCOPED_TRACE(c.what);
    const ulsch::TransportBlockLayout layout = ulsch::layout_transport_block(c.coding);
    UlschDecoderConfig cfg;
    cfg.coding = c.coding;
    check_code_blocks(layout, cfg, HostCodeTables(layout.seg));
  }
  // The segmentations the cases are chosen for.
  const auto layout = [](unsigned i) {
    return ulsch::layout_transport_block(assembly_cases[i].coding);
  };
  const auto plan = [&](unsigned i) {
    return ulsch::gather_rate_recovery(layout(i), assembly_cases[i].coding);
  };
  EXPECT_EQ(layout(0).seg.num_code_blocks, 71U);
  EXPECT_GT(plan(0).sizes.num_short, 0U);
  EXPECT_LT(plan(0).sizes.num_short, 71U);
  EXPECT_NE(plan(0).received_short, plan(0).received_long);
  EXPECT_EQ(layout(1).seg.num_code_blocks, 1U);
  EXPECT_EQ(layout(1).tb_crc, CrcPolynomial::crc16);
  EXPECT_EQ(layout(3).seg.base_graph, LdpcBaseGraph::bg2);
  EXPECT_EQ(layout(4).seg.base_graph, LdpcBaseGraph::bg2);
  EXPECT_EQ(layout(4).seg.num_code_blocks, 6U);
  EXPECT_EQ(plan(6).received_short, 0U);
  EXPECT_EQ(layout(7).seg.num_code_blocks, 4U);
  EXPECT_EQ(plan(7).sizes.num_short, 3U);
  UlschDecoderConfig cfg;
  cfg.coding = four_code_blocks;
  EXPECT_EQ(ulsch::code_block_ldpc_config(layout(7), cfg, plan(7).received_short).num_rows, 11U);
  EXPECT_EQ(ulsch::code_block_ldpc_config(layout(7), cfg, plan(7).received_long).num_rows, 12U);
  EXPECT_EQ(layout(10).seg.num_code_blocks, 4U);
  EXPECT_EQ(plan(10).sizes.num_short, 3U);
  EXPECT_EQ(plan(10).received_short, 0U);
}

TEST(UlschAssemblyEmulation, TheKernelsAndFinishEqualTheCpuDecoder) {
  std::mt19937_64 rng(23);
  for (const AssemblyCase& c : assembly_cases) {
    SCOPED_TRACE(c.what);
    const ReceivedTb rx(c, rng);
    const HostCodeTables tables(rx.layout.seg);
    expect_cpu_decoders_tb(
        assemble_as_gpu_kernels(emulate_ldpc_kernel(rx.llrs, rx.cfg, rx.layout, tables), rx.cfg,
                                rx.layout),
        rx, c);
  }
}

// The pair glue on its own: the pairs of small TBs, and the pair code of two codes of different
// rows in either order (in a TB the high half never has fewer: GpuLdpcDecoder's tables may pair
// any) for every activity.
TEST(UlschAssemblyEmulation, PairsCoverEveryCodeBlockAndTakeTheLargerCode) {
  for (unsigned n = 1; n <= 5; ++n) {
    std::vector<unsigned> halves;
    for (unsigned p = 0; p < detail::ldpc_pair_count(n); ++p) {
      const detail::LdpcTbPair pair = detail::ldpc_tb_pair(n, p);
      EXPECT_EQ(pair.single(), pair.low == pair.high);
      halves.insert(halves.end(), {pair.block(0), pair.block(1)});
    }
    std::vector<unsigned> expected(n + n % 2);
    std::iota(expected.begin(), expected.end(), 0U);
    expected.back() = n - 1; // the last of an odd count twice
    EXPECT_EQ(halves, expected) << n << " code blocks";
  }
  const ulsch::TransportBlockLayout layout = ulsch::layout_transport_block(four_code_blocks);
  UlschDecoderConfig cfg;
  cfg.coding = four_code_blocks;
  const HostCodeTables tables(layout.seg);
  const detail::LdpcTransportBlockCodes codes =
      tables.codes(layout, cfg, ulsch::gather_rate_recovery(layout, four_code_blocks));
  const LdpcLaneCode& fewer = codes.short_code;
  const LdpcLaneCode& more = codes.long_code;
  ASSERT_LT(fewer.num_rows, more.num_rows);
  for (const bool more_low : {false, true}) {
    for (unsigned activity = 0; activity < 4; ++activity) {
      const LdpcLaneCode* halves[2] = {more_low ? &more : &fewer, more_low ? &fewer : &more};
      const bool active[2] = {(activity & 1U) != 0, (activity & 2U) != 0};
      LdpcPairCode pair;
      pair.half[0] = *halves[0];
      pair.half[1] = *halves[1];
      detail::ldpc_tb_pair_finish_code(pair, active[0], active[1]);
      EXPECT_EQ(pair.num_rows, more.num_rows);
      EXPECT_EQ(pair.num_columns, more.num_columns);
      for (unsigned h = 0; h < 2; ++h) {
        EXPECT_EQ(pair.half[h].num_rows, halves[h]->num_rows);
        EXPECT_EQ(pair.half[h].num_llrs, active[h] ? halves[h]->num_llrs : 0U);
      }
      EXPECT_EQ(detail::ldpc_tb_pair_decoded(active[0], active[1]), activity != 0);
    }
  }
}

TEST(UlschAssemblyEmulation, ThePairKernelEqualsTheSingleKernelAndTheCpuDecoder) {
  std::mt19937_64 rng(29);
  // What the cases must have shown between them.
  unsigned single_pairs = 0;          // an odd count's last code block paired with itself
  unsigned undecoded_pairs = 0;       // both halves empty
  unsigned one_empty_half = 0;        // an empty half beside a received one
  unsigned empty_half_more_rows = 0;  // ... whose code has more rows than its partner's
  unsigned empty_half_stale_llrs = 0; // ... over an earlier TB's LLRs
  unsigned two_codes = 0;             // two received halves of different codes
  for (const AssemblyCase& c : assembly_cases) {
    SCOPED_TRACE(c.what);
    const ReceivedTb rx(c, rng);
    const CodeBlockSegmentation& seg = rx.layout.seg;
    const HostCodeTables tables(seg);
    const detail::LdpcTransportBlockCodes codes =
        tables.codes(rx.layout, rx.cfg, ulsch::gather_rate_recovery(rx.layout, c.coding));
    const LdpcKernelOutputs single = emulate_ldpc_kernel(rx.llrs, rx.cfg, rx.layout, tables);
    std::vector<EmulatedPair> pairs;
    LdpcKernelOutputs paired = emulate_ldpc_pair_kernel(rx.llrs, rx.cfg, rx.layout, tables, pairs);
    // Code block by code block, the single kernel's outputs.
    for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
      SCOPED_TRACE("code block " + std::to_string(r));
      const std::size_t begin = std::size_t{r} * seg.num_info_bits;
      EXPECT_TRUE(std::equal(single.bits.begin() + begin,
                             single.bits.begin() + begin + seg.num_info_bits,
                             paired.bits.begin() + begin));
      EXPECT_EQ(paired.results[r].iterations, single.results[r].iterations);
      EXPECT_EQ(paired.results[r].crc_ok, single.results[r].crc_ok);
      // Both check parity after the last iteration only where acceptance reads it
      // (LdpcLaneCode::parity_only_for_zero_message).
      EXPECT_EQ(paired.results[r].parity_ok, single.results[r].parity_ok);
      const bool nonzero =
          std::any_of(single.bits.begin() + begin, single.bits.begin() + begin + seg.num_info_bits,
                      [](bit_t bit) { return bit != 0; });
      const bool has_cb_crc = seg.num_code_blocks > 1;
      EXPECT_EQ(detail::tb_code_block_accepted(paired.results[r], nonzero ? 1 : 0, has_cb_crc),
                detail::tb_code_block_accepted(single.results[r], nonzero ? 1 : 0, has_cb_crc));
    }
    // The thread blocks: every code block in one pair, in order; a pair as long as its received
    // halves need (an empty half reads no LLRs, decodes the all-zero word, ends at once).
    ASSERT_EQ(pairs.size(), (seg.num_code_blocks + 1) / 2);
    for (unsigned p = 0; p < pairs.size(); ++p) {
      SCOPED_TRACE("pair " + std::to_string(p));
      const EmulatedPair& run = pairs[p];
      EXPECT_EQ(run.blocks.low, 2 * p);
      EXPECT_EQ(run.blocks.high, std::min(2 * p + 1, seg.num_code_blocks - 1));
      // Each half's code is its code block's in the single kernel; an empty one reads no LLRs.
      unsigned rows[2] = {0, 0};
      for (unsigned h = 0; h < 2; ++h) {
        const LdpcLaneCode expected =
            detail::ldpc_transport_block_block(codes, run.blocks.block(h)).code;
        const LdpcLaneCode& code = run.codes[h];
        rows[h] = code.num_rows;
        EXPECT_EQ(code.num_rows, expected.num_rows) << "half " << h;
        EXPECT_EQ(code.num_columns, expected.num_columns) << "half " << h;
        EXPECT_EQ(code.num_llrs, expected.num_llrs) << "half " << h;
        EXPECT_EQ(run.pair.half[h].num_llrs, run.active[h] ? expected.num_llrs : 0U)
            << "half " << h;
      }
      EXPECT_TRUE(ldpc_lane_codes_pair(run.codes[0], run.codes[1]));
      EXPECT_EQ(run.pair.num_rows, std::max(rows[0], rows[1]));
      single_pairs += run.blocks.single() ? 1 : 0;
      undecoded_pairs += run.decoded ? 0 : 1;
      if (!run.decoded) {
        continue;
      }
      unsigned needed = 0;
      for (unsigned h = 0; h < 2; ++h) {
        if (run.active[h]) {
          needed = std::max(needed, run.decoding[h].iterations);
        } else {
          EXPECT_EQ(run.decoding[h].iterations, 1U) << "half " << h;
          ++one_empty_half;
          empty_half_more_rows += rows[h] > rows[1 - h] ? 1 : 0;
          empty_half_stale_llrs += run.stale_llrs[h] ? 1 : 0;
        }
      }
      EXPECT_EQ(std::max(run.decoding[0].iterations, run.decoding[1].iterations), needed);
      two_codes += run.active[0] && run.active[1] && rows[0] != rows[1] ? 1 : 0;
    }
    expect_cpu_decoders_tb(assemble_as_gpu_kernels(std::move(paired), rx.cfg, rx.layout), rx, c);
  }
  EXPECT_GE(single_pairs, 2U);
  EXPECT_GE(undecoded_pairs, 2U);
  EXPECT_GE(one_empty_half, 4U);
  EXPECT_GE(empty_half_more_rows, 1U);
  EXPECT_GE(empty_half_stale_llrs, 2U);
  EXPECT_GE(two_codes, 1U);
}

} // namespace
