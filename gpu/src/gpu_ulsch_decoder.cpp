/// \file
/// \brief GpuUlschDecoder: the host side of UL-SCH decoding on a device. Checks, layout and HARQ
/// bookkeeping as the CPU decoder (phy/ulsch_code_block.h); the rate recovery kernel
/// (ulsch_kernels.cu) and the LDPC kernel (ldpc_kernels.cu) on one stream; the code block
/// outcomes and the TB CRC on the host.
#include "airan/gpu/gpu_ulsch_decoder.h"

#include "ldpc_kernels.h"
#include "ulsch_kernels.h"

#include "airan/gpu/cuda_check.h"
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

namespace {

constexpr unsigned max_z = 384;
constexpr std::size_t ldpc_llr_stride = ulsch::max_codeword_length;
constexpr std::size_t max_info_bits = 8448;
constexpr std::size_t message_stride = std::size_t{phy::ldpc_max_edges} * max_z;
constexpr std::size_t row_begin_stride = 47;
constexpr std::size_t edge_stride = phy::ldpc_max_edges;
constexpr std::size_t num_graph_slots = std::size_t{2} * phy::ldpc_num_lifting_sizes;

/// Position of every lifting size Z in Table 5.3.2-1's increasing order (0 for others).
std::array<std::uint8_t, max_z + 1> lifting_size_positions() {
  std::array<std::uint8_t, max_z + 1> positions{};
  std::uint8_t position = 0;
  for (const auto& size : phy::ldpc_lifting_sizes()) {
    positions[size.z] = position++;
  }
  return positions;
}

} // namespace

struct GpuUlschDecoder::Impl {
  Impl(std::uint32_t max_tbs_in, std::shared_ptr<GpuHarqSoftMemory> harq_in, int device_in,
       std::size_t max_coded_bits_in)
      : max_tbs(max_tbs_in), max_code_blocks(ulsch::max_code_blocks_of(max_tbs_in)),
        max_coded_bits(max_coded_bits_in), device(device_in), harq(std::move(harq_in)),
        llrs(max_coded_bits_in), ldpc_llrs(max_code_blocks * ldpc_llr_stride),
        active(max_code_blocks), blocks(max_code_blocks), host_blocks(max_code_blocks),
        row_begin(num_graph_slots * row_begin_stride), edges(num_graph_slots * edge_stride),
        messages(max_code_blocks * message_stride), bits(max_code_blocks * max_info_bits),
        host_bits(max_code_blocks * max_info_bits), results(max_code_blocks),
        host_results(max_code_blocks), crc24b(max_info_bits),
        tb_with_crc(std::size_t{max_tbs_in} + 48), host_row_begin(num_graph_slots),
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
    stream.synchronize();
  }

  /// Slot of (graph, Z) in the lifted-graph arrays: every lifted graph is in device memory from
  /// construction.
  [[nodiscard]] unsigned slot_of(phy::LdpcBaseGraph graph, unsigned z) const {
    return z_positions[z] + (graph == phy::LdpcBaseGraph::bg1 ? 0U : phy::ldpc_num_lifting_sizes);
  }

  /// Enqueues rate recovery, LDPC and the downloads of one TB on \p s; finish() completes it.
  void enqueue(const float* device_llrs, const phy::UlschDecoderConfig& cfg,
               const ulsch::TransportBlockLayout& layout, phy::HarqSoftBuffer* buffer,
               std::span<phy::bit_t> tb_bits, cudaStream_t s);
  /// Waits for the enqueued TB; code block outcomes, TB CRC and HARQ bookkeeping.
  phy::UlschDecoderResult finish();
  /// enqueue() on the decoder's own stream, then finish().
  phy::UlschDecoderResult run(const float* device_llrs, const phy::UlschDecoderConfig& cfg,
                              const ulsch::TransportBlockLayout& layout,
                              phy::HarqSoftBuffer* buffer, std::span<phy::bit_t> tb_bits) {
    enqueue(device_llrs, cfg, layout, buffer, tb_bits, stream.get());
    return finish();
  }
  /// Checks that \p buffer's soft values are in this decoder's HARQ memory.
  void check_buffer(const phy::HarqSoftBuffer& buffer) const;

  std::uint32_t max_tbs;
  unsigned max_code_blocks;
  std::size_t max_coded_bits;
  int device;
  std::shared_ptr<GpuHarqSoftMemory> harq;
  CudaStream stream;
  CudaEvent start, recovered, decoded, done;
  /// The TB between enqueue() and finish().
  struct Pending {
    bool active = false;
    ulsch::TransportBlockLayout layout;
    phy::HarqSoftBuffer* buffer = nullptr;
    ulsch::HarqCombining combining;
    std::span<phy::bit_t> tb_bits;
  } pending;
  DeviceBuffer<float> llrs; ///< Host LLRs uploaded by decode().
  DeviceBuffer<std::int8_t> ldpc_llrs;
  DeviceBuffer<std::uint8_t> active;
  DeviceBuffer<detail::LdpcKernelBlock> blocks;
  PinnedBuffer<detail::LdpcKernelBlock> host_blocks;
  DeviceBuffer<std::uint16_t> row_begin;
  DeviceBuffer<phy::LdpcLiftedEdge> edges;
  DeviceBuffer<std::int8_t> messages;
  DeviceBuffer<std::uint8_t> bits;
  PinnedBuffer<std::uint8_t> host_bits;
  DeviceBuffer<phy::LdpcLaneResult> results;
  PinnedBuffer<phy::LdpcLaneResult> host_results;
  DeviceBuffer<std::uint32_t> crc24b; ///< CRC24B contributions of K' <= 8448 message bits.
  phy::CrcCalculator crc16{phy::CrcPolynomial::crc16};
  phy::CrcCalculator crc24a{phy::CrcPolynomial::crc24a};
  phy::BitVector tb_with_crc;
  std::vector<std::array<std::uint16_t, 47>> host_row_begin; ///< Per graph slot.
  std::array<std::uint8_t, max_z + 1> z_positions;
  std::array<unsigned, phy::ulsch_max_code_blocks> iterations{};
  std::array<bool, phy::ulsch_max_code_blocks> accepted{};
  GpuUlschTimes times;
};

void GpuUlschDecoder::Impl::check_buffer(const phy::HarqSoftBuffer& buffer) const {
  if (harq == nullptr) {
    ulsch::fail("this CUDA decoder has no HARQ memory");
  }
  if (buffer.index() >= harq->num_buffers() || buffer.capacity() > harq->soft_bits_per_buffer() ||
      !buffer.soft_bits().empty()) {
    ulsch::fail("HARQ buffer " + std::to_string(buffer.index()) + " of " +
                std::to_string(buffer.capacity()) +
                " soft values is not in this CUDA decoder's HARQ memory (" +
                std::to_string(harq->num_buffers()) + " buffers of " +
                std::to_string(harq->soft_bits_per_buffer()) +
                "; the pool needs phy::HarqStorage::external)");
  }
}

void GpuUlschDecoder::Impl::enqueue(const float* device_llrs, const phy::UlschDecoderConfig& cfg,
                                    const ulsch::TransportBlockLayout& layout,
                                    phy::HarqSoftBuffer* buffer, std::span<phy::bit_t> tb_bits,
                                    cudaStream_t s) {
  if (pending.active) {
    throw std::logic_error("GpuUlschDecoder: a transport block is already enqueued (finish() it)");
  }
  const phy::UlschCodingConfig& coding = cfg.coding;
  const phy::CodeBlockSegmentation& seg = layout.seg;
  const unsigned num_cbs = seg.num_code_blocks;
  detail::RateRecoveryLaunch recovery;
  ulsch::HarqCombining combining;
  if (buffer != nullptr) {
    combining = ulsch::begin_harq_combining(*buffer, layout, coding); // throws before changes
    recovery.recovery = ulsch::gather_rate_recovery(layout, coding, combining);
    recovery.harq = harq->buffer(buffer->index());
    recovery.harq_stride = layout.rate_match.n_cb;
  } else {
    recovery.recovery = ulsch::gather_rate_recovery(layout, coding);
  }
  const ulsch::GatherRateRecovery& plan = recovery.recovery;
  recovery.num_code_blocks = num_cbs;
  recovery.llrs = device_llrs;
  recovery.llr_scale = cfg.llr_scale;
  recovery.ldpc_llrs = ldpc_llrs.data();
  recovery.ldpc_stride = ldpc_llr_stride;
  recovery.active = active.data();

  // The lane code of every code block (a block that received nothing keeps the other length's
  // code; it is not decoded).
  const bool has_cb_crc = num_cbs > 1;
  const unsigned slot = slot_of(seg.base_graph, seg.lifting_size);
  const auto lane_code = [&](unsigned received) {
    return phy::ldpc_lane_code(ulsch::code_block_ldpc_config(layout, cfg, received), received,
                               row_begin.data() + slot * row_begin_stride,
                               edges.data() + slot * edge_stride,
                               has_cb_crc ? crc24b.data() : nullptr);
  };
  const unsigned short_reach = plan.received_short != 0 ? plan.received_short : plan.received_long;
  const unsigned long_reach = plan.received_long != 0 ? plan.received_long : plan.received_short;
  const phy::LdpcLaneCode short_code = lane_code(short_reach);
  const phy::LdpcLaneCode long_code = lane_code(long_reach);
  std::size_t shared_bytes = 0;
  std::size_t shared_bytes_with_messages = 0;
  for (const auto* code : {&short_code, &long_code}) {
    const unsigned num_edges = host_row_begin[slot][code->num_rows];
    shared_bytes =
        std::max(shared_bytes,
                 detail::ldpc_kernel_shared_bytes(code->num_columns, code->lifting_size, 0, false));
    shared_bytes_with_messages = std::max(
        shared_bytes_with_messages,
        detail::ldpc_kernel_shared_bytes(code->num_columns, code->lifting_size, num_edges, true));
  }
  for (unsigned r = 0; r < num_cbs; ++r) {
    host_blocks[r] = {r < plan.sizes.num_short ? short_code : long_code,
                      static_cast<std::uint32_t>(r * ldpc_llr_stride), r * seg.num_info_bits};
  }

  start.record(s);
  blocks.copy_from_host(host_blocks.span().first(num_cbs), s);
  detail::rate_recovery_launch(recovery, s);
  recovered.record(s);
  detail::LdpcKernelBatch batch;
  batch.blocks = blocks.data();
  batch.num_blocks = num_cbs;
  batch.llrs = ldpc_llrs.data();
  batch.messages = messages.data();
  batch.message_stride = message_stride;
  batch.messages_in_shared =
      shared_bytes_with_messages <= detail::ldpc_kernel_shared_messages_limit;
  batch.bits = bits.data();
  batch.results = results.data();
  batch.active = active.data();
  const unsigned threads = (seg.lifting_size + 31) / 32 * 32;
  detail::ldpc_kernel_launch(
      batch, threads, batch.messages_in_shared ? shared_bytes_with_messages : shared_bytes, s);
  decoded.record(s);
  const std::size_t num_bits = std::size_t{num_cbs} * seg.num_info_bits;
  bits.copy_to_host(host_bits.span().first(num_bits), s);
  results.copy_to_host(host_results.span().first(num_cbs), s);
  done.record(s);
  pending = {true, layout, buffer, combining, tb_bits};
}

phy::UlschDecoderResult GpuUlschDecoder::Impl::finish() {
  if (!pending.active) {
    throw std::logic_error("GpuUlschDecoder: finish() without an enqueued transport block");
  }
  pending.active = false;
  done.synchronize();
  times.rate_recovery_us = 1000.0F * recovered.elapsed_ms_since(start);
  times.ldpc_us = 1000.0F * decoded.elapsed_ms_since(recovered);
  const ulsch::TransportBlockLayout& layout = pending.layout;
  const phy::CodeBlockSegmentation& seg = layout.seg;
  const unsigned num_cbs = seg.num_code_blocks;
  const bool has_cb_crc = num_cbs > 1;

  for (unsigned r = 0; r < num_cbs; ++r) {
    const std::span<const phy::bit_t> message(host_bits.data() + std::size_t{r} * seg.num_info_bits,
                                              seg.num_info_bits);
    const phy::LdpcLaneResult& lane = host_results[r];
    iterations[r] = lane.iterations; // 0: nothing received, not decoded
    accepted[r] = lane.iterations > 0 &&
                  ulsch::accept_code_block(message, {lane.iterations, lane.parity_ok, lane.crc_ok},
                                           has_cb_crc);
    std::memcpy(tb_with_crc.data() + std::size_t{r} * seg.num_payload_bits(), message.data(),
                seg.num_payload_bits());
  }
  const phy::CrcCalculator& tb_crc = layout.tb_crc == phy::CrcPolynomial::crc24a ? crc24a : crc16;
  phy::UlschDecoderResult result = ulsch::finish_transport_block(
      layout, std::span<const unsigned>(iterations).first(num_cbs),
      std::span<const bool>(accepted).first(num_cbs), tb_with_crc, tb_crc, pending.tb_bits);
  if (pending.buffer != nullptr) {
    result.num_transmissions = ulsch::end_harq_combining(*pending.buffer, pending.combining);
  }
  return result;
}

namespace {

/// Selects \p device and checks the sizes before any allocation.
std::uint32_t prepare(std::uint32_t max_tbs, const GpuHarqSoftMemory* harq, int device) {
  if (max_tbs == 0 || max_tbs > ulsch::max_supported_tbs) {
    ulsch::fail("maximum TBS " + std::to_string(max_tbs) + " outside 1.." +
                std::to_string(ulsch::max_supported_tbs));
  }
  if (harq != nullptr && harq->device() != device) {
    throw std::invalid_argument("GpuUlschDecoder: HARQ memory on device " +
                                std::to_string(harq->device()) + ", decoder on device " +
                                std::to_string(device));
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device));
  detail::ldpc_kernel_configure();
  return max_tbs;
}

} // namespace

GpuUlschDecoder::GpuUlschDecoder(std::uint32_t max_tbs, std::shared_ptr<GpuHarqSoftMemory> harq,
                                 int device, std::size_t max_coded_bits)
    : impl_(std::make_unique<Impl>(prepare(max_tbs, harq.get(), device), std::move(harq), device,
                                   max_coded_bits)) {}
GpuUlschDecoder::~GpuUlschDecoder() = default;
GpuUlschDecoder::GpuUlschDecoder(GpuUlschDecoder&&) noexcept = default;
GpuUlschDecoder& GpuUlschDecoder::operator=(GpuUlschDecoder&&) noexcept = default;

phy::UlschDecoderResult GpuUlschDecoder::decode(std::span<const float> llrs,
                                                const phy::UlschDecoderConfig& cfg,
                                                std::span<phy::bit_t> tb_bits) {
  Impl& s = *impl_;
  AIRAN_CUDA_CHECK(cudaSetDevice(s.device));
  const auto layout = ulsch::check_decoding(llrs.size(), cfg, tb_bits.size(), s.max_tbs);
  if (llrs.size() > s.max_coded_bits) {
    ulsch::fail(std::to_string(llrs.size()) + " LLRs exceed the " +
                std::to_string(s.max_coded_bits) + " the CUDA decoder was built for");
  }
  s.llrs.copy_from_host(llrs, s.stream.get());
  return s.run(s.llrs.data(), cfg, layout, nullptr, tb_bits);
}

phy::UlschDecoderResult GpuUlschDecoder::decode(std::span<const float> llrs,
                                                const phy::UlschDecoderConfig& cfg,
                                                phy::HarqSoftBuffer& harq_buffer,
                                                std::span<phy::bit_t> tb_bits) {
  Impl& s = *impl_;
  AIRAN_CUDA_CHECK(cudaSetDevice(s.device));
  const auto layout = ulsch::check_decoding(llrs.size(), cfg, tb_bits.size(), s.max_tbs);
  s.check_buffer(harq_buffer);
  if (llrs.size() > s.max_coded_bits) {
    ulsch::fail(std::to_string(llrs.size()) + " LLRs exceed the " +
                std::to_string(s.max_coded_bits) + " the CUDA decoder was built for");
  }
  s.llrs.copy_from_host(llrs, s.stream.get());
  return s.run(s.llrs.data(), cfg, layout, &harq_buffer, tb_bits);
}

int GpuUlschDecoder::llr_device() const {
  return impl_->device;
}

phy::UlschDecoderResult GpuUlschDecoder::decode_device(const phy::DeviceLlrs& llrs,
                                                       const phy::UlschDecoderConfig& cfg,
                                                       phy::HarqSoftBuffer& harq_buffer,
                                                       std::span<phy::bit_t> tb_bits) {
  Impl& s = *impl_;
  if (llrs.device != s.device || llrs.data == nullptr) {
    ulsch::fail("device LLRs on device " + std::to_string(llrs.device) + ", decoder on device " +
                std::to_string(s.device));
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(s.device));
  const auto layout = ulsch::check_decoding(llrs.size, cfg, tb_bits.size(), s.max_tbs);
  s.check_buffer(harq_buffer);
  return s.run(llrs.data, cfg, layout, &harq_buffer, tb_bits);
}

void GpuUlschDecoder::enqueue_device(const phy::DeviceLlrs& llrs,
                                     const phy::UlschDecoderConfig& cfg,
                                     phy::HarqSoftBuffer& harq_buffer,
                                     std::span<phy::bit_t> tb_bits, void* stream) {
  Impl& s = *impl_;
  if (llrs.device != s.device || llrs.data == nullptr) {
    ulsch::fail("device LLRs on device " + std::to_string(llrs.device) + ", decoder on device " +
                std::to_string(s.device));
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(s.device));
  const auto layout = ulsch::check_decoding(llrs.size, cfg, tb_bits.size(), s.max_tbs);
  s.check_buffer(harq_buffer);
  s.enqueue(llrs.data, cfg, layout, &harq_buffer, tb_bits,
            stream != nullptr ? static_cast<cudaStream_t>(stream) : s.stream.get());
}

phy::UlschDecoderResult GpuUlschDecoder::finish() {
  return impl_->finish();
}

GpuUlschTimes GpuUlschDecoder::last_times() const {
  return impl_->times;
}

} // namespace airan::gpu
