/// \file
/// \brief The `uci.csi_part2_from_part1` key of a scenario's PUSCH (see
/// pusch_config_file_csi_part2.h).
#include "pusch_config_file_csi_part2.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>

namespace airan::io::pusch_config_file_detail {
namespace {

using namespace yaml_fields;

std::string str(std::size_t value) {
  return std::to_string(value);
}

/// `fields: [[offset, bits], ...]` of a report into \p rule and \p map.field_bits.
void parse_fields(const YAML::Node& node, const std::string& where, const Context& ctx,
                  phy::CsiPart2SizeRule& rule, phy::CsiPart2SizeMap& map) {
  if (!node.IsSequence() || node.size() == 0 || node.size() > phy::CsiPart2SizeRule::max_fields) {
    ctx.fail(where, "expected a list of 1 to " + str(phy::CsiPart2SizeRule::max_fields) +
                        " CSI part 1 fields [offset, bits]");
  }
  for (std::size_t f = 0; f < node.size(); ++f) {
    const std::string at = where + "[" + str(f) + "]";
    const YAML::Node& pair = node[f];
    if (!pair.IsSequence() || pair.size() != 2) {
      ctx.fail(at, "expected [offset, bits]: the field's first bit in CSI part 1 and its width");
    }
    phy::CsiPart1Field& field = rule.fields[f];
    field.offset = read_unsigned<std::uint16_t>(pair[0], at + "[0]", ctx,
                                                phy::PuschUciConfig::max_payload_bits - 1);
    field.bits =
        read_unsigned<std::uint8_t>(pair[1], at + "[1]", ctx, phy::CsiPart2SizeMap::max_index_bits);
    if (field.bits == 0) {
      ctx.fail(at + "[1]", "a field has 1 bit or more");
    }
    map.field_bits.push_back(field.bits);
  }
  rule.num_fields = static_cast<std::uint8_t>(node.size());
}

/// `part2_bits: [...]` of a report into \p map.part2_bits.
void parse_sizes(const YAML::Node& node, const std::string& where, const Context& ctx,
                 phy::CsiPart2SizeMap& map) {
  if (!node.IsSequence() || node.size() == 0) {
    ctx.fail(where, "expected a list of CSI part 2 sizes, one per value of the fields");
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    map.part2_bits.push_back(read_unsigned<std::uint16_t>(node[i], where + "[" + str(i) + "]", ctx,
                                                          phy::PuschUciConfig::max_payload_bits));
  }
}

} // namespace

void parse_csi_part2_from_part1(const YAML::Node& node, const std::string& where,
                                const Context& ctx, phy::PuschUciConfig& uci,
                                std::vector<phy::CsiPart2SizeMap>& maps) {
  if (!node.IsSequence() || node.size() == 0) {
    ctx.fail(where, "expected a list of CSI reports, each {fields: [[offset, bits], ...], "
                    "part2_bits: [...]}");
  }
  if (node.size() > phy::CsiPart2Sizing::max_reports) {
    ctx.fail(where, str(node.size()) + " CSI reports, more than the " +
                        str(phy::CsiPart2Sizing::max_reports) + " supported");
  }
  if (uci.csi_part1_bits == 0) {
    ctx.fail(where, "needs csi_part1_bits (the CSI part 1 that sizes CSI part 2)");
  }
  phy::CsiPart2Sizing sizing;
  for (std::size_t r = 0; r < node.size(); ++r) {
    const std::string at = where + "[" + str(r) + "]";
    phy::CsiPart2SizeRule& rule = sizing.reports[r];
    phy::CsiPart2SizeMap map;
    bool have_fields = false;
    bool have_sizes = false;
    const std::map<std::string, KeyHandler> handlers = {
        {"fields",
         [&](auto& n, auto& w) {
           parse_fields(n, w, ctx, rule, map);
           have_fields = true;
         }},
        {"part2_bits",
         [&](auto& n, auto& w) {
           parse_sizes(n, w, ctx, map);
           have_sizes = true;
         }},
    };
    for_each_key(node[r], at, handlers, ctx);
    if (!have_fields) {
      ctx.fail(at + ".fields", "missing (the CSI part 1 fields [offset, bits] that size part 2)");
    }
    if (!have_sizes) {
      ctx.fail(at + ".part2_bits", "missing (the CSI part 2 size for each value of the fields)");
    }
    if (const std::string error = map.validate(); !error.empty()) {
      ctx.fail(at, error);
    }
    if (maps.size() > std::numeric_limits<std::uint16_t>::max()) {
      ctx.fail(at, "more than 65536 CSI part 2 size maps in the scenario (FAPI indexes them "
                   "with 16 bits)");
    }
    rule.map_index = static_cast<std::uint16_t>(maps.size());
    maps.push_back(std::move(map));
  }
  sizing.num_reports = static_cast<std::uint8_t>(node.size());
  if (const std::string error = phy::validate_csi_part2_sizing(sizing, maps, uci.csi_part1_bits);
      !error.empty()) {
    ctx.fail(where, error);
  }
  uci.csi_part2_sizing = sizing;
}

void check_csi_part2_sizes_fit(const phy::CellConfig& cell, const phy::PuschConfig& pusch,
                               std::span<const phy::CsiPart2SizeMap> maps, const std::string& where,
                               const Context& ctx) {
  // Every total the reports' part 2s can reach (validate_csi_part2_sizing() keeps it to a UCI
  // payload), so that no value of part 1 asks for a part 2 the PUSCH cannot carry.
  std::vector<bool> reachable(phy::PuschUciConfig::max_payload_bits + 1, false);
  reachable[0] = true;
  for (const phy::CsiPart2SizeRule& rule : pusch.uci.csi_part2_sizing.used_reports()) {
    std::vector<std::uint16_t> sizes = maps[rule.map_index].part2_bits;
    std::ranges::sort(sizes);
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    std::vector<bool> next(reachable.size(), false);
    for (std::size_t total = 0; total < reachable.size(); ++total) {
      for (const std::uint16_t bits : sizes) {
        if (reachable[total] && total + bits < next.size()) {
          next[total + bits] = true;
        }
      }
    }
    reachable = std::move(next);
  }
  for (std::size_t total = 0; total < reachable.size(); ++total) {
    if (!reachable[total]) {
      continue;
    }
    // As the UE sends it: the size part 1 gives, no part 2 at all when it gives none.
    phy::PuschConfig sized = pusch;
    sized.uci.csi_part2_bits = static_cast<unsigned>(total);
    if (total == 0) {
      sized.uci.csi_part2_sizing = {};
    }
    if (const std::string error = sized.validate(cell); !error.empty()) {
      ctx.fail(where, "with the CSI part 2 of " + str(total) +
                          " bits that CSI part 1 can ask for: " + error);
    }
  }
}

} // namespace airan::io::pusch_config_file_detail
