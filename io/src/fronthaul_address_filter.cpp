/// \file
/// \brief match_frame_address(): the ingest's destination MAC and VLAN id filter.
#include "airan/io/fronthaul_address_filter.h"

#include <algorithm>

namespace airan::io {

std::string_view to_string(FrameAddressMatch match) {
  switch (match) {
  case FrameAddressMatch::ours:
    return "ours";
  case FrameAddressMatch::other_destination:
    return "other destination";
  case FrameAddressMatch::other_vlan:
    return "other VLAN";
  }
  return "unknown";
}

FrameAddressMatch match_frame_address(std::span<const std::uint8_t> ethernet_frame,
                                      const FronthaulConfig& config, FronthaulEnd at) {
  if (!config.filter_by_address || ethernet_frame.size() < ethernet_header_size) {
    return FrameAddressMatch::ours;
  }
  const MacAddress& destination = at == FronthaulEnd::du ? config.du_mac : config.ru_mac;
  if (!std::equal(destination.begin(), destination.end(), ethernet_frame.begin())) {
    return FrameAddressMatch::other_destination;
  }
  // The TPID sits where an untagged frame's EtherType is (bytes 12, 13); the tag control
  // information follows, its low 12 bits the VLAN id.
  constexpr std::size_t tpid_offset = 2 * sizeof(MacAddress);
  const unsigned tpid =
      (unsigned{ethernet_frame[tpid_offset]} << 8U) | ethernet_frame[tpid_offset + 1];
  if (!config.vlan || tpid != ethertype_vlan || ethernet_frame.size() < tpid_offset + 4) {
    return FrameAddressMatch::ours;
  }
  const unsigned vlan_id =
      ((unsigned{ethernet_frame[tpid_offset + 2]} << 8U) | ethernet_frame[tpid_offset + 3]) &
      0xFFFU;
  // VLAN id 0: a priority tag, no VLAN (IEEE 802.1Q), as untagged.
  return vlan_id == 0 || vlan_id == config.vlan->vlan_id ? FrameAddressMatch::ours
                                                         : FrameAddressMatch::other_vlan;
}

std::string describe_other_links(const FronthaulCounters& counters, const FronthaulConfig& config) {
  const std::uint64_t dropped = counters.other_destination + counters.other_vlan;
  if (dropped == 0) {
    return {};
  }
  std::string text =
      "fronthaul: " + std::to_string(dropped) +
      " frame(s) of other links dropped: " + std::to_string(counters.other_destination) +
      " to another MAC address than " + mac_to_string(config.du_mac) + " (fronthaul.du_mac), " +
      std::to_string(counters.other_vlan) + " tagged with another VLAN id";
  if (config.vlan) {
    text += " than " + std::to_string(config.vlan->vlan_id) + " (fronthaul.vlan.id)";
  }
  return text + "; fronthaul.filter_by_address: false takes every frame\n";
}

} // namespace airan::io
