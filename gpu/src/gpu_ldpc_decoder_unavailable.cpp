// GpuLdpcDecoder in a build without CUDA: the constructor says so; nothing else is reachable.
#include "airan/gpu/gpu_ldpc_decoder.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuLdpcDecoder::Impl {};

namespace {
[[noreturn]] void unavailable() {
  throw std::runtime_error("GpuLdpcDecoder: airan was built without CUDA");
}
} // namespace

GpuLdpcDecoder::GpuLdpcDecoder(unsigned, int, unsigned) {
  unavailable();
}
GpuLdpcDecoder::~GpuLdpcDecoder() = default;
GpuLdpcDecoder::GpuLdpcDecoder(GpuLdpcDecoder&&) noexcept = default;
GpuLdpcDecoder& GpuLdpcDecoder::operator=(GpuLdpcDecoder&&) noexcept = default;
void GpuLdpcDecoder::decode(std::span<const GpuLdpcJob>, std::span<phy::LdpcDecoderResult>) {
  unavailable();
}
void GpuLdpcDecoder::set_code_block_pairs(bool) {
  unavailable();
}
void GpuLdpcDecoder::set_edge_keeping(GpuLdpcEdgeKeeping) {
  unavailable();
}
float GpuLdpcDecoder::last_kernel_us() const {
  unavailable();
}
unsigned GpuLdpcDecoder::max_code_blocks() const {
  unavailable();
}
std::string GpuLdpcDecoder::description() const {
  unavailable();
}

phy::LdpcBatchDecoderFactory make_gpu_ldpc_batch_decoder_factory(int device) {
  return [device](unsigned max_code_blocks) -> std::unique_ptr<phy::LdpcBatchDecoder> {
    return std::make_unique<GpuLdpcDecoder>(max_code_blocks, device);
  };
}

} // namespace airan::gpu
