/// \file
/// \brief UCI payloads of 12 to 1706 bits on PUSCH (TS 38.212 6.3.2.2 to 6.3.2.5): code block
/// segmentation and CRC attachment, polar coding (n_max = 10, CRC6 with three parity-check bits
/// up to 19 bits, CRC11 above), rate matching with channel interleaving, and code block
/// concatenation; and their CRC-aided list decoding.
#pragma once

#include "airan/phy/crc_calculator.h"
#include "airan/phy/polar_code.h"
#include "airan/phy/polar_list_decoder.h"
#include "airan/phy/types.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace airan::phy {

/// Smallest UCI payload that is polar coded (smaller ones take the codes of 5.3.3).
inline constexpr unsigned uci_polar_min_payload_bits = 12;
/// Largest UCI payload (TS 38.212 6.3.1.2.1).
inline constexpr unsigned uci_polar_max_payload_bits = 1706;

/// How one UCI part of A bits is coded into E_UCI bits.
struct UciPolarLayout {
  unsigned num_segments = 1; ///< C: 2 when A >= 1013, or A >= 360 and E_UCI >= 1088.
  unsigned filler_bits = 0;  ///< A' - A: a 0 before the first segment when C does not divide A.
  unsigned crc_bits = 0;     ///< L: 6 for A <= 19, else 11.
  unsigned block_bits = 0;   ///< K = A'/C + L, per segment.
  unsigned rate_matched = 0; ///< E_r = floor(E_UCI / C), per segment.
  unsigned n_pc = 0;         ///< Parity-check bits: 3 with CRC6, else 0.
  unsigned n_pc_weight = 0;  ///< n_PC^wm.
  [[nodiscard]] CrcPolynomial crc() const {
    return crc_bits == 6 ? CrcPolynomial::crc6 : CrcPolynomial::crc11;
  }
};

/// The layout of \p payload_bits (12..1706) coded into \p coded_bits bits. Sizes are not checked.
UciPolarLayout uci_polar_layout(unsigned payload_bits, std::size_t coded_bits);

/// Empty when \p payload_bits can be polar coded into \p coded_bits, otherwise why not (each
/// segment needs at least K + n_PC rate-matched bits).
std::string uci_polar_size_error(unsigned payload_bits, std::size_t coded_bits);

/// Encodes \p payload (a_0 .., 12..1706 bits) into all of \p coded (E_UCI bits; with two
/// segments and an odd E_UCI the last bit is 0). \throws std::invalid_argument on sizes.
void encode_uci_polar(std::span<const bit_t> payload, std::span<bit_t> coded);

/// Decodes polar-coded UCI parts. Keeps the codes of the last sizes it met (six), so decoding a
/// size again does not allocate; a size past those is built into the storage of the least
/// recently used one, every kept code's storage grown to the largest code met, so that nothing
/// is allocated once the largest size in use has been met (more than six in rotation rebuilt a
/// code, five vectors, per part).
class UciPolarDecoder {
public:
  /// \param list_size Paths of the list decoder.
  explicit UciPolarDecoder(unsigned list_size = 8);

  /// Decodes \p llrs (the E_UCI LLRs of the part, positive for 0) into \p payload (A bits).
  /// Returns true when the CRC of every segment holds. \throws std::invalid_argument on sizes.
  bool decode(std::span<const float> llrs, std::span<bit_t> payload);

private:
  const PolarCode& code_for(const UciPolarLayout& layout);
  /// Grows \p code's storage to the largest code met (reserved_n_, reserved_e_).
  void reserve_code(PolarCode& code) const;

  PolarListDecoder decoder_;
  CrcCalculator crc6_;
  CrcCalculator crc11_;
  std::vector<PolarCode> codes_; ///< Most recently used last.
  PolarCodeScratch scratch_;
  unsigned reserved_n_ = 0; ///< Largest N met: every kept code's storage holds it.
  unsigned reserved_e_ = 0; ///< Largest E met.
  std::vector<float> coded_llrs_;
  std::vector<bit_t> block_;
};

} // namespace airan::phy
