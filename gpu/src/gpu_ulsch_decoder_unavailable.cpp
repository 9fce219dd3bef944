// GpuUlschDecoder and GpuHarqSoftMemory in a build without CUDA: the constructors say so; nothing
// else is reachable.
#include "airan/gpu/gpu_ulsch_decoder.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuUlschDecoder::Impl {};

namespace {
[[noreturn]] void unavailable() {
  throw std::runtime_error("GpuUlschDecoder: airan was built without CUDA");
}
} // namespace

GpuHarqSoftMemory::GpuHarqSoftMemory(unsigned num_buffers, std::size_t soft_bits_per_buffer,
                                     int device)
    : num_buffers_(num_buffers), soft_bits_per_buffer_(soft_bits_per_buffer), device_(device) {
  unavailable();
}
GpuHarqSoftMemory::~GpuHarqSoftMemory() { // NOLINT(performance-trivially-destructible)
  data_ = nullptr;
}
float* GpuHarqSoftMemory::buffer(unsigned) const {
  unavailable();
}
void GpuHarqSoftMemory::download(unsigned, std::span<float>) const {
  unavailable();
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): the signature of the CUDA build
GpuUlschDecoder::GpuUlschDecoder(std::uint32_t, std::shared_ptr<GpuHarqSoftMemory>, int,
                                 std::size_t) {
  unavailable();
}
GpuUlschDecoder::~GpuUlschDecoder() = default;
GpuUlschDecoder::GpuUlschDecoder(GpuUlschDecoder&&) noexcept = default;
GpuUlschDecoder& GpuUlschDecoder::operator=(GpuUlschDecoder&&) noexcept = default;
phy::UlschDecoderResult GpuUlschDecoder::decode(std::span<const float>,
                                                const phy::UlschDecoderConfig&,
                                                std::span<phy::bit_t>) {
  unavailable();
}
phy::UlschDecoderResult GpuUlschDecoder::decode(std::span<const float>,
                                                const phy::UlschDecoderConfig&,
                                                phy::HarqSoftBuffer&, std::span<phy::bit_t>) {
  unavailable();
}
int GpuUlschDecoder::llr_device() const {
  unavailable();
}
phy::UlschDecoderResult GpuUlschDecoder::decode_device(const phy::DeviceLlrs&,
                                                       const phy::UlschDecoderConfig&,
                                                       phy::HarqSoftBuffer&,
                                                       std::span<phy::bit_t>) {
  unavailable();
}
void GpuUlschDecoder::enqueue_device(const phy::DeviceLlrs&, const phy::UlschDecoderConfig&,
                                     phy::HarqSoftBuffer&, std::span<phy::bit_t>, void*) {
  unavailable();
}
void GpuUlschDecoder::enqueue_device_bytes(const phy::DeviceLlrs&, const phy::UlschDecoderConfig&,
                                           phy::HarqSoftBuffer&, std::span<std::uint8_t>, void*) {
  unavailable();
}
void GpuUlschDecoder::prepare_device_bytes(const phy::DeviceLlrs&, const phy::UlschDecoderConfig&,
                                           phy::HarqSoftBuffer&, std::span<std::uint8_t>) {
  unavailable();
}
phy::DeviceLlrs GpuUlschDecoder::keep_device_llrs(const phy::DeviceLlrs&, void*) {
  unavailable();
}
void GpuUlschDecoder::enqueue_prepared(std::span<GpuUlschDecoder* const>, void*) {
  unavailable();
}
bool GpuUlschDecoder::has_enqueued_tb() const {
  unavailable();
}
phy::UlschDecoderResult GpuUlschDecoder::finish() {
  unavailable();
}
void GpuUlschDecoder::cancel() {
  unavailable();
}
GpuUlschTimes GpuUlschDecoder::last_times() const {
  unavailable();
}
void GpuUlschDecoder::set_outputs_in_host_memory(bool) {
  unavailable();
}
void GpuUlschDecoder::set_code_block_pairs(bool) {
  unavailable();
}
void GpuUlschDecoder::set_rate_recovery_in_ldpc(bool) {
  unavailable();
}
void GpuUlschDecoder::set_stage_timing(bool) {
  unavailable();
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
