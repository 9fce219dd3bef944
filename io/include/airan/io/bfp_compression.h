/// \file
/// \brief IQ compression of O-RAN U-plane PRBs (CUS Annex A): no compression (16-bit big-endian
/// I and Q) and block floating point (A.1) with 1..16-bit mantissas; scalar reference and AVX2 /
/// AVX-512 implementations chosen at run time, all bit-exact with each other.
///
/// A PRB is 12 resource elements, 24 values I0, Q0, I1, Q1, ... BFP writes one byte of
/// udCompParam (4 reserved bits, 4-bit exponent e) and the 24 mantissas bit-packed big-endian,
/// 3 * width bytes; a value decompresses to mantissa * 2^e.
///
/// Exponent selection (the compressor side, which A.1 leaves open): e is the smallest shift
/// that makes every rounded value fit in width-bit two's complement, e = max(0, b - width)
/// where b = bit_width(max(v >= 0 ? v : -v - 1)) + 1 is the two's-complement width of the
/// PRB's widest value. Mantissas are (v + 2^(e-1)) >> e, rounded half up and saturated at
/// 2^(width-1) - 1 (only a value within half a step of the top can need it).
///
/// Float interface: a cf32 value x stands for x * 32768 / full_scale in int16 units (so
/// full_scale is the amplitude of int16 full scale; the default 1.0 maps [-1, 1) onto the
/// int16 range). The exponent is chosen as above from the values rounded to nearest (ties to
/// even) and saturated to [-32768, 32767] (NaN becomes 32767); the mantissas are then rounded
/// once, straight from the float: x * 32768 / full_scale / 2^e to nearest even, saturated to
/// the width (a second rounding through int16 would add a quarter LSB^2 of error). Uncompressed
/// output is the rounded int16. Decompression returns mantissa * 2^e * full_scale / 32768,
/// without saturation.
#pragma once

#include "airan/io/oran_common.h"
#include "airan/phy/types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace airan::io {

/// Values (I and Q) in one PRB: 12 resource elements of 2.
inline constexpr std::size_t iq_values_per_prb = 24;

/// Default full_scale of the float interface.
inline constexpr float iq_full_scale = 1.0F;

/// Range of full_scale the float interface takes, 2^-60 .. 2^60: both 32768 / full_scale and
/// full_scale / 32768 stay normal floats (below about 1e-34, 32768 / full_scale is infinite and
/// a zero PRB became NaN, then full scale).
inline constexpr float iq_full_scale_min = 0x1p-60F;
inline constexpr float iq_full_scale_max = 0x1p60F;

/// Whether \p full_scale lies in [iq_full_scale_min, iq_full_scale_max] (NaN does not).
constexpr bool iq_full_scale_valid(float full_scale) {
  return full_scale >= iq_full_scale_min && full_scale <= iq_full_scale_max;
}

/// Bytes of one BFP PRB of \p width-bit mantissas: exponent byte + 3 * width.
constexpr std::size_t bfp_prb_size(unsigned width) {
  return 1 + 3 * std::size_t{width};
}

/// BFP exponent the compressors choose for one PRB (the rule in the file comment).
unsigned bfp_exponent(std::span<const std::int16_t, iq_values_per_prb> prb, unsigned width);

/// Implementations of IqCompressor.
enum class BfpImpl {
  automatic, ///< The fastest one the CPU supports.
  scalar,    ///< Portable C++, the reference.
  avx2,      ///< 256-bit, widths 8, 9, 12, 14 and 16 (others use the scalar code).
  avx512,    ///< AVX-512F/BW/VBMI for int16 and float compression, same widths; the
             ///< memory-bound float decompression and no compression run the AVX2 loops.
};

/// Name of \p impl ("automatic", "scalar", "avx2", "avx512").
std::string_view to_string(BfpImpl impl);

/// Whether this build and CPU can run \p impl (automatic and scalar always can).
bool bfp_impl_supported(BfpImpl impl);

/// Every concrete implementation this CPU runs, scalar first.
std::vector<BfpImpl> bfp_supported_impls();

/// Compresses and decompresses whole PRBs for udCompMeth none (width 16 only) and block
/// floating point (widths 1..16). Sizes must match exactly: \p iq holds a multiple of 24 values
/// (a multiple of 12 resource elements) and the compressed side num_prbs * the PRB size
/// (compressed_prb_size()). Nothing is allocated.
class IqCompressor {
public:
  virtual ~IqCompressor() = default;

  [[nodiscard]] virtual BfpImpl impl() const = 0;

  /// int16 I/Q values (I0, Q0, I1, Q1, ...) to compressed PRBs.
  /// \throws std::invalid_argument on an unsupported compression or mismatched sizes.
  virtual void compress(std::span<const std::int16_t> iq, const IqCompression& compression,
                        std::span<std::uint8_t> out) const = 0;

  /// Compressed PRBs to int16 values (BFP results beyond int16 saturate; only a foreign
  /// compressor produces them). \throws std::invalid_argument as compress().
  virtual void decompress(std::span<const std::uint8_t> in, const IqCompression& compression,
                          std::span<std::int16_t> iq) const = 0;

  /// Resource elements to compressed PRBs, through the full-scale mapping of the file comment.
  virtual void compress(std::span<const phy::cf32> re, const IqCompression& compression,
                        float full_scale, std::span<std::uint8_t> out) const = 0;

  /// Compressed PRBs to resource elements.
  virtual void decompress(std::span<const std::uint8_t> in, const IqCompression& compression,
                          float full_scale, std::span<phy::cf32> re) const = 0;
};

/// Creates the compressor \p impl (automatic: the fastest supported).
/// \throws std::invalid_argument when this CPU cannot run \p impl.
std::unique_ptr<IqCompressor> create_iq_compressor(BfpImpl impl = BfpImpl::automatic);

} // namespace airan::io
