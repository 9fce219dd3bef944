/// \file
/// \brief Scalar reference kernels of the IQ compressor: block floating point (CUS Annex A.1)
/// with any mantissa width 1..16, and 16-bit big-endian without compression.
#include "bfp_compression_kernels.h"

namespace airan::io::detail {

namespace {

/// Writes 24 mantissas of \p width bits, most significant bit first.
void pack_mantissas(const int* mantissas, unsigned width, std::uint8_t* out) {
  const std::uint32_t mask = (1U << width) - 1;
  std::uint64_t bits = 0;
  unsigned num_bits = 0;
  for (std::size_t i = 0; i < iq_values_per_prb; ++i) {
    bits = (bits << width) | (static_cast<std::uint32_t>(mantissas[i]) & mask);
    num_bits += width;
    while (num_bits >= 8) {
      num_bits -= 8;
      *out++ = static_cast<std::uint8_t>(bits >> num_bits);
    }
  }
}

/// Reads 24 sign-extended mantissas of \p width bits.
void unpack_mantissas(const std::uint8_t* in, unsigned width, int* mantissas) {
  std::uint32_t bits = 0;
  unsigned num_bits = 0;
  for (std::size_t i = 0; i < iq_values_per_prb; ++i) {
    while (num_bits < width) {
      bits = (bits << 8) | *in++;
      num_bits += 8;
    }
    num_bits -= width;
    const std::uint32_t raw = (bits >> num_bits) << (32 - width);
    mantissas[i] = static_cast<std::int32_t>(raw) >> (32 - width);
  }
}

void write_prb(const int* mantissas, unsigned exponent, unsigned width, std::uint8_t* out) {
  out[0] = static_cast<std::uint8_t>(exponent);
  pack_mantissas(mantissas, width, out + 1);
}

void compress_prb(const std::int16_t* values, unsigned width, std::uint8_t* out) {
  const unsigned exponent = bfp_exponent_of(values, width);
  int mantissas[iq_values_per_prb];
  for (std::size_t i = 0; i < iq_values_per_prb; ++i) {
    mantissas[i] = bfp_mantissa(values[i], exponent, width);
  }
  write_prb(mantissas, exponent, width, out);
}

void scalar_compress_i16(const std::int16_t* iq, std::size_t num_prbs, unsigned width,
                         std::uint8_t* out) {
  for (std::size_t p = 0; p < num_prbs; ++p) {
    compress_prb(iq + p * iq_values_per_prb, width, out + p * bfp_prb_size(width));
  }
}

void scalar_decompress_i16(const std::uint8_t* in, std::size_t num_prbs, unsigned width,
                           std::int16_t* iq) {
  for (std::size_t p = 0; p < num_prbs; ++p) {
    const std::uint8_t* prb = in + p * bfp_prb_size(width);
    const unsigned exponent = prb[0] & 0x0F; // the high nibble is reserved
    int mantissas[iq_values_per_prb];
    unpack_mantissas(prb + 1, width, mantissas);
    for (std::size_t i = 0; i < iq_values_per_prb; ++i) {
      iq[p * iq_values_per_prb + i] = bfp_expand_to_int16(mantissas[i], exponent);
    }
  }
}

void scalar_compress_f32(const float* iq, std::size_t num_prbs, unsigned width, float scale,
                         std::uint8_t* out) {
  const auto mantissa_scales = bfp_mantissa_scales(scale);
  for (std::size_t p = 0; p < num_prbs; ++p) {
    const float* x = iq + p * iq_values_per_prb;
    std::int16_t values[iq_values_per_prb];
    for (std::size_t i = 0; i < iq_values_per_prb; ++i) {
      values[i] = quantize_to_int16(x[i], scale);
    }
    const unsigned exponent = bfp_exponent_of(values, width);
    int mantissas[iq_values_per_prb];
    for (std::size_t i = 0; i < iq_values_per_prb; ++i) {
      mantissas[i] = bfp_mantissa_of_float(x[i], mantissa_scales[exponent], width);
    }
    write_prb(mantissas, exponent, width, out + p * bfp_prb_size(width));
  }
}

void scalar_decompress_f32(const std::uint8_t* in, std::size_t num_prbs, unsigned width,
                           float scale, float* iq) {
  const auto scales = bfp_exponent_scales(scale);
  for (std::size_t p = 0; p < num_prbs; ++p) {
    const std::uint8_t* prb = in + p * bfp_prb_size(width);
    const float factor = scales[prb[0] & 0x0F];
    int mantissas[iq_values_per_prb];
    unpack_mantissas(prb + 1, width, mantissas);
    for (std::size_t i = 0; i < iq_values_per_prb; ++i) {
      iq[p * iq_values_per_prb + i] = static_cast<float>(mantissas[i]) * factor;
    }
  }
}

void scalar_pack_i16(const std::int16_t* iq, std::size_t num_values, std::uint8_t* out) {
  for (std::size_t i = 0; i < num_values; ++i) {
    const auto v = static_cast<std::uint16_t>(iq[i]);
    out[2 * i] = static_cast<std::uint8_t>(v >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(v);
  }
}

void scalar_unpack_i16(const std::uint8_t* in, std::size_t num_values, std::int16_t* iq) {
  for (std::size_t i = 0; i < num_values; ++i) {
    iq[i] = static_cast<std::int16_t>(in[2 * i] << 8 | in[2 * i + 1]);
  }
}

void scalar_pack_f32(const float* iq, std::size_t num_values, float scale, std::uint8_t* out) {
  for (std::size_t i = 0; i < num_values; ++i) {
    const auto v = static_cast<std::uint16_t>(quantize_to_int16(iq[i], scale));
    out[2 * i] = static_cast<std::uint8_t>(v >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(v);
  }
}

void scalar_unpack_f32(const std::uint8_t* in, std::size_t num_values, float scale, float* iq) {
  for (std::size_t i = 0; i < num_values; ++i) {
    iq[i] = static_cast<float>(static_cast<std::int16_t>(in[2 * i] << 8 | in[2 * i + 1])) * scale;
  }
}

const BfpKernels scalar_kernels{BfpImpl::scalar,     scalar_compress_i16,   scalar_decompress_i16,
                                scalar_compress_f32, scalar_decompress_f32, scalar_pack_i16,
                                scalar_unpack_i16,   scalar_pack_f32,       scalar_unpack_f32};

} // namespace

const BfpKernels& bfp_scalar_kernels() {
  return scalar_kernels;
}

} // namespace airan::io::detail
