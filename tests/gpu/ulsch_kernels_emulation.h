// Test support for ulsch_assembly_emulation_test: GpuUlschDecoder's kernels without HARQ run on
// the host through the shared code they call (rate_recovery_launch.h, ldpc_kernel_blocks.h,
// tb_assembly_elements.h): the rate recovery each LDPC thread block runs first (into a buffer
// that holds an earlier TB's LLRs), the single LDPC kernel's code blocks, tb_assembly_kernel over
// every thread block and thread, and the host's finish(). The paired LDPC kernel is in
// ldpc_pair_kernel_emulation.h. Host-compilable (the sanitizer tree builds it without CUDA).
#pragma once

#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ulsch_code_block.h"
#include "airan/phy/ulsch_decoder.h"

#include "ldpc_kernel_blocks.h"   // gpu/src: the code blocks of a TB
#include "rate_recovery_launch.h" // gpu/src: the rate recovery step
#include "tb_assembly_elements.h" // gpu/src: the TB assembly

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace airan::test {

namespace ulsch_emulation {

using namespace airan::phy;
namespace ulsch = airan::phy::ulsch;
namespace detail = airan::gpu::detail;

/// GpuUlschDecoder::Impl::ldpc_llr_stride: a code block's decoder LLRs in the batch buffer.
inline constexpr std::uint32_t ldpc_llr_stride = ulsch::max_codeword_length;
/// Threads of an LDPC thread block at Z = 384 (the order of its work items does not matter: an OR
/// and position-wise writes).
inline constexpr unsigned ldpc_threads = 768;

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

/// The rate recovery the LDPC thread blocks run first (RateRecoveryLaunch, as
/// GpuUlschDecoder::Impl::plan() sets it up), into a decoder LLR buffer that holds an earlier
/// TB's values where this TB writes none (a code block of E_r = 0).
struct EmulatedRecovery {
  EmulatedRecovery(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                   const ulsch::TransportBlockLayout& layout)
      : plan(ulsch::gather_rate_recovery(layout, cfg.coding)) {
    std::mt19937 rng(61);
    std::uniform_int_distribution<int> earlier(-127, 127);
    ldpc_llrs.resize(std::size_t{layout.seg.num_code_blocks} * ldpc_llr_stride);
    for (auto& llr : ldpc_llrs) {
      llr = static_cast<std::int8_t>(earlier(rng));
    }
    launch.recovery = plan;
    launch.num_code_blocks = layout.seg.num_code_blocks;
    launch.llrs = llrs.data();
    launch.llr_scale = cfg.llr_scale;
    launch.ldpc_llrs = ldpc_llrs.data();
    launch.ldpc_stride = ldpc_llr_stride;
  }
  EmulatedRecovery(const EmulatedRecovery&) = delete; // launch points into ldpc_llrs
  EmulatedRecovery& operator=(const EmulatedRecovery&) = delete;
  ~EmulatedRecovery() = default;

  /// Code block \p r's recovery by every thread of its LDPC thread block: whether one of its
  /// LLRs is nonzero (code_block_active<true>: the block is decoded).
  bool recover(unsigned r) {
    bool active = false;
    for (unsigned t = 0; t < ldpc_threads; ++t) {
      for (unsigned item = t; item < plan.num_items(r); item += ldpc_threads) {
        active = detail::recover_rate_item(launch, r, item) || active;
      }
    }
    return active;
  }

  ulsch::GatherRateRecovery plan;
  std::vector<std::int8_t> ldpc_llrs;
  detail::RateRecoveryLaunch launch;
};

/// What an LDPC kernel leaves for the TB assembly and finish(): K' bits and a result per code
/// block (initialised to values no kernel writes, so that a missed write shows).
struct LdpcKernelOutputs {
  explicit LdpcKernelOutputs(const CodeBlockSegmentation& seg)
      : bits(std::size_t{seg.num_code_blocks} * seg.num_info_bits, 0xAB),
        results(seg.num_code_blocks, LdpcLaneResult{77, true, true}) {}
  std::vector<bit_t> bits;
  std::vector<LdpcLaneResult> results;
};

/// The single LDPC kernel with rate recovery (decode_code_block<true, ...>): each code block's
/// recovery, then its decoding (ldpc_decode_lane_code_on_host() of the block's lane code, the
/// lane decoder bit for bit) when one of its LLRs is nonzero, else the inactive path's cleared
/// bits and result.
inline LdpcKernelOutputs emulate_ldpc_kernel(std::span<const float> llrs,
                                             const UlschDecoderConfig& cfg,
                                             const ulsch::TransportBlockLayout& layout,
                                             const HostCodeTables& tables) {
  const CodeBlockSegmentation& seg = layout.seg;
  EmulatedRecovery recovery(llrs, cfg, layout);
  const detail::LdpcTransportBlockCodes codes = tables.codes(layout, cfg, recovery.plan);
  LdpcKernelOutputs out(seg);
  for (unsigned r = 0; r < seg.num_code_blocks; ++r) {
    const bool active = recovery.recover(r);
    const detail::LdpcKernelBlock block = detail::ldpc_transport_block_block(codes, r);
    if (!active) {
      for (unsigned t = 0; t < ldpc_threads; ++t) {
        for (unsigned i = t; i < block.code.num_info_bits; i += ldpc_threads) {
          detail::ldpc_clear_inactive_bit(out.bits.data(), block, i);
        }
      }
      out.results[r] = detail::ldpc_inactive_block_result();
      continue;
    }
    // The kernel's own lane code (its termination, CRC and parity rule), two threads per check
    // node as the kernel runs Z = 384.
    out.results[r] = ldpc_decode_lane_code_on_host(
        block.code,
        std::span<const std::int8_t>(recovery.ldpc_llrs)
            .subspan(block.llr_offset, block.code.num_llrs),
        std::span<bit_t>(out.bits).subspan(block.bits_offset, block.code.num_info_bits), 2);
  }
  return out;
}

/// What tb_assembly_kernel and the host's finish() leave.
struct EmulatedTb {
  UlschDecoderResult result;
  std::vector<std::uint8_t> tb_bytes;
  std::vector<std::uint8_t> nonzero;
  std::uint32_t crc_register = 0;
  std::vector<bit_t> messages; ///< The LDPC kernel's bits, K' per code block.
};

/// One TB bytes block of tb_assembly_kernel: every thread's byte and contribution, the warps'
/// shuffles (__shfl_xor_sync: lane l takes lane l ^ offset's value), thread 0's fold.
inline void emulate_tb_bytes_block(const detail::TbAssemblyLaunch& p, std::uint32_t block) {
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
    warp_regs[w] = regs[std::size_t{32} * w];
  }
  p.crc_partials[block] = detail::tb_crc_block_partial(warp_regs.data());
}

/// One code block's block of tb_assembly_kernel: each thread's OR, then the block's.
inline void emulate_code_block_nonzero(const detail::TbAssemblyLaunch& p, unsigned r) {
  const std::uint8_t* message = detail::tb_code_block_message(p, r);
  bool any = false;
  for (unsigned t = 0; t < detail::tb_assembly_threads; ++t) {
    for (unsigned i = t; i < p.info_bits; i += detail::tb_assembly_threads) {
      any = detail::tb_message_bit_set(message[i]) || any;
    }
  }
  p.nonzero[r] = detail::tb_code_block_flag(any);
}

/// tb_assembly_kernel over every thread block on the LDPC kernel's outputs \p ldpc, as
/// GpuUlschDecoder::Impl::plan() sets it up, then GpuUlschDecoder::Impl::finish().
inline EmulatedTb assemble_as_gpu_kernels(LdpcKernelOutputs ldpc, const UlschDecoderConfig& cfg,
                                          const ulsch::TransportBlockLayout& layout) {
  const CodeBlockSegmentation& seg = layout.seg;
  const unsigned num_cbs = seg.num_code_blocks;
  const bool has_cb_crc = num_cbs > 1;
  EmulatedTb tb;
  tb.messages = std::move(ldpc.bits);
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
    iterations[r] = ldpc.results[r].iterations;
    accepted[r] = detail::tb_code_block_accepted(ldpc.results[r], tb.nonzero[r], has_cb_crc);
  }
  tb.crc_register = detail::tb_crc_register(
      reinterpret_cast<const std::uint8_t*>(crc_partials.data()), seg.input_length);
  tb.result = ulsch::finish_transport_block(
      layout, iterations, std::span<const bool>(accepted).first(num_cbs), tb.crc_register == 0);
  return tb;
}

} // namespace ulsch_emulation

} // namespace airan::test
