#include "fapi_uci_config_codec.h"

#include <algorithm>
#include <numeric>

namespace airan::io::fapi_detail {
namespace {

constexpr FapiMessageType uci_config_message = FapiMessageType::config_request;
/// Largest TLV value (its length is 16 bits).
constexpr std::size_t uci_config_max_value = 0xFFFF;

unsigned uci_config_index_bits(std::span<const std::uint8_t> sizes) {
  return std::accumulate(sizes.begin(), sizes.end(), 0U);
}

FapiError uci_config_too_many_maps(std::size_t maps, std::size_t offset) {
  return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_invalid_config,
                         uci_config_message, offset,
                         "CONFIG.request: UCI configuration numUci2Maps %zu exceeds the %zu "
                         "supported",
                         maps, fapi_max_uci_part2_maps);
}

FapiError uci_config_bad_num_params(std::size_t params, std::size_t offset) {
  return out_of_range_error(uci_config_message, offset, "UCI configuration numPart1Params",
                            static_cast<unsigned>(params), 1,
                            static_cast<unsigned>(FapiUciPart2Map::max_part1_params));
}

FapiError uci_config_bad_index_bits(unsigned bits, std::size_t offset) {
  return out_of_range_error(uci_config_message, offset, "UCI configuration sum of sizesPart1Params",
                            bits, 0, FapiUciPart2Map::max_index_bits);
}

/// Value bytes of the TLV for \p maps (checked ones).
std::size_t uci_config_value_size(std::span<const FapiUciPart2Map> maps) {
  std::size_t size = 2;
  for (const FapiUciPart2Map& map : maps) {
    size += 1 + map.sizes_part1_params.size() + 2 * map.map.size();
  }
  return size;
}

} // namespace

bool read_uci_configuration(const RawTlv& tlv, std::vector<FapiUciPart2Map>& maps,
                            FapiError& error) {
  constexpr const char* what = "UCI configuration TLV 0x1036";
  ByteReader r(tlv.value, tlv.offset + 4);
  const unsigned num_maps = r.u16();
  if (r.failed()) {
    error = truncated_error(uci_config_message, r, what);
    return false;
  }
  if (num_maps > fapi_max_uci_part2_maps) {
    error = uci_config_too_many_maps(num_maps, tlv.offset + 4);
    return false;
  }
  maps.clear();
  maps.reserve(num_maps);
  for (unsigned m = 0; m < num_maps; ++m) {
    const std::size_t map_offset = r.offset();
    const unsigned num_params = r.u8();
    if (r.failed()) {
      error = truncated_error(uci_config_message, r, what);
      return false;
    }
    if (num_params == 0 || num_params > FapiUciPart2Map::max_part1_params) {
      error = uci_config_bad_num_params(num_params, map_offset);
      return false;
    }
    FapiUciPart2Map& map = maps.emplace_back();
    const std::span<const std::uint8_t> sizes = r.view(num_params);
    if (r.failed()) {
      error = truncated_error(uci_config_message, r, what);
      return false;
    }
    map.sizes_part1_params.assign(sizes.begin(), sizes.end());
    const unsigned bits = uci_config_index_bits(sizes);
    if (bits > FapiUciPart2Map::max_index_bits) {
      error = uci_config_bad_index_bits(bits, map_offset + 1);
      return false;
    }
    const std::size_t entries = std::size_t{1} << bits;
    const std::span<const std::uint8_t> values = r.view(2 * entries);
    if (r.failed()) {
      error = truncated_error(uci_config_message, r, what);
      return false;
    }
    map.map.resize(entries);
    for (std::size_t i = 0; i < entries; ++i) {
      map.map[i] = static_cast<std::uint16_t>(values[2 * i] | (values[2 * i + 1] << 8));
    }
  }
  // Up to 3 zero bytes may follow: a MAC that counts the TLV's padding to 4 bytes in its length.
  const std::span<const std::uint8_t> rest = tlv.value.subspan(tlv.value.size() - r.remaining());
  const bool padding =
      rest.size() <= 3 && std::ranges::all_of(rest, [](std::uint8_t b) { return b == 0; });
  if (!padding) {
    error = make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config,
                            uci_config_message, r.offset(),
                            "CONFIG.request: UCI configuration TLV 0x1036 has %zu byte(s) after "
                            "its %u map(s)",
                            r.remaining(), num_maps);
    return false;
  }
  return true;
}

FapiError check_uci_configuration(std::span<const FapiUciPart2Map> maps) {
  if (maps.size() > fapi_max_uci_part2_maps) {
    return uci_config_too_many_maps(maps.size(), 0);
  }
  for (std::size_t m = 0; m < maps.size(); ++m) {
    const FapiUciPart2Map& map = maps[m];
    const std::size_t params = map.sizes_part1_params.size();
    if (params == 0 || params > FapiUciPart2Map::max_part1_params) {
      return uci_config_bad_num_params(params, 0);
    }
    const unsigned bits = uci_config_index_bits(map.sizes_part1_params);
    if (bits > FapiUciPart2Map::max_index_bits) {
      return uci_config_bad_index_bits(bits, 0);
    }
    if (map.map.size() != (std::size_t{1} << bits)) {
      return make_fapi_error(FapiStatus::length_mismatch, FapiErrorCode::msg_invalid_config,
                             uci_config_message, 0,
                             "CONFIG.request: UCI configuration map %zu has %zu sizes, its %u "
                             "index bits need %zu",
                             m, map.map.size(), bits, std::size_t{1} << bits);
    }
  }
  if (const std::size_t size = uci_config_value_size(maps); size > uci_config_max_value) {
    return make_fapi_error(FapiStatus::capacity_exceeded, FapiErrorCode::msg_invalid_config,
                           uci_config_message, 0,
                           "CONFIG.request: UCI configuration of %zu bytes exceeds a TLV's %zu",
                           size, uci_config_max_value);
  }
  return {};
}

void write_uci_configuration(ByteWriter& writer, std::span<const FapiUciPart2Map> maps,
                             std::size_t& count) {
  const std::size_t size = uci_config_value_size(maps);
  writer.u16(fapi_config_tag::uci_configuration);
  writer.u16(static_cast<std::uint16_t>(size));
  writer.u16(static_cast<std::uint16_t>(maps.size()));
  for (const FapiUciPart2Map& map : maps) {
    writer.u8(static_cast<std::uint8_t>(map.sizes_part1_params.size()));
    writer.bytes(map.sizes_part1_params);
    for (const std::uint16_t value : map.map) {
      writer.u16(value);
    }
  }
  writer.zeros(padded_tlv_value_size(size) - size);
  ++count;
}

} // namespace airan::io::fapi_detail
