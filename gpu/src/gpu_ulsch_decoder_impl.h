/// \file
/// \brief Private state of GpuUlschDecoder (gpu_ulsch_decoder.cpp: the public calls;
/// gpu_ulsch_decoder_impl.cpp: one TB's enqueue and finish): device buffers, the lifted graphs of
/// every code, pinned outputs and the TB between enqueue and finish.
#pragma once

#include "airan/gpu/gpu_ulsch_decoder.h"

#include "ldpc_kernels.h"
#include "ldpc_pair_kernels.h"
#include "tb_crc_tables.h"
#include "ulsch_kernels.h"

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/cuda_graph.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/device_buffer.h"
#include "airan/phy/crc_calculator.h"
#include "airan/phy/ldpc_base_graph.h"
#include "airan/phy/ldpc_lane_decoder.h"
#include "airan/phy/ldpc_rate_recovery.h"
#include "airan/phy/ulsch_code_block.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace airan::gpu {

namespace ulsch = phy::ulsch;

struct GpuUlschDecoder::Impl {
  static constexpr unsigned max_z = 384;
  static constexpr std::size_t ldpc_llr_stride = ulsch::max_codeword_length;
  static constexpr std::size_t max_info_bits = 8448;
  static constexpr std::size_t message_stride = std::size_t{phy::ldpc_max_edges} * max_z;
  static constexpr std::size_t row_begin_stride = 47;
  static constexpr std::size_t edge_stride = phy::ldpc_max_edges;
  static constexpr std::size_t num_graph_slots = std::size_t{2} * phy::ldpc_num_lifting_sizes;

  /// Position of every lifting size Z in Table 5.3.2-1's increasing order (0 for others).
  static std::array<std::uint8_t, max_z + 1> lifting_size_positions() {
    std::array<std::uint8_t, max_z + 1> positions{};
    std::uint8_t position = 0;
    for (const auto& size : phy::ldpc_lifting_sizes()) {
      positions[size.z] = position++;
    }
    return positions;
  }

  /// Where each output of a TB lies in the one buffer that goes to the host (bytes): the code
  /// block results, their nonzero flags, the TB CRC register's parts, then the TB bytes, so
  /// that one copy of outputs.tb + TBS / 8 bytes brings everything.
  struct OutputLayout {
    std::size_t results = 0;
    std::size_t nonzero = 0;
    std::size_t crc_partials = 0;
    std::size_t tb = 0;
    std::size_t size = 0;
    OutputLayout(unsigned max_code_blocks, std::uint32_t max_tbs) {
      const auto align = [](std::size_t offset) { return (offset + 15) / 16 * 16; };
      nonzero = align(results + max_code_blocks * sizeof(phy::LdpcLaneResult));
      crc_partials = align(nonzero + max_code_blocks);
      // The TB with its CRC (24 bits) and one byte of slack.
      const std::uint32_t max_bits = max_tbs + 32;
      tb = align(crc_partials + detail::tb_assembly_byte_blocks(max_bits) * sizeof(std::uint32_t));
      size = tb + max_tbs / 8 + 1;
    }
  };

  Impl(std::uint32_t max_tbs_in, std::shared_ptr<GpuHarqSoftMemory> harq_in, int device_in,
       std::size_t max_coded_bits_in)
      : max_tbs(max_tbs_in), max_code_blocks(ulsch::max_code_blocks_of(max_tbs_in)),
        max_coded_bits(max_coded_bits_in), device(device_in),
        ldpc_shared_limit(detail::ldpc_kernel_configure()),
        pair_shared_limit(detail::ldpc_pair_kernel_configure()), harq(std::move(harq_in)),
        llrs(max_coded_bits_in), ldpc_llrs(max_code_blocks * ldpc_llr_stride),
        active(max_code_blocks), row_begin(num_graph_slots * row_begin_stride),
        edges(num_graph_slots * edge_stride), messages((max_code_blocks + 1) * message_stride),
        bits(max_code_blocks * max_info_bits), output_layout(max_code_blocks, max_tbs_in),
        outputs(output_layout.size), host_outputs(output_layout.size), crc24b(max_info_bits),
        tb_crc(detail::tb_crc_tables(device_in, max_tbs_in)), host_row_begin(num_graph_slots),
        z_positions(lifting_size_positions()) {
    std::vector<std::uint16_t> all_row_begin(num_graph_slots * row_begin_stride);
    std::vector<phy::LdpcLiftedEdge> all_edges(num_graph_slots * edge_stride);
    for (const auto graph : {phy::LdpcBaseGraph::bg1, phy::LdpcBaseGraph::bg2}) {
      for (const auto& size : phy::ldpc_lifting_sizes()) {
        const unsigned slot = slot_of(graph, size.z);
        const phy::LdpcLiftedGraph lifted = phy::ldpc_lift_graph(graph, size.z);
        std::copy(lifted.row_begin.begin(), lifted.row_begin.end(),
                  all_row_begin.begin() + slot * row_begin_stride);
        std::copy(lifted.edges.begin(), lifted.edges.end(), all_edges.begin() + slot * edge_stride);
        host_row_begin[slot] = lifted.row_begin;
      }
    }
    const auto table =
        phy::CrcCalculator(phy::CrcPolynomial::crc24b).bit_contributions(max_info_bits);
    row_begin.copy_from_host(all_row_begin, stream.get());
    edges.copy_from_host(all_edges, stream.get());
    crc24b.copy_from_host(table, stream.get());
    active.fill_zero(stream.get()); // no mark (marks start at 1)
    stream.synchronize();
    AIRAN_CUDA_CHECK(cudaHostGetDevicePointer(reinterpret_cast<void**>(&host_outputs_device),
                                              host_outputs.data(), 0));
  }

  /// Slot of (graph, Z) in the lifted-graph arrays: every lifted graph is in device memory from
  /// construction.
  [[nodiscard]] unsigned slot_of(phy::LdpcBaseGraph graph, unsigned z) const {
    return z_positions[z] + (graph == phy::LdpcBaseGraph::bg1 ? 0U : phy::ldpc_num_lifting_sizes);
  }

  /// Enqueues rate recovery, LDPC, the TB assembly and the downloads of one TB on \p s, the TB
  /// to go to \p tb_bits or \p tb_bytes (the other empty); finish() completes it.
  void enqueue(const float* device_llrs, const phy::UlschDecoderConfig& cfg,
               const ulsch::TransportBlockLayout& layout, phy::HarqSoftBuffer* buffer,
               std::span<phy::bit_t> tb_bits, std::span<std::uint8_t> tb_bytes, cudaStream_t s) {
    plan(device_llrs, cfg, layout, buffer, tb_bits, tb_bytes);
    try {
      enqueue_planned(s);
    } catch (...) {
      pending = {}; // a failed launch leaves no TB in flight: the decoder takes the next one
      throw;
    }
  }
  /// enqueue()'s host part: the TB's launches into `planned`, the TB into `pending` (prepared:
  /// nothing enqueued yet).
  void plan(const float* device_llrs, const phy::UlschDecoderConfig& cfg,
            const ulsch::TransportBlockLayout& layout, phy::HarqSoftBuffer* buffer,
            std::span<phy::bit_t> tb_bits, std::span<std::uint8_t> tb_bytes);
  /// enqueue()'s device part: the planned launches on \p s (as a graph of their own unless \p s
  /// is captured already or graphs are off).
  void enqueue_planned(cudaStream_t s);
  /// The planned TBs of \p tbs (GpuUlschDecoder::enqueue_prepared()) on \p s: a launch per stage
  /// for up to detail::max_launch_batches TBs, the first TB's events timing them all.
  static void enqueue_batch(std::span<GpuUlschDecoder* const> tbs, cudaStream_t s);
  /// Waits for the enqueued TB; code block outcomes, TB CRC and HARQ bookkeeping.
  phy::UlschDecoderResult finish();
  /// enqueue() on the decoder's own stream, then finish().
  phy::UlschDecoderResult run(const float* device_llrs, const phy::UlschDecoderConfig& cfg,
                              const ulsch::TransportBlockLayout& layout,
                              phy::HarqSoftBuffer* buffer, std::span<phy::bit_t> tb_bits) {
    enqueue(device_llrs, cfg, layout, buffer, tb_bits, {}, stream.get());
    return finish();
  }
  /// Copies host LLRs to the device buffer (on the decoder's stream); returns its address.
  /// \throws std::invalid_argument for more LLRs than the decoder was built for.
  const float* upload(std::span<const float> host_llrs);
  /// Checks that \p buffer's soft values are in this decoder's HARQ memory.
  void check_buffer(const phy::HarqSoftBuffer& buffer) const;

  std::uint32_t max_tbs;
  unsigned max_code_blocks;
  std::size_t max_coded_bits;
  int device;
  /// The largest dynamic shared memory of the LDPC kernels and of the paired ones on this
  /// device (ldpc_kernel_configure(), ldpc_pair_kernel_configure()): messages in shared memory
  /// only when they fit.
  std::size_t ldpc_shared_limit;
  std::size_t pair_shared_limit;
  std::shared_ptr<GpuHarqSoftMemory> harq;
  CudaStream stream;
  CudaEvent start, recovered, decoded, done;
  /// The device work of one TB, captured and updated in place per TB.
  CudaGraph graph;
  bool use_graph = cuda_graphs_enabled();
  /// Rate recovery inside the LDPC kernel (each thread block its code block's) rather than as a
  /// kernel of its own before it (GpuUlschDecoder::set_rate_recovery_in_ldpc()).
  bool rate_recovery_in_ldpc = true;
  /// Two code blocks per LDPC thread block (GpuUlschDecoder::set_code_block_pairs()).
  bool code_block_pairs = false;
  /// The LDPC results and the TB assembly's outputs written by the kernels straight into
  /// host_outputs (mapped pinned memory), rather than into outputs and copied after
  /// (GpuUlschDecoder::set_outputs_in_host_memory()).
  bool outputs_in_host_memory = true;
  /// GpuUlschDecoder::set_stage_timing(): start, recovered (with the rate recovery kernel of its
  /// own), decoded.
  bool stage_timing = true;
  /// Records \p event for the kernel times when they are on (`done` is always recorded: finish()
  /// waits for it).
  void time_mark(CudaEvent& event, cudaStream_t on) {
    if (stage_timing) {
      event.record(on);
    }
  }
  /// One TB's launches as plan() made them.
  struct Planned {
    detail::RateRecoveryLaunch recovery; ///< For the rate recovery kernel of its own.
    bool wrapped = false;                ///< The active marks wrapped: clear the flags first.
    detail::LdpcKernelBatch batch;
    unsigned threads = 0;
    std::size_t shared_bytes = 0;
    /// The paired kernel (code_block_pairs) with pair_shared_bytes of shared memory; then batch
    /// says messages_in_shared for the pairs.
    bool pairs = false;
    std::size_t pair_shared_bytes = 0;
    detail::TbAssemblyLaunch assembly;
    std::size_t download_bytes = 0; ///< Of outputs, from the start.
    bool outputs_in_host = false;   ///< The kernels write host_outputs: nothing to copy.
  } planned;
  std::uint64_t enqueues = 0; ///< Times this decoder's events were recorded for a TB or batch.
  /// The TB between enqueue() and finish().
  struct Pending {
    bool active = false;
    /// Planned but not yet enqueued (GpuUlschDecoder::prepare_device_bytes()).
    bool prepared_only = false;
    /// The decoder whose events timed this TB's batch (null: this one's own).
    Impl* timing = nullptr;
    /// timing's `enqueues` when it timed this TB's batch: another value at finish() means its
    /// events were recorded again since.
    std::uint64_t timing_enqueue = 0;
    bool timed = false; ///< Its kernel times were recorded.
    ulsch::TransportBlockLayout layout;
    phy::HarqSoftBuffer* buffer = nullptr;
    ulsch::HarqCombining combining;
    std::span<phy::bit_t> tb_bits;
    std::span<std::uint8_t> tb_bytes;
  } pending;
  DeviceBuffer<float> llrs; ///< Host LLRs uploaded by decode().
  DeviceBuffer<std::int8_t> ldpc_llrs;
  DeviceBuffer<std::uint32_t> active; ///< Per code block: the mark of the last TB it was active in.
  std::uint32_t active_mark = 0;      ///< Of the last enqueued TB (0: none yet).
  /// The marks wrapped: the flags are zeroed before the next TB enqueued (whatever the mode).
  bool active_needs_clear = false;
  DeviceBuffer<std::uint16_t> row_begin;
  DeviceBuffer<phy::LdpcLiftedEdge> edges;
  DeviceBuffer<std::int8_t> messages;
  DeviceBuffer<std::uint8_t> bits; ///< The code blocks' messages, K' apart.
  OutputLayout output_layout;
  DeviceBuffer<std::uint8_t> outputs;      ///< Laid out as output_layout.
  PinnedBuffer<std::uint8_t> host_outputs; ///< Their copy.
  /// host_outputs' device address (the kernels' outputs, or the batched copies' destination).
  std::uint8_t* host_outputs_device = nullptr;
  DeviceBuffer<std::uint32_t> crc24b; ///< CRC24B contributions of K' <= 8448 message bits.
  std::shared_ptr<const detail::TbCrcTables> tb_crc;
  std::vector<std::array<std::uint16_t, 47>> host_row_begin; ///< Per graph slot.
  std::array<std::uint8_t, max_z + 1> z_positions;
  std::array<unsigned, phy::ulsch_max_code_blocks> iterations{};
  std::array<bool, phy::ulsch_max_code_blocks> accepted{};
  GpuUlschTimes times;
};

} // namespace airan::gpu
