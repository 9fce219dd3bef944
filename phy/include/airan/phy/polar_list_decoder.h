/// \file
/// \brief CRC-aided successive-cancellation list (SCL) decoding of the polar codes of
/// polar_code.h, with the parity-check bits of TS 38.212 5.3.1.2 followed along each path.
///
/// LLR-based SCL (min-sum node updates, path metrics that add |LLR| when a path's bit
/// disagrees with its LLR's sign). Storage for the largest uplink code and the list is
/// allocated at construction; decode() does not allocate.
#pragma once

#include "airan/phy/crc_calculator.h"
#include "airan/phy/polar_code.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <span>
#include <vector>

namespace airan::phy {

/// Decodes one polar code block at a time with a list of paths.
class PolarListDecoder {
public:
  /// Most paths a decoder keeps.
  static constexpr unsigned max_list_size = 32;

  /// \param list_size Paths kept (1 is successive cancellation); 1..max_list_size.
  /// \throws std::invalid_argument for another list size.
  explicit PolarListDecoder(unsigned list_size = 8);

  [[nodiscard]] unsigned list_size() const { return list_size_; }

  /// Decodes \p coded_llrs (N LLRs of d, positive for 0: polar_rate_recover()) and writes the
  /// K decoded bits c_0 .. (payload then CRC) to \p bits: those of the most likely of the
  /// \p crc_candidates most likely paths whose last crc.length() bits are the CRC of the bits
  /// before them, or of the most likely path when none is. Each candidate tried adds a chance
  /// of 2^-L that noise passes: a short CRC is better kept for error detection alone (1
  /// candidate) while parity-check bits guide the list. The first \p known_zero_bits bits are
  /// known to be 0 (filler bits) and are decoded as such. Returns true when the CRC of the
  /// written bits holds.
  /// \throws std::invalid_argument on sizes (N above polar_max_code_length, K below the CRC).
  bool decode(const PolarCode& code, std::span<const float> coded_llrs, const CrcCalculator& crc,
              std::span<bit_t> bits, unsigned known_zero_bits = 0,
              unsigned crc_candidates = max_list_size);

private:
  struct Path {
    float metric = 0;
    std::uint8_t reg = 0; ///< The parity-check register y_0 (bit 0) .. y_4.
    bool active = false;
  };
  void compute_leaf(unsigned path, unsigned i);
  void store_bit(unsigned path, unsigned i, bit_t u);
  void copy_path(unsigned from, unsigned to, unsigned i, unsigned decided_bits);
  [[nodiscard]] float* alpha(unsigned path, unsigned depth) {
    return alpha_.data() + std::size_t{path} * polar_max_code_length + alpha_offset_[depth];
  }
  [[nodiscard]] bit_t* partial(unsigned path, unsigned depth, unsigned side) {
    return partial_.data() + std::size_t{path} * 2 * polar_max_code_length +
           2 * alpha_offset_[depth] + (side << (log2_n_ - depth));
  }

  unsigned list_size_;
  unsigned log2_n_ = 0;
  std::span<const float> channel_;
  std::vector<unsigned> alpha_offset_; ///< Per depth 1..n: start of its 2^(n-depth) values.
  std::vector<float> alpha_;           ///< Per path: node LLRs of depths 1..n.
  std::vector<bit_t> partial_;         ///< Per path and depth: partial sums of both children.
  std::vector<bit_t> decided_;         ///< Per path: the K bits decided so far.
  std::vector<Path> paths_;
  std::vector<float> candidate_metrics_;
};

} // namespace airan::phy
