// GpuUlschDecoder's LDPC code blocks and TB assembly run on the host, in the kernels' order,
// through the shared code the kernels call (ldpc_kernel_blocks.h, tb_assembly_elements.h):
// - the host's LdpcTransportBlockCodes (ulsch_transport_block_codes(), as GpuUlschDecoder::Impl::
//   plan() builds them) and ldpc_transport_block_block() for every code block r, against the CPU
//   decoder's segmentation and rate matching (E_r of TS 38.212 5.4.2.1, the received length its
//   rate recovery returns, the LDPC configuration it decodes with);
// - the LDPC kernel's code blocks (rate recovery per work item, a block decoded when one of its
//   LLRs is nonzero, else cleared as the kernel's inactive path), then tb_assembly over every
//   thread block and thread (TB bytes with warp shuffles and the block's fold of the CRC register,
//   then one block per code block's nonzero flag), then the host's combination of the partials and
//   flags: TB bytes, TB CRC verdict, nonzero flags and the result against create_ulsch_decoder(),
//   for the peak TB (TBS 590,128, 71 code blocks of two E_r), small one-code-block TBs with CRC16
//   (one failing its CRC), a BG2 TB with an all-zero code block, a TB with a code block that
//   receives nothing and one whose first code block has E_r = 0.
#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ldpc_rate_matcher.h"
#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/ulsch_code_block.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include "ldpc_kernel_blocks.h"   // gpu/src: the code blocks of a TB
#include "rate_recovery_launch.h" // gpu/src: the rate recovery step
#include "tb_assembly_elements.h" // gpu/src: the TB assembly

#include "../support/noisy_llrs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
namespace ulsch = airan::phy::ulsch;
namespace detail = airan::gpu::detail;

/// GpuUlschDecoder::Impl::ldpc_llr_stride: a code block's decoder LLRs in the batch buffer.
constexpr std::uint32_t ldpc_llr_stride = ulsch::max_codeword_length;
/// Threads of an LDPC thread block at Z = 384 (the order of its work items does not matter: an OR
/// and position-wise writes).
constexpr unsigned ldpc_threads = 768;

/// The graph and CRC24B contributions GpuUlschDecoder keeps in device memory, on the host.
struct HostCodeTables {
  explicit HostCodeTables(const CodeBlockSegmentation& seg)
      : graph(ldpc_lift_graph(seg.base_graph, seg.lifting_size)),
        crc24b(CrcCalculator(CrcPolynomial::crc24b).bit_contributions(8448)) {}
  [[nodiscard]] detail::LdpcTransportBlockCodes codes(const ulsch::TransportBlockLayout& layout,
                                                      const UlschDecoderConfig& cfg,
                                                      const ulsch::GatherRateRecovery& plan) const {
    return detail::ulsch_transport_block_codes(layout, cfg, plan, graph.row_begin.data(),
                                               graph.edges.data(), crc24b.data(), ldpc_llr_stride);
  }
  LdpcLiftedGraph graph;
  std::vector<std::uint32_t> crc24b;
};

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
    EXPECT_EQ(code.rule.normalized, expected.rule.normalized);
    EXPECT_EQ(code.rule.offset, expected.rule.offset);
    EXPECT_EQ(code.row_begin, tables.graph.row_begin.data());
    EXPECT_EQ(code.edges, tables.graph.edges.data());
  }
}

/// What the emulated kernels and the host's finish() leave.
struct EmulatedTb {
  UlschDecoderResult result;
  std::vector<std::uint8_t> tb_bytes;
  std::vector<std::uint8_t> nonzero;
  std::uint32_t crc_register = 0;
  std::vector<bit_t> messages; ///< The LDPC kernel's bits, K' per code block.
};

/// One TB bytes block of tb_assembly_kernel: every thread's byte and contribution, the warps'
/// shuffles (__shfl_xor_sync: lane l takes lane l ^ offset's value), thread 0's fold.
void emulate_tb_bytes_block(const detail::TbAssemblyLaunch& p, std::uint32_t block) {
  std::array<std::uint32_t, detail::tb_assembly_threads> regs{};
  for (unsigned t = 0; t < detail::tb_assembly_threads; ++t) {
    regs[t] = detail::tb_assembly_byte(p, block * detail::tb_assembly_threads + t);
  }
  for (unsigned offset = 16; offset > 0; offset /= 2) {
    const auto before = regs;
    for (unsigned t = 0; t < detail::tb_assembly_threads; ++t) {
      regs[t] = detail::tb_crc_combine(before[t], before[t ^ offset]);
    }
  }
  std::array<std::uint32_t, detail::tb_assembly_warps> warp_regs{};
  for (unsigned w = 0; w < detail::tb_assembly_warps; ++w) {
    warp_regs[w] = regs[32 * w];
  }
  p.crc_partials[block] = detail::tb_crc_block_partial(warp_regs.data());
}

/// One code block's block of tb_assembly_kernel: each thread's OR, then the block's.
void emulate_code_block_nonzero(const detail::TbAssemblyLaunch& p, unsigned r) {
  const std::uint8_t* message = detail::tb_code_block_message(p, r);
  bool any = false;
  for (unsigned t = 0; t < detail::tb_assembly_threads; ++t) {
    for (unsigned i = t; i < p.info_bits; i += detail::tb_assembly_threads) {
      any = detail::tb_message_bit_set(message[i]) || any;
    }
  }
  p.nonzero[r] = detail::tb_code_block_flag(any);
}

/// GpuUlschDecoder without HARQ, its kernels as loops: rate recovery in the LDPC kernel, the LDPC
/// kernel's code blocks, tb_assembly_kernel, then finish().
EmulatedTb decode_as_gpu_kernels(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                                 const ulsch::TransportBlockLayout& layout,
                                 const HostCodeTables& tables) {
  const CodeBlockSegmentation& seg = layout.seg;
  const unsigned num_cbs = seg.num_code_blocks;
  const bool has_cb_crc = num_cbs > 1;
  const ulsch::GatherRateRecovery plan = ulsch::gather_rate_recovery(layout, cfg.coding);
  const detail::LdpcTransportBlockCodes codes = tables.codes(layout, cfg, plan);
  std::vector<std::int8_t> ldpc_llrs(std::size_t{num_cbs} * ldpc_llr_stride, 99);
  detail::RateRecoveryLaunch recovery;
  recovery.recovery = plan;
  recovery.num_code_blocks = num_cbs;
  recovery.llrs = llrs.data();
  recovery.llr_scale = cfg.llr_scale;
  recovery.ldpc_llrs = ldpc_llrs.data();
  recovery.ldpc_stride = ldpc_llr_stride;
  EmulatedTb tb;
  tb.messages.assign(std::size_t{num_cbs} * seg.num_info_bits, 0xAB); // every bit written
  std::vector<LdpcLaneResult> results(num_cbs, LdpcLaneResult{77, true, true});
  for (unsigned r = 0; r < num_cbs; ++r) {
    bool active = false;
    for (unsigned t = 0; t < ldpc_threads; ++t) {
      for (unsigned item = t; item < plan.num_items(r); item += ldpc_threads) {
        active = detail::recover_rate_item(recovery, r, item) || active;
      }
    }
    const detail::LdpcKernelBlock block = detail::ldpc_transport_block_block(codes, r);
    if (!active) {
      for (unsigned t = 0; t < ldpc_threads; ++t) {
        for (unsigned i = t; i < block.code.num_info_bits; i += ldpc_threads) {
          detail::ldpc_clear_inactive_bit(tb.messages.data(), block, i);
        }
      }
      results[r] = detail::ldpc_inactive_block_result();
      continue;
    }
    const unsigned received = block.code.num_llrs;
    results[r] = ldpc_decode_lanes_on_host(
        std::span<const std::int8_t>(ldpc_llrs).subspan(block.llr_offset, received),
        ulsch::code_block_ldpc_config(layout, cfg, received),
        std::span<bit_t>(tb.messages).subspan(block.bits_offset, block.code.num_info_bits),
        has_cb_crc ? std::optional(CrcPolynomial::crc24b) : std::nullopt);
  }
  // tb_assembly_kernel over every thread block, as GpuUlschDecoder::Impl::plan() sets it up.
  const auto contributions = CrcCalculator(layout.tb_crc).bit_contributions(seg.input_length);
  const std::uint32_t byte_blocks = detail::tb_assembly_byte_blocks(seg.input_length);
  std::vector<std::uint32_t> crc_partials(byte_blocks, 0xDEADBEEFU);
  tb.tb_bytes.assign((cfg.coding.tbs + 7) / 8, 0xEE);
  tb.nonzero.assign(num_cbs, 0x77);
  detail::TbAssemblyLaunch assembly;
  assembly.messages = tb.messages.data();
  assembly.num_code_blocks = num_cbs;
  assembly.info_bits = seg.num_info_bits;
  assembly.payload_bits = seg.num_payload_bits();
  assembly.num_bits = seg.input_length;
  assembly.num_tb_bytes = static_cast<std::uint32_t>(tb.tb_bytes.size());
  assembly.contributions = contributions.data();
  assembly.tb_bytes = tb.tb_bytes.data();
  assembly.crc_partials = crc_partials.data();
  assembly.nonzero = tb.nonzero.data();
  EXPECT_EQ(detail::tb_assembly_blocks(assembly), byte_blocks + num_cbs);
  for (std::uint32_t b = 0; b < detail::tb_assembly_blocks(assembly); ++b) {
    if (detail::tb_assembly_block_has_bytes(byte_blocks, b)) {
      emulate_tb_bytes_block(assembly, b);
    } else {
      emulate_code_block_nonzero(assembly, detail::tb_assembly_code_block(byte_blocks, b));
    }
  }
  // GpuUlschDecoder::Impl::finish().
  std::vector<unsigned> iterations(num_cbs);
  std::array<bool, ulsch_max_code_blocks> accepted{};
  for (unsigned r = 0; r < num_cbs; ++r) {
    iterations[r] = results[r].iterations;
    accepted[r] = detail::tb_code_block_accepted(results[r], tb.nonzero[r], has_cb_crc);
  }
  tb.crc_register = detail::tb_crc_register(
      reinterpret_cast<const std::uint8_t*>(crc_partials.data()), seg.input_length);
  tb.result = ulsch::finish_transport_block(
      layout, iterations, std::span<const bool>(accepted).first(num_cbs), tb.crc_register == 0);
  return tb;
}

struct AssemblyCase {
  const char* what;
  UlschCodingConfig coding;
  float snr_db;
  int zero_payload_block = -1; ///< A code block whose payload bits are all 0.
  int silent_block = -1;       ///< A code block whose LLRs are all 0 (receives nothing).
  bool decodes = true;         ///< Expected TB CRC outcome of the CPU decoder.
};

const std::array<AssemblyCase, 7> assembly_cases{{
    {"peak TB, 71 code blocks", {590128, 948.0 / 1024.0, 8, 2, 0, 628992, 0}, 8.0F, 30},
    {"one code block, CRC16, BG1", {1000, 0.8, 2, 1, 0, 1272, 0}, 6.0F},
    {"one code block, CRC16, failing", {1000, 0.8, 2, 1, 0, 1272, 0}, -2.0F, -1, -1, false},
    {"one code block, CRC16, BG2", {256, 0.3, 2, 1, 0, 900, 0}, 3.0F},
    {"BG2, 6 code blocks, one all zero", {19464, 0.2, 2, 1, 0, 97442, 0}, 1.0F, 2},
    {"a code block receives nothing", {24576, 0.9, 8, 2, 0, 27776, 0}, 9.0F, -1, 1, false},
    {"E_0 = 0", {10000, 0.9, 2, 1, 0, 2, 0}, 3.0F, -1, -1, false},
}};

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
  const ulsch::GatherRateRecovery peak =
      ulsch::gather_rate_recovery(layout(0), assembly_cases[0].coding);
  EXPECT_EQ(layout(0).seg.num_code_blocks, 71U);
  EXPECT_GT(peak.sizes.num_short, 0U);
  EXPECT_LT(peak.sizes.num_short, 71U);
  EXPECT_NE(peak.received_short, peak.received_long);
  EXPECT_EQ(layout(1).seg.num_code_blocks, 1U);
  EXPECT_EQ(layout(1).tb_crc, CrcPolynomial::crc16);
  EXPECT_EQ(layout(3).seg.base_graph, LdpcBaseGraph::bg2);
  EXPECT_EQ(layout(4).seg.base_graph, LdpcBaseGraph::bg2);
  EXPECT_EQ(layout(4).seg.num_code_blocks, 6U);
  EXPECT_EQ(ulsch::gather_rate_recovery(layout(6), assembly_cases[6].coding).received_short, 0U);
}

TEST(UlschAssemblyEmulation, TheKernelsAndFinishEqualTheCpuDecoder) {
  auto cpu = create_ulsch_decoder(600000);
  auto encoder = create_ulsch_encoder();
  std::mt19937_64 rng(23);
  for (const AssemblyCase& c : assembly_cases) {
    SCOPED_TRACE(c.what);
    UlschDecoderConfig cfg;
    cfg.coding = c.coding;
    const ulsch::TransportBlockLayout layout = ulsch::layout_transport_block(c.coding);
    const CodeBlockSegmentation& seg = layout.seg;
    BitVector tb(c.coding.tbs);
    for (auto& bit : tb) {
      bit = static_cast<bit_t>(rng() & 1U);
    }
    if (c.zero_payload_block >= 0) {
      const std::size_t begin = std::size_t{seg.num_payload_bits()} * c.zero_payload_block;
      std::fill_n(tb.begin() + static_cast<std::ptrdiff_t>(begin), seg.num_payload_bits(),
                  bit_t{0});
    }
    BitVector codeword(c.coding.g);
    encoder->encode(tb, c.coding, codeword);
    auto llrs = airan::test::noisy_llrs(codeword, c.snr_db, rng);
    if (c.silent_block >= 0) {
      const auto r = static_cast<unsigned>(c.silent_block);
      const auto& k = c.coding;
      const std::uint32_t offset =
          ldpc_code_block_offset(r, seg.num_code_blocks, k.g, k.num_layers, k.modulation_order);
      std::fill_n(
          llrs.begin() + offset,
          ldpc_rate_matched_length(r, seg.num_code_blocks, k.g, k.num_layers, k.modulation_order),
          0.0F);
    }
    BitVector cpu_bits(c.coding.tbs);
    const UlschDecoderResult expected = cpu->decode(llrs, cfg, cpu_bits);
    const EmulatedTb got = decode_as_gpu_kernels(llrs, cfg, layout, HostCodeTables(seg));

    EXPECT_EQ(expected.tb_crc_ok, c.decodes);
    EXPECT_EQ(got.result.tb_crc_ok, expected.tb_crc_ok);
    EXPECT_EQ(got.result.code_block_crc_ok, expected.code_block_crc_ok);
    EXPECT_EQ(got.result.num_code_blocks_ok, expected.num_code_blocks_ok);
    EXPECT_EQ(got.result.max_ldpc_iterations, expected.max_ldpc_iterations);
    EXPECT_EQ(got.result.mean_ldpc_iterations, expected.mean_ldpc_iterations);
    // The TB bytes as finish() unpacks them.
    for (std::uint32_t i = 0; i < c.coding.tbs; ++i) {
      ASSERT_EQ((got.tb_bytes[i / 8] >> (7 - i % 8)) & 1U, cpu_bits[i]) << "TB bit " << i;
    }
    // The CRC verdict against the CPU's desegmentation and TB CRC check of the same messages.
    BitVector tb_with_crc(seg.input_length);
    for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
      const auto payload = static_cast<std::ptrdiff_t>(seg.num_payload_bits());
      const auto message =
          got.messages.begin() +
          static_cast<std::ptrdiff_t>(r) * static_cast<std::ptrdiff_t>(seg.num_info_bits);
      const std::ptrdiff_t begin = static_cast<std::ptrdiff_t>(r) * payload;
      const std::ptrdiff_t count =
          std::min<std::ptrdiff_t>(payload, static_cast<std::ptrdiff_t>(seg.input_length) - begin);
      std::copy_n(message, count, tb_with_crc.begin() + begin);
    }
    EXPECT_EQ(got.crc_register == 0, CrcCalculator(layout.tb_crc).check(tb_with_crc));
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
    if (c.silent_block >= 0) {
      const auto r = static_cast<unsigned>(c.silent_block);
      EXPECT_EQ(got.nonzero[r], 0U);
      EXPECT_FALSE(expected.code_block_crc_ok[r]); // not decoded
      EXPECT_NE(got.crc_register, 0U);
    }
  }
}

} // namespace
