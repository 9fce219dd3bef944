/// \file
/// \brief GpuUlschDecoder: the public calls (checks, host LLR upload) over Impl
/// (gpu_ulsch_decoder_impl.cpp). Checks, layout and HARQ bookkeeping are the CPU decoder's
/// (phy/ulsch_code_block.h); the kernels are in ulsch_kernels.cu and ldpc_kernels.cu.
#include "gpu_ulsch_decoder_impl.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::gpu {

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
  AIRAN_CUDA_CHECK(cudaSetDevice(device)); // the LDPC kernels are configured for it by Impl
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

namespace {

/// Throws unless \p llrs are in the memory of \p device.
void check_device_llrs(const phy::DeviceLlrs& llrs, int device) {
  if (llrs.device != device || llrs.data == nullptr) {
    ulsch::fail("device LLRs on device " + std::to_string(llrs.device) + ", decoder on device " +
                std::to_string(device));
  }
}

/// \p stream as a CUDA stream, or \p own when it is null.
cudaStream_t stream_or(void* stream, const CudaStream& own) {
  return stream != nullptr ? static_cast<cudaStream_t>(stream) : own.get();
}

} // namespace

const float* GpuUlschDecoder::Impl::upload(std::span<const float> host_llrs) {
  if (host_llrs.size() > max_coded_bits) {
    ulsch::fail(std::to_string(host_llrs.size()) + " LLRs exceed the " +
                std::to_string(max_coded_bits) + " the CUDA decoder was built for");
  }
  llrs.copy_from_host(host_llrs, stream.get());
  return llrs.data();
}

phy::UlschDecoderResult GpuUlschDecoder::decode(std::span<const float> llrs,
                                                const phy::UlschDecoderConfig& cfg,
                                                std::span<phy::bit_t> tb_bits) {
  Impl& s = *impl_;
  make_device_current(s.device);
  const auto layout = ulsch::check_decoding(llrs.size(), cfg, tb_bits.size(), s.max_tbs);
  return s.run(s.upload(llrs), cfg, layout, nullptr, tb_bits);
}

phy::UlschDecoderResult GpuUlschDecoder::decode(std::span<const float> llrs,
                                                const phy::UlschDecoderConfig& cfg,
                                                phy::HarqSoftBuffer& harq_buffer,
                                                std::span<phy::bit_t> tb_bits) {
  Impl& s = *impl_;
  make_device_current(s.device);
  const auto layout = ulsch::check_decoding(llrs.size(), cfg, tb_bits.size(), s.max_tbs);
  s.check_buffer(harq_buffer);
  return s.run(s.upload(llrs), cfg, layout, &harq_buffer, tb_bits);
}

int GpuUlschDecoder::llr_device() const {
  return impl_->device;
}

phy::UlschDecoderResult GpuUlschDecoder::decode_device(const phy::DeviceLlrs& llrs,
                                                       const phy::UlschDecoderConfig& cfg,
                                                       phy::HarqSoftBuffer& harq_buffer,
                                                       std::span<phy::bit_t> tb_bits) {
  enqueue_device(llrs, cfg, harq_buffer, tb_bits, llrs.stream);
  return finish();
}

void GpuUlschDecoder::enqueue_device(const phy::DeviceLlrs& llrs,
                                     const phy::UlschDecoderConfig& cfg,
                                     phy::HarqSoftBuffer& harq_buffer,
                                     std::span<phy::bit_t> tb_bits, void* stream) {
  Impl& s = *impl_;
  check_device_llrs(llrs, s.device);
  make_device_current(s.device);
  const auto layout = ulsch::check_decoding(llrs.size, cfg, tb_bits.size(), s.max_tbs);
  s.check_buffer(harq_buffer);
  s.enqueue(llrs.data, cfg, layout, &harq_buffer, tb_bits, {}, stream_or(stream, s.stream));
}

void GpuUlschDecoder::enqueue_device_bytes(const phy::DeviceLlrs& llrs,
                                           const phy::UlschDecoderConfig& cfg,
                                           phy::HarqSoftBuffer& harq_buffer,
                                           std::span<std::uint8_t> tb_bytes, void* stream) {
  Impl& s = *impl_;
  check_device_llrs(llrs, s.device);
  if (tb_bytes.size() != cfg.coding.tbs / 8 || cfg.coding.tbs % 8 != 0) {
    ulsch::fail("TBS " + std::to_string(cfg.coding.tbs) + " into " +
                std::to_string(tb_bytes.size()) + " bytes");
  }
  make_device_current(s.device);
  const auto layout = ulsch::check_decoding(llrs.size, cfg, cfg.coding.tbs, s.max_tbs);
  s.check_buffer(harq_buffer);
  s.enqueue(llrs.data, cfg, layout, &harq_buffer, {}, tb_bytes, stream_or(stream, s.stream));
}

void GpuUlschDecoder::prepare_device_bytes(const phy::DeviceLlrs& llrs,
                                           const phy::UlschDecoderConfig& cfg,
                                           phy::HarqSoftBuffer& harq_buffer,
                                           std::span<std::uint8_t> tb_bytes) {
  Impl& s = *impl_;
  check_device_llrs(llrs, s.device);
  if (tb_bytes.size() != cfg.coding.tbs / 8 || cfg.coding.tbs % 8 != 0) {
    ulsch::fail("TBS " + std::to_string(cfg.coding.tbs) + " into " +
                std::to_string(tb_bytes.size()) + " bytes");
  }
  const auto layout = ulsch::check_decoding(llrs.size, cfg, cfg.coding.tbs, s.max_tbs);
  s.check_buffer(harq_buffer);
  s.plan(llrs.data, cfg, layout, &harq_buffer, {}, tb_bytes);
}

phy::DeviceLlrs GpuUlschDecoder::keep_device_llrs(const phy::DeviceLlrs& llrs, void* stream) {
  Impl& s = *impl_;
  check_device_llrs(llrs, s.device);
  if (llrs.size > s.max_coded_bits) {
    ulsch::fail(std::to_string(llrs.size) + " LLRs exceed the " + std::to_string(s.max_coded_bits) +
                " the CUDA decoder was built for");
  }
  make_device_current(s.device);
  cudaStream_t on = stream_or(stream, s.stream);
  AIRAN_CUDA_CHECK(cudaMemcpyAsync(s.llrs.data(), llrs.data, llrs.size * sizeof(float),
                                   cudaMemcpyDeviceToDevice, on));
  return {s.llrs.data(), llrs.size, s.device, on};
}

void GpuUlschDecoder::enqueue_prepared(std::span<GpuUlschDecoder* const> decoders, void* stream) {
  if (decoders.empty()) {
    return;
  }
  const Impl& first = *decoders.front()->impl_;
  for (auto it = decoders.begin(); it != decoders.end(); ++it) {
    // Twice in one batch, its TB would be decoded twice and combined twice into its HARQ buffer.
    if (std::find(decoders.begin(), it, *it) != it) {
      throw std::logic_error("GpuUlschDecoder::enqueue_prepared: a decoder twice in the batch");
    }
    const Impl& s = *(*it)->impl_;
    if (!s.pending.active || !s.pending.prepared_only) {
      throw std::logic_error("GpuUlschDecoder::enqueue_prepared: a decoder without a prepared "
                             "transport block");
    }
    if (s.device != first.device || s.rate_recovery_in_ldpc != first.rate_recovery_in_ldpc ||
        s.code_block_pairs != first.code_block_pairs) {
      throw std::logic_error("GpuUlschDecoder::enqueue_prepared: decoders of different devices, "
                             "rate recovery or code block pair settings");
    }
  }
  make_device_current(first.device);
  try {
    Impl::enqueue_batch(decoders, stream_or(stream, first.stream));
  } catch (...) {
    for (GpuUlschDecoder* decoder : decoders) {
      decoder->impl_->pending = {};
    }
    throw;
  }
}

bool GpuUlschDecoder::has_enqueued_tb() const {
  return impl_->pending.active;
}

phy::UlschDecoderResult GpuUlschDecoder::finish() {
  return impl_->finish();
}

void GpuUlschDecoder::cancel() {
  impl_->pending = {};
}

void GpuUlschDecoder::set_stage_timing(bool timing) {
  impl_->stage_timing = timing;
}

GpuUlschTimes GpuUlschDecoder::last_times() const {
  return impl_->times;
}

void GpuUlschDecoder::set_outputs_in_host_memory(bool in_host) {
  if (impl_->pending.active) {
    throw std::logic_error("GpuUlschDecoder: a transport block is enqueued (finish() it first)");
  }
  impl_->outputs_in_host_memory = in_host;
}

void GpuUlschDecoder::set_rate_recovery_in_ldpc(bool in_ldpc) {
  if (impl_->pending.active) {
    throw std::logic_error("GpuUlschDecoder: a transport block is enqueued (finish() it first)");
  }
  impl_->rate_recovery_in_ldpc = in_ldpc;
}

void GpuUlschDecoder::set_code_block_pairs(bool pairs) {
  if (impl_->pending.active) {
    throw std::logic_error("GpuUlschDecoder: a transport block is enqueued (finish() it first)");
  }
  if (pairs) {
    detail::check_pairs_fit(impl_->pair_shared_limit, "GpuUlschDecoder");
  }
  impl_->code_block_pairs = pairs;
}

} // namespace airan::gpu
