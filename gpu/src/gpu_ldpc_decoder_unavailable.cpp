// GpuLdpcDecoder in a build without CUDA: the constructor says so; nothing else is reachable.
#include "airan/gpu/gpu_ldpc_decoder.h"
#include "built_without_cuda.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuLdpcDecoder::Impl {};

GpuLdpcDecoder::GpuLdpcDecoder(unsigned, int, unsigned) {
  detail::throw_built_without_cuda("GpuLdpcDecoder");
}
GpuLdpcDecoder::~GpuLdpcDecoder() = default;
GpuLdpcDecoder::GpuLdpcDecoder(GpuLdpcDecoder&&) noexcept = default;
GpuLdpcDecoder& GpuLdpcDecoder::operator=(GpuLdpcDecoder&&) noexcept = default;
void GpuLdpcDecoder::decode(std::span<const GpuLdpcJob>, std::span<phy::LdpcDecoderResult>) {
  detail::throw_built_without_cuda("GpuLdpcDecoder");
}
void GpuLdpcDecoder::set_code_block_pairs(bool) {
  detail::throw_built_without_cuda("GpuLdpcDecoder");
}
void GpuLdpcDecoder::set_edge_keeping(GpuLdpcEdgeKeeping) {
  detail::throw_built_without_cuda("GpuLdpcDecoder");
}
float GpuLdpcDecoder::last_kernel_us() const {
  detail::throw_built_without_cuda("GpuLdpcDecoder");
}
unsigned GpuLdpcDecoder::max_code_blocks() const {
  detail::throw_built_without_cuda("GpuLdpcDecoder");
}
std::string GpuLdpcDecoder::description() const {
  detail::throw_built_without_cuda("GpuLdpcDecoder");
}

phy::LdpcBatchDecoderFactory make_gpu_ldpc_batch_decoder_factory(int device) {
  return [device](unsigned max_code_blocks) -> std::unique_ptr<phy::LdpcBatchDecoder> {
    return std::make_unique<GpuLdpcDecoder>(max_code_blocks, device);
  };
}

} // namespace airan::gpu
