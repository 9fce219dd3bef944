/// \file
/// \brief CSI part 2 sized from CSI part 1 (TS 38.212 6.3.2.1.2 and 6.3.1.1.2: the size of a CSI
/// report's part 2, e.g. its PMI, depends on part 1 fields such as the rank indicator; SCF FAPI
/// csiPart2BitLength 0xFFFF).
///
/// The gNB knows the part 2 size only once it has decoded part 1: each report of the PUSCH names
/// the part 1 fields its part 2 depends on and a map of the cell (FAPI CONFIG.request UCI
/// configuration) from their values to the part 2 size. The fields' values are concatenated, the
/// first field's most significant bit first, into the index of the map; O_CSI-2 is the sum of
/// the sizes of every report's part 2 (the parts follow one another in the order of the
/// reports). The UE's priority-based omission of part 2 (TS 38.214 5.2.3) is not modelled.
#pragma once

#include "airan/phy/types.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace airan::phy {

/// A field of CSI part 1: payload bits [offset, offset + bits), the first the most significant.
struct CsiPart1Field {
  std::uint16_t offset = 0;
  std::uint8_t bits = 0;
  friend bool operator==(const CsiPart1Field&, const CsiPart1Field&) = default;
};

/// How the part 2 of one CSI report follows from CSI part 1 (one part 2 of the FAPI PDU's "UCI
/// information for determining UCI Part1 to Part2 correspondence").
struct CsiPart2SizeRule {
  static constexpr unsigned max_fields = 4; ///< FAPI numPart1Params 1 .. 4.
  std::array<CsiPart1Field, max_fields> fields{};
  std::uint8_t num_fields = 0;
  std::uint16_t map_index = 0; ///< Into the cell's CsiPart2SizeMap list (FAPI part2SizeMapIndex).

  [[nodiscard]] std::span<const CsiPart1Field> used_fields() const {
    return std::span(fields).first(num_fields);
  }
  friend bool operator==(const CsiPart2SizeRule&, const CsiPart2SizeRule&) = default;
};

/// The CSI part 2 sizing of one PUSCH: one rule per CSI report (none: part 2 is not sized from
/// part 1). Plain data, so that a PuschConfig stays free of heap memory.
struct CsiPart2Sizing {
  static constexpr unsigned max_reports = 8; ///< CSI reports a PUSCH may size this way.
  std::array<CsiPart2SizeRule, max_reports> reports{};
  std::uint8_t num_reports = 0;

  [[nodiscard]] bool empty() const { return num_reports == 0; }
  [[nodiscard]] std::span<const CsiPart2SizeRule> used_reports() const {
    return std::span(reports).first(num_reports);
  }
  friend bool operator==(const CsiPart2Sizing&, const CsiPart2Sizing&) = default;
};

/// One map of the cell (FAPI CONFIG.request TLV 0x1036, one of numUci2Maps): the bit widths of
/// the part 1 fields it is indexed by (sizesPart1Params) and the part 2 size for each of the
/// 2^(sum of the widths) values of their concatenation (map).
struct CsiPart2SizeMap {
  static constexpr unsigned max_index_bits = 12; ///< Sum of the field widths at most.
  std::vector<std::uint8_t> field_bits;
  std::vector<std::uint16_t> part2_bits;

  /// Empty when valid (1 .. 4 fields of 1 or more bits, at most max_index_bits together,
  /// 2^(sum) sizes of at most 1706 bits each), otherwise what is wrong.
  [[nodiscard]] std::string validate() const;
  friend bool operator==(const CsiPart2SizeMap&, const CsiPart2SizeMap&) = default;
};

/// Empty when \p sizing can size a CSI part 2 after a part 1 of \p csi_part1_bits bits with
/// \p maps (each rule's map exists, its fields lie inside part 1 and have the map's widths, and
/// the largest total is a UCI payload), otherwise what is wrong. Checks of the maps themselves
/// beyond their shape are CsiPart2SizeMap::validate()'s. Allocates only to report an error.
[[nodiscard]] std::string validate_csi_part2_sizing(const CsiPart2Sizing& sizing,
                                                    std::span<const CsiPart2SizeMap> maps,
                                                    unsigned csi_part1_bits);

/// O_CSI-2 for the decoded CSI part 1 \p part1, by \p sizing and \p maps (which
/// validate_csi_part2_sizing() accepts for part1.size() bits).
[[nodiscard]] unsigned csi_part2_bits_from_part1(std::span<const bit_t> part1,
                                                 const CsiPart2Sizing& sizing,
                                                 std::span<const CsiPart2SizeMap> maps);

} // namespace airan::phy
