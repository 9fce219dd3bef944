/// \file
/// \brief CSI part 2 sized from CSI part 1 (see csi_part2_sizing.h).
#include "airan/phy/csi_part2_sizing.h"

#include <algorithm>

namespace airan::phy {
namespace {

constexpr unsigned max_uci_payload_bits = 1706; // TS 38.212 6.3.1.2.1

std::string str(std::size_t value) {
  return std::to_string(value);
}

unsigned index_bits(const CsiPart2SizeMap& map) {
  unsigned sum = 0;
  for (const std::uint8_t bits : map.field_bits) {
    sum += bits;
  }
  return sum;
}

} // namespace

std::string CsiPart2SizeMap::validate() const {
  if (field_bits.empty() || field_bits.size() > CsiPart2SizeRule::max_fields) {
    return "a CSI part 2 size map is indexed by 1 to 4 part 1 fields, not " +
           str(field_bits.size());
  }
  if (std::ranges::find(field_bits, std::uint8_t{0}) != field_bits.end()) {
    return "a part 1 field of a CSI part 2 size map has 0 bits";
  }
  const unsigned bits = index_bits(*this);
  if (bits > max_index_bits) {
    return "the part 1 fields of a CSI part 2 size map have " + str(bits) + " bits together, " +
           "more than the " + str(max_index_bits) + " supported";
  }
  if (part2_bits.size() != (std::size_t{1} << bits)) {
    return "a CSI part 2 size map indexed by " + str(bits) + " bits needs " +
           str(std::size_t{1} << bits) + " sizes, not " + str(part2_bits.size());
  }
  if (const auto largest = std::ranges::max(part2_bits); largest > max_uci_payload_bits) {
    return "a CSI part 2 size map gives " + str(largest) + " bits, more than a UCI payload (" +
           str(max_uci_payload_bits) + ")";
  }
  return {};
}

std::string validate_csi_part2_sizing(const CsiPart2Sizing& sizing,
                                      std::span<const CsiPart2SizeMap> maps,
                                      unsigned csi_part1_bits) {
  if (sizing.num_reports > CsiPart2Sizing::max_reports) {
    return "CSI part 2 sized by " + str(sizing.num_reports) + " reports, more than the " +
           str(CsiPart2Sizing::max_reports) + " supported";
  }
  // Messages are only built for a rule that fails (this runs for every such PDU).
  const auto report = [](std::size_t r) {
    return "CSI report " + str(r) + " (part 2 sized from part 1): ";
  };
  std::size_t largest_total = 0;
  for (std::size_t r = 0; r < sizing.num_reports; ++r) {
    const CsiPart2SizeRule& rule = sizing.reports[r];
    if (rule.num_fields == 0 || rule.num_fields > CsiPart2SizeRule::max_fields) {
      return report(r) + "1 to 4 part 1 fields, not " + str(rule.num_fields);
    }
    if (rule.map_index >= maps.size()) {
      return report(r) + "size map " + str(rule.map_index) + " is not configured (the cell has " +
             str(maps.size()) + ")";
    }
    const CsiPart2SizeMap& map = maps[rule.map_index];
    if (map.field_bits.size() != rule.num_fields) {
      return report(r) + str(rule.num_fields) + " part 1 fields, but size map " +
             str(rule.map_index) + " is indexed by " + str(map.field_bits.size());
    }
    for (std::size_t f = 0; f < rule.num_fields; ++f) {
      const CsiPart1Field& field = rule.fields[f];
      if (field.bits != map.field_bits[f]) {
        return report(r) + "part 1 field " + str(f) + " has " + str(field.bits) +
               " bits, size map " + str(rule.map_index) + " " + str(map.field_bits[f]);
      }
      if (std::size_t{field.offset} + field.bits > csi_part1_bits) {
        return report(r) + "part 1 field " + str(f) + " (bits " + str(field.offset) + " .. " +
               str(field.offset + field.bits - 1U) + ") lies beyond CSI part 1's " +
               str(csi_part1_bits) + " bits";
      }
    }
    const unsigned bits = index_bits(map);
    if (bits > CsiPart2SizeMap::max_index_bits ||
        map.part2_bits.size() != (std::size_t{1} << bits)) {
      std::string message = report(r) + "size map " + str(rule.map_index) + ": ";
      message += map.validate();
      return message;
    }
    largest_total += std::ranges::max(map.part2_bits);
  }
  if (largest_total > max_uci_payload_bits) {
    return "the CSI reports' part 2s can reach " + str(largest_total) +
           " bits together, more than a UCI payload (" + str(max_uci_payload_bits) + ")";
  }
  return {};
}

unsigned csi_part2_bits_from_part1(std::span<const bit_t> part1, const CsiPart2Sizing& sizing,
                                   std::span<const CsiPart2SizeMap> maps) {
  unsigned total = 0;
  for (const CsiPart2SizeRule& rule : sizing.used_reports()) {
    std::size_t index = 0;
    for (const CsiPart1Field& field : rule.used_fields()) {
      for (unsigned i = 0; i < field.bits; ++i) {
        index = (index << 1U) | (part1[field.offset + i] & 1U);
      }
    }
    total += maps[rule.map_index].part2_bits[index];
  }
  return total;
}

} // namespace airan::phy
