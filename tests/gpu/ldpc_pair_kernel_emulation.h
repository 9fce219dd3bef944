// Test support for ulsch_assembly_emulation_test: the paired LDPC kernel with rate recovery
// (ldpc_decode_tb_pairs_kernel<true>, decode_tb_pair() in ldpc_pair_kernels.cu) on the host, pair
// after pair of a transport block, through the shared code it calls (ldpc_pair_blocks.h): the
// pair's code blocks, each one's recovery, the halves' codes, LLRs and bits, the pair code, the
// pair left undecoded or decoded by phy::ldpc_pair_decode() on host lanes (the lanes of
// phy::ldpc_decode_pair_on_host(): one after another, a loop's end the barrier), the graph
// staged, and what each half writes. Host-compilable (the sanitizer tree builds it without CUDA).
#pragma once

#include "airan/phy/ldpc_pair_decoder.h"
#include "airan/phy/ldpc_pair_host_lanes.h"

#include "ldpc_pair_blocks.h" // gpu/src: the pair kernel's code blocks and outputs

#include "ulsch_kernels_emulation.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace airan::test {

namespace ulsch_emulation {

/// Threads per check node (ldpc_kernel_parts(): two at every lifting size).
inline constexpr unsigned ldpc_pair_parts = 2;

/// One thread block of the paired kernel, as the test sees it.
struct EmulatedPair {
  detail::LdpcTbPair blocks;
  bool active[2] = {false, false}; ///< Per half: its code block received something.
  bool decoded = false;            ///< ldpc_tb_pair_decoded().
  LdpcLaneCode codes[2];           ///< Per half: its code block's lane code, as copied.
  LdpcPairCode pair;               ///< The pair code decoded (ldpc_tb_pair_finish_code()).
  /// Per half: the decoding's result before the kernel writes its own (0 when not decoded).
  LdpcLaneResult decoding[2];
  /// Whether a half whose code block received nothing holds an earlier TB's LLRs (nothing of
  /// this TB written there).
  bool stale_llrs[2] = {false, false};
};

/// The paired kernel over the pairs of a TB: outputs as the single kernel's
/// (emulate_ldpc_kernel()), and in \p pairs each thread block's pair.
inline LdpcKernelOutputs emulate_ldpc_pair_kernel(std::span<const float> llrs,
                                                  const UlschDecoderConfig& cfg,
                                                  const ulsch::TransportBlockLayout& layout,
                                                  const HostCodeTables& tables,
                                                  std::vector<EmulatedPair>& pairs) {
  const CodeBlockSegmentation& seg = layout.seg;
  const unsigned num_cbs = seg.num_code_blocks;
  EmulatedRecovery recovery(llrs, cfg, layout);
  const std::vector<std::int8_t> earlier_llrs = recovery.ldpc_llrs;
  const detail::LdpcTransportBlockCodes codes = tables.codes(layout, cfg, recovery.plan);
  const unsigned launch_columns =
      std::max(codes.short_code.num_columns, codes.long_code.num_columns);
  const unsigned launch_rows = std::max(codes.short_code.num_rows, codes.long_code.num_rows);
  LdpcKernelOutputs out(seg);
  pairs.assign(detail::ldpc_pair_count(num_cbs), EmulatedPair{});
  for (unsigned p = 0; p < pairs.size(); ++p) {
    EmulatedPair& run = pairs[p];
    const detail::LdpcTbPair blocks = detail::ldpc_tb_pair(num_cbs, p);
    run.blocks = blocks;
    const bool active_low = recovery.recover(blocks.low);
    const bool active_high = blocks.single() ? active_low : recovery.recover(blocks.high);
    // The setup: the halves' codes (the kernel copies them word by word), buffers, pair code.
    LdpcPairCode setup;
    const std::int8_t* half_llrs[2] = {nullptr, nullptr};
    std::uint8_t* half_bits[2] = {nullptr, nullptr};
    for (unsigned h = 0; h < 2; ++h) {
      const unsigned r = blocks.block(h);
      setup.half[h] = detail::ldpc_launch_block_code(nullptr, codes, r);
      const std::uint32_t llr_offset = detail::ldpc_launch_block_llr_offset(nullptr, codes, r);
      half_llrs[h] = recovery.ldpc_llrs.data() + llr_offset;
      half_bits[h] = out.bits.data() + detail::ldpc_launch_block_bits_offset(nullptr, codes, r);
      run.active[h] = h == 0 ? active_low : active_high;
      run.codes[h] = setup.half[h];
      run.stale_llrs[h] =
          !run.active[h] && std::equal(earlier_llrs.begin() + llr_offset,
                                       earlier_llrs.begin() + llr_offset + ldpc_llr_stride,
                                       recovery.ldpc_llrs.begin() + llr_offset);
    }
    detail::ldpc_tb_pair_finish_code(setup, active_low, active_high);
    run.pair = setup;
    const auto clear_half_bits = [&](unsigned h) {
      for (unsigned t = 0; t < ldpc_threads; ++t) {
        for (unsigned i = t; i < setup.half[h].num_info_bits; i += ldpc_threads) {
          detail::ldpc_clear_inactive_half_bit(half_bits[h], i);
        }
      }
    };
    run.decoded = detail::ldpc_tb_pair_decoded(active_low, active_high);
    if (!run.decoded) {
      for (unsigned h = 0; h < 2; ++h) {
        clear_half_bits(h);
        out.results[blocks.block(h)] = detail::ldpc_inactive_block_result();
      }
      continue;
    }
    // stage_pair_graph(): the rows the pair processes, the rest of the graph's buffers zero.
    LdpcPairCode pair = setup;
    std::vector<std::uint16_t> row_begin(tables.graph.row_begin.size());
    std::vector<LdpcLiftedEdge> edges(ldpc_max_edges);
    std::copy_n(pair.half[0].row_begin, pair.num_rows + 1, row_begin.begin());
    std::copy_n(pair.half[0].edges, detail::ldpc_pair_staged_edges(pair), edges.begin());
    for (auto& half : pair.half) {
      half.row_begin = row_begin.data();
      half.edges = edges.data();
    }
    // The APPs and messages in the launch's sizes (GpuUlschDecoder::Impl::plan(): the larger
    // code's columns and edges), unset (values the decoder must overwrite before it reads them).
    const unsigned z = pair.half[0].lifting_size;
    std::vector<Int16Pair> app(std::size_t{launch_columns} * z, int16_pair(-1000, 1000));
    std::vector<std::uint16_t> messages(
        std::size_t{tables.graph.row_begin[launch_rows]} * z,
        static_cast<std::uint16_t>(0x0101U * static_cast<std::uint8_t>(ldpc_unwritten_message)));
    LdpcSequentialPairLanes lanes{{ldpc_pair_parts}, std::vector<LdpcPairNodeState>(z)};
    ldpc_pair_decode(lanes, pair, half_llrs, app.data(), messages.data(), half_bits, run.decoding);
    for (unsigned h = 0; h < 2; ++h) {
      if (!run.active[h]) {
        clear_half_bits(h);
      }
      out.results[blocks.block(h)] =
          detail::ldpc_tb_pair_half_result(run.active[h], run.decoding[h]);
    }
  }
  return out;
}

} // namespace ulsch_emulation

} // namespace airan::test
