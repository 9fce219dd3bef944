/// \file
/// \brief IqCompressor: argument checks, run-time choice of the kernels (CPU feature checks)
/// and the dispatch between no compression and block floating point.
#include "airan/io/bfp_compression.h"

#include "bfp_compression_kernels.h"

#include "airan/phy/cpu_features.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace airan::io {

namespace {

/// Checks \p compression and the sizes; returns the number of PRBs.
std::size_t checked_num_prbs(const IqCompression& compression, std::size_t num_values,
                             std::size_t num_bytes) {
  const bool supported =
      (compression.method == CompressionMethod::none && compression.iq_width == 16) ||
      (compression.method == CompressionMethod::block_floating_point && compression.iq_width >= 1 &&
       compression.iq_width <= 16);
  if (!supported) {
    throw std::invalid_argument("IQ compression: unsupported method " +
                                std::to_string(static_cast<unsigned>(compression.method)) +
                                " with width " + std::to_string(compression.iq_width));
  }
  const std::size_t prb_size = *compressed_prb_size(compression);
  if (num_values % iq_values_per_prb != 0 ||
      num_bytes != num_values / iq_values_per_prb * prb_size) {
    throw std::invalid_argument("IQ compression: " + std::to_string(num_values) + " values and " +
                                std::to_string(num_bytes) +
                                " bytes are not the same whole number of PRBs");
  }
  return num_values / iq_values_per_prb;
}

class KernelIqCompressor final : public IqCompressor {
public:
  explicit KernelIqCompressor(const detail::BfpKernels& kernels) : kernels_(kernels) {}

  [[nodiscard]] BfpImpl impl() const override { return kernels_.impl; }

  void compress(std::span<const std::int16_t> iq, const IqCompression& compression,
                std::span<std::uint8_t> out) const override {
    const std::size_t num_prbs = checked_num_prbs(compression, iq.size(), out.size());
    if (compression.method == CompressionMethod::none) {
      kernels_.pack_i16(iq.data(), iq.size(), out.data());
    } else {
      kernels_.compress_i16(iq.data(), num_prbs, compression.iq_width, out.data());
    }
  }

  void decompress(std::span<const std::uint8_t> in, const IqCompression& compression,
                  std::span<std::int16_t> iq) const override {
    const std::size_t num_prbs = checked_num_prbs(compression, iq.size(), in.size());
    if (compression.method == CompressionMethod::none) {
      kernels_.unpack_i16(in.data(), iq.size(), iq.data());
    } else {
      kernels_.decompress_i16(in.data(), num_prbs, compression.iq_width, iq.data());
    }
  }

  void compress(std::span<const phy::cf32> re, const IqCompression& compression, float full_scale,
                std::span<std::uint8_t> out) const override {
    const std::size_t num_values = 2 * re.size();
    const std::size_t num_prbs = checked_num_prbs(compression, num_values, out.size());
    const float scale = 32768.0F / checked_full_scale(full_scale);
    const auto* values = reinterpret_cast<const float*>(re.data());
    if (compression.method == CompressionMethod::none) {
      kernels_.pack_f32(values, num_values, scale, out.data());
    } else {
      kernels_.compress_f32(values, num_prbs, compression.iq_width, scale, out.data());
    }
  }

  void decompress(std::span<const std::uint8_t> in, const IqCompression& compression,
                  float full_scale, std::span<phy::cf32> re) const override {
    const std::size_t num_values = 2 * re.size();
    const std::size_t num_prbs = checked_num_prbs(compression, num_values, in.size());
    const float scale = checked_full_scale(full_scale) / 32768.0F;
    auto* values = reinterpret_cast<float*>(re.data());
    if (compression.method == CompressionMethod::none) {
      kernels_.unpack_f32(in.data(), num_values, scale, values);
    } else {
      kernels_.decompress_f32(in.data(), num_prbs, compression.iq_width, scale, values);
    }
  }

private:
  static float checked_full_scale(float full_scale) {
    if (!iq_full_scale_valid(full_scale)) {
      throw std::invalid_argument("IQ compression: full_scale must be 2^-60 .. 2^60");
    }
    return full_scale;
  }

  const detail::BfpKernels& kernels_;
};

} // namespace

unsigned bfp_exponent(std::span<const std::int16_t, iq_values_per_prb> prb, unsigned width) {
  if (width < 1 || width > 16) {
    throw std::invalid_argument("BFP: width must be 1..16");
  }
  return detail::bfp_exponent_of(prb.data(), width);
}

std::string_view to_string(BfpImpl impl) {
  switch (impl) {
  case BfpImpl::automatic:
    return "automatic";
  case BfpImpl::scalar:
    return "scalar";
  case BfpImpl::avx2:
    return "avx2";
  case BfpImpl::avx512:
    return "avx512";
  }
  return "unknown";
}

bool bfp_impl_supported(BfpImpl impl) {
  switch (impl) {
  case BfpImpl::avx2:
    return detail::bfp_avx2_kernels() != nullptr && phy::cpu_features().avx2;
  case BfpImpl::avx512:
    return detail::bfp_avx512_kernels() != nullptr && phy::cpu_features().avx512_vbmi();
  default:
    return true;
  }
}

std::vector<BfpImpl> bfp_supported_impls() {
  std::vector<BfpImpl> impls;
  for (const BfpImpl impl : {BfpImpl::scalar, BfpImpl::avx2, BfpImpl::avx512}) {
    if (bfp_impl_supported(impl)) {
      impls.push_back(impl);
    }
  }
  return impls;
}

std::unique_ptr<IqCompressor> create_iq_compressor(BfpImpl impl) {
  if (impl == BfpImpl::automatic) {
    impl = bfp_supported_impls().back();
  }
  if (!bfp_impl_supported(impl)) {
    throw std::invalid_argument("IQ compression: this CPU cannot run " +
                                std::string(to_string(impl)));
  }
  switch (impl) {
  case BfpImpl::avx2:
    return std::make_unique<KernelIqCompressor>(*detail::bfp_avx2_kernels());
  case BfpImpl::avx512:
    return std::make_unique<KernelIqCompressor>(*detail::bfp_avx512_kernels());
  default:
    return std::make_unique<KernelIqCompressor>(detail::bfp_scalar_kernels());
  }
}

} // namespace airan::io
