/// \file
/// \brief The ingest's software MAC and VLAN filter (FronthaulConfig::filter_by_address): which
/// Ethernet frames are addressed to this fronthaul link, read from the frame's first bytes
/// before any eCPRI parsing, as a NIC's filters would.
#pragma once

#include "airan/io/fronthaul_config.h"
#include "airan/io/fronthaul_counters.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace airan::io {

/// Whether a frame is for this link.
enum class FrameAddressMatch : std::uint8_t {
  ours,              ///< For this link (or too short to tell: the parser counts it).
  other_destination, ///< To another MAC address than du_mac (another DU, a broadcast).
  other_vlan,        ///< Tagged with another VLAN id than the configured one.
};

/// "ours", "other destination" or "other VLAN".
std::string_view to_string(FrameAddressMatch match);

/// The end of the link that receives a frame: the DU (the O-RU's U-plane, to du_mac) or the
/// O-RU (the DU's C-plane, to ru_mac).
enum class FronthaulEnd : std::uint8_t { du, ru };

/// Checks \p ethernet_frame's destination address against \p config's du_mac (\p at the DU) or
/// ru_mac (at the O-RU) and, when \p config has a vlan, its 802.1Q VLAN id (an untagged frame
/// passes, as does a priority-tagged one, VLAN id 0); ours for every frame when
/// filter_by_address is false.
FrameAddressMatch match_frame_address(std::span<const std::uint8_t> ethernet_frame,
                                      const FronthaulConfig& config,
                                      FronthaulEnd at = FronthaulEnd::du);

/// The line a tool prints about the frames the filter dropped (\p counters' other_destination
/// and other_vlan), naming \p config's du_mac and VLAN id and how to take every frame; empty
/// when it dropped none.
std::string describe_other_links(const FronthaulCounters& counters, const FronthaulConfig& config);

} // namespace airan::io
