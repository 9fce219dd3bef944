/// \file
/// \brief GpuLdpcDecoder: batch staging in pinned memory, lifted graphs, one kernel launch per
/// batch (ldpc_kernels.cu), outcomes back to the host.
#include "airan/gpu/gpu_ldpc_decoder.h"

#include "ldpc_kernels.h"
#include "ldpc_pair_kernels.h"

#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/device_buffer.h"
#include "airan/gpu/launch_profiler.h"
#include "airan/phy/ldpc_lane_decoder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::gpu {

namespace {

constexpr unsigned max_z = 384;
constexpr std::size_t llr_stride = std::size_t{66} * max_z;  ///< N of BG1 at Z = 384.
constexpr std::size_t bits_stride = std::size_t{22} * max_z; ///< K of BG1 at Z = 384.
constexpr std::size_t message_stride = std::size_t{phy::ldpc_max_edges} * max_z;
constexpr std::size_t row_begin_stride = 47;
constexpr std::size_t edge_stride = phy::ldpc_max_edges;
/// The polynomials of phy::CrcPolynomial, in enum order: one contribution table each.
constexpr std::array<phy::CrcPolynomial, 6> crc_polynomials{
    phy::CrcPolynomial::crc6,   phy::CrcPolynomial::crc11,  phy::CrcPolynomial::crc16,
    phy::CrcPolynomial::crc24a, phy::CrcPolynomial::crc24b, phy::CrcPolynomial::crc24c};
static_assert(static_cast<int>(phy::CrcPolynomial::crc24c) == 5, "one table per enum value");
constexpr std::size_t crc_table_stride = bits_stride; ///< Contributions for up to K = 8448 bits.

/// The contribution tables of every polynomial, one after another.
std::vector<std::uint32_t> all_crc_contributions() {
  std::vector<std::uint32_t> tables;
  for (const auto polynomial : crc_polynomials) {
    const auto table = phy::CrcCalculator(polynomial).bit_contributions(crc_table_stride);
    tables.insert(tables.end(), table.begin(), table.end());
  }
  return tables;
}

/// The pairs of a batch (GpuLdpcDecoder::set_code_block_pairs()) and their shared memory.
struct PairPlan {
  unsigned num_pairs = 0;
  std::size_t shared_bytes = 0;               ///< Without messages.
  std::size_t shared_bytes_with_messages = 0; ///< With them.
};

} // namespace

struct GpuLdpcDecoder::Impl {
  Impl(unsigned max_blocks, int device_index)
      : max_code_blocks(max_blocks), device(device_index),
        ldpc_shared_limit(detail::ldpc_kernel_configure()),
        pair_shared_limit(detail::ldpc_pair_kernel_configure()), llrs(max_blocks * llr_stride),
        blocks(max_blocks), row_begin(max_blocks * row_begin_stride),
        edges(max_blocks * edge_stride), messages(max_blocks * message_stride),
        bits(max_blocks * bits_stride), results(max_blocks), host_llrs(max_blocks * llr_stride),
        host_blocks(max_blocks), host_row_begin(max_blocks * row_begin_stride),
        host_edges(max_blocks * edge_stride), host_bits(max_blocks * bits_stride),
        host_results(max_blocks), pairs(std::size_t{2} * max_blocks),
        host_pairs(std::size_t{2} * max_blocks),
        crc_contributions(crc_polynomials.size() * crc_table_stride) {
    graph_keys.reserve(max_blocks);
    const std::vector<std::uint32_t> tables = all_crc_contributions();
    crc_contributions.copy_from_host(tables, stream.get());
    stream.synchronize();
  }

  /// Slot of the lifted graph of \p config's code in this batch, lifting it on first use.
  unsigned graph_slot(const phy::LdpcDecoderConfig& config) {
    const unsigned key =
        config.lifting_size * 2 + (config.base_graph == phy::LdpcBaseGraph::bg1 ? 0 : 1);
    const auto found = std::find(graph_keys.begin(), graph_keys.end(), key);
    if (found != graph_keys.end()) {
      return static_cast<unsigned>(found - graph_keys.begin());
    }
    const auto slot = static_cast<unsigned>(graph_keys.size());
    graph_keys.push_back(key); // capacity reserved: no allocation
    const phy::LdpcLiftedGraph graph = phy::ldpc_lift_graph(config.base_graph, config.lifting_size);
    std::copy(graph.row_begin.begin(), graph.row_begin.end(),
              host_row_begin.data() + slot * row_begin_stride);
    std::copy(graph.edges.begin(), graph.edges.end(), host_edges.data() + slot * edge_stride);
    return slot;
  }

  /// Pairs each block with the next when their codes pair (phy::ldpc_lane_codes_pair()), else with
  /// itself, into host_pairs.
  PairPlan plan_pairs(std::size_t count) {
    PairPlan plan;
    for (std::size_t i = 0; i < count;) {
      const phy::LdpcLaneCode& low = host_blocks[i].code;
      const std::size_t j =
          i + 1 < count && phy::ldpc_lane_codes_pair(low, host_blocks[i + 1].code) ? i + 1 : i;
      const phy::LdpcPairCode pair = phy::ldpc_pair_code(low, host_blocks[j].code);
      host_pairs[std::size_t{2} * plan.num_pairs] = static_cast<std::uint32_t>(i);
      host_pairs[std::size_t{2} * plan.num_pairs + 1] = static_cast<std::uint32_t>(j);
      ++plan.num_pairs;
      // The graph slot of the code (its row_begin points into row_begin).
      const auto slot =
          static_cast<std::size_t>(low.row_begin - row_begin.data()) / row_begin_stride;
      const unsigned num_edges = host_row_begin[slot * row_begin_stride + pair.num_rows];
      plan.shared_bytes = std::max(
          plan.shared_bytes,
          detail::ldpc_pair_kernel_shared_bytes(pair.num_columns, low.lifting_size, 0, false));
      plan.shared_bytes_with_messages =
          std::max(plan.shared_bytes_with_messages,
                   detail::ldpc_pair_kernel_shared_bytes(pair.num_columns, low.lifting_size,
                                                         num_edges, true));
      i = j + 1;
    }
    return plan;
  }

  unsigned max_code_blocks;
  int device;
  /// The largest dynamic shared memory of the single and the paired kernels on this device
  /// (ldpc_kernel_configure(), ldpc_pair_kernel_configure()).
  std::size_t ldpc_shared_limit;
  std::size_t pair_shared_limit;
  CudaStream stream;
  CudaEvent kernel_start, kernel_stop;
  DeviceBuffer<std::int8_t> llrs;
  DeviceBuffer<detail::LdpcKernelBlock> blocks;
  DeviceBuffer<std::uint16_t> row_begin;
  DeviceBuffer<phy::LdpcLiftedEdge> edges;
  DeviceBuffer<std::int8_t> messages;
  DeviceBuffer<std::uint8_t> bits;
  DeviceBuffer<phy::LdpcLaneResult> results;
  PinnedBuffer<std::int8_t> host_llrs;
  PinnedBuffer<detail::LdpcKernelBlock> host_blocks;
  PinnedBuffer<std::uint16_t> host_row_begin;
  PinnedBuffer<phy::LdpcLiftedEdge> host_edges;
  PinnedBuffer<std::uint8_t> host_bits;
  PinnedBuffer<phy::LdpcLaneResult> host_results;
  DeviceBuffer<std::uint32_t> pairs; ///< Code blocks of each pair (LdpcPairKernelBatch::pairs).
  /// The pairs' messages in device memory: message_stride int8 pairs for each of up to
  /// max_code_blocks pairs (every block may pair with itself); allocated by
  /// set_code_block_pairs(true).
  DeviceBuffer<std::uint16_t> pair_messages;
  PinnedBuffer<std::uint32_t> host_pairs;
  std::vector<unsigned> graph_keys; ///< (Z, graph) of each graph slot of the current batch.
  DeviceBuffer<std::uint32_t> crc_contributions; ///< Tables of crc_polynomials, in order.
  float kernel_us = 0.0f;
  unsigned threads_per_check_node = 0; ///< 0: ldpc_kernel_parts()
  detail::LdpcEdgeKeeping keep_edges = detail::LdpcEdgeKeeping::automatic;
  bool code_block_pairs = false;
};

namespace {

/// Checks the size, selects \p device and configures the kernel before any allocation.
unsigned prepare_device(unsigned max_code_blocks, int device) {
  if (max_code_blocks == 0) {
    throw std::invalid_argument("GpuLdpcDecoder: max_code_blocks must be at least 1");
  }
  AIRAN_CUDA_CHECK(cudaSetDevice(device)); // the kernels are configured for it by Impl
  return max_code_blocks;
}

} // namespace

GpuLdpcDecoder::GpuLdpcDecoder(unsigned max_code_blocks, int device,
                               unsigned threads_per_check_node)
    : impl_(std::make_unique<Impl>(prepare_device(max_code_blocks, device), device)) {
  if (threads_per_check_node > 2) {
    throw std::invalid_argument("GpuLdpcDecoder: 0 (automatic), 1 or 2 threads per check node");
  }
  impl_->threads_per_check_node = threads_per_check_node;
}
void GpuLdpcDecoder::set_edge_keeping(GpuLdpcEdgeKeeping keeping) {
  switch (keeping) {
  case GpuLdpcEdgeKeeping::automatic:
    impl_->keep_edges = detail::LdpcEdgeKeeping::automatic;
    break;
  case GpuLdpcEdgeKeeping::always:
    impl_->keep_edges = detail::LdpcEdgeKeeping::always;
    break;
  case GpuLdpcEdgeKeeping::never:
    impl_->keep_edges = detail::LdpcEdgeKeeping::never;
    break;
  }
}
void GpuLdpcDecoder::set_code_block_pairs(bool pairs) {
  if (pairs) {
    detail::check_pairs_fit(impl_->pair_shared_limit, "GpuLdpcDecoder");
  }
  if (pairs && impl_->pair_messages.size() == 0) {
    AIRAN_CUDA_CHECK(cudaSetDevice(impl_->device));
    impl_->pair_messages = DeviceBuffer<std::uint16_t>(impl_->max_code_blocks * message_stride);
  }
  impl_->code_block_pairs = pairs;
}
GpuLdpcDecoder::~GpuLdpcDecoder() = default;
GpuLdpcDecoder::GpuLdpcDecoder(GpuLdpcDecoder&&) noexcept = default;
GpuLdpcDecoder& GpuLdpcDecoder::operator=(GpuLdpcDecoder&&) noexcept = default;

void GpuLdpcDecoder::decode(std::span<const GpuLdpcJob> jobs,
                            std::span<phy::LdpcDecoderResult> results) {
  Impl& s = *impl_;
  AIRAN_CUDA_CHECK(cudaSetDevice(s.device));
  if (jobs.size() > s.max_code_blocks) {
    throw std::invalid_argument("GpuLdpcDecoder: " + std::to_string(jobs.size()) +
                                " code blocks exceed the " + std::to_string(s.max_code_blocks) +
                                " it was built for");
  }
  if (results.size() != jobs.size()) {
    throw std::invalid_argument("GpuLdpcDecoder: one result per job expected");
  }
  s.graph_keys.clear();
  unsigned largest_z = 32;
  std::size_t shared_bytes = 0;               // without messages
  std::size_t shared_bytes_with_messages = 0; // with them
  // LLRs and bits of the batch packed one block after another: only what the blocks use
  // crosses the bus.
  std::size_t llr_total = 0;
  std::size_t bits_total = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const GpuLdpcJob& job = jobs[i];
    phy::ldpc_check_decoder_arguments(job.config, job.llrs.size(), job.message.size());
    phy::LdpcDecoderConfig config = job.config;
    if (config.num_rows == 0) {
      config.num_rows = phy::ldpc_rows_for_llrs(config.base_graph, config.lifting_size, job.llrs);
    }
    const unsigned slot = s.graph_slot(config);
    const std::uint32_t* crc_table =
        job.crc ? s.crc_contributions.data() + static_cast<std::size_t>(*job.crc) * crc_table_stride
                : nullptr;
    const phy::LdpcLaneCode code =
        phy::ldpc_lane_code(config, static_cast<unsigned>(job.llrs.size()),
                            s.row_begin.data() + slot * row_begin_stride,
                            s.edges.data() + slot * edge_stride, crc_table);
    s.host_blocks[i] = {code, static_cast<std::uint32_t>(llr_total),
                        static_cast<std::uint32_t>(bits_total)};
    std::memcpy(s.host_llrs.data() + llr_total, job.llrs.data(), job.llrs.size());
    llr_total += job.llrs.size();
    bits_total += job.message.size();
    largest_z = std::max(largest_z, config.lifting_size);
    const unsigned num_edges = s.host_row_begin[slot * row_begin_stride + code.num_rows];
    shared_bytes =
        std::max(shared_bytes,
                 detail::ldpc_kernel_shared_bytes(code.num_columns, code.lifting_size, 0, false));
    shared_bytes_with_messages = std::max(
        shared_bytes_with_messages,
        detail::ldpc_kernel_shared_bytes(code.num_columns, code.lifting_size, num_edges, true));
  }
  if (jobs.empty()) {
    return;
  }
  const cudaStream_t stream = s.stream.get();
  const std::size_t count = jobs.size();
  const std::size_t num_graphs = s.graph_keys.size();
  const PairPlan plan = s.code_block_pairs ? s.plan_pairs(count) : PairPlan{};
  profile_begin(stream);
  s.llrs.copy_from_host(s.host_llrs.span().first(llr_total), stream);
  s.blocks.copy_from_host(s.host_blocks.span().first(count), stream);
  s.row_begin.copy_from_host(s.host_row_begin.span().first(num_graphs * row_begin_stride), stream);
  s.edges.copy_from_host(s.host_edges.span().first(num_graphs * edge_stride), stream);
  if (plan.num_pairs != 0) {
    s.pairs.copy_from_host(s.host_pairs.span().first(std::size_t{2} * plan.num_pairs), stream);
  }
  profile_launch("LLR and graph upload", stream);

  detail::LdpcKernelBatch batch;
  batch.blocks = s.blocks.data();
  batch.num_blocks = static_cast<unsigned>(count);
  batch.llrs = s.llrs.data();
  batch.messages = s.messages.data();
  batch.message_stride = message_stride;
  batch.messages_in_shared = shared_bytes_with_messages <= s.ldpc_shared_limit;
  if (batch.messages_in_shared) {
    shared_bytes = shared_bytes_with_messages;
  }
  batch.bits = s.bits.data();
  batch.results = s.results.data();
  batch.parts = s.threads_per_check_node != 0 ? s.threads_per_check_node
                                              : detail::ldpc_kernel_parts(largest_z);
  batch.keep_edges = s.keep_edges;
  const unsigned threads = detail::ldpc_kernel_threads(largest_z, batch.parts);
  AIRAN_CUDA_CHECK(cudaEventRecord(s.kernel_start.get(), stream));
  if (plan.num_pairs != 0) {
    detail::LdpcPairKernelBatch pairs;
    pairs.blocks = batch.blocks;
    pairs.pairs = s.pairs.data();
    pairs.num_pairs = plan.num_pairs;
    pairs.llrs = batch.llrs;
    // Up to count pairs (a block that pairs with no neighbour pairs with itself).
    pairs.messages = s.pair_messages.data();
    pairs.message_stride = message_stride;
    pairs.messages_in_shared = plan.shared_bytes_with_messages <= s.pair_shared_limit;
    pairs.bits = batch.bits;
    pairs.results = batch.results;
    pairs.parts = batch.parts;
    detail::ldpc_pair_kernel_launch(
        pairs, threads,
        pairs.messages_in_shared ? plan.shared_bytes_with_messages : plan.shared_bytes, stream);
  } else {
    detail::ldpc_kernel_launch(batch, threads, shared_bytes, stream);
  }
  AIRAN_CUDA_CHECK(cudaEventRecord(s.kernel_stop.get(), stream));
  s.bits.copy_to_host(s.host_bits.span().first(bits_total), stream);
  s.results.copy_to_host(s.host_results.span().first(count), stream);
  profile_launch("bits and results to host", stream);
  s.stream.synchronize();
  s.kernel_us = 1000.0f * s.kernel_stop.elapsed_ms_since(s.kernel_start);

  for (std::size_t i = 0; i < count; ++i) {
    std::memcpy(jobs[i].message.data(), s.host_bits.data() + s.host_blocks[i].bits_offset,
                jobs[i].message.size());
    results[i].iterations = s.host_results[i].iterations;
    results[i].parity_ok = s.host_results[i].parity_ok;
    results[i].crc_ok = s.host_results[i].crc_ok;
  }
}

float GpuLdpcDecoder::last_kernel_us() const {
  return impl_->kernel_us;
}

unsigned GpuLdpcDecoder::max_code_blocks() const {
  return impl_->max_code_blocks;
}

std::string GpuLdpcDecoder::description() const {
  return "cuda device " + std::to_string(impl_->device);
}

phy::LdpcBatchDecoderFactory make_gpu_ldpc_batch_decoder_factory(int device) {
  return [device](unsigned max_code_blocks) -> std::unique_ptr<phy::LdpcBatchDecoder> {
    return std::make_unique<GpuLdpcDecoder>(max_code_blocks, device);
  };
}

} // namespace airan::gpu
