/// \file
/// \brief GpuUlschDecoder::Impl: one transport block enqueued on a stream (rate recovery with
/// HARQ, LDPC, TB assembly, their outputs written to host memory or copied there) and finished
/// on the host.
#include "gpu_ulsch_decoder_impl.h"

#include "airan/gpu/launch_profiler.h"
namespace airan::gpu {

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

void GpuUlschDecoder::Impl::plan(const float* device_llrs, const phy::UlschDecoderConfig& cfg,
                                 const ulsch::TransportBlockLayout& layout,
                                 phy::HarqSoftBuffer* buffer, std::span<phy::bit_t> tb_bits,
                                 std::span<std::uint8_t> tb_bytes_out) {
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
  // A new mark for this TB's active code blocks; after 2^32 - 1 TBs the flags are cleared once,
  // before the next TB that is enqueued (this one may be cancelled), in either recovery mode.
  if (++active_mark == 0) {
    active_mark = 1;
    active_needs_clear = true;
  }
  recovery.active = active.data();
  recovery.active_mark = active_mark;

  // The lane code of every code block (a block that received nothing keeps the other length's
  // code; it is not decoded).
  const unsigned slot = slot_of(seg.base_graph, seg.lifting_size);
  const detail::LdpcTransportBlockCodes tb_codes = detail::ulsch_transport_block_codes(
      layout, cfg, plan, row_begin.data() + slot * row_begin_stride,
      edges.data() + slot * edge_stride, crc24b.data(),
      static_cast<std::uint32_t>(ldpc_llr_stride));
  const phy::LdpcLaneCode& short_code = tb_codes.short_code;
  const phy::LdpcLaneCode& long_code = tb_codes.long_code;
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
  // The pairs (code_block_pairs): the larger code's columns and rows.
  const unsigned pair_columns = std::max(short_code.num_columns, long_code.num_columns);
  const unsigned pair_edges =
      host_row_begin[slot][std::max(short_code.num_rows, long_code.num_rows)];
  const std::size_t pair_shared_bytes =
      detail::ldpc_pair_kernel_shared_bytes(pair_columns, seg.lifting_size, 0, false);
  const std::size_t pair_shared_bytes_with_messages =
      detail::ldpc_pair_kernel_shared_bytes(pair_columns, seg.lifting_size, pair_edges, true);
  detail::LdpcKernelBatch& batch = planned.batch;
  batch = {};
  batch.tb_codes = tb_codes;
  batch.num_blocks = num_cbs;
  batch.llrs = ldpc_llrs.data();
  batch.messages = messages.data();
  batch.message_stride = message_stride;
  batch.messages_in_shared = code_block_pairs ? pair_shared_bytes_with_messages <= pair_shared_limit
                                              : shared_bytes_with_messages <= ldpc_shared_limit;
  batch.bits = bits.data();
  // The kernels' outputs: in host memory (mapped) or in device memory for a copy after.
  planned.outputs_in_host = outputs_in_host_memory;
  std::uint8_t* out = outputs_in_host_memory ? host_outputs_device : outputs.data();
  batch.results = reinterpret_cast<phy::LdpcLaneResult*>(out + output_layout.results);
  batch.recover = rate_recovery_in_ldpc;
  batch.active = rate_recovery_in_ldpc ? nullptr : active.data();
  batch.active_mark = active_mark;
  if (rate_recovery_in_ldpc) {
    batch.recovery = recovery;
    batch.recovery.active = nullptr; // the kernel reduces each block's flag itself
  }
  batch.parts = detail::ldpc_kernel_parts(seg.lifting_size);
  planned.threads = detail::ldpc_kernel_threads(seg.lifting_size, batch.parts);
  planned.shared_bytes = batch.messages_in_shared ? shared_bytes_with_messages : shared_bytes;
  planned.pairs = code_block_pairs;
  planned.pair_shared_bytes =
      batch.messages_in_shared ? pair_shared_bytes_with_messages : pair_shared_bytes;
  planned.recovery = recovery;
  planned.wrapped = active_needs_clear;
  detail::TbAssemblyLaunch& assembly = planned.assembly;
  assembly = {};
  assembly.messages = bits.data();
  assembly.num_code_blocks = num_cbs;
  assembly.info_bits = seg.num_info_bits;
  assembly.payload_bits = seg.num_payload_bits();
  assembly.num_bits = seg.input_length;
  assembly.num_tb_bytes = (coding.tbs + 7) / 8; // the last one partly CRC when TBS % 8 != 0
  assembly.contributions =
      layout.tb_crc == phy::CrcPolynomial::crc24a ? tb_crc->crc24a.data() : tb_crc->crc16.data();
  assembly.tb_bytes = out + output_layout.tb;
  assembly.crc_partials = reinterpret_cast<std::uint32_t*>(out + output_layout.crc_partials);
  assembly.nonzero = out + output_layout.nonzero;
  planned.download_bytes = output_layout.tb + assembly.num_tb_bytes;
  pending = {true,   true,   nullptr,   0,       stage_timing,
             layout, buffer, combining, tb_bits, tb_bytes_out};
}

void GpuUlschDecoder::Impl::enqueue_planned(cudaStream_t s) {
  const Planned& p = planned;
  // Everything on the device, captured into a graph updated per TB (same topology, new
  // parameters) unless AIRAN_CUDA_GRAPHS=0 or \p s is captured already (GpuCellGroup's graph of
  // the whole slot).
  const auto device_work = [&] {
    time_mark(start, s);
    profile_begin(s);
    if (p.wrapped) {
      active.fill_zero(s);
      active_needs_clear = false;
    }
    if (!p.batch.recover) {
      detail::rate_recovery_launch(p.recovery, s);
      time_mark(recovered, s); // with the recovery in the LDPC kernel, its time counts as LDPC's
    }
    if (p.pairs) {
      detail::LdpcKernelBatches pairs;
      pairs.batches[0] = p.batch;
      (void)pairs.blocks.add(detail::ldpc_pair_count(p.batch.num_blocks));
      detail::ldpc_pair_kernel_launch_batches(pairs, p.threads, p.pair_shared_bytes, s);
    } else {
      detail::ldpc_kernel_launch(p.batch, p.threads, p.shared_bytes, s);
    }
    detail::tb_assembly_launch(p.assembly, s);
    time_mark(decoded, s);
    if (!p.outputs_in_host) {
      outputs.copy_to_host(host_outputs.span().first(p.download_bytes), s);
      profile_launch("TB bytes and results to host", s);
    }
    done.record(s);
  };
  if (use_graph && !stream_is_capturing(s)) {
    graph.capture_or_update(s, device_work);
    graph.launch(s);
  } else {
    device_work();
  }
  pending.prepared_only = false;
  ++enqueues;
}

void GpuUlschDecoder::Impl::enqueue_batch(std::span<GpuUlschDecoder* const> decoders,
                                          cudaStream_t s) {
  if (decoders.empty()) {
    return;
  }
  // The decoders' states, read through the list (a slot allocates nothing).
  const std::size_t num_tbs = decoders.size();
  const auto tb = [decoders](std::size_t t) -> Impl& { return *decoders[t]->impl_; };
  Impl& timer = tb(0);
  timer.time_mark(timer.start, s);
  profile_begin(s);
  for (std::size_t t = 0; t < num_tbs; ++t) {
    Impl& state = tb(t);
    if (state.planned.wrapped) {
      state.active.fill_zero(s);
      state.active_needs_clear = false;
    }
    if (!state.planned.batch.recover) {
      detail::rate_recovery_launch(state.planned.recovery, s);
    }
  }
  if (!timer.planned.batch.recover) { // (else the recovery's time counts as LDPC's)
    timer.time_mark(timer.recovered, s);
  }
  // A launch per stage for each run of up to max_launch_batches TBs.
  for (std::size_t first = 0; first < num_tbs; first += detail::max_launch_batches) {
    const std::size_t end = std::min<std::size_t>(first + detail::max_launch_batches, num_tbs);
    detail::LdpcKernelBatches ldpc;
    unsigned threads = 0;
    std::size_t shared_bytes = 0;
    const bool pairs = tb(first).planned.pairs; // the same in every decoder
    for (std::size_t t = first; t < end; ++t) {
      const Planned& planned = tb(t).planned;
      ldpc.batches[ldpc.blocks.num_batches] = planned.batch;
      (void)ldpc.blocks.add(pairs ? detail::ldpc_pair_count(planned.batch.num_blocks)
                                  : planned.batch.num_blocks);
      threads = std::max(threads, planned.threads);
      shared_bytes =
          std::max(shared_bytes, pairs ? planned.pair_shared_bytes : planned.shared_bytes);
    }
    if (pairs) {
      detail::ldpc_pair_kernel_launch_batches(ldpc, threads, shared_bytes, s);
    } else {
      detail::ldpc_kernel_launch_batches(ldpc, threads, shared_bytes, s);
    }
  }
  for (std::size_t first = 0; first < num_tbs;) {
    detail::TbAssemblyBatches assembly;
    while (first < num_tbs && detail::tb_assembly_add(assembly, tb(first).planned.assembly)) {
      ++first;
    }
    detail::tb_assembly_launch_batches(assembly, s);
  }
  timer.time_mark(timer.decoded, s);
  // The outputs of the TBs whose kernels wrote them in device memory, copied to host memory.
  detail::ByteCopies copies;
  for (std::size_t t = 0; t < num_tbs; ++t) {
    const Impl& state = tb(t);
    if (state.planned.outputs_in_host) {
      continue;
    }
    const detail::ByteCopy copy{state.outputs.data(), state.host_outputs_device,
                                state.planned.download_bytes};
    if (!detail::byte_copies_add(copies, copy)) {
      detail::byte_copies_launch(copies, s);
      copies = {};
      (void)detail::byte_copies_add(copies, copy);
    }
  }
  detail::byte_copies_launch(copies, s);
  timer.done.record(s);
  for (std::size_t t = 0; t < num_tbs; ++t) {
    Impl& state = tb(t);
    state.pending.prepared_only = false;
    state.pending.timing = &state == &timer ? nullptr : &timer;
    state.pending.timing_enqueue = timer.enqueues + 1;
    state.pending.timed = timer.stage_timing;
  }
  ++timer.enqueues;
}

phy::UlschDecoderResult GpuUlschDecoder::Impl::finish() {
  if (!pending.active) {
    throw std::logic_error("GpuUlschDecoder: finish() without an enqueued transport block");
  }
  if (pending.prepared_only) {
    throw std::logic_error("GpuUlschDecoder: finish() of a prepared transport block that was not "
                           "enqueued (GpuUlschDecoder::enqueue_prepared())");
  }
  pending.active = false;
  if (pending.timing != nullptr && pending.timing->enqueues != pending.timing_enqueue) {
    pending = {};
    throw std::logic_error("GpuUlschDecoder: the first decoder of this TB's batch was enqueued "
                           "again before the TB was finished; the TB is dropped");
  }
  Impl& timer = pending.timing != nullptr ? *pending.timing : *this;
  timer.done.synchronize();
  times = {};
  if (pending.timed && timer.planned.batch.recover) {
    times.ldpc_us = 1000.0F * timer.decoded.elapsed_ms_since(timer.start);
  } else if (pending.timed) {
    times.rate_recovery_us = 1000.0F * timer.recovered.elapsed_ms_since(timer.start);
    times.ldpc_us = 1000.0F * timer.decoded.elapsed_ms_since(timer.recovered);
  }
  const ulsch::TransportBlockLayout& layout = pending.layout;
  const phy::CodeBlockSegmentation& seg = layout.seg;
  const unsigned num_cbs = seg.num_code_blocks;
  const bool has_cb_crc = num_cbs > 1;

  const std::uint8_t* out = host_outputs.data();
  for (unsigned r = 0; r < num_cbs; ++r) {
    phy::LdpcLaneResult lane;
    std::memcpy(&lane, out + output_layout.results + r * sizeof lane, sizeof lane);
    iterations[r] = lane.iterations; // 0: nothing received, not decoded
    accepted[r] = detail::tb_code_block_accepted(lane, out[output_layout.nonzero + r], has_cb_crc);
  }
  const std::uint32_t crc_register =
      detail::tb_crc_register(out + output_layout.crc_partials, seg.input_length);
  phy::UlschDecoderResult result = ulsch::finish_transport_block(
      layout, std::span<const unsigned>(iterations).first(num_cbs),
      std::span<const bool>(accepted).first(num_cbs), crc_register == 0);
  const std::uint8_t* bytes = out + output_layout.tb;
  std::copy_n(bytes, pending.tb_bytes.size(), pending.tb_bytes.begin());
  for (std::size_t i = 0; i < pending.tb_bits.size(); ++i) {
    pending.tb_bits[i] = static_cast<phy::bit_t>((bytes[i / 8] >> (7 - i % 8)) & 1U);
  }
  if (pending.buffer != nullptr) {
    result.num_transmissions = ulsch::end_harq_combining(*pending.buffer, pending.combining);
  }
  return result;
}

} // namespace airan::gpu
