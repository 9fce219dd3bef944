// GpuUlschDecoder and GpuHarqSoftMemory in a build without CUDA: the constructors say so; nothing
// else is reachable.
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "built_without_cuda.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuUlschDecoder::Impl {};

GpuHarqSoftMemory::GpuHarqSoftMemory(unsigned num_buffers, std::size_t soft_bits_per_buffer,
                                     int device)
    : num_buffers_(num_buffers), soft_bits_per_buffer_(soft_bits_per_buffer), device_(device) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
GpuHarqSoftMemory::~GpuHarqSoftMemory() { // NOLINT(performance-trivially-destructible)
  data_ = nullptr;
}
float* GpuHarqSoftMemory::buffer(unsigned) const {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuHarqSoftMemory::download(unsigned, std::span<float>) const {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): the signature of the CUDA build
GpuUlschDecoder::GpuUlschDecoder(std::uint32_t, std::shared_ptr<GpuHarqSoftMemory>, int,
                                 std::size_t) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
GpuUlschDecoder::~GpuUlschDecoder() = default;
GpuUlschDecoder::GpuUlschDecoder(GpuUlschDecoder&&) noexcept = default;
GpuUlschDecoder& GpuUlschDecoder::operator=(GpuUlschDecoder&&) noexcept = default;
phy::UlschDecoderResult GpuUlschDecoder::decode(std::span<const float>,
                                                const phy::UlschDecoderConfig&,
                                                std::span<phy::bit_t>) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
phy::UlschDecoderResult GpuUlschDecoder::decode(std::span<const float>,
                                                const phy::UlschDecoderConfig&,
                                                phy::HarqSoftBuffer&, std::span<phy::bit_t>) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
int GpuUlschDecoder::llr_device() const {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
phy::UlschDecoderResult GpuUlschDecoder::decode_device(const phy::DeviceLlrs&,
                                                       const phy::UlschDecoderConfig&,
                                                       phy::HarqSoftBuffer&,
                                                       std::span<phy::bit_t>) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::enqueue_device(const phy::DeviceLlrs&, const phy::UlschDecoderConfig&,
                                     phy::HarqSoftBuffer&, std::span<phy::bit_t>, void*) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::enqueue_device_bytes(const phy::DeviceLlrs&, const phy::UlschDecoderConfig&,
                                           phy::HarqSoftBuffer&, std::span<std::uint8_t>, void*) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::prepare_device_bytes(const phy::DeviceLlrs&, const phy::UlschDecoderConfig&,
                                           phy::HarqSoftBuffer&, std::span<std::uint8_t>) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
phy::DeviceLlrs GpuUlschDecoder::keep_device_llrs(const phy::DeviceLlrs&, void*) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::enqueue_prepared(std::span<GpuUlschDecoder* const>, void*) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
bool GpuUlschDecoder::has_enqueued_tb() const {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
phy::UlschDecoderResult GpuUlschDecoder::finish() {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::cancel() {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
GpuUlschTimes GpuUlschDecoder::last_times() const {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::set_outputs_in_host_memory(bool) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::set_code_block_pairs(bool) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::set_rate_recovery_in_ldpc(bool) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}
void GpuUlschDecoder::set_stage_timing(bool) {
  detail::throw_built_without_cuda("GpuUlschDecoder");
}

phy::UlschDecoderFactory make_gpu_ulsch_decoder_factory(int device) {
  phy::UlschDecoderFactory factory;
  factory.harq_storage = phy::HarqStorage::external;
  factory.make = [device](std::uint32_t max_tbs, const phy::HarqBufferPool&) {
    return std::unique_ptr<phy::UlschDecoder>(
        std::make_unique<GpuUlschDecoder>(max_tbs, nullptr, device));
  };
  return factory;
}

} // namespace airan::gpu
